"""What a step of a GitHub workflow reads and writes: the event payload, step outputs, the job
summary, and log text that the runner cannot mistake for workflow commands."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from modeldoc.errors import ModeldocError

MAX_SUMMARY_BYTES = 1024 * 1024
"""GitHub shows at most 1 MiB of summary per step."""

_OUTPUT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class WorkflowError(ModeldocError):
    """The workflow's environment is missing something the step needs."""


def read_event(environ: Mapping[str, str]) -> dict[str, Any]:
    """The event payload at `GITHUB_EVENT_PATH` (empty when there is none)."""
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise WorkflowError(f"GITHUB_EVENT_PATH is not a readable JSON file: {path}") from error
    return payload if isinstance(payload, dict) else {}


def write_outputs(path: Path, values: Mapping[str, str]) -> None:
    """Append `values` to the `GITHUB_OUTPUT` file, each between delimiters no value contains."""
    lines = []
    for name, value in values.items():
        if not _OUTPUT_NAME.fullmatch(name):
            raise ValueError(f"not an output name: {name!r}")
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in value:  # pragma: no cover - 128 random bits
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("".join(lines))


def append_summary(path: Path, text: str) -> None:
    """Append Markdown to the `GITHUB_STEP_SUMMARY` file, cut to what GitHub shows."""
    data = text.rstrip("\n").encode("utf-8") + b"\n\n"
    if len(data) > MAX_SUMMARY_BYTES:
        note = b"\n\n*(cut: the summary is longer than GitHub shows)*\n"
        cut = data[: MAX_SUMMARY_BYTES - len(note)].decode("utf-8", errors="ignore")
        data = cut.encode("utf-8") + note
    with path.open("ab") as handle:
        handle.write(data)


def command_text(text: str) -> str:
    """`text` as a workflow command's message: nothing in it ends the line."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


@contextmanager
def commands_stopped() -> Iterator[None]:
    """Within the block, lines printed (the repository's text among them) run no command."""
    token = secrets.token_hex(16)
    print(f"::stop-commands::{token}", flush=True)
    try:
        yield
    finally:
        print(f"::{token}::", flush=True)
