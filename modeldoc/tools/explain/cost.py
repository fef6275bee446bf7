"""What explaining a tree model will cost, estimated before shap starts, and what to do
about it: explain every row, fewer rows, switch to the permutation explainer, or nothing.

shap cannot be stopped once it has started, so the explain step's time budget bounds Tree
SHAP by estimate. Tree SHAP's work per row grows with leaves x depth^2 summed over the trees
(a 20,000-level chain is 8 x 10^12 per row); shap first copies every node of the model into
its own arrays (for LightGBM through a JSON dump: a 200,000-tree model took a minute and
1.1 GB before a single row). The permutation explainer evaluates the model on hundreds of
background rows per explained row: its cost grows with the number of trees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from modeldoc.tools.checkpoints.native_probe import (
    TreeStats,
    lightgbm_trees,
    tree_stats,
    xgboost_trees,
)
from modeldoc.tools.explain.raw import ExplainBudget

# Rates measured on the 2-core benchmark machine (benchmarks/hostile.py), rounded down:
# Tree SHAP did 7e7 (XGBoost) to 1.2e8 (LightGBM) units of leaves x depth^2 per second.
TREE_SHAP_UNITS_PER_SECOND = 50_000_000
# shap's copy of the model: 10,000 nodes a second for LightGBM (dump_model and its JSON).
COPY_NODES_PER_SECOND = {"lightgbm": 10_000}
OTHER_COPY_NODES_PER_SECOND = 100_000
# Model evaluation: trees walked a second by a booster's predict, one row each.
TREE_WALKS_PER_SECOND = 20_000_000
# Fewer rows than this would not make a summary worth the name: use another explainer.
MIN_TREE_ROWS = 50
# The copy may take this share of the time budget, the rows the rest.
COPY_SHARE = 0.5

PlanKind = Literal["tree", "permutation", "none"]


@dataclass(frozen=True)
class TreePlan:
    """How to explain a tree model: the explainer, its row budget, and why (None: as usual)."""

    kind: PlanKind
    rows: int | None = None
    reason: str | None = None


def plan_tree_explanation(
    model: object, library: str, stats: TreeStats | None, columns: int, budget: ExplainBudget,
    row_limit: int,
) -> TreePlan:  # fmt: skip
    """The plan for explaining `model` with Tree SHAP on up to `row_limit` rows, from its tree
    statistics (counted from the model when `stats` is None)."""
    if stats is None:
        try:
            stats = model_tree_stats(model)
        except Exception:  # a model shap may still read: the estimate is only skipped
            stats = None
    if stats is None:
        return TreePlan("tree", row_limit)
    nodes = 2 * stats.leaves - stats.trees
    copy_seconds = nodes / COPY_NODES_PER_SECOND.get(library, OTHER_COPY_NODES_PER_SECOND)
    per_row = stats.shap_work_per_row / TREE_SHAP_UNITS_PER_SECOND
    left = budget.seconds - copy_seconds
    affordable = int(left / per_row) if per_row > 0 and left > 0 else row_limit
    shape = f"{stats.trees:,} trees, {stats.leaves:,} leaves, up to {stats.max_depth:,} levels"
    if copy_seconds <= COPY_SHARE * budget.seconds and affordable >= MIN_TREE_ROWS:
        if affordable >= row_limit:
            return TreePlan("tree", row_limit)
        return TreePlan("tree", affordable, f"Tree SHAP explains {affordable:,} rows: the "
                        f"model ({shape}) costs about {per_row:.3g} s a row within the "
                        f"{budget.seconds:g} s budget")  # fmt: skip
    why = (
        f"Tree SHAP would take about {copy_seconds + per_row * MIN_TREE_ROWS:,.0f} s for "
        f"{MIN_TREE_ROWS} rows of this model ({shape}), over the {budget.seconds:g} s budget"
    )
    # The permutation explainer's first rows: one warm-up permutation, then a chunk of eight
    # rows of ten permutations, each on every background row.
    evaluations = (2 * columns + 1) * budget.background * (1 + 8 * 10)
    permutation_seconds = evaluations * stats.trees / TREE_WALKS_PER_SECOND
    if permutation_seconds <= budget.seconds:
        return TreePlan("permutation", None, why)
    return TreePlan("none", None, f"{why}; the permutation explainer would take about "
                    f"{permutation_seconds:,.0f} s for its first rows")  # fmt: skip


def model_tree_stats(model: Any) -> TreeStats | None:
    """Tree statistics of a loaded tree model (scikit-learn, XGBoost or LightGBM), or None
    when it holds no trees modeldoc can count."""
    module = type(model).__module__
    if module.startswith("xgboost."):
        booster = model.get_booster() if hasattr(model, "get_booster") else model
        return tree_stats(xgboost_trees(json.loads(booster.save_raw("json"))))
    if module.startswith("lightgbm."):
        booster = getattr(model, "booster_", model)
        return tree_stats(lightgbm_trees(booster.model_to_string().splitlines()))
    shapes = [_sklearn_tree_shape(tree) for tree in _sklearn_trees(model)]
    if not shapes:
        return None
    return TreeStats(
        trees=len(shapes),
        leaves=sum(leaves for leaves, _ in shapes),
        max_depth=max(depth for _, depth in shapes),
        shap_work_per_row=sum(leaves * max(depth, 1) ** 2 for leaves, depth in shapes),
    )


def _sklearn_trees(model: Any) -> list[Any]:
    """The fitted trees of a scikit-learn tree model: `Tree`s and HistGradientBoosting's
    predictors."""
    if hasattr(model, "tree_"):
        return [model.tree_]
    predictors = getattr(model, "_predictors", None)
    if isinstance(predictors, list):
        return [predictor for step in predictors for predictor in step]
    estimators = getattr(model, "estimators_", None)
    if estimators is None:
        return []
    parts = estimators.ravel() if isinstance(estimators, np.ndarray) else estimators
    return [tree for part in parts for tree in _sklearn_trees(part)]


def _sklearn_tree_shape(tree: Any) -> tuple[int, int]:
    """Leaves and depth of a scikit-learn `Tree` or a HistGradientBoosting predictor."""
    if hasattr(tree, "nodes"):
        nodes = tree.nodes
        return int(nodes["is_leaf"].sum()), int(nodes["depth"].max())
    return int(tree.n_leaves), int(tree.max_depth)
