"""The bundled examples build, and their numbers equal an independent computation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import skops.io as sio
import xgboost as xgb
from helpers.examples import build_example
from sklearn import metrics as skm

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def build(example: str, out: Path) -> dict[str, object]:
    build_example(example, out / "out")
    facts: dict[str, object] = json.loads((out / "out" / "facts.json").read_text())
    return facts


def metric_values(facts: dict[str, object]) -> dict[str, float]:
    evaluation = facts["evaluation"]
    assert isinstance(evaluation, dict)
    return {m["name"]: m["value"] for m in evaluation["metrics"]}


def test_cancer_xgboost(tmp_path: Path) -> None:
    facts = build("cancer-xgboost", tmp_path)
    test = pd.read_csv(EXAMPLES / "cancer-xgboost" / "test.csv")
    model = xgb.XGBClassifier()
    model.load_model(EXAMPLES / "cancer-xgboost" / "model.json")
    features = [c for c in test.columns if c != "target"]
    proba = model.predict_proba(test[features])
    values = metric_values(facts)
    assert values["accuracy"] == skm.accuracy_score(test["target"], proba.argmax(axis=1))
    assert values["roc_auc"] == pytest.approx(skm.roc_auc_score(test["target"], proba[:, 1]))
    assert values["log_loss"] == pytest.approx(skm.log_loss(test["target"], proba), rel=1e-6)


def test_diabetes_skops(tmp_path: Path) -> None:
    facts = build("diabetes-skops", tmp_path)
    path = EXAMPLES / "diabetes-skops" / "model.skops"
    model = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    test = pd.read_csv(EXAMPLES / "diabetes-skops" / "test.csv")
    pred = model.predict(test[[c for c in test.columns if c != "target"]])
    values = metric_values(facts)
    assert values["mae"] == pytest.approx(skm.mean_absolute_error(test["target"], pred))
    assert values["r2"] == pytest.approx(skm.r2_score(test["target"], pred))
