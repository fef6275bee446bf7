"""Compare what the code and the model file say: hyperparameters, estimators and the rest of
the training set-up, model architectures (layers), checkpoints.

Facts are paired by what they are, never by line: a line added above a setting moves it
without changing it. Settings with the same name in the same file pair in order.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from pydantic import JsonValue

from modeldoc.diff.report import (
    ArgumentChange,
    CallChange,
    CheckpointChange,
    HyperparameterChange,
    LayerChange,
    ModelChange,
    TensorChange,
    ValueChange,
    change_of,
)
from modeldoc.facts import Call, Checkpoint, CodeFacts, Hyperparameter, ModelDefinition

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def paired(
    base: Iterable[T], head: Iterable[T], key: Callable[[T], K]
) -> list[tuple[T | None, T | None]]:
    """Facts of both sides paired by `key`, in order within a key; a fact without a partner
    is paired with None. The base's order first, then what only the head has."""
    groups: dict[K, tuple[list[T], list[T]]] = {}
    for item in base:
        groups.setdefault(key(item), ([], []))[0].append(item)
    for item in head:
        groups.setdefault(key(item), ([], []))[1].append(item)
    pairs: list[tuple[T | None, T | None]] = []
    for old, new in groups.values():
        for index in range(max(len(old), len(new))):
            pairs.append(
                (old[index] if index < len(old) else None, new[index] if index < len(new) else None)
            )
    return pairs


def _position(fact: Call | Hyperparameter) -> tuple[str, int, int]:
    """Where a fact is, to keep the facts of one name in the order the file has them."""
    return (fact.source.file, fact.source.cell or 0, fact.source.line)


def compare_hyperparameters(base: CodeFacts, head: CodeFacts) -> list[HyperparameterChange]:
    """Settings whose value differs, or that one side alone sets. A literal argument of an
    estimator or optimizer call is left to `compare_calls`, which shows it with its call."""
    shown_with_calls = {
        (call.source.file, call.callee) for code in (base, head) for call in code.instantiations
    }

    def kept(code: CodeFacts) -> list[Hyperparameter]:
        return sorted(
            (
                h
                for h in code.hyperparameters
                if not (h.origin == "call" and (h.source.file, h.scope) in shown_with_calls)
            ),
            key=_position,
        )

    changes = []
    for old, new in paired(kept(base), kept(head), lambda h: (h.source.file, h.key)):
        if old is not None and new is not None and old.value.text == new.value.text:
            continue
        either = _either(old, new)
        changes.append(
            HyperparameterChange(
                key=either.key,
                change=change_of(old, new),
                base=old.value.text if old else None,
                head=new.value.text if new else None,
                base_source=old.source if old else None,
                head_source=new.source if new else None,
            )
        )
    return changes


def _arguments(call: Call) -> dict[str, str]:
    positional = (f"#{index}" for index in range(1, len(call.args) + 1))
    return {arg.name or next(positional): arg.value.text for arg in call.args}


def compare_calls(base: CodeFacts, head: CodeFacts) -> list[CallChange]:
    """Estimators, pipelines, optimizers, schedulers, losses, searches and splits created in
    code: added, removed, or called with other arguments."""

    def calls(code: CodeFacts) -> list[tuple[str, Call]]:
        found: list[tuple[str, Call]] = [(i.role, i) for i in code.instantiations]
        found += [("split", split) for split in code.splits]
        return sorted(found, key=lambda pair: _position(pair[1]))

    changes = []
    pairs = paired(
        calls(base), calls(head), lambda pair: (pair[1].source.file, pair[1].qualified, pair[0])
    )
    for old, new in pairs:
        old_args = _arguments(old[1]) if old else {}
        new_args = _arguments(new[1]) if new else {}
        if old is not None and new is not None and old_args == new_args:
            continue
        arguments = [
            ArgumentChange(name=name, base=old_args.get(name), head=new_args.get(name))
            for name in [*old_args, *(n for n in new_args if n not in old_args)]
            if old_args.get(name) != new_args.get(name)
        ]
        role, either = _either(old, new)
        changes.append(
            CallChange(
                callee=either.qualified,
                role=role,
                change=change_of(old, new),
                base_source=old[1].source if old else None,
                head_source=new[1].source if new else None,
                arguments=arguments if old and new else [],
            )
        )
    return changes


def _either(old: T | None, new: T | None) -> T:
    """The head's fact of a pair, else the base's (a pair always has one)."""
    either = new if new is not None else old
    assert either is not None
    return either


def layer_text(layer: Call) -> str:
    """A layer as written: `nn.Linear(768, 3072, bias=False)`."""
    args = ", ".join(
        arg.value.text if arg.name is None else f"{arg.name}={arg.value.text}" for arg in layer.args
    )
    return f"{layer.callee}({args})"


def compare_models(base: CodeFacts, head: CodeFacts) -> list[ModelChange]:
    """Model definitions added or removed, and the layers a kept model gained or lost."""
    changes = []
    for old, new in paired(base.models, head.models, lambda m: (m.source.file, m.name)):
        layers = _layer_changes(old, new) if old and new else []
        if old is not None and new is not None and not layers:
            continue
        either = _either(old, new)
        changes.append(
            ModelChange(
                model=either.name,
                framework=str(either.framework),
                change=change_of(old, new),
                base_source=old.source if old else None,
                head_source=new.source if new else None,
                layers=layers,
            )
        )
    return changes


def _layer_changes(base: ModelDefinition, head: ModelDefinition) -> list[LayerChange]:
    old = [layer_text(layer) for layer in base.layers]
    new = [layer_text(layer) for layer in head.layers]
    changes = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for index in range(i1, i2):
            changes.append(
                LayerChange(change="removed", layer=old[index], source=base.layers[index].source)
            )
        for index in range(j1, j2):
            changes.append(
                LayerChange(change="added", layer=new[index], source=head.layers[index].source)
            )
    return changes


_CHECKPOINT_FIELDS = (
    "format", "library", "loaded", "not_loaded_reason", "trusted_pickle", "estimator",
    "n_features", "classes", "n_trees", "objective", "n_parameters", "producer",
)  # fmt: skip


def compare_checkpoints(base: list[Checkpoint], head: list[Checkpoint]) -> list[CheckpointChange]:
    """Each model file whose bytes, loaded model or parameters differ (paired in order: a
    build documents one model file)."""
    changes = []
    for index in range(max(len(base), len(head))):
        old = base[index] if index < len(base) else None
        new = head[index] if index < len(head) else None
        change = _checkpoint_change(old, new)
        if (
            change.base_file != change.head_file
            or change.base_sha256 != change.head_sha256
            or change.fields
            or change.parameters
            or change.tensors
        ):
            changes.append(change)
    return changes


def _checkpoint_change(base: Checkpoint | None, head: Checkpoint | None) -> CheckpointChange:
    def fields(checkpoint: Checkpoint | None) -> dict[str, JsonValue]:
        if checkpoint is None:
            return {}
        dumped = checkpoint.model_dump(mode="json", include=set(_CHECKPOINT_FIELDS))
        return {name: value for name, value in dumped.items() if value is not None}

    return CheckpointChange(
        base_file=base.file if base else None,
        head_file=head.file if head else None,
        base_sha256=base.sha256 if base else None,
        head_sha256=head.sha256 if head else None,
        fields=_value_changes(fields(base), fields(head)),
        parameters=_value_changes(_parameters(base), _parameters(head)),
        tensors=_tensor_changes(base, head),
    )


def _parameters(checkpoint: Checkpoint | None) -> dict[str, JsonValue]:
    """The model's parameters, and each pipeline step's as `step.parameter`."""
    if checkpoint is None:
        return {}
    found: dict[str, JsonValue] = dict(checkpoint.parameters)
    for step in checkpoint.steps:
        found[step.name] = step.estimator
        for name, value in step.parameters.items():
            found[f"{step.name}.{name}"] = value
    return found


def _value_changes(base: dict[str, JsonValue], head: dict[str, JsonValue]) -> list[ValueChange]:
    names = [*base, *(name for name in head if name not in base)]
    return [
        ValueChange(name=name, base=base.get(name), head=head.get(name))
        for name in names
        if _canonical(base.get(name)) != _canonical(head.get(name))
    ]


def _canonical(value: JsonValue) -> str:
    return json.dumps(value, sort_keys=True)


def _tensor_changes(base: Checkpoint | None, head: Checkpoint | None) -> list[TensorChange]:
    old = {t.name: f"{t.dtype}{t.shape}" for t in base.tensors} if base else {}
    new = {t.name: f"{t.dtype}{t.shape}" for t in head.tensors} if head else {}
    return [
        TensorChange(
            name=name,
            change=change_of(old.get(name), new.get(name)),
            base=old.get(name),
            head=new.get(name),
        )
        for name in [*old, *(n for n in new if n not in old)]
        if old.get(name) != new.get(name)
    ]  # fmt: skip
