"""The graph's state: what each node reads and writes, and the run's context."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, TypedDict

from modeldoc.agent.workspace import Workspace
from modeldoc.facts import (
    Checkpoint,
    CodeFacts,
    DataProfile,
    Evaluation,
    Explanations,
    FactSheet,
    Plot,
    RepoFacts,
    Section,
)
from modeldoc.settings import BuildSettings

if TYPE_CHECKING:
    from modeldoc.llm.drafting import LLMSession


class BuildInput(TypedDict, total=False):
    """What a run starts from."""

    repo_path: str
    """The model repository to document, as the user gave it (required)."""

    settings: BuildSettings
    """What to load, evaluate and where to write; without it only the code is read."""


class BuildState(TypedDict, total=False):
    """The state carried between nodes; a node returns only the keys it fills.

    Everything here is a fact (serialisable, so a checkpointer can keep it); the loaded
    model and the data stay in the run's `Workspace`.
    """

    repo_path: str
    settings: BuildSettings
    repo: RepoFacts
    code: CodeFacts
    files_from_cache: int
    """Code files whose scan result an earlier build had kept."""
    checkpoints: list[Checkpoint]
    data: list[DataProfile]
    evaluation: Evaluation | None
    explanations: Explanations | None
    plots: Annotated[list[Plot], operator.add]
    """Appended to by each plotting node."""

    facts: FactSheet
    """The whole fact sheet, assembled once every part is in."""

    sections: Annotated[list[Section], operator.add]
    """The card's sections, each appended by its own drafting task, in no fixed order."""


class SectionTask(TypedDict):
    """What one section's drafting task is sent (`Send`): the facts and which section."""

    section_id: str
    facts: FactSheet
    repo_path: str


@dataclass(frozen=True)
class BuildContext:
    """Run-scoped context, never checkpointed: the workspace of in-memory results, and the
    LLM session when a chat model drafts the card."""

    workspace: Workspace | None = None
    llm: LLMSession | None = None
