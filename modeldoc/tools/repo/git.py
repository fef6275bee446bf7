"""What git says of a repository (its commit, the web address of its origin), asked with
hooks and fsmonitor switched off."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

GIT_TIMEOUT = 5.0
# Hosts whose file pages modeldoc can link to, and how their URLs name a file at a commit.
_BLOB_PATHS = {"github.com": "blob", "gitlab.com": "-/blob"}
_REMOTE = re.compile(
    r"^(?:https://(?:[^@/]+@)?(?P<https_host>[^/:]+)/|git@(?P<ssh_host>[^:]+):)"
    r"(?P<path>[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+)/?$"
)


def git_commit(root: Path) -> str | None:
    """HEAD's commit when `root` is in a git work tree; None otherwise or without git."""
    commit = _git(root, "rev-parse", "--verify", "HEAD")
    if commit is None or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit):
        return None
    return commit


def git_web_url(root: Path) -> str | None:
    """The web address of the `origin` remote on GitHub or GitLab (credentials dropped),
    e.g. `https://github.com/org/repo`; None for other hosts or without a remote."""
    remote = _git(root, "config", "--get", "remote.origin.url")
    found = _REMOTE.match(remote or "")
    if found is None:
        return None
    host = (found.group("https_host") or found.group("ssh_host") or "").lower()
    if host not in _BLOB_PATHS:
        return None
    return f"https://{host}/{found.group('path').removesuffix('.git')}"


def git_prefix(root: Path) -> str:
    """Where `root` sits inside its git work tree (`examples/cancer/`), "" at the top."""
    return _git(root, "rev-parse", "--show-prefix") or ""


def file_url(web_url: str, commit: str, file: str, line: int | None = None) -> str:
    """The page of `file` (at `line`) at `commit` on the repository's host."""
    host = web_url.split("/")[2]
    anchor = f"#L{line}" if line else ""
    return f"{web_url}/{_BLOB_PATHS.get(host, 'blob')}/{commit}/{file}{anchor}"


def _git(root: Path, *arguments: str) -> str | None:
    # Inherited GIT_* variables (GIT_DIR, GIT_WORK_TREE ...) would point git elsewhere.
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env |= {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    # The repository's own config may name programs to run; these keep them switched off.
    command = ["git", "-C", str(root), "-c", "core.fsmonitor=false",
               "-c", "core.hooksPath=/dev/null", *arguments]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=GIT_TIMEOUT,
                              env=env, stdin=subprocess.DEVNULL, check=False)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
