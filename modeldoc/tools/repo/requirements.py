"""PEP 508 requirements as written in any manifest, and the requirements*.txt files.

Every source of dependencies reads its entries through `parse_requirement`, so a dependency
is named, grouped and located the same way wherever it is declared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.utils import canonicalize_name

from modeldoc.facts import Dependency, ScanIssue, Source
from modeldoc.tools.repo.manifests import config_issue
from modeldoc.tools.repo.text import first_line, short, split_lines

_REQUIREMENTS_FILE = re.compile(r"requirements[^/]*\.txt|requirements/[^/]+\.txt", re.IGNORECASE)
_SPECIFIER_PART = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*\(?([^;@()]*)")
_COMMENT = re.compile(r"(?:^|\s+)#.*$")
_INLINE_OPTION = re.compile(r"\s+--?[A-Za-z]")
_PATH_OR_URL = re.compile(r"[./~]|\w[\w+.-]*://")

Found = Dependency | ScanIssue


def parse_requirement(entry: str, file: str, line: int, group: str) -> Found:
    """A PEP 508 requirement as a Dependency, or the issue explaining why it is not one."""
    try:
        requirement = Requirement(entry)
    except InvalidRequirement as error:
        message = f"unparseable requirement {short(entry)!r}: {first_line(error)}"
        return config_issue(file, message, line)
    return Dependency(
        name=canonicalize_name(requirement.name),
        specifier=_written_specifier(entry, requirement),
        group=group,
        source=Source(file=file, line=line),
    )


def without_comment(entry: str) -> str:
    """`entry` without a trailing `# comment`, stripped."""
    return _COMMENT.sub("", entry).strip()


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


def pip_line(entry: str, file: str, line: int, group: str) -> Found | None:
    """One pip requirement line; None for options (`-r`, `-e`, `--index-url` ...)."""
    entry = _INLINE_OPTION.split(_COMMENT.sub("", entry), maxsplit=1)[0].strip()
    if not entry or entry.startswith("-"):
        return None
    if _PATH_OR_URL.match(entry):
        return config_issue(file, f"not a named requirement: {short(entry)!r}", line)
    return parse_requirement(entry, file, line, group)


def partition(found: Iterable[Found], issues: list[ScanIssue]) -> list[Dependency]:
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
    for number, line in enumerate(split_lines(text), start=1):
        start = start or number
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        yield start, "".join([*parts, line])
        start, parts = 0, []
    if parts:
        yield start, "".join(parts)


def requirements_dependencies(
    texts: Mapping[str, str], issues: list[ScanIssue]
) -> list[Dependency]:
    """Dependencies of the requirements*.txt files; unreadable lines go to `issues`."""
    found = [
        pip_line(entry, path, line, _requirements_group(path))
        for path in sorted(texts)
        if _REQUIREMENTS_FILE.fullmatch(path)
        for line, entry in _logical_lines(texts[path])
    ]
    return partition((item for item in found if item is not None), issues)
