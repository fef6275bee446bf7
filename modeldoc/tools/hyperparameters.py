"""Hyperparameters as one flat list, and the names given different values in different places."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from pydantic import JsonValue

from modeldoc.facts import Call, Hyperparameter, HyperparameterConflict, Value
from modeldoc.tools.secrets import REDACTED


def call_settings(call: Call, scope: str) -> Iterator[Hyperparameter]:
    """The literal keyword arguments of a call, as settings `scope.keyword`."""
    for argument in call.args:
        if argument.name is not None and argument.value.literal:
            yield Hyperparameter(
                name=argument.name,
                key=f"{scope}.{argument.name}",
                value=argument.value,
                origin="call",
                scope=scope,
                source=call.source,
            )


def _identity(value: Value) -> str:
    """What makes two values the same: the literal when known, else the text as written.

    Numbers compare by value (`0` and `0.0` are one value); booleans stay booleans. Redacted
    values are one value: what they held is not ours to compare, or to hint at.
    """
    if REDACTED in value.text:
        return REDACTED
    if value.literal:
        return json.dumps(_numbers_by_value(value.value), sort_keys=True)
    return value.text


def _numbers_by_value(value: JsonValue) -> JsonValue:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_numbers_by_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _numbers_by_value(item) for key, item in value.items()}
    return value


def sort_hyperparameters(values: Iterable[Hyperparameter]) -> list[Hyperparameter]:
    """Hyperparameters in file, line and key order."""
    return sorted(
        values, key=lambda hp: (hp.source.file, hp.source.cell or 0, hp.source.line, hp.key)
    )


def find_conflicts(values: list[Hyperparameter]) -> list[HyperparameterConflict]:
    """Every name given different values in places that set the same thing, with all of them.

    Settings (config classes, argparse, assignments, config files) are compared with each
    other and with keyword arguments of calls; keyword arguments of two different calls are
    not (`RandomForestClassifier(max_depth=8)` and `XGBClassifier(max_depth=6)` set two models).
    """
    by_name: dict[str, list[Hyperparameter]] = {}
    for hyperparameter in values:
        by_name.setdefault(hyperparameter.name, []).append(hyperparameter)
    conflicts = []
    for name, group in sorted(by_name.items()):
        involved = _conflicting(group)
        if involved:
            conflicts.append(HyperparameterConflict(name=name, values=involved))
    return conflicts


def _conflicting(group: list[Hyperparameter]) -> list[Hyperparameter]:
    """The members of one name's group that disagree with a comparable member, in order."""
    identity = [_identity(hp.value) for hp in group]
    settings = {identity[i] for i, hp in enumerate(group) if hp.origin != "call"}
    calls = {identity[i] for i, hp in enumerate(group) if hp.origin == "call"}
    per_call: dict[str, set[str]] = {}
    for i, hp in enumerate(group):
        if hp.origin == "call":
            per_call.setdefault(hp.scope, set()).add(identity[i])
    involved = []
    for i, hp in enumerate(group):
        if hp.origin == "call":
            differs = bool(settings - {identity[i]}) or len(per_call[hp.scope]) > 1
        else:
            differs = bool((settings | calls) - {identity[i]})
        if differs:
            involved.append(hp)
    return involved
