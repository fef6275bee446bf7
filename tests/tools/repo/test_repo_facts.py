"""Tests for `modeldoc.tools.repo.repo_facts` as a whole: repositories built in tmp_path."""

from __future__ import annotations

from pathlib import Path

from modeldoc.facts import RepoFacts, ScanIssue
from modeldoc.tools.repo import repo_facts


def build(root: Path, files: dict[str, str]) -> dict[str, str]:
    """Write `files` under `root` and return them as the scan's texts."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return files


def scan(root: Path, files: dict[str, str]) -> tuple[RepoFacts, list[ScanIssue]]:
    return repo_facts(root, build(root, files))


def test_name_is_the_root_folder(tmp_path: Path) -> None:
    root = tmp_path / "my-model"
    root.mkdir()
    facts, issues = scan(root, {})
    assert facts.name == "my-model"
    assert facts.licenses == [] and facts.dependencies == [] and facts.readme is None
    assert issues == []
