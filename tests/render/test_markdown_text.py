"""Repository text made literal for Markdown, and page HTML sanitised: checked through
Python-Markdown as the generated sites configure it, so what is asserted is what a page
shows."""

from __future__ import annotations

import html
import re

import markdown
import pytest

from modeldoc.present.markdown import md_code, md_text, plain, table_cell
from modeldoc.render.markdown_text import safe_links, sanitize_html
from modeldoc.render.mkdocs_hooks import CommonMarkEscapes


def render(text: str) -> str:
    """HTML as a generated site's Markdown renders `text` (tables, CommonMark's escapes)."""
    return str(markdown.markdown(text, extensions=["tables", CommonMarkEscapes()]))


def shown(rendered: str) -> str:
    """The text a reader sees in rendered HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1)) and ![y](x.png)",
        "*not emphasis* _nor this_ **nor bold** ~~nor struck~~",
        "# not a heading",
        "- not a list",
        "1. not a numbered list",
        "> not a quote",
        "a | b | c",
        "`not code` and \\ a backslash",
        "&amp; stays an ampersand, &lt; too",
        "{: onclick=alert(1) }",
        "about ~95% of rows, ~~not struck~~, C:\\temp\\x",
    ],
)
def test_md_text_shows_the_text_and_nothing_else(text: str) -> None:
    rendered = render(md_text(text))
    assert shown(rendered) == text
    assert re.fullmatch(r"<p>.*</p>", rendered, flags=re.DOTALL), rendered
    for live in ("<script", "<img", "<a ", "<em>", "<strong>", "<code>", "<h1", "<li", "<block"):
        assert live not in rendered


def test_md_text_keeps_one_line_without_control_or_bidi_characters() -> None:
    assert md_text("line one\n\n# two\r\tthree") == "line one # two three"
    assert plain("evil\u202etxt.exe\x00\x1b[31m") == "eviltxt.exe[31m"


@pytest.mark.parametrize("text", ["name", "a`b", "``twice``", "`edge", "edge`", "x | y", "<b>"])
def test_md_code_is_one_code_span_of_the_text(text: str) -> None:
    rendered = render(md_code(text))
    match = re.fullmatch(r"<p><code>(.*)</code></p>", rendered)
    assert match, rendered
    assert html.unescape(match.group(1)) == text


def test_md_code_of_empty_text_is_still_code() -> None:
    assert re.fullmatch(r"<p><code> *</code></p>", render(md_code("")))


def test_table_cell_keeps_its_pipes_inside_the_cell() -> None:
    rendered = render(f"| a | b |\n| --- | --- |\n| {table_cell('x | y')} | {md_code('p|q')} |")
    cells = re.findall(r"<td>(.*?)</td>", rendered)
    assert [shown(cell) for cell in cells] == ["x | y", "p|q"]


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<b>",
        "vbscript:x",
        "file:///etc",
    ],
)
def test_safe_links_drops_targets_that_are_not_http(target: str) -> None:
    assert safe_links(f"see [here]({target}) now") == "see here now"
    assert safe_links(f"![pic]({target})") == "pic"
    assert "href" not in render(safe_links(f"[here]({target})"))


@pytest.mark.parametrize(
    "link",
    [
        "[docs](https://example.org/a_(b))",
        "[plain](http://example.org)",
        "[page](performance.md#metrics)",
        "[anchor](#metrics)",
        "![roc](plots/roc.png)",
        '[titled](https://example.org "Title")',
    ],
)
def test_safe_links_keeps_http_and_relative_links(link: str) -> None:
    assert safe_links(link) == link


def test_sanitize_html_removes_scripts_handlers_and_javascript_links() -> None:
    dirty = (
        '<p onclick="alert(1)">text<script>alert(2)</script></p>'
        '<img src="x" onerror="alert(3)"><a href="javascript:alert(4)">link</a>'
        '<a href=" JAVASCRIPT:alert(5)">spaced</a><iframe src="https://example.org"></iframe>'
        '<div style="background:url(javascript:alert(6))">styled</div>'
        "<svg onload=alert(7)></svg><object data=x></object><form action=x><input></form>"
    )
    clean = sanitize_html(dirty)
    for gone in ("script", "alert", "onclick", "onerror", "javascript", "iframe", "style=",
                 "svg", "object", "form", "input"):  # fmt: skip
        assert gone not in clean.lower(), gone
    assert "text" in clean and "link" in clean and "styled" in clean


def test_sanitize_html_keeps_what_pages_need() -> None:
    page = (
        '<h2 id="metrics">Metrics<a class="headerlink" href="#metrics">¶</a></h2>'
        '<p><img alt="ROC curve" src="plots/roc.png"></p>'
        '<table><thead><tr><th align="right">Value</th></tr></thead>'
        '<tbody><tr><td align="right">0.958</td></tr></tbody></table>'
        '<div class="admonition warning"><p class="admonition-title">Note</p></div>'
        '<p><a href="https://example.org">out</a> <code>x</code></p>'
    )
    clean = sanitize_html(page)
    for kept in ('id="metrics"', 'href="#metrics"', 'src="plots/roc.png"', 'alt="ROC curve"',
                 'align="right"', 'class="admonition warning"', "<code>x</code>"):  # fmt: skip
        assert kept in clean, kept
    assert '<a href="https://example.org" rel="noopener noreferrer">out</a>' in clean
