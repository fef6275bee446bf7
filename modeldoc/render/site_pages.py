"""The Markdown pages of the documentation site, rendered from the fact sheet.

The pages are templates (`site_template/site/pages/`); this module says which page shows
which plot and gives the templates the few filters they need beyond the shared ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

import jinja2
from pydantic import JsonValue

from modeldoc.facts import Call, FactSheet, Plot, Source
from modeldoc.present.card import MISSING, code_value, data_value
from modeldoc.present.limits import CONTRIBUTIONS_LISTED
from modeldoc.present.markdown import md_code, table_cell
from modeldoc.present.metrics import metric_spec
from modeldoc.present.numbers import number
from modeldoc.present.phrases import direction
from modeldoc.present.sections import SECTIONS
from modeldoc.render.hf_card import figure_path
from modeldoc.render.templating import environment

UNKNOWN = "Unknown"
"""What a table cell shows where a fact is unknown."""

# Parameter values longer than this (a pipeline's steps, a vocabulary) are cut in tables.
_VALUE_CHARS = 200
_FRONT_MATTER = re.compile(r"\A---\r?\n.*?\r?\n---\r?\n", re.DOTALL)


@dataclass(frozen=True)
class PageSpec:
    """One page of the site: its file under `docs/`, its title in the navigation, its
    template under `site_template/`."""

    file: str
    title: str
    template: str


PAGES: tuple[PageSpec, ...] = tuple(
    PageSpec(file, title, f"site/pages/{file}.j2")
    for file, title in (
        ("index.md", "Overview"),
        ("architecture.md", "Architecture"),
        ("training.md", "Training"),
        ("data.md", "Data"),
        ("performance.md", "Performance"),
        ("explanations.md", "Explanations"),
        ("provenance.md", "Provenance"),
    )
)


@dataclass
class Figures:
    """Every plot of the fact sheet, placed on exactly one page."""

    performance: list[Plot] = field(default_factory=list)
    importance: list[Plot] = field(default_factory=list)
    dependence: list[Plot] = field(default_factory=list)
    waterfall: dict[int, Plot] = field(default_factory=dict)
    other: list[Plot] = field(default_factory=list)

    @classmethod
    def place(cls, facts: FactSheet) -> Figures:
        """SHAP plots on the Explanations page (waterfalls beside their rows, dependence
        plots by importance), every other plot on the Performance page."""
        figures = cls()
        explanations = facts.explanations
        explained = bool(explanations and explanations.explainer and not explanations.not_computed)
        local_rows = {local.row for local in explanations.local} if explanations else set()
        rank = _feature_ranks(facts)
        dependence: list[Plot] = []
        for plot in facts.plots:
            if not plot.kind.startswith("shap_"):
                figures.performance.append(plot)
            elif not explained:
                figures.other.append(plot)
            elif plot.kind in ("shap_bar", "shap_beeswarm"):
                figures.importance.append(plot)
            elif plot.kind == "shap_dependence":
                dependence.append(plot)
            elif (
                plot.kind == "shap_waterfall"
                and plot.row in local_rows
                and plot.row not in figures.waterfall
            ):
                figures.waterfall[plot.row] = plot
            else:
                figures.other.append(plot)
        figures.dependence.extend(
            sorted(dependence, key=lambda plot: rank.get(plot.feature or "", len(rank)))
        )
        return figures


def render_pages(
    facts: FactSheet, *, card_markdown: str | None, plots_present: Iterable[str]
) -> dict[str, str]:
    """Each page's file name under `docs/` and its Markdown, in navigation order.

    `plots_present` holds the `Plot.file` of every plot copied into `docs/`; a plot whose
    file is missing is named on its page instead of shown.
    """
    env = _environment()
    context = {
        "facts": facts,
        "card": _without_front_matter(card_markdown) if card_markdown is not None else None,
        "sections": SECTIONS,
        "figures": Figures.place(facts),
        "present": frozenset(plots_present),
        "missing": MISSING,
        "unknown": UNKNOWN,
        "contributions_listed": CONTRIBUTIONS_LISTED,
    }
    return {page.file: env.get_template(page.template).render(context) for page in PAGES}


def _environment() -> jinja2.Environment:
    env = environment()
    env.filters.update(
        where=where,
        code_value=code_value,
        arguments=arguments,
        parameter=parameter,
        data_value=data_value,
        direction=direction,
        count=count,
        metric_label=metric_label,
        better=better,
        src=src,
    )
    return env


def _without_front_matter(card: str) -> str:
    # MkDocs would read a card's YAML front matter as page settings (`template`, `title`).
    return _FRONT_MATTER.sub("", card, count=1)


def _feature_ranks(facts: FactSheet) -> dict[str, int]:
    if facts.explanations is None:
        return {}
    return {item.feature: item.rank for item in facts.explanations.importance}


def where(source: Source) -> str:
    """Where a fact was read, as a code span: `train.py:18`."""
    return md_code(str(source))


def arguments(call: Call) -> str:
    """A call's arguments as code spans: `n_estimators=100`, `frame`."""
    shown = [
        md_code(f"{arg.name}={arg.value.text}" if arg.name else arg.value.text) for arg in call.args
    ]
    return ", ".join(shown) if shown else "no arguments"


def parameter(value: JsonValue) -> str:
    """A loaded model's parameter: numbers in the one format, anything else as code."""
    if isinstance(value, bool) or value is None:
        return md_code(str(value))
    if isinstance(value, int | float):
        return number(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > _VALUE_CHARS:
        text = f"{text[:_VALUE_CHARS]}… ({number(len(text))} characters)"
    return md_code(text)


def metric_label(name: str) -> str:
    """A metric's name for people, as a table cell: `roc_auc` -> ROC AUC."""
    return table_cell(metric_spec(name).title)


def better(name: str) -> str:
    """Which way metric `name` is better: "higher" or "lower"."""
    return "higher" if metric_spec(name).higher_is_better else "lower"


def count(value: float) -> str:
    """A count stored as a float (a support) shown as the whole number it is."""
    return number(int(value)) if float(value).is_integer() else number(value)


def src(plot: Plot) -> str:
    """A plot's file as a link target relative to `docs/`."""
    # Percent-encoded: a space or parenthesis in a file name would end the link target.
    return quote(str(figure_path(plot)))
