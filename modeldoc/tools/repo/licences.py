"""Licences: guessed from LICENSE / COPYING texts at the root, and declared in the manifests.

A licence text is known by its earliest distinctive phrase and reported as an SPDX id; a
declared value is mapped to an SPDX expression when it is recognisable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import NamedTuple

from modeldoc.facts import License, Source
from modeldoc.tools.repo.manifests import (
    Cfg,
    Manifests,
    SetupPy,
    Toml,
    ini_key,
    ini_section,
    literal_string,
    locate,
    nested_table,
    node_line,
    toml_key,
    toml_table,
)
from modeldoc.tools.repo.text import short

_LICENCE_FILE = re.compile(r"(?:licen[cs]e|copying)(?:\.(?:md|txt|rst))?", re.IGNORECASE)


def read_licences(texts: Mapping[str, str], manifests: Manifests) -> list[License]:
    """The licence files' guesses, then the licences each manifest declares."""
    return [
        *_licence_files(texts),
        *_pyproject_licences(manifests.pyproject, texts),
        *_setup_cfg_licences(manifests.setup_cfg),
        *_setup_py_licences(manifests.setup_py),
    ]


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


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
    key = flat.lower().replace("licence", "license").rstrip(".")
    # "Apache 2.0 License", "MIT License": the alias with the word "license" moved or added.
    alias = _LICENCE_ALIASES.get(key) or _LICENCE_ALIASES.get(key.removesuffix(" license"))
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
        evidence=f"{field} = {short(value)}",
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


def _pyproject_licences(config: Toml | None, texts: Mapping[str, str]) -> Iterator[License]:
    if config is None:
        return
    project = nested_table(config.data, "project")
    declared = project.get("license")
    line = locate(config.text, toml_table("project"), toml_key("license"))
    if isinstance(declared, str):
        yield _declared_licence(config.file, line, "project.license", declared)
    elif isinstance(declared, dict):
        if isinstance(text := declared.get("text"), str):
            yield _declared_licence(config.file, line, "project.license.text", text)
        if isinstance(path := declared.get("file"), str):
            yield _referenced_licence(config.file, line, "project.license.file", path, texts)
    patterns = project.get("license-files")
    if isinstance(patterns, list):
        line = locate(config.text, toml_table("project"), toml_key("license-files"))
        for path in sorted(texts):
            if any(isinstance(p, str) and fnmatchcase(path, p) for p in patterns):
                yield _referenced_licence(config.file, line, "project.license-files", path, texts)
    poetry = nested_table(config.data, "tool", "poetry").get("license")
    if isinstance(poetry, str):
        line = locate(config.text, toml_table("tool", "poetry"), toml_key("license"))
        yield _declared_licence(config.file, line, "tool.poetry.license", poetry)


def _setup_cfg_licences(config: Cfg | None) -> Iterator[License]:
    if config is None or not config.parser.has_option("metadata", "license"):
        return
    value = config.parser.get("metadata", "license")
    line = locate(config.text, ini_section("metadata"), ini_key("license"))
    yield _declared_licence(config.file, line, "metadata.license", value)


def _setup_py_licences(setup: SetupPy | None) -> Iterator[License]:
    if setup is None:
        return
    for node in setup.keywords.get("license", []):
        if (value := literal_string(node)) is not None:
            yield _declared_licence(setup.file, node_line(node), "setup(license=...)", value)
