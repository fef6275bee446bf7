"""Every metric equals scikit-learn's on the same data; intervals are seeded and contain it."""

from __future__ import annotations

import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split

from modeldoc.facts import Evaluation
from modeldoc.tools.evaluate import metrics
from modeldoc.tools.evaluate.metrics import classification, regression

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _fit(loader: object, model: object) -> tuple[object, np.ndarray, np.ndarray]:
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    return model.fit(X_train, y_train), X_test, y_test


def test_binary_classification_matches_sklearn() -> None:
    model, X, y = _fit(load_breast_cancer, LogisticRegression(max_iter=5000))
    pred, proba = model.predict(X), model.predict_proba(X)
    evaluation = classification(y, pred, proba, labels=[0, 1], resamples=200)
    values = {m.name: m.value for m in evaluation.metrics}
    assert values["accuracy"] == skm.accuracy_score(y, pred)
    assert values["balanced_accuracy"] == skm.balanced_accuracy_score(y, pred)
    assert values["f1_macro"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert values["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba[:, 1]))
    assert values["log_loss"] == pytest.approx(skm.log_loss(y, proba))
    assert values["brier"] == pytest.approx(skm.brier_score_loss(y, proba[:, 1]))
    assert evaluation.confusion_matrix == skm.confusion_matrix(y, pred).tolist()
    accuracy = evaluation.metric("accuracy")
    assert accuracy is not None and accuracy.ci_low is not None and accuracy.ci_high is not None
    assert accuracy.ci_low <= accuracy.value <= accuracy.ci_high
    again = classification(y, pred, proba, labels=[0, 1], resamples=200)
    assert again.metric("accuracy") == accuracy  # seeded: the same interval every run


def test_multiclass_classification_matches_sklearn() -> None:
    model, X, y = _fit(load_iris, LogisticRegression(max_iter=5000))
    pred, proba = model.predict(X), model.predict_proba(X)
    evaluation = classification(y, pred, proba, labels=[0, 1, 2], resamples=100)
    values = {m.name: m.value for m in evaluation.metrics}
    assert values["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr"))
    assert "brier" not in values
    _, recall, _, support = skm.precision_recall_fscore_support(y, pred)
    assert evaluation.per_class["2"]["recall"] == pytest.approx(recall[2])
    assert evaluation.per_class["0"]["support"] == support[0]


def test_regression_matches_sklearn() -> None:
    model, X, y = _fit(load_diabetes, LinearRegression())
    pred = model.predict(X)
    evaluation = regression(y, pred, resamples=200)
    values = {m.name: m.value for m in evaluation.metrics}
    assert values["mae"] == pytest.approx(skm.mean_absolute_error(y, pred))
    assert values["rmse"] == pytest.approx(skm.root_mean_squared_error(y, pred))
    assert values["r2"] == pytest.approx(skm.r2_score(y, pred))
    assert values["mape"] == pytest.approx(skm.mean_absolute_percentage_error(y, pred))


def test_metrics_that_cannot_be_computed_say_why() -> None:
    y = np.array([1, 1, 1, 1])
    proba = np.array([[0.2, 0.8]] * 4)
    evaluation = classification(y, y, proba, labels=[0, 1], resamples=10)
    balanced = evaluation.metric("balanced_accuracy")
    assert balanced is not None and balanced.value is None and balanced.not_computed
    auc = evaluation.metric("roc_auc")
    assert (
        auc is not None
        and auc.value is None
        and auc.not_computed == "the true labels hold one class only"
    )
    zeros = regression(np.array([0.0, 1.0, 2.0]), np.array([0.1, 1.1, 2.1]), resamples=10)
    mape = zeros.metric("mape")
    assert mape is not None and mape.not_computed == "the true values include zero"
    nan = regression(np.array([1.0, 2.0]), np.array([np.nan, 2.0]), resamples=10)
    mae = nan.metric("mae")
    assert mae is not None and mae.value is None and "NaN" in (mae.not_computed or "")


# The intervals are computed for all resamples at once; these tests hold them to the former
# implementation: scikit-learn called on each resample in turn, written out again here.

TOLERANCE = 1e-12  # measured: identical, ROC-AUC within 2e-16 (a count, not trapezoids)
RESAMPLES = 300
SEED = 7


def _reference_interval(
    score: Callable[[np.ndarray, np.ndarray], float],
    y_true: np.ndarray,
    y_other: np.ndarray,
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> tuple[float, float] | None:
    """A plain loop: the same seeded resamples, each scored by scikit-learn; resamples on
    which the metric is undefined (NaN) left out, no interval when under 90% remain."""
    indices = np.random.default_rng(seed).integers(0, len(y_true), size=(resamples, len(y_true)))
    samples = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for rows in indices:
            value = float(score(y_true[rows], y_other[rows]))
            if np.isfinite(value):
                samples.append(value)
    if len(samples) < 0.9 * len(indices):
        return None
    tail = (1 - 0.95) / 2 * 100  # the former expression: 2.4999999999999996, not 2.5
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def _classification_scorers(labels: list[object]) -> dict[str, Callable[..., float]]:
    scorers: dict[str, Callable[..., float]] = {
        "accuracy": skm.accuracy_score,
        "balanced_accuracy": skm.balanced_accuracy_score,
        "f1_macro": lambda t, p: skm.f1_score(t, p, average="macro", zero_division=0),
    }
    if len(labels) == 2:
        scorers["roc_auc"] = lambda t, s: skm.roc_auc_score(t == labels[1], s[:, 1])
    else:
        scorers["roc_auc"] = lambda t, s: skm.roc_auc_score(t, s, multi_class="ovr", labels=labels)
    return scorers


def _assert_intervals_match_reference(
    evaluation: Evaluation,
    scorers: dict[str, Callable[..., float]],
    y_true: np.ndarray,
    others: dict[str, np.ndarray],
) -> None:
    for name, score in scorers.items():
        metric = evaluation.metric(name)
        assert metric is not None and metric.value is not None, name
        expected = _reference_interval(score, y_true, others[name])
        got = (metric.ci_low, metric.ci_high)
        if expected is None:
            assert got == (None, None) and metric.ci_not_computed, name
            continue
        assert None not in got, name
        np.testing.assert_allclose(got, expected, rtol=TOLERANCE, atol=TOLERANCE, err_msg=name)


def _check_classification(
    y: np.ndarray, pred: np.ndarray, proba: np.ndarray, labels: list[object]
) -> Evaluation:
    evaluation = classification(y, pred, proba, labels=labels, resamples=RESAMPLES, seed=SEED)
    scorers = _classification_scorers(labels)
    others = {name: proba if name == "roc_auc" else pred for name in scorers}
    _assert_intervals_match_reference(evaluation, scorers, y, others)
    return evaluation


@pytest.fixture(scope="module")
def breast_cancer() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True labels, predictions and probabilities on the 171 held-out rows (fitted once)."""
    model, X, y = _fit(load_breast_cancer, LogisticRegression(max_iter=5000))
    return y, model.predict(X), model.predict_proba(X)


def test_binary_intervals_equal_the_resample_loop(
    breast_cancer: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    y, pred, proba = breast_cancer
    assert len(y) == 171
    _check_classification(y, pred, proba, [0, 1])


def test_binary_intervals_with_tied_scores_equal_the_resample_loop(
    breast_cancer: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    y, pred, proba = breast_cancer
    tied = np.round(proba, 1)  # many equal scores, as tree ensembles give
    _check_classification(y, pred, tied, [0, 1])


def test_multiclass_intervals_with_a_label_never_predicted_equal_the_resample_loop() -> None:
    model, X, y = _fit(load_iris, LogisticRegression(max_iter=5000))
    names = np.array(["setosa", "versicolor", "virginica"], dtype=object)
    pred = model.predict(X)
    pred[pred == 2] = 1  # "virginica" is never predicted
    assert set(pred.tolist()) == {0, 1}
    _check_classification(names[y], names[pred], model.predict_proba(X), list(names))


def test_imbalanced_intervals_equal_the_resample_loop() -> None:
    """Some resamples lack the minority class: their ROC-AUC is undefined (scikit-learn
    returns NaN); the interval rests on the others, and says how many."""
    rng = np.random.default_rng(3)
    y = np.zeros(80, dtype=int)
    y[[5, 40, 60, 70]] = 1
    positive = np.clip(0.5 * y + rng.random(80) * 0.6, 0, 1)
    proba = np.column_stack([1 - positive, positive])
    pred = (positive > 0.5).astype(int)
    indices = np.random.default_rng(SEED).integers(0, 80, size=(RESAMPLES, 80))
    lacking = sum(not y[rows].any() for rows in indices)
    assert 0 < lacking < 0.1 * RESAMPLES  # some resamples have no positive row
    evaluation = _check_classification(y, pred, proba, [0, 1])
    auc = evaluation.metric("roc_auc")
    assert auc is not None and auc.value is not None
    assert auc.ci_low is not None and auc.ci_high is not None
    assert auc.ci_low <= auc.value <= auc.ci_high
    assert auc.ci_resamples == RESAMPLES - lacking


def test_an_interval_on_too_few_defined_resamples_is_not_given() -> None:
    """Two positive rows in 80: most resamples lack one, so no interval, with the reason."""
    rng = np.random.default_rng(3)
    y = np.zeros(80, dtype=int)
    y[[5, 40]] = 1
    positive = np.clip(0.5 * y + rng.random(80) * 0.6, 0, 1)
    evaluation = _check_classification(
        y, (positive > 0.5).astype(int), np.column_stack([1 - positive, positive]), [0, 1]
    )
    auc = evaluation.metric("roc_auc")
    assert auc is not None and auc.value is not None
    assert (auc.ci_low, auc.ci_high) == (None, None)
    assert auc.ci_not_computed and "undefined on" in auc.ci_not_computed


def test_imbalanced_multiclass_intervals_equal_the_resample_loop() -> None:
    """Three rows of the rarest label in 90: resamples missing it have no multiclass ROC-AUC;
    the label metrics leave the label out, as scikit-learn does."""
    rng = np.random.default_rng(4)
    y = rng.choice(3, size=90, p=[0.6, 0.37, 0.03])
    logits = rng.normal(size=(90, 3)) + 1.5 * np.eye(3)[y]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    _check_classification(y, proba.argmax(axis=1), proba, [0, 1, 2])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_regression_intervals_equal_the_resample_loop(dtype: type) -> None:
    model, X, y = _fit(load_diabetes, LinearRegression())
    y, pred = y.astype(dtype), model.predict(X).astype(dtype)
    evaluation = regression(y, pred, resamples=RESAMPLES, seed=SEED)
    scorers = {
        "mae": skm.mean_absolute_error,
        "rmse": skm.root_mean_squared_error,
        "r2": skm.r2_score,
    }
    _assert_intervals_match_reference(evaluation, scorers, y, dict.fromkeys(scorers, pred))


def test_regression_intervals_with_constant_resamples_equal_the_resample_loop() -> None:
    """Three rows: some resamples repeat one row, where R² takes scikit-learn's finite
    stand-ins (1 when the predictions are exact too, else 0)."""
    y, pred = np.array([1.0, 2.0, 4.0]), np.array([1.0, 2.5, 3.0])
    evaluation = regression(y, pred, resamples=RESAMPLES, seed=SEED)
    scorers = {
        "mae": skm.mean_absolute_error,
        "rmse": skm.root_mean_squared_error,
        "r2": skm.r2_score,
    }
    _assert_intervals_match_reference(evaluation, scorers, y, dict.fromkeys(scorers, pred))


# The resamples are drawn block by block. These tests hold the intervals to the values the
# former implementation (one draw of shape (resamples, rows)) gave, to the bit, and its
# memory to a fixed budget however many rows.


def _former_resample_indices(rows: int, resamples: int, seed: int) -> np.ndarray:
    """The former draw, copied: every resample's rows at once, shape (resamples, rows)."""
    return np.random.default_rng(seed).integers(0, rows, size=(resamples, rows))


@pytest.mark.parametrize(
    ("rows", "resamples", "block_cells"),
    [(171, 1000, 500), (143, 37, 1 << 20), (1, 5, 1), (1001, 7, 3000)],
)
def test_blocks_draw_the_former_rows(
    monkeypatch: pytest.MonkeyPatch, rows: int, resamples: int, block_cells: int
) -> None:
    """Odd row counts leave half of a 64-bit word between blocks: it is used, as before."""
    monkeypatch.setattr(metrics, "BLOCK_CELLS", block_cells)
    blocks = list(metrics.Bootstrap(rows, resamples, seed=11).blocks())
    assert len(blocks) == -(-resamples // max(1, block_cells // rows))
    np.testing.assert_array_equal(
        np.concatenate(blocks), _former_resample_indices(rows, resamples, 11)
    )


# Intervals of the former implementation, computed before the change (1,000 resamples; the
# repr of each float), on the bundled cancer-xgboost example and scikit-learn's data sets.
PREDICTED_BY_BLAS = {"diabetes"}
FORMER_INTERVALS = {
    "cancer-xgboost": {
        "accuracy": (0.9230769230769231, 0.986013986013986),
        "balanced_accuracy": (0.9062405417675545, 0.9857852969923141),
        "f1_macro": (0.9134268438526785, 0.9854988595379707),
        "roc_auc": (0.9875152153558052, 0.999778626396108),
    },
    "breast_cancer": {
        "accuracy": (0.9298245614035088, 0.9826023391812864),
        "balanced_accuracy": (0.9354791329972068, 0.9871822033898305),
        "f1_macro": (0.924590344424245, 0.9824275674078229),
        "roc_auc": (0.9901636573471728, 0.9998652942801879),
    },
    "iris, seed 3": {
        "accuracy": (0.9333333333333333, 1.0),
        "balanced_accuracy": (0.9375, 1.0),
        "f1_macro": (0.9179206566347468, 1.0),
        "roc_auc": (0.9844994347489574, 1.0),
    },
    "diabetes": {
        "mae": (39.30736892260626, 50.47315723423892),
        "rmse": (48.66429197227967, 62.34747998212556),
        "r2": (0.19837776151529615, 0.5310218896415888),
    },
}


@pytest.fixture(scope="module")
def former_cases(
    breast_cancer: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> dict[str, Callable[[], Evaluation]]:
    """Each case's evaluation, to call (the models are fitted once)."""
    booster = xgboost.Booster()
    booster.load_model(EXAMPLES / "cancer-xgboost" / "model.json")
    frame = pd.read_csv(EXAMPLES / "cancer-xgboost" / "test.csv")
    positive = booster.predict(xgboost.DMatrix(frame[booster.feature_names]))
    truth, proba = frame["target"].to_numpy(), np.column_stack([1 - positive, positive])
    y_cancer, pred_cancer, proba_cancer = breast_cancer
    iris, X_iris, y_iris = _fit(load_iris, LogisticRegression(max_iter=5000))
    diabetes, X_diabetes, y_diabetes = _fit(load_diabetes, LinearRegression())
    return {
        "cancer-xgboost": lambda: classification(
            truth, (positive >= 0.5).astype(int), proba, labels=[0, 1]
        ),
        "breast_cancer": lambda: classification(y_cancer, pred_cancer, proba_cancer, labels=[0, 1]),
        "iris, seed 3": lambda: classification(
            y_iris, iris.predict(X_iris), iris.predict_proba(X_iris), labels=[0, 1, 2], seed=3
        ),
        "diabetes": lambda: regression(y_diabetes, diabetes.predict(X_diabetes)),
    }


@pytest.mark.parametrize("block_cells", [1 << 20, 1000])
def test_intervals_equal_the_former_implementation_to_the_bit(
    monkeypatch: pytest.MonkeyPatch,
    former_cases: dict[str, Callable[[], Evaluation]],
    block_cells: int,
) -> None:
    """In one block, and in blocks of a few resamples each."""
    monkeypatch.setattr(metrics, "BLOCK_CELLS", block_cells)
    for case, evaluate in former_cases.items():
        evaluation = evaluate()
        got = {m.name: (m.ci_low, m.ci_high) for m in evaluation.metrics if m.ci_low is not None}
        if case in PREDICTED_BY_BLAS:
            # The regressor's predictions come from BLAS, whose last bit depends on the CPU's
            # vector unit; the blocks themselves are compared to the bit below.
            former = FORMER_INTERVALS[case]
            assert got.keys() == former.keys(), case
            for name, bounds in got.items():
                assert bounds == pytest.approx(former[name], rel=1e-12), (case, name)
        else:
            assert got == FORMER_INTERVALS[case], case
        assert all(m.ci_resamples == 1000 for m in evaluation.metrics if m.ci_low is not None)


def test_blocks_equal_one_block_to_the_bit(
    monkeypatch: pytest.MonkeyPatch, former_cases: dict[str, Callable[[], Evaluation]]
) -> None:
    """On this machine, blocks of a few resamples give the very bits one block gives."""
    intervals = []
    for block_cells in (1 << 20, 1000):
        monkeypatch.setattr(metrics, "BLOCK_CELLS", block_cells)
        intervals.append(
            {
                case: [(m.ci_low, m.ci_high) for m in evaluate().metrics]
                for case, evaluate in former_cases.items()
            }
        )
    assert intervals[0] == intervals[1]


def test_bootstrap_memory_stays_bounded_as_rows_grow() -> None:
    """50,000 rows: the former draw alone took 1,000 x 50,000 x 8 bytes = 400 MB."""
    rng = np.random.default_rng(0)
    y = rng.normal(size=50_000)
    labels = (y > 0).astype(int)
    positive = 1 / (1 + np.exp(-2 * y - rng.normal(size=len(y))))
    tracemalloc.start()
    try:
        regression(y, y + rng.normal(size=len(y)))
        classification(labels, (positive > 0.5).astype(int),
                       np.column_stack([1 - positive, positive]), labels=[0, 1])  # fmt: skip
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MB"
