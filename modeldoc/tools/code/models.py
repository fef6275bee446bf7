"""Model definitions across files: a class is a model when it derives from a framework's base
directly or through the repository's own classes, wherever those are defined."""

from __future__ import annotations

from modeldoc.facts import Call, Framework, Hyperparameter, ModelDefinition
from modeldoc.tools.code import catalog
from modeldoc.tools.code.base import ClassInfo, FileFacts
from modeldoc.tools.hyperparameters import call_settings


class _Resolver:
    """Finds each class's framework by walking bases; the repository's classes by last name."""

    def __init__(self, files: list[FileFacts]) -> None:
        self.classes: dict[str, list[ClassInfo]] = {}
        for facts in files:
            for info in facts.classes:
                self.classes.setdefault(info.name, []).append(info)
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
            for parent in self.classes.get(qualified.rsplit(".", 1)[-1], []):
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
