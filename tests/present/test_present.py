"""The presentation layer's rules: the number and interval formats, the metric registry and
its headline rule, values from code and data, and phrases every output shares."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from modeldoc.facts import (
    CodeFacts,
    Evaluation,
    Explanations,
    FactSheet,
    FeatureImportance,
    Generator,
    Metric,
    Provenance,
    RepoFacts,
    SliceGroup,
    SliceReport,
    Value,
)
from modeldoc.present.card import code_value, data_text, data_value
from modeldoc.present.metrics import (
    METRICS,
    headline_metric,
    metric_interval,
    metric_number,
    metric_spec,
    metric_text,
)
from modeldoc.present.numbers import interval, number, percent, signed
from modeldoc.present.phrases import direction
from modeldoc.present.sections import SECTIONS_BY_ID
from modeldoc.render.mct import render_mct
from modeldoc.render.site_pages import render_pages
from modeldoc.tools.evaluate.metrics import classification, regression
from modeldoc.tools.evaluate.slices import slice_report
from modeldoc.writing.offline import OfflineWriter
from modeldoc.writing.verify import index_facts, verify_section


def fact_sheet(**parts: object) -> FactSheet:
    """A fact sheet with only what a test gives it."""
    return FactSheet.model_validate(
        {
            "generator": Generator(version="0"),
            "repo": RepoFacts(name="present"),
            "code": CodeFacts(),
            "provenance": Provenance(created_at="2026-01-01T00:00:00+00:00", python="3.11"),
            **parts,
        }
    )


def written(facts: FactSheet, section: str) -> str:
    """The offline writer's section, every statement of it traced to a fact."""
    verified = verify_section(
        OfflineWriter().write(SECTIONS_BY_ID[section], facts), index_facts(facts)
    )
    assert verified.unmatched == [], verified.unmatched
    return verified.text


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.95804, "0.958"), (1234.56, "1,234.6"), (0.0004567, "0.000457"), (12_345, "12,345"),
     (0.0, "0"), (None, "unknown"), (float("nan"), "unknown"), (True, "true")],
)  # fmt: skip
def test_the_one_number_format(value: float | None, shown: str) -> None:
    assert number(value) == shown


def test_signs_percentages_and_intervals() -> None:
    assert (signed(0.5), signed(-0.5), signed(0)) == ("+0.500", "-0.500", "0")
    assert (percent(0.95), percent(0.374), percent(0.0004), percent(None)) == (
        "95%", "37.4%", "0.040%", "unknown",
    )  # fmt: skip
    assert interval(0.9231, 0.986) == "[0.923, 0.986]"
    assert interval(None, 0.9) == "no interval"


def test_every_metric_modeldoc_computes_is_registered() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 60)
    proba = rng.dirichlet(np.ones(3), 60)
    binary = truth % 2
    computed = {
        *(m.name for m in classification(truth, proba.argmax(1), proba, resamples=5).metrics),
        *(m.name for m in classification(binary, binary, np.eye(2)[binary], resamples=5).metrics),
        *(m.name for m in regression(rng.random(60) + 1, rng.random(60) + 1, resamples=5).metrics),
    }
    report = slice_report(binary, binary, pd.Series(truth, name="group"), "classification",
                          positive_label=1)  # fmt: skip
    gated = {*report.largest_gap, "demographic_parity_difference", "equalized_odds_difference"}
    assert computed | gated <= set(METRICS)
    assert all(spec.id == key for key, spec in METRICS.items())
    assert metric_spec("log_loss").higher_is_better is False
    assert metric_spec("r2").higher_is_better is True


def test_a_metric_reads_by_its_format_with_its_interval() -> None:
    assert metric_text(Metric(name="roc_auc", value=0.9954, ci_low=0.98, ci_high=1.0)) == (
        "ROC AUC 0.995 [0.980, 1.000]"
    )
    assert metric_text(Metric(name="log_loss", value=0.0904)) == "log loss 0.090"
    # MAPE is a fraction: it reads as a percentage, its interval too.
    assert metric_number("mape", 0.374) == "37.4%"
    assert metric_interval("mape", 0.31, 0.402) == "[31%, 40.2%]"
    assert metric_number("mae", 0.012, sign=True) == "+0.012"
    missing = Metric(name="brier", not_computed="one class *only*")
    assert metric_text(missing) == "Brier score not computed (one class *only*)"
    assert metric_text(missing, markdown=True) == "Brier score not computed (one class \\*only\\*)"
    # A metric from another version's fact sheet reads as its id.
    assert metric_text(Metric(name="top_k_hits", value=3.0)) == "top k hits 3.000"


def _evaluation(task: str, *names: str) -> Evaluation:
    metrics = [Metric(name=name, value=0.5) for name in names]
    return Evaluation(task=task, rows=10, metrics=[Metric(name="first"), *metrics])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("evaluation", "headline"),
    [
        (_evaluation("classification", "accuracy", "log_loss", "roc_auc"), "roc_auc"),
        (_evaluation("classification", "log_loss", "accuracy"), "accuracy"),
        (_evaluation("regression", "mae", "rmse", "r2"), "r2"),
        (_evaluation("regression", "mae", "rmse"), "rmse"),
        (_evaluation("regression", "mae"), "mae"),
        (_evaluation("classification"), None),
    ],
)
def test_the_headline_metric_is_chosen_by_the_task(
    evaluation: Evaluation, headline: str | None
) -> None:
    found = headline_metric(evaluation)
    assert (found.name if found else None) == headline


def test_values_from_code_and_data() -> None:
    assert code_value(Value(text="0.25", literal=True, value=0.25)) == "0.25"
    assert code_value(Value(text="TEST_SIZE", literal=True, value=0.25)) == "`TEST_SIZE` = 0.25"
    assert code_value(Value(text="3e-4", literal=True, value=0.0003)) == "`3e-4` = 0.0003"
    assert code_value(Value(text="cfg.lr", literal=False)) == "`cfg.lr`"
    assert code_value(Value(text="True", literal=True, value=True)) == "`True`"
    assert [data_text(v) for v in (None, 19.68, 0.12345678901234, "north", True)] == [
        "missing", "19.68", "0.123", "north", "True",
    ]  # fmt: skip
    assert [data_value(v) for v in (None, 19.68, "north")] == ["missing", "19.68", "`north`"]


def test_the_direction_rule() -> None:
    assert direction(0.8) == "higher values raise the output"
    assert direction(-0.3) == "higher values lower the output"
    assert direction(0.05) == direction(-0.05) == "no monotonic trend"
    assert direction(None) == "no monotonic trend can be measured (text or constant values)"


def test_directions_and_slice_gaps_read_alike_in_card_site_and_toolkit_json(
    tmp_path: Path,
) -> None:
    """A weak correlation is no trend on the card and the site alike (the card once said
    "raises" for any positive correlation); a slice gap is one sentence in prose, in the
    limitations and in the toolkit JSON."""
    importance = [
        FeatureImportance(feature="age", mean_abs_shap=0.4, rank=1, value_shap_correlation=0.05),
        FeatureImportance(feature="bmi", mean_abs_shap=0.2, rank=2, value_shap_correlation=-0.7),
    ]
    explanations = Explanations(explainer="tree", why_explainer="a tree model",
                                features=["age", "bmi"], rows_available=10, rows_explained=10,
                                importance=importance)  # fmt: skip
    report = SliceReport(
        column="sex",
        groups=[SliceGroup(value="f", rows=5, metrics={"accuracy": 0.9}),
                SliceGroup(value="m", rows=5, metrics={"accuracy": 0.7})],
        largest_gap={"accuracy": 0.2},
        demographic_parity_difference=0.1,
    )  # fmt: skip
    evaluation = Evaluation(task="classification", rows=10, slices=[report],
                            metrics=[Metric(name="accuracy", value=0.8)])  # fmt: skip
    facts = fact_sheet(explanations=explanations, evaluation=evaluation)

    card = written(facts, "explanations")
    assert "- `age` 0.400, no monotonic trend" in card
    assert "- `bmi` 0.200, higher values lower the output" in card
    page = render_pages(facts, card_markdown=None, plots_present=())["explanations.md"]
    assert "| `age` | 0.400 | 0.050 | no monotonic trend |" in page
    assert "| `bmi` | 0.200 | -0.700 | higher values lower the output |" in page

    gap = "Accuracy differs by up to 0.200 between the groups of `sex`"
    fairness = "The demographic parity difference between the groups of `sex` is 0.100."
    evaluation_text = written(facts, "evaluation")
    assert f"{gap}: from 0.700 (`m`) to 0.900 (`f`)." in evaluation_text
    assert fairness in evaluation_text
    assert f"- {gap}." in written(facts, "limitations")
    considerations = render_mct(facts, tmp_path)["considerations"]
    assert {"description": f"{gap}."} in considerations["limitations"]
    assert considerations["tradeoffs"] == [{"description": f"{gap}."},
                                           {"description": fairness}]  # fmt: skip


def test_a_percentage_metric_is_traced_by_the_verifier() -> None:
    rng = np.random.default_rng(1)
    truth = rng.random(80) + 1
    evaluation = regression(truth, truth * (1 + rng.normal(0, 0.2, 80)), resamples=50)
    mape = evaluation.metric("mape")
    assert mape is not None and mape.value is not None
    text = written(fact_sheet(evaluation=evaluation), "evaluation")
    assert f"- mean absolute percentage error {percent(mape.value)}" in text.splitlines()
