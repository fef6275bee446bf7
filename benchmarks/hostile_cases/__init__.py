"""The hostile cases `benchmarks/hostile.py` runs: each area's module holds a `CASES` list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Case:
    """One hostile input: `prepare` writes it under a fresh folder and returns the arguments
    of `modeldoc` that run it; `exit_codes` are the statuses that count as handled."""

    name: str
    prepare: Callable[[Path], list[str]]
    exit_codes: tuple[int, ...] = field(default=(0, 2))
