"""What the explanation step hands between its parts: the budget it works within, and SHAP
values as an explainer gave them with the output they should add up to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from numpy.typing import NDArray

from modeldoc.settings import BuildSettings, default_of
from modeldoc.tools.explain.outputs import OutputScale

Array = NDArray[Any]
RowsDone = Callable[[int, int], None]
"""Told the rows explained so far and of how many, as the explainer goes (progress)."""


@dataclass(frozen=True)
class ExplainBudget:
    """Bounds of the model-agnostic path, and the seed of every sample drawn; by default the
    settings' defaults."""

    rows: int = default_of("explain_rows")
    seconds: float = default_of("explain_seconds")
    background: int = default_of("explain_background")
    seed: int = default_of("seed")

    @classmethod
    def from_settings(cls, settings: BuildSettings) -> ExplainBudget:
        """The budget a build's settings give."""
        return cls(rows=settings.explain_rows, seconds=settings.explain_seconds,
                   background=settings.explain_background, seed=settings.seed)  # fmt: skip


@dataclass
class RawShap:
    """SHAP values as the explainer gave them, and the output they should add up to."""

    values: Array  # (n, f) or (n, f, k)
    base_values: Array  # (n,) or (n, k)
    output: Array  # (n,) or (n, k)
    scale: OutputScale
    compared_with: str
    background_rows: int | None = None
    permutations: int | None = None
    stopped_by_time: bool = False
