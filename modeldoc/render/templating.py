"""The one Jinja environment every Markdown output is rendered with.

Templates live in the package's `site_template/` folder (shipped as package data) and are
named by their path in it, e.g. `card/model_card.md.j2`. Markdown is not HTML, so
autoescaping is off: every value is escaped where the template shows it, with the filters
below, and `StrictUndefined` turns a misspelt variable into an error instead of a blank.

Filters:

- `number`, `interval`, `percent`: the one number format (`modeldoc.present.numbers`).
- `metric_number`, `metric_interval`: a metric's values as every output shows them
  (`modeldoc.present.metrics`), e.g. `metric.name | metric_number(metric.value)`.
- `md_text`, `md_code`, `table_cell`: repository text as literal Markdown
  (`modeldoc.present.markdown`).
- `prose`: Markdown written by a writer, made inert (`prose` below).
"""

from __future__ import annotations

import re
from itertools import groupby

import jinja2

from modeldoc.present.markdown import md_code, md_text, table_cell
from modeldoc.present.metrics import metric_interval, metric_number
from modeldoc.present.numbers import interval, number, percent
from modeldoc.render.markdown_text import safe_links

# Fences are trusted only in the one form CommonMark and Python-Markdown read alike: at
# the margin, with at most a language name, closed by the same marker. Any other line that
# starts like a fence makes `prose` trust no fence in the text (see `_fenced_lines`).
_FENCE_LIKE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_SIMPLE_FENCE = re.compile(r"(`{3,}|~{3,})[ \t]*[\w+#.-]*[ \t]*")
_BLANK_LINE = re.compile(r"(\n[ \t]*\n)")
_BACKTICKS_OR_ESCAPE = re.compile(r"\\.|(`+)", re.DOTALL)
_UNSURE_BACKTICKS = re.compile(r"``|\\`")
_MAX_SCANNED_LINES = 200
# Where a link target starts: after `](` (inline link) or `]:` (reference definition).
_TARGET = re.compile(r"\](\(|:)[ \t]*\n?[ \t]*<?([^\s>)]*)")
_SAFE_TARGET = re.compile(r"(?i)https?://|[#/.?]|[\w.~%+-]*(?:[/?#]|$)")


def environment() -> jinja2.Environment:
    """A Jinja environment over `modeldoc/site_template/` with the Markdown filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("modeldoc", "site_template"),
        autoescape=False,  # Markdown output: values are escaped by the filters, per place
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=number,
        interval=interval,
        percent=percent,
        metric_number=metric_number,
        metric_interval=metric_interval,
        md_text=md_text,
        md_code=md_code,
        table_cell=table_cell,
        prose=prose,
    )
    return env


def prose(markdown: str) -> str:
    """A writer's Markdown with its markup kept but nothing live: no raw HTML or autolinks
    (`<` escaped outside code) and no link whose target is not http(s) or relative.

    A writer may quote repository text, and an LLM writer may be steered by it, so its
    Markdown is treated like repository text that is allowed formatting. Where this
    cannot tell code from text without a full Markdown parser, it escapes: the worst a
    wrong guess does is show `&lt;` for `<` inside code.
    """
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fenced = _fenced_lines(lines)
    chunks: list[str] = []
    for inside, run in groupby(range(len(lines)), key=fenced.__contains__):
        text = "\n".join(lines[index] for index in run)
        chunks.append(text if inside else _inert_text(text))
    return "\n".join(chunks)


def _inert_text(text: str) -> str:
    # Inline markup never crosses a blank line, so each paragraph is made inert alone.
    parts = _BLANK_LINE.split(text)  # paragraphs at even indices, blank lines between
    return "".join(
        part if index % 2 else _inert_paragraph(part) for index, part in enumerate(parts)
    )


def _inert_paragraph(text: str) -> str:
    kept: list[str] = []
    position = 0
    for start, end in _stable_code_spans(text):
        kept += [text[position:start].replace("<", "&lt;"), text[start:end]]
        position = end
    kept.append(text[position:].replace("<", "&lt;"))
    return _inert_targets(safe_links("".join(kept)))


def _stable_code_spans(text: str) -> list[tuple[int, int]]:
    """The one-line code spans of a paragraph that are code spans wherever a Markdown
    block might start in it (a list item or quote can begin on any line, and a span
    opened on an earlier line pairs backticks differently); none holding a `|`, which
    splits a table cell before code spans are read."""
    if _UNSURE_BACKTICKS.search(text):
        return []  # dialects pair runs of several backticks, or escaped ones, differently
    starts = [0] + [match.end() for match in re.finditer("\n", text)]
    if len(starts) > _MAX_SCANNED_LINES:
        return []  # one scan per line: a huge paragraph would take quadratic time
    scans = [set(_code_spans(text, start)) for start in starts]
    stable = []
    for line, scan in enumerate(scans):
        end_of_line = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
        for span in sorted(scan):
            start, end = span
            if end > end_of_line or "|" in text[start:end]:
                continue
            if all(span in earlier for earlier in scans[:line]):
                stable.append(span)
    return stable


def _code_spans(text: str, position: int) -> list[tuple[int, int]]:
    """Code spans as CommonMark pairs backtick runs, reading `text` from `position`."""
    spans = []
    while match := _BACKTICKS_OR_ESCAPE.search(text, position):
        position = match.end()
        run = match.group(1)
        if run is None:  # a backslash escape: an escaped backtick opens nothing
            continue
        closer = re.compile(rf"(?<!`){run}(?!`)").search(text, position)
        if closer:
            spans.append((match.start(), closer.end()))
            position = closer.end()
    return spans


def _fenced_lines(lines: list[str]) -> set[int]:
    """Indices of the lines inside fenced code blocks (fence lines included), or none.

    A line taken for code that a Markdown parser reads as text could carry HTML, so any
    fence in a form Markdown dialects read differently (indented, with an unusual info
    string, closed by another marker or not at all) makes every line count as text: the
    worst that does is show `&lt;` for `<` in code.
    """
    inside: set[int] = set()
    opening: str | None = None
    for index, line in enumerate(lines):
        if opening is not None:
            inside.add(index)
            if _FENCE_LIKE.match(line):
                if line.rstrip(" \t") != opening:
                    return set()
                opening = None
        elif _FENCE_LIKE.match(line):
            match = _SIMPLE_FENCE.fullmatch(line)
            if match is None:
                return set()
            opening = match.group(1)
            inside.add(index)
    return inside if opening is None else set()


def _inert_targets(markdown: str) -> str:
    """Break every link or reference definition whose target is not plainly http(s) or
    relative, with a backslash: `]\\(` for a link, `\\[label]:` for a definition (both
    show as written in CommonMark and Python-Markdown alike). Catches what `safe_links`
    cannot see: nested brackets, spaces before the target, reference definitions, and
    targets spelt with entities or backslashes."""
    pieces: list[str] = []
    position = 0
    for match in _TARGET.finditer(markdown):
        # No target seen (it may sit after a `>` on the next line): broken all the same.
        if match.group(2) and _SAFE_TARGET.match(match.group(2)):
            continue
        cut = match.start() + 1
        if match.group(1) == ":":
            # A label holds no unescaped bracket, so the last one before `]` opens it.
            opener = _last_unescaped_bracket(markdown, position, match.start())
            cut = cut if opener is None else opener
        pieces += [markdown[position:cut], "\\"]
        position = cut
    pieces.append(markdown[position:])
    return "".join(pieces)


def _last_unescaped_bracket(text: str, start: int, end: int) -> int | None:
    index = text.rfind("[", start, end)
    while index >= 0:
        backslashes = len(text[start:index]) - len(text[start:index].rstrip("\\"))
        if backslashes % 2 == 0:
            return index
        index = text.rfind("[", start, index)
    return None
