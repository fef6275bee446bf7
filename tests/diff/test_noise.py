"""What `modeldoc diff` counts as a change, on real fact sheets edited in memory: a metric only
when its intervals do not overlap (a move inside them is "within uncertainty", one without
them "cannot be judged"), a rank only when ties cannot explain it, a card line only when its
words differ (shown as words, not Markdown escapes)."""

from __future__ import annotations

import html
import re

import pytest
from diff.pairs import Builds
from markdown_it import MarkdownIt

from modeldoc.diff.compare import compare
from modeldoc.diff.markdown import render_markdown
from modeldoc.diff.rendered import rendered_lines
from modeldoc.facts import Evaluation, Explanations, FactSheet, Metric, Narrative
from modeldoc.present.numbers import number

WITH_INTERVALS = {"accuracy", "balanced_accuracy", "f1_macro", "roc_auc"}


def evaluation(facts: FactSheet) -> Evaluation:
    assert facts.evaluation is not None
    return facts.evaluation


def explanations(facts: FactSheet) -> Explanations:
    assert facts.explanations is not None
    return facts.explanations


def narrative(facts: FactSheet) -> Narrative:
    assert facts.narrative is not None
    return facts.narrative


def with_metrics(facts: FactSheet, metrics: list[Metric]) -> FactSheet:
    return facts.model_copy(
        update={"evaluation": evaluation(facts).model_copy(update={"metrics": metrics})}
    )


def shifted(metric: Metric, by: float) -> Metric:
    assert metric.value is not None
    return metric.model_copy(update={"value": metric.value + by})


def visible(markdown: str) -> str:
    """The text a reader of the rendered Markdown sees (CommonMark, as GitHub reads it)."""
    page = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_a_small_move_inside_both_intervals_is_not_a_change(builds: Builds) -> None:
    base = builds.facts("base")
    assert {m.name for m in evaluation(base).metrics if m.ci_low is not None} == WITH_INTERVALS
    head = with_metrics(base, [shifted(m, -0.005) for m in evaluation(base).metrics])
    result = compare(base, head)
    verdicts = {metric.name: metric.verdict for metric in result.metrics}
    assert verdicts == {
        name: "within_uncertainty" if name in WITH_INTERVALS else "no_interval" for name in verdicts
    }
    assert not any(metric.changed for metric in result.metrics)
    assert "metrics" not in result.changed
    text = render_markdown(result)
    assert text.splitlines()[0] == (
        "**modeldoc diff:** 5 gates passed · 4 metric differences within uncertainty · "
        "4 metric differences cannot be judged against uncertainty (no interval)"
    )
    # The numbers are still shown, with what they mean.
    accuracy = next(metric for metric in result.metrics if metric.name == "accuracy")
    assert accuracy.base is not None and accuracy.head is not None
    row = next(line for line in text.splitlines() if line.startswith("| accuracy |"))
    assert row.startswith(f"| accuracy | {number(accuracy.base)} | {number(accuracy.head)} | ")
    assert row.endswith(" | within uncertainty: intervals overlap |")
    log_loss = next(line for line in text.splitlines() if line.startswith("| log loss |"))
    assert log_loss.endswith(
        " | cannot be judged against uncertainty: no interval on either side |"
    )
    assert "A metric counts as changed only when its two 95% intervals do not overlap." in text


def test_a_change_counts_when_the_intervals_separate_or_one_side_lacks_it(
    builds: Builds,
) -> None:
    base, head = builds.facts("base"), builds.facts("hyperparameters")
    text = render_markdown(compare(base, head))
    assert "4 of 8 metrics changed (intervals do not overlap)" in text.splitlines()[0]
    assert "| **changed**: intervals do not overlap |" in text
    # One side without the metric, one without its interval.
    metrics = []
    for metric in evaluation(head).metrics:
        if metric.name == "roc_auc":
            metric = Metric(name="roc_auc", not_computed="the true labels hold one class only")
        elif metric.name == "accuracy":
            metric = metric.model_copy(update={"ci_low": None, "ci_high": None})
        metrics.append(metric)
    result = compare(base, with_metrics(head, metrics))
    verdicts = {metric.name: metric.verdict for metric in result.metrics}
    assert (verdicts["roc_auc"], verdicts["accuracy"]) == ("one_side", "no_interval")
    text = render_markdown(result)
    assert text.splitlines()[0].startswith(
        "**modeldoc diff:** **2 of 5 gates failed** · 2 of 8 metrics changed (intervals do "
        "not overlap) · 1 metric computed on one side only · 5 metric differences cannot be "
        "judged against uncertainty (no interval)"
    )
    assert "| **changed**: computed on the base only |" in text
    assert "| cannot be judged against uncertainty: no interval on the head |" in text


def test_tied_importances_share_a_rank_and_never_change_it(builds: Builds) -> None:
    base = builds.facts("base")
    importance = explanations(base).importance
    assert [i.rank for i in importance] == [1, 2, 3, 4, 5]

    def head_with(values: dict[str, float]) -> FactSheet:
        # The stored ranks are the build's, in order; ties are broken by position there.
        ordered = sorted(importance, key=lambda i: -values[i.feature])
        edited = [
            i.model_copy(update={"mean_abs_shap": values[i.feature], "rank": rank})
            for rank, i in enumerate(ordered, start=1)
        ]
        update = {"importance": edited}
        return base.model_copy(
            update={"explanations": explanations(base).model_copy(update=update)}
        )

    # Every importance 0 on the head: no feature ranks above another, and nothing moved.
    zero = compare(base, head_with({i.feature: 0.0 for i in importance}))
    assert zero.explanations is not None
    assert (zero.explanations.ranks, zero.explanations.unchanged_ranks) == ([], 5)
    assert zero.explanations.head_uniform_importance == 0.0
    assert "explanations" in zero.changed
    text = render_markdown(zero)
    assert text.splitlines()[0].endswith("every feature has mean |SHAP value| 0 on the head")
    assert "importance rank" not in text and "changed rank" not in text
    assert "On the head every feature has mean |SHAP value| 0: no feature ranks" in text
    # f2 (rank 2) tied with f4 (rank 1) at the top: both share rank 1, neither moved.
    values = {i.feature: i.mean_abs_shap for i in importance}
    tied = compare(base, head_with({**values, "f2": values["f4"]}))
    assert tied.explanations is not None and tied.explanations.ranks == []
    assert not tied.explanations.changed
    # A side with no explanations ranks nothing: the explainer line says so, no rank moved.
    unexplained = compare(base.model_copy(update={"explanations": None}), base).explanations
    assert unexplained is not None and unexplained.changed and unexplained.ranks == []
    # f3 from last to first: it moved, and so did every feature it passed.
    top = compare(base, head_with({**values, "f3": 1.0}))
    assert top.explanations is not None
    assert [(r.feature, r.base_rank, r.head_rank) for r in top.explanations.ranks] == [
        ("f4", 1, 2), ("f3", 5, 1), ("f2", 2, 3), ("f1", 3, 4), ("f5", 4, 5),
    ]  # fmt: skip


def test_card_lines_are_compared_and_shown_as_words(builds: Builds) -> None:
    result = compare(builds.facts("base"), builds.facts("hyperparameters"))
    lines = [line for section in result.sections for line in section.lines]
    assert lines
    for line in lines:
        assert "`" not in line.text and "\\" not in line.text, line
    evaluation_lines = next(s for s in result.sections if s.id == "evaluation").lines
    assert [(line.change, line.text) for line in evaluation_lines[:2]] == [
        ("removed", "accuracy 0.875 [0.830, 0.920]"),
        ("added", "accuracy 0.765 [0.705, 0.825]"),
    ]
    architecture = next(s for s in result.sections if s.id == "architecture")
    call = "train.py:12 creates the estimator xgboost.XGBClassifier with n_estimators = 20, "
    assert [(line.change, line.text[: len(call) + 13]) for line in architecture.lines] == [
        ("removed", call + "max_depth = 2"),
        ("added", call + "max_depth = 1"),
    ]
    # Rendered, the part reads as the card does: no backslash, no backtick.
    shown = visible(render_markdown(result)).split("Card sections", 1)[1]
    assert "`" not in shown and "\\" not in shown
    assert call + "max_depth = 1" in shown


def test_a_section_that_differs_only_in_markup_is_unchanged(builds: Builds) -> None:
    base = builds.facts("base")

    def plain_code(text: str) -> str:
        # Each code span as escaped text: the same words, other markup.
        return re.sub(r"`([^`\n]+)`", lambda m: re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", m[1]), text)

    sections = [s.model_copy(update={"text": plain_code(s.text)}) for s in narrative(base).sections]
    assert "n\\_estimators" in sections[2].text
    head = base.model_copy(
        update={"narrative": narrative(base).model_copy(update={"sections": sections})}
    )
    assert compare(base, head).sections == []


@pytest.mark.parametrize(
    ("markdown", "lines"),
    [
        ("Uses `log_loss` and log\\_loss, *not* **this** [link](https://x.org) &amp; 2\\*3.",
         ["Uses log_loss and log_loss, not this link & 2*3."]),
        ("Intro:\n\n- first `a`\n- second\n  wrapped\n\n1. one\n",
         ["Intro:", "first a", "second wrapped", "one"]),
        ("| metric | value |\n| --- | --- |\n| `accuracy` | 0.9 \\| 1 |\n",
         ["metric | value", "accuracy | 0.9 | 1"]),
        ("```python\nimport x\n\nx.load()\n```\n", ["import x", "x.load()"]),
        ("## Title\n\n<script>alert(1)</script> ![a plot](p.png)\n",
         ["Title", "<script>alert(1)</script> a plot"]),
    ],
)  # fmt: skip
def test_rendered_lines_are_what_a_reader_sees(markdown: str, lines: list[str]) -> None:
    assert rendered_lines(markdown) == lines
