"""SHAP plots, each one a fact: global bar and beeswarm, dependence scatter for the top
three features, and a waterfall for each local explanation.

shap draws on pyplot's current figure, so these plots are drawn one at a time in one thread
(the performance plots use their own figures and may run beside them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from modeldoc.facts import Explanations, FeatureImportance, LocalExplanation, Plot
from modeldoc.present.card import data_text
from modeldoc.present.limits import CONTRIBUTIONS_NAMED, FEATURES_IN_ALT
from modeldoc.present.numbers import number, signed
from modeldoc.present.phrases import direction
from modeldoc.tools.explain.run import ShapResult
from modeldoc.tools.explain.shap_import import import_shap
from modeldoc.tools.plots.figures import new_figure, plain_text, save_figure
from modeldoc.tools.secrets import redact_text

MAX_DISPLAY = 10
DEPENDENCE_FEATURES = 3
# shap places beeswarm dots and orders scatter dots with numpy's global generator.
DRAWING_SEED = 0


def explanation_plots(result: ShapResult, out_dir: Path) -> list[Plot]:
    """Draw the SHAP plots of `result` into `out_dir/plots/`; none when nothing was explained."""
    facts = result.facts
    if result.values is None or result.data is None or not len(result.values):
        return []
    import matplotlib

    matplotlib.use("Agg")  # shap's waterfall draws through pyplot: never open a window
    explanation = _explanation(result.values, result.base_values, result.data)
    # The bar shows what global importance averages: for a multiclass model |SHAP| over all
    # classes, not only the predicted class the other plots show.
    magnitudes = (
        explanation
        if result.magnitudes is None
        else _explanation(result.magnitudes, None, result.data)
    )
    # The beeswarm lists features in the order of the facts (and of its alt text).
    order = np.array([facts.features.index(f.feature) for f in facts.importance])
    plots = [_bar(magnitudes, facts, out_dir), _beeswarm(explanation, order, facts, out_dir)]
    for feature in facts.importance[:DEPENDENCE_FEATURES]:
        plots.append(_dependence(explanation, facts, feature, out_dir))
    # A local explanation names its row's place in the data file: the explained frame's index.
    rows = result.rows if result.data is None else result.data.index
    positions = {int(row): i for i, row in enumerate(rows)}
    for local in facts.local:
        plots.append(_waterfall(explanation[positions[local.row]], local, facts, out_dir))
    return plots


def _explanation(values: Any, base_values: Any, data: pd.DataFrame) -> Any:
    """shap's own container, its cells as shap should draw them (see `_cells`)."""
    shap = import_shap()
    cells = np.empty(data.shape, dtype=object)
    for j in range(data.shape[1]):
        cells[:, j] = _cells(data.iloc[:, j])
    return shap.Explanation(
        values=values,
        base_values=base_values,
        data=cells,
        feature_names=[plain_text(str(name)) for name in data.columns],
    )


def _cells(column: pd.Series) -> Any:
    """A column of numbers as floats (a missing one NaN, drawn grey). Any other column keeps
    its text, a missing cell shown as `missing`: grey dots in the beeswarm, categories on the
    dependence plot's axis. So is a column with no number at all, whose colour scale and axis
    shap cannot size (it warns on the empty range)."""
    numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    missing = column.isna().to_numpy()
    if np.isfinite(numbers).any() and not (np.isnan(numbers) & ~missing).any():
        return numbers
    text = [plain_text(str(value)) for value in column.to_numpy(dtype=object)]
    return np.where(missing, "missing", np.array(text, dtype=object))


def _scope(facts: Explanations) -> str:
    return f"{number(facts.rows_explained)} explained rows (SHAP values of the {facts.output})"


def _top(facts: Explanations) -> str:
    top = facts.importance[:FEATURES_IN_ALT]
    return ", ".join(f"{f.feature} ({number(f.mean_abs_shap)})" for f in top)


def _bar(explanation: Any, facts: Explanations, out_dir: Path) -> Plot:
    shap = import_shap()
    figure, axes = new_figure(7.0, 0.45 * min(MAX_DISPLAY, len(facts.importance)) + 1.5)
    shap.plots.bar(explanation, max_display=MAX_DISPLAY, ax=axes, show=False)
    file = save_figure(figure, out_dir, "shap_bar")
    return Plot(
        file=file,
        kind="shap_bar",
        title="Global feature importance",
        shows=f"Mean |SHAP value| of each feature over {_scope(facts)}.",
        alt=f"Bar chart of mean |SHAP value| per feature over {_scope(facts)}; "
        f"the largest are {_top(facts)}.",
    )


def _beeswarm(explanation: Any, order: Any, facts: Explanations, out_dir: Path) -> Plot:
    shap = import_shap()
    figure, axes = new_figure(7.5, 0.45 * min(MAX_DISPLAY, len(facts.importance)) + 1.5)
    with _seeded():
        shap.plots.beeswarm(explanation, max_display=MAX_DISPLAY, order=order, ax=axes,
                            show=False, plot_size=None)  # fmt: skip
    file = save_figure(figure, out_dir, "shap_beeswarm")
    return Plot(
        file=file,
        kind="shap_beeswarm",
        title="SHAP values of every explained row",
        shows=f"Each dot is one row's SHAP value for a feature, coloured by the feature's "
        f"value, over {_scope(facts)}.",
        alt=f"Beeswarm of SHAP values per feature over {_scope(facts)}, features ordered by "
        f"mean |SHAP value|: {_top(facts)}.",
    )


def _dependence(
    explanation: Any, facts: Explanations, found: FeatureImportance, out_dir: Path
) -> Plot:
    shap = import_shap()
    feature = found.feature
    index = facts.features.index(feature)
    figure, axes = new_figure(6.4, 4.4)
    with _seeded():
        shap.plots.scatter(explanation[:, index], ax=axes, show=False, hist=False)
    name = f"shap_dependence_{feature}"
    if redact_text(feature) != feature:
        # The file is named after the redacted name: its rank keeps two such features apart.
        name = f"shap_dependence_{found.rank}_{feature}"
    file = save_figure(figure, out_dir, name)
    return Plot(
        file=file,
        kind="shap_dependence",
        title=f"How {feature} moves the output",
        shows=f"The SHAP value of {feature} against its value, for each of {_scope(facts)}.",
        alt=f"Scatter of the SHAP value of {feature} against its value over {_scope(facts)}; "
        + _trend(found.value_shap_correlation),
        feature=feature,
    )


def _trend(rho: float | None) -> str:
    if rho is None:
        return f"{direction(rho)}."
    return f"Spearman correlation {signed(rho)}: {direction(rho)}."


def _waterfall(row: Any, local: LocalExplanation, facts: Explanations, out_dir: Path) -> Plot:
    shap = import_shap()
    import matplotlib.pyplot as plt

    # shap draws the waterfall on pyplot's current figure: a new one, so a figure the caller
    # left open is neither drawn over nor closed with ours.
    figure = plt.figure()
    shap.plots.waterfall(row, max_display=MAX_DISPLAY, show=False)
    file = save_figure(figure, out_dir, f"shap_waterfall_row_{local.row}")
    largest = ", ".join(
        f"{c.feature} = {data_text(c.value)} ({signed(c.shap)})"
        for c in local.contributions[:CONTRIBUTIONS_NAMED]
    )
    return Plot(
        file=file,
        kind="shap_waterfall",
        title=f"Row {local.row}: {local.reason}",
        shows=f"How each feature moves row {local.row}'s output from the base value "
        f"{number(local.base_value)} to {number(local.output)} ({facts.output}).",
        alt=f"Waterfall for row {local.row} ({local.reason}; actual {data_text(local.actual)}, "
        f"predicted {data_text(local.predicted)}): from base value {number(local.base_value)} to "
        f"output {number(local.output)}; the largest contributions are {largest}.",
        row=local.row,
    )


@contextmanager
def _seeded() -> Iterator[None]:
    """Random draws seeded, so the same explanations give the same pictures; the caller's
    generator state is put back."""
    state = np.random.get_state()
    np.random.seed(DRAWING_SEED)
    try:
        yield
    finally:
        np.random.set_state(state)
