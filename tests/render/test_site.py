"""The documentation site of real builds: built strictly, images and plots in place, no
network, repository text that stays text, numbers as the fact sheet has them."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from helpers.examples import build_example

from modeldoc.facts import (
    CodeFacts,
    FactSheet,
    Finding,
    Generator,
    Narrative,
    Provenance,
    RepoFacts,
    Section,
)
from modeldoc.present.card import MISSING, data_value
from modeldoc.present.markdown import md_text
from modeldoc.present.numbers import interval, number
from modeldoc.present.phrases import direction
from modeldoc.render.hf_card import render_hf_card
from modeldoc.render.site import (
    CONFIG_FILE,
    SiteBuildError,
    SiteResult,
    build_site,
    write_site,
)
from modeldoc.render.site_pages import PAGES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PAYLOAD = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"
HARMLESS = "plain words, about ~95% of *them*"
# Tags whose URL attribute makes the browser fetch something when the page is viewed.
FETCHING = {"link": "href", "script": "src", "img": "src", "iframe": "src", "source": "src",
            "audio": "src", "video": "src", "embed": "src", "object": "data"}  # fmt: skip


@dataclass(frozen=True)
class Built:
    """A site written by `write_site` into `out`, from `facts`."""

    facts: FactSheet
    out: Path
    result: SiteResult

    @property
    def html(self) -> dict[str, str]:
        """Each built HTML page's text, by file name."""
        site = self.out / "site"
        return {path.name: path.read_text(encoding="utf-8") for path in site.glob("*.html")}

    def page(self, name: str) -> Html:
        return Html(self.html[name])


class Html(HTMLParser):
    """A page's start tags with their attributes, and its tables as rows of cell texts."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def attributes(self, tag: str, name: str) -> list[str]:
        return [attrs[name] or "" for t, attrs in self.tags if t == tag and name in attrs]


def modeldoc_build(example: str, out: Path) -> Path:
    """Run `modeldoc build` on an example as a user would; its output folder."""
    build_example(example, out)
    return out


def load(out: Path) -> FactSheet:
    return FactSheet.model_validate_json((out / "facts.json").read_text(encoding="utf-8"))


def narrative(
    text: str = "An **XGBoost** classifier. See [the data](https://example.org).",
) -> Narrative:
    return Narrative(
        writer="offline",
        sections=[
            Section(id="model_details", title="Model details", writer="offline", text=text),
            Section(id="evaluation", title="Evaluation results", writer="offline",
                    text="Recall is 0.99.",
                    findings=[Finding(kind="number", text="0.99", matched=False)]),
            Section(id="notes", title="Notes", writer="offline", text="A section the card lacks."),
        ],
    )  # fmt: skip


def site(build: Path, target: Path, facts: FactSheet, card_markdown: str | None = None) -> Built:
    """The site of `facts` written into a copy of `build`'s output folder."""
    shutil.copytree(build, target)
    return Built(facts, target, write_site(facts, target, card_markdown=card_markdown))


@pytest.fixture(scope="module")
def cancer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return modeldoc_build("cancer-xgboost", tmp_path_factory.mktemp("cancer") / "out")


@pytest.fixture(scope="module")
def diabetes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return modeldoc_build("diabetes-skops", tmp_path_factory.mktemp("diabetes") / "out")


@pytest.fixture(scope="module")
def gpt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PyTorch repository without a model file: models, layers and conflicting values."""
    return modeldoc_build("gpt-mini", tmp_path_factory.mktemp("gpt") / "out")


@pytest.fixture(scope="module")
def cancer_site(cancer: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    facts = load(cancer).model_copy(update={"narrative": narrative()})
    return site(cancer, tmp_path_factory.mktemp("cancer-site") / "out", facts)


@pytest.fixture(scope="module")
def diabetes_site(diabetes: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    facts = load(diabetes).model_copy(update={"narrative": narrative()})
    return site(diabetes, tmp_path_factory.mktemp("diabetes-site") / "out", facts)


@pytest.fixture(params=["cancer_site", "diabetes_site"])
def built(request: pytest.FixtureRequest) -> Built:
    site: Built = request.getfixturevalue(request.param)
    return site


def with_text(facts: FactSheet, text: str) -> FactSheet:
    """`facts` with `text` in the README summary, a feature name, a class label and a
    section's title and text."""
    facts = facts.model_copy(deep=True)
    assert facts.repo.readme and facts.explanations and facts.evaluation and facts.data
    facts.repo.readme.summary = text
    old, new = facts.explanations.importance[0].feature, f"feature {text}"
    facts.explanations.importance[0].feature = new
    for local in facts.explanations.local:
        for part in local.contributions:
            part.feature = new if part.feature == old else part.feature
    profile = facts.data[0]
    profile.columns = [new if column == old else column for column in profile.columns]
    profile.dtypes = {new if k == old else k: v for k, v in profile.dtypes.items()}
    profile.ranges = {new if k == old else k: v for k, v in profile.ranges.items()}
    evaluation = facts.evaluation
    label, evaluation.labels[0] = evaluation.labels[0], f"class {text}"
    evaluation.per_class = {
        (f"class {text}" if k == label else k): v for k, v in evaluation.per_class.items()
    }
    facts.narrative = narrative(f"{text}\n\n## {text}\n\n[y][ref]\n\n[ref]: javascript:alert(2)")
    facts.narrative.sections[0].title = text
    return facts


# --- the build ---


def test_site_builds_strictly_with_every_page(built: Built) -> None:
    result = built.result
    assert result.html_built and result.seconds is not None and result.seconds > 0
    assert [page.name for page in result.pages] == [page.file for page in PAGES]
    assert all(page.is_file() for page in result.pages)
    assert set(built.html) >= {page.file.replace(".md", ".html") for page in PAGES}
    config = yaml.safe_load(result.config_file.read_text(encoding="utf-8"))
    assert config["site_name"] == built.facts.repo.name
    assert config["theme"] == {"name": "material", "font": False}
    assert config["plugins"] == ["search", "offline"]
    assert config["use_directory_urls"] is False
    assert "extra_javascript" not in config
    hook = built.out / config["hooks"][0]
    assert hook.read_text(encoding="utf-8") == (
        Path(__file__).resolve().parents[2] / "modeldoc/render/mkdocs_hooks.py"
    ).read_text(encoding="utf-8")


def test_mkdocs_command_rebuilds_the_generated_site_strictly(
    cancer_site: Built, tmp_path: Path
) -> None:
    config, site_dir = cancer_site.out / CONFIG_FILE, tmp_path / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config),
               "--site-dir", str(site_dir)]  # fmt: skip
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    assert (site_dir / "performance.html").is_file()


def test_a_warning_fails_the_build_and_is_named(cancer_site: Built, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(cancer_site.out, out)
    with (out / "docs" / "data.md").open("a", encoding="utf-8") as page:
        page.write("\n[a page that is not there](nowhere.md)\n")
    with pytest.raises(SiteBuildError, match=r"nowhere\.md"):
        build_site(out / CONFIG_FILE)


def test_the_build_is_quiet_and_leaves_logging_as_it_was(
    cancer: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    logger = logging.getLogger("mkdocs")
    before = (list(logger.handlers), logger.level, logger.propagate)
    site(cancer, tmp_path / "out", load(cancer))
    assert capfd.readouterr().err == ""
    assert (list(logger.handlers), logger.level, logger.propagate) == before


def test_writing_again_replaces_the_pages(cancer_site: Built, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(cancer_site.out, out)
    (out / "docs" / "stale.md").write_text("# From an earlier run\n", encoding="utf-8")
    result = write_site(cancer_site.facts, out, build_html=False)
    assert not (out / "docs" / "stale.md").exists()
    assert not result.html_built and result.seconds is None and result.site_dir is None


# --- what the pages show ---


def test_every_image_exists_and_every_plot_is_shown(built: Built) -> None:
    site_dir = built.out / "site"
    shown: set[Path] = set()
    for name, text in built.html.items():
        for src in Html(text).attributes("img", "src"):
            if src.startswith("data:"):
                continue
            path = (
                site_dir / unquote(src).lstrip("/")
                if src.startswith("/")
                else (site_dir / unquote(src))
            )
            assert path.is_file(), f"{name}: {src}"
            shown.add(path.resolve())
    assert built.facts.plots
    for plot in built.facts.plots:
        assert (site_dir / plot.file).resolve() in shown, plot.file


def test_plots_have_their_alt_text_and_a_caption(cancer_site: Built) -> None:
    alts = {
        attrs["src"]: attrs["alt"]
        for text in cancer_site.html.values()
        for tag, attrs in Html(text).tags
        if tag == "img"
    }
    pages = "".join(path.read_text(encoding="utf-8") for path in cancer_site.result.pages)
    assert len(cancer_site.facts.plots) == 12
    for plot in cancer_site.facts.plots:
        assert alts[plot.file] == plot.alt
        assert f"*{md_text(plot.title)}.* {md_text(plot.alt)}" in pages


def test_no_page_fetches_anything_from_the_network(built: Built) -> None:
    for name, text in built.html.items():
        page = Html(text)
        for tag, attribute in FETCHING.items():
            for url in page.attributes(tag, attribute):
                assert not urlsplit(url).netloc, f"{name}: <{tag} {attribute}={url}>"
        for needle in ("fonts.googleapis", "fonts.gstatic", "unpkg.com", "cdn.jsdelivr"):
            assert needle not in text, f"{name}: {needle}"
    for css in (built.out / "site" / "assets").rglob("*.css"):
        assert "url(http" not in css.read_text(encoding="utf-8").replace('"', "")


def test_search_index_holds_feature_names(cancer_site: Built) -> None:
    index = json.loads((cancer_site.out / "site/search/search_index.json").read_text("utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    assert cancer_site.facts.explanations is not None
    assert cancer_site.facts.explanations.importance[0].feature in text
    # The offline plugin's copy is what pages opened from disk load.
    assert (cancer_site.out / "site/search/search_index.js").is_file()


def test_performance_numbers_are_the_facts_in_the_one_format(cancer_site: Built) -> None:
    evaluation = load(cancer_site.out).evaluation
    assert evaluation is not None
    metrics, per_class, confusion = cancer_site.page("performance.html").tables
    assert metrics[0][:3] == ["Metric", "Value", "95% CI"]
    assert len(metrics) == len(evaluation.metrics) + 1
    for row, metric in zip(metrics[1:], evaluation.metrics, strict=True):
        assert f"({metric.name})" in row[0]
        assert row[1] == number(metric.value)
        assert row[2] == interval(metric.ci_low, metric.ci_high)
    for row in per_class[1:]:
        scores = evaluation.per_class[row[0]]
        assert row[1:] == [number(scores["precision"]), number(scores["recall"]),
                           number(scores["f1"]), number(int(scores["support"]))]  # fmt: skip
    assert confusion[0][1:] == evaluation.labels
    assert [row[1:] for row in confusion[1:]] == [
        [number(cell) for cell in row] for row in evaluation.confusion_matrix or []
    ]


def test_slices_show_each_group_the_gap_and_why_fairness_is_missing(diabetes_site: Built) -> None:
    evaluation = diabetes_site.facts.evaluation
    assert evaluation is not None and evaluation.slices
    report = evaluation.slices[0]
    table = diabetes_site.page("performance.html").tables[1]
    names = list(report.largest_gap)
    for row, group in zip(table[1:-1], report.groups, strict=True):
        assert row == [group.value, number(group.rows)] + [
            number(group.metrics[name]) for name in names
        ]
    assert table[-1][2:] == [number(report.largest_gap[name]) for name in names]
    text = (diabetes_site.out / "docs/performance.md").read_text(encoding="utf-8")
    assert "Demographic parity difference: not computed: defined for classifiers" in text


def test_explanations_say_each_contribution_in_words(cancer_site: Built) -> None:
    explanations = cancer_site.facts.explanations
    assert explanations is not None and explanations.local
    text = (cancer_site.out / "docs/explanations.md").read_text(encoding="utf-8")
    for local in explanations.local:
        assert f"### Row {number(local.row)}: {local.reason}" in text
        for part in local.contributions[:5]:
            verb = "raised" if part.shap > 0 else "lowered"
            sentence = (
                f"- `{part.feature}` = {data_value(part.value)} {verb} the output by "
                f"{number(abs(part.shap))}."
            )
            assert sentence in text
        block = text.split(f"### Row {number(local.row)}:", 1)[1].split("\n### ", 1)[0]
        assert block.count(" the output by ") == 5  # the top five only
    assert "- `worst texture` = 19.68 raised the output by 1.029." in text
    top = explanations.importance[0]
    assert f"| {number(top.rank)} | `{top.feature}` | {number(top.mean_abs_shap)} |" in text
    assert direction(top.value_shap_correlation) == "higher values lower the output"


def test_directions_in_words() -> None:
    assert direction(0.8) == "higher values raise the output"
    assert direction(-0.3) == "higher values lower the output"
    assert direction(0.02) == "no monotonic trend"
    assert direction(None) == "no monotonic trend can be measured (text or constant values)"


def test_overview_shows_sections_in_card_order_and_flags_unverified(cancer_site: Built) -> None:
    text = (cancer_site.out / "docs/index.md").read_text(encoding="utf-8")
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings[0] == "Model details" and headings[-1] == "Notes"
    assert text.split("## Intended use\n", 1)[1].lstrip().startswith(MISSING)
    assert '!!! warning "Not verified against the facts"' in text
    html = cancer_site.html["index.html"]
    assert '<a href="https://example.org" rel="noopener noreferrer">the data</a>' in html


def test_card_markdown_is_the_overview_without_its_front_matter(
    cancer: Path, tmp_path: Path
) -> None:
    facts = load(cancer)
    card = render_hf_card(facts)
    assert card.startswith("---\n")
    built = site(cancer, tmp_path / "out", facts, card_markdown=card)
    overview = (built.out / "docs/index.md").read_text(encoding="utf-8")
    assert overview.strip() == card.split("\n---\n", 1)[1].strip()
    assert "model-index" not in built.html["index.html"]


def test_architecture_and_training_from_the_code(gpt: Path, tmp_path: Path) -> None:
    built = site(gpt, tmp_path / "out", load(gpt))
    code = built.facts.code
    architecture = (built.out / "docs/architecture.md").read_text(encoding="utf-8")
    training = (built.out / "docs/training.md").read_text(encoding="utf-8")
    for model in code.models:
        assert f"| Defined at | `{model.source}` |" in architecture
        for layer in model.layers:
            assert f"| `{layer.callee}` |" in architecture
    assert "No model file was found or given. [More Information Needed]" in architecture
    assert code.conflicts
    for conflict in code.conflicts:
        for setting in conflict.values:
            assert f"at `{setting.source}`" in training
    assert "`3e-4` = 0.0003 at `train.py:15`" in training


def test_unknown_facts_are_said_never_invented(tmp_path: Path) -> None:
    facts = FactSheet(
        generator=Generator(version="0.1.0"),
        repo=RepoFacts(name="empty"),
        code=CodeFacts(),
        provenance=Provenance(created_at="2026-01-01T00:00:00+00:00", python="3.11.7"),
    )
    result = write_site(facts, tmp_path)
    assert result.html_built
    pages = {page.name: page.read_text(encoding="utf-8") for page in result.pages}
    assert "| Git commit | Unknown |" in pages["provenance.md"]
    for name in ("index.md", "performance.md", "explanations.md", "data.md"):
        assert MISSING in pages[name], name


def test_missing_plot_file_is_named_not_linked(cancer: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(cancer, out)
    facts = load(out)
    (out / facts.plots[0].file).unlink()
    result = write_site(facts, out)
    assert result.html_built
    text = (out / "docs/performance.md").read_text(encoding="utf-8")
    assert f"the plot file `{facts.plots[0].file}` is missing" in text


# --- repository text stays text ---


@pytest.fixture(scope="module")
def hostile_and_harmless(
    cancer: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Built, Built]:
    facts = load(cancer)
    made = []
    for text in (PAYLOAD, HARMLESS):
        target = tmp_path_factory.mktemp("text") / "out"
        made.append(site(cancer, target, with_text(facts, text)))
    return made[0], made[1]


def test_hostile_text_adds_no_script_handler_or_javascript_link(
    hostile_and_harmless: tuple[Built, Built],
) -> None:
    hostile, harmless = hostile_and_harmless
    assert hostile.html.keys() == harmless.html.keys()
    for name, text in hostile.html.items():
        page, theme = Html(text), Html(harmless.html[name])
        assert text.count("<script") == harmless.html[name].count("<script"), name
        scripts = [attrs.get("src") for tag, attrs in page.tags if tag == "script"]
        assert scripts == [attrs.get("src") for tag, attrs in theme.tags if tag == "script"]
        assert all(src is None or src.lstrip("/").startswith("assets/") for src in scripts)
        for tag, attrs in page.tags:
            handlers = [key for key in attrs if key.startswith("on")]
            assert not handlers, f"{name}: <{tag} {handlers}>"
            for key in ("href", "src", "action", "formaction", "data"):
                value = (attrs.get(key) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:text/html")), f"{name}: {value}"


def test_hostile_text_is_shown_as_text(hostile_and_harmless: tuple[Built, Built]) -> None:
    hostile, harmless = hostile_and_harmless
    assert "<p>plain words, about ~95% of *them*</p>" in harmless.html["index.html"]
    overview, data = hostile.html["index.html"], hostile.html["data.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in overview  # the README summary
    assert "feature &lt;script&gt;alert(1)&lt;/script&gt;" in data
    assert "class &lt;script&gt;alert(1)&lt;/script&gt;" in hostile.html["performance.html"]
    # The writer's reference definition stays text, not a link.
    assert "<p>[y][ref]</p>" in overview and "<p>[ref]: javascript&#58;alert(2)</p>" in overview


def test_raw_html_that_reaches_a_page_is_removed_by_the_hook(cancer: Path, tmp_path: Path) -> None:
    # A card is Markdown another renderer made; if raw HTML ever slipped into it, the
    # sanitising hook is what keeps it out of the page.
    card = f"# Card\n\n{PAYLOAD}\n\n<a href='javascript:alert(2)'>y</a> <b onclick=alert(3)>z</b>\n"
    built = site(cancer, tmp_path / "out", load(cancer), card_markdown=card)
    overview = built.html["index.html"]
    assert overview.count("<script") == built.html["data.html"].count("<script")
    page = Html(overview)
    assert not [attrs for _, attrs in page.tags if any(key.startswith("on") for key in attrs)]
    assert not [href for href in page.attributes("a", "href") if "javascript" in href]
    assert "<b>z</b>" in overview and 'src="x"' in overview  # the harmless parts stay
