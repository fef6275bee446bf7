"""Declared dependencies, each with the file and line that declares it.

Read from requirements*.txt, pyproject.toml (PEP 621, PEP 735 groups, Poetry), setup.py,
setup.cfg and conda environment files; an entry that cannot be read becomes a `ScanIssue`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from tree_sitter import Node

from modeldoc.facts import Dependency, ScanIssue, Source
from modeldoc.tools.repo.manifests import (
    Cfg,
    Cursor,
    Manifests,
    SetupPy,
    Toml,
    bare,
    config_issue,
    ini_key,
    ini_section,
    literal_string,
    nested_table,
    node_line,
    node_text,
    quoted,
    toml_key,
    toml_table,
)
from modeldoc.tools.repo.requirements import (
    Found,
    parse_requirement,
    partition,
    pip_line,
    requirements_dependencies,
    without_comment,
)
from modeldoc.tools.repo.text import first_line, short

_CONDA_FILES = ("environment.yml", "environment.yaml")
_PROJECT_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)
_CONDA_SPEC = re.compile(r"(?:[^:\s]+::)?([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*([=<>!~\[\d].*)?")


def read_dependencies(
    texts: Mapping[str, str], manifests: Manifests, issues: list[ScanIssue]
) -> list[Dependency]:
    """Requirements files, then pyproject.toml, setup.py, setup.cfg and conda files."""
    return [
        *requirements_dependencies(texts, issues),
        *_pyproject_dependencies(manifests.pyproject, issues),
        *_setup_py_dependencies(manifests.setup_py, issues),
        *_setup_cfg_dependencies(manifests.setup_cfg, issues),
        *_conda_dependencies(texts, issues),
    ]


def _pyproject_dependencies(config: Toml | None, issues: list[ScanIssue]) -> list[Dependency]:
    if config is None:
        return []
    found: list[Found] = []
    for table, keys in _pep508_tables(config.data):
        cursor = Cursor(config.text)
        cursor.find(toml_table(*table))
        for key, group in keys:
            found += _pep508_list(config, cursor, (*table, key), group)
    found += _poetry_dependencies(config)
    return partition(found, issues)


def _pep508_tables(
    data: dict[str, Any],
) -> Iterator[tuple[tuple[str, ...], list[tuple[str, str]]]]:
    """Tables of PEP 508 lists, with (key, group) of each list in the order written."""
    yield ("project",), [("dependencies", "main")]
    extras = nested_table(data, "project", "optional-dependencies")
    yield ("project", "optional-dependencies"), [(group, group) for group in extras]
    groups = nested_table(data, "dependency-groups")
    yield ("dependency-groups",), [(group, group) for group in groups]


def _pep508_list(
    config: Toml, cursor: Cursor, path: tuple[str, ...], group: str
) -> Iterator[Found]:
    """The requirement strings of a TOML array such as `[project] dependencies`."""
    entries = nested_table(config.data, *path[:-1]).get(path[-1], [])
    line = cursor.find(toml_key(path[-1]))
    if not isinstance(entries, list):
        yield config_issue(config.file, f"{'.'.join(path)} is not a list", line)
        return
    for entry in entries:
        if isinstance(entry, dict) and "include-group" in entry:
            continue  # PEP 735 includes name another group, read on its own
        if not isinstance(entry, str):
            yield config_issue(config.file, f"not a requirement string: {entry!r}", cursor.line)
            continue
        line = cursor.find(quoted(entry))
        yield parse_requirement(entry, config.file, line, group)


def _poetry_dependencies(config: Toml) -> Iterator[Found]:
    poetry = nested_table(config.data, "tool", "poetry")
    cursor = Cursor(config.text)
    yield from _poetry_table(config, cursor, ("tool", "poetry", "dependencies"), "main")
    yield from _poetry_table(config, cursor, ("tool", "poetry", "dev-dependencies"), "dev")
    for group in nested_table(poetry, "group"):
        table = ("tool", "poetry", "group", group, "dependencies")
        yield from _poetry_table(config, cursor, table, group)


def _poetry_table(
    config: Toml, cursor: Cursor, table: tuple[str, ...], group: str
) -> Iterator[Found]:
    """Poetry's `name = "^1.2"` / `name = {version = ...}` entries, without `python`."""
    entries = nested_table(config.data, *table)
    if entries:
        cursor.find(toml_table(*table))
    for name, value in entries.items():
        line = cursor.find(toml_key(name))
        specifier = _poetry_specifier(value)
        if not _PROJECT_NAME.fullmatch(name) or specifier is None:
            yield config_issue(config.file, f"unreadable Poetry dependency {name!r}", line)
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


def _setup_py_dependencies(setup: SetupPy | None, issues: list[ScanIssue]) -> list[Dependency]:
    if setup is None:
        return []
    found: list[Found] = []
    for node in setup.keywords.get("install_requires", []):
        found += _literal_requirements(setup.file, node, "main", "install_requires")
    for node in setup.keywords.get("extras_require", []):
        found += _literal_extras(setup.file, node)
    return partition(found, issues)


def _literal_requirements(file: str, node: Node, group: str, what: str) -> Iterator[Found]:
    """Requirements from a literal list, tuple or newline-separated string in setup.py."""
    if node.type in ("list", "tuple"):
        elements = node.named_children
    elif node.type in ("string", "concatenated_string"):
        elements = [node]
    else:
        yield config_issue(file, f"{what} is not a literal list; not read", node_line(node))
        return
    for element in elements:
        if element.type == "comment":
            continue
        value = literal_string(element)
        if value is None:
            yield config_issue(file, f"{what}: not a literal string", node_line(element))
            continue
        raw = node_text(element)
        for entry in value.splitlines():
            entry = without_comment(entry)
            if entry:
                offset = raw.find(entry)
                line = node_line(element) + (raw.count("\n", 0, offset) if offset > 0 else 0)
                yield parse_requirement(entry, file, line, group)


def _literal_extras(file: str, node: Node) -> Iterator[Found]:
    """`extras_require={"dev": [...]}` as written, one group per literal key."""
    if node.type != "dictionary":
        yield config_issue(file, "extras_require is not a literal dict; not read", node_line(node))
        return
    for pair in node.named_children:
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        group = literal_string(key) if key else None
        if pair.type != "pair" or group is None or value is None:
            if pair.type != "comment":
                yield config_issue(file, "extras_require: not a literal entry", node_line(pair))
            continue
        yield from _literal_requirements(file, value, group, f"extras_require[{group!r}]")


def _setup_cfg_dependencies(config: Cfg | None, issues: list[ScanIssue]) -> list[Dependency]:
    if config is None:
        return []
    found = list(_cfg_requirements(config, "options", "install_requires", "main"))
    if config.parser.has_section("options.extras_require"):
        for group in config.parser.options("options.extras_require"):
            found += _cfg_requirements(config, "options.extras_require", group, group)
    return partition(found, issues)


def _cfg_requirements(config: Cfg, section: str, key: str, group: str) -> Iterator[Found]:
    """The one-per-line requirements of a setup.cfg option."""
    if not config.parser.has_option(section, key):
        return
    cursor = Cursor(config.text)
    cursor.find(ini_section(section), ini_key(key))
    for entry in config.parser.get(section, key).splitlines():
        entry = without_comment(entry)
        if entry and not entry.startswith(";"):
            yield parse_requirement(entry, config.file, cursor.find(bare(entry)), group)


def _conda_dependencies(texts: Mapping[str, str], issues: list[ScanIssue]) -> list[Dependency]:
    found: list[Found] = []
    for file in _CONDA_FILES:
        if file in texts:
            found += _conda_file(file, texts[file])
    return partition(found, issues)


def _conda_file(file: str, text: str) -> Iterator[Found]:
    """`dependencies:` of a conda environment file; `pip:` entries form the `pip` group."""
    try:
        # compose() builds nodes, with line numbers, and never constructs Python objects.
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError) as error:
        mark = error.problem_mark if isinstance(error, yaml.MarkedYAMLError) else None
        line = mark.line + 1 if mark else None
        yield config_issue(file, f"malformed YAML: {first_line(error)}", line)
        return
    entries = _yaml_value(document, "dependencies")
    if entries is None:
        return
    if not isinstance(entries, yaml.SequenceNode):
        yield config_issue(file, "dependencies is not a list", entries.start_mark.line + 1)
        return
    for entry in entries.value:
        pip = _yaml_value(entry, "pip")
        if isinstance(entry, yaml.ScalarNode):
            yield from _conda_entry(file, entry)
        elif isinstance(pip, yaml.SequenceNode):
            yield from _pip_entries(file, pip)
        else:
            yield config_issue(file, "unreadable dependency entry", entry.start_mark.line + 1)


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
        yield config_issue(file, f"unparseable conda dependency {short(node.value)!r}", line)
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
            yield config_issue(file, "unreadable pip entry", line)
        elif (found := pip_line(str(entry.value), file, line, "pip")) is not None:
            yield found
