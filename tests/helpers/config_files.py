"""Read a config file's settings as a table keyed by dotted key."""

from __future__ import annotations

from pydantic import JsonValue

from modeldoc.facts import Hyperparameter
from modeldoc.tools.config_files import config_hyperparameters


def read(path: str, text: str) -> dict[str, tuple[int, str, JsonValue]]:
    params, issues = config_hyperparameters(path, text)
    assert issues == []
    return table(params)


def table(params: list[Hyperparameter]) -> dict[str, tuple[int, str, JsonValue]]:
    for param in params:
        assert param.origin == "config_file"
        assert param.value.literal
        assert param.scope == param.source.file
        assert param.name in param.key
    return {p.key: (p.source.line, p.value.text, p.value.value) for p in params}
