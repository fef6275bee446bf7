"""What every card output shares: the marker for a missing fact, and values from the data
and from the code as they read in prose, tables and alt text."""

from __future__ import annotations

from modeldoc.facts import Value
from modeldoc.present.markdown import md_code
from modeldoc.present.numbers import number

MISSING = "[More Information Needed]"
"""What a card shows where the facts cannot tell (the Hugging Face template's marker)."""

_DATA_NUMBER_CHARS = 10


def data_text(value: object) -> str:
    """A cell of the data as plain text: a number as the data holds it (rounded in the one
    format when that is long), a missing cell as "missing"."""
    if value is None:
        return "missing"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = str(value)
        return shown if len(shown) <= _DATA_NUMBER_CHARS else number(value)
    return str(value)


def data_value(value: object) -> str:
    """A cell of the data in Markdown: numbers and "missing" as `data_text` has them, any
    other value as code."""
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return data_text(value)
    return md_code(data_text(value))


def code_value(value: Value) -> str:
    """A value written in the code: a number as written (`0.25`), anything else as code,
    followed by the number it stands for when the code names one (`TEST_SIZE` = 0.25)."""
    literal = value.value
    numeric = value.literal and isinstance(literal, (int, float)) and not isinstance(literal, bool)
    if numeric and value.text == str(literal):
        return value.text
    shown = md_code(value.text)
    return f"{shown} = {literal}" if numeric else shown
