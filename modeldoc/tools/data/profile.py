"""Profile of an evaluation table, and its columns checked against the model's features."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, SupportsFloat

import pandas as pd

from modeldoc.facts import ColumnCheck, ColumnRange, DataProfile
from modeldoc.tools.data.tables import DataError
from modeldoc.tools.files import file_digest, finite_or_none

# A target with at most this many distinct values is counted per value (label balance).
MAX_LABELS = 50


def compare_columns(expected: Sequence[str], actual: Sequence[str]) -> ColumnCheck:
    """Which expected features are missing, which columns are extra, whether order differs."""
    present = set(actual)
    wanted = set(expected)
    missing = [name for name in expected if name not in present]
    extra = [name for name in actual if name not in wanted]
    common = [name for name in actual if name in wanted]
    reordered = not missing and common != [name for name in expected if name in present]
    return ColumnCheck(expected=list(expected), missing=missing, extra=extra, reordered=reordered)


def profile_table(
    frame: pd.DataFrame,
    path: Path,
    name: str,
    table_format: Literal["csv", "parquet"],
    *,
    target: str | None = None,
    expected_features: Sequence[str] | None = None,
) -> DataProfile:
    """The profile of `frame`, read from the file at `path` (shown as `name`).

    Raises `DataError` when `target` is not a column.
    """
    columns = [str(column) for column in frame.columns]
    if target is not None and target not in columns:
        raise DataError(f"{name}: no target column {target!r} (columns: {', '.join(columns[:20])})")
    features = [column for column in columns if column != target]
    return DataProfile(
        file=name,
        sha256=file_digest(path)[0],
        format=table_format,
        rows=len(frame),
        columns=columns,
        dtypes={str(column): str(dtype) for column, dtype in frame.dtypes.items()},
        missing={str(c): int(n) for c, n in frame.isna().sum().items() if n},
        ranges=_ranges(frame),
        target=target,
        label_counts=_labels(frame[target]) if target is not None else None,
        column_check=(
            compare_columns(list(expected_features), features)
            if expected_features is not None
            else None
        ),
    )


def _ranges(frame: pd.DataFrame) -> dict[str, ColumnRange]:
    # One reduction over all numeric columns at once: per column, pandas' own call cost
    # dominates a wide table (100,000 columns took minutes).
    numeric = frame.select_dtypes(include="number")
    low, high, mean = numeric.min(), numeric.max(), numeric.mean()
    return {
        str(column): ColumnRange(
            min=_number(low.iloc[i]),
            max=_number(high.iloc[i]),
            mean=_number(mean.iloc[i]),
        )
        for i, column in enumerate(numeric.columns)
    }


def _number(value: SupportsFloat) -> float | None:
    """A finite float, or None (NaN, infinities, and pandas' NA, which a nullable column's
    reduction gives for an empty column)."""
    return None if value is pd.NA else finite_or_none(value)


def _labels(target: pd.Series) -> dict[str, int] | None:
    counts = target.value_counts(dropna=False)
    if len(counts) > MAX_LABELS:
        return None
    return {str(label): int(count) for label, count in counts.items()}
