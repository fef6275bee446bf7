"""The model facts of a build: the checkpoint, the evaluation data and the metrics on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from modeldoc.errors import InputError, first_line
from modeldoc.facts import Checkpoint, DataProfile, Evaluation
from modeldoc.settings import BuildSettings
from modeldoc.tools.checkpoints.introspect import describe_checkpoint
from modeldoc.tools.checkpoints.load import LoadedCheckpoint
from modeldoc.tools.data.profile import profile_table
from modeldoc.tools.data.tables import DataError, read_table
from modeldoc.tools.evaluate.metrics import classification, regression
from modeldoc.tools.evaluate.predict import PredictionError, Predictions, predict
from modeldoc.tools.evaluate.rows import ScoredRows, scored_rows
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
    check = profile.column_check
    if check is not None and check.missing:
        reason = f"the data lacks features the model expects: {', '.join(check.missing)}"
        result.evaluation = Evaluation(task=_given(settings), rows=len(frame), not_computed=reason)
        return result
    scored = scored_rows(frame, settings.target, seed=settings.seed)
    evaluation, result.evaluated = _evaluate(scored, settings.target, loaded, expected, settings)
    result.evaluation = _counted(evaluation, scored)
    return result


def _evaluate(
    scored: ScoredRows,
    target: str,
    loaded: LoadedCheckpoint,
    expected: list[str] | None,
    settings: BuildSettings,
) -> tuple[Evaluation, Evaluated | None]:
    """The model's metrics and slices on the scored rows, and what they ran on (None when
    the model could not be scored: the evaluation then says why)."""
    if scored.not_computed is not None:
        return Evaluation(task=_given(settings), rows=0, not_computed=scored.not_computed), None
    frame = scored.frame
    features = frame[expected] if expected else frame.drop(columns=[target])
    y_true = frame[target].to_numpy()
    try:
        predictions = predict(loaded, features)
    except PredictionError as error:
        infinite = _infinite_columns(features)
        why = str(error)
        if infinite:  # the likely cause, named before the library's own words
            why = f"the features hold infinite values (in {', '.join(infinite[:10])}); {why}"
        return Evaluation(task=_given(settings), rows=0, not_computed=why), None
    if settings.task not in ("auto", predictions.task):
        raise InputError(
            f"task {settings.task} was given, but the model is a {_NOUN[predictions.task]}: "
            "drop the task setting or give the model it describes"
        )
    task = predictions.task
    unknown = _unknown_labels(y_true, predictions) if task == "classification" else None
    if unknown is not None:
        return Evaluation(task=task, rows=0, not_computed=unknown), None
    try:
        evaluation = _metrics(y_true, predictions, settings.seed)
    except ValueError as error:
        # scikit-learn's own check of labels it cannot compare (strings and numbers mixed):
        # recorded, as a prediction error is, rather than ending the build.
        reason = f"the metrics could not be computed ({first_line(error)[:200]})"
        return Evaluation(task=task, rows=0, not_computed=reason), None
    labels = predictions.labels or []
    positive = labels[1] if task == "classification" and len(labels) == 2 else None
    evaluation.slices = [
        slice_report(y_true, predictions.y_pred, frame[column], task, positive_label=positive)
        for column in settings.sensitive
    ]
    return evaluation, Evaluated(loaded, features, y_true, predictions, task)


def _counted(evaluation: Evaluation, scored: ScoredRows) -> Evaluation:
    """`evaluation` with the rows scored, and the data's rows and the notes when they differ."""
    evaluation.rows = len(scored.frame)
    evaluation.data_rows = scored.data_rows if evaluation.rows != scored.data_rows else None
    evaluation.row_notes = list(scored.notes)
    return evaluation


def _metrics(y_true: np.ndarray, predictions: Predictions, seed: int) -> Evaluation:
    if predictions.task == "classification":
        return classification(y_true, predictions.y_pred, predictions.proba,
                              labels=predictions.labels, seed=seed)  # fmt: skip
    return regression(y_true.astype(float), np.asarray(predictions.y_pred, dtype=float), seed=seed)


def _infinite_columns(features: pd.DataFrame) -> list[str]:
    """The numeric columns holding an infinity."""
    numeric = features.select_dtypes(include="number")
    return [str(column) for column, bad in np.isinf(numeric).any().items() if bad]


def _unknown_labels(y_true: np.ndarray, predictions: Predictions) -> str | None:
    """Why a classifier cannot be scored on `y_true`: none of its values is a label the
    model predicts (another coding, e.g. "yes"/"no" for 0/1), or None."""
    labels = predictions.labels
    if labels is None:
        return None
    values = pd.unique(y_true)
    if any(value in set(labels) for value in values[:1000].tolist()) or not len(values):
        return None
    shown = ", ".join(repr(value) for value in values[:5].tolist())
    known = ", ".join(repr(label) for label in labels[:5])
    return f"the target's values ({shown}) are none of the model's labels ({known})"


def _given(settings: BuildSettings) -> Literal["classification", "regression"] | None:
    """The task the user named, when the model cannot tell (it did not predict)."""
    return None if settings.task == "auto" else settings.task


def _shown(repo: Path, path: Path) -> str:
    """A path as facts show it: relative to the repository when inside it."""
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return path.name
