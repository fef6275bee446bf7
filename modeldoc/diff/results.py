"""Compare what the model does: metrics with their intervals, slices and fairness gaps,
SHAP explanations, features, evaluation data and the card's sections."""

from __future__ import annotations

import bisect
import difflib
from typing import Literal

from modeldoc.diff.rendered import rendered_lines
from modeldoc.diff.report import (
    DataChange,
    ExplanationsChange,
    FeatureChange,
    FeatureSource,
    GroupChange,
    LabelCount,
    LineChange,
    MetricChange,
    MetricVerdict,
    NumberChange,
    RankChange,
    SectionChange,
    SliceChange,
    change_of,
)
from modeldoc.facts import (
    DataProfile,
    Evaluation,
    Explanations,
    FactSheet,
    FeatureImportance,
    Metric,
    SliceGroup,
    SliceReport,
)


def delta(base: float | None, head: float | None) -> float | None:
    """Head minus base, when both are known."""
    return None if base is None or head is None else head - base


def number_change(name: str, base: float | None, head: float | None) -> NumberChange:
    """One number on both sides."""
    return NumberChange(name=name, base=base, head=head, delta=delta(base, head))


def _merged(base: list[str], head: list[str]) -> list[str]:
    """Names of both sides: the base's order, then what only the head has."""
    return [*base, *(name for name in head if name not in base)]


def compare_metrics(base: Evaluation | None, head: Evaluation | None) -> list[MetricChange]:
    """Every metric of either side, with its interval on each side."""
    base_metrics = {m.name: m for m in base.metrics} if base else {}
    head_metrics = {m.name: m for m in head.metrics} if head else {}
    return [
        _metric_change(name, base_metrics.get(name), head_metrics.get(name))
        for name in _merged(list(base_metrics), list(head_metrics))
    ]


def _interval(metric: Metric | None) -> tuple[float, float] | None:
    if metric is None or metric.ci_low is None or metric.ci_high is None:
        return None
    return (metric.ci_low, metric.ci_high)


def _metric_change(name: str, base: Metric | None, head: Metric | None) -> MetricChange:
    base_value = base.value if base else None
    head_value = head.value if head else None
    base_ci, head_ci = _interval(base), _interval(head)
    overlap = None
    if base_ci is not None and head_ci is not None:
        overlap = head_ci[0] <= base_ci[1] and base_ci[0] <= head_ci[1]
    return MetricChange(
        name=name,
        base=base_value,
        head=head_value,
        delta=delta(base_value, head_value),
        base_ci=base_ci,
        head_ci=head_ci,
        intervals_overlap=overlap,
        verdict=_verdict(base_value, head_value, overlap),
        base_not_computed=_why_missing(base, "the base"),
        head_not_computed=_why_missing(head, "the head"),
    )


def _verdict(base: float | None, head: float | None, overlap: bool | None) -> MetricVerdict:
    """What a metric's difference means: a change only when the intervals separate (or one
    side alone has a value); a difference inside them is sampling noise as far as the
    evaluation can tell, and one without them cannot be judged."""
    if base == head:
        return "unchanged"
    if base is None or head is None:
        return "one_side"
    if overlap is None:
        return "no_interval"
    return "within_uncertainty" if overlap else "separated"


def _why_missing(metric: Metric | None, side: str) -> str | None:
    if metric is None:
        return f"not computed on {side}"
    return metric.not_computed


def compare_slices(base: Evaluation | None, head: Evaluation | None) -> list[SliceChange]:
    """Each sensitive column whose gaps or groups differ."""
    base_reports = {r.column: r for r in base.slices} if base else {}
    head_reports = {r.column: r for r in head.slices} if head else {}
    changes = []
    for column in _merged(list(base_reports), list(head_reports)):
        change = _slice_change(column, base_reports.get(column), head_reports.get(column))
        if change.change is not None or change.gaps or change.groups:
            changes.append(change)
    return changes


def _gaps(report: SliceReport | None) -> dict[str, float | None]:
    if report is None:
        return {}
    return {
        **report.largest_gap,
        "demographic_parity_difference": report.demographic_parity_difference,
        "equalized_odds_difference": report.equalized_odds_difference,
    }


def _slice_change(column: str, base: SliceReport | None, head: SliceReport | None) -> SliceChange:
    base_gaps, head_gaps = _gaps(base), _gaps(head)
    gaps = [
        number_change(name, base_gaps.get(name), head_gaps.get(name))
        for name in _merged(list(base_gaps), list(head_gaps))
    ]
    base_groups = {g.value: g for g in base.groups} if base else {}
    head_groups = {g.value: g for g in head.groups} if head else {}
    groups = []
    for value in _merged(list(base_groups), list(head_groups)):
        group = _group_change(value, base_groups.get(value), head_groups.get(value))
        if group.base_rows != group.head_rows or group.metrics:
            groups.append(group)
    change = None if base and head else change_of(base, head)
    return SliceChange(
        column=column,
        change=change,
        gaps=[gap for gap in gaps if gap.changed],
        groups=groups,
    )


def _group_change(value: str, base: SliceGroup | None, head: SliceGroup | None) -> GroupChange:
    base_metrics = base.metrics if base else {}
    head_metrics = head.metrics if head else {}
    metrics = [
        number_change(name, base_metrics.get(name), head_metrics.get(name))
        for name in _merged(list(base_metrics), list(head_metrics))
    ]
    return GroupChange(
        value=value,
        base_rows=base.rows if base else None,
        head_rows=head.rows if head else None,
        metrics=[metric for metric in metrics if metric.changed],
    )


def largest_gap(evaluation: Evaluation | None, name: str) -> tuple[float | None, str | None]:
    """The largest value of a slice gap (or fairness difference) over the sensitive columns,
    and the column it is in; (None, why) when no column has it."""
    if evaluation is None:
        return None, "no evaluation"
    if not evaluation.slices:
        return None, "no sensitive column was sliced"
    found = [
        (value, report.column)
        for report in evaluation.slices
        if (value := _gaps(report).get(name)) is not None
    ]
    if not found:
        reasons = [r.not_computed[name] for r in evaluation.slices if name in r.not_computed]
        return None, reasons[0] if reasons else f"no slice gap named {name}"
    value, column = max(found)
    return value, column


def compare_explanations(
    base: Explanations | None, head: Explanations | None
) -> ExplanationsChange | None:
    """Explainer, additivity and importance ranks on both sides; None when neither has any.
    Ranks are compared only when both sides rank features (else the explainer line says
    which side has none)."""
    if base is None and head is None:
        return None
    ranks: list[RankChange] = []
    unchanged = 0
    if base is not None and head is not None and base.importance and head.importance:
        base_places, head_places = _places(base.importance), _places(head.importance)
        base_shap = {i.feature: i.mean_abs_shap for i in base.importance}
        head_shap = {i.feature: i.mean_abs_shap for i in head.importance}
        for feature in _merged(list(base_places), list(head_places)):
            old, new = base_places.get(feature), head_places.get(feature)
            if old is not None and new is not None and old[0] <= new[1] and new[0] <= old[1]:
                unchanged += 1
                continue
            ranks.append(
                RankChange(
                    feature=feature,
                    base_rank=old[0] if old else None,
                    head_rank=new[0] if new else None,
                    base_mean_abs_shap=base_shap.get(feature),
                    head_mean_abs_shap=head_shap.get(feature),
                )
            )
        ranks.sort(
            key=lambda r: min(rank for rank in (r.base_rank, r.head_rank) if rank is not None)
        )
    base_check = base.additivity if base else None
    head_check = head.additivity if head else None
    return ExplanationsChange(
        base_explainer=base.explainer if base else None,
        head_explainer=head.explainer if head else None,
        base_not_computed=base.not_computed if base else "no explanations",
        head_not_computed=head.not_computed if head else "no explanations",
        base_additivity_passed=base_check.passed if base_check else None,
        head_additivity_passed=head_check.passed if head_check else None,
        base_additivity_error=base_check.max_error if base_check else None,
        head_additivity_error=head_check.max_error if head_check else None,
        base_uniform_importance=_uniform(base.importance) if base else None,
        head_uniform_importance=_uniform(head.importance) if head else None,
        ranks=ranks,
        unchanged_ranks=unchanged,
    )


def _places(importance: list[FeatureImportance]) -> dict[str, tuple[int, int]]:
    """Each feature's first and last place among features of equal importance: (1, 1) for a
    feature ahead of all others, (1, 13) for each of 13 features tied at 0. The first place is
    its rank (competition ranking: 1, 2, 2, 4)."""
    ascending = sorted(i.mean_abs_shap for i in importance)
    total = len(ascending)
    return {
        i.feature: (
            total - bisect.bisect_right(ascending, i.mean_abs_shap) + 1,
            total - bisect.bisect_left(ascending, i.mean_abs_shap),
        )
        for i in importance
    }


def _uniform(importance: list[FeatureImportance]) -> float | None:
    """The importance every feature shares, when there are two or more and all are tied."""
    values = {i.mean_abs_shap for i in importance}
    return values.pop() if len(importance) > 1 and len(values) == 1 else None


def _feature_sets(facts: FactSheet) -> dict[FeatureSource, list[str]]:
    sets: dict[FeatureSource, list[str]] = {}
    named = [c.feature_names for c in facts.checkpoints if c.feature_names is not None]
    if named:
        sets["model"] = [name for names in named for name in names]
    if facts.data:
        sets["data"] = [column for profile in facts.data for column in profile.columns]
    if facts.explanations is not None and facts.explanations.features:
        sets["explanations"] = facts.explanations.features
    return sets


def compare_features(base: FactSheet, head: FactSheet) -> list[FeatureChange]:
    """Features the head added or dropped, and where: the model's expected features, the
    data's columns, the explained features (a part one side lacks altogether is left out)."""
    base_sets, head_sets = _feature_sets(base), _feature_sets(head)
    found: dict[tuple[str, Literal["added", "removed"]], list[FeatureSource]] = {}
    for where in ("model", "data", "explanations"):
        if where not in base_sets or where not in head_sets:
            continue
        old, new = base_sets[where], head_sets[where]
        for feature in old:
            if feature not in new:
                found.setdefault((feature, "removed"), []).append(where)
        for feature in new:
            if feature not in old:
                found.setdefault((feature, "added"), []).append(where)
    return [
        FeatureChange(feature=feature, change=change, where=where)
        for (feature, change), where in found.items()
    ]


def compare_data(base: list[DataProfile], head: list[DataProfile]) -> list[DataChange]:
    """Each evaluation data file whose rows, content, target or label counts differ (paired
    by file name, else by position)."""
    pairs: list[tuple[DataProfile | None, DataProfile | None]]
    if len(base) == len(head) == 1:
        pairs = [(base[0], head[0])]
    else:
        by_file = {profile.file: profile for profile in head}
        pairs = [(profile, by_file.pop(profile.file, None)) for profile in base]
        pairs += [(None, profile) for profile in by_file.values()]
    changes = []
    for old, new in pairs:
        change = _data_change(old, new)
        if _differs(change):
            changes.append(change)
    return changes


def _data_change(base: DataProfile | None, head: DataProfile | None) -> DataChange:
    base_counts = (base.label_counts or {}) if base else {}
    head_counts = (head.label_counts or {}) if head else {}
    labels = [
        LabelCount(
            label=label,
            base=base_counts.get(label),
            head=head_counts.get(label),
            delta=_int_delta(base_counts.get(label), head_counts.get(label)),
        )
        for label in sorted(_merged(list(base_counts), list(head_counts)))
    ]
    return DataChange(
        base_file=base.file if base else None,
        head_file=head.file if head else None,
        base_rows=base.rows if base else None,
        head_rows=head.rows if head else None,
        delta_rows=_int_delta(base.rows if base else None, head.rows if head else None),
        base_sha256=base.sha256 if base else None,
        head_sha256=head.sha256 if head else None,
        base_target=base.target if base else None,
        head_target=head.target if head else None,
        labels=labels if any(count.base != count.head for count in labels) else [],
    )


def _int_delta(base: int | None, head: int | None) -> int | None:
    return None if base is None or head is None else head - base


def _differs(change: DataChange) -> bool:
    return (
        change.base_file != change.head_file
        or change.base_rows != change.head_rows
        or change.base_sha256 != change.head_sha256
        or change.base_target != change.head_target
        or bool(change.labels)
    )


def compare_sections(base: FactSheet, head: FactSheet) -> list[SectionChange]:
    """Card sections whose text, as a reader sees it, differs, with the lines that differ
    (rendered to plain text: words, not Markdown escapes; blank lines left out)."""
    base_sections = {s.id: s for s in base.narrative.sections} if base.narrative else {}
    head_sections = {s.id: s for s in head.narrative.sections} if head.narrative else {}
    changes = []
    for section_id in _merged(list(base_sections), list(head_sections)):
        old, new = base_sections.get(section_id), head_sections.get(section_id)
        old_lines = rendered_lines(old.text) if old else []
        new_lines = rendered_lines(new.text) if new else []
        if old is not None and new is not None and old_lines == new_lines:
            continue  # the same words, at most other markup
        lines: list[LineChange] = []
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            removed, added = old_lines[i1:i2], new_lines[j1:j2]
            for index in range(max(len(removed), len(added))):
                if index < len(removed):
                    lines.append(LineChange(change="removed", text=removed[index]))
                if index < len(added):
                    lines.append(LineChange(change="added", text=added[index]))
        section = new or old
        assert section is not None
        changes.append(
            SectionChange(
                id=section_id,
                title=section.title,
                change=change_of(old, new),
                lines=lines,
            )
        )
    return changes
