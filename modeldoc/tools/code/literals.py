"""Turn the source text of an expression into a `Value`: the literal when it is one.

Only literals and arithmetic on numeric literals are evaluated (`64 * 6`, `6e-4`, `2**10`),
with Python's own `ast`, never `eval`: repository code is data.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

from pydantic import JsonValue

from modeldoc.facts import Value

MAX_LITERAL_CHARS = 4_000
_MAX_EXPONENT = 64
_MAX_INT_BITS = 1024

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


class _NotLiteral(Exception):
    """The expression is not a literal (a name, a call, a comprehension ...)."""


def to_value(text: str) -> Value:
    """The `Value` of an expression's source text."""
    text = text.strip()
    if len(text) > MAX_LITERAL_CHARS:
        return Value(text=text[:MAX_LITERAL_CHARS] + "…", literal=False)
    try:
        # Parenthesised so that a call argument written over several lines still parses.
        tree = ast.parse(f"(\n{text}\n)", mode="eval")
        value = _json(_evaluate(tree.body))
    except (SyntaxError, ValueError, _NotLiteral, ArithmeticError, RecursionError, TypeError):
        return Value(text=text, literal=False)
    return Value(text=text, literal=True, value=value)


def _evaluate(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bytes | complex) or node.value is Ellipsis:
            raise _NotLiteral
        return _bounded(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _evaluate(node.operand)
        _require_number(operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str):
            return left + right
        _require_number(left)
        _require_number(right)
        if isinstance(node.op, ast.Pow) and not _small_power(left, right):
            raise _NotLiteral  # keep a hostile `9**9**9` from eating the scan
        return _bounded(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [_evaluate(item) for item in node.elts]
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise _NotLiteral  # `**other` inside a dict display
        pairs = zip(node.keys, node.values, strict=True)
        return {_evaluate(key): _evaluate(value) for key, value in pairs if key}
    raise _NotLiteral


def _small_power(base: int | float, exponent: int | float) -> bool:
    """Whether `base ** exponent` stays within `_MAX_INT_BITS` (floats overflow on their own)."""
    if abs(exponent) > _MAX_EXPONENT:
        return False
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        return abs(base).bit_length() * exponent <= _MAX_INT_BITS
    return True


def _bounded(value: Any) -> Any:
    """Numbers past `_MAX_INT_BITS` are not kept as literals (JSON and `int()` choke on them)."""
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise _NotLiteral
    return value


def _require_number(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _NotLiteral


def _json(value: Any) -> JsonValue:
    """Check that a Python literal fits JSON (finite floats, string keys)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise _NotLiteral
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise _NotLiteral
        return {key: _json(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise _NotLiteral
