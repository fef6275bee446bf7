"""Facts about files as bytes."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import SupportsFloat


def file_digest(path: Path) -> tuple[str, int]:
    """The sha256 (hex) and size in bytes of a file, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def finite_or_none(value: SupportsFloat) -> float | None:
    """A number as a float, or None for NaN and infinities (JSON cannot hold them)."""
    number = float(value)
    return number if math.isfinite(number) else None
