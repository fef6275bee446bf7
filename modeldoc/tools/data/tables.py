"""Read an evaluation table (CSV, possibly compressed, or Parquet) with caps on size.

The format comes from the file's bytes. The costs are estimated before the table is parsed:
the columns from the CSV's header line or the Parquet footer (over `MAX_COLUMNS`: refused),
and the rows are read only up to `MAX_CELLS` cells (over it: refused), since parsing,
profiling and scoring grow with both. A compressed file is decompressed as a stream and
refused once it passes the byte cap, so a small bomb never fills memory. Problems are
one-line `DataError`s naming the file (and the line, for a ragged CSV).
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

import pandas as pd

from modeldoc.errors import ModeldocError, first_line

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

MAX_TABLE_BYTES = 1_000_000_000
# Wider tables are refused: pandas parses and profiles them column by column (100,000
# columns took minutes), and few models take more features than this.
MAX_COLUMNS = 10_000
# Rows x columns parsed at most: about 800 MB of numbers, read in well under a minute.
MAX_CELLS = 100_000_000
_SNIFF_BYTES = 64 * 1024
# A header line longer than this holds more columns than the cap anyway.
_HEADER_BYTES = 4 << 20
_CHUNK = 1 << 20
_DECOMPRESSORS: dict[bytes, type[gzip.GzipFile | bz2.BZ2File | lzma.LZMAFile]] = {
    b"\x1f\x8b": gzip.GzipFile,
    b"BZh": bz2.BZ2File,
    b"\xfd7zXZ\x00": lzma.LZMAFile,
}
# What a damaged compressed stream raises while it is read.
_DAMAGED = (OSError, EOFError, lzma.LZMAError)


class DataError(ModeldocError):
    """The data file cannot be used as it is."""


def read_table(
    path: Path,
    *,
    max_bytes: int = MAX_TABLE_BYTES,
    max_columns: int = MAX_COLUMNS,
    max_cells: int = MAX_CELLS,
) -> tuple[pd.DataFrame, Literal["csv", "parquet"]]:
    """The table in `path` and its format; `DataError` when it passes a cap."""
    if not path.is_file():
        raise DataError(f"{path}: no such data file")
    size = path.stat().st_size
    if size > max_bytes:
        raise DataError(f"{path.name}: {size:,} bytes, over the {max_bytes:,}-byte cap")
    with path.open("rb") as handle:
        head = handle.read(8)
    caps = _Caps(path.name, max_columns, max_cells)
    if head.startswith(b"PAR1"):
        return _parquet(path, caps), "parquet"
    decompressor = next((d for magic, d in _DECOMPRESSORS.items() if head.startswith(magic)), None)

    def opener() -> IO[bytes]:
        if decompressor is None:
            return path.open("rb")
        return io.BufferedReader(_Capped(decompressor(path), path.name, max_bytes), _CHUNK)

    return _csv(opener, caps), "csv"


class _Caps:
    """The column and cell caps of one file, and its one-line refusals."""

    def __init__(self, name: str, max_columns: int, max_cells: int) -> None:
        self.name = name
        self.max_columns = max_columns
        self.max_cells = max_cells

    def check_columns(self, columns: int) -> None:
        if columns > self.max_columns:
            raise DataError(
                f"{self.name}: {columns:,} columns, over the {self.max_columns:,}-column cap"
            )

    def max_rows(self, columns: int) -> int:
        return max(1, self.max_cells // max(1, columns))

    def check_rows(self, rows: int, columns: int) -> None:
        if rows > self.max_rows(columns):
            raise DataError(
                f"{self.name}: more than {self.max_rows(columns):,} rows of {columns:,} "
                f"columns, over the {self.max_cells:,}-cell cap; evaluate on a sample of it"
            )


class _Capped(io.RawIOBase):
    """A decompressed stream that fails once more than `max_bytes` came out of it."""

    def __init__(self, stream: io.BufferedIOBase, name: str, max_bytes: int) -> None:
        super().__init__()
        self._stream = stream
        self._name = name
        self._max_bytes = max_bytes
        self._total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        try:
            block = self._stream.read(min(len(view), _CHUNK))
        except _DAMAGED as error:
            raise DataError(f"{self._name}: the compressed stream is damaged ({error})") from error
        self._total += len(block)
        if self._total > self._max_bytes:
            raise DataError(f"{self._name}: expands past the {self._max_bytes:,}-byte cap")
        view[: len(block)] = block
        return len(block)

    def close(self) -> None:
        self._stream.close()
        super().close()


def _csv(opener: Callable[[], IO[bytes]], caps: _Caps) -> pd.DataFrame:
    name = caps.name
    with opener() as stream:
        sample = stream.read(_SNIFF_BYTES)
    try:
        delimiter = (
            csv.Sniffer()
            .sniff(sample.decode("utf-8", errors="replace"), delimiters=",;\t|")
            .delimiter
        )
    except csv.Error:
        delimiter = ","
    with opener() as stream:
        columns = _header_columns(stream.readline(_HEADER_BYTES + 1), delimiter, caps)
    caps.check_columns(columns)
    try:
        # Decoded here: pandas' own wrapper of a binary stream is left unclosed when it stops
        # at `nrows`.
        with opener() as stream, io.TextIOWrapper(stream, encoding="utf-8", newline="") as text:
            frame = pd.read_csv(text, sep=delimiter, nrows=caps.max_rows(columns) + 1)
    except DataError:
        raise
    except pd.errors.EmptyDataError as error:
        raise DataError(f"{name}: the file has no rows or columns") from error
    except _DAMAGED as error:
        raise DataError(f"{name}: the compressed stream is damaged ({error})") from error
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        detail = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise DataError(f"{name}: not a readable CSV ({detail})") from error
    caps.check_columns(frame.shape[1])
    caps.check_rows(len(frame), frame.shape[1])
    return frame


def _header_columns(line: bytes, delimiter: str, caps: _Caps) -> int:
    """The fields of the CSV's first line (an estimate: a quoted line break ends it early)."""
    if len(line) > _HEADER_BYTES:
        raise DataError(
            f"{caps.name}: the header line is longer than {_HEADER_BYTES:,} bytes, "
            f"more than the {caps.max_columns:,}-column cap allows"
        )
    text = line.decode("utf-8", errors="replace").rstrip("\r\n")
    fields = next(csv.reader([text], delimiter=delimiter), [])
    return len(fields)


def _parquet(path: Path, caps: _Caps) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_metadata(path)
        caps.check_columns(metadata.num_columns)
        caps.check_rows(metadata.num_rows, metadata.num_columns)
        return pd.read_parquet(path)
    except DataError:
        raise
    except Exception as error:  # pyarrow raises its own hierarchy for damaged files
        raise DataError(
            f"{path.name}: not a readable Parquet file ({first_line(error)})"
        ) from error
