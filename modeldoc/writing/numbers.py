"""How every number appears in prose, tables and cards: one format, so the verifier can
tell which fact a shown number rounds."""

from __future__ import annotations

import math


def number(value: float | int | None) -> str:
    """`value` for people: integers with thousands separators; floats with three decimals
    (one from 100 up, three significant digits below 0.001); None as "unknown"."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "unknown"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude < 0.001:
        return f"{value:.3g}"
    if magnitude >= 100:
        return f"{value:,.1f}"
    return f"{value:.3f}"


def interval(low: float | None, high: float | None) -> str:
    """A confidence interval as shown everywhere: "[0.923, 0.986]", or "no interval"."""
    if low is None or high is None:
        return "no interval"
    return f"[{number(low)}, {number(high)}]"
