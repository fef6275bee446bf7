"""Results per slice of a sensitive column and the gaps between slices; for binary
classifiers also demographic parity and equalized odds.

The values are fairlearn's (its metric functions, `MetricFrame`'s grouping and its
between-groups differences), but the rows of each group are found once with numpy:
`MetricFrame` itself stacks every row as its own array in Python, which took minutes on
500,000 rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd
from fairlearn.metrics import false_positive_rate, selection_rate, true_positive_rate
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
    groups = _groups(groups_column)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a one-class slice: its value is kept, gaps still hold
        by_group = _by_group(metrics, y_true, y_pred, groups)
    report = SliceReport(
        column=str(sensitive.name),
        groups=[
            SliceGroup(
                value=str(value),
                rows=len(rows),
                metrics={name: finite_or_none(by_group.loc[value, name]) for name in metrics},
            )
            for value, rows in groups.items()
        ],
        largest_gap={name: finite_or_none(_gap(by_group[name])) for name in metrics},
    )
    if task == "classification" and positive_label is not None:
        _fairness(report, y_true, y_pred, groups, positive_label)
    elif task == "classification":
        why = "defined for binary classifiers; this model predicts more than two classes"
        report.not_computed["demographic_parity_difference"] = why
        report.not_computed["equalized_odds_difference"] = why
    return report


def _groups(values: Array) -> dict[str, Array]:
    """The row positions of each value, the values in sorted order (as `MetricFrame`'s
    grouping orders them)."""
    names, codes = np.unique(values.astype(str), return_inverse=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(names)))[:-1]
    return dict(zip(names.tolist(), np.split(order, bounds), strict=True))


def _by_group(
    metrics: dict[str, Callable[..., float]], y_true: Array, y_pred: Array, groups: dict[str, Array]
) -> pd.DataFrame:
    """Each metric on each group's rows: one row per group, one column per metric."""
    truth, predicted = np.asarray(y_true), np.asarray(y_pred)
    return pd.DataFrame(
        {name: [float(metric(truth[rows], predicted[rows])) for rows in groups.values()]
         for name, metric in metrics.items()},
        index=list(groups),
    )  # fmt: skip


def _gap(values: pd.Series) -> float:
    """The largest minus the smallest value over the groups (NaN left out), as
    `MetricFrame.difference(method="between_groups")` computes it."""
    return float(values.max() - values.min())


def _fairness(
    report: SliceReport, y_true: Array, y_pred: Array, groups: dict[str, Array], positive: object
) -> None:
    """fairlearn's `demographic_parity_difference` and `equalized_odds_difference` (worst
    case of the true- and false-positive-rate gaps), on the groups found once."""
    truth = (np.asarray(y_true) == positive).astype(int)
    predicted = (np.asarray(y_pred) == positive).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a group without positives: its rate is NaN
        selection = _by_group({"selection_rate": selection_rate}, truth, predicted, groups)
        report.demographic_parity_difference = finite_or_none(_gap(selection["selection_rate"]))
        try:
            rates = _by_group({"tpr": true_positive_rate, "fpr": false_positive_rate},
                              truth, predicted, groups)  # fmt: skip
        except ValueError as error:  # a slice without one of the two classes
            report.not_computed["equalized_odds_difference"] = first_line(error)
            return
    report.equalized_odds_difference = finite_or_none(max(rates.max() - rates.min()))
