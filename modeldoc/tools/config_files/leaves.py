"""Settings as leaves: the collector and flattening the format readers share, and the caps."""

from __future__ import annotations

import json
import math
import re
import sys
import textwrap
from bisect import bisect_right
from collections.abc import Callable
from datetime import date, time
from typing import Any

from pydantic import JsonValue

from modeldoc.facts import Hyperparameter, ScanIssue, Source, Value

MAX_BYTES = 512 * 1024
MAX_LEAVES = 2000

# Where a setting sits: keys and list indexes from the top, as in `model.blocks[0].kind`.
KeyPath = tuple[str | int, ...]
# For data parsed without positions: a key's line, and a leaf's text as written if found.
Locate = Callable[[KeyPath, Any, bool], tuple[int | None, str | None]]


class CapReached(Exception):
    """Raised to stop a walk once the file has given `MAX_LEAVES` settings."""


class Collector:
    """The settings and issues of one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.prefix = ""
        self.params: list[Hyperparameter] = []
        self.issues: list[ScanIssue] = []

    def leaf(
        self, path: KeyPath, line: int, text: str, value: JsonValue, literal: bool = True
    ) -> None:
        """Records one setting; raises `CapReached` when the file already has `MAX_LEAVES`.

        A value that JSON cannot hold (an integer of more than 4,300 digits) keeps only its text.
        """
        if len(self.params) >= MAX_LEAVES:
            raise CapReached
        if literal and not _serialisable(value):
            value, literal = None, False
        if len(text) > MAX_VALUE_CHARS:  # keep facts small: an alias bomb, a pasted blob
            text, value, literal = text[:MAX_VALUE_CHARS] + "…", None, False
        name = next((part for part in reversed(path) if isinstance(part, str)), "")
        self.params.append(
            Hyperparameter(
                name=name,
                key=self.prefix + _dotted(path),
                value=Value(text=text, literal=literal, value=value if literal else None),
                origin="config_file",
                scope=self.file,
                source=Source(file=self.file, line=max(line, 1)),
            )
        )

    def issue(self, message: str, line: int | None = None) -> None:
        """Records an issue once, however often the file raises it."""
        issue = ScanIssue(kind="config", file=self.file, line=line, message=message)
        if issue not in self.issues:
            self.issues.append(issue)


MAX_VALUE_CHARS = 4_000


def _serialisable(value: JsonValue) -> bool:
    try:
        json.dumps(value)
    except (ValueError, TypeError, RecursionError):
        return False
    return True


def parse_failure(language: str, error: Exception) -> str:
    """A one-sentence issue for a parser failure that is not a syntax error."""
    if isinstance(error, ValueError) and "integer string conversion" in str(error):
        limit = sys.get_int_max_str_digits()
        return f"Could not parse the {language}: a number has more than {limit:,} digits."
    return f"Could not parse the {language}: the parser failed ({type(error).__name__})."


def _dotted(path: KeyPath) -> str:
    key = ""
    for index, part in enumerate(path):
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if index else part
    return key


class LineIndex:
    """Maps a character offset to its 1-based line."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def line(self, index: int) -> int:
        """The 1-based line of character `index`."""
        return bisect_right(self.starts, index)


def source_text(text: str, start: int, end: int) -> str:
    """The source text of a value, with a multi-line value dedented to read on its own."""
    raw = text[start:end].rstrip()
    if "\n" not in raw:
        return raw
    column = start - (text.rfind("\n", 0, start) + 1)
    return textwrap.dedent(" " * column + raw).strip()


def without_bom(text: str) -> str:
    """`text` without a byte-order mark, with offsets and lines unchanged."""
    # A space keeps offsets and lines; JSON and TOML both allow leading whitespace.
    return " " + text[1:] if text.startswith("\ufeff") else text


def json_value(value: Any, text: str | None = None) -> JsonValue:
    """`value` made JSON-compatible; dates and non-finite floats become their text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if text is not None:
        return text
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _data_is_leaf(value: Any, path: KeyPath) -> bool:
    if isinstance(value, dict):
        return not value
    if isinstance(value, list):
        return path == ("defaults",) or not _data_has_dict(value)
    return True


def _data_has_dict(items: list[Any]) -> bool:
    return any(
        isinstance(item, dict) or (isinstance(item, list) and _data_has_dict(item))
        for item in items
    )


def _written(value: Any) -> str:
    """A parsed value as JSON text, for a leaf whose source text was not found."""
    try:
        return json.dumps(json_value(value), ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):
        # An integer too long for decimal text: hexadecimal has no such limit.
        return hex(value) if isinstance(value, int) else f"<{type(value).__name__}>"


def walk_data(data: dict[str, Any], out: Collector, locate: Locate) -> None:
    """Emit the leaves of parsed data, asking `locate` for lines in document order."""

    def entry(path: KeyPath, value: Any, parent_line: int) -> None:
        leaf = _data_is_leaf(value, path)
        line, text = locate(path, value, leaf)
        line = line or parent_line
        if leaf:
            out.leaf(path, line, _written(value) if text is None else text, json_value(value, text))
        elif isinstance(value, dict):
            for key, item in value.items():
                entry((*path, key), item, line)
        else:
            for index, item in enumerate(value):
                entry((*path, index), item, line)

    for key, value in data.items():
        entry((key,), value, 1)
