"""Results per slice of a sensitive column, with fairlearn's `MetricFrame`, and the gaps
between slices; for binary classifiers also demographic parity and equalized odds."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    equalized_odds_difference,
)
from numpy.typing import NDArray
from sklearn import metrics as skm

from modeldoc.errors import first_line
from modeldoc.facts import SliceGroup, SliceReport
from modeldoc.tools.files import finite_or_none

Array = NDArray[Any]
_CLASSIFICATION: dict[str, Callable[..., float]] = {
    "accuracy": skm.accuracy_score,
    "balanced_accuracy": skm.balanced_accuracy_score,
    "f1_macro": lambda t, p: skm.f1_score(t, p, average="macro", zero_division=0),
}
_REGRESSION: dict[str, Callable[..., float]] = {
    "mae": skm.mean_absolute_error,
    "rmse": skm.root_mean_squared_error,
}


def slice_report(
    y_true: Array,
    y_pred: Array,
    sensitive: pd.Series,
    task: Literal["classification", "regression"],
    *,
    positive_label: object | None = None,
) -> SliceReport:
    """The metrics per value of `sensitive`, the largest gap of each, and, for a binary
    classifier (`positive_label` given), the demographic-parity and equalized-odds differences."""
    metrics = _CLASSIFICATION if task == "classification" else _REGRESSION
    groups_column = sensitive.astype("string").fillna("<missing>").to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a one-class slice: its value is kept, gaps still hold
        frame = MetricFrame(
            metrics={**metrics, "rows": lambda t, p: float(len(t))},
            y_true=y_true,
            y_pred=y_pred,
            sensitive_features=groups_column,
        )
    by_group = frame.by_group
    report = SliceReport(
        column=str(sensitive.name),
        groups=[
            SliceGroup(
                value=str(value),
                rows=int(row["rows"]),
                metrics={name: finite_or_none(row[name]) for name in metrics},
            )
            for value, row in by_group.iterrows()
        ],
        largest_gap={
            name: finite_or_none(by_group[name].max() - by_group[name].min()) for name in metrics
        },
    )
    if task == "classification" and positive_label is not None:
        _fairness(report, y_true, y_pred, groups_column, positive_label)
    elif task == "classification":
        why = "defined for binary classifiers; this model predicts more than two classes"
        report.not_computed["demographic_parity_difference"] = why
        report.not_computed["equalized_odds_difference"] = why
    return report


def _fairness(
    report: SliceReport, y_true: Array, y_pred: Array, groups: Array, positive: object
) -> None:
    truth = (np.asarray(y_true) == positive).astype(int)
    predicted = (np.asarray(y_pred) == positive).astype(int)
    report.demographic_parity_difference = finite_or_none(
        demographic_parity_difference(truth, predicted, sensitive_features=groups)
    )
    try:
        report.equalized_odds_difference = finite_or_none(
            equalized_odds_difference(truth, predicted, sensitive_features=groups)
        )
    except ValueError as error:  # a slice without one of the two classes
        report.not_computed["equalized_odds_difference"] = first_line(error)
