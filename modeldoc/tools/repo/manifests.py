"""The manifests that declare licences and dependencies: pyproject.toml, setup.cfg, setup.py.

Each is parsed once and never run: `setup.py` is read with tree-sitter. tomllib and
configparser give no positions, so the locating helpers find a value's line in the text.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import tree_sitter_python
from tree_sitter import Language, Node, Parser, Query, QueryCursor

from modeldoc.facts import ScanIssue
from modeldoc.tools.repo.text import first_line

PYPROJECT = "pyproject.toml"
SETUP_CFG = "setup.cfg"
SETUP_PY = "setup.py"


def config_issue(file: str, message: str, line: int | None = None) -> ScanIssue:
    """An issue with a manifest, requirements or environment file."""
    return ScanIssue(kind="config", file=file, line=line, message=message)


# --- locating lines -------------------------------------------------------------------------


class Cursor:
    """Reads a text in order, for parsers that give no line numbers (tomllib, configparser).

    Each search starts where the last match ended, so entries written in order are found in
    one pass over the text.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.line = 1
        self._offset = 0  # where `line` was counted to
        self._position = 0  # where the next search starts

    def find(self, *needles: str | tuple[str, ...]) -> int:
        """Moves past each needle found (a regex, or alternatives tried in order); the line."""
        for needle in needles:
            for pattern in (needle,) if isinstance(needle, str) else needle:
                match = re.compile(pattern, re.MULTILINE).search(self.text, self._position)
                if match:
                    self.line += self.text.count("\n", self._offset, match.start())
                    self._offset, self._position = match.start(), match.end()
                    break
        return self.line


def locate(text: str, *needles: str | tuple[str, ...]) -> int:
    """Line of the last needle found, each searched after the previous one; 1 if none."""
    return Cursor(text).find(*needles)


def quoted(value: str) -> str:
    """Regex for `value` written as a quoted string."""
    return rf"[\"']{re.escape(value)}[\"']"


def bare(value: str) -> str:
    """Regex for `value` written unquoted, not as part of a longer name."""
    return rf"(?<![\w.-]){re.escape(value)}(?![\w.-])"


def toml_table(*path: str) -> tuple[str, ...]:
    """Header regexes for a TOML table, deepest first, so an inline table finds its parent."""
    headers = []
    for depth in range(len(path), 0, -1):
        dotted = r"\s*\.\s*".join(rf"[\"']?{re.escape(part)}[\"']?" for part in path[:depth])
        headers.append(rf"^\s*\[\s*{dotted}\s*\]")
    return tuple(headers)


def toml_key(key: str) -> str:
    """Regex for a TOML key, bare or quoted, followed by `=`."""
    return rf"(?<![\w-])[\"']?{re.escape(key)}[\"']?\s*="


def ini_section(section: str) -> str:
    """Regex for the `[section]` header of an INI file."""
    return rf"^\s*\[\s*{re.escape(section)}\s*\]"


def ini_key(key: str) -> str:
    """Regex for an INI key at the start of a line, followed by `=` or `:`."""
    return rf"^\s*{re.escape(key)}\s*[=:]"


# --- parsed manifests -----------------------------------------------------------------------


@dataclass(frozen=True)
class Toml:
    """A parsed pyproject.toml, with its text for locating lines."""

    file: str
    text: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Cfg:
    """A parsed setup.cfg, with its text for locating lines."""

    file: str
    text: str
    parser: configparser.ConfigParser


@dataclass(frozen=True)
class SetupPy:
    """The keyword arguments of setup.py's `setup(...)` calls, as tree-sitter nodes."""

    file: str
    keywords: dict[str, list[Node]]  # keyword argument -> its values in every setup() call


class _CaseConfigParser(configparser.ConfigParser):
    """Keeps option names as written: extras are case-sensitive names."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


_PY = Language(tree_sitter_python.language())
_SETUP_CALLS = Query(
    _PY,
    """(call function: [(identifier) (attribute)] @fn (#match? @fn "(^|[.])setup$")) @call""",
)


@dataclass(frozen=True)
class Manifests:
    """The parsed root manifests; None where a file is missing or malformed."""

    pyproject: Toml | None
    setup_cfg: Cfg | None
    setup_py: SetupPy | None


def load_manifests(texts: Mapping[str, str], issues: list[ScanIssue]) -> Manifests:
    """The root manifests parsed from `texts`; a malformed one becomes an issue in `issues`."""
    return Manifests(
        pyproject=_load_pyproject(texts, issues),
        setup_cfg=_load_setup_cfg(texts, issues),
        setup_py=_load_setup_py(texts),
    )


def _load_pyproject(texts: Mapping[str, str], issues: list[ScanIssue]) -> Toml | None:
    text = texts.get(PYPROJECT)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        where = re.search(r"at line (\d+)", str(error))
        line = int(where[1]) if where else None
        issues.append(config_issue(PYPROJECT, f"malformed TOML: {first_line(error)}", line))
        return None
    return Toml(PYPROJECT, text, data)


def _load_setup_cfg(texts: Mapping[str, str], issues: list[ScanIssue]) -> Cfg | None:
    text = texts.get(SETUP_CFG)
    if text is None:
        return None
    parser = _CaseConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=SETUP_CFG)
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        message = f"malformed setup.cfg: {first_line(error)}"
        issues.append(config_issue(SETUP_CFG, message, line if isinstance(line, int) else None))
        return None
    return Cfg(SETUP_CFG, text, parser)


def _load_setup_py(texts: Mapping[str, str]) -> SetupPy | None:
    """The keyword arguments of `setup(...)` calls, parsed and never executed."""
    text = texts.get(SETUP_PY)
    if text is None:
        return None
    tree = Parser(_PY).parse(text.encode("utf-8", "replace"))
    keywords: dict[str, list[Node]] = {}
    for call in QueryCursor(_SETUP_CALLS).captures(tree.root_node).get("call", []):
        arguments = call.child_by_field_name("arguments")
        for argument in arguments.named_children if arguments else []:
            name = argument.child_by_field_name("name")
            value = argument.child_by_field_name("value")
            if argument.type == "keyword_argument" and name and value:
                keywords.setdefault(node_text(name), []).append(value)
    return SetupPy(SETUP_PY, keywords)


def nested_table(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The nested TOML table at `keys`, or {} when missing or not a table."""
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def node_text(node: Node) -> str:
    """The source text of a tree-sitter node."""
    return (node.text or b"").decode("utf-8", "replace")


def node_line(node: Node) -> int:
    """The 1-based line a tree-sitter node starts on."""
    return node.start_point.row + 1


def literal_string(node: Node) -> str | None:
    """The value of a plain string literal; None for f-strings, bytes and anything else."""
    if node.type not in ("string", "concatenated_string"):
        return None
    # literal_eval only builds constants; the warnings are about odd escapes in the source.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = ast.literal_eval(node_text(node))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    return value if isinstance(value, str) else None
