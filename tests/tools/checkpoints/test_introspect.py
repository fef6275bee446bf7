"""What a loaded model says about itself, checked against the model that was saved."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import lightgbm
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
import xgboost
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from modeldoc.tools.checkpoints.introspect import checkpoint_facts
from modeldoc.tools.checkpoints.load import CheckpointRefused

CANCER = load_breast_cancer(as_frame=True)


def test_skops_pipeline_facts(tmp_path: Path) -> None:
    X = CANCER.data
    pipeline = Pipeline(
        [("scale", StandardScaler()), ("model", LogisticRegression(C=0.5, max_iter=500))]
    ).fit(X, CANCER.target)
    path = tmp_path / "model.skops"
    sio.dump(pipeline, path)
    facts = checkpoint_facts(path, "model.skops")
    assert facts.loaded and facts.library == "skops"
    assert facts.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert facts.estimator == "sklearn.pipeline.Pipeline"
    assert [(s.name, s.estimator) for s in facts.steps] == [
        ("scale", "sklearn.preprocessing.StandardScaler"),
        ("model", "sklearn.linear_model.LogisticRegression"),
    ]
    assert facts.steps[1].parameters["C"] == 0.5
    assert facts.feature_names == list(X.columns)
    assert facts.n_features == 30
    assert facts.classes == [0, 1]


def test_forest_counts_its_trees(tmp_path: Path) -> None:
    X, y = load_iris(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=7, max_depth=3, random_state=0).fit(X, y)
    sio.dump(forest, tmp_path / "forest.skops")
    facts = checkpoint_facts(tmp_path / "forest.skops", "forest.skops")
    assert (facts.n_trees, facts.classes, facts.parameters["max_depth"]) == (7, [0, 1, 2], 3)


def test_xgboost_json_facts(tmp_path: Path) -> None:
    X, y = load_iris(return_X_y=True)
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    model = xgboost.XGBClassifier(n_estimators=4, max_depth=2).fit(frame, y)
    model.save_model(tmp_path / "model.json")
    facts = checkpoint_facts(tmp_path / "model.json", "model.json")
    assert facts.format == "xgboost-json" and facts.library == "xgboost"
    assert facts.objective == "multi:softprob"
    assert facts.n_trees == 4
    assert (facts.n_features, facts.feature_names, facts.classes) == (
        4,
        ["sl", "sw", "pl", "pw"],
        [0, 1, 2],
    )


def test_lightgbm_text_facts(tmp_path: Path) -> None:
    X, y = CANCER.data, CANCER.target
    model = lightgbm.LGBMClassifier(n_estimators=5, verbose=-1).fit(X, y)
    model.booster_.save_model(tmp_path / "model.txt")
    facts = checkpoint_facts(tmp_path / "model.txt", "model.txt")
    assert (facts.objective, facts.n_trees, facts.n_features) == ("binary", 5, 30)
    assert facts.feature_names is not None and len(facts.feature_names) == 30


def test_safetensors_facts(tmp_path: Path) -> None:
    header = json.dumps({"w": {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 12]}}).encode()
    path = tmp_path / "model.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\x00" * 12)
    facts = checkpoint_facts(path, "model.safetensors")
    assert facts.n_parameters == 6
    assert [(t.name, t.dtype, t.shape) for t in facts.tensors] == [("w", "F16", [2, 3])]


def test_unloadable_file_is_a_fact_and_a_pickle_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.txt").write_text("tree\nversion=v4\nnum_class=1\n")
    facts = checkpoint_facts(tmp_path / "model.txt", "model.txt")
    assert not facts.loaded and facts.not_loaded_reason and "model.txt" in facts.not_loaded_reason
    assert facts.estimator is None and facts.n_trees is None
    np.save(tmp_path / "a.npy", np.zeros(2))  # not a model at all
    assert not checkpoint_facts(tmp_path / "a.npy", "a.npy").loaded
    (tmp_path / "m.pkl").write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(CheckpointRefused):
        checkpoint_facts(tmp_path / "m.pkl", "m.pkl")
