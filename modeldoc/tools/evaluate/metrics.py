"""Classification and regression metrics with seeded 95% bootstrap intervals.

Every value comes from scikit-learn on the given arrays. A metric that cannot be computed
(one class only, missing values, zeros under MAPE) is kept with the reason, never guessed.

The intervals score the same seeded resamples scikit-learn would score one at a time, but
each metric family is computed for all resamples at once with numpy: confusion counts per
resample for the label metrics, Mann-Whitney counts for ROC-AUC, row sums for the regression
errors. The formulas and their order of summation follow scikit-learn's, so each resample's
value is the one scikit-learn gives (ROC-AUC: to float rounding, see `_binary_auc`), and a
metric scikit-learn leaves undefined on a resample is NaN here too.
"""

from __future__ import annotations

import functools
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
# An interval resting on fewer resamples than this share would be biased: none is given.
MIN_DEFINED_SHARE = 0.9
# Resamples are scored in blocks of about this many (resample, row) cells, so temporary
# arrays stay near 8 MB each however many rows are evaluated.
BLOCK_CELLS = 1 << 20

Scorer = Callable[[Array, Array], float]
# The metric's value on every bootstrap resample, computed only once the value on all rows
# is known to be defined.
Resampled = Callable[[], Array]


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
    indices = _resample_indices(len(y_true), resamples, seed)
    # Accuracy, balanced accuracy and F1 all derive from each resample's confusion counts.
    counts = functools.cache(lambda: _confusion_counts(y_true, y_pred, indices))
    found = [
        _metric("accuracy", skm.accuracy_score, y_true, y_pred, lambda: _accuracy(counts())),
        _metric(
            "balanced_accuracy",
            skm.balanced_accuracy_score,
            y_true,
            y_pred,
            lambda: _balanced_accuracy(counts()),
        ),
        _metric("precision_macro", _macro(skm.precision_score), y_true, y_pred),
        _metric("recall_macro", _macro(skm.recall_score), y_true, y_pred),
        _metric("f1_macro", _macro(skm.f1_score), y_true, y_pred, lambda: _f1_macro(counts())),
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
    indices = _resample_indices(len(y_true), resamples, seed)
    found = [
        _metric(
            "mae",
            skm.mean_absolute_error,
            y_true,
            y_pred,
            lambda: _mean_absolute_error(y_true, y_pred, indices),
        ),
        _metric(
            "rmse",
            skm.root_mean_squared_error,
            y_true,
            y_pred,
            lambda: _root_mean_squared_error(y_true, y_pred, indices),
        ),
        _metric("r2", skm.r2_score, y_true, y_pred, lambda: _r2(y_true, y_pred, indices)),
    ]
    if np.any(y_true == 0):
        found.append(Metric(name="mape", not_computed="the true values include zero"))
    else:
        found.append(_metric("mape", skm.mean_absolute_percentage_error, y_true, y_pred))
    return Evaluation(
        task="regression",
        rows=len(y_true),
        metrics=found,
        bootstrap_resamples=resamples,
        bootstrap_seed=seed,
    )


def _resample_indices(rows: int, resamples: int, seed: int) -> Array:
    """The rows drawn by each bootstrap resample: shape (resamples, rows), in one call, as
    before (drawing them in pieces could change the seeded stream)."""
    return np.random.default_rng(seed).integers(0, rows, size=(resamples, rows))


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
    log_loss = _metric(
        "log_loss", lambda t, p: float(skm.log_loss(t, p, labels=labels)), y_true, proba
    )
    if len(labels) == 2:
        positive = np.asarray(y_true) == labels[1]

        def auc(truth: Array, scores: Array) -> float:
            return float(skm.roc_auc_score(truth == labels[1], scores[:, 1]))

        return [
            _metric(
                "roc_auc", auc, y_true, proba, lambda: _binary_auc(positive, proba[:, 1], indices)
            ),
            log_loss,
            Metric(
                name="brier",
                value=float(skm.brier_score_loss(positive, proba[:, 1])),
                # Always predicting the positive rate p scores p(1-p): the bar to clear.
                reference=float(positive.mean() * (1 - positive.mean())),
            ),
        ]

    def multiclass_auc(truth: Array, scores: Array) -> float:
        return float(skm.roc_auc_score(truth, scores, multi_class="ovr", labels=labels))

    return [
        _metric(
            "roc_auc",
            multiclass_auc,
            y_true,
            proba,
            lambda: _one_vs_rest_auc(y_true, proba, labels, indices),
        ),
        log_loss,
    ]


def _metric(
    name: str,
    score: Scorer,
    y_true: Array,
    y_other: Array,
    resampled: Resampled | None = None,
) -> Metric:
    """The metric on all rows and, with `resampled`, its percentile bootstrap interval.

    The interval is computed only when the value on all rows is defined. A metric can still
    be undefined on some resamples (ROC-AUC on a resample holding one class, where
    scikit-learn returns NaN): the interval rests on the resamples where it is defined, and
    is not given when fewer than `MIN_DEFINED_SHARE` of them are.
    """
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
    if resampled is None:
        return Metric(name=name, value=value)
    samples = np.asarray(resampled(), dtype=np.float64)
    defined = samples[np.isfinite(samples)]
    if len(defined) < MIN_DEFINED_SHARE * len(samples):
        why = (
            f"the metric is undefined on {len(samples) - len(defined)} of {len(samples)} "
            "resamples (a resample lacking a class)"
        )
        return Metric(name=name, value=value, ci_resamples=len(defined), ci_not_computed=why)
    low, high = _percentile_interval(defined)
    return Metric(name=name, value=value, ci_low=low, ci_high=high, ci_resamples=len(defined))


def _percentile_interval(samples: Array) -> tuple[float, float]:
    """The central `CONFIDENCE` percentile interval of the per-resample values."""
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def _by_block(indices: Array, compute: Callable[[Array], Array]) -> Array:
    """`compute` on consecutive blocks of resamples (rows of `indices`), results stacked."""
    step = max(1, BLOCK_CELLS // max(1, indices.shape[1]))
    # At least one, possibly empty, block: zero resamples still give a result of the right
    # shape (and np.percentile then fails on it as it always did).
    starts = range(0, len(indices), step) or range(1)
    return np.concatenate([compute(indices[start : start + step]) for start in starts])


# Label metrics ---------------------------------------------------------------------------


def _confusion_counts(y_true: Array, y_pred: Array, indices: Array) -> Array:
    """Each resample's confusion matrix over all labels seen: shape (resamples, k, k).

    A label absent from a resample has an empty row and column here, where scikit-learn's
    matrix for that resample lacks it; the metrics below leave such labels out as it does.
    """
    # Labels in sorted order, as scikit-learn's `unique_labels` orders them.
    _, codes = np.unique(np.concatenate([y_true, y_pred]), return_inverse=True)
    k = int(codes.max()) + 1
    cells = codes[: len(y_true)] * k + codes[len(y_true) :]  # each row's (true, predicted) cell

    def block(rows: Array) -> Array:
        # Offset each resample's cells by its own k*k, so one bincount counts every resample.
        offset = np.arange(len(rows))[:, None] * (k * k)
        counted = np.bincount((cells[rows] + offset).ravel(), minlength=len(rows) * k * k)
        return counted.reshape(len(rows), k, k)

    return _by_block(indices, block)


def _accuracy(counts: Array) -> Array:
    """Share of rows on the diagonal: the mean of `y_true == y_pred`, exactly."""
    hits: Array = np.trace(counts, axis1=1, axis2=2)
    rows: Array = counts.sum(axis=(1, 2))
    return hits / rows


def _balanced_accuracy(counts: Array) -> Array:
    """Mean recall over the labels present in each resample's true values.

    scikit-learn's recall of a label that is only predicted is 0/0; it drops it with a
    warning (ignored while resampling, as before).
    """
    truth = counts.sum(axis=2)
    hits = np.diagonal(counts, axis1=1, axis2=2)
    present = truth > 0
    recall = np.divide(hits, truth, out=np.zeros(truth.shape), where=present)
    return _mean_where(recall, present)


def _f1_macro(counts: Array) -> Array:
    """Mean F1 over the labels present (true or predicted) in each resample.

    scikit-learn's form with beta = 1: (1 + beta²)·tp / (beta²·true + predicted), in float64.
    A present label never has a zero denominator, so `zero_division` never applies.
    """
    truth = counts.sum(axis=2)
    predicted = counts.sum(axis=1)
    hits = np.diagonal(counts, axis1=1, axis2=2)
    present = (truth + predicted) > 0
    denominator = 1.0 * truth + predicted
    f1 = np.divide(2.0 * hits, denominator, out=np.zeros(truth.shape), where=present)
    return _mean_where(f1, present)


def _mean_where(values: Array, defined: Array) -> Array:
    """Each row's mean over its defined entries, to the bit what np.mean gives on them.

    numpy sums pairwise by position, so zeros standing in for the undefined entries could
    change the last bit: the defined entries are moved to the front of their row, in order,
    and the rows with the same number of them summed over exactly that many columns.
    """
    order = np.argsort(~defined, axis=1, kind="stable")
    packed = np.take_along_axis(values, order, axis=1)
    count = defined.sum(axis=1)
    means = np.full(len(values), np.nan)
    for k in np.unique(count[count > 0]):
        rows = count == k
        means[rows] = packed[rows, :k].sum(axis=1) / k
    return means


# ROC-AUC ---------------------------------------------------------------------------------


def _binary_auc(positive: Array, score: Array, indices: Array) -> Array:
    """ROC-AUC of each resample as the Mann-Whitney U statistic, a tie counting one half.

    That is the area under scikit-learn's ROC curve, but counted exactly (in integers, one
    rounding at the end) instead of summed as trapezoids, so it can differ from scikit-learn's
    value in the last bits. A resample without both classes is NaN, as scikit-learn 1.9
    returns it (with a warning).
    """
    # Equal scores form one tie group; groups are numbered by increasing score.
    _, group = np.unique(score, return_inverse=True)
    groups = int(group.max()) + 1
    cells = group * 2 + positive  # each row's (tie group, class) cell

    def block(rows: Array) -> Array:
        offset = np.arange(len(rows))[:, None] * (2 * groups)
        counted = np.bincount((cells[rows] + offset).ravel(), minlength=len(rows) * 2 * groups)
        counted = counted.reshape(len(rows), groups, 2)
        negatives, positives = counted[:, :, 0], counted[:, :, 1]
        below = np.cumsum(negatives, axis=1) - negatives  # negatives scored strictly lower
        # Twice U, to stay in integers: a positive scores 2 per negative below, 1 per tie.
        twice_u = (positives * (2 * below + negatives)).sum(axis=1)
        pairs = positives.sum(axis=1) * negatives.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(pairs > 0, twice_u / (2 * pairs), np.nan)

    return _by_block(indices, block)


def _one_vs_rest_auc(y_true: Array, proba: Array, labels: list[object], indices: Array) -> Array:
    """Macro one-vs-rest ROC-AUC of each resample.

    scikit-learn takes the plain mean of the per-label AUCs, so a resample missing any label
    (its AUC is NaN) is NaN.
    """
    per_label: Array = np.column_stack(
        [
            _binary_auc(np.asarray(y_true) == label, proba[:, column], indices)
            for column, label in enumerate(labels)
        ]
    )
    total: Array = per_label.sum(axis=1)
    return total / len(labels)


# Regression errors -----------------------------------------------------------------------


def _float_pair(y_true: Array, y_pred: Array) -> tuple[Array, Array]:
    """Both arrays in the dtype scikit-learn computes regression metrics in: the widest
    floating input dtype, float64 when neither is floating."""
    floating = [a.dtype for a in (y_true, y_pred) if np.issubdtype(a.dtype, np.floating)]
    dtype = np.result_type(*floating) if floating else np.dtype(np.float64)
    return np.asarray(y_true, dtype=dtype), np.asarray(y_pred, dtype=dtype)


def _mean_absolute_error(y_true: Array, y_pred: Array, indices: Array) -> Array:
    true, pred = _float_pair(y_true, y_pred)
    errors = np.abs(pred - true)  # per row, then gathered by each resample
    return _by_block(indices, lambda rows: errors[rows].mean(axis=1))


def _root_mean_squared_error(y_true: Array, y_pred: Array, indices: Array) -> Array:
    true, pred = _float_pair(y_true, y_pred)
    squared = (true - pred) ** 2
    return _by_block(indices, lambda rows: np.sqrt(squared[rows].mean(axis=1)))


def _r2(y_true: Array, y_pred: Array, indices: Array) -> Array:
    """R² of each resample, with scikit-learn's `force_finite` rule for a constant truth:
    1 when the predictions are exact too, else 0."""
    true, pred = _float_pair(y_true, y_pred)
    squared = (true - pred) ** 2

    def block(rows: Array) -> Array:
        numerator = squared[rows].sum(axis=1)
        resampled = true[rows]
        spread = resampled - resampled.mean(axis=1, keepdims=True)
        denominator = (spread**2).sum(axis=1)
        r2 = np.ones(len(rows), dtype=true.dtype)
        defined = (denominator != 0) & (numerator != 0)
        r2[defined] = 1 - numerator[defined] / denominator[defined]
        r2[(numerator != 0) & (denominator == 0)] = 0.0
        return r2

    return _by_block(indices, block)


def _has_nan(values: Array) -> bool:
    return bool(np.issubdtype(values.dtype, np.floating) and np.isnan(values).any())
