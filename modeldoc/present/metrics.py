"""The metric registry: how each metric modeldoc computes is named, which way is better and
how its values read, and which metric a reader looks at first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from modeldoc.facts import Evaluation, Metric
from modeldoc.present.markdown import md_text
from modeldoc.present.numbers import bounds, number, percent


@dataclass(frozen=True)
class MetricSpec:
    """One metric: its id in the facts, its names for people and for the Hub, its direction
    and how its values read."""

    id: str
    """As in `Metric.name`, gates and the card's metadata, e.g. `roc_auc`."""
    label: str
    """In a sentence, e.g. "mean absolute error"."""
    hub_name: str
    """The `name` of the metric in the Hugging Face card's model-index, e.g. "ROC AUC"."""
    higher_is_better: bool
    format: Callable[[float | None], str] = number
    """How one of its values reads (MAPE, a fraction, reads as a percentage)."""

    @property
    def title(self) -> str:
        """The label at the start of a sentence or as a table's row name."""
        return self.label[:1].upper() + self.label[1:]


METRICS: dict[str, MetricSpec] = {
    spec.id: spec
    for spec in (
        MetricSpec("accuracy", "accuracy", "Accuracy", True),
        MetricSpec("balanced_accuracy", "balanced accuracy", "Balanced accuracy", True),
        MetricSpec("precision_macro", "precision (macro average)", "Precision (macro)", True),
        MetricSpec("recall_macro", "recall (macro average)", "Recall (macro)", True),
        MetricSpec("f1_macro", "F1 (macro average)", "F1 (macro)", True),
        MetricSpec("roc_auc", "ROC AUC", "ROC AUC", True),
        MetricSpec("log_loss", "log loss", "Log loss", False),
        MetricSpec("brier", "Brier score", "Brier score", False),
        MetricSpec("mae", "mean absolute error", "MAE", False),
        MetricSpec("rmse", "root mean squared error", "RMSE", False),
        MetricSpec("r2", "R²", "R²", True),
        MetricSpec("mape", "mean absolute percentage error", "MAPE", False, percent),
        MetricSpec("demographic_parity_difference", "demographic parity difference",
                   "Demographic parity difference", False),
        MetricSpec("equalized_odds_difference", "equalized odds difference",
                   "Equalized odds difference", False),
    )
}  # fmt: skip

HEADLINE_METRICS = {
    "classification": ("roc_auc", "accuracy"),
    "regression": ("r2", "rmse"),
}
"""The metrics a reader of each task looks at first, in order of preference."""


def metric_spec(name: str) -> MetricSpec:
    """The registry's entry for `name`; a metric it does not know (a fact sheet from another
    version) is named after its id and taken as higher is better."""
    known = METRICS.get(name)
    if known is not None:
        return known
    label = name.replace("_", " ")
    return MetricSpec(name, label, label[:1].upper() + label[1:], True)


def metric_label(name: str) -> str:
    """A metric's name in a sentence: `roc_auc` -> "ROC AUC"."""
    return metric_spec(name).label


def metric_number(name: str, value: float | None, *, sign: bool = False) -> str:
    """One value of metric `name` as it reads everywhere; with `sign`, a change (`+0.012`)."""
    shown = metric_spec(name).format(value)
    return f"+{shown}" if sign and value is not None and value > 0 else shown


def metric_interval(name: str, low: float | None, high: float | None) -> str:
    """The confidence interval of metric `name` in the one interval format, or "no interval"."""
    if low is None or high is None:
        return "no interval"
    return bounds(metric_number(name, low), metric_number(name, high))


def metric_value(metric: Metric) -> str:
    """A computed metric's value followed by its interval when it has one: "0.995 [0.980,
    1.000]"."""
    shown = metric_number(metric.name, metric.value)
    if metric.ci_low is None or metric.ci_high is None:
        return shown
    return f"{shown} {metric_interval(metric.name, metric.ci_low, metric.ci_high)}"


def metric_text(metric: Metric, *, markdown: bool = False) -> str:
    """A metric as every output states it: "ROC AUC 0.995 [0.980, 1.000]", or why it was
    not computed; with `markdown`, that reason (which may quote the data) made literal."""
    label = metric_label(metric.name)
    if metric.value is None:
        reason = metric.not_computed or "no reason recorded"
        return f"{label} not computed ({md_text(reason) if markdown else reason})"
    return f"{label} {metric_value(metric)}"


def headline_metric(evaluation: Evaluation) -> Metric | None:
    """The metric a reader looks at first, chosen by the task, not by position.

    A classifier's is ROC AUC (threshold-free, the figure model comparisons quote), else
    accuracy (no probabilities to rank by); a regressor's is R² (unit-free), else RMSE. The
    first of these with a value wins; failing both, the first metric with a value; None when
    no metric has one.
    """
    computed = [metric for metric in evaluation.metrics if metric.value is not None]
    for name in HEADLINE_METRICS.get(evaluation.task or "", ()):
        found = next((metric for metric in computed if metric.name == name), None)
        if found is not None:
            return found
    return computed[0] if computed else None
