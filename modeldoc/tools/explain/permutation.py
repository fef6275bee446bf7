"""The model-agnostic path: shap's Permutation explainer over the input columns, on a seeded
row sample in fixed chunks, within a time budget, whatever the model (pipelines, ONNX)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from modeldoc.tools.checkpoints.load import LoadedCheckpoint
from modeldoc.tools.evaluate.predict import Predictions, predict
from modeldoc.tools.explain.outputs import OutputScale
from modeldoc.tools.explain.raw import Array, ExplainBudget, RawShap, RowsDone
from modeldoc.tools.explain.shap_import import import_shap

# The model-agnostic path explains rows in fixed-size chunks (so results do not depend on
# timing) and stops before a chunk would overrun the time budget.
CHUNK_ROWS = 8
# Feature orderings sampled per explained row by the permutation explainer.
PERMUTATIONS = 10


def permutation_shap(
    loaded: LoadedCheckpoint,
    explained: pd.DataFrame,
    background: pd.DataFrame,
    predictions: Predictions,
    task: str,
    budget: ExplainBudget,
    on_rows: RowsDone | None = None,
) -> RawShap:
    shap = import_shap()

    codes = _Codes(explained, background)
    function, scale = model_function(loaded, codes.decode, predictions, task)
    columns = [str(c) for c in explained.columns]
    # Each permutation costs 2F+1 masked evaluations; antithetic pairs make additive models
    # exact, and ten permutations keep interaction estimates stable at a bounded cost.
    max_evals = PERMUTATIONS * (2 * len(columns) + 1)
    values, bases = [], []
    started = time.perf_counter()
    slowest_row = 0.0
    stopped = False
    matrix = codes.explained
    # shap draws its permutations from numpy's global generator (and reseeds it from the
    # system when the explainer is built): the caller's state is put back afterwards.
    state = np.random.get_state()
    try:
        masker = shap.maskers.Independent(codes.background, max_samples=len(background))
        explainer = shap.PermutationExplainer(function, masker, feature_names=columns)
        # The first call in a process compiles shap's output kernels (seconds; numba cannot
        # cache them on disk). One row with one permutation pays for that, so the per-row
        # estimate below measures the model, not the compiler; its time counts all the same.
        explainer(matrix[:1], max_evals=2 * len(columns) + 1, silent=True)
        for chunk, start in enumerate(range(0, len(matrix), CHUNK_ROWS)):
            part = matrix[start : start + CHUNK_ROWS]
            elapsed = time.perf_counter() - started
            if start and elapsed + slowest_row * len(part) > budget.seconds:
                stopped = True
                break
            # Seeded per chunk: the values of a row never depend on where the budget stopped.
            np.random.seed(budget.seed + chunk)
            chunk_started = time.perf_counter()
            result = explainer(part, max_evals=max_evals, silent=True)
            slowest_row = max(slowest_row, (time.perf_counter() - chunk_started) / len(part))
            values.append(np.asarray(result.values))
            bases.append(np.asarray(result.base_values))
            if on_rows is not None:
                on_rows(start + len(part), len(matrix))
    finally:
        np.random.set_state(state)
    done = sum(len(v) for v in values)
    output = function(matrix[:done])
    return RawShap(np.concatenate(values), np.concatenate(bases), np.asarray(output, dtype=float),
                scale, "the explained function on the same rows",
                background_rows=len(background), permutations=PERMUTATIONS,
                stopped_by_time=stopped)  # fmt: skip


class _Codes:
    """The explained and background rows as float matrices, the only input shap's masker
    takes (it compares cells arithmetically): a column of text, categories, dates or booleans
    becomes codes into its distinct values, and `decode` turns a masked matrix back into the
    table the model was fitted on."""

    def __init__(self, explained: pd.DataFrame, background: pd.DataFrame) -> None:
        both = pd.concat([explained, background], ignore_index=True)
        matrix = np.empty(both.shape, dtype=float)
        self._columns = list(explained.columns)
        self._values: dict[int, pd.Index] = {}
        for j in range(both.shape[1]):
            column = both.iloc[:, j]
            if column.dtype.kind in "iuf":
                matrix[:, j] = column.to_numpy(dtype=float, na_value=np.nan)
            else:
                # Missing values get a code of their own: they come back as missing.
                codes, self._values[j] = pd.factorize(column, use_na_sentinel=False)
                matrix[:, j] = codes
        self.explained, self.background = matrix[: len(explained)], matrix[len(explained) :]

    def decode(self, matrix: Array) -> pd.DataFrame:
        """The table behind a (masked) matrix; named columns, as pipelines were fitted on."""
        table = pd.DataFrame(matrix, columns=self._columns)
        for j, values in self._values.items():
            table.isetitem(j, values.take(matrix[:, j].astype(np.intp)))
        return table


def model_function(
    loaded: LoadedCheckpoint,
    frame: Callable[[Array], pd.DataFrame],
    predictions: Predictions,
    task: str,
) -> tuple[Callable[[Array], Array], OutputScale]:
    """What the agnostic explainer calls: arrays in (made a table by `frame`), the explained
    output out."""
    model: Any = loaded.model

    binary = predictions.labels is not None and len(predictions.labels) == 2
    if task == "classification" and predictions.proba is not None:
        if loaded.library in ("skops", "joblib") and hasattr(model, "predict_proba"):

            def probability(matrix: Array) -> Array:
                proba = np.asarray(model.predict_proba(frame(matrix)), dtype=float)
                return proba[:, 1] if binary else proba
        else:

            def probability(matrix: Array) -> Array:
                proba = np.asarray(predict(loaded, frame(matrix)).proba, dtype=float)
                return proba[:, 1] if binary else proba

        return probability, "probability"
    if task == "classification":
        raise ValueError("the model gives no class probabilities to explain")
    if loaded.library in ("skops", "joblib"):

        def value(matrix: Array) -> Array:
            return np.asarray(model.predict(frame(matrix)), dtype=float)
    else:

        def value(matrix: Array) -> Array:
            return np.asarray(predict(loaded, frame(matrix)).y_pred, dtype=float)

    return value, "value"
