"""Which rows to explain one by one: three representative rows chosen by a stated rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]

CLASSIFICATION_RULE = (
    "the most confident correct prediction, the most confident wrong prediction, and the "
    "prediction closest to the decision boundary (smallest gap between the two most likely "
    "classes), among the explained rows"
)
CLASSIFICATION_RULE_NO_PROBABILITIES = (
    "the first correct and the first wrong prediction among the explained rows (the model "
    "gives no probabilities to rank them by)"
)
REGRESSION_RULE = (
    "the largest over-prediction, the largest under-prediction and the most accurate "
    "prediction, among the explained rows"
)


@dataclass(frozen=True)
class ChosenRow:
    """A position among the explained rows and the rule that picked it."""

    position: int
    reason: str


def classification_rows(
    y_true: Array, y_pred: Array, proba: Array | None
) -> tuple[str, list[ChosenRow]]:
    """Up to three distinct rows of a classifier's results (arrays over the explained rows)."""
    correct = np.asarray(y_true == y_pred, dtype=bool)
    if proba is None:
        chosen = [
            _first(correct, "first correct prediction"),
            _first(~correct, "first wrong prediction"),
        ]
        return CLASSIFICATION_RULE_NO_PROBABILITIES, [row for row in chosen if row is not None]
    ranked = np.sort(proba, axis=1)
    confidence = ranked[:, -1]
    margin = ranked[:, -1] - ranked[:, -2] if proba.shape[1] > 1 else confidence
    rows: list[ChosenRow] = []
    for mask, score, reason in (
        (correct, confidence, "most confident correct prediction"),
        (~correct, confidence, "most confident wrong prediction"),
        (np.ones_like(correct), -margin, "closest to the decision boundary"),
    ):
        taken = [row.position for row in rows]
        row = _best(mask, score, taken, reason)
        if row is not None:
            rows.append(row)
    return CLASSIFICATION_RULE, rows


def regression_rows(y_true: Array, y_pred: Array) -> tuple[str, list[ChosenRow]]:
    """Up to three distinct rows of a regressor's results (arrays over the explained rows)."""
    residual = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    everything = np.ones(len(residual), dtype=bool)
    rows: list[ChosenRow] = []
    for mask, score, reason in (
        (residual > 0, residual, "largest over-prediction"),
        (residual < 0, -residual, "largest under-prediction"),
        (everything, -np.abs(residual), "most accurate prediction"),
    ):
        row = _best(mask, score, [row.position for row in rows], reason)
        if row is not None:
            rows.append(row)
    return REGRESSION_RULE, rows


def _best(mask: Array, score: Array, taken: list[int], reason: str) -> ChosenRow | None:
    allowed = np.asarray(mask, dtype=bool) & np.isfinite(score)
    allowed[taken] = False
    if not allowed.any():
        return None
    # argmax over the allowed rows; ties go to the earliest row, so the choice is stable.
    position = int(np.flatnonzero(allowed)[np.argmax(score[allowed])])
    return ChosenRow(position, reason)


def _first(mask: Array, reason: str) -> ChosenRow | None:
    found = np.flatnonzero(mask)
    return ChosenRow(int(found[0]), reason) if found.size else None
