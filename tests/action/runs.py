"""What a test of the Action's pr mode lays out: a model repository in git with a base and a
head commit (the example, then a change of it), and the variables GitHub gives the steps."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cancer-xgboost"
NUMBER = 7
GIT_IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]


def git(repository: Path, *arguments: str) -> str:
    result = subprocess.run(["git", *GIT_IDENTITY, "-C", str(repository), *arguments],
                            capture_output=True, text=True, check=True)  # fmt: skip
    return result.stdout.strip()


def commit(repository: Path, message: str) -> str:
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", message)
    return git(repository, "rev-parse", "HEAD")


@dataclass(frozen=True)
class Repository:
    """A model repository with a base and a head commit, the head checked out."""

    path: Path
    base: str
    head: str


def repository(tmp_path: Path, change: Callable[[Path], None],
               before: Callable[[Path], None] | None = None) -> Repository:  # fmt: skip
    """The example as the base commit (after `before`), and `change` of it as the head."""
    path = tmp_path / "cancer-xgboost"
    shutil.copytree(EXAMPLE, path)
    if before is not None:
        before(path)
    git(path, "init", "-q", "-b", "main")
    base = commit(path, "base")
    change(path)
    return Repository(path, base, commit(path, "head"))


def pull_request_event(repo: Repository) -> dict[str, object]:
    """The payload of a `pull_request` event (synchronize) for `repo`'s head on its base."""
    return {"action": "synchronize", "number": NUMBER,
            "pull_request": {"number": NUMBER, "base": {"sha": repo.base},
                             "head": {"sha": repo.head}}}  # fmt: skip


def github_environment(github: Path, repo: Repository,
                       event: dict[str, object] | None = None) -> dict[str, str]:  # fmt: skip
    """The runner's variables for a job on `repo`, its files (event payload, output, summary,
    temporary folder) made under `github`."""
    github.mkdir(exist_ok=True)
    payload = pull_request_event(repo) if event is None else event
    (github / "event.json").write_text(json.dumps(payload))
    (github / "runner").mkdir(exist_ok=True)
    for name in ("summary.md", "output"):
        (github / name).write_text("")
    return {
        "GITHUB_EVENT_PATH": str(github / "event.json"),
        "GITHUB_STEP_SUMMARY": str(github / "summary.md"),
        "GITHUB_OUTPUT": str(github / "output"),
        "GITHUB_WORKSPACE": str(repo.path),
        "RUNNER_TEMP": str(github / "runner"),
    }


def parse_outputs(text: str) -> dict[str, str]:
    """A `GITHUB_OUTPUT` file as the runner reads it (`name<<DELIMITER` blocks only)."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        name, delimiter = line.split("<<", 1)
        assert re.fullmatch(r"ghadelimiter_[0-9a-f]{32}", delimiter)
        value = []
        for inner in lines:
            if inner == delimiter:
                break
            value.append(inner)
        outputs[name] = "\n".join(value)
    return outputs
