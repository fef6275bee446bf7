"""Hyperparameters as one flat list, and the names given different values in different places."""

from __future__ import annotations

import json
from collections.abc import Iterable

from modeldoc.facts import Hyperparameter, HyperparameterConflict, Value


def _identity(value: Value) -> str:
    """What makes two values the same: the literal when known, else the text as written."""
    if value.literal:
        return json.dumps(value.value, sort_keys=True)
    return value.text


def sort_hyperparameters(values: Iterable[Hyperparameter]) -> list[Hyperparameter]:
    """Hyperparameters in file, line and key order."""
    return sorted(
        values, key=lambda hp: (hp.source.file, hp.source.cell or 0, hp.source.line, hp.key)
    )


def find_conflicts(values: list[Hyperparameter]) -> list[HyperparameterConflict]:
    """Every name that has more than one distinct value, with all its values and sources."""
    by_name: dict[str, list[Hyperparameter]] = {}
    for hyperparameter in values:
        by_name.setdefault(hyperparameter.name, []).append(hyperparameter)
    return [
        HyperparameterConflict(name=name, values=group)
        for name, group in sorted(by_name.items())
        if len({_identity(hp.value) for hp in group}) > 1
    ]
