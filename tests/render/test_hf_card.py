"""The Hugging Face model card of a real build: metadata the Hub parses, sections in order,
figures that exist, and repository text that stays text."""

from __future__ import annotations

import random
import re
from pathlib import Path
from urllib.parse import unquote

import jinja2
import markdown
import pytest
import yaml
from helpers.examples import example_facts, with_apache_licence
from huggingface_hub import ModelCard
from markdown_it import MarkdownIt

from modeldoc.facts import FactSheet, Finding, License, Narrative, Section, Source, Stated
from modeldoc.present.card import MISSING
from modeldoc.present.numbers import interval, number
from modeldoc.present.sections import SECTIONS
from modeldoc.render.hf_card import card_metadata, render_hf_card, write_hf_card
from modeldoc.render.templating import environment, prose

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPT = "<script>alert(1)</script>"
JS_LINK = "[x](javascript:alert(1))"


def narrative(facts: FactSheet) -> Narrative:
    """Sections as a writer would write them: one empty, one missing, one unverified claim."""
    assert facts.evaluation is not None
    accuracy = facts.evaluation.metric("accuracy")
    assert accuracy is not None
    return Narrative(
        writer="offline",
        sections=[
            Section(id="model_details", title="Model details", writer="offline",
                    text="An **XGBoost** classifier of breast tumours.\n\nSaved as JSON."),
            Section(id="intended_use", title="Intended use", writer="offline", text="  "),
            Section(
                id="evaluation", title="Evaluation results", writer="offline",
                text=f"Accuracy is {number(accuracy.value)} "
                f"{interval(accuracy.ci_low, accuracy.ci_high)}; recall is 0.99.",
                findings=[
                    Finding(kind="number", text=number(accuracy.value), matched=True,
                            fact="evaluation.metrics[0].value"),
                    Finding(kind="number", text="0.99", matched=False),
                ],
            ),
            Section(id="limitations", title="Limitations and risks", writer="offline",
                    text="- Evaluated on one held-out split.\n- No training data profile."),
        ],
    )  # fmt: skip


@pytest.fixture(scope="module")
def cancer(tmp_path_factory: pytest.TempPathFactory) -> tuple[FactSheet, Path]:
    out = tmp_path_factory.mktemp("cancer") / "out"
    facts = example_facts("cancer-xgboost", out)
    facts = facts.model_copy(
        update={"narrative": narrative(facts), "stated": Stated(license="MIT")}
    )
    return facts, write_hf_card(facts, out)


@pytest.fixture(scope="module")
def diabetes(tmp_path_factory: pytest.TempPathFactory) -> tuple[FactSheet, Path]:
    out = tmp_path_factory.mktemp("diabetes") / "out"
    facts = example_facts("diabetes-skops", out)
    facts = with_apache_licence(facts).model_copy(update={"stated": Stated(license="MIT")})
    return facts, write_hf_card(facts, out)


def computed(facts: FactSheet) -> dict[str, float]:
    assert facts.evaluation is not None
    return {m.name: m.value for m in facts.evaluation.metrics if m.value is not None}


def headings(card: str) -> list[str]:
    return re.findall(r"^## (.+)$", card, flags=re.MULTILINE)


def section_body(card: str, title: str) -> str:
    """The text between a section's heading and the next heading."""
    return card.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0].strip()


def live_html(markdown: str) -> str:
    """The card as a CommonMark renderer with raw HTML allowed turns it into HTML."""
    return MarkdownIt("commonmark", {"html": True}).render(markdown)


def test_hub_reads_every_computed_metric_exactly(cancer: tuple[FactSheet, Path]) -> None:
    facts, path = cancer
    card = ModelCard.load(path)
    results = {result.metric_type: result.metric_value for result in card.data.eval_results}
    assert results == computed(facts)
    assert len(card.data.eval_results) == len(computed(facts)) == 8
    assert {r.task_type for r in card.data.eval_results} == {"tabular-classification"}
    assert {r.dataset_name for r in card.data.eval_results} == {"test.csv"}
    assert card.data.model_name == "cancer-xgboost"


def test_metadata_names_licence_library_and_tags(cancer: tuple[FactSheet, Path]) -> None:
    card = ModelCard.load(cancer[1])
    assert card.data.license == "mit"  # stated, as the repository has no licence file
    assert card.data.library_name == "xgboost"
    assert card.data.tags == ["tabular-classification", "xgboost", "modeldoc"]
    assert card.data.metrics == list(computed(cancer[0]))


def test_skops_model_is_sklearn_and_repository_licence_wins(
    diabetes: tuple[FactSheet, Path],
) -> None:
    facts, path = diabetes
    card = ModelCard.load(path)
    assert card.data.license == "apache-2.0"
    assert card.data.library_name == "sklearn"
    assert "tabular-regression" in card.data.tags
    results = {result.metric_type: result.metric_value for result in card.data.eval_results}
    assert results == computed(facts)


def test_sections_appear_in_order_and_missing_ones_say_so(cancer: tuple[FactSheet, Path]) -> None:
    card = cancer[1].read_text(encoding="utf-8")
    titles = [spec.title for spec in SECTIONS]
    assert [h for h in headings(card) if h in titles] == titles
    assert section_body(card, "Intended use") == MISSING  # written, but empty
    assert section_body(card, "How to use") == MISSING  # not written
    assert section_body(card, "Model details").startswith("An **XGBoost** classifier")


def test_no_narrative_shows_every_section_as_missing(cancer: tuple[FactSheet, Path]) -> None:
    card = render_hf_card(cancer[0].model_copy(update={"narrative": None}))
    for spec in SECTIONS:
        assert section_body(card, spec.title) == MISSING


def test_unverified_statements_are_noted(cancer: tuple[FactSheet, Path]) -> None:
    body = section_body(cancer[1].read_text(encoding="utf-8"), "Evaluation results")
    assert "> **Not verified against the facts:** `0.99`." in body
    assert "0.958" not in body.split("Not verified", 1)[1]  # only the unmatched finding


def test_figures_reference_existing_plots_with_alt_text(cancer: tuple[FactSheet, Path]) -> None:
    facts, path = cancer
    card = path.read_text(encoding="utf-8")
    images = re.findall(r"!\[((?:[^\]\\]|\\.)*)\]\(([^)\s]+)\)", card)
    assert len(images) == len(facts.plots) == 12
    for _alt, target in images:
        assert (path.parent / unquote(target)).is_file(), target
    assert "Figures" in headings(card)
    figures = headings(card).index("Figures")
    assert headings(card)[figures - 1] == "What drives predictions"
    html = live_html(card)
    assert html.count("<img ") == 12
    assert 'alt="Confusion matrix on 143 evaluation rows' in html


def test_card_metadata_part_has_versions_commit_and_hashes(
    cancer: tuple[FactSheet, Path],
) -> None:
    facts, path = cancer
    body = section_body(path.read_text(encoding="utf-8"), "Card metadata")
    assert f"modeldoc {facts.generator.version}" in body
    assert facts.provenance.created_at in body
    assert facts.repo.commit and facts.repo.commit in body
    assert facts.checkpoints[0].sha256 in body and facts.data[0].sha256 in body


def test_hostile_repository_text_stays_text(cancer: tuple[FactSheet, Path]) -> None:
    facts = cancer[0]
    assert facts.narrative is not None and facts.repo.readme is not None
    hostile = f"{SCRIPT} {JS_LINK} <img src=x onerror=alert(1)>"
    # Without model details the README's summary is shown under the title.
    sections = [
        *(section for section in facts.narrative.sections if section.id != "model_details"),
        Section(id="explanations", title="What drives predictions", writer="llm",
                text=f"Top feature.\n\n{hostile}\n\n[y]( javascript:alert(2) )"),
    ]  # fmt: skip
    readme = facts.repo.readme.model_copy(update={"summary": hostile})
    repo = facts.repo.model_copy(update={"name": f"repo {SCRIPT}", "readme": readme})
    narrative = facts.narrative.model_copy(update={"sections": sections})
    card = render_hf_card(facts.model_copy(update={"repo": repo, "narrative": narrative}))
    body = card.split("\n---\n", 1)[1]
    assert SCRIPT not in body and "<img" not in body
    html = live_html(body)
    assert "<script" not in html and '<img src="x"' not in html
    assert "javascript:" not in "".join(re.findall(r'(?:href|src)="[^"]*"', html))
    assert "alert(1)" in html  # shown, as text


def test_front_matter_survives_hostile_strings(cancer: tuple[FactSheet, Path]) -> None:
    name = "evil: name\n---\nlicense: gpl-3.0\n'single' \"double\" # not a comment"
    stated = Stated(name=name, license="MIT", datasets=["a: b\n---", "owner/data"])
    facts = cancer[0].model_copy(update={"stated": stated})
    card = render_hf_card(facts)
    front_matter = card.split("\n---\n", 1)[0].removeprefix("---\n")
    assert yaml.safe_load(front_matter) == card_metadata(facts)
    path = cancer[1].parent / "hostile" / "MODEL_CARD.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(card, encoding="utf-8")
    loaded = ModelCard.load(path)
    assert loaded.data.license == "mit"
    assert loaded.data.model_name == " ".join(name.split())
    assert loaded.data.datasets == ["a: b ---", "owner/data"]
    assert len(loaded.data.eval_results) == len(computed(facts))
    assert loaded.text.lstrip().startswith("# evil: name --- license: gpl-3.0")


@pytest.mark.parametrize(
    ("spdx", "expected"),
    [
        ("MIT", {"license": "mit"}),
        ("GPL-3.0-or-later", {"license": "gpl-3.0"}),
        ("LGPL-2.1-only", {"license": "lgpl-2.1"}),
        ("BSD-3-Clause", {"license": "bsd-3-clause"}),
        ("MIT OR Apache-2.0", {"license": "other", "license_name": "mit-or-apache-2.0"}),
    ],
)
def test_licence_as_the_hub_names_it(
    cancer: tuple[FactSheet, Path], spdx: str, expected: dict[str, str]
) -> None:
    licence = License(spdx=spdx, source=Source(file="LICENSE", line=1), method="text",
                      evidence="...")  # fmt: skip
    repo = cancer[0].repo.model_copy(update={"licenses": [licence]})
    metadata = card_metadata(cancer[0].model_copy(update={"repo": repo}))
    assert {k: v for k, v in metadata.items() if k.startswith("license")} == expected


def test_unknown_licence_is_left_out(cancer: tuple[FactSheet, Path]) -> None:
    facts = cancer[0].model_copy(update={"stated": None})
    metadata = card_metadata(facts)
    assert "license" not in metadata
    assert "license:" not in render_hf_card(facts).split("\n---\n", 1)[0]


def test_summary_under_the_title_unless_details_quote_it(
    cancer: tuple[FactSheet, Path],
) -> None:
    facts = cancer[0]
    summary = facts.repo.readme.summary if facts.repo.readme else None
    assert summary
    written = cancer[1].read_text(encoding="utf-8")
    assert summary not in written
    card = render_hf_card(facts.model_copy(update={"narrative": None}))
    assert card.split("\n# cancer-xgboost\n\n", 1)[1].startswith(summary.split(";")[0])
    stated = Stated(description="Owners' words.")
    card = render_hf_card(facts.model_copy(update={"stated": stated, "narrative": None}))
    assert card.split("\n# cancer-xgboost\n\n", 1)[1].startswith("Owners' words.\n\n## ")


@pytest.mark.parametrize(
    "hostile",
    [
        SCRIPT,
        "<img src=x onerror=alert(1)>",
        "<javascript:alert(1)>",
        JS_LINK,
        "[a [b] c](javascript:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](&#106;avascript:alert(1))",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "`a\nb`<script>alert(1)</script>`",  # the backticks pair across the line break
        "`a\n- b` `<script>alert(1)</script>` `",  # a list item pairs them otherwise
        "| `x | <script>alert(1)</script> | y` |\n| - | - | - |",  # cells split first
        "  ```\nx\n```\n<script>alert(1)</script>\n```",  # an indented fence
        "- a\n  ```\n<script>alert(1)</script>\n```",  # a fence inside a list item
    ],
)
def test_prose_leaves_no_raw_html_or_script_link(hostile: str) -> None:
    html = live_html(prose(f"Intro.\n\n{hostile}\n\nEnd."))
    assert "<script" not in html and "<img" not in html
    assert "javascript:" not in "".join(re.findall(r'href="[^"]*"', html))


def test_prose_keeps_markup_and_code() -> None:
    text = (
        "**Bold** [docs](https://example.org) ![plot](plots/roc.png) and `x < 5`.\n\n"
        "```python\nif a < b:\n    pass\n```\n\nAfter <b>."
    )
    html = live_html(prose(text))
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.org">docs</a>' in html
    assert '<img src="plots/roc.png" alt="plot" />' in html
    assert "<code>x &lt; 5</code>" in html
    assert "if a &lt; b:" in html
    assert "<p>After &lt;b&gt;.</p>" in html


@pytest.mark.parametrize("dialect", ["commonmark", "python-markdown"])
def test_prose_against_markdown_parsers_on_random_text(dialect: str) -> None:
    # CommonMark as the Hub and GitHub read it; Python-Markdown as MkDocs does.
    def render(text: str) -> str:
        if dialect == "commonmark":
            return live_html(text)
        return markdown.markdown(text, extensions=["tables", "fenced_code"])

    pieces = ["`", "``", "```", "\\`", "<script>", "<b>", "x", "|", "# ", "](", "[r]: "]
    pieces += ["javascript:x", "~~~", "\\", "<!-- -->", " ", "  ", "    ", "\n", "\n\n", "- ", "> "]
    allowed = {"p", "ul", "ol", "li", "blockquote", "h1", "h2", "pre", "br", "hr", "a", "table"}
    allowed |= {"thead", "tbody", "tr", "th", "td"}
    rng = random.Random(0)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        html = render(prose(text))
        outside_code = re.sub(r"<code[^>]*>.*?</code>", "", html, flags=re.DOTALL)
        assert set(re.findall(r"</?([a-zA-Z!?][^\s>/]*)", outside_code)) <= allowed, text
        assert 'href="javascript' not in html, text


def test_environment_is_strict_and_markdown_aware() -> None:
    env = environment()
    assert env.from_string("{{ x | md_text }}").render(x="<b>*") == "&lt;b&gt;\\*"
    assert env.from_string("{{ v | number }} {{ v | interval(v) }}").render(v=0.5) == (
        "0.500 [0.500, 0.500]"
    )
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
