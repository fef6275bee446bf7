"""The three rows explained one by one: chosen by the stated rule (checked against a direct
numpy computation), distinct, and each explanation adding up to the row's output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightgbm
import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn.datasets import load_breast_cancer, load_diabetes

from modeldoc.facts import LocalExplanation
from modeldoc.tools.checkpoints.load import LoadedCheckpoint, load_checkpoint
from modeldoc.tools.evaluate.predict import Predictions, predict
from modeldoc.tools.explain.representative import (
    CLASSIFICATION_RULE,
    CLASSIFICATION_RULE_NO_PROBABILITIES,
    REGRESSION_RULE,
    classification_rows,
    regression_rows,
)
from modeldoc.tools.explain.run import ShapResult, explain_model


def _first_best(allowed: np.ndarray, score: np.ndarray) -> int:
    """The earliest row with the highest score among the allowed ones."""
    best = np.max(score[allowed])
    return int(np.flatnonzero(allowed & (score == best))[0])


@pytest.fixture(scope="module")
def classifier(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[LoadedCheckpoint, pd.DataFrame, np.ndarray, Predictions]:
    data = load_breast_cancer(as_frame=True)
    model = xgboost.XGBClassifier(n_estimators=10, max_depth=2, random_state=0)
    model.fit(data.data, data.target)
    path = tmp_path_factory.mktemp("xgb") / "m.json"
    model.get_booster().save_model(path)
    loaded = load_checkpoint(path)
    return loaded, data.data, data.target.to_numpy(), predict(loaded, data.data)


def _check_contributions(local: LocalExplanation, X: pd.DataFrame) -> None:
    """Every feature once, largest |SHAP| first, adding up from the base to the output."""
    shap_values = np.array([c.shap for c in local.contributions])
    assert sorted(c.feature for c in local.contributions) == sorted(X.columns)
    assert np.all(np.diff(np.abs(shap_values)) <= 0)
    assert local.base_value + shap_values.sum() == pytest.approx(local.output, abs=1e-6)
    for contribution in local.contributions:
        assert contribution.value == pytest.approx(X.iloc[local.row][contribution.feature])


def test_classification_rows_follow_the_rule(
    classifier: tuple[LoadedCheckpoint, pd.DataFrame, np.ndarray, Predictions],
) -> None:
    loaded, X, y, predictions = classifier
    result = explain_model(loaded, X, y, predictions, "classification")
    proba = predictions.proba
    assert proba is not None
    correct = predictions.y_pred == y
    assert (~correct).any()  # a small model: some wrong predictions to choose from
    confidence = proba.max(axis=1)
    confident_right = _first_best(correct, confidence)
    confident_wrong = _first_best(~correct, confidence)
    ranked = np.sort(proba, axis=1)
    gap = ranked[:, -1] - ranked[:, -2]
    rest = np.ones(len(X), dtype=bool)
    rest[[confident_right, confident_wrong]] = False
    boundary = _first_best(rest, -gap)

    facts = result.facts
    assert facts.local_rule == CLASSIFICATION_RULE
    assert [(local.row, local.reason) for local in facts.local] == [
        (confident_right, "most confident correct prediction"),
        (confident_wrong, "most confident wrong prediction"),
        (boundary, "closest to the decision boundary"),
    ]
    booster: Any = loaded.model
    margin = booster.predict(xgboost.DMatrix(X), output_margin=True)
    for local in facts.local:
        assert local.actual == y[local.row] and local.predicted == predictions.y_pred[local.row]
        assert local.explained_class == "1"
        assert local.output == pytest.approx(float(margin[local.row]), abs=1e-4)
        _check_contributions(local, X)


def test_only_two_rows_when_no_prediction_is_wrong(
    classifier: tuple[LoadedCheckpoint, pd.DataFrame, np.ndarray, Predictions],
) -> None:
    loaded, X, _, predictions = classifier
    result = explain_model(loaded, X, predictions.y_pred.copy(), predictions, "classification")
    reasons = [local.reason for local in result.facts.local]
    assert reasons == ["most confident correct prediction", "closest to the decision boundary"]
    rows = [local.row for local in result.facts.local]
    assert len(set(rows)) == 2


def test_regression_rows_follow_the_rule(tmp_path: Path) -> None:
    data = load_diabetes(as_frame=True)
    X, y = data.data, data.target.to_numpy()
    params = {"objective": "regression", "num_leaves": 7, "verbose": -1, "seed": 0}
    booster = lightgbm.train(params, lightgbm.Dataset(X, y), num_boost_round=20)
    booster.save_model(tmp_path / "m.txt")
    loaded = load_checkpoint(tmp_path / "m.txt")
    predictions = predict(loaded, X)
    result: ShapResult = explain_model(loaded, X, y, predictions, "regression")

    residual = predictions.y_pred - y
    over, under = int(np.argmax(residual)), int(np.argmin(residual))
    rest = np.ones(len(X), dtype=bool)
    rest[[over, under]] = False
    accurate = _first_best(rest, -np.abs(residual))
    facts = result.facts
    assert facts.local_rule == REGRESSION_RULE
    assert [(local.row, local.reason) for local in facts.local] == [
        (over, "largest over-prediction"),
        (under, "largest under-prediction"),
        (accurate, "most accurate prediction"),
    ]
    for local in facts.local:
        assert local.explained_class is None
        assert local.output == pytest.approx(predictions.y_pred[local.row], abs=1e-9)
        _check_contributions(local, X)


def test_rows_are_distinct_when_one_row_fits_two_rules() -> None:
    """The only wrong row is also the closest to the boundary: the next closest is taken."""
    proba = np.array([[0.9, 0.1], [0.55, 0.45], [0.3, 0.7], [0.6, 0.4]])
    y_true = np.array(["a", "b", "b", "a"])
    y_pred = np.array(["a", "a", "b", "a"])
    rule, rows = classification_rows(y_true, y_pred, proba)
    assert rule == CLASSIFICATION_RULE
    assert [(row.position, row.reason) for row in rows] == [
        (0, "most confident correct prediction"),
        (1, "most confident wrong prediction"),
        (3, "closest to the decision boundary"),
    ]


def test_classification_without_probabilities_takes_the_first_rows() -> None:
    rule, rows = classification_rows(np.array([1, 0, 1, 0]), np.array([0, 0, 1, 1]), None)
    assert rule == CLASSIFICATION_RULE_NO_PROBABILITIES
    assert [(row.position, row.reason) for row in rows] == [
        (1, "first correct prediction"),
        (0, "first wrong prediction"),
    ]


def test_multiclass_boundary_is_the_gap_between_the_two_most_likely() -> None:
    proba = np.array([[0.5, 0.3, 0.2], [0.4, 0.35, 0.25], [0.34, 0.33, 0.33], [0.8, 0.1, 0.1]])
    labels: Any = np.array([0, 0, 0, 0])
    _, rows = classification_rows(labels, labels, proba)
    assert [(row.position, row.reason) for row in rows] == [
        (3, "most confident correct prediction"),
        (2, "closest to the decision boundary"),
    ]


def test_regression_with_exact_predictions_and_missing_targets() -> None:
    """No over- or under-prediction to show; a missing target never ranks."""
    _, rows = regression_rows(np.array([1.0, np.nan, 3.0]), np.array([1.0, 5.0, 3.0]))
    assert [(row.position, row.reason) for row in rows] == [(0, "most accurate prediction")]


def test_a_target_read_as_floats_matches_integer_predictions(
    classifier: tuple[LoadedCheckpoint, pd.DataFrame, np.ndarray, Predictions],
) -> None:
    """A label column read as 0.0/1.0 (a CSV with a gap makes it float) against predicted
    0/1: compared as values, as the metrics do, not as texts ('1.0' != '1')."""
    loaded, X, y, predictions = classifier
    as_int = explain_model(loaded, X, y, predictions, "classification").facts.local
    as_float = explain_model(loaded, X, y.astype(float), predictions, "classification").facts.local
    assert [(a.row, a.reason) for a in as_float] == [(a.row, a.reason) for a in as_int]
    assert as_float[0].reason == "most confident correct prediction"
