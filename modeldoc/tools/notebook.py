"""Jupyter notebooks: the code cells as one Python source, with a map back to the cells."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

from modeldoc.errors import ModeldocError

# Cell magics whose body is still Python run by the kernel: keep the body, blank the magic.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})

# `files = !ls`, `t = %timeit -o f()`: IPython's assignment from a shell or magic command.
_ASSIGN_ESCAPE = re.compile(r"[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[!%]")


class NotebookError(ModeldocError):
    """The text is not a Jupyter notebook modeldoc can read."""


@dataclass(frozen=True)
class NotebookCode:
    """The code cells of a notebook joined into one source, IPython syntax blanked."""

    source: str
    cells: list[tuple[int, int]]

    def locate(self, line: int) -> tuple[int, int]:
        """Map a 1-based line of `source` to (cell index, 1-based line inside that cell)."""
        if line < 1 or not self.cells:
            raise ValueError(f"line {line} is not in the notebook's code")
        # A line past the end (a parser's end-of-file position) belongs to the last cell.
        i = bisect.bisect_right(self.cells, line, key=lambda cell: cell[1]) - 1
        index, first = self.cells[i]
        return index, line - first + 1


def notebook_code(text: str) -> NotebookCode:
    """Read the code cells of a notebook (nbformat 3 or 4) given as JSON text."""
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise NotebookError(f"not valid JSON: {e}") from e
    if not isinstance(nb, dict):
        raise NotebookError("not a notebook: the JSON is not an object")
    language = _language(nb)
    if language not in (None, "python"):
        raise NotebookError(f"not a Python notebook (language {language!r})")
    parts: list[str] = []
    cells: list[tuple[int, int]] = []
    line = 1
    for index, cell in enumerate(_cells(nb)):
        if cell.get("cell_type") != "code":
            continue
        code = _blank_ipython(_text(cell.get("source", cell.get("input"))))
        cells.append((index, line))
        parts.append(code)
        line += code.count("\n")
    return NotebookCode("".join(parts), cells)


def _cells(nb: dict[str, object]) -> list[dict[str, object]]:
    if "cells" in nb:
        found = nb["cells"]
    elif "worksheets" in nb and isinstance(nb["worksheets"], list):
        # nbformat 3: cells live in worksheets; indices run on across them.
        sheets = [ws.get("cells") for ws in nb["worksheets"] if isinstance(ws, dict)]
        found = [c for cells in sheets if isinstance(cells, list) for c in cells]
    else:
        raise NotebookError("not a notebook: no `cells`")
    if not isinstance(found, list) or not all(isinstance(c, dict) for c in found):
        raise NotebookError("not a notebook: `cells` is not a list of objects")
    return found


def _language(nb: dict[str, object]) -> str | None:
    metadata = nb.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        value = metadata.get(key)
        if isinstance(value, dict) and isinstance(value.get(field), str):
            return str(value[field]).lower()
    return None


def _text(source: object) -> str:
    if source is None:
        return ""
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise NotebookError("not a notebook: a cell's source is not text")
    return source.replace("\r\n", "\n").replace("\r", "\n")


def _blank_ipython(code: str) -> str:
    """Blank IPython-only lines, keeping one line per line; the result ends with a newline."""
    lines = code.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return "\n"  # an empty cell still takes a line, so every cell has a first line
    first = next((i for i, text in enumerate(lines) if text.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in PYTHON_CELL_MAGICS:
            return "\n" * len(lines)  # the body is another language: bash, html, writefile ...
        lines[first] = ""
    scanner = _LineScanner()
    for i, text in enumerate(lines):
        if scanner.at_statement_start() and _is_ipython(text, scanner):
            lines[i] = ""
        else:
            scanner.feed(text)
    return "\n".join(lines) + "\n"


def _is_ipython(text: str, scanner: _LineScanner) -> bool:
    stripped = text.strip()
    if stripped.startswith(("%", "!", "?")) or _ASSIGN_ESCAPE.match(stripped):
        return True
    # `obj?` or `obj??`: the `?` that ends the code, not one inside a string or comment.
    return scanner.code_part(text).rstrip().endswith("?")


class _LineScanner:
    """Tracks brackets, triple-quoted strings and backslash continuations across lines.

    IPython syntax is only recognised at the start of a statement: inside brackets a line
    may well start with `%` (the modulo operator).
    """

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None  # the open triple quote
        self.continued = False

    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def code_part(self, text: str) -> str:
        """`text` up to its comment, for a line that starts a statement (no state change)."""
        probe = _LineScanner()
        return text[: probe.feed(text)]

    def feed(self, text: str) -> int:
        """Advance over one line; return where its comment starts (or its length)."""
        i, n = 0, len(text)
        if self.quote is not None:
            i = self._skip_string(text, 0, self.quote)
        while i < n:
            c = text[i]
            if c == "#":
                self.continued = False
                return i
            if c in "\"'":
                quote = c * 3 if text.startswith(c * 3, i) else c
                i = self._skip_string(text, i + len(quote), quote)
                continue
            if c in "([{":
                self.depth += 1
            elif c in ")]}":
                self.depth = max(0, self.depth - 1)
            i += 1
        self.continued = text.endswith("\\") and self.quote is None
        return n

    def _skip_string(self, text: str, i: int, quote: str) -> int:
        """Index after the string closing at or after `i`; end of line if it stays open."""
        n = len(text)
        while i < n:
            if text[i] == "\\":
                i += 2
            elif text.startswith(quote, i):
                if len(quote) == 3:
                    self.quote = None
                return i + len(quote)
            else:
                i += 1
        if len(quote) == 3:
            self.quote = quote
        return n
