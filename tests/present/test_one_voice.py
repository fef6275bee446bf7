"""One fact, a metric with its interval, rendered through every output: the offline writer's
prose, the Hugging Face card, the Model Card Toolkit JSON, the site's pages, the ROC plot's
alt text and legend, and the diff. They all show it the same way, and changing how an
interval reads (one string in `modeldoc.present.numbers`) changes it in every one of them.

The fact sheet is built in memory from a real evaluation and real plots: no build runs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure

from modeldoc.diff.compare import compare
from modeldoc.diff.markdown import render_markdown
from modeldoc.facts import (
    CodeFacts,
    FactSheet,
    Generator,
    Metric,
    Narrative,
    Provenance,
    RepoFacts,
)
from modeldoc.present import numbers
from modeldoc.present.numbers import number
from modeldoc.present.sections import SECTIONS
from modeldoc.render.hf_card import render_hf_card
from modeldoc.render.mct import render_mct
from modeldoc.render.site_pages import render_pages
from modeldoc.tools.evaluate.metrics import classification
from modeldoc.tools.plots import performance
from modeldoc.tools.plots.performance import performance_plots
from modeldoc.writing.offline import OfflineWriter
from modeldoc.writing.verify import index_facts, verify_section

ROWS = 300
# The default first; the others are what a newcomer might change it to.
FORMATS = ["[{low}, {high}]", "({low} to {high})", "{low} … {high}"]


@dataclass(frozen=True)
class Outputs:
    """The ROC AUC fact's metric, and every output it appears in."""

    metric: Metric
    writer: str
    card: str
    mct: dict[str, Any]
    site_index: str
    site_performance: str
    alt: str
    legend: list[str]
    diff: str
    unverified: list[str]


def _arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A binary classifier's true labels, predictions and probabilities (seeded)."""
    rng = np.random.default_rng(7)
    y_true = rng.integers(0, 2, ROWS)
    score = np.clip(0.55 * y_true + 0.6 * rng.random(ROWS), 0.0, 1.0)
    return y_true, (score >= 0.5).astype(int), np.column_stack([1 - score, score])


def _readable(markdown: str) -> str:
    """Markdown as a reader sees it: backslash escapes undone."""
    return re.sub(r"\\(.)", r"\1", markdown)


def render_everything(out: Path, monkeypatch: pytest.MonkeyPatch) -> Outputs:
    """A fact sheet of a real evaluation and its real plots, through every output."""
    legends: list[list[str]] = []
    save = performance.save_figure

    def save_and_read_legend(figure: Figure, out_dir: Path, name: str) -> str:
        legend = figure.axes[0].get_legend()
        legends.append([text.get_text() for text in legend.get_texts()] if legend else [])
        return save(figure, out_dir, name)

    monkeypatch.setattr(performance, "save_figure", save_and_read_legend)
    y_true, y_pred, proba = _arrays()
    evaluation = classification(y_true, y_pred, proba, labels=[0, 1], resamples=200)
    plots = performance_plots(evaluation, y_true, y_pred, out, proba=proba, labels=[0, 1])
    legend = legends[[plot.kind for plot in plots.plots].index("roc")]
    facts = FactSheet(
        generator=Generator(version="0"),
        repo=RepoFacts(name="one-voice"),
        code=CodeFacts(),
        provenance=Provenance(created_at="2026-01-01T00:00:00+00:00", python="3.11"),
        evaluation=evaluation,
        plots=plots.plots,
    )
    index = index_facts(facts)
    sections = [verify_section(OfflineWriter().write(spec, facts), index) for spec in SECTIONS]
    facts = facts.model_copy(update={"narrative": Narrative(writer="offline", sections=sections)})
    # The base of the diff had a clearly worse model: the metric changed beyond its interval.
    worse = Metric(name="roc_auc", value=0.7, ci_low=0.6, ci_high=0.8)
    base_evaluation = evaluation.model_copy(
        update={"metrics": [worse if m.name == "roc_auc" else m for m in evaluation.metrics]}
    )
    base = facts.model_copy(update={"evaluation": base_evaluation})
    pages = render_pages(facts, card_markdown=None, plots_present={p.file for p in facts.plots})
    metric = evaluation.metric("roc_auc")
    assert metric is not None and metric.value is not None and metric.ci_low is not None
    return Outputs(
        metric=metric,
        writer=next(s.text for s in sections if s.id == "evaluation"),
        card=_readable(render_hf_card(facts)),
        mct=render_mct(facts, out),
        site_index=_readable(pages["index.md"]),
        site_performance=pages["performance.md"],
        alt=next(plot.alt for plot in facts.plots if plot.kind == "roc"),
        legend=legend,
        diff=render_markdown(compare(base, facts)),
        unverified=[finding.text for section in sections for finding in section.unmatched],
    )


@pytest.mark.parametrize("interval_format", FORMATS)
def test_one_fact_reads_the_same_in_every_output(
    interval_format: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The one edit: how an interval reads.
    monkeypatch.setattr(numbers, "INTERVAL_FORMAT", interval_format)
    shown = render_everything(tmp_path, monkeypatch)
    metric = shown.metric
    assert metric.ci_low is not None and metric.ci_high is not None
    value = number(metric.value)
    interval = interval_format.format(low=number(metric.ci_low), high=number(metric.ci_high))
    fact = f"ROC AUC {value} {interval}"

    assert f"- {fact}" in shown.writer.splitlines()
    card_evaluation = shown.card.split("\n## Evaluation results\n", 1)[1].split("\n## ", 1)[0]
    assert f"- {fact}" in card_evaluation.splitlines()
    assert f"![ROC curve for class '1': {fact}.](plots/roc.png)" in shown.card
    assert shown.alt == f"ROC curve for class '1': {fact}."
    assert shown.legend == ["Model (" + fact + ")", "Chance level (ROC AUC 0.500)"]
    assert f"- {fact}" in shown.site_index.splitlines()
    assert f"| ROC AUC (`roc_auc`) | {value} | {interval} |" in shown.site_performance
    # The Model Card Toolkit types values as strings: each reads as everywhere else, and
    # its limitations quote the headline metric (ROC AUC, for a classifier) whole.
    (mct,) = [
        m
        for m in shown.mct["quantitative_analysis"]["performance_metrics"]
        if m["type"] == "roc_auc"
    ]
    assert mct["value"] == value
    assert mct["confidence_interval"] == {
        "lower_bound": number(metric.ci_low),
        "upper_bound": number(metric.ci_high),
    }
    limitations = [item["description"] for item in shown.mct["considerations"]["limitations"]]
    assert any(fact in item for item in limitations)
    (row,) = [line for line in shown.diff.splitlines() if line.startswith("| ROC AUC |")]
    assert f"| 0.700 | {value} | +{number(metric.value - 0.7)} |" in row
    assert f"| {numbers.bounds('0.600', '0.800')} | {interval} |" in row

    # Every number each section shows is still one the verifier can trace to a fact.
    assert shown.unverified == []
    if interval_format != FORMATS[0]:
        default = FORMATS[0].format(low=number(metric.ci_low), high=number(metric.ci_high))
        everything = [shown.writer, shown.card, json.dumps(shown.mct, ensure_ascii=False),
                      shown.site_index, shown.site_performance, shown.alt, *shown.legend,
                      shown.diff]  # fmt: skip
        assert not any(default in text for text in everything)
