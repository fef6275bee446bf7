"""The Hugging Face model card (`MODEL_CARD.md`): YAML metadata and the narrative's sections.

The metadata is data for machines (the Hub's widgets, leaderboards, `ModelCard.load`), so
it carries every computed metric exactly as computed; the body is for people, so every
number in it comes from the writer's verified prose or the one number format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import yaml

from modeldoc.atomic import write_atomically
from modeldoc.errors import InputError
from modeldoc.facts import Checkpoint, FactSheet, Metric, Plot
from modeldoc.present.card import MISSING
from modeldoc.present.markdown import plain
from modeldoc.present.metrics import metric_spec
from modeldoc.present.numbers import number
from modeldoc.present.sections import SECTIONS
from modeldoc.render.templating import environment

CARD_FILE = "MODEL_CARD.md"

# The figures follow the sections whose numbers they draw.
_FIGURES_AFTER = "explanations"
_TASK_TAGS = {"classification": "tabular-classification", "regression": "tabular-regression"}
_TASK_NAMES = {"classification": "Tabular classification", "regression": "Tabular regression"}
# The top-level modules whose estimators the Hub has a library name for.
_LIBRARIES = {"sklearn": "sklearn", "xgboost": "xgboost", "lightgbm": "lightgbm"}
# Licence ids the Hub knows, among those modeldoc recognises; any other is "other".
_HUB_LICENSES = frozenset({
    "afl-3.0", "agpl-3.0", "apache-2.0", "artistic-2.0", "bsd-2-clause", "bsd-3-clause",
    "bsl-1.0", "cc-by-3.0", "cc-by-4.0", "cc-by-nc-4.0", "cc-by-nc-nd-4.0", "cc-by-nc-sa-4.0",
    "cc-by-sa-4.0", "cc0-1.0", "creativeml-openrail-m", "epl-1.0", "epl-2.0", "eupl-1.2",
    "gpl-2.0", "gpl-3.0", "isc", "lgpl-2.1", "lgpl-3.0", "mit", "mpl-2.0", "ncsa", "ofl-1.1",
    "postgresql", "unlicense", "wtfpl", "zlib",
})  # fmt: skip
_GNU_SUFFIX = re.compile(r"(-only|-or-later|\+)$")


def render_hf_card(facts: FactSheet) -> str:
    """The Hugging Face model card for `facts`: front matter, sections, figures, metadata."""
    front_matter = yaml.safe_dump(
        card_metadata(facts), sort_keys=False, allow_unicode=True, width=1_000_000
    )
    template = environment().get_template("card/model_card.md.j2")
    return template.render(
        front_matter=front_matter,
        title=model_name(facts),
        summary=_summary(facts),
        sections=_sections(facts),
        missing=MISSING,
        figures_after=_FIGURES_AFTER,
        figures=[_Figure.of(plot) for plot in facts.plots],
        generator=f"{facts.generator.name} {facts.generator.version}",
        written_by=written_by(facts),
        llm_usage=llm_usage(facts),
        schema_version=facts.schema_version,
        created_at=facts.provenance.created_at,
        commit=facts.repo.commit,
        files=_files(facts),
    )


def write_hf_card(facts: FactSheet, out_dir: Path) -> Path:
    """Write `MODEL_CARD.md` into `out_dir` (beside `plots/`) and return its path."""
    path = out_dir / CARD_FILE
    write_atomically(path, render_hf_card(facts))
    return path


def card_metadata(facts: FactSheet) -> dict[str, Any]:
    """The card's YAML metadata as the Hub reads it; keys without a known value are left out.

    Every string is made one plain line: a newline in a repository name must not end the
    front matter early (the Hub's parser looks for a line holding only `---`).
    """
    metadata: dict[str, Any] = {}
    licences = licence_ids(facts)
    if licences:
        metadata.update(_hub_licence(licences[0]))
    checkpoint = facts.checkpoints[0] if facts.checkpoints else None
    library = library_name(checkpoint) if checkpoint else None
    if library:
        metadata["library_name"] = library
    task = facts.evaluation.task if facts.evaluation else None
    metadata["tags"] = [tag for tag in (_TASK_TAGS.get(task or ""), library) if tag] + ["modeldoc"]
    if facts.stated and facts.stated.datasets:
        metadata["datasets"] = [plain(dataset) for dataset in facts.stated.datasets]
    metrics = computed_metrics(facts)
    if metrics:
        metadata["metrics"] = [plain(metric.name) for metric in metrics]
    if task:
        metadata["pipeline_tag"] = _TASK_TAGS[task]
    if task and metrics:
        metadata["model-index"] = [
            {"name": plain(model_name(facts)), "results": [_result(facts, task, metrics)]}
        ]
    return metadata


def model_name(facts: FactSheet) -> str:
    """The model's name: as its owners state it, else the repository's."""
    return (facts.stated.name if facts.stated else None) or facts.repo.name


def licence_ids(facts: FactSheet) -> list[str]:
    """The SPDX ids the repository's licences name (licence files first), else the one its
    owners state; empty when unknown."""
    found = [licence.spdx for licence in facts.repo.licenses if licence.spdx]
    if not found and facts.stated and facts.stated.license:
        found = [facts.stated.license]
    return list(dict.fromkeys(found))


def library_name(checkpoint: Checkpoint) -> str | None:
    """The Hub's library name for the model: from the estimator's package when known, since
    a skops or pickle file holds scikit-learn, XGBoost or LightGBM objects."""
    if checkpoint.library == "onnx":
        return "onnx"
    if checkpoint.estimator:
        return _LIBRARIES.get(checkpoint.estimator.split(".", 1)[0])
    if checkpoint.library == "skops":
        return "sklearn"
    return _LIBRARIES.get(checkpoint.library or "")


def computed_metrics(facts: FactSheet) -> list[Metric]:
    """The evaluation's metrics that have a value."""
    if facts.evaluation is None:
        return []
    return [metric for metric in facts.evaluation.metrics if metric.value is not None]


def figure_path(plot: Plot) -> PurePosixPath:
    """A plot's file relative to the output folder, refused when it could point outside."""
    path = PurePosixPath(plot.file)
    if path.is_absolute() or ".." in path.parts or "\\" in plot.file or ":" in plot.file:
        raise InputError(f"plot {plot.file!r}: not a path inside the output folder")
    return path


@dataclass(frozen=True)
class _SectionView:
    id: str
    title: str
    text: str
    unverified: list[str]
    note: str | None = None


@dataclass(frozen=True)
class _Figure:
    path: str
    alt: str
    title: str
    shows: str

    @classmethod
    def of(cls, plot: Plot) -> _Figure:
        # Percent-encoded: a space or parenthesis in a file name would end the link target.
        return cls(quote(str(figure_path(plot))), plot.alt, plot.title, plot.shows)


@dataclass(frozen=True)
class _File:
    name: str
    role: str
    sha256: str


def _sections(facts: FactSheet) -> list[_SectionView]:
    """Every card section in the card's order; sections the card does not know go last, so
    nothing a writer wrote is dropped."""
    narrative = facts.narrative
    known = {spec.id for spec in SECTIONS}
    views = []
    for spec in SECTIONS:
        section = narrative.section(spec.id) if narrative else None
        text = section.text.strip() if section else ""
        unverified = [finding.text for finding in section.unmatched] if section else []
        note = section.note if section else None
        views.append(_SectionView(spec.id, spec.title, text, unverified, note))
    for section in narrative.sections if narrative else []:
        if section.id not in known:
            unverified = [finding.text for finding in section.unmatched]
            views.append(_SectionView(section.id, section.title, section.text.strip(),
                                      unverified, section.note))  # fmt: skip
    return views


def written_by(facts: FactSheet) -> str:
    """Who wrote the prose: the offline writer, or the chat model and, when some sections
    kept the offline text, how many."""
    run = facts.provenance.llm
    if run is None:
        return "the offline writer"
    sections = facts.narrative.sections if facts.narrative else []
    kept = sum(1 for section in sections if section.writer != run.model)
    drafted = len(sections) - kept
    text = f"{run.model} ({drafted} of {len(sections)} sections"
    return text + (f"; the offline writer the other {kept})" if kept else ")")


def llm_usage(facts: FactSheet) -> str | None:
    """The LLM's calls and tokens as one line; None for the offline writer."""
    run = facts.provenance.llm
    if run is None:
        return None
    usage = run.usage
    return (f"{number(usage.calls)} calls, {number(usage.prompt_tokens)} prompt and "
            f"{number(usage.completion_tokens)} completion tokens, "
            f"{number(usage.cache_hits)} answers from the cache")  # fmt: skip


def _summary(facts: FactSheet) -> str | None:
    """One line under the title when no model details were written (they quote the owners'
    description and the README): the description, else the README's first paragraph."""
    details = facts.narrative.section("model_details") if facts.narrative else None
    if details and details.text.strip():
        return None
    if facts.stated and facts.stated.description:
        return facts.stated.description
    return facts.repo.readme.summary if facts.repo.readme else None


def _files(facts: FactSheet) -> list[_File]:
    models = [_File(c.file, "model", c.sha256) for c in facts.checkpoints]
    return models + [_File(d.file, "evaluation data", d.sha256) for d in facts.data]


def _hub_licence(spdx: str) -> dict[str, str]:
    """The Hub's `license` for an SPDX id: lower-cased, GNU ids without `-only`/`-or-later`
    (the Hub lists `gpl-3.0`); an id or expression the Hub does not list is `other`, named."""
    hub = _GNU_SUFFIX.sub("", spdx.strip().lower())
    if hub in _HUB_LICENSES:
        return {"license": hub}
    return {"license": "other", "license_name": re.sub(r"[^a-z0-9.]+", "-", hub).strip("-")}


def _result(facts: FactSheet, task: str, metrics: list[Metric]) -> dict[str, Any]:
    """One model-index result: the task, the evaluation data and every computed metric."""
    data = facts.data[0].file if facts.data else "evaluation data"
    return {
        "task": {"type": _TASK_TAGS[task], "name": _TASK_NAMES[task]},
        "dataset": {"name": plain(data), "type": plain(data)},
        "metrics": [
            {
                "type": plain(metric.name),
                # Exactly as computed: the metadata is read by programs, not people.
                "value": metric.value,
                "name": plain(metric_spec(metric.name).hub_name),
            }
            for metric in metrics
        ],
    }
