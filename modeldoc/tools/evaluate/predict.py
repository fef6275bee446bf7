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
from modeldoc.tools.checkpoints.onnx_model import OnnxModel, OnnxValue

Array = NDArray[Any]
# How far class probabilities may stray from [0, 1] and from summing to 1 (float32 rounding).
_PROBABILITY_TOLERANCE = 1e-3


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
        if isinstance(model, OnnxModel):
            return _onnx(model, features)
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


def _onnx(model: OnnxModel, features: pd.DataFrame) -> Predictions:
    """Run the session, then read its outputs the way skl2onnx lays them out."""
    results = model.session.run(None, _onnx_feeds(model, features))
    return _onnx_outputs(model, list(results), len(features))


def _onnx_feeds(model: OnnxModel, features: pd.DataFrame) -> dict[str, Array]:
    """One matrix of all features in order, or one input per column (found by its name)."""
    inputs = model.inputs
    if model.per_column:
        missing = [value.name for value in inputs if value.name not in features.columns]
        if missing:
            raise PredictionError(f"the data has no column for the inputs {', '.join(missing)}")
        return {value.name: _onnx_array(features[[value.name]], value) for value in inputs}
    if len(inputs) == 1 and inputs[0].dtype is not None and len(inputs[0].shape or ()) == 2:
        width = model.n_features
        if width is not None and width != features.shape[1]:
            raise PredictionError(
                f"the model's input {inputs[0].name!r} takes {width} columns, "
                f"the data has {features.shape[1]}"
            )
        return {inputs[0].name: _onnx_array(features, inputs[0])}
    raise PredictionError(
        f"the model's inputs ({_described(inputs)}) are neither one matrix of features "
        "nor one column each"
    )


def _onnx_array(frame: pd.DataFrame, value: OnnxValue) -> Array:
    """Columns as the input's element type, shaped (n, k), (n, 1) or (n,) as it declares."""
    dtype = value.dtype
    if dtype is None:
        raise PredictionError(f"the model's input {value.name!r} is of type {value.type}")
    if dtype.kind == "O":  # string tensors: onnxruntime takes Python str objects
        array = np.asarray(frame.astype(str), dtype=object)
    else:
        array = np.asarray(frame, dtype=dtype)
    return array.ravel() if len(value.shape or ()) == 1 else array


def _onnx_outputs(model: OnnxModel, results: list[Any], rows: int) -> Predictions:
    """skl2onnx's layouts: a label column then probabilities (a matrix, or one dict per row
    with ZipMap) for a classifier; one value per row for a regressor."""
    first = np.asarray(results[0]) if results and isinstance(results[0], np.ndarray) else None
    if first is not None and first.size == rows and first.shape[1:] in ((), (1,)):
        y_pred = first.reshape(rows)
        known = list(model.class_labels) if model.class_labels is not None else None
        if len(results) == 2 and y_pred.dtype.kind in "iuUSOb":
            proba, labels = _onnx_probabilities(results[1], known, rows)
            return Predictions("classification", y_pred, proba, labels)
        if len(results) == 1 and y_pred.dtype.kind == "f" and known is None:
            return Predictions("regression", y_pred)
        if len(results) == 1 and y_pred.dtype.kind in "iuUSOb":
            return Predictions("classification", y_pred, None, known)
    raise PredictionError(
        f"the model's outputs ({_described(model.outputs)}) are not a layout modeldoc "
        "evaluates: a label and class probabilities, or one value per row"
    )


def _onnx_probabilities(
    scores: Any, known: list[Any] | None, rows: int
) -> tuple[Array | None, list[Any] | None]:
    """Class probabilities with one column per label, and the labels in that order."""
    if isinstance(scores, list):  # ZipMap: one {label: probability} per row, labels as keys
        if len(scores) != rows or not all(isinstance(row, dict) for row in scores):
            raise PredictionError("the model's class probabilities are not one map per row")
        labels = list(scores[0]) if scores else known
        proba = np.array([[row[label] for label in labels or []] for row in scores], dtype=float)
    else:
        proba = np.asarray(scores, dtype=float)
        if proba.ndim != 2 or proba.shape[0] != rows:
            raise PredictionError(
                f"the model's class scores have shape {proba.shape}, not (rows, classes)"
            )
        if known is None or len(known) != proba.shape[1]:
            raise PredictionError(
                f"the model gives {proba.shape[1]} class scores but does not name the classes"
            )
        labels = known
    # Decision scores can sit here too (skl2onnx's `raw_scores` option): metrics built on
    # probabilities would be wrong on them, so they are left out and the labels still count.
    tolerance = _PROBABILITY_TOLERANCE
    if proba.size and not (
        np.isfinite(proba).all()
        and proba.min() >= -tolerance
        and proba.max() <= 1 + tolerance
        and np.allclose(proba.sum(axis=1), 1.0, atol=tolerance)
    ):
        return None, labels
    return proba, labels


def _described(values: tuple[OnnxValue, ...]) -> str:
    return ", ".join(
        f"{value.name}: {value.type}{list(value.shape) if value.shape is not None else ''}"
        for value in values
    )


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
