"""A card section's Markdown as the words a reader sees: each paragraph, list item, heading
and table row one line, with no markup or escapes left (`log\\_loss` reads `log_loss`, a code
span its text, a link its label). Raw HTML stays the text it is, as the card shows it."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

# CommonMark as GitHub reads it, tables included; HTML off, so a tag is text.
_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")
_INLINE_TEXT = frozenset({"text", "code_inline", "image"})
_LINE_BREAKS = frozenset({"softbreak", "hardbreak"})


def rendered_lines(markdown: str) -> list[str]:
    """The text of `markdown`, one line per block (a table row's cells joined by ` | `, a
    code block line by line), blank lines left out."""
    lines: list[str] = []
    row: list[str] | None = None
    for token in _PARSER.parse(markdown):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            lines.append(" | ".join(row))
            row = None
        elif token.type == "inline":
            text = _inline_text(token)
            if row is not None:
                row.append(text)
            else:
                lines.append(text)
        elif token.type in ("fence", "code_block"):
            lines += token.content.splitlines()
    return [" ".join(line.split()) for line in lines if line.strip()]


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in _INLINE_TEXT:
            parts.append(child.content)
        elif child.type in _LINE_BREAKS:
            parts.append(" ")
    return "".join(parts)
