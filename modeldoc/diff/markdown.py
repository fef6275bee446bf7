"""The diff as Markdown for a pull request: a summary line first, the gates and metrics,
then one part per kind of change, long parts collapsed in `<details>` and lists capped.

Repository text (names, values, file paths, card lines) is escaped with `md_text` and never
put in a code span: GitHub reads Markdown inside `<details>`, but other renderers (Python-
Markdown) pass a `<details>` block through as raw HTML, and `&lt;` in `md_text`'s output stays
text in both, where a code span's `<script>` would not. Names are shown in `<code>` tags.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from typing import Literal

from pydantic import JsonValue

from modeldoc.diff.gates import rules
from modeldoc.diff.report import (
    CallChange,
    CheckpointChange,
    DataChange,
    ExplanationsChange,
    FactsDiff,
    FeatureChange,
    GatesReport,
    HyperparameterChange,
    MetricChange,
    ModelChange,
    NumberChange,
    SectionChange,
    Side,
    SliceChange,
)
from modeldoc.facts import Source
from modeldoc.present.markdown import md_text, table_cell
from modeldoc.present.metrics import metric_interval, metric_label, metric_number
from modeldoc.present.numbers import number, percent, signed

MAX_ROWS = 15  # rows of one table or items of one list before "… N more"
MAX_LINES = 6  # changed lines shown per card section
SHORT = 3  # a part with at most this many rows is shown open; longer ones are collapsed
MAX_TEXT = 120  # characters of one name, value or line of text
MISSING = "\N{EN DASH}"
MINUS = "\N{MINUS SIGN}"


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def code(text: str) -> str:
    """Repository text shown as code, escaped (safe in Markdown and in raw HTML)."""
    return f"<code>{md_text(_clip(text))}</code>"


def _cell(text: str) -> str:
    return table_cell(_clip(text))


def _num(value: float | None) -> str:
    return MISSING if value is None else number(value)


def _signed(value: float | None) -> str:
    return MISSING if value is None else signed(value)


def _json(value: JsonValue) -> str:
    return MISSING if value is None else code(json.dumps(value, sort_keys=True))


def _where(base: Source | None, head: Source | None) -> str:
    if base is not None and head is not None and base != head:
        return f"{code(str(base))} → {code(str(head))}"
    source = head or base
    return code(str(source)) if source is not None else MISSING


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        lines += ["", f"… {len(rows) - MAX_ROWS} more"]
    return lines


def _capped(items: list[str]) -> list[str]:
    shown = items[:MAX_ROWS]
    if len(items) > MAX_ROWS:
        shown.append(f"- … {len(items) - MAX_ROWS} more")
    return shown


def _part(
    title: str, summary: str, body: list[str], size: int, lead: list[str] | None = None
) -> list[str]:
    """A part under its heading (and `lead`, always shown): the body open when it is short,
    else collapsed behind `summary`."""
    lines = [f"#### {title}", "", *(lead or [])]
    if size <= SHORT:
        return [*lines, *body, ""]
    return [
        *lines,
        f"<details><summary>{html.escape(summary)}</summary>",
        "",
        *body,
        "",
        "</details>",
        "",
    ]


def _count(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def summary_line(diff: FactsDiff) -> str:
    """One line: the gates' outcome, then what changed."""
    parts = [_gates_summary(diff.gates), *_metrics_summary(diff.metrics)]
    counts = [
        (len(diff.slices), "sliced column", None, "changed"),
        (len(diff.features), "feature", None, "added or removed"),
        (len(diff.hyperparameters), "hyperparameter", None, "changed"),
        (len(diff.calls), "estimator or training call", "estimator or training calls", "changed"),
        (len(diff.models), "model definition", None, "changed"),
        (len(diff.checkpoints), "model file", None, "changed"),
        (len(diff.data), "data file", None, "changed"),
        (len(diff.sections), "card section", None, "changed"),
    ]
    parts += [f"{_count(n, one, many)} {what}" for n, one, many, what in counts if n]
    if diff.explanations is not None:
        parts += [
            f"every feature has mean |SHAP value| {number(value)} on the {side}"
            for side, value in _all_tied(diff.explanations)
        ]
        if diff.explanations.ranks:
            parts.append(f"{_count(len(diff.explanations.ranks), 'importance rank')} changed")
    if diff.gates.head_differs:
        parts.append(_head_gates_summary(diff.gates))
    if len(parts) == 1:
        parts.append("no change in the model's facts")
    return "**modeldoc diff:** " + " · ".join(parts)


def _metrics_summary(metrics: list[MetricChange]) -> list[str]:
    """The metrics' differences by what they mean: changed (the intervals do not overlap, or
    one side alone has it), within uncertainty, or not to be judged (no interval)."""
    verdicts = Counter(metric.verdict for metric in metrics)
    parts = []
    if verdicts["separated"]:
        parts.append(
            f"{verdicts['separated']} of {_count(len(metrics), 'metric')} changed "
            "(intervals do not overlap)"
        )
    if verdicts["one_side"]:
        parts.append(f"{_count(verdicts['one_side'], 'metric')} computed on one side only")
    if verdicts["within_uncertainty"]:
        parts.append(
            f"{_count(verdicts['within_uncertainty'], 'metric difference')} within uncertainty"
        )
    if verdicts["no_interval"]:
        parts.append(
            f"{_count(verdicts['no_interval'], 'metric difference')} cannot be judged against "
            "uncertainty (no interval)"
        )
    return parts


def _head_records(gates: GatesReport) -> Literal["none", "unapplied", "other"]:
    """What the head records when its gates differ from the applied ones: none at all, gates
    where none are applied, or other gates."""
    if not rules(gates.head_gates):
        return "none"
    return "other" if rules(gates.applied) else "unapplied"


def _head_gates_summary(gates: GatesReport) -> str:
    """How the head's gates differ from the applied ones, in a few words."""
    applied = "the base's" if gates.source == "base" else "the --gates file's"
    return {
        "none": f"the head records no gates ({applied} apply)",
        "unapplied": "the head records gates (not applied)",
        "other": "the head records other gates (not applied)",
    }[_head_records(gates)]


def _gates_summary(gates: GatesReport) -> str:
    if not gates.results:
        return "no gates"
    failed = len(gates.failed)
    if failed:
        return f"**{failed} of {_count(len(gates.results), 'gate')} failed**"
    return f"{_count(len(gates.results), 'gate')} passed"


def render_markdown(diff: FactsDiff) -> str:
    """The whole diff as Markdown."""
    lines = [summary_line(diff), "", _sides(diff.base, diff.head), ""]
    lines += [f"- {md_text(note)}" for note in diff.notes]
    if diff.notes:
        lines.append("")
    lines += _gates(diff.gates)
    lines += _metrics(diff)
    lines += _slices(diff.slices)
    if diff.explanations is not None and diff.explanations.changed:
        lines += _explanations(diff.explanations)
    lines += _features(diff.features)
    lines += _hyperparameters(diff.hyperparameters)
    lines += _calls(diff.calls)
    lines += _models(diff.models)
    lines += _checkpoints(diff.checkpoints)
    lines += _data(diff.data)
    lines += _sections(diff.sections)
    return "\n".join(lines).rstrip("\n") + "\n"


def _side(side: Side) -> str:
    commit = f" at {code(side.commit[:12])}" if side.commit else ""
    return f"{code(side.repo)}{commit}"


def _sides(base: Side, head: Side) -> str:
    return f"Base: {_side(base)} · head: {_side(head)}"


def _gates(gates: GatesReport) -> list[str]:
    lines = ["#### Gates", ""]
    where = {
        "base": "the base's facts.json",
        "file": f"{code(gates.file or '')}",
        "none": "",
    }[gates.source]
    if gates.source == "none":
        lines.append("No gates: the base records none, and no `--gates` file was given.")
    elif not gates.results:
        lines.append(f"No gates are set in {where}.")
    else:
        rows = [
            [
                code(result.gate),
                _num(result.base),
                _num(result.head),
                _num(result.limit),
                "passed" if result.passed else "**failed**",
                md_text(result.message),
            ]
            for result in sorted(gates.results, key=lambda r: r.passed)
        ]
        lines += [f"From {where}:", ""]
        lines += _table(["gate", "base", "head", "limit", "result", "what was found"], rows)
    lines.append("")
    if gates.head_differs:
        origin = {
            "base": "Gates come from the base",
            "file": "Gates come from the file given on the command line",
            "none": "Gates come from the base, which records none",
        }[gates.source]
        what, after = {
            "none": ("no gates", "none apply once it is merged"),
            "unapplied": ("gates, which are not applied", "they take effect once it is merged"),
            "other": (
                "other gates than the ones applied",
                "the head's take effect once it is merged",
            ),
        }[_head_records(gates)]
        lines += [
            f"**The head records {what}.** {origin} (a pull request cannot change the gates "
            f"it is held to); {after}.",
            "",
        ]
        changes = [f"- applied, not in the head: {code(rule)}" for rule in gates.only_applied]
        changes += [f"- in the head, not applied: {code(rule)}" for rule in gates.only_head]
        lines += [*_capped(changes), ""]
    return lines


def _verdict(metric: MetricChange) -> str:
    """What a metric's difference means, in words."""
    if metric.verdict == "separated":
        return "**changed**: intervals do not overlap"
    if metric.verdict == "one_side":
        return f"**changed**: computed on the {'base' if metric.head is None else 'head'} only"
    if metric.verdict == "within_uncertainty":
        return "within uncertainty: intervals overlap"
    missing = [side for side, ci in (("base", metric.base_ci), ("head", metric.head_ci)) if not ci]
    where = "either side" if len(missing) == 2 else f"the {missing[0]}"
    return f"cannot be judged against uncertainty: no interval on {where}"


def _metric_row(metric: MetricChange) -> list[str]:
    name = metric.name
    base = (
        metric_number(name, metric.base)
        if metric.base is not None
        else _cell(metric.base_not_computed or MISSING)
    )
    head = (
        metric_number(name, metric.head)
        if metric.head is not None
        else _cell(metric.head_not_computed or MISSING)
    )
    return [
        _cell(metric_label(name)),
        base,
        head,
        MISSING if metric.delta is None else metric_number(name, metric.delta, sign=True),
        metric_interval(name, *(metric.base_ci or (None, None))),
        metric_interval(name, *(metric.head_ci or (None, None))),
        _verdict(metric),
    ]


def _metrics(diff: FactsDiff) -> list[str]:
    if not diff.metrics:
        return []
    differing = [metric for metric in diff.metrics if metric.differs]
    lines = ["#### Metrics", ""]
    if not differing:
        return [*lines, f"No metric changed ({_count(len(diff.metrics), 'metric')}).", ""]
    level = f"{percent(diff.confidence_level)} " if diff.confidence_level is not None else ""
    lines += [
        f"A metric counts as changed only when its two {level}intervals do not overlap.",
        "",
    ]
    header = ["metric", "base", "head", "change", f"{level}interval, base",
              f"{level}interval, head", "verdict"]  # fmt: skip
    lines += _table(header, [_metric_row(metric) for metric in differing])
    same = len(diff.metrics) - len(differing)
    if same:
        verb = "is" if same == 1 else "are"
        lines += ["", f"{_count(same, 'other metric')} {verb} the same on both sides."]
    return [*lines, ""]


def _numbers_table(first: str, changes: list[NumberChange]) -> list[str]:
    rows = [
        [_cell(change.name), _num(change.base), _num(change.head), _signed(change.delta)]
        for change in changes
    ]
    return _table([first, "base", "head", "change"], rows)


def _slices(slices: list[SliceChange]) -> list[str]:
    if not slices:
        return []
    body: list[str] = []
    size = 0
    for report in slices:
        state = f" ({report.change} on the head)" if report.change else ""
        body += [f"Column {code(report.column)}{state}:", ""]
        if report.gaps:
            body += [*_numbers_table("largest gap between slices", report.gaps), ""]
        rows = [
            [
                code(group.value),
                f"{_num(group.base_rows)} → {_num(group.head_rows)}",
                _cell(metric.name),
                _num(metric.base),
                _num(metric.head),
                _signed(metric.delta),
            ]
            for group in report.groups
            for metric in (group.metrics or [NumberChange(name="rows")])
        ]
        if rows:
            body += [*_table(["slice", "rows", "metric", "base", "head", "change"], rows), ""]
        size += len(report.gaps) + len(rows)
    gaps = sum(len(report.gaps) for report in slices)
    return _part(
        "Slices and fairness gaps",
        f"{_count(gaps, 'gap')} and {_count(size - gaps, 'slice result')} changed",
        body,
        size,
    )


def _all_tied(change: ExplanationsChange) -> list[tuple[str, float]]:
    """The sides on which every feature is equally important (e.g. all 0), with the value they
    share, when the other side differs."""
    uniform = {"base": change.base_uniform_importance, "head": change.head_uniform_importance}
    if uniform["base"] == uniform["head"]:
        return []
    return [(side, value) for side, value in uniform.items() if value is not None]


def _explanations(change: ExplanationsChange) -> list[str]:
    body = [
        f"On the {side} every feature has mean |SHAP value| {number(value)}: no feature ranks "
        "above another."
        for side, value in _all_tied(change)
    ]
    if change.base_explainer != change.head_explainer:
        body.append(
            f"Explainer: {md_text(change.base_explainer or change.base_not_computed or MISSING)} → "
            f"{md_text(change.head_explainer or change.head_not_computed or MISSING)}."
        )
    if change.base_additivity_passed != change.head_additivity_passed:
        shown = {True: "passed", False: "failed", None: "not checked"}
        body.append(
            f"SHAP additivity check: {shown[change.base_additivity_passed]} "
            f"(largest error {number(change.base_additivity_error)}) → "
            f"{shown[change.head_additivity_passed]} "
            f"(largest error {number(change.head_additivity_error)})."
        )
    if body:
        body.append("")
    rows = [
        [
            code(rank.feature),
            _num(rank.base_rank),
            _num(rank.head_rank),
            _num(rank.base_mean_abs_shap),
            _num(rank.head_mean_abs_shap),
        ]
        for rank in change.ranks
    ]
    if rows:
        header = ["feature", "rank, base", "rank, head", "mean abs SHAP, base",
                  "mean abs SHAP, head"]  # fmt: skip
        body += _table(header, rows)
        if change.unchanged_ranks:
            kept = "kept its rank" if change.unchanged_ranks == 1 else "kept their ranks"
            body += ["", f"{_count(change.unchanged_ranks, 'other feature')} {kept}."]
    summary = f"{_count(len(change.ranks), 'feature')} changed rank"
    return _part("Feature importance (SHAP)", summary, body, len(rows))


def _features(features: list[FeatureChange]) -> list[str]:
    if not features:
        return []
    items = [
        f"- {feature.change}: {code(feature.feature)} ({', '.join(feature.where)})"
        for feature in features
    ]
    added = sum(1 for feature in features if feature.change == "added")
    summary = f"{added} added, {len(features) - added} removed"
    return _part("Features added or removed", summary, _capped(items), len(items))


def _hyperparameters(changes: list[HyperparameterChange]) -> list[str]:
    if not changes:
        return []
    rows = [
        [
            code(change.key),
            code(change.base) if change.base is not None else MISSING,
            code(change.head) if change.head is not None else MISSING,
            _where(change.base_source, change.head_source),
        ]
        for change in changes
    ]
    body = _table(["setting", "base", "head", "where"], rows)
    return _part("Hyperparameters", f"{_count(len(rows), 'setting')} changed", body, len(rows))


def _arguments(change: CallChange) -> str:
    if change.change != "changed":
        return change.change
    return "; ".join(
        f"{code(arg.name)}: {code(arg.base) if arg.base is not None else MISSING} → "
        f"{code(arg.head) if arg.head is not None else MISSING}"
        for arg in change.arguments
    )


def _calls(changes: list[CallChange]) -> list[str]:
    if not changes:
        return []
    rows = [
        [code(change.callee), _cell(change.role), _arguments(change),
         _where(change.base_source, change.head_source)]
        for change in changes
    ]  # fmt: skip
    body = _table(["call", "role", "change", "where"], rows)
    summary = f"{_count(len(rows), 'call')} changed"
    return _part("Estimators and training set-up", summary, body, len(rows))


def _models(changes: list[ModelChange]) -> list[str]:
    if not changes:
        return []
    rows = []
    for change in changes:
        name = f"{code(change.model)} ({_cell(change.framework)})"
        if change.change != "changed":
            rows.append(
                [name, change.change, MISSING, _where(change.base_source, change.head_source)]
            )
        for layer in change.layers:
            sign = "+" if layer.change == "added" else MINUS
            rows.append([name, f"layer {layer.change}", f"{sign} {code(layer.layer)}",
                         code(str(layer.source))])  # fmt: skip
    body = _table(["model", "change", "layer", "where"], rows)
    summary = f"{_count(len(changes), 'model')} changed"
    return _part("Architecture", summary, body, len(rows))


def _checkpoints(changes: list[CheckpointChange]) -> list[str]:
    if not changes:
        return []
    body: list[str] = []
    size = 0
    for change in changes:
        file = code(change.head_file or change.base_file or "")
        if change.base_sha256 != change.head_sha256:
            body.append(
                f"{file}: sha256 {code((change.base_sha256 or MISSING)[:12])} → "
                f"{code((change.head_sha256 or MISSING)[:12])}"
            )
        else:
            body.append(f"{file}: the same bytes")
        body.append("")
        rows = [
            [code(value.name), _json(value.base), _json(value.head)]
            for value in [*change.fields, *change.parameters]
        ]
        rows += [
            [code(tensor.name), code(tensor.base or MISSING), code(tensor.head or MISSING)]
            for tensor in change.tensors
        ]
        if rows:
            body += [*_table(["", "base", "head"], rows), ""]
        size += len(rows)
    return _part("Model file", f"{_count(size, 'value')} changed", body, size)


def _data(changes: list[DataChange]) -> list[str]:
    if not changes:
        return []
    body: list[str] = []
    size = 0
    for change in changes:
        files = code(change.base_file or MISSING)
        if change.head_file != change.base_file:
            files += f" → {code(change.head_file or MISSING)}"
        rows = [["rows", _num(change.base_rows), _num(change.head_rows),
                 _signed(change.delta_rows)]]  # fmt: skip
        if change.base_sha256 != change.head_sha256:
            rows.append(["sha256", code((change.base_sha256 or MISSING)[:12]),
                         code((change.head_sha256 or MISSING)[:12]), "changed"])  # fmt: skip
        if change.base_target != change.head_target:
            rows.append(["target", code(change.base_target or MISSING),
                         code(change.head_target or MISSING), "changed"])  # fmt: skip
        rows += [
            [f"rows labelled {code(label.label)}", _num(label.base), _num(label.head),
             _signed(label.delta)]
            for label in change.labels
        ]  # fmt: skip
        body += [f"Evaluation data {files}:", "", *_table(["", "base", "head", "change"], rows), ""]
        size += len(rows)
    return _part("Data", f"{_count(len(changes), 'data file')} changed", body, size)


def _sections(changes: list[SectionChange]) -> list[str]:
    if not changes:
        return []
    body: list[str] = []
    for change in changes[:MAX_ROWS]:
        body += [f"**{md_text(change.title)}** ({change.change})", ""]
        lines = [
            f"- {'+' if line.change == 'added' else MINUS} {md_text(_clip(line.text))}"
            for line in change.lines
        ]
        body += lines[:MAX_LINES]
        if len(lines) > MAX_LINES:
            body.append(f"- … {len(lines) - MAX_LINES} more lines")
        body.append("")
    if len(changes) > MAX_ROWS:
        body += [f"… {len(changes) - MAX_ROWS} more sections", ""]
    titles = ", ".join(md_text(change.title) for change in changes[:MAX_ROWS])
    summary = f"what changed in {_count(len(changes), 'section')}"
    return _part("Card sections", summary, body, len(changes) * 2, lead=[titles, ""])
