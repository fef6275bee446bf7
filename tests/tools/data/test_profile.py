"""Profiles agree with pandas computed directly; column differences are all listed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from modeldoc.tools.data.profile import compare_columns, profile_table
from modeldoc.tools.data.tables import DataError, read_table


def test_profile_matches_pandas(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 90, 200),
            "income": np.where(rng.random(200) < 0.1, np.nan, rng.normal(50, 10, 200)),
            "city": rng.choice(["x", "y"], 200),
            "churned": rng.choice([0, 1], 200, p=[0.8, 0.2]),
        }
    )
    path = tmp_path / "test.csv"
    frame.to_csv(path, index=False)
    table, table_format = read_table(path)
    profile = profile_table(
        table, path, "test.csv", table_format, target="churned",
        expected_features=["age", "income", "city"],
    )  # fmt: skip
    assert profile.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (profile.rows, profile.columns) == (200, ["age", "income", "city", "churned"])
    assert profile.missing == {"income": int(frame["income"].isna().sum())}
    assert profile.ranges["age"].min == frame["age"].min()
    assert profile.ranges["income"].mean == pytest.approx(frame["income"].mean())
    assert "city" not in profile.ranges
    counts = frame["churned"].value_counts()
    assert profile.label_counts == {"0": int(counts[0]), "1": int(counts[1])}
    assert profile.column_check is not None and profile.column_check.matches


def test_missing_target_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "test.csv"
    pd.DataFrame({"a": [1]}).to_csv(path, index=False)
    table, table_format = read_table(path)
    with pytest.raises(DataError, match="no target column 'label'"):
        profile_table(table, path, "test.csv", table_format, target="label")


@pytest.mark.parametrize(
    ("actual", "missing", "extra", "reordered"),
    [
        (["a", "b", "c"], [], [], False),
        (["a", "c"], ["b"], [], False),
        (["a", "b", "c", "d"], [], ["d"], False),
        (["c", "a", "b"], [], [], True),
        (["b", "a", "x"], ["c"], ["x"], False),
    ],
)
def test_compare_columns(
    actual: list[str], missing: list[str], extra: list[str], reordered: bool
) -> None:
    check = compare_columns(["a", "b", "c"], actual)
    assert (check.missing, check.extra, check.reordered) == (missing, extra, reordered)
