"""Gates: limits a head's model must keep, held against the base's facts and the head's.

The gates that count are the base's (the trusted branch): a pull request can edit its own
`modeldoc.yml`, so the gates its head recorded are only compared, never applied. A gate that
cannot be checked (its number is missing) fails with the reason, never passes silently.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from modeldoc.diff.report import GateResult, GatesReport
from modeldoc.diff.results import largest_gap
from modeldoc.errors import InputError
from modeldoc.facts import FactSheet, GateBounds, Gates
from modeldoc.present.numbers import number
from modeldoc.settings import settings_in_file

# A difference of two floats carries rounding error: 0.958 - 0.948 is not exactly 0.01.
_TOLERANCE = 1e-9


def load_gates_file(path: Path) -> Gates | None:
    """The `gates:` of a settings file (`modeldoc.yml`, or `[tool.modeldoc]` of a
    `pyproject.toml`); None when it sets none. The whole file is read and checked as the
    build reads its settings (`modeldoc.settings`), and errors name the file."""
    return settings_in_file(path).gates


def parse_gates(value: object, *, where: str) -> Gates:
    """`gates:` validated; a mistake is one line naming the setting."""
    try:
        return Gates.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        loc = ".".join(str(part) for part in ("gates", *first["loc"]))
        message = first["msg"].removeprefix("Value error, ")
        raise InputError(f"{where}: setting {loc}: {message}") from error


def rules(gates: Gates | None) -> list[str]:
    """Each limit of `gates` as one line (`metrics.accuracy.max_drop: 0.01`), to compare two
    sets of gates."""
    if gates is None:
        return []
    found = []
    for part, entries in (("metrics", gates.metrics), ("slice_gaps", gates.slice_gaps)):
        for name, bounds in entries.items():
            for limit, value in bounds.model_dump(exclude_none=True).items():
                found.append(f"{part}.{name}.{limit}: {value}")
    if gates.shap_additivity:
        found.append("shap_additivity: true")
    return found


def gates_report(
    base: FactSheet, head: FactSheet, *, gates_file: Path | None = None
) -> GatesReport:
    """The gates that count (the `--gates` file's, else the base's) held against both sides,
    and whether the head recorded other gates."""
    source: Literal["base", "file", "none"]
    if gates_file is not None:
        applied, source = load_gates_file(gates_file), "file"
    else:
        applied, source = base.gates, "base" if base.gates is not None else "none"
    applied_rules, head_rules = rules(applied), rules(head.gates)
    results = evaluate(applied, base, head) if applied is not None else []
    return GatesReport(
        source=source,
        file=str(gates_file) if gates_file is not None else None,
        applied=applied,
        head_gates=head.gates,
        head_differs=sorted(applied_rules) != sorted(head_rules),
        only_applied=[rule for rule in applied_rules if rule not in head_rules],
        only_head=[rule for rule in head_rules if rule not in applied_rules],
        results=results,
        passed=all(result.passed for result in results) if results else None,
    )


def evaluate(gates: Gates, base: FactSheet, head: FactSheet) -> list[GateResult]:
    """Every limit of every gate, passed or failed, with the numbers."""
    results: list[GateResult] = []
    for name, bounds in gates.metrics.items():
        base_value, base_why = _metric(base, name)
        head_value, head_why = _metric(head, name)
        results += _bounds(f"metrics.{name}", name, bounds,
                           (base_value, base_why), (head_value, head_why))  # fmt: skip
    for name, bounds in gates.slice_gaps.items():
        base_gap, base_where = largest_gap(base.evaluation, name)
        head_gap, head_where = largest_gap(head.evaluation, name)
        label = f"the largest slice gap in {name}"
        results += _bounds(
            f"slice_gaps.{name}",
            label + (f" (column {head_where})" if head_gap is not None else ""),
            bounds,
            (base_gap, base_where if base_gap is None else None),
            (head_gap, head_where if head_gap is None else None),
        )
    if gates.shap_additivity:
        results.append(_additivity(head))
    return results


def _metric(facts: FactSheet, name: str) -> tuple[float | None, str | None]:
    if facts.evaluation is None:
        return None, "no evaluation"
    metric = facts.evaluation.metric(name)
    if metric is None:
        known = ", ".join(m.name for m in facts.evaluation.metrics) or "none"
        return None, f"no metric named {name} (metrics: {known})"
    if metric.value is None:
        return None, metric.not_computed or "not computed"
    return metric.value, None


Found = tuple[float | None, str | None]


def _bounds(
    gate: str, label: str, bounds: GateBounds, base: Found, head: Found
) -> list[GateResult]:
    results = []
    (base_value, base_why), (head_value, head_why) = base, head
    for limit in ("min", "max", "max_drop", "max_rise"):
        bound = getattr(bounds, limit)
        if bound is None:
            continue
        where = f"{gate}.{limit}"
        relative = limit in ("max_drop", "max_rise")
        missing = [("head", head_why)] if head_value is None else []
        if relative and base_value is None:
            missing.insert(0, ("base", base_why))
        if missing:
            why = "; ".join(f"on the {side}: {reason}" for side, reason in missing)
            message = f"{label} cannot be checked ({why})"
            results.append(GateResult(gate=where, passed=False, base=base_value,
                                      head=head_value, limit=bound, message=message))  # fmt: skip
            continue
        assert head_value is not None
        results.append(_held(where, label, limit, bound, base_value, head_value))
    return results


def _held(
    gate: str, label: str, limit: str, bound: float, base: float | None, head: float
) -> GateResult:
    shown = f"({number(base)} → {number(head)})"
    if limit == "min":
        passed = head >= bound - _TOLERANCE
        message = f"{label} is {number(head)} on the head; at least {number(bound)} required"
    elif limit == "max":
        passed = head <= bound + _TOLERANCE
        message = f"{label} is {number(head)} on the head; at most {number(bound)} allowed"
    else:
        assert base is not None
        moved = base - head if limit == "max_drop" else head - base
        passed = moved <= bound + _TOLERANCE
        direction = "fell" if limit == "max_drop" else "rose"
        if moved > 0:
            message = f"{label} {direction} by {number(moved)} {shown}; "
        else:
            message = f"{label} did not {'fall' if limit == 'max_drop' else 'rise'} {shown}; "
        message += f"at most {number(bound)} allowed"
    if not math.isfinite(head):
        passed = False
    return GateResult(gate=gate, passed=passed, base=base, head=head, limit=bound, message=message)


def _additivity(head: FactSheet) -> GateResult:
    explanations = head.explanations
    check = explanations.additivity if explanations is not None else None
    if check is None:
        why = "no explanations"
        if explanations is not None:
            why = explanations.not_computed or "no additivity check recorded"
        message = f"the SHAP additivity check cannot be checked (on the head: {why})"
        return GateResult(gate="shap_additivity", passed=False, message=message)
    outcome = "passed" if check.passed else "failed"
    message = (
        f"the SHAP additivity check {outcome} on the head: largest error "
        f"{number(check.max_error)}, tolerance {number(check.tolerance)}"
    )
    return GateResult(
        gate="shap_additivity",
        passed=check.passed,
        head=check.max_error,
        limit=check.tolerance,
        message=message,
    )
