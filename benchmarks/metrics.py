"""Bootstrap interval speed and memory.

Speed: the former one-resample-at-a-time scikit-learn loop against the vectorised
`classification(...)` and `regression(...)`, on synthetic binary and regression data of 171
and 10,000 rows. Prints, for each case, the seconds of the former loop (kept below as the
reference; one run, it is slow), of the new call (best of three), their ratio, and the
largest difference between the interval ends of the two. The new call also computes the
point values, the per-class table and the confusion matrix, so the ratio understates the
interval speed-up.

Memory (`--memory-rows`, default 500,000 and 2,000,000): the peak resident memory of a
fresh process that only builds the inputs, of one that also makes the former single draw
of every resample's rows (shape (resamples, rows), 8 bytes a cell; run under an address-space
limit, `--former-limit-mb`, so it fails instead of swapping the machine), and of one that
runs `classification(...)` and `regression(...)` on them, drawing block by block.

    python benchmarks/metrics.py [--resamples 1000] [--rows 171 10000]
                                 [--memory-rows 500000 2000000] [--former-limit-mb 2048]
                                 [--memory-resamples 1000]
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn import metrics as skm

from modeldoc.facts import Evaluation
from modeldoc.tools.evaluate.metrics import BOOTSTRAP_SEED, classification, regression

Array = NDArray[Any]
Scorer = Callable[[Array, Array], float]
Interval = tuple[float, float] | None


def binary_data(rows: int, seed: int = 0) -> tuple[Array, Array, Array]:
    """True labels (about a third positive), predictions and two-column probabilities."""
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.37).astype(int)
    logit = 2.5 * (2 * y - 1) + rng.normal(scale=1.5, size=rows)
    positive = 1 / (1 + np.exp(-logit))
    return y, (positive >= 0.5).astype(int), np.column_stack([1 - positive, positive])


def regression_data(rows: int, seed: int = 0) -> tuple[Array, Array]:
    """True values around 150 and predictions with an error of about 50, like diabetes."""
    rng = np.random.default_rng(seed)
    y = rng.normal(loc=150, scale=75, size=rows)
    return y, y + rng.normal(scale=50, size=rows)


def reference_intervals(
    scorers: dict[str, tuple[Scorer, Array]], y_true: Array, resamples: int, seed: int
) -> dict[str, Interval]:
    """The plain loop: every resample scored by scikit-learn in turn; resamples where the
    metric is undefined (NaN) left out, no interval when under 90% remain."""
    indices = np.random.default_rng(seed).integers(0, len(y_true), size=(resamples, len(y_true)))
    found: dict[str, Interval] = {}
    for name, (score, y_other) in scorers.items():
        samples = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for rows in indices:
                value = float(score(y_true[rows], y_other[rows]))
                if math.isfinite(value):
                    samples.append(value)
        if len(samples) < 0.9 * len(indices):
            found[name] = None
            continue
        tail = (1 - 0.95) / 2 * 100  # the former expression: 2.4999999999999996, not 2.5
        low, high = np.percentile(samples, [tail, 100 - tail])
        found[name] = (float(low), float(high))
    return found


def classification_scorers(pred: Array, proba: Array) -> dict[str, tuple[Scorer, Array]]:
    """The binary metrics with intervals, as the former code scored them."""

    def f1_macro(t: Array, p: Array) -> float:
        return float(skm.f1_score(t, p, average="macro", zero_division=0))

    def roc_auc(t: Array, s: Array) -> float:
        return float(skm.roc_auc_score(t == 1, s[:, 1]))

    return {
        "accuracy": (skm.accuracy_score, pred),
        "balanced_accuracy": (skm.balanced_accuracy_score, pred),
        "f1_macro": (f1_macro, pred),
        "roc_auc": (roc_auc, proba),
    }


def regression_scorers(pred: Array) -> dict[str, tuple[Scorer, Array]]:
    return {
        "mae": (skm.mean_absolute_error, pred),
        "rmse": (skm.root_mean_squared_error, pred),
        "r2": (skm.r2_score, pred),
    }


def largest_difference(evaluation: Evaluation, reference: dict[str, Interval]) -> float:
    """The largest gap between an interval end of `evaluation` and of the reference."""
    largest = 0.0
    for name, expected in reference.items():
        metric = evaluation.metric(name)
        assert metric is not None and expected is not None
        for got, want in zip((metric.ci_low, metric.ci_high), expected, strict=True):
            assert got is not None
            largest = max(largest, abs(got - want))
    return largest


def _best_of(runs: int, call: Callable[[], Evaluation]) -> tuple[float, Evaluation]:
    best, result = math.inf, None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def _report(case: str, old_seconds: float, new_seconds: float, difference: float) -> None:
    print(
        f"{case:<22} former loop {old_seconds:8.3f} s   new {new_seconds:7.4f} s   "
        f"ratio {old_seconds / new_seconds:7.0f}x   largest interval difference {difference:.1e}"
    )


def bench_binary(rows: int, resamples: int, seed: int) -> None:
    y, pred, proba = binary_data(rows)
    start = time.perf_counter()
    reference = reference_intervals(classification_scorers(pred, proba), y, resamples, seed)
    old_seconds = time.perf_counter() - start
    new_seconds, evaluation = _best_of(
        3, lambda: classification(y, pred, proba, labels=[0, 1], resamples=resamples, seed=seed)
    )
    difference = largest_difference(evaluation, reference)
    _report(f"binary, {rows} rows", old_seconds, new_seconds, difference)


def bench_regression(rows: int, resamples: int, seed: int) -> None:
    y_true, y_pred = regression_data(rows)
    start = time.perf_counter()
    reference = reference_intervals(regression_scorers(y_pred), y_true, resamples, seed)
    old_seconds = time.perf_counter() - start
    new_seconds, evaluation = _best_of(
        3, lambda: regression(y_true, y_pred, resamples=resamples, seed=seed)
    )
    difference = largest_difference(evaluation, reference)
    _report(f"regression, {rows} rows", old_seconds, new_seconds, difference)


def child(mode: str, rows: int, resamples: int, limit_mb: int) -> None:
    """One memory measurement, in this (fresh) process: build the inputs, then `mode`."""
    y, pred, proba = binary_data(rows)
    y_true, y_pred = regression_data(rows)
    if mode == "former":
        limit = limit_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            np.random.default_rng(BOOTSTRAP_SEED).integers(0, rows, size=(resamples, rows))
        except MemoryError:
            sys.exit(3)
    elif mode == "new":
        classification(y, pred, proba, labels=[0, 1], resamples=resamples)
        regression(y_true, y_pred, resamples=resamples)


def measure(mode: str, rows: int, resamples: int, limit_mb: int) -> tuple[float, float, int]:
    """Peak resident MB, seconds and exit status of `child(mode, ...)` in a new process."""
    command = [sys.executable, __file__, "--child", mode, str(rows), str(resamples), str(limit_mb)]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped by wait4 above
    return usage.ru_maxrss / 1024, time.perf_counter() - started, os.waitstatus_to_exitcode(status)


def bench_memory(rows: int, resamples: int, new_resamples: int, limit_mb: int) -> None:
    inputs, _, _ = measure("inputs", rows, resamples, limit_mb)
    former, _, code = measure("former", rows, resamples, limit_mb)
    need = resamples * rows * 8 / 2**20
    if code == 0:
        former_text = f"{former:7.0f} MB"
    else:
        former_text = f"MemoryError under {limit_mb:,} MB (the draw alone needs {need:,.0f} MB)"
    new, seconds, code = measure("new", rows, new_resamples, limit_mb)
    assert code == 0, f"the new bootstrap failed at {rows:,} rows"
    print(f"{rows:>10,} rows   inputs only {inputs:5.0f} MB   "
          f"former single draw of {resamples:,} resamples {former_text}   "
          f"new, classification + regression with {new_resamples:,} resamples "
          f"{new:5.0f} MB ({seconds:.0f} s)")  # fmt: skip


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], *map(int, sys.argv[3:6]))
        return
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--resamples", type=int, default=1000)
    options.add_argument("--rows", type=int, nargs="*", default=[171, 10_000])
    options.add_argument("--memory-rows", type=int, nargs="*", default=[500_000, 2_000_000])
    options.add_argument("--former-limit-mb", type=int, default=2048)
    # The new bootstrap's memory does not grow with the resamples (they come in blocks of
    # about `BLOCK_CELLS` cells): fewer make the measurement quicker, not smaller.
    options.add_argument("--memory-resamples", type=int, default=1000)
    args = options.parse_args()
    print(
        f"{args.resamples} resamples, seed {BOOTSTRAP_SEED}; former loop: one run, new: best of 3"
    )
    for rows in args.rows:
        bench_binary(rows, args.resamples, BOOTSTRAP_SEED)
        bench_regression(rows, args.resamples, BOOTSTRAP_SEED)
    if args.memory_rows:
        print("peak resident memory of a fresh process (ru_maxrss)")
    for rows in args.memory_rows:
        bench_memory(rows, args.resamples, args.memory_resamples, args.former_limit_mb)


if __name__ == "__main__":
    main()
