"""Text from a repository or its data, made literal Markdown wherever it lands.

Repository text (a README, feature names, class names) is data, never markup: it is escaped
wherever it lands, so a README holding `<script>` or `[x](javascript:...)` shows as text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Markdown's inline markup characters (escaped with a backslash), and what starts a block
# (a heading, list or quote) at the beginning of the text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")
_BLOCK_START = re.compile(r"^(\d*)([#+\-=.)])")


def plain(text: str) -> str:
    """`text` without control or bidirectional-override characters, on one line."""
    cleaned = "".join(
        " " if ch in "\t\r\n" else ch
        for ch in text
        if ch in "\t\r\n" or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return " ".join(cleaned.split())


def md_text(text: str) -> str:
    """Repository text as literal inline Markdown: no markup, no HTML, no links."""
    escaped = plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BLOCK_START.sub(r"\1\\\2", _MARKDOWN_SPECIAL.sub(r"\\\1", escaped))


def md_code(text: str) -> str:
    """Repository text as an inline code span (names, paths, values)."""
    shown = plain(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", shown)), default=0) + 1)
    padding = " " if shown.startswith("`") or shown.endswith("`") or not shown else ""
    return f"{fence}{padding}{shown}{padding}{fence}"


def table_cell(text: str) -> str:
    """Literal text for a Markdown table cell (pipes escaped too)."""
    return md_text(text)


def names(items: Iterable[str]) -> str:
    """Code names joined as English: `a`, `b` and `c`."""
    shown = [md_code(item) for item in items]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + f" and {shown[-1]}"
