"""Model definitions across files: a class is a model when it derives from a framework's base
directly or through the repository's own classes, wherever those are defined.

A base names one of the repository's classes the way Python would find it: through the module
its import names (`from nets.base import Base`, `from .base import Base`), else in the same
file. Only a name whose module the repository lacks (a star import, a `sys.path` trick) is
matched by its last name, and then only when exactly one class of the repository has it.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from modeldoc.facts import Call, Framework, Hyperparameter, ModelDefinition
from modeldoc.tools.code import catalog
from modeldoc.tools.code.base import ClassInfo, FileFacts
from modeldoc.tools.hyperparameters import call_settings

_MODULE_SUFFIXES = (".py", ".pyi")
_SOURCE_ROOTS = ("src",)
"""Folders whose contents are imported without the folder's name (the `src/` layout)."""


def module_names(path: str) -> list[str]:
    """The names Python imports a file by: `nets/base.py` -> `nets.base`, `pkg/__init__.py`
    -> `pkg`, `src/pkg/mod.py` -> `src.pkg.mod` and `pkg.mod`. No name for a notebook."""
    pure = PurePosixPath(path)
    if pure.suffix not in _MODULE_SUFFIXES:
        return []
    parts = list(pure.parent.parts)
    if pure.stem != "__init__":
        parts.append(pure.stem)
    names = [".".join(parts)] if parts else []
    if len(parts) > 1 and parts[0] in _SOURCE_ROOTS:
        names.append(".".join(parts[1:]))
    return names


def _package(path: str) -> list[str]:
    """The package a file sits in, as parts (`nets/top.py` -> `["nets"]`): what its relative
    imports start from, and where a script run from its own folder finds its siblings."""
    return list(PurePosixPath(path).parent.parts)


def _relative_targets(base: str, path: str) -> list[str]:
    """The absolute names a relative base may mean: `.base.Base` in `nets/top.py` ->
    `nets.base.Base`. The extractor spells `from . import base` + `base.Base` as `..base.Base`,
    the same as `from ..base import Base`, so one level less deep is the second reading."""
    rest = base.lstrip(".")
    dots = len(base) - len(rest)
    package = _package(path)
    targets = []
    for up in (dots - 1, dots - 2):
        if 0 <= up <= len(package):
            targets.append(".".join([*package[: len(package) - up], rest]))
    return targets


class _Resolver:
    """Finds each class's framework by walking its bases through the repository's classes."""

    def __init__(self, files: list[FileFacts]) -> None:
        self.files: dict[str, dict[str, list[ClassInfo]]] = {}
        """path -> qualified name in the file (`Block`, `Outer.Inner`) -> classes."""
        self.modules: dict[str, list[str]] = {}
        """module name -> the paths of the files Python may import by it."""
        self.by_name: dict[str, list[ClassInfo]] = {}
        self.path_of: dict[int, str] = {}
        for facts in files:
            qualnames = {
                (symbol.source.line, symbol.source.cell): symbol.qualname
                for symbol in facts.symbols
                if symbol.kind == "class"
            }
            classes = self.files.setdefault(facts.path, {})
            for info in facts.classes:
                qualname = qualnames.get((info.source.line, info.source.cell), info.name)
                classes.setdefault(qualname, []).append(info)
                self.by_name.setdefault(info.name, []).append(info)
                self.path_of[id(info)] = facts.path
            for module in module_names(facts.path):
                self.modules.setdefault(module, []).append(facts.path)
        self.memo: dict[int, tuple[Framework, list[str]] | None] = {}

    def framework(
        self, info: ClassInfo, seen: frozenset[int] = frozenset()
    ) -> tuple[Framework, list[str]] | None:
        """(framework, the repository classes in between) or None when it is not a model."""
        key = id(info)
        if key in self.memo:
            return self.memo[key]
        if key in seen:
            return None  # a cycle of bases (`class A(B)`, `class B(A)`): not a model
        result: tuple[Framework, list[str]] | None = None
        for qualified in info.qualified_bases:
            framework = catalog.model_framework(qualified)
            if framework is not None:
                result = (framework, [])
                break
            for parent in self.parents(qualified, self.path_of[key]):
                if parent is info:
                    continue
                found = self.framework(parent, seen | {key})
                if found is not None:
                    result = (found[0], [parent.name, *found[1]])
                    break
            if result is not None:
                break
        self.memo[key] = result
        return result

    def parents(self, base: str, path: str) -> list[ClassInfo]:
        """The repository's classes a base (imports resolved) written in `path` may be."""
        if base.startswith("."):
            targets = _relative_targets(base, path)
        elif "." in base:
            # `nets.base.Base`; or `base.Base` imported by a script beside `base.py`.
            targets = [base, ".".join([*_package(path), base])]
        else:
            return self._in_file(path, base) or self._unique(base)
        for target in targets:
            found = self._in_repository(target)
            if found is not None:
                return found
        if not base.startswith("."):
            local = self.files.get(path, {}).get(base)  # `Outer.Inner`
            if local:
                return local
        return self._unique(base)

    def _in_file(self, path: str, name: str) -> list[ClassInfo]:
        """The file's top-level class `name`; failing that, its nested ones of that name."""
        classes = self.files.get(path, {})
        if name in classes:
            return classes[name]
        return [info for infos in classes.values() for info in infos if info.name == name]

    def _in_repository(self, dotted: str) -> list[ClassInfo] | None:
        """The classes `dotted` names when a prefix of it is one of the repository's modules
        (`nets.base.Base`, `nets.base.Outer.Inner`); None when none is."""
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module, qualname = ".".join(parts[:cut]), ".".join(parts[cut:])
            paths = self.modules.get(module)
            if not paths:
                continue
            found = [info for path in paths for info in self.files[path].get(qualname, [])]
            if found:
                return found
            if cut == len(parts) - 1:  # the module is ours but does not define the class
                return self._reexported(module, qualname)
        return None

    def _reexported(self, package: str, name: str) -> list[ClassInfo]:
        """A class a package's `__init__.py` re-exports (`from .mod import Name`). The facts keep
        no imports, so: the package's only submodule class of that name, if there is one."""
        if not any(
            PurePosixPath(path).stem == "__init__" for path in self.modules.get(package, [])
        ):
            return []
        prefix = package + "."
        found = [
            info
            for module, paths in self.modules.items()
            if module.startswith(prefix)
            for path in paths
            for info in self.files[path].get(name, [])
        ]
        return found if len(found) == 1 else []

    def _unique(self, dotted: str) -> list[ClassInfo]:
        """The repository's only class with the last name of `dotted`; none when several are."""
        candidates = self.by_name.get(dotted.rsplit(".", 1)[-1], [])
        return candidates if len(candidates) == 1 else []


def resolve_models(files: list[FileFacts]) -> list[ModelDefinition]:
    """Every model class and builder function in the repository, in file and line order."""
    resolver = _Resolver(files)
    found: list[tuple[ClassInfo, Framework, list[str]]] = []
    for facts in files:
        for info in facts.classes:
            answer = resolver.framework(info)
            if answer is not None:
                found.append((info, *answer))
    model_names = {info.name for info, _, _ in found}
    models = [
        ModelDefinition(
            name=info.name,
            kind="class",
            bases=info.bases,
            framework=framework,
            via=via,
            layers=[call for call in info.calls if _is_layer(call, model_names)],
            parameters=info.parameters,
            source=info.source,
        )
        for info, framework, via in found
    ]
    models.extend(builder for facts in files for builder in facts.builders)
    return sorted(models, key=lambda model: (model.source.file, model.source.line))


def _is_layer(call: Call, model_names: set[str]) -> bool:
    return catalog.is_layer(call.qualified) or call.callee.rsplit(".", 1)[-1] in model_names


def config_overrides(files: list[FileFacts]) -> list[Hyperparameter]:
    """Literal arguments given to the repository's config classes (`GPTConfig(n_layer=4)`)."""
    config_classes = {info.name for facts in files for info in facts.classes if info.config_kind}
    overrides: list[Hyperparameter] = []
    for facts in files:
        for call in facts.constructor_calls:
            name = call.callee.rsplit(".", 1)[-1]
            if name not in config_classes:
                continue
            overrides.extend(call_settings(call, scope=name))
    return overrides
