"""Predictions of a loaded model on the evaluation features, whatever library it came from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from modeldoc.errors import ModeldocError, first_line
from modeldoc.tools.checkpoints.load import LoadedCheckpoint

Array = NDArray[Any]


class PredictionError(ModeldocError):
    """The model could not predict on the data (recorded; no metric is invented)."""


@dataclass(frozen=True)
class Predictions:
    """Predicted values, class probabilities (one column per label) and the task."""

    task: Literal["classification", "regression"]
    y_pred: Array
    proba: Array | None = None
    labels: list[Any] | None = None


def predict(loaded: LoadedCheckpoint, features: pd.DataFrame) -> Predictions:
    """Predict with the loaded model; raises `PredictionError` when it cannot."""
    model = loaded.model
    try:
        if loaded.library == "xgboost":
            return _xgboost(model, features)
        if loaded.library == "lightgbm":
            return _lightgbm(model, features)
        if hasattr(model, "predict"):
            return _estimator(model, features)
    except PredictionError:
        raise
    except Exception as error:  # the library's own error on unexpected input
        raise PredictionError(
            f"the model could not predict on the data ({first_line(error)[:200]})"
        ) from error
    raise PredictionError("the loaded file holds no model that can predict")


def _estimator(model: Any, features: pd.DataFrame) -> Predictions:
    y_pred = np.asarray(model.predict(features))
    if hasattr(model, "classes_"):
        proba = (
            np.asarray(model.predict_proba(features)) if hasattr(model, "predict_proba") else None
        )
        return Predictions("classification", y_pred, proba, list(model.classes_))
    return Predictions("regression", y_pred)


def _xgboost(booster: Any, features: pd.DataFrame) -> Predictions:
    import xgboost

    objective = json.loads(booster.save_config())["learner"]["objective"]["name"]
    raw = np.asarray(booster.predict(xgboost.DMatrix(features)))
    return _from_scores(objective, raw)


def _lightgbm(booster: Any, features: pd.DataFrame) -> Predictions:
    objective = str(
        booster.params.get("objective") or booster.dump_model(num_iteration=0)["objective"]
    )
    raw = np.asarray(booster.predict(features))
    return _from_scores(objective.split(" ")[0], raw)


def _from_scores(objective: str, raw: Array) -> Predictions:
    """Booster outputs by objective: probabilities of class 1, a matrix, or values."""
    if objective in ("binary:logistic", "binary", "cross_entropy", "xentropy"):
        proba = np.column_stack([1 - raw, raw])
        return Predictions("classification", (raw >= 0.5).astype(int), proba, [0, 1])
    if objective in ("multi:softprob", "multiclass", "softmax", "multiclassova"):
        return Predictions("classification", raw.argmax(axis=1), raw, list(range(raw.shape[1])))
    if objective == "multi:softmax":
        return Predictions("classification", raw.astype(int))
    if objective.startswith(
        (
            "reg:",
            "regression",
            "huber",
            "fair",
            "poisson",
            "quantile",
            "mape",
            "gamma",
            "tweedie",
            "l1",
            "l2",
        )
    ):
        return Predictions("regression", raw)
    raise PredictionError(f"objective {objective!r} is not one modeldoc evaluates yet")
