"""Graph nodes: thin wrappers that call a tool and put its facts into the state."""

from __future__ import annotations

from pathlib import Path

from modeldoc import __version__
from modeldoc.agent.state import BuildState
from modeldoc.facts import FactSheet, Generator
from modeldoc.tools.evaluate.run import model_facts
from modeldoc.tools.provenance import current_provenance
from modeldoc.tools.scan import scan_repository


def scan(state: BuildState) -> BuildState:
    """Read the repository's code: the first node; starts the fact sheet."""
    result = scan_repository(Path(state["repo_path"]))
    facts = FactSheet(
        generator=Generator(version=__version__),
        repo=result.repo,
        code=result.code,
        provenance=current_provenance(),
    )
    return {"facts": facts}


def model(state: BuildState) -> BuildState:
    """Load the checkpoint, profile the data, evaluate: the model's part of the fact sheet."""
    settings = state.get("settings")
    if settings is None:
        return {}
    found = model_facts(Path(state["repo_path"]), settings)
    facts = state["facts"].model_copy(
        update={
            "checkpoints": found.checkpoints,
            "data": found.data,
            "evaluation": found.evaluation,
        }
    )
    return {"facts": facts}
