"""Repository facts: name, commit, licences, declared dependencies and the README's gist.

Nothing here runs repository code: `setup.py` is read with tree-sitter, configuration files
with parsers, and git runs with hooks and fsmonitor switched off.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from modeldoc.facts import RepoFacts, ScanIssue
from modeldoc.tools.repo.dependencies import read_dependencies
from modeldoc.tools.repo.git import git_commit, git_prefix, git_web_url
from modeldoc.tools.repo.licences import read_licences
from modeldoc.tools.repo.manifests import load_manifests
from modeldoc.tools.repo.readme import read_readme

__all__ = ["repo_facts"]


def repo_facts(root: Path, texts: Mapping[str, str]) -> tuple[RepoFacts, list[ScanIssue]]:
    """Facts about the repository at `root`; `texts` maps relative paths to decoded text."""
    issues: list[ScanIssue] = []
    manifests = load_manifests(texts, issues)
    licences = read_licences(texts, manifests)
    dependencies = read_dependencies(texts, manifests, issues)
    facts = RepoFacts(
        name=root.name or root.resolve().name,
        commit=(commit := git_commit(root)),
        web_url=git_web_url(root) if commit else None,
        git_prefix=git_prefix(root) if commit else "",
        licenses=licences,
        dependencies=dependencies,
        readme=read_readme(texts),
    )
    return facts, issues
