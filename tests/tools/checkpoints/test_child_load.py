"""Native parsers read a file in a child process first: their tree statistics come back,
their crashes become one line naming the file."""

from __future__ import annotations

from pathlib import Path

import lightgbm
import pytest
import xgboost
from sklearn.datasets import load_breast_cancer

from modeldoc.tools.checkpoints import load
from modeldoc.tools.checkpoints.child_load import probe_trees
from modeldoc.tools.checkpoints.load import CheckpointRefused, CheckpointUnreadable, load_checkpoint
from modeldoc.tools.checkpoints.native_probe import tree_stats

X, Y = load_breast_cancer(return_X_y=True)


def test_xgboost_statistics_from_the_child(tmp_path: Path) -> None:
    model = xgboost.XGBClassifier(n_estimators=4, max_depth=3).fit(X, Y)
    model.save_model(tmp_path / "model.ubj")
    stats = probe_trees("xgboost", tmp_path / "model.ubj")
    dump = model.get_booster().trees_to_dataframe()
    assert stats.trees == 4
    assert stats.leaves == int((dump["Feature"] == "Leaf").sum())
    assert stats.max_depth == 3


def test_lightgbm_statistics_from_the_child(tmp_path: Path) -> None:
    model = lightgbm.LGBMClassifier(n_estimators=5, num_leaves=6, verbose=-1).fit(X, Y)
    model.booster_.save_model(tmp_path / "model.txt")
    stats = load_checkpoint(tmp_path / "model.txt").trees
    assert stats is not None
    assert (stats.trees, stats.leaves) == (5, 30)
    frame = model.booster_.trees_to_dataframe()
    assert stats.max_depth == int(frame["node_depth"].max()) - 1


def test_a_chain_and_a_cycle_are_walked_without_recursion() -> None:
    depth = 50_000
    left = [-(i + 1) for i in range(depth)]
    right = [*range(1, depth), -(depth + 1)]
    chain = tree_stats([(left, right)])
    assert (chain.trees, chain.leaves, chain.max_depth) == (1, depth + 1, depth)
    cycle = tree_stats([([1, 0], [-1, -2])])  # node 1 points back at the root
    assert cycle.leaves == 3 and cycle.max_depth == 2


def test_a_booster_over_the_tree_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = xgboost.XGBClassifier(n_estimators=3, max_depth=2).fit(X, Y)
    model.save_model(tmp_path / "model.json")
    monkeypatch.setattr(load, "MAX_TREES", 2)
    with pytest.raises(CheckpointRefused, match=r"model\.json has 3 trees, over .* cap of 2"):
        load_checkpoint(tmp_path / "model.json")


def test_a_crafted_xgboost_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text('{"learner": {"gradient_booster": 1}, "version": [3, 0, 0]}')
    with pytest.raises(CheckpointUnreadable, match=r"^XGBoost could not read model\.json \("):
        load_checkpoint(path)
