"""Linear SHAP of scikit-learn linear models loaded through skops: the values shap gives with
the same background sample, additivity against the model's own output on the right scale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LogisticRegression, PoissonRegressor, SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from modeldoc.tools.checkpoints.load import load_checkpoint
from modeldoc.tools.evaluate.predict import predict
from modeldoc.tools.explain.raw import ExplainBudget
from modeldoc.tools.explain.run import ShapResult, _background, explain_model
from modeldoc.tools.explain.shap_import import import_shap

BUDGET = ExplainBudget(background=60, seed=3)


def _explain(model: Any, path: Path, X: pd.DataFrame, y: Any) -> ShapResult:
    skops.io.dump(model, path)
    loaded = load_checkpoint(path)
    predictions = predict(loaded, X)
    return explain_model(loaded, X, np.asarray(y), predictions, predictions.task, BUDGET)


@pytest.fixture(scope="module")
def cancer() -> tuple[pd.DataFrame, pd.Series]:
    data = load_breast_cancer(as_frame=True)
    # Scaled so the solver converges quickly: the model itself must be a linear model.
    scaled = StandardScaler().fit_transform(data.data)
    return pd.DataFrame(scaled, columns=data.data.columns), data.target


@pytest.fixture(scope="module")
def logistic(
    tmp_path_factory: pytest.TempPathFactory, cancer: tuple[pd.DataFrame, pd.Series]
) -> tuple[LogisticRegression, ShapResult]:
    X, y = cancer
    model = LogisticRegression(max_iter=1000).fit(X, y)
    return model, _explain(model, tmp_path_factory.mktemp("lin") / "m.skops", X, y)


def test_logistic_regression_takes_the_linear_path(
    logistic: tuple[LogisticRegression, ShapResult], cancer: tuple[pd.DataFrame, pd.Series]
) -> None:
    _, result = logistic
    X, _ = cancer
    facts = result.facts
    assert facts.explainer == "linear"
    assert facts.why_explainer == "LogisticRegression is a linear model"
    assert facts.background_rows == BUDGET.background
    assert facts.rows_explained == len(X) and facts.permutations is None
    assert facts.output == "log-odds of class '1'" and facts.explained_class == "1"


def test_logistic_values_equal_linear_shap_on_the_same_background(
    logistic: tuple[LogisticRegression, ShapResult], cancer: tuple[pd.DataFrame, pd.Series]
) -> None:
    model, result = logistic
    X, _ = cancer
    shap = import_shap()
    background = _background(X, BUDGET)
    assert len(background) == BUDGET.background
    masker = shap.maskers.Independent(background, max_samples=len(background))
    reference = shap.LinearExplainer(model, masker)(X)
    assert result.values is not None
    np.testing.assert_allclose(result.values, reference.values, atol=1e-9)
    # Linear SHAP in closed form: coefficient times the distance from the background mean.
    closed = model.coef_[0] * (X.to_numpy() - background.to_numpy().mean(axis=0))
    np.testing.assert_allclose(result.values, closed, atol=1e-9)
    assert result.facts.base_value == pytest.approx(float(np.ravel(reference.base_values)[0]))


def test_logistic_additivity_against_decision_function(
    logistic: tuple[LogisticRegression, ShapResult], cancer: tuple[pd.DataFrame, pd.Series]
) -> None:
    model, result = logistic
    X, _ = cancer
    additivity = result.facts.additivity
    assert additivity is not None and additivity.passed and additivity.max_error < 1e-9
    assert additivity.compared_with == "decision_function"
    assert result.values is not None and result.base_values is not None
    total = result.base_values + result.values.sum(axis=1)
    np.testing.assert_allclose(total, model.decision_function(X), atol=1e-9)


def test_poisson_regressor_explains_the_log_of_its_prediction(tmp_path: Path) -> None:
    """A log-link GLM is linear in log(prediction): additivity holds there, and the output
    says it is a raw score, not the predicted value."""
    data = load_diabetes(as_frame=True)
    model = PoissonRegressor().fit(data.data, data.target)
    result = _explain(model, tmp_path / "m.skops", data.data, data.target)
    facts = result.facts
    assert facts.explainer == "linear"
    assert facts.output == "raw score (before the link function)"
    assert facts.additivity is not None and facts.additivity.passed
    assert facts.additivity.compared_with == "log of predict"
    assert result.values is not None and result.base_values is not None
    total = result.base_values + result.values.sum(axis=1)
    np.testing.assert_allclose(np.exp(total), model.predict(data.data), rtol=1e-9)


def test_hinge_loss_classifier_is_not_described_as_log_odds(
    tmp_path: Path, cancer: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = cancer
    model = SGDClassifier(random_state=0).fit(X, y)  # hinge loss: a margin, no probability
    result = _explain(model, tmp_path / "m.skops", X, y)
    assert result.facts.explainer == "linear"
    assert result.facts.output == "raw score of class '1'"
    assert result.facts.additivity is not None and result.facts.additivity.passed
    logistic = SGDClassifier(loss="log_loss", random_state=0).fit(X, y)
    result = _explain(logistic, tmp_path / "log.skops", X, y)
    assert result.facts.output == "log-odds of class '1'"


def test_a_pipeline_around_a_linear_model_is_not_linear_shap(
    tmp_path: Path, cancer: tuple[pd.DataFrame, pd.Series]
) -> None:
    """Only the bare estimator has coefficients on the input columns."""
    X, y = cancer
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    skops.io.dump(model, tmp_path / "m.skops")
    loaded = load_checkpoint(tmp_path / "m.skops")
    predictions = predict(loaded, X.iloc[:8])
    result = explain_model(
        loaded, X.iloc[:8], y.to_numpy()[:8], predictions, "classification",
        ExplainBudget(rows=8, background=10),
    )  # fmt: skip
    assert result.facts.explainer == "permutation"
