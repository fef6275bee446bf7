"""The Model Card Toolkit JSON (`model_card.json`, schema v0.0.2): the card for programs.

The schema types metric values as strings, which the toolkit's templates show to people: they
read as in every other output (`modeldoc.present`); the exact values are in `facts.json`.
Limitations are the items the facts show (`modeldoc.present.limitations`), the same ones the
offline writer lists. Prose from the writer is made inert as in the Markdown card, since
toolkit templates render it too.
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
from modeldoc.facts import Checkpoint, DataProfile, FactSheet, Metric, Plot
from modeldoc.present.limitations import limitations
from modeldoc.present.markdown import plain
from modeldoc.present.metrics import metric_number
from modeldoc.present.numbers import number
from modeldoc.present.phrases import fairness_differences, slice_gaps
from modeldoc.render.hf_card import (
    computed_metrics,
    figure_path,
    licence_ids,
    model_name,
)
from modeldoc.render.templating import prose

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
_ERRORS_SHOWN = 5  # schema errors named in a `CardSchemaError`


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
        found = "; ".join(f"{error.json_path}: {error.message}" for error in errors[:_ERRORS_SHOWN])
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
                {"type": plain(name), "value": metric_number(name, value), "slice": where}
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
    shown: dict[str, Any] = {
        "type": plain(metric.name),
        "value": metric_number(metric.name, metric.value),
    }
    if metric.ci_low is not None and metric.ci_high is not None:
        shown["confidence_interval"] = {
            "lower_bound": metric_number(metric.name, metric.ci_low),
            "upper_bound": metric_number(metric.name, metric.ci_high),
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
    limits = [prose(item) for item in limitations(facts)] + [
        f"Out of scope: {plain(use)}" for use in (stated.out_of_scope_uses if stated else [])
    ]
    considerations = {
        "users": [{"description": plain(u)} for u in (stated.intended_users if stated else [])],
        "use_cases": [{"description": plain(u)} for u in (stated.intended_uses if stated else [])],
        "limitations": [{"description": text} for text in limits],
        "tradeoffs": [{"description": prose(text)} for text in _slice_gaps(facts)],
        "ethical_considerations": [
            {"name": plain(risk)} for risk in (stated.ethical_considerations if stated else [])
        ],
    }
    return {key: value for key, value in considerations.items() if value}


def _slice_gaps(facts: FactSheet) -> list[str]:
    """How much results differ between the groups of each sensitive column (computed)."""
    reports = facts.evaluation.slices if facts.evaluation else []
    return [
        sentence
        for report in reports
        for sentence in (*slice_gaps(report), *fairness_differences(report))
    ]


def _paragraphs(markdown: str) -> list[str]:
    return [block.strip() for block in re.split(r"\n[ \t]*\n", markdown.strip()) if block.strip()]
