"""The Model Card Toolkit JSON (`model_card.json`, schema v0.0.2): the card for programs.

Values the schema types as strings stay exact (a metric's value is its full `repr`, as in
the Hugging Face metadata); sentences made here use the one number format. Prose from the
writer is made inert as in the Markdown card, since toolkit templates render it too.
"""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from modeldoc.atomic import write_atomically
from modeldoc.errors import InputError
from modeldoc.facts import Checkpoint, DataProfile, FactSheet, Metric, Plot, Section
from modeldoc.render.hf_card import (
    computed_metrics,
    figure_path,
    licence_ids,
    model_name,
)
from modeldoc.render.markdown_text import plain
from modeldoc.render.templating import prose
from modeldoc.writing.numbers import number

MCT_FILE = "model_card.json"
SCHEMA_VERSION = "0.0.2"
_SCHEMA = f"site_template/card/model_card.schema.v{SCHEMA_VERSION}.json"
# The plots that show how well the model performs; SHAP plots have no place in the schema.
_PERFORMANCE_PLOTS = frozenset({
    "confusion_matrix", "roc", "precision_recall", "calibration", "actual_vs_predicted",
    "residuals",
})  # fmt: skip
_PNG = b"\x89PNG\r\n\x1a\n"
_URI = re.compile(r"(?i)https?://\S+")
_HUB_DATASET = re.compile(r"[\w.-]+(?:/[\w.-]+)?")
_LIST_ITEM = re.compile(r"[ ]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+")


class CardSchemaError(RuntimeError):
    """modeldoc made Model Card Toolkit JSON that its schema rejects: a bug in modeldoc."""


def render_mct(facts: FactSheet, out_dir: Path) -> dict[str, Any]:
    """The Model Card Toolkit JSON for `facts`, validated; plots are read from `out_dir`."""
    card: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    parts = {
        "model_details": _model_details(facts),
        "model_parameters": _model_parameters(facts),
        "quantitative_analysis": _quantitative_analysis(facts, out_dir),
        "considerations": _considerations(facts),
    }
    card.update((key, part) for key, part in parts.items() if part)
    validate_mct(card)
    return card


def write_mct(facts: FactSheet, out_dir: Path) -> Path:
    """Write `model_card.json` into `out_dir` (beside `plots/`) and return its path."""
    path = out_dir / MCT_FILE
    text = json.dumps(render_mct(facts, out_dir), indent=2, ensure_ascii=False) + "\n"
    write_atomically(path, text)
    return path


def validate_mct(card: dict[str, Any]) -> None:
    """Raise `CardSchemaError` listing what the toolkit's schema rejects in `card`."""
    errors = sorted(_validator().iter_errors(card), key=lambda error: list(error.path))
    if errors:
        found = "; ".join(f"{error.json_path}: {error.message}" for error in errors[:5])
        raise CardSchemaError(f"Model Card Toolkit JSON breaks schema v{SCHEMA_VERSION}: {found}")


@cache
def _validator() -> Draft7Validator:
    schema = json.loads(files("modeldoc").joinpath(_SCHEMA).read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def _model_details(facts: FactSheet) -> dict[str, Any]:
    stated = facts.stated
    details: dict[str, Any] = {"name": plain(model_name(facts))}
    section = facts.narrative.section("model_details") if facts.narrative else None
    paragraphs = _paragraphs(section.text) if section else []
    if paragraphs:
        details["overview"] = prose(paragraphs[0])
        if len(paragraphs) > 1:
            details["documentation"] = prose("\n\n".join(paragraphs))
    elif stated and stated.description:
        details["overview"] = plain(stated.description)
    elif facts.repo.readme and facts.repo.readme.summary:
        details["overview"] = plain(facts.repo.readme.summary)
    if stated and (stated.owners or stated.contact):
        contact = {"contact": plain(stated.contact)} if stated.contact else {}
        owners = [{"name": plain(owner)} | contact for owner in stated.owners]
        details["owners"] = owners or [contact]
    if stated and stated.version:
        details["version"] = {"name": plain(stated.version)}
    licences = licence_ids(facts)
    if licences:
        details["licenses"] = [{"identifier": plain(licence)} for licence in licences]
    references = stated.references if stated else []
    links = [plain(ref) for ref in references if _URI.fullmatch(ref.strip())]
    if links:
        details["references"] = [{"reference": link} for link in links]
    # The schema has no place for a reference that is not a link: kept as a citation.
    citations = [plain(ref) for ref in references if not _URI.fullmatch(ref.strip())]
    if stated and stated.citation:
        citations.insert(0, stated.citation.strip())
    if citations:
        details["citations"] = [{"citation": citation} for citation in citations]
    if facts.checkpoints:
        details["path"] = plain(facts.checkpoints[0].file)
    return details


def _model_parameters(facts: FactSheet) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    checkpoint = facts.checkpoints[0] if facts.checkpoints else None
    if checkpoint:
        parameters["model_architecture"] = _architecture(checkpoint)
    data = [_dataset(profile, facts) for profile in facts.data]
    for dataset in facts.stated.datasets if facts.stated else []:
        described = {"name": plain(dataset), "description": "Named by the model's owners."}
        if _HUB_DATASET.fullmatch(dataset):
            described["link"] = f"https://huggingface.co/datasets/{dataset}"
        data.append(described)
    if data:
        parameters["data"] = data
    features = checkpoint.feature_names if checkpoint else None
    if features:
        parameters["input_format"] = (
            f"{number(len(features))} features, in this order: {', '.join(map(plain, features))}"
        )
        dtypes = facts.data[0].dtypes if facts.data else {}
        parameters["input_format_map"] = [
            {"key": plain(name), "value": plain(dtypes[name])}
            for name in features
            if name in dtypes
        ]
    output = _output_format(facts)
    if output:
        parameters["output_format"] = output
    return parameters


def _architecture(checkpoint: Checkpoint) -> str:
    """The model as its file shows it: class, steps, objective, size."""
    if not checkpoint.loaded:
        reason = plain(checkpoint.not_loaded_reason or "unknown reason")
        return f"A {plain(checkpoint.format)} file that did not load: {reason}"
    parts = [plain(checkpoint.estimator or checkpoint.format)]
    if checkpoint.steps:
        steps = " → ".join(f"{plain(s.name)} ({plain(s.estimator)})" for s in checkpoint.steps)
        parts.append(f"steps {steps}")
    if checkpoint.objective:
        parts.append(f"objective {plain(checkpoint.objective)}")
    if checkpoint.n_trees is not None:
        parts.append(f"{number(checkpoint.n_trees)} trees")
    if checkpoint.n_parameters is not None:
        parts.append(f"{number(checkpoint.n_parameters)} parameters")
    return ", ".join(parts)


def _dataset(profile: DataProfile, facts: FactSheet) -> dict[str, Any]:
    """The evaluation data: a local file, so it has no link; its hash says which one."""
    target = f", target column {plain(profile.target)}" if profile.target else ""
    dataset: dict[str, Any] = {
        "name": plain(profile.file),
        "description": (
            f"Evaluation data: {number(profile.rows)} rows, {number(len(profile.columns))} "
            f"columns{target}; {profile.format}, sha256 {plain(profile.sha256)}."
        ),
    }
    slices = facts.evaluation.slices if facts.evaluation else []
    if slices:
        dataset["sensitive"] = {"sensitive_data": [plain(s.column) for s in slices]}
    return dataset


def _output_format(facts: FactSheet) -> str | None:
    evaluation = facts.evaluation
    if evaluation is None or evaluation.task is None:
        return None
    if evaluation.task == "regression":
        return "One number per row (regression)."
    labels = ", ".join(plain(label) for label in evaluation.labels)
    return f"One class label per row, one of: {labels}." if labels else "One class label per row."


def _quantitative_analysis(facts: FactSheet, out_dir: Path) -> dict[str, Any]:
    analysis: dict[str, Any] = {}
    metrics = [_performance_metric(metric) for metric in computed_metrics(facts)]
    for report in facts.evaluation.slices if facts.evaluation else []:
        for group in report.groups:
            where = plain(f"{report.column}={group.value}")
            metrics += [
                {"type": plain(name), "value": repr(value), "slice": where}
                for name, value in group.metrics.items()
                if value is not None
            ]
    if metrics:
        analysis["performance_metrics"] = metrics
    plots = [plot for plot in facts.plots if plot.kind in _PERFORMANCE_PLOTS]
    if plots:
        analysis["graphics"] = {
            "description": "Performance of the model on the evaluation data.",
            "collection": [
                {"name": plain(plot.title), "image": _png_base64(out_dir, plot)} for plot in plots
            ],
        }
    return analysis


def _performance_metric(metric: Metric) -> dict[str, Any]:
    # Exact values (repr round-trips a float): the schema wants strings, programs read them.
    shown: dict[str, Any] = {"type": plain(metric.name), "value": repr(metric.value)}
    if metric.ci_low is not None and metric.ci_high is not None:
        shown["confidence_interval"] = {
            "lower_bound": repr(metric.ci_low),
            "upper_bound": repr(metric.ci_high),
        }
    return shown


def _png_base64(out_dir: Path, plot: Plot) -> str:
    """A plot's PNG, base64-encoded; a plot listed in the facts must be a PNG in `out_dir`."""
    path = out_dir / figure_path(plot)
    if path.is_symlink() or not path.resolve().is_relative_to(out_dir.resolve()):
        raise InputError(f"plot {plot.file}: not a file inside {out_dir}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"plot {plot.file}: cannot read it from {out_dir}: {error}") from error
    if not data.startswith(_PNG):
        raise InputError(f"plot {plot.file}: not a PNG image")
    return base64.b64encode(data).decode("ascii")


def _considerations(facts: FactSheet) -> dict[str, Any]:
    stated = facts.stated
    section = facts.narrative.section("limitations") if facts.narrative else None
    limitations = _limitations(section) + [
        f"Out of scope: {plain(use)}" for use in (stated.out_of_scope_uses if stated else [])
    ]
    considerations = {
        "users": [{"description": plain(u)} for u in (stated.intended_users if stated else [])],
        "use_cases": [{"description": plain(u)} for u in (stated.intended_uses if stated else [])],
        "limitations": [{"description": text} for text in limitations],
        "tradeoffs": [{"description": text} for text in _slice_gaps(facts)],
        "ethical_considerations": [
            {"name": plain(risk)} for risk in (stated.ethical_considerations if stated else [])
        ],
    }
    return {key: value for key, value in considerations.items() if value}


def _limitations(section: Section | None) -> list[str]:
    """The limitations section's items (list items or paragraphs), then what in it could not
    be verified, so a reader of the JSON is warned as a reader of the card is."""
    if section is None:
        return []
    paragraphs = _paragraphs(section.text)
    items: list[str] = []
    for paragraph, after in zip(paragraphs, [*paragraphs[1:], ""], strict=True):
        # A lead-in ("What the facts show:") introduces the list after it; it is no item.
        if not (paragraph.endswith(":") and _LIST_ITEM.match(after)):
            items += [prose(item) for item in _list_items(paragraph)]
    if section.unmatched:
        unverified = ", ".join(plain(finding.text) for finding in section.unmatched)
        items.append(f"Not verified against the facts: {unverified}.")
    return items


def _slice_gaps(facts: FactSheet) -> list[str]:
    """How much results differ between the groups of each sensitive column (computed)."""
    gaps = []
    for report in facts.evaluation.slices if facts.evaluation else []:
        column = plain(report.column)
        for name, gap in report.largest_gap.items():
            if gap is not None:
                gaps.append(
                    f"{plain(name)} differs by up to {number(gap)} between the groups of {column}."
                )
        for label, value in (
            ("demographic parity difference", report.demographic_parity_difference),
            ("equalized odds difference", report.equalized_odds_difference),
        ):
            if value is not None:
                gaps.append(f"The {label} over the groups of {column} is {number(value)}.")
    return gaps


def _paragraphs(markdown: str) -> list[str]:
    return [block.strip() for block in re.split(r"\n[ \t]*\n", markdown.strip()) if block.strip()]


def _list_items(paragraph: str) -> list[str]:
    """A Markdown list's items, each on one line; any other paragraph as one item."""
    lines = paragraph.splitlines()
    if not _LIST_ITEM.match(lines[0]):
        return [paragraph]
    items: list[str] = []
    for line in lines:
        if _LIST_ITEM.match(line):
            items.append(_LIST_ITEM.sub("", line, count=1))
        else:
            items[-1] += " " + line.strip()
    return items
