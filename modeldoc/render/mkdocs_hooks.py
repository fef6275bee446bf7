"""MkDocs hooks of a generated site: Markdown escapes read as CommonMark reads them, and
every page's HTML sanitised before the theme wraps it.

`write_site` copies this file next to the generated `mkdocs.yml` (its `hooks:` entry), so a
site rebuilt by hand with `mkdocs build` gets the same treatment. The theme's own scripts
live in its templates, outside the page content, and stay.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from typing import Any, cast

from markdown import Markdown
from markdown.extensions import Extension
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from modeldoc.render.markdown_text import sanitize_html


class CommonMarkEscapes(Extension):
    """Backslash escapes for every ASCII punctuation character, as in CommonMark.

    `md_text` escapes `~` (GitHub's strikethrough), which Python-Markdown would otherwise
    show as a literal backslash before it.
    """

    def extendMarkdown(self, md: Markdown) -> None:
        md.ESCAPED_CHARS = [*md.ESCAPED_CHARS, *set(string.punctuation) - set(md.ESCAPED_CHARS)]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """The site's configuration with CommonMark's escapes added to its Markdown."""
    # MkDocs accepts extension instances beside names, though its type says names only.
    cast(list[Any], config.markdown_extensions).append(CommonMarkEscapes())
    return config


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """The page's HTML with scripts, event handlers and unsafe links removed."""
    # The theme prints table-of-contents titles as raw HTML beside the content, and
    # Markdown's tag stripping for them can be fooled (`<scr<script>ipt>`): clean them too.
    _clean_titles(page.toc)
    return sanitize_html(html)


def _clean_titles(items: Iterable[AnchorLink]) -> None:
    for item in items:
        item.title = sanitize_html(item.title)
        _clean_titles(item.children)
