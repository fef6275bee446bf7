"""TOML settings: tomllib reads the values, a small scanner finds each key's line and text."""

from __future__ import annotations

import contextlib
import re
import tomllib
from typing import Any

from modeldoc.tools.config_files.leaves import (
    Collector,
    KeyPath,
    LineIndex,
    parse_failure,
    source_text,
    walk_data,
    without_bom,
)

_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Numbers, booleans and dates end at one of these; local date-times may contain a space.
_BARE_VALUE = re.compile(r"[^,\]}#\r\n]*")


def read_toml(text: str, out: Collector) -> None:
    """The settings of a TOML document, into `out`."""
    text = without_bom(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        line = int(position.group(1)) if position and position.group(1) else None
        detail = message[: position.start()] if position else message
        out.issue(f"Could not parse the TOML: {detail.rstrip('.')}.", line)
        return
    except RecursionError:
        raise  # reported for every format alike
    except Exception as error:  # e.g. ValueError for an integer of more than 4,300 digits
        out.issue(parse_failure("TOML", error))
        return
    scanner = _TomlScanner(text)
    # On a surprise keep the positions found so far; the rest fall back to their table's line.
    with contextlib.suppress(_ScanError, IndexError, ValueError):
        scanner.run()
    walk_data(data, out, scanner.locate)


class _ScanError(Exception):
    """The TOML locator met text it does not understand (tomllib accepted it)."""


class _TomlScanner:
    """Records the line and source span of every key, table and array item.

    tomllib has no positions, so this re-reads the (already valid) document: headers,
    dotted keys, strings, arrays and inline tables, without decoding values.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.lines = LineIndex(text)
        self.spans: dict[KeyPath, tuple[int, int | None, int | None]] = {}
        self.arrays: dict[KeyPath, int] = {}  # array-of-tables path -> tables so far

    def locate(self, path: KeyPath, value: Any, leaf: bool) -> tuple[int | None, str | None]:
        span = self.spans.get(path)
        if span is None:
            return None, None
        line, start, end = span
        if leaf and start is not None and end is not None:
            return line, source_text(self.text, start, end)
        return line, None

    def run(self) -> None:
        table: KeyPath = ()
        text = self.text
        while True:
            self.skip(newlines=True)
            if self.i >= len(text):
                return
            line = self.lines.line(self.i)
            if text.startswith("[[", self.i):
                self.i += 2
                keys = self.key()
                self.expect("]]")
                array = (*self.resolve(keys[:-1]), keys[-1])
                index = self.arrays.get(array, 0)
                self.arrays[array] = index + 1
                table = (*array, index)
                self.spans[table] = (line, None, None)
            elif text.startswith("[", self.i):
                self.i += 1
                table = self.resolve(self.key())
                self.expect("]")
                self.spans[table] = (line, None, None)
            else:
                keys = self.key()
                self.expect("=")
                self.skip()
                self.value((*table, *keys), line)

    def resolve(self, keys: tuple[str, ...]) -> KeyPath:
        """A header's path, pointing into the latest table of each array of tables."""
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            count = self.arrays.get(path)
            if count:
                path = (*path, count - 1)
        return path

    def skip(self, newlines: bool = False) -> None:
        text = self.text
        while self.i < len(text):
            char = text[self.i]
            if char in " \t" or (newlines and char in "\r\n"):
                self.i += 1
            elif newlines and char == "#":
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
            else:
                return

    def expect(self, token: str) -> None:
        self.skip()
        if not self.text.startswith(token, self.i):
            raise _ScanError(token)
        self.i += len(token)

    def key(self) -> tuple[str, ...]:
        parts: list[str] = []
        text = self.text
        while True:
            self.skip()
            start = self.i
            if text[start] == '"':
                self.basic_string()
                parts.append(_toml_basic_key(text[start : self.i]))
            elif text[start] == "'":
                self.i = text.index("'", start + 1) + 1
                parts.append(text[start + 1 : self.i - 1])
            else:
                match = _BARE_KEY.match(text, start)
                if match is None:
                    raise _ScanError("key")
                parts.append(match.group())
                self.i = match.end()
            self.skip()
            if not text.startswith(".", self.i):
                return tuple(parts)
            self.i += 1

    def value(self, path: KeyPath, line: int) -> None:
        text = self.text
        start = self.i
        if text.startswith('"""', start) or text.startswith("'''", start):
            self.multiline_string(text[start : start + 3])
        elif text[start] == '"':
            self.basic_string()
        elif text[start] == "'":
            self.i = text.index("'", start + 1) + 1
        elif text[start] == "[":
            self.collection(path, "]", keyed=False)
        elif text[start] == "{":
            self.collection(path, "}", keyed=True)
        else:
            match = _BARE_VALUE.match(text, start)
            self.i = start + len(match.group().rstrip()) if match else start
        if self.i == start:
            raise _ScanError("value")
        self.spans[path] = (line, start, self.i)

    def collection(self, path: KeyPath, close: str, keyed: bool) -> None:
        """An array (items indexed from 0) or an inline table (`key = value` entries)."""
        self.i += 1
        index = 0
        while True:
            self.skip(newlines=True)
            if self.text[self.i] == close:
                self.i += 1
                return
            line = self.lines.line(self.i)
            if keyed:
                keys = self.key()
                self.expect("=")
                self.skip()
                self.value((*path, *keys), line)
            else:
                self.value((*path, index), line)
                index += 1
            self.skip(newlines=True)
            if self.text[self.i] == ",":
                self.i += 1

    def basic_string(self) -> None:
        text = self.text
        j = self.i + 1
        while text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        self.i = j + 1

    def multiline_string(self, delimiter: str) -> None:
        text = self.text
        j = self.i + 3
        while True:
            if delimiter == '"""' and text[j] == "\\":
                j += 2
            elif text.startswith(delimiter, j):
                # Up to two more quotes may close it: they belong to the content.
                end = j + 3
                while end < len(text) and end - j < 5 and text[end] == delimiter[0]:
                    end += 1
                self.i = end
                return
            else:
                j += 1


def _toml_basic_key(quoted: str) -> str:
    # tomllib knows TOML's escapes; a one-line document decodes the quoted key exactly.
    try:
        decoded = tomllib.loads(f"k = {quoted}")["k"]
    except tomllib.TOMLDecodeError:
        return quoted[1:-1]
    return str(decoded)
