"""`modeldoc diff`: read two fact sheets and compare them part by part.

Both sides are read with secrets redacted (a facts.json from an older modeldoc, or one
written by hand, may hold them), and so is the comparison itself (its paths and the gates
file's text): everything `render_markdown` and `--format json` print comes from it."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from modeldoc.diff.code import (
    compare_calls,
    compare_checkpoints,
    compare_hyperparameters,
    compare_models,
)
from modeldoc.diff.gates import gates_report
from modeldoc.diff.report import FactsDiff, Side
from modeldoc.diff.results import (
    compare_data,
    compare_explanations,
    compare_features,
    compare_metrics,
    compare_sections,
    compare_slices,
)
from modeldoc.errors import InputError
from modeldoc.facts import SCHEMA_VERSION, FactSheet
from modeldoc.present.numbers import number
from modeldoc.tools.secrets import redact_model

# facts.json of a large repository (every symbol) runs to tens of MB; far more is not one.
MAX_FACTS_BYTES = 512 * 1024 * 1024


def facts_file(path: Path) -> Path:
    """The facts.json that `path` names: the file itself, or the one in an output folder."""
    if path.is_dir():
        found = path / "facts.json"
        if not found.is_file():
            raise InputError(f"{path}: holds no facts.json; give a facts.json or a build's folder")
        return found
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder")
    return path


def load_fact_sheet(path: Path) -> FactSheet:
    """The fact sheet at `path` (a facts.json or an output folder), secrets redacted; a
    one-line error when it is missing or is not a modeldoc fact sheet."""
    file = facts_file(path)
    try:
        if file.stat().st_size > MAX_FACTS_BYTES:
            raise InputError(f"{file}: over {MAX_FACTS_BYTES:,} bytes; not a facts.json")
        text = file.read_bytes()
    except OSError as error:
        raise InputError(f"{file}: cannot be read ({error.strerror or error})") from error
    try:
        facts = FactSheet.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        what = f"{where}: {first['msg']}" if where else first["msg"]
        raise InputError(f"{file}: not a modeldoc facts.json ({what})") from error
    if facts.schema_version != SCHEMA_VERSION:
        raise InputError(
            f"{file}: facts schema version {facts.schema_version}; this modeldoc reads "
            f"version {SCHEMA_VERSION}"
        )
    return redact_model(facts)


def _side(facts: FactSheet, path: Path) -> Side:
    return Side(
        facts=str(path),
        repo=facts.repo.name,
        commit=facts.repo.commit,
        created_at=facts.provenance.created_at,
        modeldoc=facts.generator.version,
    )


def compare(
    base: FactSheet,
    head: FactSheet,
    *,
    base_path: Path = Path("base"),
    head_path: Path = Path("head"),
    gates_file: Path | None = None,
) -> FactsDiff:
    """Everything that differs between `base` and `head`, and the gates held against them
    (the `gates_file`'s, else the base's); secrets redacted."""
    gates = gates_report(base, head, gates_file=gates_file)
    diff = FactsDiff(
        base=_side(base, base_path),
        head=_side(head, head_path),
        gates=gates,
        metrics=compare_metrics(base.evaluation, head.evaluation),
        confidence_level=_confidence_level(base, head),
        slices=compare_slices(base.evaluation, head.evaluation),
        explanations=compare_explanations(base.explanations, head.explanations),
        features=compare_features(base, head),
        hyperparameters=compare_hyperparameters(base.code, head.code),
        calls=compare_calls(base.code, head.code),
        models=compare_models(base.code, head.code),
        checkpoints=compare_checkpoints(base.checkpoints, head.checkpoints),
        data=compare_data(base.data, head.data),
        sections=compare_sections(base, head),
        notes=_notes(base, head),
    )
    return redact_model(diff.model_copy(update={"changed": _changed(diff)}))


def _confidence_level(base: FactSheet, head: FactSheet) -> float | None:
    levels = {e.confidence_level for e in (base.evaluation, head.evaluation) if e is not None}
    return levels.pop() if len(levels) == 1 else None


def _notes(base: FactSheet, head: FactSheet) -> list[str]:
    """What a reader must know to read the numbers: a side without an evaluation, another
    task, other bootstrap settings."""
    notes = []
    old, new = base.evaluation, head.evaluation
    if old is None or new is None:
        for side, evaluation in (("base", old), ("head", new)):
            if evaluation is None:
                notes.append(f"The {side} has no evaluation: its metrics are missing.")
        return notes
    if old.task != new.task:
        notes.append(f"The task differs: {old.task} on the base, {new.task} on the head.")
    if (old.bootstrap_resamples, old.bootstrap_seed) != (new.bootstrap_resamples,
                                                         new.bootstrap_seed):  # fmt: skip
        notes.append(
            f"The intervals come from other bootstraps: {number(old.bootstrap_resamples)} "
            f"resamples (seed {old.bootstrap_seed}) on the base, "
            f"{number(new.bootstrap_resamples)} (seed {new.bootstrap_seed}) on the head."
        )
    if old.confidence_level != new.confidence_level:
        notes.append(
            f"The intervals have other confidence levels: {number(old.confidence_level)} on "
            f"the base, {number(new.confidence_level)} on the head."
        )
    return notes


def _changed(diff: FactsDiff) -> list[str]:
    parts = {
        "metrics": any(metric.changed for metric in diff.metrics),
        "slices": bool(diff.slices),
        "explanations": diff.explanations is not None and diff.explanations.changed,
        "features": bool(diff.features),
        "hyperparameters": bool(diff.hyperparameters),
        "calls": bool(diff.calls),
        "models": bool(diff.models),
        "checkpoints": bool(diff.checkpoints),
        "data": bool(diff.data),
        "sections": bool(diff.sections),
        "gates": diff.gates.head_differs,
    }
    return [part for part, changed in parts.items() if changed]
