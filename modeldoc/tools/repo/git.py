"""The commit a repository is at, asked of git with hooks and fsmonitor switched off."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

GIT_TIMEOUT = 5.0


def git_commit(root: Path) -> str | None:
    """HEAD's commit when `root` is in a git work tree; None otherwise or without git."""
    # Inherited GIT_* variables (GIT_DIR, GIT_WORK_TREE ...) would point git elsewhere.
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env |= {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    command = [
        "git",
        "-C",
        str(root),
        # The repository's own config may name programs to run; these keep them switched off.
        "-c",
        "core.fsmonitor=false",
        "-c",
        "core.hooksPath=/dev/null",
        "rev-parse",
        "--verify",
        "HEAD",
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    if done.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit):
        return None
    return commit
