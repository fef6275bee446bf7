"""Slice results equal the metrics computed on each slice directly; gaps and fairness
differences equal fairlearn's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
from sklearn import metrics as skm

from modeldoc.tools.evaluate.slices import slice_report

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
