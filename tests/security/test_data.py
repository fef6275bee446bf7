"""Hostile evaluation data through the real CLI: a target that cannot be scored, infinite
features, a table too wide or too long. Each ends with one line and exit status 2, or with a
build whose facts mark what could not be computed and why; never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xgboost
from helpers.progress_lines import without_progress

from modeldoc.tools.data.tables import MAX_COLUMNS

FEATURES = ["f0", "f1", "f2", "f3"]


def build(repo: Path, data: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """`modeldoc build` on the repository's model and `data`, offline and without the site."""
    command = [sys.executable, "-m", "modeldoc", "build", str(repo),
               "--model", str(repo / "model.json"), "--data", str(data), "--target", "target",
               "--out", str(out), "--llm", "offline", "--no-site"]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = without_progress(result.stderr).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("modeldoc: error: "), result.stderr
    for word in words:
        assert word in lines[0]


def built_evaluation(result: subprocess.CompletedProcess[str], out: Path) -> dict[str, Any]:
    """The evaluation facts of a build that must have succeeded without a traceback."""
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    evaluation: dict[str, Any] = json.loads((out / "facts.json").read_text())["evaluation"]
    return evaluation


def metric(evaluation: dict[str, Any], name: str) -> dict[str, Any]:
    return next(m for m in evaluation["metrics"] if m["name"] == name)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding a small XGBoost classifier of `FEATURES`, saved as JSON."""
    root = tmp_path_factory.mktemp("xgb")
    rng = np.random.default_rng(0)
    features = rng.normal(size=(400, len(FEATURES)))
    target = (features[:, 0] + rng.normal(scale=0.5, size=400) > 0).astype(int)
    model = xgboost.XGBClassifier(n_estimators=10, max_depth=2, random_state=0)
    model.fit(pd.DataFrame(features, columns=FEATURES), target)
    model.get_booster().save_model(root / "model.json")
    return root


def table(rows: int = 60, seed: int = 1) -> pd.DataFrame:
    """Evaluation rows the model can score: the four features and a binary target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(rows, len(FEATURES))).round(3), columns=FEATURES)
    frame["target"] = (frame["f0"] > 0).astype(int)
    return frame


def test_an_all_nan_target_is_recorded_as_not_evaluated(repo: Path, tmp_path: Path) -> None:
    frame = table().astype({"target": float})
    frame["target"] = np.nan
    frame.to_csv(tmp_path / "test.csv", index=False)
    evaluation = built_evaluation(build(repo, tmp_path / "test.csv", tmp_path / "out"),
                                  tmp_path / "out")  # fmt: skip
    assert evaluation["metrics"] == []
    assert "target column 'target' holds no values" in evaluation["not_computed"]


@pytest.mark.parametrize("file", ["test.csv", "test.parquet"])
def test_a_target_of_empty_strings_is_recorded_as_not_evaluated(
    repo: Path, tmp_path: Path, file: str
) -> None:
    frame = table()
    frame["target"] = ""
    data = tmp_path / file
    if file.endswith(".csv"):
        frame.to_csv(data, index=False, quoting=1)  # every cell quoted: "" in the target
    else:
        frame.to_parquet(data)
    evaluation = built_evaluation(build(repo, data, tmp_path / "out"), tmp_path / "out")
    assert evaluation["metrics"] == []
    assert "target column 'target' holds no values" in evaluation["not_computed"]


def test_rows_without_a_target_are_left_out_and_counted(repo: Path, tmp_path: Path) -> None:
    frame = table().astype({"target": float})
    frame.loc[[3, 10, 11], "target"] = np.nan
    frame.to_csv(tmp_path / "test.csv", index=False)
    evaluation = built_evaluation(build(repo, tmp_path / "test.csv", tmp_path / "out"),
                                  tmp_path / "out")  # fmt: skip
    assert evaluation["rows"] == 57
    assert evaluation["data_rows"] == 60
    assert any("3 rows" in note and "no target value" in note for note in evaluation["row_notes"])
    accuracy = metric(evaluation, "accuracy")
    assert accuracy["value"] is not None and accuracy["ci_low"] is not None
    assert evaluation["labels"] == ["0", "1"]
    card = (tmp_path / "out" / "MODEL_CARD.md").read_text()
    assert "On 57 evaluation rows" in card
    # Rows explained one by one keep their place in the file, not in the scored rows.
    facts = json.loads((tmp_path / "out" / "facts.json").read_text())
    local = facts["explanations"]["local"]
    assert local
    for explained in local:
        assert frame.loc[explained["row"], "target"] == explained["actual"]
        values = {c["feature"]: c["value"] for c in explained["contributions"]}
        assert values == {name: frame.loc[explained["row"], name] for name in FEATURES}
        waterfall = next(p for p in facts["plots"] if p.get("row") == explained["row"])
        assert f"actual {explained['actual']}" in waterfall["alt"]
    assert "The data holds 60 rows: 3 rows have no target value and were left out." in card


def test_a_single_class_target_marks_what_cannot_be_computed(repo: Path, tmp_path: Path) -> None:
    frame = table()
    frame["target"] = 1
    frame.to_csv(tmp_path / "test.csv", index=False)
    evaluation = built_evaluation(build(repo, tmp_path / "test.csv", tmp_path / "out"),
                                  tmp_path / "out")  # fmt: skip
    assert metric(evaluation, "accuracy")["value"] is not None
    assert metric(evaluation, "roc_auc")["not_computed"] == "the true labels hold one class only"


def test_a_target_coded_otherwise_than_the_model_is_recorded(repo: Path, tmp_path: Path) -> None:
    """ "yes"/"no" for a model of 0/1: scikit-learn refused to mix strings and numbers."""
    frame = table()
    frame["target"] = np.where(frame["f0"] > 0, "yes", "no")
    frame.to_csv(tmp_path / "test.csv", index=False)
    evaluation = built_evaluation(build(repo, tmp_path / "test.csv", tmp_path / "out"),
                                  tmp_path / "out")  # fmt: skip
    assert evaluation["metrics"] == []
    assert "are none of the model's labels (0, 1)" in evaluation["not_computed"]


def test_infinite_features_the_model_refuses_are_named(repo: Path, tmp_path: Path) -> None:
    """XGBoost refuses infinities: the evaluation says so and names the columns."""
    frame = table()
    frame.loc[[0, 5], "f1"] = np.inf
    frame.loc[7, "f2"] = -np.inf
    frame.to_csv(tmp_path / "test.csv", index=False)
    evaluation = built_evaluation(build(repo, tmp_path / "test.csv", tmp_path / "out"),
                                  tmp_path / "out")  # fmt: skip
    assert evaluation["metrics"] == []
    assert evaluation["not_computed"].startswith("the features hold infinite values (in f1, f2)")


def test_a_table_wider_than_the_column_cap_is_refused_before_reading(
    repo: Path, tmp_path: Path
) -> None:
    """A few rows but more columns than the cap: refused from the header line alone."""
    frame = table(rows=2)
    wide = pd.concat(
        [
            frame,
            pd.DataFrame(np.zeros((2, MAX_COLUMNS)), columns=[f"x{i}" for i in range(MAX_COLUMNS)]),
        ],
        axis=1,
    )
    wide.to_csv(tmp_path / "wide.csv", index=False)
    result = build(repo, tmp_path / "wide.csv", tmp_path / "out")
    assert_one_line_error(result, "wide.csv", f"{MAX_COLUMNS + 5:,} columns", "cap")
    assert not (tmp_path / "out").exists()
