"""Graph nodes: thin wrappers that call a tool and put its facts into the state."""

from __future__ import annotations

from pathlib import Path

from modeldoc import __version__
from modeldoc.agent.state import BuildState
from modeldoc.facts import FactSheet, Generator
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
