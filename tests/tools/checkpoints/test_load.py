"""Real models saved by their libraries load by format; pickles only with trust."""

from __future__ import annotations

import pickle
from pathlib import Path

import joblib
import lightgbm
import numpy as np
import pytest
import skops.io as sio
import xgboost
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from modeldoc.tools.checkpoints.load import (
    CheckpointRefused,
    CheckpointUnreadable,
    load_checkpoint,
)

X, Y = load_breast_cancer(return_X_y=True)


@pytest.fixture(scope="module")
def xgb_model() -> xgboost.XGBClassifier:
    return xgboost.XGBClassifier(n_estimators=3, max_depth=2).fit(X, Y)


@pytest.mark.parametrize("suffix", ["json", "ubj"])
def test_xgboost_json_and_ubj(
    tmp_path: Path, xgb_model: xgboost.XGBClassifier, suffix: str
) -> None:
    path = tmp_path / f"model.{suffix}"
    xgb_model.save_model(path)
    loaded = load_checkpoint(path)
    assert loaded.library == "xgboost"
    assert isinstance(loaded.model, xgboost.Booster)
    assert loaded.model.num_boosted_rounds() == 3
    margin = loaded.model.predict(xgboost.DMatrix(X[:5]), output_margin=True)
    np.testing.assert_allclose(margin, xgb_model.predict(X[:5], output_margin=True), rtol=1e-6)


def test_lightgbm_text(tmp_path: Path) -> None:
    model = lightgbm.LGBMClassifier(n_estimators=4, verbose=-1).fit(X, Y)
    path = tmp_path / "model.txt"
    model.booster_.save_model(path)
    loaded = load_checkpoint(path)
    assert isinstance(loaded.model, lightgbm.Booster)
    assert loaded.model.num_trees() == 4


def test_skops_pipeline_with_allowed_types(tmp_path: Path) -> None:
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, Y)
    forest = RandomForestClassifier(n_estimators=2, random_state=0).fit(X, Y)
    for name, model in (("pipe.skops", pipeline), ("forest.skops", forest)):
        sio.dump(model, tmp_path / name)
        loaded = load_checkpoint(tmp_path / name)
        np.testing.assert_array_equal(loaded.model.predict(X[:20]), model.predict(X[:20]))


def scaled(values: np.ndarray) -> np.ndarray:
    """A repository's own function: skops cannot vouch for it."""
    return values / 100.0


def test_skops_with_types_outside_the_allowlist_is_refused(tmp_path: Path) -> None:
    steps = (FunctionTransformer(scaled), LogisticRegression(max_iter=500))
    model = make_pipeline(*steps).fit(X, Y)
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    with pytest.raises(CheckpointRefused, match=r"does not trust \(.*scaled.*--trust-pickle"):
        load_checkpoint(path)


class _Payload:
    """Unpickling this would create a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.marker),))


@pytest.mark.parametrize("name", ["model.pkl", "model.joblib", "model.json"])
def test_pickle_is_refused_without_trust_and_runs_nothing(tmp_path: Path, name: str) -> None:
    marker = tmp_path / "marker"
    path = tmp_path / name
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(CheckpointRefused, match="--trust-pickle"):
        load_checkpoint(path)
    assert not marker.exists()


def test_trusted_pickle_loads_and_is_recorded(tmp_path: Path) -> None:
    forest = RandomForestClassifier(n_estimators=2, random_state=0).fit(X, Y)
    path = tmp_path / "model.joblib"
    joblib.dump(forest, path, compress=3)
    loaded = load_checkpoint(path, trust_pickle=True)
    assert loaded.trusted_pickle
    np.testing.assert_array_equal(loaded.model.predict(X[:10]), forest.predict(X[:10]))


def test_truncated_files_are_unreadable_with_the_name(
    tmp_path: Path, xgb_model: xgboost.XGBClassifier
) -> None:
    xgb_path = tmp_path / "model.json"
    xgb_model.save_model(xgb_path)
    xgb_path.write_bytes(xgb_path.read_bytes()[:200])
    with pytest.raises(CheckpointUnreadable, match=r"model\.json"):
        load_checkpoint(xgb_path)
    lgb = lightgbm.LGBMClassifier(n_estimators=3, verbose=-1).fit(X, Y)
    lgb_path = tmp_path / "model.txt"
    lgb.booster_.save_model(lgb_path)
    lgb_path.write_text(lgb_path.read_text()[:300])
    with pytest.raises(CheckpointUnreadable, match=r"model\.txt"):
        load_checkpoint(lgb_path)


def test_empty_and_unknown_files(tmp_path: Path) -> None:
    (tmp_path / "empty.onnx").write_bytes(b"")
    (tmp_path / "notes.bin").write_bytes(b"just text")
    for name in ("empty.onnx", "notes.bin"):
        with pytest.raises(CheckpointUnreadable, match=name):
            load_checkpoint(tmp_path / name)
