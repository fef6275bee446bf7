"""Tests for `modeldoc.tools.repo.git`: repositories built in tmp_path, texts passed in."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.repo import build, scan

from modeldoc.tools.repo import repo_facts


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return dict(os.environ)


def git(root: Path, env: dict[str, str], *args: str) -> str:
    identity = ["-c", "user.name=x", "-c", "user.email=x@x"]
    done = subprocess.run(
        ["git", "-C", str(root), *identity, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout.strip()


def test_commit_of_a_git_work_tree(tmp_path: Path, git_env: dict[str, str]) -> None:
    texts = build(tmp_path, {"train.py": "print('hi')\n"})
    git(tmp_path, git_env, "init", "-q")
    git(tmp_path, git_env, "add", "train.py")
    git(tmp_path, git_env, "commit", "-q", "-m", "first")
    facts, _ = repo_facts(tmp_path, texts)
    assert facts.commit == git(tmp_path, git_env, "rev-parse", "HEAD")
    assert re.fullmatch(r"[0-9a-f]{40}", facts.commit)


def test_plain_folder_has_no_commit(tmp_path: Path) -> None:
    facts, _ = scan(tmp_path, {"train.py": "print('hi')\n"})
    assert facts.commit is None


def test_inherited_git_dir_does_not_redirect_git(
    tmp_path: Path, git_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    build(other, {"a.txt": "a\n"})
    git(other, git_env, "init", "-q")
    git(other, git_env, "add", "a.txt")
    git(other, git_env, "commit", "-q", "-m", "other")
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    facts, _ = repo_facts(plain, {})
    assert facts.commit is None


def test_missing_git_gives_no_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    facts, _ = repo_facts(tmp_path, {})
    assert facts.commit is None
