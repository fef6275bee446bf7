"""Classification and regression metrics with seeded 95% bootstrap intervals.

Every value comes from scikit-learn on the given arrays. A metric that cannot be computed
(one class only, missing values, zeros under MAPE) is kept with the reason, never guessed.

The intervals score the same seeded resamples scikit-learn would score one at a time, but
each metric family is computed for many resamples at once with numpy: confusion counts per
resample for the label metrics, Mann-Whitney counts for ROC-AUC, row sums for the regression
errors. The formulas and their order of summation follow scikit-learn's, so each resample's
value is the one scikit-learn gives (ROC-AUC: to float rounding, see `_binary_auc`), and a
metric scikit-learn leaves undefined on a resample is NaN here too.

The resamples are drawn and scored block by block, in one pass for every metric, so memory
stays near `BLOCK_CELLS` index cells however many rows there are; the blocks come from one
seeded generator in order, so the rows drawn are those of a single (resamples, rows) draw.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
# Resamples are drawn and scored in blocks of about this many (resample, row) cells, so the
# index block and the temporary arrays stay near 8 MB each however many rows are evaluated.
BLOCK_CELLS = 1 << 20

Scorer = Callable[[Array, Array], float]


@dataclass(frozen=True)
class Family:
    """Metrics computed together on a block of resamples (rows of row indices), e.g. those
    derived from one confusion count: `compute` gives each name's value per resample."""

    names: tuple[str, ...]
    compute: Callable[[Array], dict[str, Array]]


@dataclass(frozen=True)
class Bootstrap:
    """`resamples` seeded draws of `rows` row indices with replacement."""

    rows: int
    resamples: int
    seed: int

    def blocks(self) -> Iterator[Array]:
        """The draws in consecutive blocks of shape (k, rows), about `BLOCK_CELLS` each.

        One generator serves every block in order, so the blocks stacked equal one draw of
        shape (resamples, rows): the bit generator keeps its state (including a half-used
        64-bit word) between calls, and each index is drawn the same way either way.
        """
        generator = np.random.default_rng(self.seed)
        step = max(1, BLOCK_CELLS // max(1, self.rows))
        for start in range(0, self.resamples, step):
            size = min(step, self.resamples - start)
            yield generator.integers(0, self.rows, size=(size, self.rows))

    def score(self, families: list[Family], names: set[str]) -> dict[str, Array]:
        """Each of `names` on every resample, in one pass over the blocks; the families
        holding none of `names` are not computed (and nothing is drawn when none is wanted)."""
        wanted = [family for family in families if names.intersection(family.names)]
        parts: dict[str, list[Array]] = {name: [] for name in names}
        if not wanted:
            return {}
        for block in self.blocks():
            for family in wanted:
                for name, values in family.compute(block).items():
                    if name in parts:
                        parts[name].append(values)
        return {
            name: np.concatenate(found) if found else np.empty(0) for name, found in parts.items()
        }


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
    found = [
        _value("accuracy", skm.accuracy_score, y_true, y_pred),
        _value("balanced_accuracy", skm.balanced_accuracy_score, y_true, y_pred),
        _value("precision_macro", _macro(skm.precision_score), y_true, y_pred),
        _value("recall_macro", _macro(skm.recall_score), y_true, y_pred),
        _value("f1_macro", _macro(skm.f1_score), y_true, y_pred),
    ]
    families = [_label_family(y_true, y_pred)]
    probability, auc = _probability_metrics(y_true, proba, labels)
    found.extend(probability)
    families.extend(auc)
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
        metrics=_with_intervals(found, Bootstrap(len(y_true), resamples, seed), families),
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
    found = [
        _value("mae", skm.mean_absolute_error, y_true, y_pred),
        _value("rmse", skm.root_mean_squared_error, y_true, y_pred),
        _value("r2", skm.r2_score, y_true, y_pred),
    ]
    if np.any(y_true == 0):
        found.append(Metric(name="mape", not_computed="the true values include zero"))
    else:
        found.append(_value("mape", skm.mean_absolute_percentage_error, y_true, y_pred))
    return Evaluation(
        task="regression",
        rows=len(y_true),
        metrics=_with_intervals(
            found, Bootstrap(len(y_true), resamples, seed), [_error_family(y_true, y_pred)]
        ),
        bootstrap_resamples=resamples,
        bootstrap_seed=seed,
    )


def _macro(score: Callable[..., float]) -> Scorer:
    def macro(y_true: Array, y_pred: Array) -> float:
        return float(score(y_true, y_pred, average="macro", zero_division=0))

    return macro


def _probability_metrics(
    y_true: Array, proba: Array | None, labels: list[object]
) -> tuple[list[Metric], list[Family]]:
    """ROC-AUC, log loss and (binary) the Brier score, and the family that resamples AUC."""
    names = ["roc_auc", "log_loss"] + (["brier"] if len(labels) == 2 else [])
    if proba is None:
        why = "the model gives no probabilities"
        return [Metric(name=name, not_computed=why) for name in names], []
    if len(set(y_true.tolist())) < 2:
        why = "the true labels hold one class only"
        return [Metric(name=name, not_computed=why) for name in names], []
    log_loss = _value(
        "log_loss", lambda t, p: float(skm.log_loss(t, p, labels=labels)), y_true, proba
    )
    if len(labels) == 2:
        positive = np.asarray(y_true) == labels[1]

        def auc(truth: Array, scores: Array) -> float:
            return float(skm.roc_auc_score(truth == labels[1], scores[:, 1]))

        binary = _binary_auc(positive, proba[:, 1])
        found = [
            _value("roc_auc", auc, y_true, proba),
            log_loss,
            Metric(
                name="brier",
                value=float(skm.brier_score_loss(positive, proba[:, 1])),
                # Always predicting the positive rate p scores p(1-p): the bar to clear.
                reference=float(positive.mean() * (1 - positive.mean())),
            ),
        ]
        return found, [Family(("roc_auc",), lambda rows: {"roc_auc": binary(rows)})]

    def multiclass_auc(truth: Array, scores: Array) -> float:
        return float(skm.roc_auc_score(truth, scores, multi_class="ovr", labels=labels))

    one_vs_rest = _one_vs_rest_auc(y_true, proba, labels)
    return [_value("roc_auc", multiclass_auc, y_true, proba), log_loss], [
        Family(("roc_auc",), lambda rows: {"roc_auc": one_vs_rest(rows)})
    ]


def _value(name: str, score: Scorer, y_true: Array, y_other: Array) -> Metric:
    """The metric on all rows, or why it has no value."""
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
    return Metric(name=name, value=value)


def _with_intervals(
    found: list[Metric], bootstrap: Bootstrap, families: list[Family]
) -> list[Metric]:
    """`found` with the percentile bootstrap interval of each metric a family resamples.

    An interval is computed only when the value on all rows is defined. A metric can still
    be undefined on some resamples (ROC-AUC on a resample holding one class, where
    scikit-learn returns NaN): the interval rests on the resamples where it is defined, and
    is not given when fewer than `MIN_DEFINED_SHARE` of them are.
    """
    resampled = {name for family in families for name in family.names}
    wanted = {metric.name for metric in found if metric.value is not None} & resampled
    samples = bootstrap.score(families, wanted)
    return [
        _interval(metric, samples[metric.name]) if metric.name in samples else metric
        for metric in found
    ]


def _interval(metric: Metric, samples: Array) -> Metric:
    """`metric` with its interval over `samples` (its value on each resample), or why not."""
    defined = samples[np.isfinite(samples)]
    if not len(samples):
        return metric.model_copy(update={"ci_not_computed": "no bootstrap resamples were drawn"})
    if len(defined) < MIN_DEFINED_SHARE * len(samples):
        why = (
            f"the metric is undefined on {len(samples) - len(defined)} of {len(samples)} "
            "resamples (a resample lacking a class)"
        )
        return metric.model_copy(update={"ci_resamples": len(defined), "ci_not_computed": why})
    low, high = _percentile_interval(defined)
    return metric.model_copy(update={"ci_low": low, "ci_high": high, "ci_resamples": len(defined)})


def _percentile_interval(samples: Array) -> tuple[float, float]:
    """The central `CONFIDENCE` percentile interval of the per-resample values."""
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


# Label metrics ---------------------------------------------------------------------------


def _label_family(y_true: Array, y_pred: Array) -> Family:
    """Accuracy, balanced accuracy and macro F1, all from each resample's confusion counts."""
    counts = _confusion_counts(y_true, y_pred)

    def compute(rows: Array) -> dict[str, Array]:
        counted = counts(rows)
        return {
            "accuracy": _accuracy(counted),
            "balanced_accuracy": _balanced_accuracy(counted),
            "f1_macro": _f1_macro(counted),
        }

    return Family(("accuracy", "balanced_accuracy", "f1_macro"), compute)


def _confusion_counts(y_true: Array, y_pred: Array) -> Callable[[Array], Array]:
    """Each resample's confusion matrix over all labels seen, shape (resamples, k, k), for a
    block of resamples.

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

    return block


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


def _binary_auc(positive: Array, score: Array) -> Callable[[Array], Array]:
    """ROC-AUC of each resample of a block as the Mann-Whitney U statistic, a tie counting
    one half.

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

    return block


def _one_vs_rest_auc(y_true: Array, proba: Array, labels: list[object]) -> Callable[[Array], Array]:
    """Macro one-vs-rest ROC-AUC of each resample of a block.

    scikit-learn takes the plain mean of the per-label AUCs, so a resample missing any label
    (its AUC is NaN) is NaN.
    """
    per_label = [
        _binary_auc(np.asarray(y_true) == label, proba[:, column])
        for column, label in enumerate(labels)
    ]

    def block(rows: Array) -> Array:
        aucs: Array = np.column_stack([auc(rows) for auc in per_label])
        total: Array = aucs.sum(axis=1)
        return total / len(labels)

    return block


# Regression errors -----------------------------------------------------------------------


def _float_pair(y_true: Array, y_pred: Array) -> tuple[Array, Array]:
    """Both arrays in the dtype scikit-learn computes regression metrics in: the widest
    floating input dtype, float64 when neither is floating."""
    floating = [a.dtype for a in (y_true, y_pred) if np.issubdtype(a.dtype, np.floating)]
    dtype = np.result_type(*floating) if floating else np.dtype(np.float64)
    return np.asarray(y_true, dtype=dtype), np.asarray(y_pred, dtype=dtype)


def _error_family(y_true: Array, y_pred: Array) -> Family:
    """MAE, RMSE and R² of each resample of a block, from per-row errors."""
    true, pred = _float_pair(y_true, y_pred)
    errors = np.abs(pred - true)
    squared = (true - pred) ** 2

    def compute(rows: Array) -> dict[str, Array]:
        resampled_squared = squared[rows]
        return {
            "mae": errors[rows].mean(axis=1),
            "rmse": np.sqrt(resampled_squared.mean(axis=1)),
            "r2": _r2(true[rows], resampled_squared),
        }

    return Family(("mae", "rmse", "r2"), compute)


def _r2(true: Array, squared: Array) -> Array:
    """R² of each resample (a row of `true` and of its squared errors), with scikit-learn's
    `force_finite` rule for a constant truth: 1 when the predictions are exact too, else 0."""
    numerator = squared.sum(axis=1)
    spread = true - true.mean(axis=1, keepdims=True)
    denominator = (spread**2).sum(axis=1)
    r2 = np.ones(len(true), dtype=true.dtype)
    defined = (denominator != 0) & (numerator != 0)
    r2[defined] = 1 - numerator[defined] / denominator[defined]
    r2[(numerator != 0) & (denominator == 0)] = 0.0
    return r2


def _has_nan(values: Array) -> bool:
    return bool(np.issubdtype(values.dtype, np.floating) and np.isnan(values).any())
