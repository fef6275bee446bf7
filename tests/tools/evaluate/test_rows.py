"""The scored rows: rows without a target left out and counted, a seeded sample above the cap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from modeldoc.tools.evaluate.rows import scored_rows


def test_rows_without_a_target_value_are_left_out_and_counted() -> None:
    frame = pd.DataFrame({"x": range(6), "y": ["a", " ", "", None, np.nan, "b"]})
    scored = scored_rows(frame, "y", seed=0)
    assert scored.frame["x"].tolist() == [0, 5]
    assert (scored.data_rows, scored.not_computed) == (6, None)
    assert scored.notes == ["4 rows have no target value and were left out"]


def test_labels_read_as_floats_because_of_empty_rows_are_integers_again() -> None:
    frame = pd.DataFrame({"x": range(4), "y": [1.0, np.nan, 0.0, 1.0]})
    scored = scored_rows(frame, "y", seed=0)
    assert scored.frame["y"].dtype == np.int64 and scored.frame["y"].tolist() == [1, 0, 1]
    assert scored.notes == ["1 row has no target value and was left out"]


def test_a_target_without_any_value_scores_nothing_and_says_why() -> None:
    frame = pd.DataFrame({"x": range(3), "y": ["", " ", None]})
    scored = scored_rows(frame, "y", seed=0)
    assert scored.frame.empty
    assert scored.not_computed == "the target column 'y' holds no values (all 3 rows are empty)"
    assert scored_rows(frame.iloc[:0], "y", seed=0).not_computed == "the data has no rows"


def test_above_the_cap_a_seeded_sample_in_file_order_is_scored() -> None:
    frame = pd.DataFrame({"x": range(1000), "y": np.arange(1000) % 2})
    first = scored_rows(frame, "y", seed=4, max_rows=100)
    again = scored_rows(frame, "y", seed=4, max_rows=100)
    other = scored_rows(frame, "y", seed=5, max_rows=100)
    assert len(first.frame) == 100 and first.frame["x"].is_monotonic_increasing
    assert first.frame["x"].tolist() == again.frame["x"].tolist() != other.frame["x"].tolist()
    assert first.data_rows == 1000
    assert first.notes == [
        "a seeded sample (seed 4) of 100 of the 1,000 rows with a target value was scored: "
        "at most 100 rows are, to bound time and memory"
    ]
    assert scored_rows(frame, "y", seed=4, max_rows=1000).notes == []
