"""SHAP explanation speed and build memory, in one run.

1. Tree path: an XGBoost model with 200 trees on 10,000 rows x 30 features. modeldoc's
   whole explain step (SHAP values, additivity check, importance with direction, local rows)
   against `shap.TreeExplainer` called directly on the same rows (the baseline); best of
   three each, interleaved, with the ratio (target: at most 1.2).
2. Model-agnostic path: a scikit-learn pipeline explained by permutation under a time
   budget; the step must end within the budget + 10%.
3. `modeldoc build` on each example: wall time and peak memory (`/usr/bin/time -v`;
   target under 1 GiB).

    python benchmarks/explain.py [--budget 10] [--skip-builds]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import xgboost
from build import example_builds  # benchmarks/build.py: the builds are measured there
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from modeldoc.tools.checkpoints.load import load_checkpoint
from modeldoc.tools.evaluate.predict import predict
from modeldoc.tools.explain.raw import ExplainBudget
from modeldoc.tools.explain.run import explain_model
from modeldoc.tools.explain.shap_import import import_shap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=10.0, help="agnostic time budget (s)")
    parser.add_argument("--skip-builds", action="store_true", help="skip the example builds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tree_path(Path(folder))
        agnostic_path(Path(folder), args.budget)
    if not args.skip_builds:
        example_builds()


def tree_path(folder: Path) -> None:
    features, target = make_classification(
        n_samples=10_000, n_features=30, n_informative=12, random_state=0
    )
    frame = pd.DataFrame(features, columns=[f"f{i}" for i in range(30)])
    model = xgboost.XGBClassifier(n_estimators=200, max_depth=6, random_state=0)
    model.fit(frame, target)
    model.get_booster().save_model(folder / "model.json")
    loaded = load_checkpoint(folder / "model.json")
    predictions = predict(loaded, frame)
    shap = import_shap()

    def direct() -> None:
        shap.TreeExplainer(loaded.model)(frame, check_additivity=False)

    def modeldoc_step() -> None:
        explain_model(loaded, frame, target, predictions, "classification")

    direct()  # warm both paths once: imports and shap's first-call set-up
    modeldoc_step()
    baseline, ours = _best_of(3, direct, modeldoc_step)
    print("tree path: XGBoost, 200 trees, 10,000 rows x 30 features")
    print(f"  shap.TreeExplainer directly  {baseline:6.2f} s (best of 3)")
    print(f"  modeldoc explain step        {ours:6.2f} s (best of 3)")
    print(f"  ratio                        {ours / baseline:6.2f} (target <= 1.2)")


def agnostic_path(folder: Path, budget: float) -> None:
    features, target = make_classification(
        n_samples=2_000, n_features=20, n_informative=8, random_state=1
    )
    frame = pd.DataFrame(features, columns=[f"f{i}" for i in range(20)])
    # k-nearest neighbours: slow to predict, so the budget, not the rows, ends the step.
    model = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=15))
    model.fit(frame, target)
    import skops.io

    skops.io.dump(model, folder / "pipeline.skops")
    loaded = load_checkpoint(folder / "pipeline.skops")
    predictions = predict(loaded, frame)
    explain = ExplainBudget(rows=2_000, seconds=budget)
    started = time.perf_counter()
    result = explain_model(loaded, frame, target, predictions, "classification", explain)
    took = time.perf_counter() - started
    facts = result.facts
    print(f"agnostic path: pipeline (scaler + 15-NN), {len(frame):,} rows x 20 features")
    print(f"  explainer {facts.explainer}, budget {budget:.1f} s, took {took:.2f} s "
          f"({took / budget:.2f} x budget, target <= 1.10)")  # fmt: skip
    error = facts.additivity.max_error if facts.additivity else None
    print(f"  rows explained {facts.rows_explained} of {facts.rows_available}, stopped by "
          f"budget: {facts.stopped_by_time_budget}, additivity max error {error}")  # fmt: skip


def _best_of(runs: int, *steps: Callable[[], Any]) -> list[float]:
    best = [float("inf")] * len(steps)
    for _ in range(runs):
        for i, step in enumerate(steps):
            started = time.perf_counter()
            step()
            best[i] = min(best[i], time.perf_counter() - started)
    return best


if __name__ == "__main__":
    main()
