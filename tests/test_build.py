"""`modeldoc build` end to end on a real scikit-learn model: the numbers in facts.json are
the numbers scikit-learn computes; bad input stops with exit 2 and one line."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from helpers.progress_lines import without_progress
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from modeldoc.output import OUTPUT_MARKER


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "modeldoc", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cancer")
    data = load_breast_cancer(as_frame=True).frame
    data["site"] = np.where(np.arange(len(data)) % 3 == 0, "clinic", "hospital")
    train, test = train_test_split(data, test_size=0.3, random_state=0)
    features = [c for c in data.columns if c not in ("target", "site")]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    model.fit(train[features], train["target"])
    sio.dump(model, root / "model.skops")
    test.to_csv(root / "test.csv", index=False)
    (root / "train.py").write_text("from sklearn.linear_model import LogisticRegression\n")
    return root


def test_build_writes_facts_that_match_sklearn(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", repo, "--model", repo / "model.skops", "--data", repo / "test.csv",
                 "--target", "target", "--sensitive", "site", "--explain-rows", "16",
                 "--out", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    facts = json.loads((out / "facts.json").read_text())
    # A pipeline is explained by permutation, in terms of its input columns.
    explanations = facts["explanations"]
    assert (explanations["explainer"], explanations["rows_explained"]) == ("permutation", 16)
    assert explanations["features"] == facts["checkpoints"][0]["feature_names"]
    assert explanations["additivity"]["passed"] is True
    (checkpoint,) = facts["checkpoints"]
    assert (checkpoint["file"], checkpoint["loaded"], checkpoint["estimator"]) == (
        "model.skops",
        True,
        "sklearn.pipeline.Pipeline",
    )
    test = pd.read_csv(repo / "test.csv")
    model = sio.load(
        repo / "model.skops", trusted=sio.get_untrusted_types(file=repo / "model.skops")
    )
    features = checkpoint["feature_names"]
    pred, proba = model.predict(test[features]), model.predict_proba(test[features])
    metrics = {m["name"]: m for m in facts["evaluation"]["metrics"]}
    assert metrics["accuracy"]["value"] == skm.accuracy_score(test["target"], pred)
    assert metrics["roc_auc"]["value"] == pytest.approx(
        skm.roc_auc_score(test["target"], proba[:, 1])
    )
    assert (
        metrics["accuracy"]["ci_low"]
        <= metrics["accuracy"]["value"]
        <= metrics["accuracy"]["ci_high"]
    )
    (profile,) = facts["data"]
    assert (profile["rows"], profile["target"]) == (len(test), "target")
    assert profile["column_check"]["extra"] == ["site"]
    (slices,) = facts["evaluation"]["slices"]
    assert {g["value"] for g in slices["groups"]} == {"clinic", "hospital"}


def test_settings_file_and_command_line(repo: Path, tmp_path: Path) -> None:
    (repo / "modeldoc.yml").write_text("model: model.skops\ndata: test.csv\ntarget: target\n")
    try:
        result = run("build", repo, "--out", tmp_path / "out")
        assert result.returncode == 0, result.stderr
        facts = json.loads((tmp_path / "out" / "facts.json").read_text())
        assert facts["evaluation"]["task"] == "classification"
        (repo / "modeldoc.yml").write_text("model: model.skops\ntrust_pickle: true\n")
        refused = run("build", repo, "--out", tmp_path / "out2")
        assert refused.returncode == 2
        assert refused.stderr.strip() == (
            "modeldoc: error: trust_pickle can only be given on the command line (--trust-pickle)"
        )
    finally:
        (repo / "modeldoc.yml").unlink()


def test_pickle_without_trust_stops_and_keeps_previous_output(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / OUTPUT_MARKER).write_text('{"written_by": "modeldoc"}')
    (out / "facts.json").write_text("previous")
    marker = tmp_path / "marker"
    (repo / "model.pkl").write_bytes(pickle.dumps(_Payload(marker)))
    result = run("build", repo, "--model", repo / "model.pkl", "--out", out)
    assert result.returncode == 2
    assert len(without_progress(result.stderr).strip().splitlines()) == 1
    assert "--trust-pickle" in result.stderr and "Traceback" not in result.stderr
    assert not marker.exists()
    assert (out / "facts.json").read_text() == "previous"


def test_missing_target_stops(repo: Path, tmp_path: Path) -> None:
    result = run("build", repo, "--model", repo / "model.skops", "--data", repo / "test.csv",
                 "--target", "label", "--out", tmp_path / "out")  # fmt: skip
    assert result.returncode == 2
    assert without_progress(result.stderr).startswith(
        "modeldoc: error: test.csv: no target column 'label'"
    )


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.marker),))
