"""The diff as Markdown: a summary line first, long parts collapsed and capped, every number
one of the facts', and repository text shown as text by Python-Markdown (which passes a
`<details>` block through as raw HTML) and by a CommonMark renderer (as GitHub reads it)."""

from __future__ import annotations

import html
import re

import markdown
from diff.pairs import Builds
from markdown_it import MarkdownIt

from modeldoc.diff.compare import compare
from modeldoc.diff.markdown import render_markdown
from modeldoc.facts import Call, FactSheet, Hyperparameter, Source, Value
from modeldoc.present.numbers import number

HOSTILE = "<script>alert(1)</script>"


def python_markdown(text: str) -> str:
    return markdown.markdown(text, extensions=["tables"])


def commonmark(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def hostile_head(facts: FactSheet) -> FactSheet:
    """`facts` with feature f5 renamed to a script tag and markup in every other place
    repository text reaches: a setting's value, a layer, a slice, a card line, the repo name."""

    def rename(name: str) -> str:
        return HOSTILE if name == "f5" else name

    checkpoints = [
        c.model_copy(update={"feature_names": [rename(n) for n in c.feature_names or []]})
        for c in facts.checkpoints
    ]
    data = [d.model_copy(update={"columns": [rename(n) for n in d.columns]}) for d in facts.data]
    explanations = facts.explanations
    assert explanations is not None and facts.evaluation is not None
    importance = [
        i.model_copy(update={"feature": rename(i.feature)}) for i in explanations.importance
    ]
    explanations = explanations.model_copy(
        update={"features": [rename(n) for n in explanations.features], "importance": importance}
    )
    hyperparameters = [
        h.model_copy(update={"value": Value(text="<img src=x onerror=alert(1)>", literal=False)})
        if h.key == "LEARNING_RATE" else h
        for h in facts.code.hyperparameters
    ]  # fmt: skip
    layer = Call(source=Source(file="net.py", line=9), callee="<iframe src=javascript:alert(1)>",
                 qualified="x")  # fmt: skip
    models = [m.model_copy(update={"layers": [*m.layers, layer]}) for m in facts.code.models]
    code = facts.code.model_copy(update={"hyperparameters": hyperparameters, "models": models})
    (report,) = facts.evaluation.slices
    groups = [g.model_copy(update={"value": "<b>bold</b> | pipe"}) for g in report.groups]
    evaluation = facts.evaluation.model_copy(
        update={"slices": [report.model_copy(update={"groups": groups})]}
    )
    assert facts.narrative is not None
    sections = [
        s.model_copy(update={"text": s.text + "\n\n<script>alert(2)</script> [x](javascript:y)"})
        for s in facts.narrative.sections
    ]
    return facts.model_copy(
        update={
            "checkpoints": checkpoints,
            "data": data,
            "explanations": explanations,
            "code": code,
            "evaluation": evaluation,
            "narrative": facts.narrative.model_copy(update={"sections": sections}),
            "repo": facts.repo.model_copy(update={"name": "<svg onload=alert(1)>"}),
        }
    )


def test_repository_text_is_shown_as_text_never_as_html(builds: Builds) -> None:
    text = render_markdown(compare(builds.facts("base"), hostile_head(builds.facts("base"))))
    for render in (python_markdown, commonmark):
        page = render(text)
        live = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", page))
        assert live <= {"p", "strong", "code", "table", "thead", "tbody", "tr", "th", "td",
                        "details", "summary", "ul", "li", "h4", "em"}, (render, live)  # fmt: skip
        assert 'href="javascript' not in page
        shown = html.unescape(re.sub(r"<[^>]+>", "", page))
        for piece in (HOSTILE, "<img src=x onerror=alert(1)>", "<iframe src=javascript:alert(1)>",
                      "<b>bold</b> | pipe", "<svg onload=alert(1)>"):  # fmt: skip
            # Python-Markdown keeps the backslash escapes inside the raw <details> block.
            assert piece in shown or piece in shown.replace("\\", ""), (render, piece)
    assert f"added: <code>{HOSTILE.replace('<', '&lt;').replace('>', '&gt;')}</code>" in text


def test_the_summary_line_comes_first(builds: Builds) -> None:
    text = render_markdown(compare(builds.facts("base"), builds.facts("feature")))
    first, _, second = text.splitlines()[:3]
    assert first == (
        "**modeldoc diff:** 5 gates passed · 4 metric differences within uncertainty · "
        "4 metric differences cannot be judged against uncertainty (no interval) · "
        "1 sliced column changed · 1 feature added or removed · 1 model file changed · "
        "1 data file changed · 4 card sections changed · 4 importance ranks changed"
    )
    assert second == "Base: <code>repo</code> · head: <code>repo</code>"
    unchanged = render_markdown(compare(builds.facts("base"), builds.facts("base")))
    assert unchanged.startswith("**modeldoc diff:** 5 gates passed · no change in the model's")
    assert "No metric changed (8 metrics)." in unchanged
    assert "<details>" not in unchanged


def test_long_parts_are_collapsed_and_capped(builds: Builds) -> None:
    base = builds.facts("base")
    source = Source(file="config.py", line=1)
    settings = [
        Hyperparameter(source=source.model_copy(update={"line": n}), name=f"s{n}", key=f"s{n}",
                       value=Value(text=str(n), literal=True, value=n), origin="assignment",
                       scope="config.py")
        for n in range(1, 41)
    ]  # fmt: skip
    head = base.model_copy(
        update={"code": base.code.model_copy(update={"hyperparameters": settings})}
    )
    result = compare(base, head)
    changed = len(result.hyperparameters)
    assert changed > 40  # every new setting, and the base's that the head no longer has
    text = render_markdown(result)
    part = text.split("#### Hyperparameters\n\n", 1)[1].split("</details>", 1)[0]
    assert part.startswith(f"<details><summary>{changed} settings changed</summary>")
    assert part.count("\n| <code>") == 15
    assert f"… {changed - 15} more" in part
    # The whole comment stays far below GitHub's 65,536 characters.
    assert len(text) < 20_000


def test_every_number_shown_is_a_fact_or_a_difference(builds: Builds) -> None:
    for head in ("hyperparameters", "feature", "data"):
        base_facts, head_facts = builds.facts("base"), builds.facts(head)
        result = compare(base_facts, head_facts)
        known = {
            *_numbers(base_facts.model_dump(exclude={"narrative"})),
            *_numbers(head_facts.model_dump(exclude={"narrative"})),
            *_numbers(result.model_dump(include={"metrics", "slices", "data", "gates"})),
        }
        # A gate's message states a drop or rise as a positive number.
        shown = {number(value) for value in known} | {number(abs(value)) for value in known}
        shown |= {f"+{number(value)}" for value in known if value > 0}
        text = render_markdown(result)
        # Card lines are the sections' own text; code spans hold names and file:line.
        text = text.split("#### Card sections", 1)[0]
        text = re.sub(r"<code>.*?</code>", "", text)
        for token in re.findall(r"[-+]?\d[\d,]*\.\d+(?:e-?\d+)?|[-+]?\d+(?:\.\d+)?e-?\d+", text):
            assert token in shown, (head, token)


def _numbers(value: object) -> list[float]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list | tuple):
        return [n for item in value for n in _numbers(item)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [float(value)]
    return []
