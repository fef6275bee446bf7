"""The model-agnostic path: pipelines explained in terms of their input columns, bounded by
the row and time budgets, deterministic per chunk; text columns; the fallback when shap cannot
explain a model by its chosen path, and the reason recorded when it cannot at all."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC

from modeldoc.tools.checkpoints.load import LoadedCheckpoint, load_checkpoint
from modeldoc.tools.evaluate.predict import Predictions, predict
from modeldoc.tools.explain import permutation
from modeldoc.tools.explain.permutation import CHUNK_ROWS, PERMUTATIONS
from modeldoc.tools.explain.raw import ExplainBudget
from modeldoc.tools.explain.run import ShapResult, _background, _sample, explain_model


def _load(model: Any, path: Path, X: pd.DataFrame) -> tuple[LoadedCheckpoint, Predictions]:
    skops.io.dump(model, path)
    loaded = load_checkpoint(path)
    return loaded, predict(loaded, X)


def _explain(model: Any, path: Path, X: pd.DataFrame, y: Any, budget: ExplainBudget) -> ShapResult:
    loaded, predictions = _load(model, path, X)
    return explain_model(loaded, X, np.asarray(y), predictions, predictions.task, budget)


@pytest.fixture(scope="module")
def diabetes() -> tuple[pd.DataFrame, pd.Series]:
    data = load_diabetes(as_frame=True)
    return data.data, data.target


@pytest.fixture(scope="module")
def cancer() -> tuple[pd.DataFrame, pd.Series]:
    data = load_breast_cancer(as_frame=True)
    return data.data, data.target


RIDGE_BUDGET = ExplainBudget(rows=24, seconds=120, background=40, seed=5)


@pytest.fixture(scope="module")
def ridge(
    tmp_path_factory: pytest.TempPathFactory, diabetes: tuple[pd.DataFrame, pd.Series]
) -> tuple[Any, ShapResult]:
    X, y = diabetes
    model = make_pipeline(StandardScaler(), Ridge()).fit(X, y)
    path = tmp_path_factory.mktemp("ridge") / "m.skops"
    return model, _explain(model, path, X, y, RIDGE_BUDGET)


def test_pipeline_is_explained_in_terms_of_its_input_columns(
    ridge: tuple[Any, ShapResult], diabetes: tuple[pd.DataFrame, pd.Series]
) -> None:
    _, result = ridge
    X, _ = diabetes
    facts = result.facts
    assert facts.explainer == "permutation"
    assert facts.why_explainer == (
        "a pipeline is explained as a whole, in terms of its input columns"
    )
    assert facts.features == list(X.columns)
    assert facts.rows_available == len(X)
    assert facts.rows_explained == min(len(X), RIDGE_BUDGET.rows)
    assert facts.row_budget == RIDGE_BUDGET.rows
    assert facts.time_budget_seconds == RIDGE_BUDGET.seconds
    assert facts.stopped_by_time_budget is False
    assert facts.permutations == PERMUTATIONS
    assert facts.background_rows == RIDGE_BUDGET.background
    assert facts.sample_seed == RIDGE_BUDGET.seed
    assert facts.output == "predicted value"
    assert np.array_equal(result.rows, _sample(len(X), RIDGE_BUDGET.rows, RIDGE_BUDGET.seed))
    additivity = facts.additivity
    assert additivity is not None and additivity.passed and additivity.max_error < 1e-6


def test_additive_pipeline_gets_its_exact_shap_values(
    ridge: tuple[Any, ShapResult], diabetes: tuple[pd.DataFrame, pd.Series]
) -> None:
    """Scaler + Ridge is linear in the inputs: with antithetic permutations the estimate is
    exact, the effective coefficient times the distance from the background mean."""
    model, result = ridge
    X, _ = diabetes
    scaler, ridge_model = model[0], model[-1]
    slope = ridge_model.coef_ / scaler.scale_
    background = _background(X, RIDGE_BUDGET).to_numpy()
    explained = X.to_numpy()[result.rows]
    assert result.values is not None and result.base_values is not None
    np.testing.assert_allclose(
        result.values, slope * (explained - background.mean(axis=0)), atol=1e-6
    )
    assert result.facts.base_value == pytest.approx(model.predict(pd.DataFrame(
        background, columns=X.columns)).mean())  # fmt: skip


def test_classifier_pipeline_explains_class_one_probability(
    tmp_path: Path, cancer: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = cancer
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    budget = ExplainBudget(rows=16, seconds=120, background=30)
    result = _explain(model, tmp_path / "m.skops", X, y, budget)
    facts = result.facts
    assert facts.explainer == "permutation" and facts.rows_explained == 16
    assert facts.output == "probability of class '1'" and facts.explained_class == "1"
    additivity = facts.additivity
    assert additivity is not None and additivity.passed and additivity.max_error < 1e-6
    assert additivity.compared_with == "the explained function on the same rows"
    assert result.values is not None and result.base_values is not None
    total = result.base_values + result.values.sum(axis=1)
    probability = model.predict_proba(X.iloc[result.rows])[:, 1]
    np.testing.assert_allclose(total, probability, atol=1e-9)


# A forest inside a pipeline: permutation, about half a second per chunk of 8 rows.
SLOW_ROWS = 48
ENOUGH_TIME = ExplainBudget(rows=SLOW_ROWS, seconds=600, background=50, seed=1)
LITTLE_TIME = ExplainBudget(rows=SLOW_ROWS, seconds=0.5, background=50, seed=1)


@pytest.fixture(scope="module")
def budgets(
    tmp_path_factory: pytest.TempPathFactory, cancer: tuple[pd.DataFrame, pd.Series]
) -> dict[str, tuple[ShapResult, float]]:
    """The same rows explained with ample time (run first: it also pays for shap's kernel
    compilation) and with half a second; each with the seconds the call took."""
    X, y = cancer
    X, y = X.iloc[:300], y.iloc[:300]
    forest = RandomForestClassifier(n_estimators=20, max_depth=6, random_state=0)
    model = make_pipeline(StandardScaler(), forest).fit(X, y)
    loaded, predictions = _load(model, tmp_path_factory.mktemp("slow") / "m.skops", X)
    timed = {}
    for name, budget in (("enough", ENOUGH_TIME), ("little", LITTLE_TIME)):
        started = time.perf_counter()
        result = explain_model(loaded, X, y.to_numpy(), predictions, "classification", budget)
        timed[name] = (result, time.perf_counter() - started)
    return timed


def test_time_budget_stops_between_chunks(budgets: dict[str, tuple[ShapResult, float]]) -> None:
    full, full_seconds = budgets["enough"]
    short, short_seconds = budgets["little"]
    assert full.facts.rows_explained == SLOW_ROWS and not full.facts.stopped_by_time_budget
    facts = short.facts
    assert facts.stopped_by_time_budget is True
    assert 0 < facts.rows_explained < SLOW_ROWS
    assert facts.rows_explained % CHUNK_ROWS == 0  # stopped before a chunk, never inside one
    assert facts.time_budget_seconds == LITTLE_TIME.seconds
    assert facts.additivity is not None and facts.additivity.passed
    assert facts.local and all(local.row in short.rows for local in facts.local)
    # Within the budget, 10% and the chunk that may overrun it (plus slack for a loaded
    # machine), and well before all rows would have taken.
    chunk_seconds = full_seconds / (SLOW_ROWS / CHUNK_ROWS)
    assert short_seconds < LITTLE_TIME.seconds * 1.1 + chunk_seconds + 1.0
    assert short_seconds < 0.6 * full_seconds


def test_rows_explained_under_a_small_budget_have_the_values_of_a_large_one(
    budgets: dict[str, tuple[ShapResult, float]],
) -> None:
    """Each chunk is seeded by its position: where the budget stops changes nothing."""
    full, _ = budgets["enough"]
    short, _ = budgets["little"]
    done = short.facts.rows_explained
    assert np.array_equal(short.rows, full.rows[:done])
    assert short.values is not None and full.values is not None
    np.testing.assert_array_equal(short.values, full.values[:done])
    short_importance = {f.feature: f.mean_abs_shap for f in short.facts.importance}
    assert short_importance == pytest.approx(
        dict(zip(short.facts.features, np.abs(full.values[:done]).mean(axis=0), strict=True))
    )


def test_a_slow_first_call_is_not_taken_for_the_cost_of_every_row(
    tmp_path: Path, diabetes: tuple[pd.DataFrame, pd.Series], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first explanation in a process compiles shap's kernels (seconds); a model may set
    itself up lazily. That one-off cost counts against the budget, but the rows after it are
    not estimated as slow as the first chunk."""
    X, y = diabetes
    model = make_pipeline(StandardScaler(), Ridge()).fit(X, y)
    loaded, predictions = _load(model, tmp_path / "m.skops", X)
    # Once without the delay, so shap's kernels are compiled whichever test ran first.
    small = ExplainBudget(rows=8, background=20)
    explain_model(loaded, X, y.to_numpy(), predictions, "regression", small)
    choose = permutation.model_function
    first_call = 1.0

    def slow_at_first(*args: Any) -> Any:
        function, scale = choose(*args)
        calls = []

        def wrapped(matrix: np.ndarray) -> np.ndarray:
            if not calls:
                time.sleep(first_call)
            calls.append(len(matrix))
            return function(matrix)

        return wrapped, scale

    monkeypatch.setattr(permutation, "model_function", slow_at_first)
    budget = ExplainBudget(rows=48, seconds=2 * first_call, background=20)
    result = explain_model(loaded, X, y.to_numpy(), predictions, "regression", budget)
    # Estimated from a first chunk holding that second, a second chunk could not have fitted.
    assert result.facts.rows_explained > CHUNK_ROWS


def test_the_callers_random_state_is_left_alone(
    tmp_path: Path, diabetes: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = diabetes
    model = make_pipeline(StandardScaler(), Ridge()).fit(X, y)
    loaded, predictions = _load(model, tmp_path / "m.skops", X)
    np.random.seed(1234)
    expected = np.random.random(3)
    np.random.seed(1234)
    budget = ExplainBudget(rows=8, background=10)
    explain_model(loaded, X, y.to_numpy(), predictions, "regression", budget)
    np.testing.assert_array_equal(np.random.random(3), expected)


def test_text_column_goes_through_the_pipeline(
    tmp_path: Path, diabetes: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = diabetes
    X = X.copy()
    X["city"] = np.where(X["bmi"] > 0, "north", np.where(X["age"] > 0, "south", None))
    X["city"] = X["city"].astype(object)
    target = y + 30 * (X["city"] == "north")
    encode = ColumnTransformer(
        [("city", OneHotEncoder(handle_unknown="ignore"), ["city"])], remainder="passthrough"
    )
    model = make_pipeline(encode, Ridge()).fit(X, target)
    budget = ExplainBudget(rows=24, seconds=120, background=30, seed=2)
    result = _explain(model, tmp_path / "m.skops", X, target, budget)
    facts = result.facts
    assert facts.not_computed is None and facts.explainer == "permutation"
    assert facts.features == list(X.columns)
    additivity = facts.additivity
    assert additivity is not None and additivity.passed and additivity.max_error < 1e-6
    city = next(f for f in facts.importance if f.feature == "city")
    assert city.value_shap_correlation is None and city.mean_abs_shap > 1
    assert all(f.value_shap_correlation is not None for f in facts.importance if f is not city)
    # The model is additive: the city's SHAP value depends on the city alone (None included).
    assert result.values is not None
    column = list(X.columns).index("city")
    explained = X["city"].iloc[result.rows].fillna("<none>").to_numpy()
    for name in set(explained):
        shown = result.values[explained == name, column]
        np.testing.assert_allclose(shown, shown[0], atol=1e-6)
    for local in facts.local:
        value = next(c.value for c in local.contributions if c.feature == "city")
        assert value == X["city"].iloc[local.row]  # text as text, None as null


@pytest.fixture(scope="module")
def iris_boosting(tmp_path_factory: pytest.TempPathFactory) -> tuple[LoadedCheckpoint, Any]:
    data = load_iris(as_frame=True)
    model = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(data.data, data.target)
    loaded, _ = _load(model, tmp_path_factory.mktemp("gbc") / "m.skops", data.data)
    return loaded, data


def test_tree_model_shap_cannot_read_falls_back_to_permutation(
    iris_boosting: tuple[LoadedCheckpoint, Any],
) -> None:
    """shap's Tree SHAP reads scikit-learn gradient boosting for two classes only."""
    loaded, data = iris_boosting
    predictions = predict(loaded, data.data)
    budget = ExplainBudget(rows=16, background=20)
    result = explain_model(
        loaded, data.data, data.target.to_numpy(), predictions, "classification", budget
    )
    facts = result.facts
    assert facts.explainer == "permutation" and facts.not_computed is None
    assert facts.why_explainer is not None
    assert facts.why_explainer.startswith("tree SHAP failed (")
    assert "binary classification" in facts.why_explainer
    assert facts.rows_explained == 16 and facts.row_budget == 16
    assert facts.additivity is not None and facts.additivity.passed
    assert facts.output is not None and facts.output.startswith("probability of each class")


def test_a_model_that_cannot_be_explained_records_why(
    iris_boosting: tuple[LoadedCheckpoint, Any],
) -> None:
    """Both paths fail (no probabilities to explain): both reasons, no exception."""
    loaded, data = iris_boosting
    known = predict(loaded, data.data)
    without_proba = Predictions("classification", known.y_pred, None, known.labels)
    result = explain_model(
        loaded, data.data, data.target.to_numpy(), without_proba, "classification"
    )
    reason = result.facts.not_computed
    assert reason is not None and reason.startswith("SHAP could not explain the model: ")
    assert "binary classification" in reason
    assert "; permutation SHAP failed too (the model gives no class probabilities" in reason
    assert result.values is None and result.facts.explainer is None
    assert result.facts.rows_available == len(data.data) and result.facts.local == []


def test_classifier_without_probabilities_is_not_computed(
    tmp_path: Path, cancer: tuple[pd.DataFrame, pd.Series]
) -> None:
    X, y = cancer
    X = X.iloc[:, :5]
    model = make_pipeline(StandardScaler(), SVC()).fit(X, y)
    result = _explain(model, tmp_path / "m.skops", X, y, ExplainBudget(rows=8, background=10))
    assert result.facts.not_computed == (
        "SHAP could not explain the model: the model gives no class probabilities to explain"
    )
    assert result.values is None and result.facts.importance == []
