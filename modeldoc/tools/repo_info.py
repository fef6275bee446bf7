"""Repository facts: name, commit, licences, declared dependencies and the README's gist.

Nothing here runs repository code: `setup.py` is read with tree-sitter, configuration files
with parsers, and git runs with hooks and fsmonitor switched off.
"""

from __future__ import annotations

import ast
import configparser
import html
import os
import re
import subprocess
import tomllib
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import Any, Literal, NamedTuple

import tree_sitter_python
import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.utils import canonicalize_name
from tree_sitter import Language, Node, Parser, Query, QueryCursor

from modeldoc.facts import Dependency, License, Readme, RepoFacts, ScanIssue, Source

GIT_TIMEOUT = 5.0
SUMMARY_LIMIT = 600
TITLE_LIMIT = 200
# Markup is cleaned with regular expressions; bounding the raw text keeps that linear-ish.
_RAW_LIMIT = 8 * SUMMARY_LIMIT

PYPROJECT = "pyproject.toml"
SETUP_CFG = "setup.cfg"
SETUP_PY = "setup.py"
_CONDA_FILES = ("environment.yml", "environment.yaml")
_README_NAMES = ("readme.md", "readme.rst", "readme.txt", "readme")
_LICENCE_FILE = re.compile(r"(?:licen[cs]e|copying)(?:\.(?:md|txt|rst))?", re.IGNORECASE)


def repo_facts(root: Path, texts: Mapping[str, str]) -> tuple[RepoFacts, list[ScanIssue]]:
    """Facts about the repository at `root`; `texts` maps relative paths to decoded text."""
    issues: list[ScanIssue] = []
    pyproject = _load_pyproject(texts, issues)
    setup_cfg = _load_setup_cfg(texts, issues)
    setup_py = _load_setup_py(texts)
    licences = [
        *_licence_files(texts),
        *_pyproject_licences(pyproject, texts),
        *_setup_cfg_licences(setup_cfg),
        *_setup_py_licences(setup_py),
    ]
    dependencies = [
        *_requirements_dependencies(texts, issues),
        *_pyproject_dependencies(pyproject, issues),
        *_setup_py_dependencies(setup_py, issues),
        *_setup_cfg_dependencies(setup_cfg, issues),
        *_conda_dependencies(texts, issues),
    ]
    facts = RepoFacts(
        name=root.name or root.resolve().name,
        commit=_git_commit(root),
        licenses=licences,
        dependencies=dependencies,
        readme=_readme(texts),
    )
    return facts, issues


# --- git ------------------------------------------------------------------------------------


def _git_commit(root: Path) -> str | None:
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


# --- shared helpers -------------------------------------------------------------------------


def _config_issue(file: str, message: str, line: int | None = None) -> ScanIssue:
    return ScanIssue(kind="config", file=file, line=line, message=message)


def _short(text: str, limit: int = 120) -> str:
    """One line of at most `limit` characters, for messages and evidence."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _first_line(error: BaseException) -> str:
    return str(error).strip().split("\n", 1)[0]


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _lines(text: str) -> list[str]:
    """Lines split on newlines only, so numbers agree with editors and tree-sitter."""
    return [line.removesuffix("\r") for line in text.removeprefix("\ufeff").split("\n")]


class _Cursor:
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


def _locate(text: str, *needles: str | tuple[str, ...]) -> int:
    """Line of the last needle found, each searched after the previous one; 1 if none."""
    return _Cursor(text).find(*needles)


def _quoted(value: str) -> str:
    """Regex for `value` written as a quoted string."""
    return rf"[\"']{re.escape(value)}[\"']"


def _bare(value: str) -> str:
    """Regex for `value` written unquoted, not as part of a longer name."""
    return rf"(?<![\w.-]){re.escape(value)}(?![\w.-])"


def _toml_table(*path: str) -> tuple[str, ...]:
    """Header regexes for a TOML table, deepest first, so an inline table finds its parent."""
    headers = []
    for depth in range(len(path), 0, -1):
        dotted = r"\s*\.\s*".join(rf"[\"']?{re.escape(part)}[\"']?" for part in path[:depth])
        headers.append(rf"^\s*\[\s*{dotted}\s*\]")
    return tuple(headers)


def _toml_key(key: str) -> str:
    return rf"(?<![\w-])[\"']?{re.escape(key)}[\"']?\s*="


def _ini_section(section: str) -> str:
    return rf"^\s*\[\s*{re.escape(section)}\s*\]"


def _ini_key(key: str) -> str:
    return rf"^\s*{re.escape(key)}\s*[=:]"


# --- configuration files --------------------------------------------------------------------


@dataclass(frozen=True)
class _Toml:
    file: str
    text: str
    data: dict[str, Any]


@dataclass(frozen=True)
class _Cfg:
    file: str
    text: str
    parser: configparser.ConfigParser


@dataclass(frozen=True)
class _SetupPy:
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


def _load_pyproject(texts: Mapping[str, str], issues: list[ScanIssue]) -> _Toml | None:
    text = texts.get(PYPROJECT)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        where = re.search(r"at line (\d+)", str(error))
        line = int(where[1]) if where else None
        issues.append(_config_issue(PYPROJECT, f"malformed TOML: {_first_line(error)}", line))
        return None
    return _Toml(PYPROJECT, text, data)


def _load_setup_cfg(texts: Mapping[str, str], issues: list[ScanIssue]) -> _Cfg | None:
    text = texts.get(SETUP_CFG)
    if text is None:
        return None
    parser = _CaseConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=SETUP_CFG)
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        message = f"malformed setup.cfg: {_first_line(error)}"
        issues.append(_config_issue(SETUP_CFG, message, line if isinstance(line, int) else None))
        return None
    return _Cfg(SETUP_CFG, text, parser)


def _load_setup_py(texts: Mapping[str, str]) -> _SetupPy | None:
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
                keywords.setdefault(_node_text(name), []).append(value)
    return _SetupPy(SETUP_PY, keywords)


def _table(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The nested TOML table at `keys`, or {} when missing or not a table."""
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def _node_text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _node_line(node: Node) -> int:
    return node.start_point.row + 1


def _literal_string(node: Node) -> str | None:
    """The value of a plain string literal; None for f-strings, bytes and anything else."""
    if node.type not in ("string", "concatenated_string"):
        return None
    # literal_eval only builds constants; the warnings are about odd escapes in the source.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = ast.literal_eval(_node_text(node))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    return value if isinstance(value, str) else None


# --- licences -------------------------------------------------------------------------------


class _Guess(NamedTuple):
    spdx: str
    evidence: str
    offset: int


def _phrase(pattern: str) -> re.Pattern[str]:
    """A licence phrase where every space stands for any run of whitespace."""
    return re.compile(pattern.replace(" ", r"\s+"), re.IGNORECASE | re.MULTILINE)


_GNU_FAMILY = {
    "AGPL-3.0": ("Affero ", "3"),
    "LGPL-3.0": ("Lesser ", "3"),
    "LGPL-2.1": ("Lesser ", r"2\.1"),
    "GPL-3.0": ("", "3"),
    "GPL-2.0": ("", "2"),
}
# The earliest phrase in a file wins, so a project licence followed by third-party notices
# is read as the project's. Patterns are distinct enough that order here does not matter.
_LICENCE_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("BSL-1.0", _phrase(r"Boost Software License")),
    ("BSL-1.0", _phrase(r"to any person or organization obtaining a copy of the software")),
    ("Apache-2.0", _phrase(r"Apache License,? Version 2\.0")),
    ("MPL-2.0", _phrase(r"Mozilla Public License,? (?:Version|v\.) 2\.0")),
    ("EPL-2.0", _phrase(r"Eclipse Public License(?: -)? v\s*2\.0")),
    ("CC0-1.0", _phrase(r"CC0 1\.0 Universal")),
    ("CC-BY-4.0", _phrase(r"Creative Commons Attribution 4\.0 International")),
    ("Unlicense", _phrase(r"This is free and unencumbered software released into the public")),
    (
        "Zlib",
        _phrase(
            r"Permission is granted to anyone to use this software for any purpose, including"
            r" commercial applications, and to alter it and redistribute it freely"
        ),
    ),
    (
        "ISC",
        _phrase(
            r"Permission to use, copy, modify, and(?:/or)? distribute this software for any"
            r" purpose with or without fee is hereby granted"
        ),
    ),
    ("MIT", _phrase(r"Permission is hereby granted, free of charge, to any person obtaining")),
    ("MIT", _phrase(r"^[#*=\s]*(?:The )?MIT Licen[cs]e")),
    (
        "BSD-2-Clause",
        _phrase(
            r"Redistribution and use in source and binary forms, with or without"
            r" modification, are permitted"
        ),
    ),
    *(
        (
            spdx,
            _phrase(
                rf"GNU {kind}General Public Licen[cs]e (?:Version {version}(?![.\d])"
                rf"|as published by the Free Software Foundation[,;]? (?:either )?"
                rf"version {version}(?![.\d]))"
            ),
        )
        for spdx, (kind, version) in _GNU_FAMILY.items()
    ),
)
# Clauses that turn a two-clause BSD text into its three- or four-clause sibling.
_BSD_CLAUSES = (
    ("BSD-4-Clause", _phrase(r"All advertising materials mentioning features or use")),
    ("BSD-3-Clause", _phrase(r"Neither the name of")),
    ("BSD-3-Clause", _phrase(r"may not be used to endorse or promote products")),
)
_LATER_VERSION = _phrase(r"or \(at your option\) any later version")
# GNU texts end with an appendix showing a sample notice that says "any later version";
# only a notice outside it speaks for the project.
_GNU_APPENDIX = _phrase(r"How to Apply These Terms")


def _guess_licence(text: str) -> _Guess | None:
    """The SPDX id of a licence text, from its earliest distinctive phrase."""
    found = [(match, spdx) for spdx, rx in _LICENCE_PHRASES if (match := rx.search(text))]
    if not found:
        return None
    match, spdx = min(found, key=lambda pair: pair[0].start())
    guess = _Guess(spdx, " ".join(match[0].split()), match.start())
    if spdx == "BSD-2-Clause":
        return _bsd_variant(text, guess)
    if spdx in _GNU_FAMILY:
        return _gnu_variant(text, guess)
    return guess


def _bsd_variant(text: str, guess: _Guess) -> _Guess:
    for spdx, clause in _BSD_CLAUSES:
        if match := clause.search(text, guess.offset):
            return _Guess(spdx, " ".join(match[0].split()), match.start())
    return guess


def _gnu_variant(text: str, guess: _Guess) -> _Guess:
    appendix = _GNU_APPENDIX.search(text)
    terms = text[: appendix.start()] if appendix else text
    suffix = "-or-later" if _LATER_VERSION.search(terms) else "-only"
    return guess._replace(spdx=guess.spdx + suffix)


def _licence_files(texts: Mapping[str, str]) -> Iterator[License]:
    """One guess per LICENSE / LICENCE / COPYING file at the root."""
    for path in sorted(texts):
        if "/" in path or not _LICENCE_FILE.fullmatch(path):
            continue
        text = texts[path]
        guess = _guess_licence(text)
        if guess is None:
            source = Source(file=path, line=1)
            yield License(
                spdx=None, source=source, method="text", evidence="unrecognised licence text"
            )
            continue
        source = Source(file=path, line=_line_at(text, guess.offset))
        yield License(spdx=guess.spdx, source=source, method="text", evidence=guess.evidence)


_KNOWN_SPDX = {
    spdx.lower(): spdx
    for spdx in (
        *{spdx for spdx, _ in _LICENCE_PHRASES if spdx not in _GNU_FAMILY},
        *(f"{spdx}{suffix}" for spdx in _GNU_FAMILY for suffix in ("", "+", "-only", "-or-later")),
        *("BSD-3-Clause", "BSD-4-Clause", "0BSD", "MIT-0", "X11", "NCSA", "PostgreSQL"),
        *("Apache-1.1", "MPL-1.1", "EPL-1.0", "EUPL-1.2", "AFL-3.0", "Artistic-2.0"),
        *("Python-2.0", "PSF-2.0", "WTFPL", "OFL-1.1", "CC-BY-3.0", "CC-BY-SA-4.0"),
        *("CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0", "CreativeML-OpenRAIL-M"),
    )
}
_LICENCE_ALIASES = {
    "mit license": "MIT",
    "the mit license": "MIT",
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache2": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache license version 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "apache software license 2.0": "Apache-2.0",
    "bsd 3-clause": "BSD-3-Clause",
    "bsd 3-clause license": "BSD-3-Clause",
    "bsd-3": "BSD-3-Clause",
    "new bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "modified bsd license": "BSD-3-Clause",
    "bsd 2-clause": "BSD-2-Clause",
    "bsd 2-clause license": "BSD-2-Clause",
    "bsd-2": "BSD-2-Clause",
    "simplified bsd license": "BSD-2-Clause",
    "isc license": "ISC",
    "the unlicense": "Unlicense",
    "mozilla public license 2.0": "MPL-2.0",
    "mpl 2.0": "MPL-2.0",
    "boost software license 1.0": "BSL-1.0",
    "zlib license": "Zlib",
}


def _declared_spdx(value: str) -> str | None:
    """The SPDX expression a declared licence value stands for, if it is recognisable."""
    flat = " ".join(value.split())
    alias = _LICENCE_ALIASES.get(flat.lower().replace("licence", "license").rstrip("."))
    if alias:
        return alias
    tokens = re.split(r"(\s+|[()])", flat)
    ids = [t for t in tokens if t.strip(" ()") and t.upper() not in ("AND", "OR", "WITH")]
    if ids and all(t.lower() in _KNOWN_SPDX or t.startswith("LicenseRef-") for t in ids):
        return "".join(
            t.upper() if t.upper() in ("AND", "OR", "WITH") else _KNOWN_SPDX.get(t.lower(), t)
            for t in tokens
        )
    # Legacy metadata sometimes holds the whole licence text.
    guess = _guess_licence(value)
    return guess.spdx if guess else None


def _declared_licence(file: str, line: int, field: str, value: str) -> License:
    return License(
        spdx=_declared_spdx(value),
        source=Source(file=file, line=line),
        method="declared",
        evidence=f"{field} = {_short(value)}",
    )


def _referenced_licence(
    file: str, line: int, field: str, path: str, texts: Mapping[str, str]
) -> License:
    """A licence declared by naming a file: guessed from that file's text when read."""
    guess = _guess_licence(texts.get(path, ""))
    return License(
        spdx=guess.spdx if guess else None,
        source=Source(file=file, line=line),
        method="declared",
        evidence=f"{field}: {path}",
    )


def _pyproject_licences(config: _Toml | None, texts: Mapping[str, str]) -> Iterator[License]:
    if config is None:
        return
    project = _table(config.data, "project")
    declared = project.get("license")
    line = _locate(config.text, _toml_table("project"), _toml_key("license"))
    if isinstance(declared, str):
        yield _declared_licence(config.file, line, "project.license", declared)
    elif isinstance(declared, dict):
        if isinstance(text := declared.get("text"), str):
            yield _declared_licence(config.file, line, "project.license.text", text)
        if isinstance(path := declared.get("file"), str):
            yield _referenced_licence(config.file, line, "project.license.file", path, texts)
    patterns = project.get("license-files")
    if isinstance(patterns, list):
        line = _locate(config.text, _toml_table("project"), _toml_key("license-files"))
        for path in sorted(texts):
            if any(isinstance(p, str) and fnmatchcase(path, p) for p in patterns):
                yield _referenced_licence(config.file, line, "project.license-files", path, texts)
    poetry = _table(config.data, "tool", "poetry").get("license")
    if isinstance(poetry, str):
        line = _locate(config.text, _toml_table("tool", "poetry"), _toml_key("license"))
        yield _declared_licence(config.file, line, "tool.poetry.license", poetry)


def _setup_cfg_licences(config: _Cfg | None) -> Iterator[License]:
    if config is None or not config.parser.has_option("metadata", "license"):
        return
    value = config.parser.get("metadata", "license")
    line = _locate(config.text, _ini_section("metadata"), _ini_key("license"))
    yield _declared_licence(config.file, line, "metadata.license", value)


def _setup_py_licences(setup: _SetupPy | None) -> Iterator[License]:
    if setup is None:
        return
    for node in setup.keywords.get("license", []):
        if (value := _literal_string(node)) is not None:
            yield _declared_licence(setup.file, _node_line(node), "setup(license=...)", value)


# --- dependencies ---------------------------------------------------------------------------

_REQUIREMENTS_FILE = re.compile(r"requirements[^/]*\.txt|requirements/[^/]+\.txt", re.IGNORECASE)
_SPECIFIER_PART = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*\(?([^;@()]*)")
_PROJECT_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)
_COMMENT = re.compile(r"(?:^|\s+)#.*$")
_INLINE_OPTION = re.compile(r"\s+--?[A-Za-z]")
_PATH_OR_URL = re.compile(r"[./~]|\w[\w+.-]*://")
_CONDA_SPEC = re.compile(r"(?:[^:\s]+::)?([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*([=<>!~\[\d].*)?")

Found = Dependency | ScanIssue


def _requirement(entry: str, file: str, line: int, group: str) -> Found:
    """A PEP 508 requirement as a Dependency, or the issue explaining why it is not one."""
    try:
        requirement = Requirement(entry)
    except InvalidRequirement as error:
        message = f"unparseable requirement {_short(entry)!r}: {_first_line(error)}"
        return _config_issue(file, message, line)
    return Dependency(
        name=canonicalize_name(requirement.name),
        specifier=_written_specifier(entry, requirement),
        group=group,
        source=Source(file=file, line=line),
    )


def _written_specifier(entry: str, requirement: Requirement) -> str:
    """The specifier in the order written: packaging sorts the clauses."""
    parsed = sorted(str(spec) for spec in requirement.specifier)
    match = _SPECIFIER_PART.match(entry)
    parts = [part.strip() for part in match[1].split(",")] if match else []
    try:
        written = [str(Specifier(part)) for part in parts if part]
    except InvalidSpecifier:
        return str(requirement.specifier)
    return ",".join(written) if sorted(written) == parsed else str(requirement.specifier)


def _pip_line(entry: str, file: str, line: int, group: str) -> Found | None:
    """One pip requirement line; None for options (`-r`, `-e`, `--index-url` ...)."""
    entry = _INLINE_OPTION.split(_COMMENT.sub("", entry), maxsplit=1)[0].strip()
    if not entry or entry.startswith("-"):
        return None
    if _PATH_OR_URL.match(entry):
        return _config_issue(file, f"not a named requirement: {_short(entry)!r}", line)
    return _requirement(entry, file, line, group)


def _partition(found: Iterable[Found], issues: list[ScanIssue]) -> list[Dependency]:
    """Dependencies kept, issues moved to `issues`."""
    dependencies = []
    for item in found:
        if isinstance(item, ScanIssue):
            issues.append(item)
        else:
            dependencies.append(item)
    return dependencies


def _requirements_group(path: str) -> str:
    """`requirements-dev.txt` and `requirements/dev.txt` -> `dev`; the plain file -> `main`."""
    stem = PurePosixPath(path).stem
    name = re.sub(r"^requirements", "", stem, flags=re.IGNORECASE).strip("-_. ")
    return name.lower() or "main"


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) with backslash continuations joined, as pip reads them."""
    start, parts = 0, []
    for number, line in enumerate(_lines(text), start=1):
        start = start or number
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        yield start, "".join([*parts, line])
        start, parts = 0, []
    if parts:
        yield start, "".join(parts)


def _requirements_dependencies(
    texts: Mapping[str, str], issues: list[ScanIssue]
) -> list[Dependency]:
    found = [
        _pip_line(entry, path, line, _requirements_group(path))
        for path in sorted(texts)
        if _REQUIREMENTS_FILE.fullmatch(path)
        for line, entry in _logical_lines(texts[path])
    ]
    return _partition((item for item in found if item is not None), issues)


def _pyproject_dependencies(config: _Toml | None, issues: list[ScanIssue]) -> list[Dependency]:
    if config is None:
        return []
    found: list[Found] = []
    for table, keys in _pep508_tables(config.data):
        cursor = _Cursor(config.text)
        cursor.find(_toml_table(*table))
        for key, group in keys:
            found += _pep508_list(config, cursor, (*table, key), group)
    found += _poetry_dependencies(config)
    return _partition(found, issues)


def _pep508_tables(
    data: dict[str, Any],
) -> Iterator[tuple[tuple[str, ...], list[tuple[str, str]]]]:
    """Tables of PEP 508 lists, with (key, group) of each list in the order written."""
    yield ("project",), [("dependencies", "main")]
    extras = _table(data, "project", "optional-dependencies")
    yield ("project", "optional-dependencies"), [(group, group) for group in extras]
    groups = _table(data, "dependency-groups")
    yield ("dependency-groups",), [(group, group) for group in groups]


def _pep508_list(
    config: _Toml, cursor: _Cursor, path: tuple[str, ...], group: str
) -> Iterator[Found]:
    """The requirement strings of a TOML array such as `[project] dependencies`."""
    entries = _table(config.data, *path[:-1]).get(path[-1], [])
    line = cursor.find(_toml_key(path[-1]))
    if not isinstance(entries, list):
        yield _config_issue(config.file, f"{'.'.join(path)} is not a list", line)
        return
    for entry in entries:
        if isinstance(entry, dict) and "include-group" in entry:
            continue  # PEP 735 includes name another group, read on its own
        if not isinstance(entry, str):
            yield _config_issue(config.file, f"not a requirement string: {entry!r}", cursor.line)
            continue
        line = cursor.find(_quoted(entry))
        yield _requirement(entry, config.file, line, group)


def _poetry_dependencies(config: _Toml) -> Iterator[Found]:
    poetry = _table(config.data, "tool", "poetry")
    cursor = _Cursor(config.text)
    yield from _poetry_table(config, cursor, ("tool", "poetry", "dependencies"), "main")
    yield from _poetry_table(config, cursor, ("tool", "poetry", "dev-dependencies"), "dev")
    for group in _table(poetry, "group"):
        table = ("tool", "poetry", "group", group, "dependencies")
        yield from _poetry_table(config, cursor, table, group)


def _poetry_table(
    config: _Toml, cursor: _Cursor, table: tuple[str, ...], group: str
) -> Iterator[Found]:
    """Poetry's `name = "^1.2"` / `name = {version = ...}` entries, without `python`."""
    entries = _table(config.data, *table)
    if entries:
        cursor.find(_toml_table(*table))
    for name, value in entries.items():
        line = cursor.find(_toml_key(name))
        specifier = _poetry_specifier(value)
        if not _PROJECT_NAME.fullmatch(name) or specifier is None:
            yield _config_issue(config.file, f"unreadable Poetry dependency {name!r}", line)
        elif canonicalize_name(name) != "python":
            source = Source(file=config.file, line=line)
            yield Dependency(
                name=canonicalize_name(name), specifier=specifier, group=group, source=source
            )


def _poetry_specifier(value: Any) -> str | None:
    """Poetry's constraint as written (`^1.2` stays); "" for any version, None if unreadable."""
    if isinstance(value, list):
        alternatives = [_poetry_specifier(item) for item in value]
        if any(item is None for item in alternatives):
            return None
        return " || ".join(item for item in alternatives if item)
    if isinstance(value, dict):
        value = value.get("version", "")
    if not isinstance(value, str):
        return None
    return "" if value.strip() == "*" else value.strip()


def _setup_py_dependencies(setup: _SetupPy | None, issues: list[ScanIssue]) -> list[Dependency]:
    if setup is None:
        return []
    found: list[Found] = []
    for node in setup.keywords.get("install_requires", []):
        found += _literal_requirements(setup.file, node, "main", "install_requires")
    for node in setup.keywords.get("extras_require", []):
        found += _literal_extras(setup.file, node)
    return _partition(found, issues)


def _literal_requirements(file: str, node: Node, group: str, what: str) -> Iterator[Found]:
    """Requirements from a literal list, tuple or newline-separated string in setup.py."""
    if node.type in ("list", "tuple"):
        elements = node.named_children
    elif node.type in ("string", "concatenated_string"):
        elements = [node]
    else:
        yield _config_issue(file, f"{what} is not a literal list; not read", _node_line(node))
        return
    for element in elements:
        if element.type == "comment":
            continue
        value = _literal_string(element)
        if value is None:
            yield _config_issue(file, f"{what}: not a literal string", _node_line(element))
            continue
        raw = _node_text(element)
        for entry in value.splitlines():
            entry = _COMMENT.sub("", entry).strip()
            if entry:
                offset = raw.find(entry)
                line = _node_line(element) + (raw.count("\n", 0, offset) if offset > 0 else 0)
                yield _requirement(entry, file, line, group)


def _literal_extras(file: str, node: Node) -> Iterator[Found]:
    """`extras_require={"dev": [...]}` as written, one group per literal key."""
    if node.type != "dictionary":
        yield _config_issue(
            file, "extras_require is not a literal dict; not read", _node_line(node)
        )
        return
    for pair in node.named_children:
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        group = _literal_string(key) if key else None
        if pair.type != "pair" or group is None or value is None:
            if pair.type != "comment":
                yield _config_issue(file, "extras_require: not a literal entry", _node_line(pair))
            continue
        yield from _literal_requirements(file, value, group, f"extras_require[{group!r}]")


def _setup_cfg_dependencies(config: _Cfg | None, issues: list[ScanIssue]) -> list[Dependency]:
    if config is None:
        return []
    found = list(_cfg_requirements(config, "options", "install_requires", "main"))
    if config.parser.has_section("options.extras_require"):
        for group in config.parser.options("options.extras_require"):
            found += _cfg_requirements(config, "options.extras_require", group, group)
    return _partition(found, issues)


def _cfg_requirements(config: _Cfg, section: str, key: str, group: str) -> Iterator[Found]:
    """The one-per-line requirements of a setup.cfg option."""
    if not config.parser.has_option(section, key):
        return
    cursor = _Cursor(config.text)
    cursor.find(_ini_section(section), _ini_key(key))
    for entry in config.parser.get(section, key).splitlines():
        entry = _COMMENT.sub("", entry).strip()
        if entry and not entry.startswith(";"):
            yield _requirement(entry, config.file, cursor.find(_bare(entry)), group)


def _conda_dependencies(texts: Mapping[str, str], issues: list[ScanIssue]) -> list[Dependency]:
    found: list[Found] = []
    for file in _CONDA_FILES:
        if file in texts:
            found += _conda_file(file, texts[file])
    return _partition(found, issues)


def _conda_file(file: str, text: str) -> Iterator[Found]:
    """`dependencies:` of a conda environment file; `pip:` entries form the `pip` group."""
    try:
        # compose() builds nodes, with line numbers, and never constructs Python objects.
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError) as error:
        mark = error.problem_mark if isinstance(error, yaml.MarkedYAMLError) else None
        line = mark.line + 1 if mark else None
        yield _config_issue(file, f"malformed YAML: {_first_line(error)}", line)
        return
    entries = _yaml_value(document, "dependencies")
    if entries is None:
        return
    if not isinstance(entries, yaml.SequenceNode):
        yield _config_issue(file, "dependencies is not a list", entries.start_mark.line + 1)
        return
    for entry in entries.value:
        pip = _yaml_value(entry, "pip")
        if isinstance(entry, yaml.ScalarNode):
            yield from _conda_entry(file, entry)
        elif isinstance(pip, yaml.SequenceNode):
            yield from _pip_entries(file, pip)
        else:
            yield _config_issue(file, "unreadable dependency entry", entry.start_mark.line + 1)


def _yaml_value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(
        (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None
    )


def _conda_entry(file: str, node: yaml.ScalarNode) -> Iterator[Found]:
    """A conda match spec such as `numpy=1.26`, `conda-forge::numpy>=1.2` or `numpy 1.26.*`."""
    line = node.start_mark.line + 1
    match = _CONDA_SPEC.fullmatch(str(node.value).strip())
    if match is None:
        yield _config_issue(file, f"unparseable conda dependency {_short(node.value)!r}", line)
    elif canonicalize_name(match[1]) != "python":
        source = Source(file=file, line=line)
        specifier = (match[2] or "").strip()
        yield Dependency(
            name=canonicalize_name(match[1]), specifier=specifier, group="conda", source=source
        )


def _pip_entries(file: str, node: yaml.SequenceNode) -> Iterator[Found]:
    for entry in node.value:
        line = entry.start_mark.line + 1
        if not isinstance(entry, yaml.ScalarNode):
            yield _config_issue(file, "unreadable pip entry", line)
        elif (found := _pip_line(str(entry.value), file, line, "pip")) is not None:
            yield found


# --- README ---------------------------------------------------------------------------------


class _Block(NamedTuple):
    kind: Literal["heading", "paragraph"]
    line: int
    text: str  # still marked up


def _readme(texts: Mapping[str, str]) -> Readme | None:
    """Title and first paragraph of the root README, as plain text."""
    by_name = {path.lower(): path for path in sorted(texts, reverse=True) if "/" not in path}
    path = next((by_name[name] for name in _README_NAMES if name in by_name), None)
    if path is None:
        return None
    lines = _lines(texts[path])
    if path.lower().endswith(".rst"):
        return _pick(path, _rst_blocks(lines), _plain_rst)
    return _pick(path, _markdown_blocks(lines), _plain_markdown)


def _pick(file: str, blocks: Iterable[_Block], clean: Callable[[str], str]) -> Readme:
    """The first heading as title; the first paragraph after it (else before it) as summary."""
    title: tuple[str, int] | None = None
    before: tuple[str, int] | None = None
    summary: tuple[str, int] | None = None
    for block in blocks:
        text = _plain(clean(block.text[:_RAW_LIMIT]))
        if not text:
            continue
        if block.kind == "heading" and title is None:
            title = (_cap(text, TITLE_LIMIT), block.line)
        elif block.kind == "paragraph" and title is None and before is None:
            before = (_cap(text, SUMMARY_LIMIT), block.line)
        elif block.kind == "paragraph" and title is not None:
            summary = (_cap(text, SUMMARY_LIMIT), block.line)
            break
    summary = summary or before
    return Readme(
        file=file,
        title=title[0] if title else None,
        title_line=title[1] if title else None,
        summary=summary[0] if summary else None,
        summary_line=summary[1] if summary else None,
    )


def _plain(text: str) -> str:
    """One line without control or invisible formatting characters (bidi overrides ...)."""
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        # Cf holds the bidi overrides and invisible tags; the zero-width joiner builds emoji.
        elif unicodedata.category(char) not in ("Cc", "Cf") or char == "\u200d":
            kept.append(char)
    return " ".join("".join(kept).split())


def _cap(text: str, limit: int) -> str:
    """`text` cut at a word to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r" {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
_HTML_TAGS = (
    "address|article|aside|blockquote|body|center|details|dialog|dd|div|dl|dt|figcaption|"
    "figure|footer|form|h[1-6]|head|header|hr|html|iframe|li|main|nav|ol|p|pre|script|"
    "section|style|summary|table|tbody|td|tfoot|th|thead|tr|ul|textarea"
)
_HTML_BLOCK = re.compile(rf" {{0,3}}(?:<!--|</?(?:{_HTML_TAGS})(?:[\s/>]|$))", re.IGNORECASE)
_HTML_LONE_TAG = re.compile(r" {0,3}(?:<[A-Za-z][\w-]*(?:\s[^<>]*)?/?>|</[A-Za-z][\w-]*\s*>)\s*")
_HTML_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_BULLET = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_BULLET_INTERRUPT = re.compile(r" {0,3}(?:[-*+]|1[.)])[ \t]+\S")
_QUOTE = re.compile(r" {0,3}>")
_TABLE_ROW = re.compile(r"\s*\|")
_TABLE_DELIMITER = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*")
_BREAK = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
_LINK_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:\s*\S")
_INDENTED_CODE = re.compile(r" {4}|\t")


def _markdown_blocks(lines: list[str]) -> Iterator[_Block]:
    """Headings and prose paragraphs; code, HTML, lists, tables and badges are passed over."""
    i = _after_front_matter(lines)
    while i < len(lines):
        line = lines[i]
        if not line.strip() or _INDENTED_CODE.match(line):
            i += 1
        elif _FENCE.match(line):
            i = _after_fence(lines, i)
        elif line.lstrip().startswith("<!--"):
            i = _after_comment(lines, i)
        elif _HTML_BLOCK.match(line) or _HTML_LONE_TAG.fullmatch(line):
            end = _next_blank(lines, i)
            yield from _html_heading(lines, i, end)
            i = end
        elif heading := _ATX.fullmatch(line):
            yield _Block("heading", i + 1, heading[1] or "")
            i += 1
        elif _BULLET.match(line) or _QUOTE.match(line):
            i = _after_list(lines, i)
        elif _TABLE_ROW.match(line) or (
            i + 1 < len(lines) and _TABLE_DELIMITER.fullmatch(lines[i + 1])
        ):
            i = _next_blank(lines, i)
        elif _is_decoration(line):
            i += 1
        else:
            block, i = _markdown_paragraph(lines, i)
            yield block


def _is_decoration(line: str) -> bool:
    """Thematic breaks, link definitions and lines of only badges, links or tags."""
    if _BREAK.fullmatch(line) or _LINK_DEFINITION.match(line):
        return True
    rest = _IMAGE.sub("", line)
    for pattern in (_LINK, _REF_LINK, _AUTOLINK, _TAG, _BARE_URL):
        rest = pattern.sub("", rest)
    return not re.search(r"\w", rest)


def _after_front_matter(lines: list[str]) -> int:
    if not lines or lines[0].strip() != "---":
        return 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    return 0 if end is None else end + 1


def _after_fence(lines: list[str], i: int) -> int:
    opening = _FENCE.match(lines[i])
    marker = opening[1] if opening else "```"
    closing = re.compile(rf" {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}\s*")
    end = next((j for j in range(i + 1, len(lines)) if closing.fullmatch(lines[j])), len(lines))
    return end + 1


def _after_comment(lines: list[str], i: int) -> int:
    """Past the line that closes the HTML comment opened on line i."""
    first = lines[i].split("<!--", 1)[1]
    if "-->" in first:
        return i + 1
    end = next((j for j in range(i + 1, len(lines)) if "-->" in lines[j]), len(lines))
    return end + 1


def _next_blank(lines: list[str], i: int) -> int:
    return next((j for j in range(i + 1, len(lines)) if not lines[j].strip()), len(lines))


def _after_list(lines: list[str], i: int) -> int:
    """Past a list or block quote, with its indented and lazy continuation lines."""
    j = i + 1
    while j < len(lines):
        if lines[j].strip():
            if not _continues_list(lines[j]):
                return j
            j += 1
            continue
        k = next((k for k in range(j, len(lines)) if lines[k].strip()), len(lines))
        if k == len(lines) or not (lines[k][0].isspace() or _BULLET.match(lines[k])):
            return k
        j = k
    return j


def _continues_list(line: str) -> bool:
    """Indented lines, further items and lazy text continue a list; other blocks end it."""
    starts_item = _BULLET.match(line) or _QUOTE.match(line)
    return bool(line[0].isspace() or starts_item or not _interrupts_paragraph(line))


def _html_heading(lines: list[str], start: int, end: int) -> Iterator[_Block]:
    """An `<h1>` inside an HTML block: many READMEs centre their title that way."""
    block = "\n".join(lines[start:end])
    if match := _HTML_H1.search(block):
        yield _Block("heading", start + 1 + block.count("\n", 0, match.start()), match[1])


def _markdown_paragraph(lines: list[str], i: int) -> tuple[_Block, int]:
    """The paragraph (or setext heading) starting at line i, and the index after it."""
    parts = [lines[i].strip()]
    j = i + 1
    while j < len(lines) and lines[j].strip():
        if _SETEXT.fullmatch(lines[j]):
            return _Block("heading", i + 1, " ".join(parts)), j + 1
        if _interrupts_paragraph(lines[j]):
            break
        parts.append(lines[j].strip())
        j += 1
    return _Block("paragraph", i + 1, " ".join(parts)), j


def _interrupts_paragraph(line: str) -> bool:
    return bool(
        _FENCE.match(line)
        or _ATX.fullmatch(line)
        or _HTML_BLOCK.match(line)
        or _QUOTE.match(line)
        or _BULLET_INTERRUPT.match(line)
        or _BREAK.fullmatch(line)
        or _TABLE_ROW.match(line)
    )


_IMAGE = re.compile(r"!\[[^\]]*\](?:\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_BARE_URL = re.compile(r"https?://\S+")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"
)
_STRIKE = re.compile(r"~~(.+?)~~")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_PARKED = 0xE000
_UNPARK = {_PARKED + code: chr(code) for code in range(0x21, 0x7F)}


def _plain_markdown(text: str) -> str:
    """Markdown inline markup reduced to its text: `[text](url)` -> `text`, no emphasis."""
    # Escaped punctuation is parked in the private-use area so no rule below treats it as markup.
    text = _ESCAPE.sub(lambda m: chr(_PARKED + ord(m[1])), text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _TAG.sub("", _IMAGE.sub("", text))
    text = _REF_LINK.sub(r"\1", _LINK.sub(r"\1", text))
    text = _CODE_SPAN.sub(r"\2", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(lambda m: m[1] or m[2], text)
    text = _STRIKE.sub(r"\1", text)
    return html.unescape(text.translate(_UNPARK))


_RST_ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1{2,}\s*")
_RST_SKIPPED = re.compile(
    r"(?:[-*+•]|\d+[.)]|#[.)]|\(\d+\))\s"  # list items
    r"|:[^:\s][^:]*:(?:\s|$)"  # field lists
    r"|\+[-=+]+\+\s*$|=+(?: +=+)+\s*$"  # table borders
)


def _rst_blocks(lines: list[str]) -> Iterator[_Block]:
    """Section titles and paragraphs of reStructuredText; directives and lists passed over."""
    i = 0
    while i < len(lines):
        line = lines[i]
        below = lines[i + 1] if i + 1 < len(lines) else ""
        if not line.strip() or line[0].isspace():
            i += 1  # blank, or the body of a quote, literal block or directive
        elif _RST_ADORNMENT.fullmatch(line):
            after = lines[i + 2] if i + 2 < len(lines) else ""
            if below.strip() and _RST_ADORNMENT.fullmatch(after):
                yield _Block("heading", i + 2, below.strip())
                i += 3
            else:
                i += 1  # a transition
        elif _RST_ADORNMENT.fullmatch(below):
            yield _Block("heading", i + 1, line.strip())
            i += 2
        elif line.startswith("..") or _RST_SKIPPED.match(line):
            i = _after_list(lines, i)
        else:
            end = _next_blank(lines, i)
            text = " ".join(part.strip() for part in lines[i:end])
            yield _Block("paragraph", i + 1, re.sub(r"::$", ":", text))
            i = end


_RST_ROLE = re.compile(r":[\w.+-]+:`([^`]*)`")
_RST_LITERAL = re.compile(r"``(.+?)``")
_RST_LINK = re.compile(r"`([^`<]*?)\s*<[^>]*>`__?")
_RST_REFERENCE = re.compile(r"`([^`]+)`_{0,2}")
_RST_SUBSTITUTION = re.compile(r"\|[^|\s][^|]*\|_{0,2}")
_RST_STRONG = re.compile(r"\*\*(.+?)\*\*")
_RST_EMPHASIS = re.compile(r"\*(.+?)\*")
_RST_WORD_REFERENCE = re.compile(r"\b([A-Za-z0-9]\w*?)__?(?=[\s.,;:!?)]|$)")


def _plain_rst(text: str) -> str:
    """reStructuredText inline markup reduced to its text."""
    text = _RST_ROLE.sub(r"\1", text)
    text = _RST_LITERAL.sub(r"\1", text)
    text = _RST_LINK.sub(r"\1", text)
    text = _RST_REFERENCE.sub(r"\1", text)
    text = _RST_SUBSTITUTION.sub("", text)
    text = _RST_STRONG.sub(r"\1", text)
    text = _RST_EMPHASIS.sub(r"\1", text)
    return _RST_WORD_REFERENCE.sub(r"\1", text)
