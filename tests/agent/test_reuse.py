"""Builds reuse what earlier builds computed from the same inputs: code files' scan results
and the model's results (evaluation, SHAP, plots), and nothing else."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import skops.io as sio
from helpers.progress_lines import without_progress
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

TRAIN = '''"""Fit a ridge regression on the diabetes data."""
from sklearn.linear_model import Ridge

model = Ridge(alpha=1.0)
'''


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("diabetes")
    data = load_diabetes(as_frame=True, scaled=False).frame
    train, test = data.iloc[:300], data.iloc[300:]
    features = [c for c in data.columns if c != "target"]
    sio.dump(Ridge(alpha=1.0).fit(train[features], train["target"]), root / "ridge.skops")
    test.to_csv(root / "test.csv", index=False)
    (root / "train.py").write_text(TRAIN)
    (root / "helpers.py").write_text("def load():\n    return None\n")
    (root / "README.md").write_text("# Diabetes\n\nA ridge regression.\n")
    (root / "modeldoc.yml").write_text("model: ridge.skops\ndata: test.csv\ntarget: target\n")
    return root


@pytest.fixture
def repo(original: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(original, tmp_path / "repo"))


def build(repo: Path, out: Path, *extra: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "modeldoc", "build", str(repo), "--out", str(out),
               "--no-site", "--llm", "offline", *extra]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    facts: dict[str, Any] = json.loads((out / "facts.json").read_text())
    return facts


def reuse(facts: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = facts["provenance"]["reuse"]
    return found


def test_an_unchanged_repository_recomputes_nothing(repo: Path, tmp_path: Path) -> None:
    first = build(repo, tmp_path / "first")
    second = build(repo, tmp_path / "second")
    assert reuse(first) == {"files_parsed": 2, "files_from_cache": 0,
                            "model_results": "computed", "shap_computed": True}  # fmt: skip
    assert reuse(second) == {"files_parsed": 0, "files_from_cache": 2,
                             "model_results": "reused", "shap_computed": False}  # fmt: skip
    # The same facts, plots and card: only when they were computed differs.
    for key in first:
        if key != "provenance":
            assert first[key] == second[key], key
    for plot in first["plots"]:
        before = (tmp_path / "first" / plot["file"]).read_bytes()
        assert (tmp_path / "second" / plot["file"]).read_bytes() == before
    card = (tmp_path / "first" / "MODEL_CARD.md").read_text()
    again = (tmp_path / "second" / "MODEL_CARD.md").read_text()
    created = first["provenance"]["created_at"], second["provenance"]["created_at"]
    assert again == card.replace(*created)


def test_a_docs_only_change_reuses_the_results_and_shows_the_new_text(
    repo: Path, tmp_path: Path
) -> None:
    build(repo, tmp_path / "base")
    (repo / "README.md").write_text("# Diabetes\n\nA ridge regression, now documented.\n")
    head = build(repo, tmp_path / "head")
    assert reuse(head)["model_results"] == "reused" and reuse(head)["files_parsed"] == 0
    assert head["repo"]["readme"]["summary"] == "A ridge regression, now documented."


def test_a_code_change_parses_only_that_file(repo: Path, tmp_path: Path) -> None:
    build(repo, tmp_path / "base")
    (repo / "train.py").write_text(TRAIN.replace("alpha=1.0", "alpha=0.5"))
    head = build(repo, tmp_path / "head")
    assert reuse(head)["files_parsed"] == 1 and reuse(head)["files_from_cache"] == 1
    assert reuse(head)["model_results"] == "reused"  # the model file did not change
    alphas = [h for h in head["code"]["hyperparameters"] if h["name"] == "alpha"]
    assert [h["value"]["value"] for h in alphas] == [0.5]


@pytest.mark.parametrize("change", ["data", "setting", "no-cache"])
def test_other_data_or_settings_recompute_the_results(
    repo: Path, tmp_path: Path, change: str
) -> None:
    build(repo, tmp_path / "base")
    extra: list[str] = []
    if change == "data":
        rows = (repo / "test.csv").read_text().splitlines()
        (repo / "test.csv").write_text("\n".join(rows[:-10]) + "\n")
    elif change == "setting":
        extra = ["--explain-rows", "50"]
    else:
        extra = ["--no-cache"]
    head = build(repo, tmp_path / "head", *extra)
    assert reuse(head)["model_results"] == "computed" and reuse(head)["shap_computed"]
    if change == "no-cache":
        assert reuse(head)["files_from_cache"] == 0


def test_a_damaged_cache_entry_is_computed_again(repo: Path, tmp_path: Path) -> None:
    build(repo, tmp_path / "base")
    entries = [p for p in Path(os.environ["MODELDOC_CACHE_DIR"]).rglob("*") if p.is_file()]
    assert entries
    for entry in entries:
        entry.write_bytes(b"\x00not json")
    head = build(repo, tmp_path / "head")
    assert reuse(head)["model_results"] == "computed" and reuse(head)["files_from_cache"] == 0
    assert head["evaluation"]["metrics"]


def test_a_cache_inside_the_repository_is_refused(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODELDOC_CACHE_DIR", str(repo / ".cache"))
    command = [sys.executable, "-m", "modeldoc", "build", str(repo), "--out",
               str(tmp_path / "out"), "--llm", "offline"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    error = without_progress(done.stderr)
    assert error.startswith("modeldoc: error: the cache folder") and "inside" in error
    assert not (repo / ".cache").exists()
