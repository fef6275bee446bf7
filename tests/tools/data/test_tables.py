"""Tables are read by their bytes, with caps; bad files give one clear error naming them."""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path

import pandas as pd
import pytest

from modeldoc.tools.data import tables
from modeldoc.tools.data.tables import DataError, read_table

FRAME = pd.DataFrame({"age": [31, 45, 27], "income": [3.5, 4.25, None], "label": ["a", "b", "a"]})


def test_csv_parquet_and_compressed_csv_read_the_same(tmp_path: Path) -> None:
    FRAME.to_csv(tmp_path / "plain.csv", index=False)
    FRAME.to_csv(tmp_path / "semicolons.txt", index=False, sep=";")
    FRAME.to_parquet(tmp_path / "data.csv")  # a Parquet file with the wrong extension
    (tmp_path / "data.csv.gz").write_bytes(gzip.compress((tmp_path / "plain.csv").read_bytes()))
    (tmp_path / "data.bz2").write_bytes(bz2.compress((tmp_path / "plain.csv").read_bytes()))
    expected = {"plain.csv": "csv", "semicolons.txt": "csv", "data.csv": "parquet",
                "data.csv.gz": "csv", "data.bz2": "csv"}  # fmt: skip
    for name, table_format in expected.items():
        frame, found = read_table(tmp_path / name)
        assert found == table_format, name
        pd.testing.assert_frame_equal(frame, FRAME, check_dtype=False)


def test_decompression_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    (tmp_path / "bomb.csv.gz").write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * 2_000_000))
    with pytest.raises(DataError, match=r"bomb\.csv\.gz: expands past the 1,000,000-byte cap"):
        read_table(tmp_path / "bomb.csv.gz", max_bytes=1_000_000)


def test_file_over_the_cap(tmp_path: Path) -> None:
    FRAME.to_csv(tmp_path / "data.csv", index=False)
    with pytest.raises(DataError, match="over the 10-byte cap"):
        read_table(tmp_path / "data.csv", max_bytes=10)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a,b\n1,2\n3,4,5,6\n", r"ragged\.csv: not a readable CSV \(.*line 3"),
        (b"", r"ragged\.csv: the file has no rows or columns"),
        (b"PAR1 this is not really parquet PAR1", r"ragged\.csv: not a readable Parquet"),
        (b"\x1f\x8b\x08\x00broken", r"ragged\.csv: the compressed stream is damaged"),
    ],
)
def test_bad_tables_give_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "ragged.csv").write_bytes(content)
    with pytest.raises(DataError, match=message) as error:
        read_table(tmp_path / "ragged.csv")
    assert "\n" not in str(error.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such data file"):
        read_table(tmp_path / "nope.csv")


@pytest.mark.parametrize("name", ["wide.csv", "wide.csv.gz", "wide.parquet"])
def test_a_table_wider_than_the_cap_is_refused_before_parsing(tmp_path: Path, name: str) -> None:
    wide = pd.DataFrame([range(12)], columns=[f"c{i}" for i in range(12)])
    path = tmp_path / name
    if name.endswith(".parquet"):
        wide.to_parquet(path)
    else:
        wide.to_csv(path, index=False, compression="infer")
    with pytest.raises(DataError, match=rf"^{name}: 12 columns, over the 10-column cap$"):
        read_table(path, max_columns=10)


def test_a_header_line_longer_than_any_allowed_header_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "_HEADER_BYTES", 100)
    (tmp_path / "long.csv").write_text("x" * 200 + "\n1\n")
    with pytest.raises(DataError, match=r"long\.csv: the header line is longer than 100 bytes"):
        read_table(tmp_path / "long.csv")


@pytest.mark.parametrize("name", ["long.csv", "long.csv.bz2", "long.parquet"])
def test_rows_past_the_cell_cap_are_refused(tmp_path: Path, name: str) -> None:
    """3 columns and a 30-cell cap: ten rows are read, eleven are refused (and the rows past
    the cap are never parsed)."""
    path = tmp_path / name
    for rows, fits in ((10, True), (11, False)):
        frame = pd.DataFrame({"a": range(rows), "b": 1.5, "c": "x"})
        if name.endswith(".parquet"):
            frame.to_parquet(path)
        else:
            frame.to_csv(path, index=False, compression="infer")
        if fits:
            pd.testing.assert_frame_equal(read_table(path, max_cells=30)[0], frame)
            continue
        with pytest.raises(
            DataError, match=rf"^{name}: more than 10 rows of 3 columns, over the 30-cell cap"
        ):
            read_table(path, max_cells=30)
