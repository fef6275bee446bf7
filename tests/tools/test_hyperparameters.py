"""Conflicts: one name, different values, in places that set the same thing."""

from __future__ import annotations

from pydantic import JsonValue

from modeldoc.facts import ConfigOrigin, Hyperparameter, Source, Value
from modeldoc.tools.hyperparameters import find_conflicts


def setting(
    name: str, value: JsonValue, origin: ConfigOrigin, scope: str, line: int
) -> Hyperparameter:
    return Hyperparameter(
        name=name,
        key=f"{scope}.{name}",
        value=Value(text=repr(value), literal=True, value=value),
        origin=origin,
        scope=scope,
        source=Source(file="train.py", line=line),
    )


def lines(values: list[Hyperparameter]) -> dict[str, list[int]]:
    return {c.name: [hp.source.line for hp in c.values] for c in find_conflicts(values)}


def test_keyword_arguments_of_different_calls_do_not_conflict() -> None:
    values = [
        setting("max_depth", 8, "call", "RandomForestClassifier", 1),
        setting("max_depth", 6, "call", "XGBClassifier", 2),
    ]
    assert lines(values) == {}


def test_a_setting_conflicts_with_every_call_that_differs() -> None:
    values = [
        setting("max_depth", 8, "call", "RandomForestClassifier", 1),
        setting("max_depth", 6, "call", "XGBClassifier", 2),
        setting("max_depth", 8, "config_file", "configs/train.yaml", 3),
    ]
    assert lines(values) == {"max_depth": [2, 3]}


def test_the_same_call_with_two_values_conflicts() -> None:
    values = [
        setting("n_estimators", 100, "call", "RandomForestClassifier", 1),
        setting("n_estimators", 300, "call", "RandomForestClassifier", 9),
    ]
    assert lines(values) == {"n_estimators": [1, 9]}


def test_numbers_compare_by_value() -> None:
    values = [
        setting("dropout", 0, "config_file", "a.yaml", 1),
        setting("dropout", 0.0, "dataclass", "Config", 2),
        setting("bias", True, "dataclass", "Config", 3),
        setting("bias", 1, "config_file", "a.yaml", 4),
    ]
    assert lines(values) == {"bias": [3, 4]}


def test_redacted_values_never_conflict() -> None:
    shaped = Value(text='"[REDACTED]"', literal=False)
    named = Value(text="[REDACTED]", literal=False)
    values = [
        setting("api_key", 1, "dataclass", "Config", 1).model_copy(update={"value": shaped}),
        setting("api_key", 1, "config_file", "a.yaml", 2).model_copy(update={"value": named}),
    ]
    assert lines(values) == {}
