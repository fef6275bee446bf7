"""The presentation layer sits below writers, renderers, tools and the diff: the import edges
that would let two of them drift apart again are refused."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "modeldoc"


def imports() -> dict[str, set[str]]:
    """Every modeldoc module (dotted name) and the modules it imports anywhere in its body,
    lazy and type-checking imports included."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = module if parts[-1] == "__init__" else module.rpartition(".")[0]
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                names.add(base)
                # `from modeldoc.render import site` imports the module `modeldoc.render.site`.
                names.update(f"{base}.{alias.name}" for alias in node.names)
        found[module] = names
    return found


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def edges(source: str, target: str) -> list[str]:
    """`module -> imported` for every import from a module under `source` of one under
    `target`."""
    return sorted(
        f"{module} -> {name}"
        for module, names in imports().items()
        if _under(module, source)
        for name in names
        if _under(name, target)
    )


def test_the_walk_sees_the_packages() -> None:
    modules = imports()
    for package in ("modeldoc.present", "modeldoc.writing", "modeldoc.render", "modeldoc.diff"):
        assert any(_under(module, package) for module in modules), package
    # It sees real edges: the renderers use the presentation layer.
    assert edges("modeldoc.render", "modeldoc.present")


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("modeldoc.writing", "modeldoc.render"),
        ("modeldoc.render", "modeldoc.writing"),
        ("modeldoc.tools", "modeldoc.writing"),
        ("modeldoc.tools", "modeldoc.render"),
        ("modeldoc.diff", "modeldoc.render"),
        ("modeldoc.diff", "modeldoc.writing"),
    ],
)
def test_no_import_edge(source: str, target: str) -> None:
    assert edges(source, target) == []


def test_present_imports_only_the_facts_and_the_standard_library() -> None:
    outside = sorted(
        f"{module} -> {name}"
        for module, names in imports().items()
        if _under(module, "modeldoc.present")
        for name in names
        if not (
            _under(name, "modeldoc.present")
            or _under(name, "modeldoc.facts")
            or name.split(".")[0] in sys.stdlib_module_names
        )
    )
    assert outside == []
