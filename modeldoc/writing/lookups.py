"""Read-only look-ups into the fact sheet and the repository: what a writer (the LLM's tools)
may consult. Nothing here writes, runs code or reaches the network; every answer is capped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from modeldoc.facts import FactSheet
from modeldoc.tools.secrets import redact_text

MAX_ITEMS = 50
MAX_EXCERPT_LINES = 60
MAX_ANSWER_CHARS = 8_000
_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


class NotInFacts(LookupError):
    """A look-up that names nothing the facts hold (the writer is told why, nothing fails)."""


class Lookups:
    """Look-ups over one build's facts and its repository."""

    def __init__(self, facts: FactSheet, repo: Path) -> None:
        self._facts = facts
        self._data = facts.model_dump(mode="json", exclude={"narrative"})
        self._repo = repo.resolve()

    @property
    def facts(self) -> FactSheet:
        """The fact sheet the look-ups answer from."""
        return self._facts

    def fact(self, path: str) -> Any:
        """The fact at a JSON path such as `evaluation.metrics[0].value` (capped in size)."""
        value: Any = self._data
        position = 0
        for match in _STEP.finditer(path):
            if match.start() != position and path[position : match.start()] != ".":
                raise NotInFacts(f"not a fact path: {path!r}")
            key, index = match.groups()
            try:
                value = value[key] if key is not None else value[int(index)]
            except (KeyError, IndexError, TypeError):
                raise NotInFacts(f"no fact at {path!r}") from None
            position = match.end()
        if position != len(path) or not path:
            raise NotInFacts(f"not a fact path: {path!r}")
        return _capped(value)

    def metrics(self) -> list[dict[str, Any]]:
        """Every metric with its value, interval and why it is missing, if it is."""
        evaluation = self._facts.evaluation
        if evaluation is None:
            return []
        return [metric.model_dump(mode="json") for metric in evaluation.metrics]

    def find_symbol(self, name: str) -> list[dict[str, Any]]:
        """Classes and functions of the repository whose name or qualified name is `name`."""
        found = [
            symbol.model_dump(mode="json")
            for symbol in self._facts.code.symbols
            if name in (symbol.name, symbol.qualname)
        ]
        return found[:MAX_ITEMS]

    def shap_feature(self, feature: str) -> dict[str, Any]:
        """One feature's importance, direction and its part in each local explanation."""
        explanations = self._facts.explanations
        if explanations is None or feature not in explanations.features:
            raise NotInFacts(f"no SHAP values for a feature called {feature!r}")
        importance = next(item for item in explanations.importance if item.feature == feature)
        local = [
            {"row": row.row, "reason": row.reason, "value": part.value, "shap": part.shap}
            for row in explanations.local
            for part in row.contributions
            if part.feature == feature
        ]
        return {"importance": importance.model_dump(mode="json"), "local": local,
                "output": explanations.output}  # fmt: skip

    def source(self, file: str, start: int, end: int) -> str:
        """Lines `start` to `end` (1-based, at most 60) of a file the facts name, numbered,
        with secrets redacted; never a file outside the repository."""
        known = {symbol.source.file for symbol in self._facts.code.symbols}
        known |= {script.file for script in self._facts.code.scripts}
        if file not in known:
            raise NotInFacts(f"{file!r} is not a file the facts name")
        path = (self._repo / file).resolve()
        if self._repo not in path.parents or path.is_symlink() or not path.is_file():
            raise NotInFacts(f"{file!r} cannot be read")
        end = min(end, start + MAX_EXCERPT_LINES - 1)
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        if start < 1 or start > len(lines) or end < start:
            raise NotInFacts(f"{file} has lines 1 to {len(lines)}")
        shown = [f"{n:>5}  {lines[n - 1]}" for n in range(start, min(end, len(lines)) + 1)]
        return redact_text("\n".join(shown))[:MAX_ANSWER_CHARS]


def _capped(value: Any) -> Any:
    """Long lists are cut to `MAX_ITEMS`, long text to `MAX_ANSWER_CHARS`."""
    if isinstance(value, list) and len(value) > MAX_ITEMS:
        return [*value[:MAX_ITEMS], f"... {len(value) - MAX_ITEMS} more"]
    if isinstance(value, str):
        return value[:MAX_ANSWER_CHARS]
    return value
