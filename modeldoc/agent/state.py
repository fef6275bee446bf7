"""The graph's state: what each node reads and writes."""

from __future__ import annotations

from typing import TypedDict

from modeldoc.facts import FactSheet


class BuildInput(TypedDict):
    """What a run starts from."""

    repo_path: str
    """The model repository to document, as the user gave it."""


class BuildState(TypedDict, total=False):
    """The state carried between nodes; a node returns only the keys it fills.

    Later stages add the checkpoint, the data and the card.
    """

    repo_path: str
    """The model repository to document, as the user gave it."""

    facts: FactSheet
    """The fact sheet so far; each node fills its own part."""
