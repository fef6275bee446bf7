"""Classification and regression metrics with seeded 95% bootstrap intervals.

Every value comes from scikit-learn on the given arrays. A metric that cannot be computed
(one class only, missing values, zeros under MAPE) is kept with the reason, never guessed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn import metrics as skm

from modeldoc.facts import Evaluation, Metric

Array = NDArray[Any]
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 0
CONFIDENCE = 0.95

Scorer = Callable[[Array, Array], float]


def classification(
    y_true: Array,
    y_pred: Array,
    proba: Array | None = None,
    *,
    labels: list[object] | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Evaluation:
    """Metrics of a classifier; `proba` has one column per label, in `labels` order."""
    labels = labels if labels is not None else sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, len(y_true), size=(resamples, len(y_true)))
    found = [
        _metric("accuracy", skm.accuracy_score, y_true, y_pred, indices),
        _metric("balanced_accuracy", skm.balanced_accuracy_score, y_true, y_pred, indices),
        _metric("precision_macro", _macro(skm.precision_score), y_true, y_pred, None),
        _metric("recall_macro", _macro(skm.recall_score), y_true, y_pred, None),
        _metric("f1_macro", _macro(skm.f1_score), y_true, y_pred, indices),
    ]
    found.extend(_probability_metrics(y_true, proba, labels, indices))
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    per_class = {
        str(label): {"precision": float(p), "recall": float(r), "f1": float(f), "support": float(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    matrix = skm.confusion_matrix(y_true, y_pred, labels=labels)
    return Evaluation(
        task="classification",
        rows=len(y_true),
        metrics=found,
        labels=[str(label) for label in labels],
        per_class=per_class,
        confusion_matrix=matrix.tolist(),
        bootstrap_resamples=resamples,
        bootstrap_seed=seed,
    )


def regression(
    y_true: Array,
    y_pred: Array,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Evaluation:
    """Metrics of a regressor: MAE, RMSE, R² with intervals, and MAPE when defined."""
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, len(y_true), size=(resamples, len(y_true)))
    found = [
        _metric("mae", skm.mean_absolute_error, y_true, y_pred, indices),
        _metric("rmse", skm.root_mean_squared_error, y_true, y_pred, indices),
        _metric("r2", skm.r2_score, y_true, y_pred, indices),
    ]
    if np.any(y_true == 0):
        found.append(Metric(name="mape", not_computed="the true values include zero"))
    else:
        found.append(_metric("mape", skm.mean_absolute_percentage_error, y_true, y_pred, None))
    return Evaluation(
        task="regression",
        rows=len(y_true),
        metrics=found,
        bootstrap_resamples=resamples,
        bootstrap_seed=seed,
    )


def _macro(score: Callable[..., float]) -> Scorer:
    def macro(y_true: Array, y_pred: Array) -> float:
        return float(score(y_true, y_pred, average="macro", zero_division=0))

    return macro


def _probability_metrics(
    y_true: Array,
    proba: Array | None,
    labels: list[object],
    indices: Array,
) -> list[Metric]:
    names = ["roc_auc", "log_loss"] + (["brier"] if len(labels) == 2 else [])
    if proba is None:
        return [
            Metric(name=name, not_computed="the model gives no probabilities") for name in names
        ]
    if len(set(y_true.tolist())) < 2:
        return [
            Metric(name=name, not_computed="the true labels hold one class only") for name in names
        ]
    if len(labels) == 2:
        positive = np.asarray(y_true) == labels[1]

        def auc(truth: Array, scores: Array) -> float:
            return float(skm.roc_auc_score(truth == labels[1], scores[:, 1]))

        found = [_metric("roc_auc", auc, y_true, proba, indices)]
        found.append(
            _metric(
                "log_loss",
                lambda t, p: float(skm.log_loss(t, p, labels=labels)),
                y_true,
                proba,
                None,
            )
        )
        found.append(Metric(name="brier", value=float(skm.brier_score_loss(positive, proba[:, 1]))))
        return found

    def multiclass_auc(truth: Array, scores: Array) -> float:
        return float(skm.roc_auc_score(truth, scores, multi_class="ovr", labels=labels))

    return [
        _metric("roc_auc", multiclass_auc, y_true, proba, indices),
        _metric(
            "log_loss", lambda t, p: float(skm.log_loss(t, p, labels=labels)), y_true, proba, None
        ),
    ]


def _metric(
    name: str,
    score: Callable[[Array, Array], float],
    y_true: Array,
    y_other: Array,
    indices: Array | None,
) -> Metric:
    """The metric on all rows and, with `indices`, its percentile bootstrap interval."""
    if _has_nan(y_other) or _has_nan(y_true):
        return Metric(name=name, not_computed="the predictions or true values include NaN")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = float(score(y_true, y_other))
        except ValueError as error:
            return Metric(name=name, not_computed=str(error).splitlines()[0])
    if caught:
        # scikit-learn warns when a metric is ill-defined here (one class, a label never
        # predicted): say so instead of publishing the degenerate number.
        return Metric(name=name, not_computed=str(caught[0].message).splitlines()[0])
    if indices is None:
        return Metric(name=name, value=value)
    samples = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a degenerate resample is dropped below, not reported
        for rows in indices:
            try:
                samples.append(float(score(y_true[rows], y_other[rows])))
            except ValueError:
                continue  # a resample without both classes has no AUC: skipped, not faked
    if len(samples) < len(indices) // 2:
        return Metric(name=name, value=value)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return Metric(name=name, value=value, ci_low=float(low), ci_high=float(high))


def _has_nan(values: Array) -> bool:
    return bool(np.issubdtype(values.dtype, np.floating) and np.isnan(values).any())
