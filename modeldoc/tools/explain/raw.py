"""What the explanation step hands between its parts: the budget it works within, and SHAP
values as an explainer gave them with the output they should add up to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from numpy.typing import NDArray

from modeldoc.tools.explain.outputs import OutputScale

Array = NDArray[Any]


@dataclass(frozen=True)
class ExplainBudget:
    """Bounds of the model-agnostic path, and the seed of every sample drawn."""

    rows: int = 200
    seconds: float = 60.0
    background: int = 100
    seed: int = 0


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
