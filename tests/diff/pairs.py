"""Pairs of real builds that differ in one way each: a base repository (an XGBoost model
trained here, its test data with a sensitive column, a training script and a PyTorch model
file the scanner reads without importing torch) and heads derived from it. Every repository
folder is called `repo`, so the builds differ only where a head changed something.

`build_all` builds every variant, in parallel, each `modeldoc build` in its own process; the
`builds` fixture (conftest.py) does it once per session. A head that differs in its facts alone
(other gates, a tie, a rewritten line) is the base's or another head's fact sheet edited in
memory, never another build."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers.llm_server import isolate_llm_environment
from sklearn.datasets import make_classification
from xgboost import XGBClassifier

from modeldoc.facts import FactSheet, Gates

FEATURES = ["f1", "f2", "f3", "f4", "f5"]

TRAIN = """\
\"\"\"Train the classifier on data.csv and save it as XGBoost JSON.\"\"\"
import pandas as pd
from sklearn.model_selection import train_test_split
from xgboost import XGBClassifier

SEED = 0
LEARNING_RATE = {learning_rate}

frame = pd.read_csv("data.csv")
features = [column for column in frame.columns if column not in ("target", "group")]
train, test = train_test_split(frame, test_size=0.25, random_state=SEED)
model = XGBClassifier(n_estimators={n_estimators}, max_depth={max_depth}, \
learning_rate=LEARNING_RATE, random_state=SEED)
model.fit(train[features], train["target"])
model.save_model("model.json")
"""

NET = """\
import torch.nn as nn


class Scorer(nn.Module):
    def __init__(self, n_features=5):
        super().__init__()
        self.hidden = nn.Linear(n_features, 16)
        self.act = nn.ReLU()
        self.out = nn.Linear(16, 1)

    def forward(self, x):
        return self.out(self.act(self.hidden(x)))
"""
# The head of the "layer" pair: one layer more, on line 9.
NET_WITH_DROPOUT = NET.replace(
    "        self.act = nn.ReLU()\n",
    "        self.act = nn.ReLU()\n        self.drop = nn.Dropout(0.1)\n",
)

GATES = """\
gates:
  metrics:
    accuracy: {max_drop: 0.02, min: 0.6}
    log_loss: {max_rise: 0.1}
  slice_gaps:
    accuracy: {max: 0.3}
  shap_additivity: true
"""
# What a pull request would like its gates to be.
WEAK_GATES = """\
gates:
  metrics:
    accuracy: {max_drop: 0.5}
"""
SETTINGS = "model: model.json\ndata: test.csv\ntarget: target\nsensitive: [group]\n"


@dataclass(frozen=True)
class Variant:
    """How a head differs from the base."""

    features: list[str] = field(default_factory=lambda: list(FEATURES))
    n_estimators: int = 20
    max_depth: int = 2
    learning_rate: float = 0.3
    test_rows: tuple[int, int] = (400, 600)
    net: str = NET
    gates: str = GATES


VARIANTS = {
    "base": Variant(),
    # Retrained with other settings: a shallower, slower-learning model, worse than the base.
    "hyperparameters": Variant(max_depth=1, learning_rate=0.1),
    "feature": Variant(features=FEATURES[:4]),
    "data": Variant(test_rows=(350, 600)),
    # Reuses the model results of the base: same model file, data and settings (built after
    # it, it takes its results and plots from the cache).
    "layer": Variant(net=NET_WITH_DROPOUT),
}
BUILT_FIRST = ("base", "hyperparameters", "feature", "data")
# Builds run with the usual umask, whatever the test runner's, so their files' modes are known.
UMASK = 0o022


def frame() -> pd.DataFrame:
    """600 rows: five features, a sensitive column `group` the model does not use, `target`."""
    x, y = make_classification(n_samples=600, n_features=5, n_informative=3, random_state=0)
    data = pd.DataFrame(x, columns=FEATURES)
    data["group"] = np.where(np.random.default_rng(0).random(len(data)) < 0.5, "a", "b")
    data["target"] = y
    return data


def write_repository(root: Path, variant: Variant) -> Path:
    """The repository of `variant`: its code, settings, trained model and test data."""
    root.mkdir(parents=True)
    data = frame()
    columns = [*variant.features, "group", "target"]
    train = data.iloc[:400]
    model = XGBClassifier(
        n_estimators=variant.n_estimators,
        max_depth=variant.max_depth,
        learning_rate=variant.learning_rate,
        random_state=0,
    )
    model.fit(train[variant.features], train["target"])
    model.save_model(root / "model.json")
    data.iloc[slice(*variant.test_rows)][columns].to_csv(root / "test.csv", index=False)
    (root / "train.py").write_text(
        TRAIN.format(
            n_estimators=variant.n_estimators,
            max_depth=variant.max_depth,
            learning_rate=variant.learning_rate,
        )
    )
    (root / "net.py").write_text(variant.net)
    (root / "modeldoc.yml").write_text(SETTINGS + variant.gates)
    return root


@dataclass(frozen=True)
class Builds:
    """Each variant's output folder."""

    root: Path
    outs: dict[str, Path]

    def out(self, name: str) -> Path:
        """The output folder of variant `name`."""
        return self.outs[name]

    def facts(self, name: str) -> FactSheet:
        """Variant `name`'s fact sheet."""
        text = (self.outs[name] / "facts.json").read_text(encoding="utf-8")
        return FactSheet.model_validate_json(text)

    def repo(self, name: str) -> Path:
        """Variant `name`'s repository."""
        return self.root / name / "repo"


def weakened(builds: Builds) -> FactSheet:
    """The retrained head (a worse model) with the gates it would like: `WEAK_GATES`."""
    gates = Gates.model_validate(yaml.safe_load(WEAK_GATES)["gates"])
    return builds.facts("hyperparameters").model_copy(update={"gates": gates})


def write_facts(facts: FactSheet, path: Path) -> Path:
    """`facts` written as a facts.json at `path`, for `modeldoc diff` to read."""
    path.write_text(facts.model_dump_json(), encoding="utf-8")
    return path


def modeldoc(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`modeldoc ARGS` in a new process."""
    command = [sys.executable, "-m", "modeldoc", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def build_all(root: Path) -> Builds:
    """Every variant built under `root` with `modeldoc build` (offline, no site)."""
    outs = {name: root / name / "out" for name in VARIANTS}
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate_llm_environment(monkeypatch, root / "cache")
        # One thread per build: the builds run side by side, more threads would only compete.
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        for name, variant in VARIANTS.items():
            write_repository(root / name / "repo", variant)
        runner_umask = os.umask(UMASK)  # inherited by the builds
        try:
            for phase in (BUILT_FIRST, [name for name in VARIANTS if name not in BUILT_FIRST]):
                processes = {name: _start_build(root / name / "repo", outs[name]) for name in phase}
                for name, process in processes.items():
                    _, stderr = process.communicate(timeout=300)
                    assert process.returncode == 0, f"{name}: {stderr}"
        finally:
            os.umask(runner_umask)
    return Builds(root=root, outs=outs)


def _start_build(repo: Path, out: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "modeldoc", "build", str(repo), "--out", str(out),
               "--no-site", "--llm", "offline"]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
