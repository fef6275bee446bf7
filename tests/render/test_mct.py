"""The Model Card Toolkit JSON of a real build: valid against the toolkit's own schema, every
metric with its interval as every output shows it, plots as PNG, considerations from the facts
and the owners."""

from __future__ import annotations

import base64
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from helpers.examples import example_facts, with_apache_licence
from jsonschema import Draft7Validator

from modeldoc.errors import InputError
from modeldoc.facts import FactSheet, Finding, Narrative, Plot, Section, Stated
from modeldoc.present.limitations import limitations
from modeldoc.present.metrics import metric_number
from modeldoc.render.mct import (
    MCT_FILE,
    CardSchemaError,
    render_mct,
    validate_mct,
    write_mct,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "mct" / "model_card.schema.v0.0.2.json"
PNG = b"\x89PNG\r\n\x1a\n"


NARRATIVE = Narrative(
    writer="offline",
    sections=[
        Section(id="model_details", title="Model details", writer="offline",
                text="A ridge regression pipeline.\n\nIt scales, then fits."),
        Section(
            id="limitations", title="Limitations and risks", writer="offline",
            text="What the facts show:\n\n- Evaluated on 89 rows only.\n"
            "- Groups of `sex` differ\n  a little.\n\nNo training data was profiled.",
            findings=[Finding(kind="number", text="89", matched=True, fact="data[0].rows"),
                      Finding(kind="number", text="12.5", matched=False)],
        ),
    ],
)  # fmt: skip
STATED = Stated(
    version="1.2.0",
    owners=["Data team"],
    contact="data@example.org",
    intended_uses=["Ranking patients for follow-up"],
    intended_users=["Clinicians"],
    out_of_scope_uses=["Diagnosis"],
    ethical_considerations=["Medical decisions need a human in the loop"],
    references=["https://example.org/paper", "Efron et al. (2004), Least angle regression"],
    citation="@misc{diabetes, title={Diabetes model}}",
)


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def cancer(tmp_path_factory: pytest.TempPathFactory) -> tuple[FactSheet, Path]:
    out = tmp_path_factory.mktemp("cancer") / "out"
    return example_facts("cancer-xgboost", out), out


@pytest.fixture(scope="module")
def diabetes(tmp_path_factory: pytest.TempPathFactory) -> tuple[FactSheet, Path]:
    out = tmp_path_factory.mktemp("diabetes") / "out"
    facts = example_facts("diabetes-skops", out)
    facts = with_apache_licence(facts)
    return facts.model_copy(update={"narrative": NARRATIVE, "stated": STATED}), out


def overall(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    metrics = card["quantitative_analysis"]["performance_metrics"]
    return {m["type"]: m for m in metrics if "slice" not in m}


@pytest.mark.parametrize("example", ["cancer", "diabetes"])
def test_validates_against_the_toolkit_schema(
    example: str, request: pytest.FixtureRequest, validator: Draft7Validator
) -> None:
    facts, out = request.getfixturevalue(example)
    card = render_mct(facts, out)
    assert list(validator.iter_errors(card)) == []
    assert card["schema_version"] == "0.0.2"


def test_packaged_schema_is_the_toolkit_schema() -> None:
    packaged = files("modeldoc").joinpath("site_template/card/model_card.schema.v0.0.2.json")
    assert json.loads(packaged.read_text(encoding="utf-8")) == json.loads(SCHEMA.read_text())


def test_every_computed_metric_with_its_interval(cancer: tuple[FactSheet, Path]) -> None:
    facts, out = cancer
    assert facts.evaluation is not None
    shown = overall(render_mct(facts, out))
    computed = [m for m in facts.evaluation.metrics if m.value is not None]
    assert set(shown) == {m.name for m in computed}
    for metric in computed:
        assert shown[metric.name]["value"] == metric_number(metric.name, metric.value)
        if metric.ci_low is None:
            assert "confidence_interval" not in shown[metric.name]
            continue
        bounds = shown[metric.name]["confidence_interval"]
        assert bounds["lower_bound"] == metric_number(metric.name, metric.ci_low)
        assert bounds["upper_bound"] == metric_number(metric.name, metric.ci_high)
    assert "confidence_interval" in shown["roc_auc"]


def test_slices_are_reported_per_group(diabetes: tuple[FactSheet, Path]) -> None:
    facts, out = diabetes
    card = render_mct(facts, out)
    sliced = [m for m in card["quantitative_analysis"]["performance_metrics"] if "slice" in m]
    assert facts.evaluation is not None
    groups = facts.evaluation.slices[0].groups
    assert {m["slice"] for m in sliced} == {f"sex={group.value}" for group in groups}
    assert len(sliced) == sum(len(group.metrics) for group in groups)
    dataset = card["model_parameters"]["data"][0]
    assert dataset["name"] == "test.csv"
    assert dataset["sensitive"] == {"sensitive_data": ["sex"]}
    gaps = card["considerations"]["tradeoffs"]
    assert gaps[0]["description"] == (
        "Mean absolute error differs by up to 0.749 between the groups of `sex`."
    )


@pytest.mark.parametrize("example", ["cancer", "diabetes"])
def test_performance_plots_decode_as_png(example: str, request: pytest.FixtureRequest) -> None:
    facts, out = request.getfixturevalue(example)
    graphics = render_mct(facts, out)["quantitative_analysis"]["graphics"]["collection"]
    performance = [plot for plot in facts.plots if not plot.kind.startswith("shap")]
    assert [g["name"] for g in graphics] == [plot.title for plot in performance]
    for graphic, plot in zip(graphics, performance, strict=True):
        image = base64.b64decode(graphic["image"], validate=True)
        assert image.startswith(PNG)
        assert image == (out / plot.file).read_bytes()


def test_details_from_narrative_and_considerations_from_facts_and_owners(
    diabetes: tuple[FactSheet, Path],
) -> None:
    card = render_mct(*diabetes)
    details = card["model_details"]
    assert details["overview"] == "A ridge regression pipeline."
    assert details["documentation"] == "A ridge regression pipeline.\n\nIt scales, then fits."
    assert details["owners"] == [{"name": "Data team", "contact": "data@example.org"}]
    assert details["version"] == {"name": "1.2.0"}
    assert details["licenses"] == [{"identifier": "Apache-2.0"}]
    assert details["references"] == [{"reference": "https://example.org/paper"}]
    assert details["citations"] == [
        {"citation": "@misc{diabetes, title={Diabetes model}}"},
        {"citation": "Efron et al. (2004), Least angle regression"},
    ]
    assert "Pipeline" in card["model_parameters"]["model_architecture"]
    assert card["model_parameters"]["input_format"].startswith("10 features, in this order: age")
    considerations = card["considerations"]
    assert considerations["users"] == [{"description": "Clinicians"}]
    assert considerations["use_cases"] == [{"description": "Ranking patients for follow-up"}]
    # The items the facts show, as the offline writer lists them; never parsed from prose.
    facts = diabetes[0]
    assert [item["description"] for item in considerations["limitations"]] == [
        *limitations(facts),
        "Out of scope: Diagnosis",
    ]
    assert considerations["limitations"][0]["description"].startswith(
        "The results rest on 89 rows: R² "
    )
    assert considerations["ethical_considerations"] == [
        {"name": "Medical decisions need a human in the loop"}
    ]


def test_without_narrative_the_overview_is_the_readme_summary(
    cancer: tuple[FactSheet, Path],
) -> None:
    facts = cancer[0].model_copy(update={"narrative": None, "stated": None})
    card = render_mct(facts, cancer[1])
    assert facts.repo.readme is not None
    assert card["model_details"]["overview"] == facts.repo.readme.summary
    # Nothing stated: the only considerations are the limitations the facts show.
    assert card["considerations"] == {
        "limitations": [{"description": item} for item in limitations(facts)]
    }


def test_writer_prose_is_inert(diabetes: tuple[FactSheet, Path]) -> None:
    facts, out = diabetes
    hostile = Section(id="model_details", title="Model details", writer="llm",
                      text="<script>alert(1)</script> [x](javascript:alert(1))")  # fmt: skip
    narrative = NARRATIVE.model_copy(update={"sections": [hostile]})
    card = render_mct(facts.model_copy(update={"narrative": narrative}), out)
    text = json.dumps(card)
    assert "<script" not in text and "javascript:" not in text


def test_write_mct_writes_the_validated_card(diabetes: tuple[FactSheet, Path]) -> None:
    facts, out = diabetes
    path = write_mct(facts, out)
    assert path == out / MCT_FILE
    assert json.loads(path.read_text(encoding="utf-8")) == render_mct(facts, out)


def test_invalid_card_raises_a_clear_error() -> None:
    with pytest.raises(CardSchemaError, match=r"\$\.model_details\.licenses\[0\]"):
        validate_mct({"model_details": {"licenses": [{}]}})
    with pytest.raises(CardSchemaError, match="Additional properties are not allowed"):
        validate_mct({"narrative": "not a toolkit field"})


@pytest.mark.parametrize("file", ["../facts.json", "/etc/passwd", "plots/missing.png"])
def test_plot_outside_the_output_folder_or_missing_is_refused(
    cancer: tuple[FactSheet, Path], file: str
) -> None:
    facts, out = cancer
    plot = Plot(file=file, kind="roc", title="ROC", shows="...", alt="...")
    with pytest.raises(InputError, match="plot"):
        render_mct(facts.model_copy(update={"plots": [plot]}), out)
