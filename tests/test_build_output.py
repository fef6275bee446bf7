"""`modeldoc build`'s output folder: replaced as a whole and only when a build succeeds;
never a folder modeldoc did not write; plots and explanations land in facts.json."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import skops.io as sio
from helpers.progress_lines import without_progress
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from modeldoc.output import OUTPUT_MARKER


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "modeldoc", *map(str, args)]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("diabetes")
    data = load_diabetes(as_frame=True, scaled=False).frame
    train, test = data.iloc[:300], data.iloc[300:]
    features = [c for c in data.columns if c != "target"]
    sio.dump(Ridge(alpha=1.0).fit(train[features], train["target"]), root / "ridge.skops")
    slow = make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=25))
    sio.dump(slow.fit(train[features], train["target"]), root / "knn.skops")
    test.to_csv(root / "test.csv", index=False)
    (root / "modeldoc.yml").write_text("data: test.csv\ntarget: target\n")
    return root


def test_build_writes_explanations_and_plots(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", repo, "--model", repo / "ridge.skops", "--out", out)
    assert result.returncode == 0, result.stderr
    facts = json.loads((out / "facts.json").read_text())
    explanations = facts["explanations"]
    assert explanations["explainer"] == "linear"
    assert explanations["additivity"]["passed"] is True
    kinds = sorted(plot["kind"] for plot in facts["plots"])
    assert kinds == sorted(
        ["actual_vs_predicted", "residuals", "shap_bar", "shap_beeswarm"]
        + ["shap_dependence"] * 3
        + ["shap_waterfall"] * len(explanations["local"])
    )
    for plot in facts["plots"]:
        assert (out / plot["file"]).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert plot["alt"]
    assert sorted(p.name for p in (out / "plots").iterdir()) == sorted(
        Path(plot["file"]).name for plot in facts["plots"]
    )
    # No staging folder is left beside the output.
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_second_build_replaces_the_whole_folder(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", repo, "--model", repo / "ridge.skops", "--out", out).returncode == 0
    (out / "plots" / "stale.png").write_bytes(b"old")
    result = run("build", repo, "--model", repo / "ridge.skops", "--no-explain", "--no-site",
                 "--out", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    facts = json.loads((out / "facts.json").read_text())
    assert facts["explanations"] is None
    assert not (out / "site").exists() and (out / "docs" / "index.md").is_file()
    assert (out / "MODEL_CARD.md").is_file() and (out / "model_card.json").is_file()
    assert {plot["kind"] for plot in facts["plots"]} == {"actual_vs_predicted", "residuals"}
    assert not (out / "plots" / "stale.png").exists()


def test_a_killed_build_leaves_the_previous_output(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / OUTPUT_MARKER).write_text('{"written_by": "modeldoc"}')
    (out / "facts.json").write_text("previous")
    # A slow model: the permutation explainer is still running when the build is killed.
    process = subprocess.Popen(
        command("build", repo, "--model", repo / "knn.skops", "--explain-seconds", "120",
                "--out", out),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".out.building/plots/*.png")):
            assert process.poll() is None, "the build ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.2)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert sorted(p.name for p in out.iterdir()) == [OUTPUT_MARKER, "facts.json"]
    assert (out / "facts.json").read_text() == "previous"


def test_a_folder_modeldoc_did_not_write_is_never_replaced(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "thesis.txt").write_text("years of work")
    result = run("build", repo, "--model", repo / "ridge.skops", "--out", out)
    assert result.returncode == 2
    assert without_progress(result.stderr).startswith("modeldoc: error: ")
    assert "not a modeldoc output" in result.stderr
    assert [p.name for p in out.iterdir()] == ["thesis.txt"]
    into_repo = run("build", repo, "--model", repo / "ridge.skops", "--out", repo)
    assert into_repo.returncode == 2
    assert "would replace the repository" in into_repo.stderr


def test_a_task_the_model_does_not_do_stops(repo: Path, tmp_path: Path) -> None:
    result = run("build", repo, "--model", repo / "ridge.skops", "--task", "classification",
                 "--out", tmp_path / "out")  # fmt: skip
    assert result.returncode == 2
    assert without_progress(result.stderr).strip() == (
        "modeldoc: error: task classification was given, but the model is a regressor: "
        "drop the task setting or give the model it describes"
    )
    assert not (tmp_path / "out").exists()


def test_a_model_that_does_not_load_is_a_fact_and_nothing_is_invented(
    repo: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.skops"
    whole = (repo / "ridge.skops").read_bytes()
    broken.write_bytes(whole[: len(whole) // 2])
    result = run("build", repo, "--model", broken, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    facts = json.loads((tmp_path / "out" / "facts.json").read_text())
    (checkpoint,) = facts["checkpoints"]
    assert checkpoint["loaded"] is False and "broken.skops" in checkpoint["not_loaded_reason"]
    assert (facts["evaluation"], facts["explanations"], facts["plots"]) == (None, None, [])
    assert facts["data"][0]["rows"] == 142  # the data is still profiled


def test_features_the_model_cannot_take_are_recorded(repo: Path, tmp_path: Path) -> None:
    import pandas as pd

    data = pd.read_csv(repo / "test.csv")
    data.loc[data.index[:2], "bmi"] = float("nan")
    data.to_csv(tmp_path / "holes.csv", index=False)
    result = run("build", repo, "--model", repo / "ridge.skops", "--data", tmp_path / "holes.csv",
                 "--out", tmp_path / "out")  # fmt: skip
    assert result.returncode == 0, result.stderr
    facts = json.loads((tmp_path / "out" / "facts.json").read_text())
    assert facts["data"][0]["missing"] == {"bmi": 2}
    evaluation = facts["evaluation"]
    assert evaluation["metrics"] == [] and "NaN" in evaluation["not_computed"]
    assert evaluation["task"] is None  # the model never predicted: not guessed
    assert facts["explanations"] is None


def test_an_interrupted_build_says_how_to_resume_and_resumes(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("build", repo, "--model", repo / "knn.skops", "--explain-seconds", "5", "--no-site",
            "--out", out)  # fmt: skip
    process = subprocess.Popen(
        command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".out.building/plots/*.png")):
        assert process.poll() is None, "the build ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert without_progress(stderr) == (
        "modeldoc: interrupted: the same command with --resume continues it\n"
    )
    assert not out.exists()
    resumed = run(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith("resumed an interrupted build at: ")
    facts = json.loads((out / "facts.json").read_text())
    assert all((out / plot["file"]).is_file() for plot in facts["plots"])
    assert not list(tmp_path.glob(".out.building"))
