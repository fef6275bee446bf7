"""Performance plots of real models: valid PNGs whose facts quote the computed evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from modeldoc.facts import Evaluation, Metric, Plot
from modeldoc.present.numbers import number
from modeldoc.tools.evaluate.metrics import classification, regression
from modeldoc.tools.plots.performance import PlotResult, _shown_all, performance_plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Case:
    """A fitted model's evaluation arrays and the `Evaluation` fact computed on them."""

    y_true: np.ndarray
    y_pred: np.ndarray
    proba: np.ndarray | None
    labels: list[Any]
    evaluation: Evaluation


def _classifier(loader: Any, names: Any = None) -> Case:
    data = loader()
    target = data.target_names[data.target] if names is None else np.asarray(names)[data.target]
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, target, test_size=0.3, random_state=0
    )
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    model.fit(X_train, y_train)
    labels = list(model.classes_)
    y_pred, proba = model.predict(X_test), model.predict_proba(X_test)
    evaluation = classification(y_test, y_pred, proba, labels=labels, resamples=50)
    return Case(y_test, y_pred, proba, labels, evaluation)


@pytest.fixture(scope="module")
def binary() -> Case:
    return _classifier(load_breast_cancer)  # classes 'benign', 'malignant'


@pytest.fixture(scope="module")
def multiclass() -> Case:
    return _classifier(load_iris)


@pytest.fixture(scope="module")
def diabetes() -> Case:
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    y_pred = Ridge(alpha=0.1).fit(X_train, y_train).predict(X_test)
    return Case(y_test, y_pred, None, [], regression(y_test, y_pred, resamples=50))


def _draw(case: Case, out: Path, **changes: Any) -> PlotResult:
    """The case's plots into `out`, with some inputs replaced."""
    inputs: dict[str, Any] = {
        "evaluation": case.evaluation,
        "y_true": case.y_true,
        "y_pred": case.y_pred,
        "proba": case.proba,
        "labels": case.labels or None,
        **changes,
    }
    return performance_plots(out_dir=out, **inputs)


def _by_kind(result: PlotResult) -> dict[str, Plot]:
    return {plot.kind: plot for plot in result.plots}


def _assert_valid_png(out: Path, plot: Plot) -> None:
    assert plot.file == f"plots/{plot.kind}.png"
    path = out / plot.file
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    height, width, channels = matplotlib.image.imread(path).shape
    assert 300 < width < 1500 and 300 < height < 1500 and channels in (3, 4)
    assert plot.title and plot.shows.endswith(".") and plot.alt.endswith(".")


def _f(value: float | None) -> str:
    assert value is not None
    return f"{value:.3f}"


def _interval(metric: Metric | None) -> str:
    assert metric is not None
    return f"{_f(metric.value)} [{_f(metric.ci_low)}, {_f(metric.ci_high)}]"


def test_binary_classifier_gets_four_valid_plots(binary: Case, tmp_path: Path) -> None:
    result = _draw(binary, tmp_path)
    assert [plot.kind for plot in result.plots] == [
        "confusion_matrix",
        "roc",
        "precision_recall",
        "calibration",
    ]
    assert result.skipped == {}
    for plot in result.plots:
        _assert_valid_png(tmp_path, plot)
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
        "calibration.png",
        "confusion_matrix.png",
        "precision_recall.png",
        "roc.png",
    ]
    assert plt.get_fignums() == []  # drawn on their own figures, none left in pyplot


def test_binary_alt_text_quotes_the_evaluation(binary: Case, tmp_path: Path) -> None:
    plots = _by_kind(_draw(binary, tmp_path))
    evaluation = binary.evaluation
    auc = evaluation.metric("roc_auc")
    assert auc is not None and auc.value is not None
    assert plots["roc"].alt == f"ROC curve for class 'malignant': ROC AUC {_interval(auc)}."
    assert f"{auc.value:.3f}" in plots["roc"].alt
    matrix = evaluation.confusion_matrix
    assert matrix is not None
    assert plots["confusion_matrix"].alt.startswith(
        f"Confusion matrix on {len(binary.y_true)} evaluation rows: "
        f"{matrix[0][0]} of {sum(matrix[0])} rows of class 'benign' and "
        f"{matrix[1][1]} of {sum(matrix[1])} of class 'malignant' predicted correctly"
    )
    malignant = evaluation.per_class["malignant"]
    average_precision = skm.average_precision_score(
        binary.y_true == "malignant", binary.proba[:, 1]
    )
    positives = int(np.sum(binary.y_true == "malignant"))
    assert f"average precision {_f(average_precision)}" in plots["precision_recall"].alt
    assert (
        f"precision {_f(malignant['precision'])} and recall {_f(malignant['recall'])}"
        in plots["precision_recall"].alt
    )
    assert f"({positives} of {len(binary.y_true)} rows are class 'malignant')" in (
        plots["precision_recall"].alt
    )
    brier = evaluation.metric("brier")
    assert brier is not None
    assert f"Brier score {_f(brier.value)}" in plots["calibration"].alt
    bins = min(10, max(3, len(binary.y_true) // 20))
    assert f"in {bins} quantile bins" in plots["calibration"].alt


def test_the_positive_label_can_be_chosen(binary: Case, tmp_path: Path) -> None:
    plots = _by_kind(_draw(binary, tmp_path, positive_label="benign"))
    assert plots["roc"].title == "ROC curve for class 'benign'"
    positives = int(np.sum(binary.y_true == "benign"))
    assert f"({positives} of {len(binary.y_true)} rows are class 'benign')" in (
        plots["precision_recall"].alt
    )
    with pytest.raises(ValueError, match="positive label"):
        _draw(binary, tmp_path, positive_label="unknown")


def test_multiclass_gets_one_vs_rest_roc_and_skips_binary_curves(
    multiclass: Case, tmp_path: Path
) -> None:
    result = _draw(multiclass, tmp_path)
    plots = _by_kind(result)
    assert list(plots) == ["confusion_matrix", "roc"]
    for plot in result.plots:
        _assert_valid_png(tmp_path, plot)
    assert set(result.skipped) == {"precision_recall", "calibration"}
    assert all("binary classifiers only" in reason for reason in result.skipped.values())
    roc = plots["roc"].alt
    macro = multiclass.evaluation.metric("roc_auc")
    assert f"macro average ROC AUC {_interval(macro)}" in roc
    for column, label in enumerate(multiclass.labels):
        area = skm.roc_auc_score(multiclass.y_true == label, multiclass.proba[:, column])
        assert f"'{label}' {_f(area)}" in roc
    matrix = multiclass.evaluation.confusion_matrix
    assert matrix is not None
    correct = sum(matrix[i][i] for i in range(3))
    assert f"{correct} of {len(multiclass.y_true)} predicted correctly" in (
        plots["confusion_matrix"].alt
    )


def test_multiclass_class_without_rows_has_no_curve(multiclass: Case, tmp_path: Path) -> None:
    keep = multiclass.y_true != "setosa"
    y_true, y_pred, proba = multiclass.y_true[keep], multiclass.y_pred[keep], multiclass.proba[keep]
    evaluation = classification(y_true, y_pred, proba, labels=multiclass.labels, resamples=50)
    plots = _by_kind(
        _draw(
            multiclass, tmp_path, evaluation=evaluation, y_true=y_true, y_pred=y_pred, proba=proba
        )
    )
    assert plots["roc"].title == "One-vs-rest ROC curves for 2 classes"
    assert "No curve for 'setosa': no evaluation rows of that class." in plots["roc"].alt
    # The macro AUC is undefined without setosa rows: the alt text says so, with the reason.
    assert "macro average ROC AUC not computed (" in plots["roc"].alt
    assert "no rows of class 'setosa'" in plots["confusion_matrix"].alt


def test_regression_gets_two_valid_plots_quoting_the_evaluation(
    diabetes: Case, tmp_path: Path
) -> None:
    result = _draw(diabetes, tmp_path)
    plots = _by_kind(result)
    assert list(plots) == ["actual_vs_predicted", "residuals"] and result.skipped == {}
    for plot in result.plots:
        _assert_valid_png(tmp_path, plot)
    evaluation, rows = diabetes.evaluation, len(diabetes.y_true)
    assert plots["actual_vs_predicted"].alt == (
        f"Actual against predicted values on {rows} evaluation rows: "
        f"R² {_interval(evaluation.metric('r2'))}, "
        f"root mean squared error {_interval(evaluation.metric('rmse'))}."
    )
    residuals = diabetes.y_true - diabetes.y_pred
    assert plots["residuals"].alt == (
        f"Residuals (actual minus predicted) against predicted values on {rows} evaluation "
        f"rows: mean absolute error {_interval(evaluation.metric('mae'))}; residuals range from "
        f"{number(residuals.min())} to {number(residuals.max())}, mean {number(residuals.mean())}."
    )


def test_large_regression_draws_a_seeded_sample(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    y_true = rng.normal(100, 15, size=6000)
    y_pred = y_true + rng.normal(0, 5, size=6000)
    case = Case(y_true, y_pred, None, [], regression(y_true, y_pred, resamples=20))
    first = _draw(case, tmp_path / "a")
    assert _draw(case, tmp_path / "b") == first
    assert "on 6,000 evaluation rows (5,000 of them drawn, a seeded random sample)" in (
        first.plots[0].alt
    )
    for plot in first.plots:
        assert (tmp_path / "a" / plot.file).read_bytes() == (
            tmp_path / "b" / plot.file
        ).read_bytes()


def test_single_class_truth_skips_the_probability_plots(binary: Case, tmp_path: Path) -> None:
    keep = binary.y_true == "benign"
    y_true, y_pred, proba = binary.y_true[keep], binary.y_pred[keep], binary.proba[keep]
    evaluation = classification(y_true, y_pred, proba, labels=binary.labels, resamples=50)
    result = _draw(
        binary, tmp_path, evaluation=evaluation, y_true=y_true, y_pred=y_pred, proba=proba
    )
    assert [plot.kind for plot in result.plots] == ["confusion_matrix"]
    assert result.skipped == dict.fromkeys(
        ["roc", "precision_recall", "calibration"], "the true labels hold one class only"
    )
    assert "no rows of class 'malignant'" in result.plots[0].alt
    assert not (tmp_path / "plots" / "roc.png").exists()


def test_no_probabilities_skips_the_curves(binary: Case, tmp_path: Path) -> None:
    evaluation = classification(binary.y_true, binary.y_pred, labels=binary.labels, resamples=50)
    result = _draw(binary, tmp_path, evaluation=evaluation, proba=None)
    assert [plot.kind for plot in result.plots] == ["confusion_matrix"]
    assert set(result.skipped.values()) == {"the model gives no probabilities"}


def test_a_missing_metric_is_said_not_invented(binary: Case, tmp_path: Path) -> None:
    without = binary.evaluation.model_copy(
        update={"metrics": [m for m in binary.evaluation.metrics if m.name != "roc_auc"]}
    )
    assert _by_kind(_draw(binary, tmp_path, evaluation=without))["roc"].alt == (
        "ROC curve for class 'malignant': ROC AUC not in the evaluation."
    )
    failed = binary.evaluation.model_copy(
        update={
            "metrics": [
                Metric(name="brier", not_computed="the true labels hold one class only")
                if m.name == "brier"
                else m
                for m in binary.evaluation.metrics
            ]
        }
    )
    calibration = _by_kind(_draw(binary, tmp_path, evaluation=failed))["calibration"].alt
    assert "Brier score not computed (the true labels hold one class only)" in calibration


def test_an_evaluation_of_other_data_is_refused(binary: Case, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rows"):
        _draw(
            binary,
            tmp_path,
            y_true=binary.y_true[:-1],
            y_pred=binary.y_pred[:-1],
            proba=binary.proba[:-1],
        )
    with pytest.raises(ValueError, match="labels"):
        _draw(binary, tmp_path, labels=["malignant", "benign"])
    with pytest.raises(ValueError, match="confusion matrix"):
        _draw(binary, tmp_path, y_pred=binary.y_pred[::-1])
    with pytest.raises(ValueError, match="proba"):
        _draw(binary, tmp_path, proba=binary.proba[:, :1])


def test_an_evaluation_that_failed_skips_every_plot(tmp_path: Path) -> None:
    evaluation = Evaluation(task="classification", rows=3, not_computed="no predictions")
    result = performance_plots(evaluation, [0, 1, 0], [0, 1, 1], tmp_path)
    assert result.plots == [] and set(result.skipped) == {
        "confusion_matrix",
        "roc",
        "precision_recall",
        "calibration",
    }
    assert not (tmp_path / "plots").exists()


def test_hostile_class_names_are_drawn_and_quoted_unchanged(tmp_path: Path) -> None:
    # Mathtext that would fail the drawing, characters the font lacks, a very long name.
    names = [r"$\frac{x$ 温度", "b" * 120]
    case = _classifier(load_breast_cancer, names)
    result = _draw(case, tmp_path)  # pytest turns any warning (e.g. a missing glyph) into an error
    assert len(result.plots) == 4 and result.skipped == {}
    for plot in result.plots:
        _assert_valid_png(tmp_path, plot)
    plots = _by_kind(result)
    assert f"'{names[0]}'" in plots["confusion_matrix"].alt
    assert plots["roc"].title == f"ROC curve for class '{names[1]}'"


def test_the_same_inputs_give_the_same_bytes(binary: Case, tmp_path: Path) -> None:
    first = _draw(binary, tmp_path / "a")
    second = _draw(binary, tmp_path / "b")
    assert first == second
    for plot in first.plots:
        assert (tmp_path / "a" / plot.file).read_bytes() == (
            tmp_path / "b" / plot.file
        ).read_bytes()


def test_many_classes_keep_the_alt_text_short_and_skip_unreadable_curves(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 12, size=600)
    y_pred = np.where(rng.random(600) < 0.8, y_true, rng.integers(0, 12, size=600))
    proba = rng.dirichlet(np.ones(12), size=600)
    labels = list(range(12))
    evaluation = classification(y_true, y_pred, proba, labels=labels, resamples=20)
    result = performance_plots(evaluation, y_true, y_pred, tmp_path, proba=proba, labels=labels)
    (matrix,) = result.plots
    _assert_valid_png(tmp_path, matrix)
    assert "of class '9' predicted correctly (the other 2 classes are in the picture)" in matrix.alt
    assert "'10'" not in matrix.alt.split("; the most frequent error")[0]
    assert result.skipped["roc"] == "12 classes: more one-vs-rest curves than can be told apart"


def test_class_names_in_pictures_are_cut_but_kept_apart() -> None:
    assert _shown_all(["cat", "dog"]) == ["cat", "dog"]
    shared_prefix = [f"category_{'x' * 30}_{name}" for name in ("books", "games")]
    assert len(set(_shown_all(shared_prefix))) == 2
    assert all(len(shown) == 24 for shown in _shown_all(shared_prefix))
    # Cut in the middle these two would look alike: they are shown longer instead.
    shared_ends = [f"digit number {digit} (handwritten)" for digit in (0, 1)]
    assert _shown_all(shared_ends) == shared_ends
    very_long = [f"{'a' * 70}{digit}{'b' * 70}" for digit in (0, 1)]
    assert _shown_all(very_long) == very_long
