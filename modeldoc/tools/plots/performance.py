"""Performance plots drawn by scikit-learn's Display classes, each one a `Plot` fact.

Classification: the confusion matrix (counts); for a binary classifier with probabilities the
ROC, precision-recall and calibration curves of the positive class. A multiclass classifier
gets one-vs-rest ROC curves, one per class on one axes (up to `MAX_CURVES` classes); its
precision-recall and calibration plots are skipped with a reason, as the metrics behind them
are binary. Regression: actual against predicted values, and residuals against predicted.

Alt text quotes only numbers from the `Evaluation` fact or computed from the given arrays; a
metric the evaluation lacks is said to be missing, never filled in. Alt text and legends state
numbers, metrics and intervals as every other output does (`modeldoc.present`): the legend
of a ROC curve reads like the card.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import NDArray
from sklearn.calibration import CalibrationDisplay
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    PredictionErrorDisplay,
    RocCurveDisplay,
)

from modeldoc.errors import first_line
from modeldoc.facts import Evaluation, Plot
from modeldoc.present.metrics import metric_label, metric_text
from modeldoc.present.numbers import number
from modeldoc.tools.plots.figures import new_figure, plain_text, save_figure
from modeldoc.tools.secrets import redact_text

Array = NDArray[Any]
T = TypeVar("T")

CLASSIFICATION_KINDS = ("confusion_matrix", "roc", "precision_recall", "calibration")
REGRESSION_KINDS = ("actual_vs_predicted", "residuals")
MAX_CURVES = 10  # more one-vs-rest curves than the colour cycle has cannot be told apart
MAX_ALT_CLASSES = 10  # alt text lists classes up to this many; the picture has them all
MAX_CELL_VALUES = 20  # above this many classes the matrix cells are too small for numbers
SCATTER_ROWS = 5000  # regression scatter plots draw a seeded sample above this many rows
SAMPLE_SEED = 0
LABEL_CHARS = 24  # a class name in a picture; a longer one is cut in the middle
_CURVE_SIZE = (5.6, 5.0)
_CHANCE_AUC = 0.5  # the area under the chance diagonal


@dataclass
class PlotResult:
    """The plots drawn, and the kind -> reason of each plot that was not."""

    plots: list[Plot] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


class _Skip(Exception):
    """This plot cannot be drawn from these inputs; the message says why."""


def performance_plots(
    evaluation: Evaluation,
    y_true: Array | Sequence[Any],
    y_pred: Array | Sequence[Any],
    out_dir: Path,
    *,
    proba: Array | None = None,
    labels: Sequence[Any] | None = None,
    positive_label: Any = None,
) -> PlotResult:
    """Draw the performance plots of `evaluation.task` into `out_dir/plots/`.

    `evaluation` must have been computed on these arrays (checked: row count, labels and the
    confusion matrix); a mismatch raises `ValueError`. `proba` has one column per label in
    `labels` order (the matrix order; by default the sorted labels seen). `positive_label`
    picks the binary curves' class, by default `labels[1]` as in the metrics."""
    truth, predicted = np.asarray(y_true), np.asarray(y_pred)
    kinds = CLASSIFICATION_KINDS if evaluation.task == "classification" else REGRESSION_KINDS
    if evaluation.not_computed is not None:
        return PlotResult(skipped=dict.fromkeys(kinds, evaluation.not_computed))
    if not len(truth) == len(predicted) == evaluation.rows:
        raise ValueError(
            f"the evaluation covers {evaluation.rows} rows, the arrays "
            f"{len(truth)} true and {len(predicted)} predicted values"
        )
    if not len(truth):
        return PlotResult(skipped=dict.fromkeys(kinds, "there are no evaluation rows"))
    if evaluation.task == "regression":
        drawers = _regression(evaluation, truth, predicted, out_dir)
    else:
        drawers = _classification(
            evaluation, truth, predicted, out_dir, proba, labels, positive_label
        )
    result = PlotResult()
    for kind, draw in drawers:
        try:
            result.plots.append(draw())
        except _Skip as skip:
            result.skipped[kind] = str(skip)
    return result


Drawers = list[tuple[str, Callable[[], Plot]]]


def _classification(
    evaluation: Evaluation,
    y_true: Array,
    y_pred: Array,
    out_dir: Path,
    proba: Array | None,
    labels: Sequence[Any] | None,
    positive_label: Any,
) -> Drawers:
    order = list(labels) if labels is not None else sorted(set(y_true.tolist() + y_pred.tolist()))
    if evaluation.labels and evaluation.labels != [str(label) for label in order]:
        raise ValueError(f"labels {order} differ from the evaluation's {evaluation.labels}")
    if proba is not None:
        proba = np.asarray(proba, dtype=float)
        if proba.shape != (len(y_true), len(order)):
            raise ValueError(
                f"proba has shape {proba.shape}, expected {(len(y_true), len(order))}: "
                "one row per evaluation row, one column per label"
            )
    drawers: Drawers = [
        ("confusion_matrix", lambda: _confusion_matrix(evaluation, y_true, y_pred, order, out_dir))
    ]
    if len(order) == 2:
        positive = order[1] if positive_label is None else positive_label
        if positive not in order:
            raise ValueError(f"positive label {positive!r} is not one of {order}")
        column = order.index(positive)
        for kind, curve in (
            ("roc", _binary_roc),
            ("precision_recall", _precision_recall),
            ("calibration", _calibration),
        ):
            drawers.append(
                (kind, _binary(curve, evaluation, y_true, proba, column, positive, out_dir))
            )
        return drawers
    drawers.append(("roc", lambda: _multiclass_roc(evaluation, y_true, proba, order, out_dir)))
    for kind in ("precision_recall", "calibration"):
        drawers.append((kind, _skip(_binary_only(order))))
    return drawers


Curve = Callable[[Evaluation, Array, Array, Any, Path], Plot]


def _binary(
    curve: Curve,
    evaluation: Evaluation,
    y_true: Array,
    proba: Array | None,
    column: int,
    positive: Any,
    out_dir: Path,
) -> Callable[[], Plot]:
    """A binary curve's drawer: checks the probabilities first, then draws."""

    def draw() -> Plot:
        _check_probabilities(y_true, proba)
        assert proba is not None  # checked above
        return curve(evaluation, y_true, proba[:, column], positive, out_dir)

    return draw


def _skip(reason: str) -> Callable[[], Plot]:
    def draw() -> Plot:
        raise _Skip(reason)

    return draw


def _binary_only(order: list[Any]) -> str:
    if len(order) < 2:
        return "the model knows one class only"
    return f"drawn for binary classifiers only; this model has {len(order)} classes"


def _check_probabilities(y_true: Array, proba: Array | None) -> None:
    if proba is None:
        raise _Skip("the model gives no probabilities")
    if np.isnan(proba).any():
        raise _Skip("the probabilities include NaN")
    if len(set(y_true.tolist())) < 2:
        raise _Skip("the true labels hold one class only")


def _confusion_matrix(
    evaluation: Evaluation, y_true: Array, y_pred: Array, order: list[Any], out_dir: Path
) -> Plot:
    matrix = evaluation.confusion_matrix
    if matrix is None:
        raise _Skip("the evaluation holds no confusion matrix")
    if not set(y_true.tolist()) & set(order):
        raise _Skip("none of the true labels is one of the model's labels")
    count = len(order)
    side = min(16.0, max(4.8, 1.5 + 0.55 * count))
    figure, ax = new_figure(side + 1.0, side)
    display = _draw(
        lambda: ConfusionMatrixDisplay.from_predictions(
            y_true,
            y_pred,
            labels=order,
            display_labels=_shown_all(order),
            values_format="d",
            include_values=count <= MAX_CELL_VALUES,
            cmap="Blues",
            ax=ax,
        )
    )
    if display.confusion_matrix.tolist() != matrix:
        raise ValueError("the evaluation's confusion matrix differs from the one of these arrays")
    if count > 6 or max(len(str(label)) for label in order) > 12:
        for tick in ax.get_xticklabels():
            tick.set(rotation=45, ha="right", rotation_mode="anchor")
    title = "Confusion matrix"
    _title(ax, title)
    return Plot(
        file=save_figure(figure, out_dir, "confusion_matrix"),
        kind="confusion_matrix",
        title=title,
        shows="How many evaluation rows of each true class (rows) the model predicted as each "
        "class (columns).",
        alt=_confusion_alt(evaluation, matrix),
    )


def _confusion_alt(evaluation: Evaluation, matrix: list[list[int]]) -> str:
    names = evaluation.labels
    parts = [
        f"{number(row[index])} of {number(sum(row))} {'rows ' if index == 0 else ''}"
        f"of class '{name}'"
        if sum(row)
        else f"no rows of class '{name}'"
        for index, (name, row) in enumerate(zip(names, matrix, strict=True))
    ][:MAX_ALT_CLASSES]
    total = sum(map(sum, matrix))
    text = f"Confusion matrix on {number(evaluation.rows)} evaluation rows: "
    if len(names) > 2:
        correct = sum(matrix[i][i] for i in range(len(matrix)))
        text += f"{number(correct)} of {number(total)} predicted correctly; per class, "
    text += f"{_join(parts)} predicted correctly"
    if len(names) > MAX_ALT_CLASSES:
        text += f" (the other {len(names) - MAX_ALT_CLASSES} classes are in the picture)"
    errors = [
        (matrix[i][j], i, j) for i in range(len(matrix)) for j in range(len(matrix)) if i != j
    ]
    count, i, j = max(errors, key=lambda error: error[0], default=(0, 0, 0))
    if count:
        text += (
            f"; the most frequent error is {number(count)} {'row' if count == 1 else 'rows'} "
            f"of class '{names[i]}' predicted as '{names[j]}'"
        )
    elif total:
        text += "; no row is misclassified"
    return text + "."


def _binary_roc(
    evaluation: Evaluation, y_true: Array, scores: Array, positive: Any, out_dir: Path
) -> Plot:
    figure, ax = new_figure(*_CURVE_SIZE)
    display = _draw(
        lambda: RocCurveDisplay.from_predictions(
            y_true, y_score=scores, pos_label=positive, name="Model", ax=ax, plot_chance_level=True
        )
    )
    title = _class_title(ax, "ROC curve", positive)
    _axis_labels(ax, "False positive rate", "True positive rate")
    auc = _metric(evaluation, "roc_auc")
    _legend(ax, f"Model ({_curve_metric(evaluation, 'roc_auc', display.roc_auc)})", _chance_auc())
    return Plot(
        file=save_figure(figure, out_dir, "roc"),
        kind="roc",
        title=title,
        shows=f"The true-positive rate against the false-positive rate for class '{positive}' "
        "as the decision threshold moves; the dashed diagonal is chance.",
        alt=f"ROC curve for class '{positive}': {auc}.",
    )


def _multiclass_roc(
    evaluation: Evaluation, y_true: Array, proba: Array | None, order: list[Any], out_dir: Path
) -> Plot:
    if len(order) < 2:
        raise _Skip(_binary_only(order))
    if len(order) > MAX_CURVES:
        raise _Skip(f"{len(order)} classes: more one-vs-rest curves than can be told apart")
    _check_probabilities(y_true, proba)
    assert proba is not None  # checked above
    present = set(y_true.tolist())
    drawn = [(column, label) for column, label in enumerate(order) if label in present]
    # A class without rows has no true positives: its curve is undefined.
    absent = [f"'{label}'" for label in order if label not in present]
    figure, ax = new_figure(*_CURVE_SIZE)
    names = dict(zip(order, _shown_all(order), strict=True))
    areas: list[str] = []
    legend: list[str] = []
    for column, label in drawn:
        display = _draw(
            partial(
                RocCurveDisplay.from_predictions,
                y_true == label,
                y_score=proba[:, column],
                pos_label=True,
                name=names[label],
                ax=ax,
                plot_chance_level=column == drawn[-1][0],  # once, last in the legend
            )
        )
        areas.append(f"'{label}' {number(display.roc_auc)}")
        legend.append(f"{names[label]} ({metric_label('roc_auc')} {number(display.roc_auc)})")
    title = f"One-vs-rest ROC curves for {len(areas)} classes"
    _axis_labels(ax, "False positive rate (one class against the rest)", "True positive rate")
    _title(ax, title)
    _legend(ax, *legend, _chance_auc())
    auc = _metric(evaluation, "roc_auc")
    alt = f"{title}: macro average {auc}; per class, from the curves: {_join(areas)}."
    if absent:
        which = "that class" if len(absent) == 1 else "those classes"
        alt += f" No curve for {_join(absent)}: no evaluation rows of {which}."
    return Plot(
        file=save_figure(figure, out_dir, "roc"),
        kind="roc",
        title=title,
        shows="For each class, the true-positive rate against the false-positive rate of that "
        "class against all others as its threshold moves; the dashed diagonal is chance.",
        alt=alt,
    )


def _precision_recall(
    evaluation: Evaluation, y_true: Array, scores: Array, positive: Any, out_dir: Path
) -> Plot:
    figure, ax = new_figure(*_CURVE_SIZE)
    display = _draw(
        lambda: PrecisionRecallDisplay.from_predictions(
            y_true, y_score=scores, pos_label=positive, name="Model", ax=ax, plot_chance_level=True
        )
    )
    title = _class_title(ax, "Precision-recall curve", positive)
    _axis_labels(ax, "Recall", "Precision")
    positives = int(np.sum(y_true == positive))
    no_skill = positives / len(y_true)
    _legend(
        ax,
        f"Model (average precision {number(display.average_precision)})",
        f"Chance level (average precision {number(no_skill)})",
    )
    at_labels = evaluation.per_class.get(str(positive))
    if at_labels is None:
        predicted = "precision and recall at the predicted labels are not in the evaluation"
    else:
        predicted = (
            f"at the model's predicted labels, precision {number(at_labels['precision'])} "
            f"and recall {number(at_labels['recall'])}"
        )
    return Plot(
        file=save_figure(figure, out_dir, "precision_recall"),
        kind="precision_recall",
        title=title,
        shows=f"Precision against recall for class '{positive}' as the decision threshold "
        "moves; the dashed line is the share of rows in that class, a model without skill.",
        alt=f"{title}: average precision {number(display.average_precision)} from the curve; "
        f"{predicted}; a model without skill scores "
        f"{number(no_skill)} ({number(positives)} of {number(len(y_true))} rows are "
        f"class '{positive}').",
    )


def _calibration(
    evaluation: Evaluation, y_true: Array, scores: Array, positive: Any, out_dir: Path
) -> Plot:
    # About 20 rows per bin, between 3 and 10 bins; quantile bins hold equal row counts.
    bins = min(10, max(3, len(y_true) // 20))
    figure, ax = new_figure(*_CURVE_SIZE)
    display = _draw(
        lambda: CalibrationDisplay.from_predictions(
            y_true,
            scores,
            n_bins=bins,
            strategy="quantile",
            pos_label=positive,
            name="Model",
            ax=ax,
        )
    )
    drawn = len(display.prob_true)  # bins with equal edges are merged by scikit-learn
    title = _class_title(ax, "Calibration curve", positive)
    _axis_labels(
        ax, "Mean predicted probability", f"Fraction of rows in class '{_shown(positive)}'"
    )
    gaps = np.abs(display.prob_true - display.prob_pred)
    worst = int(np.argmax(gaps))
    brier = _metric(evaluation, "brier")
    return Plot(
        file=save_figure(figure, out_dir, "calibration"),
        kind="calibration",
        title=title,
        shows=f"In each bin of predicted probability, the share of rows that are class "
        f"'{positive}' against the mean predicted probability; the diagonal is perfect "
        "calibration.",
        alt=f"{title} in {number(drawn)} quantile bins of about {number(len(y_true) // drawn)} "
        f"rows: {brier}; the largest gap between predicted and observed is "
        f"{number(float(gaps[worst]))} (mean predicted probability "
        f"{number(float(display.prob_pred[worst]))}, observed fraction "
        f"{number(float(display.prob_true[worst]))}).",
    )


def _regression(evaluation: Evaluation, y_true: Array, y_pred: Array, out_dir: Path) -> Drawers:
    truth, predicted = y_true.astype(float), y_pred.astype(float)
    if np.isnan(truth).any() or np.isnan(predicted).any():
        reason = "the predictions or true values include NaN"
        return [(kind, _skip(reason)) for kind in REGRESSION_KINDS]
    rows = len(truth)
    sample = None if rows <= SCATTER_ROWS else SCATTER_ROWS
    drawn = f" ({number(SCATTER_ROWS)} of them drawn, a seeded random sample)" if sample else ""

    def scatter(kind: str, name: str, title: str, shows: str, alt: str) -> Plot:
        figure, ax = new_figure(*_CURVE_SIZE)
        _draw(
            lambda: PredictionErrorDisplay.from_predictions(
                truth,
                predicted,
                kind=kind,
                subsample=sample,
                random_state=SAMPLE_SEED,
                ax=ax,
                scatter_kwargs={"alpha": 0.6, "s": 16},
            )
        )
        _title(ax, title)
        return Plot(
            file=save_figure(figure, out_dir, name),
            kind=name,
            title=title,
            shows=shows,
            alt=alt,
        )

    residuals = truth - predicted
    fit = f"{_metric(evaluation, 'r2')}, {_metric(evaluation, 'rmse')}"
    spread = (
        f"{_metric(evaluation, 'mae')}; residuals range from "
        f"{number(float(residuals.min()))} to {number(float(residuals.max()))}, "
        f"mean {number(float(residuals.mean()))}"
    )
    return [
        (
            "actual_vs_predicted",
            lambda: scatter(
                "actual_vs_predicted",
                "actual_vs_predicted",
                "Actual against predicted values",
                "Each evaluation row's actual value against the model's prediction; points on "
                "the dashed diagonal are exact predictions.",
                f"Actual against predicted values on {number(rows)} evaluation rows{drawn}: {fit}.",
            ),
        ),
        (
            "residuals",
            lambda: scatter(
                "residual_vs_predicted",
                "residuals",
                "Residuals against predicted values",
                "Each evaluation row's residual (actual minus predicted) against the model's "
                "prediction; the dashed line is zero error.",
                f"Residuals (actual minus predicted) against predicted values on {number(rows)} "
                f"evaluation rows{drawn}: {spread}.",
            ),
        ),
    ]


def _draw(display: Callable[[], T]) -> T:
    """Run a Display; scikit-learn's refusal of these inputs skips the plot with its reason."""
    try:
        return display()
    except ValueError as error:
        raise _Skip(f"scikit-learn could not draw it: {first_line(error)}") from error


def _shown(label: Any) -> str:
    """A class name as a picture shows it: drawable, and cut to fit a tick or a title."""
    return plain_text(str(label), LABEL_CHARS)


def _shown_all(labels: list[Any]) -> list[str]:
    """Class names as ticks and legend entries show them: cut like `_shown`, or less when
    that would make two of them look alike (a shared prefix and suffix), in full at worst."""
    texts = [str(label) for label in labels]
    # Labels that differ only in a secret look alike however long they are shown.
    distinct = len({redact_text(text) for text in texts})
    for limit in (LABEL_CHARS, 40, 64):
        shown = [plain_text(text, limit) for text in texts]
        if len(set(shown)) == distinct:
            return shown
    return [plain_text(text, None) for text in texts]


def _title(ax: Axes, title: str) -> None:
    ax.set_title(plain_text(title, None))


def _class_title(ax: Axes, prefix: str, positive: Any) -> str:
    """Title the axes `<prefix> for class '<name>'` with the name cut to fit; return the
    title in full, for the fact."""
    ax.set_title(f"{plain_text(prefix, None)} for class '{_shown(positive)}'")
    return f"{prefix} for class '{positive}'"


def _axis_labels(ax: Axes, x: str, y: str) -> None:
    """Set axis labels already fit to draw. scikit-learn's own embed the positive label as
    given and, with several curves on one axes, name only the last class."""
    ax.set_xlabel(x)
    ax.set_ylabel(y)


def _metric(evaluation: Evaluation, name: str) -> str:
    """The metric as every output states it, or that the evaluation lacks it."""
    metric = evaluation.metric(name)
    if metric is None:
        return f"{metric_label(name)} not in the evaluation"
    return metric_text(metric)


def _curve_metric(evaluation: Evaluation, name: str, from_curve: float) -> str:
    """A curve's legend figure: the evaluation's metric as every output states it, else the
    area of the drawn curve."""
    metric = evaluation.metric(name)
    if metric is not None and metric.value is not None:
        return metric_text(metric)
    return f"{metric_label(name)} {number(from_curve)}"


def _chance_auc() -> str:
    return f"Chance level ({metric_label('roc_auc')} {number(_CHANCE_AUC)})"


def _legend(ax: Axes, *texts: str) -> None:
    """Replace the legend entries scikit-learn wrote (their own rounding, "AUC = 1.00") with
    `texts` (fit to draw), in the same order, keeping the legend's place."""
    legend = ax.get_legend()
    entries = legend.get_texts() if legend is not None else []
    if len(entries) != len(texts):
        raise ValueError(f"the legend has {len(entries)} entries, {len(texts)} texts were given")
    for entry, text in zip(entries, texts, strict=True):
        entry.set_text(text)


def _join(parts: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
