"""The README's gist: its title and first paragraph as plain text, with their lines.

Markdown and reStructuredText are scanned block by block (code, HTML, lists, tables and
badges are passed over) and their inline markup is reduced to text; nothing is rendered.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Literal, NamedTuple

from modeldoc.facts import Readme
from modeldoc.tools.repo.text import split_lines

SUMMARY_LIMIT = 600
TITLE_LIMIT = 200
# Markup is cleaned with regular expressions; bounding the raw text keeps that linear-ish.
_RAW_LIMIT = 8 * SUMMARY_LIMIT
_README_NAMES = ("readme.md", "readme.rst", "readme.txt", "readme")


class _Block(NamedTuple):
    kind: Literal["heading", "paragraph"]
    line: int
    text: str  # still marked up


def read_readme(texts: Mapping[str, str]) -> Readme | None:
    """Title and first paragraph of the root README, as plain text."""
    by_name = {path.lower(): path for path in sorted(texts, reverse=True) if "/" not in path}
    path = next((by_name[name] for name in _README_NAMES if name in by_name), None)
    if path is None:
        return None
    lines = split_lines(texts[path])
    if path.lower().endswith(".rst"):
        return _pick(path, _rst_blocks(lines), _plain_rst)
    return _pick(path, _markdown_blocks(lines), _plain_markdown)


def _pick(file: str, blocks: Iterable[_Block], clean: Callable[[str], str]) -> Readme:
    """The first heading as title; the first paragraph after it (else before it) as summary."""
    title: tuple[str, int] | None = None
    before: tuple[str, int] | None = None
    summary: tuple[str, int] | None = None
    for block in blocks:
        text = _plain(clean(block.text[:_RAW_LIMIT]))
        if not text:
            continue
        if block.kind == "heading" and title is None:
            title = (_cap(text, TITLE_LIMIT), block.line)
        elif block.kind == "paragraph" and title is None and before is None:
            before = (_cap(text, SUMMARY_LIMIT), block.line)
        elif block.kind == "paragraph" and title is not None:
            summary = (_cap(text, SUMMARY_LIMIT), block.line)
            break
    summary = summary or before
    return Readme(
        file=file,
        title=title[0] if title else None,
        title_line=title[1] if title else None,
        summary=summary[0] if summary else None,
        summary_line=summary[1] if summary else None,
    )


def _plain(text: str) -> str:
    """One line without control or invisible formatting characters (bidi overrides ...)."""
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        # Cf holds the bidi overrides and invisible tags; the zero-width joiner builds emoji.
        elif unicodedata.category(char) not in ("Cc", "Cf") or char == "\u200d":
            kept.append(char)
    return " ".join("".join(kept).split())


def _cap(text: str, limit: int) -> str:
    """`text` cut at a word to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r" {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_SETEXT = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
_HTML_TAGS = (
    "address|article|aside|blockquote|body|center|details|dialog|dd|div|dl|dt|figcaption|"
    "figure|footer|form|h[1-6]|head|header|hr|html|iframe|li|main|nav|ol|p|pre|script|"
    "section|style|summary|table|tbody|td|tfoot|th|thead|tr|ul|textarea"
)
_HTML_BLOCK = re.compile(rf" {{0,3}}(?:<!--|</?(?:{_HTML_TAGS})(?:[\s/>]|$))", re.IGNORECASE)
_HTML_LONE_TAG = re.compile(r" {0,3}(?:<[A-Za-z][\w-]*(?:\s[^<>]*)?/?>|</[A-Za-z][\w-]*\s*>)\s*")
_HTML_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_BULLET = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_BULLET_INTERRUPT = re.compile(r" {0,3}(?:[-*+]|1[.)])[ \t]+\S")
_QUOTE = re.compile(r" {0,3}>")
_TABLE_ROW = re.compile(r"\s*\|")
_TABLE_DELIMITER = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*")
_BREAK = re.compile(r" {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
_LINK_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:\s*\S")
_INDENTED_CODE = re.compile(r" {4}|\t")


def _markdown_blocks(lines: list[str]) -> Iterator[_Block]:
    """Headings and prose paragraphs; code, HTML, lists, tables and badges are passed over."""
    i = _after_front_matter(lines)
    while i < len(lines):
        line = lines[i]
        if not line.strip() or _INDENTED_CODE.match(line):
            i += 1
        elif _FENCE.match(line):
            i = _after_fence(lines, i)
        elif line.lstrip().startswith("<!--"):
            i = _after_comment(lines, i)
        elif _HTML_BLOCK.match(line) or _HTML_LONE_TAG.fullmatch(line):
            end = _next_blank(lines, i)
            yield from _html_heading(lines, i, end)
            i = end
        elif heading := _ATX.fullmatch(line):
            yield _Block("heading", i + 1, heading[1] or "")
            i += 1
        elif _BULLET.match(line) or _QUOTE.match(line):
            i = _after_list(lines, i)
        elif _TABLE_ROW.match(line) or (
            i + 1 < len(lines) and _TABLE_DELIMITER.fullmatch(lines[i + 1])
        ):
            i = _next_blank(lines, i)
        elif _is_decoration(line):
            i += 1
        else:
            block, i = _markdown_paragraph(lines, i)
            yield block


def _is_decoration(line: str) -> bool:
    """Thematic breaks, link definitions and lines of only badges, links or tags."""
    if _BREAK.fullmatch(line) or _LINK_DEFINITION.match(line):
        return True
    rest = _IMAGE.sub("", line)
    for pattern in (_LINK, _REF_LINK, _AUTOLINK, _TAG, _BARE_URL):
        rest = pattern.sub("", rest)
    return not re.search(r"\w", rest)


def _after_front_matter(lines: list[str]) -> int:
    if not lines or lines[0].strip() != "---":
        return 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    return 0 if end is None else end + 1


def _after_fence(lines: list[str], i: int) -> int:
    opening = _FENCE.match(lines[i])
    marker = opening[1] if opening else "```"
    closing = re.compile(rf" {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}\s*")
    end = next((j for j in range(i + 1, len(lines)) if closing.fullmatch(lines[j])), len(lines))
    return end + 1


def _after_comment(lines: list[str], i: int) -> int:
    """Past the line that closes the HTML comment opened on line i."""
    first = lines[i].split("<!--", 1)[1]
    if "-->" in first:
        return i + 1
    end = next((j for j in range(i + 1, len(lines)) if "-->" in lines[j]), len(lines))
    return end + 1


def _next_blank(lines: list[str], i: int) -> int:
    return next((j for j in range(i + 1, len(lines)) if not lines[j].strip()), len(lines))


def _after_list(lines: list[str], i: int) -> int:
    """Past a list or block quote, with its indented and lazy continuation lines."""
    j = i + 1
    while j < len(lines):
        if lines[j].strip():
            if not _continues_list(lines[j]):
                return j
            j += 1
            continue
        k = next((k for k in range(j, len(lines)) if lines[k].strip()), len(lines))
        if k == len(lines) or not (lines[k][0].isspace() or _BULLET.match(lines[k])):
            return k
        j = k
    return j


def _continues_list(line: str) -> bool:
    """Indented lines, further items and lazy text continue a list; other blocks end it."""
    starts_item = _BULLET.match(line) or _QUOTE.match(line)
    return bool(line[0].isspace() or starts_item or not _interrupts_paragraph(line))


def _html_heading(lines: list[str], start: int, end: int) -> Iterator[_Block]:
    """An `<h1>` inside an HTML block: many READMEs centre their title that way."""
    block = "\n".join(lines[start:end])
    if match := _HTML_H1.search(block):
        yield _Block("heading", start + 1 + block.count("\n", 0, match.start()), match[1])


def _markdown_paragraph(lines: list[str], i: int) -> tuple[_Block, int]:
    """The paragraph (or setext heading) starting at line i, and the index after it."""
    parts = [lines[i].strip()]
    j = i + 1
    while j < len(lines) and lines[j].strip():
        if _SETEXT.fullmatch(lines[j]):
            return _Block("heading", i + 1, " ".join(parts)), j + 1
        if _interrupts_paragraph(lines[j]):
            break
        parts.append(lines[j].strip())
        j += 1
    return _Block("paragraph", i + 1, " ".join(parts)), j


def _interrupts_paragraph(line: str) -> bool:
    return bool(
        _FENCE.match(line)
        or _ATX.fullmatch(line)
        or _HTML_BLOCK.match(line)
        or _QUOTE.match(line)
        or _BULLET_INTERRUPT.match(line)
        or _BREAK.fullmatch(line)
        or _TABLE_ROW.match(line)
    )


_IMAGE = re.compile(r"!\[[^\]]*\](?:\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_BARE_URL = re.compile(r"https?://\S+")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"
)
_STRIKE = re.compile(r"~~(.+?)~~")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_PARKED = 0xE000
_UNPARK = {_PARKED + code: chr(code) for code in range(0x21, 0x7F)}


def _plain_markdown(text: str) -> str:
    """Markdown inline markup reduced to its text: `[text](url)` -> `text`, no emphasis."""
    # Escaped punctuation is parked in the private-use area so no rule below treats it as markup.
    text = _ESCAPE.sub(lambda m: chr(_PARKED + ord(m[1])), text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _TAG.sub("", _IMAGE.sub("", text))
    text = _REF_LINK.sub(r"\1", _LINK.sub(r"\1", text))
    text = _CODE_SPAN.sub(r"\2", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(lambda m: m[1] or m[2], text)
    text = _STRIKE.sub(r"\1", text)
    return html.unescape(text.translate(_UNPARK))


_RST_ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1{2,}\s*")
_RST_SKIPPED = re.compile(
    r"(?:[-*+•]|\d+[.)]|#[.)]|\(\d+\))\s"  # list items
    r"|:[^:\s][^:]*:(?:\s|$)"  # field lists
    r"|\+[-=+]+\+\s*$|=+(?: +=+)+\s*$"  # table borders
)


def _rst_blocks(lines: list[str]) -> Iterator[_Block]:
    """Section titles and paragraphs of reStructuredText; directives and lists passed over."""
    i = 0
    while i < len(lines):
        line = lines[i]
        below = lines[i + 1] if i + 1 < len(lines) else ""
        if not line.strip() or line[0].isspace():
            i += 1  # blank, or the body of a quote, literal block or directive
        elif _RST_ADORNMENT.fullmatch(line):
            after = lines[i + 2] if i + 2 < len(lines) else ""
            if below.strip() and _RST_ADORNMENT.fullmatch(after):
                yield _Block("heading", i + 2, below.strip())
                i += 3
            else:
                i += 1  # a transition
        elif _RST_ADORNMENT.fullmatch(below):
            yield _Block("heading", i + 1, line.strip())
            i += 2
        elif line.startswith("..") or _RST_SKIPPED.match(line):
            i = _after_list(lines, i)
        else:
            end = _next_blank(lines, i)
            text = " ".join(part.strip() for part in lines[i:end])
            yield _Block("paragraph", i + 1, re.sub(r"::$", ":", text))
            i = end


_RST_ROLE = re.compile(r":[\w.+-]+:`([^`]*)`")
_RST_LITERAL = re.compile(r"``(.+?)``")
_RST_LINK = re.compile(r"`([^`<]*?)\s*<[^>]*>`__?")
_RST_REFERENCE = re.compile(r"`([^`]+)`_{0,2}")
_RST_SUBSTITUTION = re.compile(r"\|[^|\s][^|]*\|_{0,2}")
_RST_STRONG = re.compile(r"\*\*(.+?)\*\*")
_RST_EMPHASIS = re.compile(r"\*(.+?)\*")
_RST_WORD_REFERENCE = re.compile(r"\b([A-Za-z0-9]\w*?)__?(?=[\s.,;:!?)]|$)")


def _plain_rst(text: str) -> str:
    """reStructuredText inline markup reduced to its text."""
    text = _RST_ROLE.sub(r"\1", text)
    text = _RST_LITERAL.sub(r"\1", text)
    text = _RST_LINK.sub(r"\1", text)
    text = _RST_REFERENCE.sub(r"\1", text)
    text = _RST_SUBSTITUTION.sub("", text)
    text = _RST_STRONG.sub(r"\1", text)
    text = _RST_EMPHASIS.sub(r"\1", text)
    return _RST_WORD_REFERENCE.sub(r"\1", text)
