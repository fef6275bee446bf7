"""Hostile evaluation data: many rows, many columns, a target that cannot be scored.

Each case writes a small XGBoost classifier (JSON, four features) and a data file beside it,
then runs `modeldoc build` on them without the site. The big files are written from a block
of rows formatted once and repeated, so preparing 10 million rows takes seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xgboost

from hostile_cases import Case

FEATURES = ["f0", "f1", "f2", "f3"]
_BLOCK_ROWS = 100_000


def _model(folder: Path) -> Path:
    """A 20-tree XGBoost classifier of `FEATURES`, saved as JSON."""
    rng = np.random.default_rng(0)
    features = rng.normal(size=(2_000, len(FEATURES)))
    target = (features[:, 0] + rng.normal(scale=0.5, size=2_000) > 0).astype(int)
    model = xgboost.XGBClassifier(n_estimators=20, max_depth=3, random_state=0)
    model.fit(features, target)
    booster = model.get_booster()
    booster.feature_names = FEATURES
    path = folder / "model.json"
    booster.save_model(path)
    return path


def _rows_csv(path: Path, rows: int) -> None:
    """`rows` rows of the four features, a binary target and a group column."""
    rng = np.random.default_rng(1)
    block_rows = min(rows, _BLOCK_ROWS)
    values = np.round(rng.normal(size=(block_rows, len(FEATURES))), 4)
    target = (values[:, 0] + rng.normal(scale=0.5, size=block_rows) > 0).astype(int)
    group = rng.choice(np.array(["a", "b", "c"]), size=block_rows)
    lines = [
        ",".join([*map(str, row), str(label), name])
        for row, label, name in zip(values.tolist(), target.tolist(), group.tolist(), strict=True)
    ]
    block = ("\n".join(lines) + "\n").encode()
    with path.open("wb") as handle:
        handle.write((",".join([*FEATURES, "target", "group"]) + "\n").encode())
        for _ in range(rows // block_rows):
            handle.write(block)
        rest = rows % block_rows
        if rest:
            handle.write(("\n".join(lines[:rest]) + "\n").encode())


def _build(folder: Path, data: Path, *extra: str) -> list[str]:
    model = _model(folder)
    return ["build", str(folder), "--model", str(model), "--data", str(data),
            "--target", "target", "--out", str(folder / "out"), "--llm", "offline",
            "--no-site", *extra]  # fmt: skip


def _many_rows(rows: int) -> Case:
    def prepare(folder: Path) -> list[str]:
        data = folder / "test.csv"
        _rows_csv(data, rows)
        return _build(folder, data, "--sensitive", "group")

    return Case(f"data: {rows:,} rows", prepare, exit_codes=(0,))


def _many_columns(folder: Path) -> list[str]:
    """100,000 columns (the model's four among them) by 20 rows."""
    rng = np.random.default_rng(2)
    columns = [*FEATURES, "target", *(f"x{i}" for i in range(100_000 - len(FEATURES) - 1))]
    values = np.round(rng.normal(size=(20, len(columns))), 3)
    values[:, len(FEATURES)] = values[:, 0] > 0
    data = folder / "wide.csv"
    with data.open("w") as handle:
        handle.write(",".join(columns) + "\n")
        for row in values.tolist():
            handle.write(",".join(map(str, row)) + "\n")
    return _build(folder, data)


def _all_nan_target(folder: Path) -> list[str]:
    data = folder / "test.csv"
    _rows_csv(data, 1_000)
    text = data.read_text().splitlines()
    cells = [line.split(",") for line in text]
    for row in cells[1:]:
        row[len(FEATURES)] = ""
    data.write_text("\n".join(",".join(row) for row in cells) + "\n")
    return _build(folder, data)


CASES = [
    _many_rows(500_000),
    _many_rows(10_000_000),
    Case("data: 100,000 columns", _many_columns),
    Case("data: all-NaN target", _all_nan_target, exit_codes=(0,)),
]
