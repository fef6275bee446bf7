"""SHAP explanations of a loaded model on the evaluation rows: the explainer chosen from the
model, bounded by a row and a time budget, checked for additivity, summarised as global
importance and three local explanations."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from modeldoc.errors import first_line
from modeldoc.facts import (
    Additivity,
    Contribution,
    Explanations,
    FeatureImportance,
    LocalExplanation,
)
from modeldoc.tools.checkpoints.load import LoadedCheckpoint
from modeldoc.tools.evaluate.predict import Predictions
from modeldoc.tools.explain.choose import ExplainerChoice, choose_explainer
from modeldoc.tools.explain.cost import plan_tree_explanation
from modeldoc.tools.explain.outputs import OutputScale, booster_of, raw_output
from modeldoc.tools.explain.permutation import permutation_shap
from modeldoc.tools.explain.raw import ExplainBudget, RawShap, RowsDone
from modeldoc.tools.explain.representative import (
    ChosenRow,
    classification_rows,
    regression_rows,
)
from modeldoc.tools.explain.shap_import import import_shap
from modeldoc.tools.files import finite_or_none

Array = NDArray[Any]
# Tree and Linear SHAP are exact and fast; this only keeps memory bounded on huge data.
EXACT_ROW_BUDGET = 20_000
# Relative tolerance of the additivity check: XGBoost sums in float32.
ADDITIVITY_RTOL = 1e-3


@dataclass
class ShapResult:
    """The facts, and the SHAP values behind them (rows x features) for the plots."""

    facts: Explanations
    values: Array | None = None
    base_values: Array | None = None
    data: pd.DataFrame | None = None
    rows: Array = field(default_factory=lambda: np.zeros(0, dtype=int))
    # A multiclass model's |SHAP| averaged over the classes (rows x features), what global
    # importance averages; None when that is |values|.
    magnitudes: Array | None = None


def explain_model(
    loaded: LoadedCheckpoint,
    features: pd.DataFrame,
    y_true: Array,
    predictions: Predictions,
    task: str,
    budget: ExplainBudget | None = None,
    *,
    on_rows: RowsDone | None = None,
) -> ShapResult:
    """Explain `loaded`'s predictions on `features` (the evaluation rows, in model order),
    telling `on_rows` how many rows are done as it goes.

    Never raises for the model's sake: what shap cannot explain is recorded with the reason.
    """
    import_shap()
    budget = budget or ExplainBudget()
    started = time.perf_counter()
    choice = (
        choose_explainer(loaded.model)
        if loaded.library != "onnx"
        else ExplainerChoice("permutation", "an ONNX graph has no model-specific explainer")
    )
    choice, rows, refusal = _within_budget(choice, loaded, features, budget)
    if refusal is not None:
        return ShapResult(Explanations(not_computed=refusal,
                                       **_budget_facts(choice, features, budget)))  # fmt: skip
    report = on_rows or _ignore_rows
    try:
        return _attempt(choice, loaded, features, y_true, predictions, task, budget, started,
                        report, rows)  # fmt: skip
    except Exception as error:  # shap's or the model's own error: recorded, never invented
        failure = first_line(error)[:200]
    if choice.kind != "permutation":
        # A tree or linear model shap cannot read is still explainable by permutation.
        fallback = ExplainerChoice("permutation", f"{choice.kind} SHAP failed ({failure})")
        try:
            return _attempt(fallback, loaded, features, y_true, predictions, task, budget,
                            started, report)  # fmt: skip
        except Exception as error:  # recorded below with the first failure
            failure += f"; permutation SHAP failed too ({first_line(error)[:200]})"
    reason = f"SHAP could not explain the model: {failure}"
    return ShapResult(Explanations(not_computed=reason, **_budget_facts(choice, features, budget)))


def _within_budget(
    choice: ExplainerChoice, loaded: LoadedCheckpoint, features: pd.DataFrame,
    budget: ExplainBudget,
) -> tuple[ExplainerChoice, int | None, str | None]:  # fmt: skip
    """The explainer that fits the time budget, the rows it may take when the budget limits
    them, and why no explainer does (None when one does).

    shap cannot be interrupted: a tree model's cost is estimated before Tree SHAP starts."""
    if choice.kind != "tree":
        return choice, None, None
    plan = plan_tree_explanation(
        booster_of(loaded.model), loaded.library, loaded.trees, features.shape[1], budget,
        min(EXACT_ROW_BUDGET, len(features)),
    )  # fmt: skip
    if plan.kind == "none":
        return choice, None, f"SHAP not computed: {plan.reason}"
    if plan.kind == "permutation":
        return ExplainerChoice("permutation", str(plan.reason)), None, None
    if plan.reason is None:
        return choice, None, None
    return ExplainerChoice("tree", f"{choice.reason}; {plan.reason}"), plan.rows, None


def _budget_facts(
    choice: ExplainerChoice, features: pd.DataFrame, budget: ExplainBudget,
    estimated_rows: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The budget facts; `estimated_rows` is the row budget the time budget allows an exact
    explainer, when that is below its usual one."""
    exact = choice.kind != "permutation"
    seconds: float | None
    if exact and estimated_rows is not None:
        row_budget, seconds = estimated_rows, budget.seconds
    else:
        row_budget = EXACT_ROW_BUDGET if exact else budget.rows
        seconds = None if exact else budget.seconds
    return {
        "features": [str(c) for c in features.columns],
        "rows_available": len(features),
        "row_budget": row_budget,
        "time_budget_seconds": seconds,
        "sample_seed": budget.seed,
    }


def _attempt(
    choice: ExplainerChoice,
    loaded: LoadedCheckpoint,
    features: pd.DataFrame,
    y_true: Array,
    predictions: Predictions,
    task: str,
    budget: ExplainBudget,
    started: float,
    on_rows: RowsDone,
    estimated_rows: int | None = None,
) -> ShapResult:
    common = _budget_facts(choice, features, budget, estimated_rows)
    rows = _sample(len(features), common["row_budget"], budget.seed)
    explained = features.iloc[rows]
    on_rows(0, len(rows))
    raw = _compute(choice, loaded, explained, features, predictions, task, budget, on_rows)
    return _summarise(raw, choice, rows, explained, y_true, predictions, common, started)


def _ignore_rows(done: int, total: int) -> None:
    """Rows explained, when nobody follows the progress."""


def _sample(n: int, budget: int, seed: int) -> Array:
    """Row positions to explain: all of them within budget, else a seeded sample in order."""
    if n <= budget:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=budget, replace=False))


def _compute(
    choice: ExplainerChoice,
    loaded: LoadedCheckpoint,
    explained: pd.DataFrame,
    features: pd.DataFrame,
    predictions: Predictions,
    task: str,
    budget: ExplainBudget,
    on_rows: RowsDone,
) -> RawShap:
    """SHAP values of the `explained` rows; `on_rows` hears of them as they are done."""
    shap = import_shap()

    model = loaded.model
    if choice.kind == "tree":
        native = booster_of(model)
        result = shap.TreeExplainer(native)(explained, check_additivity=False)
        on_rows(len(explained), len(explained))
        expected = raw_output(native, explained)
        return RawShap(np.asarray(result.values), np.asarray(result.base_values),
                    expected.values, expected.scale, expected.compared_with)  # fmt: skip
    background = _background(features, budget)
    if choice.kind == "linear":
        masker = shap.maskers.Independent(background, max_samples=len(background))
        result = shap.LinearExplainer(model, masker)(explained)
        on_rows(len(explained), len(explained))
        expected = raw_output(model, explained)
        return RawShap(np.asarray(result.values), np.asarray(result.base_values),
                    expected.values, expected.scale, expected.compared_with,
                    background_rows=len(background))  # fmt: skip
    return permutation_shap(loaded, explained, background, predictions, task, budget, on_rows)


def _background(features: pd.DataFrame, budget: ExplainBudget) -> pd.DataFrame:
    positions = _sample(len(features), budget.background, budget.seed + 1)
    return features.iloc[positions]


def _summarise(
    raw: RawShap,
    choice: ExplainerChoice,
    rows: Array,
    explained: pd.DataFrame,
    y_true: Array,
    predictions: Predictions,
    common: dict[str, Any],
    started: float,
) -> ShapResult:
    """Facts from raw SHAP values: additivity, importance, the output and local rows."""
    done = len(raw.values)
    rows, explained = rows[:done], explained.iloc[:done]
    labels = [str(label) for label in predictions.labels or []]
    additivity = _additivity(raw)
    values, bases, output = raw.values, raw.base_values, raw.output
    explained_class: str | None = None
    magnitudes: Array | None = None
    if values.ndim == 3 and values.shape[2] == 2:
        # A binary classifier explained per class: its class-1 side is the whole story.
        values, bases, output = values[:, :, 1], bases[:, 1], output[:, 1]
    multiclass = values.ndim == 3
    if not multiclass and len(labels) == 2:
        explained_class = labels[1]
    if multiclass:
        magnitudes = np.abs(values).mean(axis=2)
        importance_values = magnitudes.mean(axis=0)
        picked = _predicted_class_index(predictions, rows, labels, values.shape[2])
        per_row = np.arange(done)
        values = values[per_row, :, picked]
        bases, output = bases[per_row, picked], output[per_row, picked]
    else:
        importance_values = np.abs(values).mean(axis=0)
    columns = [str(c) for c in explained.columns]
    order = np.argsort(-importance_values, kind="stable")
    importance = [
        FeatureImportance(
            feature=columns[i], mean_abs_shap=float(importance_values[i]), rank=r,
            value_shap_correlation=_direction(explained.iloc[:, i], values[:, i]),
        )
        for r, i in enumerate(order, start=1)
    ]  # fmt: skip
    rule, chosen = _representative(predictions, y_true, rows)
    local = [
        _local(choice_row, rows, explained, values, bases, output, y_true, predictions,
               labels, multiclass, explained_class)
        for choice_row in chosen
    ]  # fmt: skip
    facts = Explanations(
        explainer=choice.kind,
        why_explainer=choice.reason,
        output=_describe_output(raw.scale, explained_class, multiclass),
        explained_class=explained_class,
        rows_explained=done,
        stopped_by_time_budget=raw.stopped_by_time,
        background_rows=raw.background_rows,
        permutations=raw.permutations,
        seconds=round(time.perf_counter() - started, 3),
        base_value=None if multiclass else finite_or_none(float(bases[0])) if done else None,
        additivity=additivity,
        importance=importance,
        local_rule=rule,
        local=local,
        **common,
    )
    return ShapResult(facts, values, bases, explained, rows, magnitudes)


def _direction(column: pd.Series, shap_values: Array) -> float | None:
    """How a feature's value moves its SHAP value: Spearman's rho, None when undefined."""
    from scipy.stats import spearmanr

    numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    known = np.isfinite(numbers)
    if known.sum() < 3 or np.ptp(numbers[known]) == 0 or np.ptp(shap_values[known]) == 0:
        return None
    rho = spearmanr(numbers[known], shap_values[known]).statistic
    return finite_or_none(round(float(rho), 6))


def _additivity(raw: RawShap) -> Additivity:
    total = raw.base_values + raw.values.sum(axis=1)
    output = raw.output.reshape(total.shape)
    error = float(np.max(np.abs(total - output))) if total.size else 0.0
    tolerance = ADDITIVITY_RTOL * max(1.0, float(np.max(np.abs(output))) if output.size else 1.0)
    return Additivity(max_error=error, tolerance=tolerance, passed=error <= tolerance,
                      compared_with=raw.compared_with)  # fmt: skip


def _predicted_class_index(
    predictions: Predictions, rows: Array, labels: list[str], classes: int
) -> Array:
    """Each row's predicted class as a position among the explained outputs. A model that
    names no labels (XGBoost multi:softmax) predicts that position itself."""
    index = {label: i for i, label in enumerate(labels or [str(i) for i in range(classes)])}
    unknown = {str(value) for value in predictions.y_pred[rows]} - set(index)
    if unknown:
        raise ValueError(f"predicted classes {sorted(unknown)} are not among the model's outputs")
    return np.array([index[str(value)] for value in predictions.y_pred[rows]])


def _representative(
    predictions: Predictions, y_true: Array, rows: Array
) -> tuple[str, list[ChosenRow]]:
    y_pred = predictions.y_pred[rows]
    if predictions.task == "regression":
        return regression_rows(y_true[rows], y_pred)
    proba = predictions.proba[rows] if predictions.proba is not None else None
    # Compared as values, as the metrics compare them: a target read as 1.0 matches a
    # predicted 1 (their texts differ).
    actual, predicted = np.asarray(y_true[rows], dtype=object), np.asarray(y_pred, dtype=object)
    return classification_rows(actual, predicted, proba)


def _local(
    chosen: ChosenRow,
    rows: Array,
    explained: pd.DataFrame,
    values: Array,
    bases: Array,
    output: Array,
    y_true: Array,
    predictions: Predictions,
    labels: list[str],
    multiclass: bool,
    explained_class: str | None,
) -> LocalExplanation:
    at = chosen.position
    row_values = values[at]
    order = np.argsort(-np.abs(row_values), kind="stable")
    data = explained.iloc[at]
    contributions = [
        Contribution(feature=str(explained.columns[i]), value=_json(data.iloc[i]),
                     shap=float(row_values[i]))
        for i in order
    ]  # fmt: skip
    predicted = _json(predictions.y_pred[rows[at]])
    return LocalExplanation(
        row=int(explained.index[at]),  # the row's place in the data file (see evaluate/rows.py)
        reason=chosen.reason,
        actual=_json(y_true[rows[at]]),
        predicted=predicted,
        explained_class=str(predicted) if multiclass else explained_class,
        output=float(output[at]),
        base_value=float(bases[at]),
        contributions=contributions,
    )


def _describe_output(scale: OutputScale, explained_class: str | None, multiclass: bool) -> str:
    if multiclass:
        return (
            f"{scale} of each class; global importance averages |SHAP| over the classes, "
            "local explanations and plots show each row's predicted class"
        )
    if explained_class is not None:
        return f"{scale} of class '{explained_class}'"
    return "predicted value" if scale == "value" else "raw score (before the link function)"


def _json(value: Any) -> Any:
    """A cell as JSON: numbers as numbers (NaN as null), anything else as text."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return finite_or_none(float(value))
    return None if value is None else str(value)
