"""Attacks through model files: a skops file that names a function living inside an allowed
library, and a corrupt model file that makes a native parser abort the process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio
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


def test_skops_function_inside_an_allowed_library_is_refused(
    tmp_path: Path, marker: Path
) -> None:
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
    message = result.stderr.strip().splitlines()
    assert len(message) == 1, result.stderr
    assert message[0].startswith("modeldoc: error: model.skops")
    assert "sklearn.utils._testing.check_output" in message[0]
    assert "--trust-pickle" in message[0]
    assert not (tmp_path / "out").exists()
