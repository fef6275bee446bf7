"""Tests for `modeldoc.tools.repo.repo_facts` as a whole: repositories built in tmp_path."""

from __future__ import annotations

from pathlib import Path

from helpers.repo import scan


def test_name_is_the_root_folder(tmp_path: Path) -> None:
    root = tmp_path / "my-model"
    root.mkdir()
    facts, issues = scan(root, {})
    assert facts.name == "my-model"
    assert facts.licenses == [] and facts.dependencies == [] and facts.readme is None
    assert issues == []
