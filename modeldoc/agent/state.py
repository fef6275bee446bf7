"""The graph's state: what each node reads and writes."""

from __future__ import annotations

from typing import TypedDict

from modeldoc.facts import FactSheet
from modeldoc.settings import BuildSettings


class BuildInput(TypedDict, total=False):
    """What a run starts from."""

    repo_path: str
    """The model repository to document, as the user gave it (required)."""

    settings: BuildSettings
    """What to load, evaluate and where to write; without it only the code is read."""


class BuildState(TypedDict, total=False):
    """The state carried between nodes; a node returns only the keys it fills.

    Later stages add the checkpoint, the data and the card.
    """

    repo_path: str
    """The model repository to document, as the user gave it."""

    settings: BuildSettings
    """What to load, evaluate and where to write."""

    facts: FactSheet
    """The fact sheet so far; each node fills its own part."""
