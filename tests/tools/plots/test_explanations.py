"""SHAP plots of real explanations: valid PNGs inside the output folder, one fact each, alt
texts quoting the explanation facts, the same pictures from the same explanations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightgbm
import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import skops.io
import xgboost
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from modeldoc.facts import Explanations, Plot
from modeldoc.present.numbers import number
from modeldoc.present.phrases import direction
from modeldoc.tools.checkpoints.load import load_checkpoint
from modeldoc.tools.evaluate.predict import predict
from modeldoc.tools.explain.raw import ExplainBudget
from modeldoc.tools.explain.run import ShapResult, explain_model
from modeldoc.tools.plots import explanations
from modeldoc.tools.plots.explanations import explanation_plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A name with a path separator and mathtext dollars: drawn as text, saved under a safe name.
ODD_NAME = "a/b $x$"


def _explain(path: Path, X: pd.DataFrame, y: Any, budget: ExplainBudget | None = None) -> Any:
    loaded = load_checkpoint(path)
    predictions = predict(loaded, X)
    return explain_model(loaded, X, np.asarray(y), predictions, predictions.task, budget)


def _valid_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    height, width, channels = matplotlib.image.imread(path).shape
    assert height > 100 and width > 100 and channels in (3, 4)


@pytest.fixture(scope="module")
def cancer_result(tmp_path_factory: pytest.TempPathFactory) -> ShapResult:
    """XGBoost on breast cancer, explained on held-out rows (some predicted wrong), its most
    important feature renamed to `ODD_NAME`."""
    data = load_breast_cancer(as_frame=True)
    X = data.data.rename(columns={"worst concave points": ODD_NAME})
    X_train, X_test, y_train, y_test = train_test_split(
        X, data.target, test_size=0.3, random_state=0
    )
    model = xgboost.XGBClassifier(n_estimators=50, max_depth=3, random_state=0)
    model.fit(X_train, y_train)
    path = tmp_path_factory.mktemp("xgb") / "m.json"
    model.get_booster().save_model(path)
    return _explain(path, X_test.reset_index(drop=True), y_test)


@pytest.fixture(scope="module")
def cancer_plots(
    cancer_result: ShapResult, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[Plot]]:
    out = tmp_path_factory.mktemp("out")
    return out, explanation_plots(cancer_result, out)


def test_every_plot_is_a_valid_png_inside_the_plots_folder(
    cancer_plots: tuple[Path, list[Plot]],
) -> None:
    out, plots = cancer_plots
    folder = (out / "plots").resolve()
    for plot in plots:
        path = (out / plot.file).resolve()
        assert path.parent == folder
        _valid_png(path)
    assert sorted(p.name for p in folder.iterdir()) == sorted(Path(p.file).name for p in plots)
    assert plt.get_fignums() == []  # the waterfalls' pyplot figures are closed


def test_kinds_features_and_rows_follow_the_facts(
    cancer_result: ShapResult, cancer_plots: tuple[Path, list[Plot]]
) -> None:
    _, plots = cancer_plots
    facts = cancer_result.facts
    assert facts.importance[0].feature == ODD_NAME
    kinds = [plot.kind for plot in plots]
    assert kinds == ["shap_bar", "shap_beeswarm"] + ["shap_dependence"] * 3 + [
        "shap_waterfall"
    ] * len(facts.local)
    assert len(facts.local) == 3
    dependence = [plot.feature for plot in plots if plot.kind == "shap_dependence"]
    assert dependence == [f.feature for f in facts.importance[:3]]
    waterfalls = [plot for plot in plots if plot.kind == "shap_waterfall"]
    assert [plot.row for plot in waterfalls] == [local.row for local in facts.local]
    for plot, local in zip(waterfalls, facts.local, strict=True):
        assert plot.file == f"plots/shap_waterfall_row_{local.row}.png"
        assert plot.title == f"Row {local.row}: {local.reason}"
    odd = next(plot for plot in plots if plot.feature == ODD_NAME)
    assert "/" not in Path(odd.file).name and "$" not in odd.file
    assert odd.title == f"How {ODD_NAME} moves the output"


def test_alt_texts_quote_the_importance(
    cancer_result: ShapResult, cancer_plots: tuple[Path, list[Plot]]
) -> None:
    _, plots = cancer_plots
    facts = cancer_result.facts
    top = ", ".join(f"{f.feature} ({number(f.mean_abs_shap)})" for f in facts.importance[:3])
    bar, beeswarm = plots[0], plots[1]
    assert bar.alt == (
        f"Bar chart of mean |SHAP value| per feature over {len(cancer_result.rows)} explained "
        f"rows (SHAP values of the log-odds of class '1'); the largest are {top}."
    )
    assert beeswarm.alt.endswith(f"features ordered by mean |SHAP value|: {top}.")
    for plot, feature in zip(plots[2:5], facts.importance, strict=False):
        rho = feature.value_shap_correlation
        assert rho is not None
        assert f"Spearman correlation {rho:+.3f}: {direction(rho)}." in plot.alt
    for plot, local in zip(plots[5:], facts.local, strict=True):
        first = local.contributions[0]
        shap = f"+{number(first.shap)}" if first.shap > 0 else number(first.shap)
        assert f"{first.feature} = {first.value} ({shap})" in plot.alt
        base, output = number(local.base_value), number(local.output)
        assert f"from base value {base} to output {output}" in plot.alt


def test_the_same_explanations_draw_the_same_pictures(
    cancer_result: ShapResult, cancer_plots: tuple[Path, list[Plot]], tmp_path: Path
) -> None:
    """The beeswarm and scatter place dots with random draws: seeded, and the caller's random
    state is left alone. A pyplot figure the caller has open is neither drawn on (the
    waterfalls draw through pyplot) nor closed."""
    first_out, first = cancer_plots
    figure = plt.figure()
    figure.add_subplot().plot([0, 1], [1, 0])
    np.random.seed(99)
    expected = np.random.random(2)
    np.random.seed(99)
    try:
        again = explanation_plots(cancer_result, tmp_path)
        assert plt.get_fignums() == [figure.number]
        assert len(figure.axes) == 1 and len(figure.axes[0].lines) == 1
        assert not figure.axes[0].patches  # no waterfall bars landed on it
    finally:
        plt.close(figure)
    np.testing.assert_array_equal(np.random.random(2), expected)
    assert [plot.file for plot in again] == [plot.file for plot in first]
    for plot in first:
        assert (tmp_path / plot.file).read_bytes() == (first_out / plot.file).read_bytes()


def test_nothing_explained_draws_nothing(tmp_path: Path) -> None:
    result = ShapResult(Explanations(not_computed="SHAP could not explain the model: test"))
    assert explanation_plots(result, tmp_path) == []
    assert not (tmp_path / "plots").exists()


def test_multiclass_bar_shows_the_importance_of_the_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Global importance averages |SHAP| over all classes; the bar must show those numbers,
    not those of the predicted class the beeswarm and waterfalls show."""
    data = load_iris(as_frame=True)
    params = {"objective": "multiclass", "num_class": 3, "num_leaves": 5, "verbose": -1}
    params |= {"min_data_in_leaf": 5, "seed": 0}
    booster = lightgbm.train(params, lightgbm.Dataset(data.data, data.target), 10)
    booster.save_model(tmp_path / "m.txt")
    result = _explain(tmp_path / "m.txt", data.data, data.target)
    drawn: dict[str, Any] = {}
    shap = explanations.import_shap()
    monkeypatch.setattr(shap.plots, "bar", lambda e, **kw: drawn.setdefault("bar", e))
    plots = explanation_plots(result, tmp_path / "out")
    assert [p.kind for p in plots][:2] == ["shap_bar", "shap_beeswarm"]
    shown = np.abs(drawn["bar"].values).mean(axis=0)
    facts = result.facts
    expected = [
        next(f.mean_abs_shap for f in facts.importance if f.feature == name)
        for name in facts.features
    ]
    np.testing.assert_allclose(shown, expected, rtol=1e-12)
    picked = np.abs(result.values).mean(axis=0)
    assert not np.allclose(picked, expected)  # the predicted class alone differs


def test_text_column_draws_without_warnings(tmp_path: Path) -> None:
    """A text column has no colour scale and gets categories on the dependence plot's axis;
    a missing value there shows as `missing` (warnings are errors in this test run)."""
    data = load_diabetes(as_frame=True)
    X = data.data.copy()
    X["city $"] = np.where(X["bmi"] > 0, "north", np.where(X["age"] > 0, "south", None))
    X["city $"] = X["city $"].astype(object)
    y = data.target + 60 * (X["city $"] == "north")
    encode = ColumnTransformer(
        [("city", OneHotEncoder(handle_unknown="ignore"), ["city $"])], remainder="passthrough"
    )
    model = make_pipeline(encode, Ridge()).fit(X, y)
    skops.io.dump(model, tmp_path / "m.skops")
    budget = ExplainBudget(rows=16, background=20, seed=0)
    result = _explain(tmp_path / "m.skops", X, y, budget)
    assert result.facts.importance[0].feature == "city $"
    plots = explanation_plots(result, tmp_path / "out")
    dependence = next(p for p in plots if p.feature == "city $")
    _valid_png(tmp_path / "out" / dependence.file)
    assert dependence.alt.endswith("no monotonic trend can be measured (text or constant values).")
    cells = explanations._cells(X["city $"].iloc[result.rows])
    assert set(cells) <= {"north", "south", "missing"} and "missing" in set(cells)
