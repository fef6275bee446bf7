"""Text helpers shared by the repository readers: lines, one-line excerpts, error messages."""

from __future__ import annotations


def short(text: str, limit: int = 120) -> str:
    """One line of at most `limit` characters, for messages and evidence."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def first_line(error: BaseException) -> str:
    """The first line of an error's message."""
    return str(error).strip().split("\n", 1)[0]


def split_lines(text: str) -> list[str]:
    """Lines split on newlines only, so numbers agree with editors and tree-sitter."""
    return [line.removesuffix("\r") for line in text.removeprefix("\ufeff").split("\n")]
