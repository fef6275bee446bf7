"""Every metric equals scikit-learn's on the same data; intervals are seeded and contain it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split

from modeldoc.tools.evaluate.metrics import classification, regression


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
