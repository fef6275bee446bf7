"""The model facts of a build: the checkpoint, the evaluation data and the metrics on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from modeldoc.errors import InputError
from modeldoc.facts import Checkpoint, DataProfile, Evaluation
from modeldoc.settings import BuildSettings
from modeldoc.tools.checkpoints.introspect import describe_checkpoint
from modeldoc.tools.checkpoints.load import LoadedCheckpoint
from modeldoc.tools.data.profile import profile_table
from modeldoc.tools.data.tables import DataError, read_table
from modeldoc.tools.evaluate.metrics import classification, regression
from modeldoc.tools.evaluate.predict import PredictionError, Predictions, predict
from modeldoc.tools.evaluate.slices import slice_report

_NOUN = {"classification": "classifier", "regression": "regressor"}


@dataclass(frozen=True)
class Evaluated:
    """What the evaluation ran on, kept in memory for the explanation and plot steps."""

    loaded: LoadedCheckpoint
    features: pd.DataFrame
    y_true: np.ndarray
    predictions: Predictions
    task: str


@dataclass
class ModelFacts:
    """What the model stage adds to the fact sheet, and what it evaluated (not serialised)."""

    checkpoints: list[Checkpoint] = field(default_factory=list)
    data: list[DataProfile] = field(default_factory=list)
    evaluation: Evaluation | None = None
    evaluated: Evaluated | None = None


def model_facts(repo: Path, settings: BuildSettings) -> ModelFacts:
    """Load, profile and evaluate what `settings` names. Raises `CheckpointRefused` and
    `DataError` for input the build must stop on (exit 2); the rest becomes facts."""
    for given in (settings.model, settings.data):
        if given is not None and not given.is_file():
            raise InputError(f"{given}: no such file")
    result = ModelFacts()
    loaded = None
    checkpoint = None
    if settings.model is not None:
        checkpoint, loaded = describe_checkpoint(
            settings.model, _shown(repo, settings.model), trust_pickle=settings.trust_pickle
        )
        result.checkpoints.append(checkpoint)
    if settings.data is None:
        return result
    frame, table_format = read_table(settings.data)
    expected = checkpoint.feature_names if checkpoint is not None else None
    profile = profile_table(
        frame, settings.data, _shown(repo, settings.data), table_format,
        target=settings.target, expected_features=expected,
    )  # fmt: skip
    result.data.append(profile)
    for column in settings.sensitive:
        if column not in frame.columns:
            raise DataError(f"{profile.file}: no sensitive column {column!r}")
    if loaded is None or settings.target is None:
        return result
    rows = len(frame)
    check = profile.column_check
    if check is not None and check.missing:
        reason = f"the data lacks features the model expects: {', '.join(check.missing)}"
        result.evaluation = Evaluation(task=_given(settings), rows=rows, not_computed=reason)
        return result
    features = frame[expected] if expected else frame.drop(columns=[settings.target])
    y_true = frame[settings.target].to_numpy()
    try:
        predictions = predict(loaded, features)
    except PredictionError as error:
        result.evaluation = Evaluation(task=_given(settings), rows=rows, not_computed=str(error))
        return result
    if settings.task not in ("auto", predictions.task):
        raise InputError(
            f"task {settings.task} was given, but the model is a {_NOUN[predictions.task]}: "
            "drop the task setting or give the model it describes"
        )
    task = predictions.task
    if task == "classification":
        evaluation = classification(
            y_true, predictions.y_pred, predictions.proba, labels=predictions.labels,
            seed=settings.seed,
        )  # fmt: skip
    else:
        evaluation = regression(
            y_true.astype(float), np.asarray(predictions.y_pred, dtype=float), seed=settings.seed
        )
    labels = predictions.labels or []
    positive = labels[1] if task == "classification" and len(labels) == 2 else None
    evaluation.slices = [
        slice_report(y_true, predictions.y_pred, frame[column], task, positive_label=positive)
        for column in settings.sensitive
    ]
    result.evaluation = evaluation
    result.evaluated = Evaluated(loaded, features, y_true, predictions, task)
    return result


def _given(settings: BuildSettings) -> Literal["classification", "regression"] | None:
    """The task the user named, when the model cannot tell (it did not predict)."""
    return None if settings.task == "auto" else settings.task


def _shown(repo: Path, path: Path) -> str:
    """A path as facts show it: relative to the repository when inside it."""
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return path.name
