"""Facts that every output puts in words: a feature's direction of effect, how far results
differ between groups, the fairness differences."""

from __future__ import annotations

from modeldoc.facts import SliceReport
from modeldoc.present.markdown import md_code
from modeldoc.present.metrics import metric_number, metric_spec
from modeldoc.present.numbers import number

NO_TREND = 0.1
"""Below this |Spearman correlation| of a feature's values with its SHAP values, the
feature shows no direction worth a word."""

_FAIRNESS = ("demographic_parity_difference", "equalized_odds_difference")


def direction(rho: float | None) -> str:
    """What a feature's value-SHAP correlation says about its effect, in words."""
    if rho is None:
        return "no monotonic trend can be measured (text or constant values)"
    if abs(rho) < NO_TREND:
        return "no monotonic trend"
    return "higher values raise the output" if rho > 0 else "higher values lower the output"


def slice_gap(metric: str, column: str, gap: float) -> str:
    """How far a metric differs between the groups of a sensitive column, as the start of a
    sentence (Markdown): "Accuracy differs by up to 0.050 between the groups of `sex`"."""
    return (
        f"{metric_spec(metric).title} differs by up to {metric_number(metric, gap)} between "
        f"the groups of {md_code(column)}"
    )


def slice_gaps(report: SliceReport) -> list[str]:
    """Every computed gap of a sensitive column, each one sentence (Markdown)."""
    return [
        f"{slice_gap(name, report.column, gap)}."
        for name, gap in report.largest_gap.items()
        if gap is not None
    ]


def fairness_differences(report: SliceReport) -> list[str]:
    """The demographic parity and equalized odds differences of a sensitive column that were
    computed, each one sentence (Markdown)."""
    values = (report.demographic_parity_difference, report.equalized_odds_difference)
    return [
        f"The {metric_spec(name).label} between the groups of {md_code(report.column)} is "
        f"{number(value)}."
        for name, value in zip(_FAIRNESS, values, strict=True)
        if value is not None
    ]
