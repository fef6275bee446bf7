"""Tree SHAP's cost is estimated before it starts: all rows, fewer rows, the permutation
explainer, or nothing, each with the reason in the facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xgboost
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

from modeldoc.tools.checkpoints.load import load_checkpoint
from modeldoc.tools.checkpoints.native_probe import TreeStats
from modeldoc.tools.evaluate.predict import predict
from modeldoc.tools.explain import cost
from modeldoc.tools.explain.cost import (
    MIN_TREE_ROWS,
    TREE_SHAP_UNITS_PER_SECOND,
    model_tree_stats,
    plan_tree_explanation,
)
from modeldoc.tools.explain.raw import ExplainBudget
from modeldoc.tools.explain.run import explain_model

BUDGET = ExplainBudget(seconds=60.0)
X, Y = load_breast_cancer(return_X_y=True, as_frame=True)


def test_a_small_ensemble_is_explained_on_every_row() -> None:
    stats = TreeStats(trees=100, leaves=3_200, max_depth=5, shap_work_per_row=80_000)
    plan = plan_tree_explanation(None, "xgboost", stats, 4, BUDGET, 2000)
    assert (plan.kind, plan.rows, plan.reason) == ("tree", 2000, None)


def test_a_costly_ensemble_is_explained_on_the_rows_the_budget_allows() -> None:
    per_row = 10 * TREE_SHAP_UNITS_PER_SECOND // 1000  # 10 ms a row: 6,000 rows in 60 s
    stats = TreeStats(trees=500, leaves=15_000, max_depth=15, shap_work_per_row=per_row)
    plan = plan_tree_explanation(None, "xgboost", stats, 4, BUDGET, 20_000)
    assert plan.kind == "tree"
    assert plan.rows is not None and MIN_TREE_ROWS <= plan.rows < 6_000
    assert plan.reason is not None and "within the 60 s budget" in plan.reason


def test_a_20000_level_chain_goes_to_the_permutation_explainer() -> None:
    depth = 20_000
    stats = TreeStats(1, depth + 1, depth, (depth + 1) * depth**2)
    plan = plan_tree_explanation(None, "xgboost", stats, 4, BUDGET, 2000)
    assert plan.kind == "permutation"
    assert plan.reason is not None
    assert "up to 20,000 levels), over the 60 s budget" in plan.reason


def test_200000_trees_are_not_explained_at_all() -> None:
    stats = TreeStats(200_000, 400_000, 1, 400_000)
    plan = plan_tree_explanation(None, "lightgbm", stats, 4, BUDGET, 2000)
    assert plan.kind == "none"
    assert plan.reason is not None and "200,000 trees" in plan.reason


def test_scikit_learn_trees_are_counted() -> None:
    forest = RandomForestClassifier(n_estimators=3, max_depth=4, random_state=0).fit(X, Y)
    stats = model_tree_stats(forest)
    assert stats is not None
    assert stats.trees == 3 and stats.max_depth <= 4
    assert stats.leaves == sum(int(t.tree_.n_leaves) for t in forest.estimators_)
    boosted = HistGradientBoostingClassifier(max_iter=4, random_state=0).fit(X, Y)
    counted = model_tree_stats(boosted)
    assert counted is not None and counted.trees == 4


def test_the_time_budget_bounds_tree_shap_and_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = xgboost.XGBClassifier(n_estimators=50, max_depth=6, random_state=0).fit(X, Y)
    model.save_model(tmp_path / "model.json")
    loaded = load_checkpoint(tmp_path / "model.json")
    assert loaded.trees is not None
    # A machine on which each row costs a second: a 100 s budget has room for 99 rows after
    # shap's copy of the model.
    monkeypatch.setattr(cost, "TREE_SHAP_UNITS_PER_SECOND", loaded.trees.shap_work_per_row)
    budget = ExplainBudget(seconds=100.0)
    predictions = predict(loaded, X)
    facts = explain_model(loaded, X, np.asarray(Y), predictions, "classification", budget).facts
    assert facts.explainer == "tree"
    assert facts.row_budget == 99
    assert facts.rows_explained == 99
    assert facts.time_budget_seconds == 100.0
    assert facts.why_explainer is not None and "Tree SHAP explains" in facts.why_explainer
