"""The writer's look-ups answer from the facts and the repository, read-only and capped."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.examples import EXAMPLES, example_facts

from modeldoc.facts import FactSheet
from modeldoc.tools.scan import scan_repository
from modeldoc.writing.lookups import MAX_EXCERPT_LINES, Lookups, NotInFacts


@pytest.fixture(scope="module")
def cancer(tmp_path_factory: pytest.TempPathFactory) -> Lookups:
    facts = example_facts("cancer-xgboost", tmp_path_factory.mktemp("cancer") / "out")
    return Lookups(facts, EXAMPLES / "cancer-xgboost")


@pytest.fixture(scope="module")
def facts(cancer: Lookups) -> FactSheet:
    return cancer.facts


def test_a_fact_by_its_path(cancer: Lookups, facts: FactSheet) -> None:
    assert facts.evaluation is not None
    assert cancer.fact("evaluation.metrics[0].value") == facts.evaluation.metrics[0].value
    assert cancer.fact("checkpoints[0].n_trees") == 100
    for wrong in ("evaluation.nothing", "evaluation.metrics[99]", "", "evaluation..rows", "a b"):
        with pytest.raises(NotInFacts):
            cancer.fact(wrong)


def test_metrics_and_shap_for_a_feature(cancer: Lookups, facts: FactSheet) -> None:
    assert [m["name"] for m in cancer.metrics()][:2] == ["accuracy", "balanced_accuracy"]
    assert facts.explanations is not None
    top = facts.explanations.importance[0]
    answer = cancer.shap_feature(top.feature)
    assert answer["importance"]["mean_abs_shap"] == top.mean_abs_shap
    assert {entry["row"] for entry in answer["local"]} == {
        row.row for row in facts.explanations.local
    }
    with pytest.raises(NotInFacts):
        cancer.shap_feature("worst_concave_points")


def test_source_excerpts_are_bounded_and_stay_in_the_repository(
    cancer: Lookups, tmp_path: Path
) -> None:
    excerpt = cancer.source("train.py", 18, 18)
    assert excerpt.startswith("   18  ") and "XGBClassifier" in excerpt
    assert len(cancer.source("train.py", 1, 500).splitlines()) <= MAX_EXCERPT_LINES
    for file in ("../cancer-xgboost/train.py", "/etc/passwd", "model.json", "missing.py"):
        with pytest.raises(NotInFacts):
            cancer.source(file, 1, 5)


def test_symbols_and_secrets(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    key = "AKIA" + "ABCDEFGHIJKLMNOP"
    (repo / "train.py").write_text(
        f"# credentials: {key}\nclass Net:\n    pass\n\n\ndef fit(model):\n    model.fit()\n"
    )
    facts = example_facts("cancer-xgboost", tmp_path / "out")
    scanned = scan_repository(repo)
    lookups = Lookups(facts.model_copy(update={"code": scanned.code}), repo)
    (net,) = lookups.find_symbol("Net")
    assert (net["kind"], net["source"]["line"]) == ("class", 2)
    assert key not in lookups.source("train.py", 1, 3)
