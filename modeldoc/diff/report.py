"""What `modeldoc diff` found: the changes between a base and a head fact sheet (`--format
json` dumps `FactsDiff`). Every number is one of the two sheets' or a difference of two."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from modeldoc.facts import Gates, Source

DIFF_SCHEMA_VERSION = "1"

Change = Literal["added", "removed", "changed"]


def change_of(base: object | None, head: object | None) -> Change:
    """What happened to a fact one side or both have: added, removed or changed."""
    if base is not None and head is not None:
        return "changed"
    return "added" if head is not None else "removed"


class DiffPart(BaseModel):
    """Base of every part of the diff: strict, like the facts it compares."""

    model_config = ConfigDict(extra="forbid")


class Side(DiffPart):
    """Which build one side of the diff is."""

    facts: str = Field(description="the facts.json read, as given")
    repo: str
    commit: str | None = None
    created_at: str
    modeldoc: str = Field(description="the modeldoc version that wrote the facts")


class NumberChange(DiffPart):
    """One number on both sides: None where a side does not have it."""

    name: str
    base: float | None = None
    head: float | None = None
    delta: float | None = Field(default=None, description="head minus base, when both are known")

    @property
    def changed(self) -> bool:
        """The two sides differ (one missing counts)."""
        return self.base != self.head


MetricVerdict = Literal["unchanged", "separated", "within_uncertainty", "no_interval", "one_side"]
"""What a metric's difference means: `unchanged` (the same value, or none on either side),
`separated` (the intervals do not overlap: changed), `within_uncertainty` (the intervals
overlap), `no_interval` (a side has no interval: it cannot be judged against uncertainty),
`one_side` (computed on one side only: changed)."""


class MetricChange(NumberChange):
    """A metric on both sides with its confidence intervals, and what its difference means."""

    base_ci: tuple[float, float] | None = None
    head_ci: tuple[float, float] | None = None
    intervals_overlap: bool | None = Field(
        default=None, description="None when a side has no interval"
    )
    verdict: MetricVerdict = "unchanged"
    base_not_computed: str | None = None
    head_not_computed: str | None = None

    @property
    def changed(self) -> bool:
        """The metric changed: its intervals do not overlap, or one side alone has it. A
        difference inside the intervals, or one without them to judge it, is not a change."""
        return self.verdict in ("separated", "one_side")

    @property
    def differs(self) -> bool:
        """The two sides' values differ at all."""
        return self.verdict != "unchanged"


class GroupChange(DiffPart):
    """One slice (a value of a sensitive column) on both sides."""

    value: str
    base_rows: int | None = None
    head_rows: int | None = None
    metrics: list[NumberChange] = Field(default_factory=list)


class SliceChange(DiffPart):
    """Results per value of one sensitive column: the gaps (largest gap per metric,
    demographic parity and equalized odds differences) and the groups."""

    column: str
    change: Change | None = Field(default=None, description="None: on both sides, unchanged")
    gaps: list[NumberChange] = Field(default_factory=list)
    groups: list[GroupChange] = Field(default_factory=list)


class RankChange(DiffPart):
    """A feature whose global-importance rank differs (1 = most important). Tied features
    share the best rank of their group (1, 2, 2, 4), and a feature counts as moved only when
    the places its group spans on the two sides do not meet: how ties are ordered is never a
    change."""

    feature: str
    base_rank: int | None = None
    head_rank: int | None = None
    base_mean_abs_shap: float | None = None
    head_mean_abs_shap: float | None = None


class ExplanationsChange(DiffPart):
    """The SHAP explanations on both sides: explainer, additivity, importance ranks."""

    base_explainer: str | None = None
    head_explainer: str | None = None
    base_not_computed: str | None = None
    head_not_computed: str | None = None
    base_additivity_passed: bool | None = None
    head_additivity_passed: bool | None = None
    base_additivity_error: float | None = None
    head_additivity_error: float | None = None
    base_uniform_importance: float | None = Field(
        default=None,
        description="the mean |SHAP value| every feature shares, when all features are tied",
    )
    head_uniform_importance: float | None = None
    ranks: list[RankChange] = Field(
        default_factory=list,
        description="features whose rank differs, when both sides rank features; best first",
    )
    unchanged_ranks: int = 0

    @property
    def changed(self) -> bool:
        """Anything about the explanations differs."""
        sides = (
            (self.base_explainer, self.base_not_computed, self.base_additivity_passed,
             self.base_uniform_importance),
            (self.head_explainer, self.head_not_computed, self.head_additivity_passed,
             self.head_uniform_importance),
        )  # fmt: skip
        return bool(self.ranks) or sides[0] != sides[1]


FeatureSource = Literal["model", "data", "explanations"]


class FeatureChange(DiffPart):
    """A feature one side has and the other does not, and where it (dis)appeared: the
    model's expected features, the data's columns, the explained features."""

    feature: str
    change: Literal["added", "removed"]
    where: list[FeatureSource]


class HyperparameterChange(DiffPart):
    """A hyperparameter whose value differs, or that one side alone sets."""

    key: str
    change: Change
    base: str | None = Field(default=None, description="the value as written")
    head: str | None = None
    base_source: Source | None = None
    head_source: Source | None = None


class ArgumentChange(DiffPart):
    """An argument of a call that differs: by keyword, or `#N` for the N-th positional."""

    name: str
    base: str | None = None
    head: str | None = None


class CallChange(DiffPart):
    """An estimator, optimizer, scheduler, loss, split ... created in code: added, removed,
    or with other arguments."""

    callee: str = Field(description="qualified name")
    role: str
    change: Change
    base_source: Source | None = None
    head_source: Source | None = None
    arguments: list[ArgumentChange] = Field(default_factory=list)


class LayerChange(DiffPart):
    """A layer (constructor call in a model's code) that one side alone has."""

    change: Literal["added", "removed"]
    layer: str = Field(description="the call as written")
    source: Source


class ModelChange(DiffPart):
    """A model definition in code: added, removed, or with other layers."""

    model: str
    framework: str
    change: Change
    base_source: Source | None = None
    head_source: Source | None = None
    layers: list[LayerChange] = Field(default_factory=list)


class ValueChange(DiffPart):
    """A named value that differs between the sides (None: the side lacks it)."""

    name: str
    base: JsonValue = None
    head: JsonValue = None


class TensorChange(DiffPart):
    """A tensor of a weights file: added, removed or with another shape or type."""

    name: str
    change: Change
    base: str | None = Field(default=None, description="dtype and shape, e.g. F32[768, 3072]")
    head: str | None = None


class CheckpointChange(DiffPart):
    """The model file on both sides: its bytes, what it loaded as, its parameters."""

    base_file: str | None = None
    head_file: str | None = None
    base_sha256: str | None = None
    head_sha256: str | None = None
    fields: list[ValueChange] = Field(default_factory=list)
    parameters: list[ValueChange] = Field(default_factory=list)
    tensors: list[TensorChange] = Field(default_factory=list)


class LabelCount(DiffPart):
    """Rows per target value on both sides."""

    label: str
    base: int | None = None
    head: int | None = None
    delta: int | None = None


class DataChange(DiffPart):
    """An evaluation data file on both sides: rows, content hash, target, rows per label."""

    base_file: str | None = None
    head_file: str | None = None
    base_rows: int | None = None
    head_rows: int | None = None
    delta_rows: int | None = None
    base_sha256: str | None = None
    head_sha256: str | None = None
    base_target: str | None = None
    head_target: str | None = None
    labels: list[LabelCount] = Field(
        default_factory=list, description="every label, when a side counts labels"
    )


class LineChange(DiffPart):
    """A line of a card section that only one side has, as a reader sees it (plain text)."""

    change: Literal["added", "removed"]
    text: str = Field(description="a paragraph, list item, heading or table row, rendered")


class SectionChange(DiffPart):
    """A card section whose rendered text differs, with the lines that differ (a line the
    head rewrote follows the base's line it replaces)."""

    id: str
    title: str
    change: Change
    lines: list[LineChange] = Field(default_factory=list)


class GateResult(DiffPart):
    """One limit of one gate, held against the two sides."""

    gate: str = Field(description="e.g. metrics.accuracy.max_drop")
    passed: bool
    base: float | None = None
    head: float | None = None
    limit: float | None = None
    message: str = Field(description="what was found, with the numbers")


class GatesReport(DiffPart):
    """The gates applied, where they came from, and each result."""

    source: Literal["base", "file", "none"] = Field(
        description="the base's facts.json, a --gates file, or none recorded"
    )
    file: str | None = Field(default=None, description="the --gates file")
    applied: Gates | None = None
    head_gates: Gates | None = Field(default=None, description="the gates the head recorded")
    head_differs: bool = Field(
        default=False, description="the head recorded other gates than the applied ones"
    )
    only_applied: list[str] = Field(
        default_factory=list, description="rules applied that the head does not record"
    )
    only_head: list[str] = Field(
        default_factory=list, description="rules the head records that were not applied"
    )
    results: list[GateResult] = Field(default_factory=list)
    passed: bool | None = Field(
        default=None, description="every gate held; None when no gate was applied"
    )

    @property
    def failed(self) -> list[GateResult]:
        """The results that did not hold."""
        return [result for result in self.results if not result.passed]


class FactsDiff(DiffPart):
    """Everything that differs between two fact sheets, part by part."""

    schema_version: str = DIFF_SCHEMA_VERSION
    base: Side
    head: Side
    changed: list[str] = Field(default_factory=list, description="the parts that differ")
    notes: list[str] = Field(default_factory=list)
    gates: GatesReport
    metrics: list[MetricChange] = Field(
        default_factory=list, description="every metric of either side"
    )
    confidence_level: float | None = None
    slices: list[SliceChange] = Field(default_factory=list)
    explanations: ExplanationsChange | None = None
    features: list[FeatureChange] = Field(default_factory=list)
    hyperparameters: list[HyperparameterChange] = Field(default_factory=list)
    calls: list[CallChange] = Field(
        default_factory=list, description="estimators, optimizers, losses, splits ..."
    )
    models: list[ModelChange] = Field(default_factory=list)
    checkpoints: list[CheckpointChange] = Field(default_factory=list)
    data: list[DataChange] = Field(default_factory=list)
    sections: list[SectionChange] = Field(default_factory=list)
