"""The offline writer states only facts (the verifier finds nothing unmatched in its sections
for both examples), and the verifier catches a wrong number, a renamed feature and an
invented file."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.examples import example_facts

from modeldoc.facts import FactSheet, Section, Stated
from modeldoc.present.sections import SECTIONS
from modeldoc.writing.offline import OfflineWriter
from modeldoc.writing.verify import index_facts, verify_section

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cancer(tmp_path_factory: pytest.TempPathFactory) -> FactSheet:
    return example_facts("cancer-xgboost", tmp_path_factory.mktemp("cancer") / "out")


@pytest.fixture(scope="module")
def diabetes(tmp_path_factory: pytest.TempPathFactory) -> FactSheet:
    return example_facts("diabetes-skops", tmp_path_factory.mktemp("diabetes") / "out")


def write_all(facts: FactSheet) -> dict[str, Section]:
    index = index_facts(facts)
    writer = OfflineWriter()
    return {spec.id: verify_section(writer.write(spec, facts), index) for spec in SECTIONS}


@pytest.mark.parametrize("example", ["cancer", "diabetes"])
def test_every_statement_of_the_offline_writer_is_a_fact(
    example: str, request: pytest.FixtureRequest
) -> None:
    facts: FactSheet = request.getfixturevalue(example)
    sections = write_all(facts)
    assert list(sections) == [spec.id for spec in SECTIONS]
    for section in sections.values():
        assert section.writer == "offline"
        assert not section.unmatched, (section.id, section.unmatched)
    # The sections say something specific: numbers and names were found and matched.
    evaluation = sections["evaluation"]
    assert sum(f.kind == "number" for f in evaluation.findings) >= 10
    top = facts.explanations.importance[0].feature if facts.explanations else ""
    assert f"`{top}`" in sections["explanations"].text


def test_the_cancer_card_quotes_the_computed_values(cancer: FactSheet) -> None:
    sections = write_all(cancer)
    accuracy = cancer.evaluation.metric("accuracy") if cancer.evaluation else None
    assert accuracy is not None and accuracy.value is not None
    assert accuracy.ci_low is not None and accuracy.ci_high is not None
    line = f"- accuracy {accuracy.value:.3f} [{accuracy.ci_low:.3f}, {accuracy.ci_high:.3f}]"
    assert line in sections["evaluation"].text
    assert "`train.py:18` creates the estimator `xgboost.XGBClassifier`" in (
        sections["architecture"].text
    )


def test_what_facts_cannot_tell_is_said_plainly(cancer: FactSheet) -> None:
    cancer = cancer.model_copy(update={"stated": None})
    sections = write_all(cancer)
    assert "[More Information Needed]" in sections["intended_use"].text
    assert set(sections["intended_use"].missing) == {
        "intended uses", "intended users", "out-of-scope uses",
    }  # fmt: skip
    stated = cancer.model_copy(
        update={"stated": Stated(owners=["Model risk team"], intended_uses=["Research triage"])}
    )
    sections = write_all(stated)
    assert "Owners: Model risk team." in sections["model_details"].text
    assert "- Research triage" in sections["intended_use"].text
    assert "intended uses" not in sections["intended_use"].missing
    assert not any(section.unmatched for section in sections.values())


def _planted(facts: FactSheet, text: str) -> list[tuple[str, str]]:
    section = Section(id="evaluation", title="Evaluation", text=text, writer="test")
    checked = verify_section(section, index_facts(facts))
    return [(finding.kind, finding.text) for finding in checked.unmatched]


def test_the_verifier_catches_a_planted_wrong_number(cancer: FactSheet) -> None:
    assert cancer.evaluation is not None
    accuracy = cancer.evaluation.metric("accuracy")
    assert accuracy is not None and accuracy.value is not None
    right = f"Accuracy is {accuracy.value:.3f} on {cancer.evaluation.rows} rows."
    assert _planted(cancer, right) == []
    wrong = right.replace(f"{accuracy.value:.3f}", "0.912")
    assert _planted(cancer, wrong) == [("number", "0.912")]


def test_the_verifier_catches_a_renamed_feature(cancer: FactSheet) -> None:
    assert _planted(cancer, "The top feature is `worst concave points`.") == []
    assert _planted(cancer, "The top feature is `worst_concave_points`.") == [
        ("identifier", "worst_concave_points")
    ]
    # Outside a code span, a code-shaped name is checked too.
    assert _planted(cancer, "The top feature is worst_concave_pts.") == [
        ("identifier", "worst_concave_pts")
    ]


def test_a_qualified_name_also_names_its_class_and_module(cancer: FactSheet) -> None:
    # `xgboost.XGBClassifier` is a fact: its class and module may be named on their own.
    assert _planted(cancer, "An `XGBClassifier` from `xgboost`.") == []
    assert _planted(cancer, "It calls `load_breast_cancer` of `sklearn.datasets`.") == []
    assert _planted(cancer, "An `XGBRegressor` from `lightgbm`.") == [
        ("identifier", "XGBRegressor"), ("identifier", "lightgbm")]  # fmt: skip


def test_the_verifier_catches_an_invented_file(cancer: FactSheet) -> None:
    assert _planted(cancer, "It is trained in `train.py:18`.") == []
    assert _planted(cancer, "It is trained in `prepare_data.py`.") == [("path", "prepare_data.py")]
    assert _planted(cancer, "It is trained in train.py:999.") == [("path", "train.py:999")]
    assert _planted(cancer, "See configs/model.yaml for the settings.") == [
        ("path", "configs/model.yaml")
    ]


def test_places_link_to_the_line_at_the_commit(cancer: FactSheet) -> None:
    repo = cancer.repo.model_copy(
        update={"web_url": "https://github.com/org/models", "commit": "a" * 40,
                "git_prefix": "cancer/"}
    )  # fmt: skip
    sections = write_all(cancer.model_copy(update={"repo": repo}))
    link = f"[`train.py:18`](https://github.com/org/models/blob/{'a' * 40}/cancer/train.py#L18)"
    assert link in sections["architecture"].text
    assert not sections["architecture"].unmatched


def test_poor_calibration_is_a_limitation(cancer: FactSheet) -> None:
    assert cancer.evaluation is not None
    brier = cancer.evaluation.metric("brier")
    assert brier is not None and brier.reference is not None and brier.value is not None
    assert "Calibration: Brier score" in write_all(cancer)["limitations"].text
    worse = brier.model_copy(update={"value": brier.reference + 0.01})
    metrics = [worse if m.name == "brier" else m for m in cancer.evaluation.metrics]
    evaluation = cancer.evaluation.model_copy(update={"metrics": metrics})
    limits = write_all(cancer.model_copy(update={"evaluation": evaluation}))["limitations"]
    assert "poorly calibrated" in limits.text and not limits.unmatched
