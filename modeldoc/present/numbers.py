"""How every number appears in prose, tables, cards, plots and the diff: one format, so the
verifier can tell which fact a shown number rounds, and one interval format."""

from __future__ import annotations

import math

INTERVAL_FORMAT = "[{low}, {high}]"
"""How every confidence interval reads, its bounds already formatted: edit this one string
and the card, the site, the Model Card Toolkit JSON, plots and the diff all follow."""


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


def signed(value: float | int) -> str:
    """`number(value)` with a plus sign when it is positive: a change or a contribution."""
    return f"+{number(value)}" if value > 0 else number(value)


def percent(fraction: float | None) -> str:
    """A fraction as a percentage with one decimal, a whole one without it: 0.95 -> "95%",
    0.374 -> "37.4%" (below 0.1% in `number()`'s format, so it never reads as 0%)."""
    if fraction is None or not math.isfinite(fraction):
        return "unknown"
    scaled = fraction * 100
    if scaled != 0 and abs(scaled) < 0.1:
        return f"{number(scaled)}%"
    return f"{scaled:,.1f}".removesuffix(".0") + "%"


def interval(low: float | None, high: float | None) -> str:
    """A confidence interval as shown everywhere ("[0.923, 0.986]"), or "no interval"."""
    if low is None or high is None:
        return "no interval"
    return bounds(number(low), number(high))


def bounds(low: str, high: str) -> str:
    """Two bounds already formatted, as `INTERVAL_FORMAT` puts them together."""
    return INTERVAL_FORMAT.format(low=low, high=high)
