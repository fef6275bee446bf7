"""A build's standard error without its progress lines: what remains is the error (one line)
and the warnings, as they were before builds showed progress."""

from __future__ import annotations

import re

PROGRESS_LINE = re.compile(r"^\d\d:\d\d:\d\d (\S+)")
"""A line of `modeldoc.progress.LogLines`: the time, then what happened (the step first)."""


def without_progress(stderr: str) -> str:
    """`stderr` without the timestamped progress lines a build writes when it is not on a
    terminal."""
    return "".join(line for line in stderr.splitlines(keepends=True)
                   if not PROGRESS_LINE.match(line))  # fmt: skip
