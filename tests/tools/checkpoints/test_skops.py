"""skops files: reviewed classes load without trust; callables, and trees with indices out
of range, never do."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np
import pytest
import skops.io as sio
import xgboost
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from modeldoc.tools.checkpoints.load import CheckpointRefused, CheckpointUnreadable, load_checkpoint
from modeldoc.tools.checkpoints.skops_types import trusted_types
from modeldoc.tools.checkpoints.tree_checks import check_trees

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
X, Y = load_breast_cancer(return_X_y=True, as_frame=True)


def test_every_trusted_name_is_a_class_defined_in_its_library() -> None:
    names = trusted_types()
    assert "sklearn.utils._testing.check_output" not in names
    assert "sklearn.preprocessing._function_transformer.FunctionTransformer" not in names
    for name in names:
        module, _, attribute = name.rpartition(".")
        found = getattr(importlib.import_module(module), attribute)
        assert inspect.isclass(found), name
        assert found.__module__.split(".")[0] == module.split(".")[0], name


def test_the_bundled_skops_example_loads_without_trust() -> None:
    loaded = load_checkpoint(EXAMPLES / "diabetes-skops" / "model.skops")
    assert not loaded.trusted_pickle
    assert type(loaded.model).__name__ == "Pipeline"


@pytest.mark.parametrize(
    "model",
    [
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)),
        # The remainder is a FunctionTransformer given no function: it passes columns through.
        make_pipeline(
            ColumnTransformer([("scale", StandardScaler(), [0, 1])], remainder="passthrough"),
            RandomForestClassifier(n_estimators=2, random_state=0),
        ),
        RandomForestClassifier(n_estimators=3, random_state=0),
        make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5)),
        make_pipeline(StandardScaler(), KNeighborsClassifier(algorithm="ball_tree", p=1)),
        GradientBoostingClassifier(n_estimators=3, random_state=0),
        HistGradientBoostingClassifier(max_iter=3, random_state=0),
        xgboost.XGBClassifier(n_estimators=3, max_depth=2),
        lightgbm.LGBMClassifier(n_estimators=3, verbose=-1),
    ],
    ids=[
        "scaled-logistic",
        "columns-forest",
        "forest",
        "kd-tree",
        "ball-tree",
        "gradient",
        "histogram",
        "xgb",
        "lgbm",
    ],
)
def test_library_models_load_without_trust(tmp_path: Path, model: Any) -> None:
    fitted = model.fit(X, Y)
    sio.dump(fitted, tmp_path / "model.skops")
    loaded = load_checkpoint(tmp_path / "model.skops")
    assert not loaded.trusted_pickle
    restored: Any = loaded.model
    np.testing.assert_array_equal(restored.predict(X[:20]), fitted.predict(X[:20]))


def test_a_numpy_function_in_a_function_transformer_needs_trust(tmp_path: Path) -> None:
    """skops trusts numpy's functions, but whatever calls a function the file names needs
    the user's trust; given it, the file loads and the card says it was trusted."""
    model = make_pipeline(FunctionTransformer(np.log1p), LogisticRegression(max_iter=500))
    sio.dump(model.fit(X, Y), tmp_path / "model.skops")
    with pytest.raises(
        CheckpointRefused, match=r"\(numpy\.log1p, sklearn\..*FunctionTransformer\)"
    ):
        load_checkpoint(tmp_path / "model.skops")
    loaded = load_checkpoint(tmp_path / "model.skops", trust_pickle=True)
    assert loaded.trusted_pickle


def _break_first_split(state: dict[str, Any], field: str) -> dict[str, Any]:
    nodes = state["nodes"].copy()
    nodes[field][0] = 10**6
    return {**state, "nodes": nodes}


def test_a_forest_tree_with_a_child_out_of_range_is_unreadable() -> None:
    forest = RandomForestClassifier(n_estimators=2, random_state=0).fit(X, Y)
    check_trees(forest, "model.skops")
    tree = forest.estimators_[1].tree_
    tree.__setstate__(_break_first_split(tree.__getstate__(), "left_child"))
    with pytest.raises(CheckpointUnreadable, match=r"model\.skops: a tree in it is malformed"):
        check_trees(forest, "model.skops")


def test_a_split_on_a_column_the_model_is_not_given_is_unreadable() -> None:
    forest = RandomForestClassifier(n_estimators=2, random_state=0).fit(X, Y)
    tree = forest.estimators_[0].tree_
    tree.__setstate__(_break_first_split(tree.__getstate__(), "feature"))
    with pytest.raises(CheckpointUnreadable, match="a column the model is not given"):
        check_trees(make_pipeline(StandardScaler(), forest), "model.skops")


def test_a_histogram_boosting_predictor_out_of_range_is_unreadable() -> None:
    model = HistGradientBoostingClassifier(max_iter=2, random_state=0).fit(X, Y)
    check_trees(model, "model.skops")
    model._predictors[1][0].nodes["right"][0] = 10**6
    with pytest.raises(CheckpointUnreadable, match="a child index is out of range"):
        check_trees(model, "model.skops")


def test_a_neighbours_index_pointing_outside_its_rows_is_unreadable() -> None:
    model = make_pipeline(StandardScaler(), KNeighborsClassifier(algorithm="kd_tree"))
    model.fit(X, Y)
    check_trees(model, "model.skops")
    index = model[-1]._tree.get_arrays()[1]
    index.setflags(write=True)
    index[0] = 10**6
    with pytest.raises(CheckpointUnreadable, match="its index points outside its rows"):
        check_trees(model, "model.skops")
