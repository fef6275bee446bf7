"""Hyperparameters read from experiment configuration files (YAML, JSON, TOML), with lines."""

from __future__ import annotations

import contextlib
import json
import math
import re
import textwrap
import tomllib
from bisect import bisect_right
from collections.abc import Callable
from datetime import date, time
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import Any

import yaml
from pydantic import JsonValue

from modeldoc.facts import Hyperparameter, ScanIssue, Source, Value

MAX_BYTES = 512 * 1024
MAX_LEAVES = 2000
# Aliases can nest so that a small file expands exponentially ("billion laughs"); cap the
# nodes turned into values per file. A 512 KB file without aliases has far fewer.
_MAX_NODES = 1_000_000

_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".toml"})
_CONFIG_DIRS = frozenset({"config", "configs", "conf", "cfg", "hparams", "params", "experiments"})
_STEM_WORDS = (
    "config",
    "conf",
    "cfg",
    "hparam",
    "param",
    "hyper",
    "train",
    "sweep",
    "args",
    "settings",
)
_SKIP_DIRS = frozenset({".github", ".vscode", ".idea", ".devcontainer", "node_modules"})
_SKIP_NAMES = frozenset(
    {
        "package.json",
        "package-lock.json",
        "pnpm-lock.yaml",
        "composer.json",
        "jsconfig.json",
        "pyrightconfig.json",
        "pyproject.toml",
        "cargo.toml",
        "mkdocs.yml",
        "mkdocs.yaml",
        "codecov.yml",
        "codecov.yaml",
        ".codecov.yml",
        ".pre-commit-config.yaml",
        ".pre-commit-config.yml",
        ".pre-commit-hooks.yaml",
        "merges.txt",
    }
)
_SKIP_PATTERNS = (
    "tsconfig*.json",
    "environment*.yml",
    "environment*.yaml",
    ".readthedocs.y*ml",
    "readthedocs.y*ml",
    "tokenizer*.json",
    "vocab*.json",
    "*.lock",
    "*.ipynb",
)

_Path = tuple[str | int, ...]


def is_config_file(path: str) -> bool:
    """Whether `path` looks like an experiment configuration file (YAML, JSON or TOML)."""
    parts = PurePosixPath(path.lower()).parts
    if not parts:
        return False
    name, folders = parts[-1], parts[:-1]
    if _SKIP_DIRS.intersection(folders) or name in _SKIP_NAMES:
        return False
    if any(fnmatchcase(name, pattern) for pattern in _SKIP_PATTERNS):
        return False
    pure = PurePosixPath(name)
    if pure.suffix not in _SUFFIXES:
        return False
    if _CONFIG_DIRS.intersection(folders):
        return True
    return any(word in pure.stem for word in _STEM_WORDS)


def config_hyperparameters(path: str, text: str) -> tuple[list[Hyperparameter], list[ScanIssue]]:
    """Every leaf setting of a YAML, JSON or TOML file, keyed by its dotted path.

    Never raises: parse errors, oversized files and the leaf cap become `ScanIssue`s.
    Files with another suffix give nothing.
    """
    out = _Collector(path)
    # len(text) is a lower bound of the byte size, so huge files skip the encoding.
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        out.issue("The file is larger than 512 KB, so its settings were not read.")
        return [], out.issues
    readers: dict[str, Callable[[str, _Collector], None]] = {
        ".yaml": _read_yaml,
        ".yml": _read_yaml,
        ".json": _read_json,
        ".toml": _read_toml,
    }
    reader = readers.get(PurePosixPath(path).suffix.lower())
    if reader is None:
        return [], []
    try:
        reader(text, out)
    except _CapReached:
        out.issue(
            f"The file has more than {MAX_LEAVES:,} settings; only the first {MAX_LEAVES:,} "
            "were kept."
        )
    except RecursionError:
        out.issue("The file is nested too deeply to read.")
    return out.params, out.issues


class _CapReached(Exception):
    """Raised to stop a walk once the file has given `MAX_LEAVES` settings."""


class _Unrecordable(Exception):
    """A value that cannot become JSON: recursive, or too large once aliases expand."""

    def __init__(self, message: str, per_file: bool) -> None:
        super().__init__(message)
        self.per_file = per_file  # reported once per file rather than at each leaf


class _ScanError(Exception):
    """The TOML locator met text it does not understand (tomllib accepted it)."""


class _Collector:
    """The settings and issues of one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.prefix = ""
        self.params: list[Hyperparameter] = []
        self.issues: list[ScanIssue] = []

    def leaf(self, path: _Path, line: int, text: str, value: JsonValue) -> None:
        if len(self.params) >= MAX_LEAVES:
            raise _CapReached
        name = next((part for part in reversed(path) if isinstance(part, str)), "")
        self.params.append(
            Hyperparameter(
                name=name,
                key=self.prefix + _dotted(path),
                value=Value(text=text, literal=True, value=value),
                origin="config_file",
                scope=self.file,
                source=Source(file=self.file, line=max(line, 1)),
            )
        )

    def issue(self, message: str, line: int | None = None) -> None:
        issue = ScanIssue(kind="config", file=self.file, line=line, message=message)
        if issue not in self.issues:
            self.issues.append(issue)


def _dotted(path: _Path) -> str:
    key = ""
    for index, part in enumerate(path):
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if index else part
    return key


class _Lines:
    """Maps a character offset to its 1-based line."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def line(self, index: int) -> int:
        return bisect_right(self.starts, index)


def _written(text: str, start: int, end: int) -> str:
    """The source text of a value, with a multi-line value dedented to read on its own."""
    raw = text[start:end].rstrip()
    if "\n" not in raw:
        return raw
    column = start - (text.rfind("\n", 0, start) + 1)
    return textwrap.dedent(" " * column + raw).strip()


def _without_bom(text: str) -> str:
    # A space keeps offsets and lines; JSON and TOML both allow leading whitespace.
    return " " + text[1:] if text.startswith("\ufeff") else text


def _plain(value: Any, text: str | None = None) -> JsonValue:
    """`value` made JSON-compatible; dates and non-finite floats become their text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if text is not None:
        return text
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (`1 == 1.0 == True` in Python)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


# --- YAML (and JSON through the YAML composer) -------------------------------------------

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# PyYAML follows YAML 1.1, where `1e-3` (no dot) is a string; configs mean a float (OmegaConf
# and YAML 1.2 read it so), and JSON numbers like `1e5` must match json.loads.
_EXP_FLOAT = re.compile(r"[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)[eE][-+]?\d+")
# Node marks start at the anchor or tag; the value as written starts after them.
_PROPERTIES = re.compile(r"(?:(?:&\S+|!\S*)(?:\s+|$))*")


def _read_yaml(text: str, out: _Collector) -> None:
    try:
        documents = _compose_all(text)
    except yaml.YAMLError as error:
        out.issue(f"Could not parse the YAML: {_yaml_problem(error)}.", _yaml_line(text, error))
        return
    reader = _YamlReader(text, out)
    for number, document in enumerate(documents):
        if isinstance(document, yaml.MappingNode):
            out.prefix = f"doc{number}." if len(documents) > 1 else ""
            reader.walk(document, (), document.start_mark.line + 1, set())


# libyaml composes about six times faster, with the same nodes and character offsets.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def _compose_all(text: str) -> list[yaml.Node]:
    """The documents' nodes, from libyaml when present; errors come from PyYAML's SafeLoader."""
    if _FAST_LOADER is not None:
        try:
            return list(yaml.compose_all(text, Loader=_FAST_LOADER))
        except (yaml.YAMLError, UnicodeError):  # libyaml encodes to UTF-8: no lone surrogates
            pass  # Report (or accept) what the pure-Python loader says: same everywhere.
    return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


def _yaml_problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError):
        detail = error.problem or error.context or "invalid syntax"
    elif isinstance(error, yaml.reader.ReaderError):
        detail = str(error.reason)
    else:
        detail = str(error).splitlines()[0] if str(error) else "invalid syntax"
    return detail.rstrip(".")


def _yaml_line(text: str, error: yaml.YAMLError) -> int | None:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        return None if mark is None else mark.line + 1
    if isinstance(error, yaml.reader.ReaderError) and isinstance(error.position, int):
        return _Lines(text).line(error.position)
    return None


class _YamlReader:
    """Walks composed YAML nodes, resolving merge keys, down to leaf settings."""

    def __init__(self, text: str, out: _Collector) -> None:
        self.text = text
        self.out = out
        self.constructor = yaml.SafeLoader("")
        self.budget = _MAX_NODES
        self.memo: dict[int, list[tuple[yaml.Node, yaml.Node]]] = {}
        self.expanding: set[int] = set()

    def pairs(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """Key and value nodes after merges, with PyYAML's precedence; memoised per node."""
        known = self.memo.get(id(node))
        if known is not None:
            return known
        if id(node) in self.expanding:
            self.out.issue("A merge key (<<) refers to its own mapping and was ignored.")
            return []
        self.expanding.add(id(node))
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        explicit: list[tuple[yaml.Node, yaml.Node]] = []
        for key, value in node.value:
            if key.tag == _MERGE_TAG:
                merged += self._merged(key, value)
            elif isinstance(key, yaml.ScalarNode):
                explicit.append((key, value))
        self.expanding.discard(id(node))
        # Like a dict: later entries win but keep the first position, so explicit keys
        # override merged ones.
        table: dict[tuple[str, str], tuple[yaml.Node, yaml.Node]] = {}
        for key, value in merged + explicit:
            table[(key.tag, key.value)] = (key, value)
        result = list(table.values())
        self.memo[id(node)] = result
        return result

    def _merged(self, key: yaml.Node, value: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]]:
        if isinstance(value, yaml.MappingNode):
            return self.pairs(value)
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        # In `<<: [*a, *b]` the first mapping wins, so it goes last.
        for source in reversed(sources):
            if isinstance(source, yaml.MappingNode):
                pairs += self.pairs(source)
            else:
                self.out.issue(
                    "A merge key (<<) points to something other than a mapping and was ignored.",
                    key.start_mark.line + 1,
                )
        return pairs

    def walk(self, node: yaml.Node, path: _Path, line: int, active: set[int]) -> None:
        """Emit the leaves under `node`; `line` is the line of the key that holds it."""
        if isinstance(node, yaml.MappingNode):
            children = [
                (key.value, value, key.start_mark.line + 1) for key, value in self.pairs(node)
            ]
        elif (
            isinstance(node, yaml.SequenceNode)
            and path != ("defaults",)  # Hydra's defaults list stays one setting.
            and self._has_mapping(node, set())
        ):
            children = [
                (index, item, item.start_mark.line + 1) for index, item in enumerate(node.value)
            ]
        else:
            children = []
        if not children:
            if path:  # an empty top-level mapping holds no setting
                self._leaf(node, path, line)
            return
        if id(node) in active:
            self.out.issue("A recursive alias was skipped.", line)
            return
        active.add(id(node))
        for part, child, child_line in children:
            self.walk(child, (*path, part), child_line, active)
        active.discard(id(node))

    def _has_mapping(self, node: yaml.SequenceNode, seen: set[int]) -> bool:
        seen.add(id(node))
        for item in node.value:
            if isinstance(item, yaml.MappingNode):
                return True
            if (
                isinstance(item, yaml.SequenceNode)
                and id(item) not in seen
                and self._has_mapping(item, seen)
            ):
                return True
        return False

    def _leaf(self, node: yaml.Node, path: _Path, line: int) -> None:
        try:
            value = self.to_json(node, set())
        except _Unrecordable as error:
            value = None
            self.out.issue(str(error), None if error.per_file else line)
        self.out.leaf(path, line, self.source(node), value)

    def source(self, node: yaml.Node) -> str:
        return _written(self.text, self._value_start(node), node.end_mark.index)

    def _value_start(self, node: yaml.Node) -> int:
        start: int = node.start_mark.index
        match = _PROPERTIES.match(self.text, start, node.end_mark.index)
        return match.end() if match else start

    def _tagged(self, node: yaml.Node) -> bool:
        properties = self.text[node.start_mark.index : self._value_start(node)]
        return any(token.startswith("!") for token in properties.split())

    def to_json(self, node: yaml.Node, active: set[int]) -> JsonValue:
        self.budget -= 1
        if self.budget < 0:
            raise _Unrecordable("A value expands to too many items through aliases.", True)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in active:
            raise _Unrecordable("A value that contains itself through an alias was skipped.", False)
        active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.to_json(item, active) for item in node.value]
            if isinstance(node, yaml.MappingNode):
                return {
                    str(key.value): self.to_json(value, active) for key, value in self.pairs(node)
                }
            return None
        finally:
            active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode) -> JsonValue:
        if (
            node.tag == _STR_TAG
            and not node.style  # plain: PyYAML says None, libyaml ""
            and _EXP_FLOAT.fullmatch(node.value)
            and not self._tagged(node)  # `!!str 1e-3` stays a string
        ):
            try:
                number = float(node.value)
            except ValueError:
                return str(node.value)
            return number if math.isfinite(number) else str(node.value)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, ArithmeticError):
            # Unknown tags (`!include`, `!!python/...`) and malformed typed scalars.
            return str(node.value)
        return _plain(value, str(node.value))


# --- JSON --------------------------------------------------------------------------------


def _read_json(text: str, out: _Collector) -> None:
    text = _without_bom(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        out.issue(f"Could not parse the JSON: {error.msg}.", error.lineno)
        return
    if not isinstance(data, dict):
        return
    # JSON is nearly YAML, and the composer gives exact positions; trust it only when it
    # read the same data as json.loads (tabs, long one-line keys and NaN can differ).
    reader = _YamlReader(text, out)
    try:
        documents = _compose_all(text)
        node = documents[0] if len(documents) == 1 else None
        same = isinstance(node, yaml.MappingNode) and _same(reader.to_json(node, set()), data)
    except (yaml.YAMLError, _Unrecordable):
        node, same = None, False
    if node is not None and same:
        reader.budget = _MAX_NODES
        reader.walk(node, (), 1, set())
    else:
        _walk_data(data, out, _JsonLocator(text))


_Locate = Callable[[_Path, Any, bool], tuple[int | None, str | None]]


class _JsonLocator:
    """Finds keys by scanning forward in document order, the order the walk asks for them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines = _Lines(text)
        self.decoder = json.JSONDecoder()

    def __call__(self, path: _Path, value: Any, leaf: bool) -> tuple[int | None, str | None]:
        key = path[-1]
        if isinstance(key, int):
            return None, None
        match = None
        for spelling in dict.fromkeys([json.dumps(key, ensure_ascii=False), json.dumps(key)]):
            # A backslash before the quote means it sits inside another string.
            pattern = re.compile(r"(?<!\\)" + re.escape(spelling) + r"\s*:\s*")
            match = pattern.search(self.text, self.pos)
            if match:
                break
        if match is None:
            return None, None
        self.pos = match.end()
        line = self.lines.line(match.start())
        if not leaf:
            return line, None
        try:
            decoded, end = self.decoder.raw_decode(self.text, match.end())
        except ValueError:
            return line, None
        self.pos = end
        # A duplicated key keeps the last value but is found first: do not pair them.
        return line, _written(self.text, match.end(), end) if _same(decoded, value) else None


def _data_is_leaf(value: Any, path: _Path) -> bool:
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


def _walk_data(data: dict[str, Any], out: _Collector, locate: _Locate) -> None:
    """Emit the leaves of parsed data, asking `locate` for lines in document order."""

    def entry(path: _Path, value: Any, parent_line: int) -> None:
        leaf = _data_is_leaf(value, path)
        line, text = locate(path, value, leaf)
        line = line or parent_line
        if leaf:
            written = text if text is not None else json.dumps(_plain(value), ensure_ascii=False)
            out.leaf(path, line, written, _plain(value, text))
        elif isinstance(value, dict):
            for key, item in value.items():
                entry((*path, key), item, line)
        else:
            for index, item in enumerate(value):
                entry((*path, index), item, line)

    for key, value in data.items():
        entry((key,), value, 1)


# --- TOML --------------------------------------------------------------------------------

_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Numbers, booleans and dates end at one of these; local date-times may contain a space.
_BARE_VALUE = re.compile(r"[^,\]}#\r\n]*")


def _read_toml(text: str, out: _Collector) -> None:
    text = _without_bom(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        line = int(position.group(1)) if position and position.group(1) else None
        detail = message[: position.start()] if position else message
        out.issue(f"Could not parse the TOML: {detail.rstrip('.')}.", line)
        return
    scanner = _TomlScanner(text)
    # On a surprise keep the positions found so far; the rest fall back to their table's line.
    with contextlib.suppress(_ScanError, IndexError, ValueError):
        scanner.run()
    _walk_data(data, out, scanner.locate)


class _TomlScanner:
    """Records the line and source span of every key, table and array item.

    tomllib has no positions, so this re-reads the (already valid) document: headers,
    dotted keys, strings, arrays and inline tables, without decoding values.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.lines = _Lines(text)
        self.spans: dict[_Path, tuple[int, int | None, int | None]] = {}
        self.arrays: dict[_Path, int] = {}  # array-of-tables path -> tables so far

    def locate(self, path: _Path, value: Any, leaf: bool) -> tuple[int | None, str | None]:
        span = self.spans.get(path)
        if span is None:
            return None, None
        line, start, end = span
        if leaf and start is not None and end is not None:
            return line, _written(self.text, start, end)
        return line, None

    def run(self) -> None:
        table: _Path = ()
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

    def resolve(self, keys: tuple[str, ...]) -> _Path:
        """A header's path, pointing into the latest table of each array of tables."""
        path: _Path = ()
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

    def value(self, path: _Path, line: int) -> None:
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

    def collection(self, path: _Path, close: str, keyed: bool) -> None:
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
