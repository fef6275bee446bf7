"""Slice results equal the metrics computed on each slice directly; gaps and fairness
differences equal fairlearn's."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    equalized_odds_difference,
)
from sklearn import metrics as skm

from modeldoc.tools.evaluate.slices import slice_report
from modeldoc.tools.files import finite_or_none

RNG = np.random.default_rng(3)
N = 400
GROUP = pd.Series(RNG.choice(["north", "south", "east"], N), name="region")
Y_TRUE = RNG.choice([0, 1], N)
# A model that is worse in the south: flips a third of its answers there.
FLIP = (GROUP.to_numpy() == "south") & (RNG.random(N) < 0.33)
Y_PRED = np.where(FLIP, 1 - Y_TRUE, Y_TRUE)


def test_classification_slices() -> None:
    report = slice_report(Y_TRUE, Y_PRED, GROUP, "classification", positive_label=1)
    assert report.column == "region"
    groups = {g.value: g for g in report.groups}
    assert set(groups) == {"north", "south", "east"}
    for value, group in groups.items():
        mask = GROUP.to_numpy() == value
        assert group.rows == int(mask.sum())
        assert group.metrics["accuracy"] == pytest.approx(
            skm.accuracy_score(Y_TRUE[mask], Y_PRED[mask])
        )
    accuracies = [g.metrics["accuracy"] for g in report.groups]
    assert report.largest_gap["accuracy"] == pytest.approx(max(accuracies) - min(accuracies))
    assert groups["south"].metrics["accuracy"] < groups["north"].metrics["accuracy"]
    groups_array = GROUP.to_numpy()
    assert report.demographic_parity_difference == pytest.approx(
        demographic_parity_difference(Y_TRUE, Y_PRED, sensitive_features=groups_array)
    )
    assert report.equalized_odds_difference == pytest.approx(
        equalized_odds_difference(Y_TRUE, Y_PRED, sensitive_features=groups_array)
    )


def test_regression_slices_and_missing_values() -> None:
    sensitive = pd.Series(["a", "b", None, "a", "b", None], name="site")
    y_true = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y_pred = np.array([1.5, 2.0, 2.0, 4.0, 6.0, 6.0])
    report = slice_report(y_true, y_pred, sensitive, "regression")
    groups = {g.value: g.metrics["mae"] for g in report.groups}
    assert groups == {"<missing>": 0.5, "a": 0.25, "b": 0.5}
    assert report.largest_gap["mae"] == pytest.approx(0.25)
    assert report.demographic_parity_difference is None


def test_multiclass_slices_say_why_fairness_differences_are_missing() -> None:
    labels = np.array(["a", "b", "c"])[RNG.choice(3, N)]
    report = slice_report(labels, labels, GROUP, "classification")
    assert report.largest_gap["accuracy"] == 0.0
    assert report.demographic_parity_difference is None
    assert "binary" in report.not_computed["demographic_parity_difference"]
    assert "binary" in report.not_computed["equalized_odds_difference"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_slices_equal_fairlearns_metric_frame_exactly(seed: int) -> None:
    """The groups are found with numpy, not `MetricFrame` (it stacks every row in Python):
    the values are still fairlearn's, to the bit, one-class and missing groups included."""
    rng = np.random.default_rng(seed)
    n = 300
    sensitive = pd.Series(
        rng.choice(["x", "y", "z", "w", None], n, p=[0.5, 0.3, 0.1, 0.05, 0.05]), name="s"
    )
    y_true = rng.choice([0, 1], n, p=[0.85, 0.15])
    y_pred = np.where(rng.random(n) < 0.3, 1 - y_true, y_true)
    groups = sensitive.astype("string").fillna("<missing>").to_numpy()
    report = slice_report(y_true, y_pred, sensitive, "classification", positive_label=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metrics = {"accuracy": skm.accuracy_score, "balanced_accuracy": skm.balanced_accuracy_score}
        frame = MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred,
                            sensitive_features=groups)  # fmt: skip
        parity = demographic_parity_difference(y_true, y_pred, sensitive_features=groups)
        odds = equalized_odds_difference(y_true, y_pred, sensitive_features=groups)
    assert [g.value for g in report.groups] == [str(v) for v in frame.by_group.index]
    for group, (_, row) in zip(report.groups, frame.by_group.iterrows(), strict=True):
        for name in ("accuracy", "balanced_accuracy"):
            assert group.metrics[name] == finite_or_none(row[name])
    assert report.largest_gap["accuracy"] == finite_or_none(frame.difference()["accuracy"])
    assert report.demographic_parity_difference == finite_or_none(parity)
    assert report.equalized_odds_difference == finite_or_none(odds)
