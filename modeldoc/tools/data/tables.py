"""Read an evaluation table (CSV, possibly compressed, or Parquet) with caps on size.

The format comes from the file's bytes. A compressed file is decompressed as a stream and
refused once it passes the cap, so a small bomb never fills memory. Problems are one-line
`DataError`s naming the file (and the line, for a ragged CSV).
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
from pathlib import Path
from typing import Literal

import pandas as pd

from modeldoc.errors import ModeldocError, first_line

MAX_TABLE_BYTES = 1_000_000_000
_SNIFF_BYTES = 64 * 1024
_CHUNK = 1 << 20
_DECOMPRESSORS: dict[bytes, type[gzip.GzipFile | bz2.BZ2File | lzma.LZMAFile]] = {
    b"\x1f\x8b": gzip.GzipFile,
    b"BZh": bz2.BZ2File,
    b"\xfd7zXZ\x00": lzma.LZMAFile,
}


class DataError(ModeldocError):
    """The data file cannot be used as it is."""


def read_table(
    path: Path, *, max_bytes: int = MAX_TABLE_BYTES
) -> tuple[pd.DataFrame, Literal["csv", "parquet"]]:
    """The table in `path` and its format."""
    if not path.is_file():
        raise DataError(f"{path}: no such data file")
    size = path.stat().st_size
    if size > max_bytes:
        raise DataError(f"{path.name}: {size:,} bytes, over the {max_bytes:,}-byte cap")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PAR1"):
        return _parquet(path), "parquet"
    decompressor = next((d for magic, d in _DECOMPRESSORS.items() if head.startswith(magic)), None)
    if decompressor is None:
        data = path.read_bytes()
    else:
        with decompressor(path) as stream:
            data = _capped(stream, path.name, max_bytes)
    return _csv(data, path.name), "csv"


def _capped(stream: io.BufferedIOBase, name: str, max_bytes: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    try:
        while block := stream.read(_CHUNK):
            total += len(block)
            if total > max_bytes:
                raise DataError(f"{name}: expands past the {max_bytes:,}-byte cap")
            parts.append(block)
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise DataError(f"{name}: the compressed stream is damaged ({error})") from error
    return b"".join(parts)


def _csv(data: bytes, name: str) -> pd.DataFrame:
    sample = data[:_SNIFF_BYTES].decode("utf-8", errors="replace")
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        return pd.read_csv(io.BytesIO(data), sep=delimiter)
    except pd.errors.EmptyDataError as error:
        raise DataError(f"{name}: the file has no rows or columns") from error
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        detail = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise DataError(f"{name}: not a readable CSV ({detail})") from error


def _parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as error:  # pyarrow raises its own hierarchy for damaged files
        raise DataError(
            f"{path.name}: not a readable Parquet file ({first_line(error)})"
        ) from error
