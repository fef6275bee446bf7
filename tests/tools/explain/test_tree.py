"""Tree SHAP of real boosters and scikit-learn trees, loaded from the files they were saved to:
the values, base values, additivity and importance checked against the libraries' own Tree
SHAP (XGBoost `pred_contribs`, LightGBM `pred_contrib`) and shap computed directly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np
import pandas as pd
import pytest
import skops.io
import xgboost
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)

from modeldoc.tools.checkpoints.load import load_checkpoint
from modeldoc.tools.evaluate.predict import predict
from modeldoc.tools.explain.raw import RawShap
from modeldoc.tools.explain.representative import CLASSIFICATION_RULE_NO_PROBABILITIES
from modeldoc.tools.explain.run import EXACT_ROW_BUDGET, ShapResult, _additivity, explain_model
from modeldoc.tools.explain.shap_import import import_shap


def _explain(path: Path, X: pd.DataFrame, y: Any) -> ShapResult:
    loaded = load_checkpoint(path)
    predictions = predict(loaded, X)
    return explain_model(loaded, X, np.asarray(y), predictions, predictions.task)


def _ranking(values: np.ndarray, columns: pd.Index) -> list[str]:
    """Features by mean |SHAP| (of rows, and classes if any), largest first."""
    magnitude = np.abs(values).mean(axis=tuple(i for i in range(values.ndim) if i != 1))
    return [str(columns[i]) for i in np.argsort(-magnitude, kind="stable")]


@pytest.fixture(scope="module")
def cancer() -> tuple[pd.DataFrame, pd.Series]:
    data = load_breast_cancer(as_frame=True)
    return data.data, data.target


@pytest.fixture(scope="module")
def iris() -> tuple[pd.DataFrame, pd.Series]:
    data = load_iris(as_frame=True)
    return data.data, data.target


@pytest.fixture(scope="module")
def diabetes() -> tuple[pd.DataFrame, pd.Series]:
    data = load_diabetes(as_frame=True)
    return data.data, data.target


@pytest.fixture(scope="module")
def xgb_binary(
    tmp_path_factory: pytest.TempPathFactory, cancer: tuple[pd.DataFrame, pd.Series]
) -> tuple[xgboost.Booster, ShapResult]:
    X, y = cancer
    model = xgboost.XGBClassifier(n_estimators=50, max_depth=3, random_state=0).fit(X, y)
    path = tmp_path_factory.mktemp("xgb") / "m.json"
    model.get_booster().save_model(path)
    booster = xgboost.Booster()
    booster.load_model(path)
    return booster, _explain(path, X, y)


def test_xgboost_binary_values_equal_tree_shap(
    xgb_binary: tuple[xgboost.Booster, ShapResult], cancer: tuple[pd.DataFrame, pd.Series]
) -> None:
    booster, result = xgb_binary
    X, _ = cancer
    facts = result.facts
    assert facts.explainer == "tree"
    assert facts.why_explainer == "xgboost.Booster is a gradient-boosted tree ensemble"
    assert facts.rows_explained == facts.rows_available == len(X)
    assert facts.row_budget == EXACT_ROW_BUDGET
    assert facts.time_budget_seconds is None and facts.background_rows is None
    assert facts.features == list(X.columns)
    assert result.values is not None and result.values.shape == X.shape
    assert np.array_equal(result.rows, np.arange(len(X)))

    explainer = import_shap().TreeExplainer(booster)
    reference = explainer(X)
    np.testing.assert_allclose(result.values, reference.values, atol=1e-6)
    # XGBoost's own Tree SHAP agrees: the values do not just repeat shap's.
    contributions = booster.predict(xgboost.DMatrix(X), pred_contribs=True)
    np.testing.assert_allclose(result.values, contributions[:, :-1], atol=1e-6)
    # shap corrects `expected_value` while explaining (before, it lacks the trees' mean).
    assert facts.base_value == pytest.approx(float(np.ravel(explainer.expected_value)[0]))
    assert facts.base_value == pytest.approx(float(contributions[0, -1]), abs=1e-6)


def test_xgboost_binary_output_additivity_and_importance(
    xgb_binary: tuple[xgboost.Booster, ShapResult], cancer: tuple[pd.DataFrame, pd.Series]
) -> None:
    booster, result = xgb_binary
    X, _ = cancer
    facts = result.facts
    assert facts.output == "log-odds of class '1'"
    assert facts.explained_class == "1"
    assert facts.additivity is not None and facts.additivity.passed
    assert facts.additivity.max_error < 1e-4
    assert facts.additivity.compared_with == "XGBoost predict(output_margin=True)"
    margin = booster.predict(xgboost.DMatrix(X), output_margin=True)
    assert result.values is not None and result.base_values is not None
    np.testing.assert_allclose(result.base_values + result.values.sum(axis=1), margin, atol=1e-4)

    assert [f.feature for f in facts.importance] == _ranking(result.values, X.columns)
    assert [f.rank for f in facts.importance] == list(range(1, X.shape[1] + 1))
    mean_abs = np.abs(result.values).mean(axis=0)
    for feature in facts.importance:
        column = list(X.columns).index(feature.feature)
        assert feature.mean_abs_shap == pytest.approx(mean_abs[column])
        if np.ptp(result.values[:, column]) == 0:  # a feature no tree splits on
            assert feature.value_shap_correlation is None
            continue
        rho = spearmanr(X.iloc[:, column], result.values[:, column]).statistic
        assert feature.value_shap_correlation == pytest.approx(rho, abs=1e-6)


@pytest.mark.parametrize("objective", ["binary", "regression"])
def test_lightgbm_values_equal_its_own_tree_shap(
    tmp_path: Path,
    objective: str,
    cancer: tuple[pd.DataFrame, pd.Series],
    diabetes: tuple[pd.DataFrame, pd.Series],
) -> None:
    X, y = cancer if objective == "binary" else diabetes
    params = {"objective": objective, "num_leaves": 7, "verbose": -1, "seed": 0}
    booster = lightgbm.train(params, lightgbm.Dataset(X, y), num_boost_round=30)
    booster.save_model(tmp_path / "m.txt")
    result = _explain(tmp_path / "m.txt", X, y)

    contributions = booster.predict(X, pred_contrib=True)
    assert result.facts.explainer == "tree"
    assert result.values is not None
    np.testing.assert_allclose(result.values, contributions[:, :-1], atol=1e-6)
    assert result.facts.base_value == pytest.approx(contributions[0, -1], abs=1e-6)
    additivity = result.facts.additivity
    assert additivity is not None and additivity.passed and additivity.max_error < 1e-6
    assert additivity.compared_with == "LightGBM predict(raw_score=True)"
    expected = "log-odds of class '1'" if objective == "binary" else "predicted value"
    assert result.facts.output == expected


@pytest.fixture(scope="module")
def lgb_multiclass(
    tmp_path_factory: pytest.TempPathFactory, iris: tuple[pd.DataFrame, pd.Series]
) -> tuple[lightgbm.Booster, ShapResult]:
    X, y = iris
    params = {
        "objective": "multiclass",
        "num_class": 3,
        "num_leaves": 7,
        "min_data_in_leaf": 5,
        "verbose": -1,
        "seed": 0,
    }
    booster = lightgbm.train(params, lightgbm.Dataset(X, y), num_boost_round=20)
    path = tmp_path_factory.mktemp("lgb") / "m.txt"
    booster.save_model(path)
    return booster, _explain(path, X, y)


def test_multiclass_values_are_those_of_the_predicted_class(
    lgb_multiclass: tuple[lightgbm.Booster, ShapResult], iris: tuple[pd.DataFrame, pd.Series]
) -> None:
    booster, result = lgb_multiclass
    X, _ = iris
    features = X.shape[1]
    # LightGBM lays its contributions out class by class, each with its bias last.
    contributions = booster.predict(X, pred_contrib=True).reshape(len(X), 3, features + 1)
    per_class = contributions[:, :, :-1].transpose(0, 2, 1)  # rows x features x classes
    predicted = booster.predict(X).argmax(axis=1)
    rows = np.arange(len(X))
    assert result.values is not None and result.base_values is not None
    np.testing.assert_allclose(result.values, per_class[rows, :, predicted], atol=1e-6)
    np.testing.assert_allclose(result.base_values, contributions[rows, predicted, -1], atol=1e-6)

    facts = result.facts
    assert facts.base_value is None and facts.explained_class is None
    assert facts.output is not None and facts.output.startswith("log-odds of each class")
    importance = np.abs(per_class).mean(axis=(0, 2))
    assert [f.feature for f in facts.importance] == _ranking(per_class, X.columns)
    for feature in facts.importance:
        column = list(X.columns).index(feature.feature)
        assert feature.mean_abs_shap == pytest.approx(importance[column], abs=1e-9)
    assert result.magnitudes is not None
    np.testing.assert_allclose(result.magnitudes, np.abs(per_class).mean(axis=2), atol=1e-9)
    assert facts.local
    for local in facts.local:
        assert local.explained_class == str(predicted[local.row]) == str(local.predicted)
        assert local.base_value == pytest.approx(contributions[local.row, predicted[local.row], -1])
    assert facts.additivity is not None and facts.additivity.passed


def test_multiclass_additivity_checks_every_class() -> None:
    """A class no row predicts still counts: its error fails the check."""
    rng = np.random.default_rng(0)
    values, bases = rng.normal(size=(5, 4, 3)), rng.normal(size=(5, 3))
    output = bases + values.sum(axis=1)
    exact = RawShap(values, bases, output, "log-odds", "test")
    assert _additivity(exact).passed and _additivity(exact).max_error < 1e-12
    output[:, 2] += 0.5
    off = RawShap(values, bases, output, "log-odds", "test")
    assert not _additivity(off).passed
    assert _additivity(off).max_error == pytest.approx(0.5)


def test_xgboost_multiclass_matches_pred_contribs(
    tmp_path: Path, iris: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = iris
    model = xgboost.XGBClassifier(n_estimators=20, max_depth=2, random_state=0).fit(X, y)
    model.get_booster().save_model(tmp_path / "m.json")
    result = _explain(tmp_path / "m.json", X, y)
    dmatrix = xgboost.DMatrix(X)
    contributions = model.get_booster().predict(dmatrix, pred_contribs=True)  # rows x k x f+1
    predicted = model.get_booster().predict(dmatrix).argmax(axis=1)
    assert result.values is not None
    np.testing.assert_allclose(
        result.values, contributions[np.arange(len(X)), predicted, :-1], atol=1e-6
    )
    importance = np.abs(contributions[:, :, :-1].astype(float)).mean(axis=(0, 1))
    got = {f.feature: f.mean_abs_shap for f in result.facts.importance}
    assert got == pytest.approx(dict(zip(X.columns, importance, strict=True)), abs=1e-6)
    assert result.facts.additivity is not None and result.facts.additivity.passed


def test_random_forest_explains_class_one_probability(
    tmp_path: Path, cancer: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = cancer
    model = RandomForestClassifier(n_estimators=20, max_depth=5, random_state=0).fit(X, y)
    skops.io.dump(model, tmp_path / "m.skops")
    result = _explain(tmp_path / "m.skops", X, y)
    facts = result.facts
    assert facts.explainer == "tree"
    assert facts.why_explainer == "RandomForestClassifier is a tree model"
    assert facts.output == "probability of class '1'" and facts.explained_class == "1"
    assert facts.additivity is not None and facts.additivity.passed
    assert facts.additivity.compared_with == "predict_proba"
    reference = import_shap().TreeExplainer(model)(X)
    assert result.values is not None and result.base_values is not None
    np.testing.assert_allclose(result.values, reference.values[:, :, 1], atol=1e-9)
    total = result.base_values + result.values.sum(axis=1)
    np.testing.assert_allclose(total, model.predict_proba(X)[:, 1], atol=1e-9)


def test_gradient_boosting_regressor_explains_the_prediction(
    tmp_path: Path, diabetes: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = diabetes
    model = GradientBoostingRegressor(n_estimators=30, random_state=0).fit(X, y)
    skops.io.dump(model, tmp_path / "m.skops")
    result = _explain(tmp_path / "m.skops", X, y)
    facts = result.facts
    assert facts.explainer == "tree" and facts.output == "predicted value"
    assert facts.explained_class is None
    assert facts.additivity is not None and facts.additivity.passed
    assert facts.additivity.compared_with == "predict"
    assert result.values is not None and result.base_values is not None
    total = result.base_values + result.values.sum(axis=1)
    np.testing.assert_allclose(total, model.predict(X), atol=1e-9)


def test_poisson_boosting_explains_the_log_of_its_prediction(
    tmp_path: Path, diabetes: tuple[pd.DataFrame, pd.Series]
) -> None:
    """Tree SHAP adds up to the raw score exp() turns into the prediction."""
    X, y = diabetes
    model = HistGradientBoostingRegressor(loss="poisson", max_iter=20, random_state=0)
    model.fit(X, y)
    skops.io.dump(model, tmp_path / "m.skops")
    result = _explain(tmp_path / "m.skops", X, y)
    facts = result.facts
    assert facts.output == "raw score (before the link function)"
    assert facts.additivity is not None and facts.additivity.passed
    assert facts.additivity.max_error < 1e-9
    assert facts.additivity.compared_with == "log of predict"


def test_missing_values_are_explained_and_shown_as_null(
    tmp_path: Path, cancer: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = cancer
    rng = np.random.default_rng(0)
    X = X.copy()
    X.iloc[:, :3] = X.iloc[:, :3].mask(rng.random((len(X), 3)) < 0.4)
    model = xgboost.XGBClassifier(n_estimators=20, max_depth=3, random_state=0).fit(X, y)
    model.get_booster().save_model(tmp_path / "m.json")
    result = _explain(tmp_path / "m.json", X, y)
    facts = result.facts
    assert facts.additivity is not None and facts.additivity.passed
    assert facts.additivity.max_error < 1e-4
    reference = import_shap().TreeExplainer(model.get_booster())(X)
    assert result.values is not None
    np.testing.assert_allclose(result.values, reference.values, atol=1e-6)
    written = json.loads(facts.model_dump_json())["local"]
    missing = 0
    for local, saved in zip(facts.local, written, strict=True):
        for contribution, cell in zip(local.contributions, saved["contributions"], strict=True):
            value = X.iloc[local.row][contribution.feature]
            if np.isnan(value):
                assert contribution.value is None and cell["value"] is None
                missing += 1
            else:
                assert contribution.value == pytest.approx(value) == cell["value"]
    assert missing  # with 40% missing in three columns, some local row has a gap


def test_multiclass_without_probabilities_shows_the_predicted_class(
    tmp_path: Path, iris: tuple[pd.DataFrame, pd.Series]
) -> None:
    """XGBoost multi:softmax predicts class positions and no probabilities: the predicted
    position picks each row's values, and local rows follow the rule without probabilities."""
    X, y = iris
    model = xgboost.XGBClassifier(n_estimators=10, max_depth=2, objective="multi:softmax")
    model.fit(X, y)
    model.get_booster().save_model(tmp_path / "m.json")
    result = _explain(tmp_path / "m.json", X, y)
    facts = result.facts
    assert facts.explainer == "tree" and facts.not_computed is None
    booster = model.get_booster()
    contributions = booster.predict(xgboost.DMatrix(X), pred_contribs=True)
    predicted = booster.predict(xgboost.DMatrix(X)).astype(int)
    assert result.values is not None
    np.testing.assert_allclose(
        result.values, contributions[np.arange(len(X)), predicted, :-1], atol=1e-6
    )
    assert facts.local_rule == CLASSIFICATION_RULE_NO_PROBABILITIES
    for local in facts.local:
        assert local.explained_class == str(predicted[local.row])
