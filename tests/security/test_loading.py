"""Attacks through model files: a skops file that names a function living inside an allowed
library, and a corrupt model file that makes a native parser abort the process."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio
from helpers.progress_lines import without_progress
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer


def modeldoc(*arguments: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh process, as a user would."""
    command = [sys.executable, "-m", "modeldoc", *(str(a) for a in arguments)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def _rename_functions(schema: Any, module: str, name: str) -> None:
    """Make every function the skops schema names claim to be `module.name`."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("__loader__") == "FunctionNode":
                node["__module__"], node["__class__"] = module, name
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def skops_command_runner(path: Path, columns: list[str]) -> None:
    """A skops pipeline whose first step calls `sklearn.utils._testing.check_output` (which
    is `subprocess.check_output`) on the evaluation frame: the command is its column names.

    It is saved with a harmless function, then the schema is edited to name the helper, as
    an attacker writes the file by hand."""
    frame = pd.DataFrame(np.arange(12.0).reshape(4, 3), columns=columns)
    model = make_pipeline(FunctionTransformer(np.negative), LogisticRegression())
    model.fit(frame, [0, 1, 0, 1])
    sio.dump(model, path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(members["schema.json"])
    _rename_functions(schema, "sklearn.utils._testing", "check_output")
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_skops_function_inside_an_allowed_library_is_refused(tmp_path: Path, marker: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    columns = ["sh", "-c", f"touch {marker}"]
    skops_command_runner(repo / "model.skops", columns)
    pd.DataFrame({**{c: [1.0, 2.0] for c in columns}, "label": [0, 1]}).to_csv(
        repo / "test.csv", index=False
    )
    result = modeldoc(
        "build", repo, "--model", repo / "model.skops", "--data", repo / "test.csv",
        "--target", "label", "--out", tmp_path / "out", "--no-site", "--no-explain",
        cwd=tmp_path,
    )  # fmt: skip
    assert not marker.exists()
    assert result.returncode == 2, result.stderr
    message = without_progress(result.stderr).strip().splitlines()
    assert len(message) == 1, result.stderr
    assert message[0].startswith("modeldoc: error: model.skops")
    assert "sklearn.utils._testing.check_output" in message[0]
    assert "--trust-pickle" in message[0]
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith((".out", "out"))]


def truncated_lightgbm_text(path: Path) -> None:
    """A real LightGBM model text cut inside its first tree."""
    import lightgbm

    generator = np.random.default_rng(0)
    features = generator.normal(size=(200, 4))
    labels = (features[:, 0] > 0).astype(int)
    booster = lightgbm.train(
        {"objective": "binary", "verbose": -1}, lightgbm.Dataset(features, labels), 3
    )
    text = booster.model_to_string()
    path.write_text(text[: text.index("Tree=0") + 60])


def test_truncated_lightgbm_aborts_the_process_that_loads_it(tmp_path: Path) -> None:
    """The attack is real: LightGBM's own loader kills the interpreter that calls it."""
    truncated_lightgbm_text(tmp_path / "model.txt")
    load = "import lightgbm, sys; lightgbm.Booster(model_file=sys.argv[1])"
    died = subprocess.run(
        [sys.executable, "-c", load, str(tmp_path / "model.txt")], capture_output=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert died.returncode == -signal.SIGABRT


def test_truncated_lightgbm_is_one_fact_and_the_build_completes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    truncated_lightgbm_text(repo / "model.txt")
    frame = pd.DataFrame({"a": [0.1, 0.2, 0.3], "b": [1.0, 2.0, 3.0], "label": [0, 1, 0]})
    frame.to_csv(repo / "test.csv", index=False)
    out = tmp_path / "out"
    result = modeldoc(
        "build", repo, "--model", repo / "model.txt", "--data", repo / "test.csv",
        "--target", "label", "--out", out, "--no-site", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (checkpoint,) = json.loads((out / "facts.json").read_text())["checkpoints"]
    assert not checkpoint["loaded"]
    assert checkpoint["not_loaded_reason"].startswith("LightGBM could not read model.txt (the ")
    assert not [path.name for path in tmp_path.iterdir() if path.name.endswith(".building")]
    assert "Traceback" not in result.stderr
    # The user is told on the terminal too, in one line naming the file.
    assert "warning: model.txt was not loaded: LightGBM could not read model.txt" in result.stderr
