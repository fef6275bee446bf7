"""The fact sheet: pydantic models for everything modeldoc knows, serialised as `facts.json`.

Every fact carries where it came from. Code facts carry a `Source` (file relative to the
repository root, 1-based line, and the notebook cell when the file is a notebook).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

SCHEMA_VERSION = "1"


class Fact(BaseModel):
    """Base of every fact model: strict about unknown fields so typos fail loudly."""

    model_config = ConfigDict(extra="forbid")


class Source(Fact):
    """Where a fact was read: a file relative to the repository root and a 1-based line."""

    # Frozen: one instance is shared by every fact read from the same place.
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    line: int = Field(ge=1)
    cell: int | None = Field(default=None, description="0-based cell index in a notebook")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return where if self.cell is None else f"{self.file}[cell {self.cell}]:{self.line}"


class Sourced(Fact):
    """A fact read from one place in the repository."""

    source: Source


class ScanIssue(Fact):
    """Something the scan could not read or understood only in part: a recorded warning."""

    kind: Literal[
        "binary",
        "decoding",
        "size",
        "symlink",
        "syntax",
        "unreadable",
        "notebook",
        "config",
    ]
    file: str
    line: int | None = None
    message: str


class Value(Fact):
    """A value written in code: the literal when it is one, always the source text."""

    # Frozen: equal texts share one instance across the scan.
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    literal: bool
    value: JsonValue = None


class Argument(Fact):
    """One argument of a call: positional (`name` is None) or keyword."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    value: Value


class Parameter(Fact):
    """A parameter of a constructor or builder function, with its default if it has one."""

    name: str
    kind: Literal["positional", "keyword_only", "var_positional", "var_keyword"] = "positional"
    annotation: str | None = None
    default: Value | None = None


class Framework(StrEnum):
    """The library a model definition belongs to."""

    PYTORCH = "pytorch"
    LIGHTNING = "lightning"
    KERAS = "keras"
    SKLEARN = "scikit-learn"
    FLAX = "flax"
    EQUINOX = "equinox"


class Call(Sourced):
    """A call with its arguments: a layer, an estimator, a data loader, a saver."""

    callee: str = Field(description="the call as written, e.g. `nn.Linear`")
    qualified: str = Field(description="the callee with imports resolved, e.g. `torch.nn.Linear`")
    args: list[Argument] = Field(default_factory=list)

    def keyword(self, name: str) -> Value | None:
        """The value of keyword argument `name`, if the call passes it."""
        return next((a.value for a in self.args if a.name == name), None)


class ModelDefinition(Sourced):
    """A model class, a function that builds a model, or a model built at module level."""

    name: str
    kind: Literal["class", "builder_function", "variable"] = Field(
        description="a class, a function returning a model, or a model built at module level"
    )
    bases: list[str] = Field(default_factory=list, description="bases as written")
    framework: Framework
    via: list[str] = Field(
        default_factory=list,
        description="the repository's own classes between this class and the framework",
    )
    layers: list[Call] = Field(default_factory=list)
    parameters: list[Parameter] = Field(
        default_factory=list, description="constructor (or builder) parameters with defaults"
    )


ConfigOrigin = Literal[
    "dataclass", "pydantic", "namedtuple", "argparse", "assignment", "config_file", "call"
]


class Hyperparameter(Sourced):
    """One value of a named setting, with where it came from. Conflicts keep every value."""

    name: str = Field(description="the setting's own name, e.g. `learning_rate`")
    key: str = Field(description="the full name in its scope, e.g. `optimizer.lr`")
    value: Value
    origin: ConfigOrigin
    scope: str = Field(description="the class, parser, file or call that holds it")


class HyperparameterConflict(Fact):
    """A setting given different values in different places: all of them, none picked."""

    name: str
    values: list[Hyperparameter]


InstantiationRole = Literal[
    "estimator",
    "pipeline",
    "preprocessor",
    "optimizer",
    "scheduler",
    "loss",
    "search",
    "pretrained",
    "trainer",
]


class Instantiation(Call):
    """An estimator, optimizer, scheduler, loss, preprocessing step, pretrained model or
    trainer (with its training arguments) created in code."""

    role: InstantiationRole


class ScriptRole(Sourced):
    """Why a file counts as a training or evaluation script: the first piece of evidence."""

    role: Literal["training", "evaluation"]
    evidence: str


class Script(Fact):
    """A training or evaluation script and its evidence."""

    file: str
    roles: list[ScriptRole]


class DataSource(Call):
    """A call that reads data: `read_csv`, `load_dataset`, `np.load`, `load_iris` ..."""


class Split(Call):
    """A train/test split or cross-validation set-up with its ratio (or folds) and seed.

    A value written as a module-level constant (`test_size=TEST_SIZE`) keeps its text and
    carries the constant's literal.
    """

    test_size: Value | None = None
    train_size: Value | None = None
    n_splits: Value | None = None
    seed: Value | None = None


class Artifact(Call):
    """A call that saves a model or other artefact, with the path when it is written."""

    path: Value | None = None


class Symbol(Sourced):
    """A class or function defined in the repository."""

    name: str
    qualname: str
    kind: Literal["class", "function", "method"]
    end_line: int


class CodeFacts(Fact):
    """What the scan read from the repository's code and configuration files."""

    files_scanned: int = 0
    bytes_scanned: int = 0
    languages: dict[str, int] = Field(default_factory=dict, description="files per language")
    models: list[ModelDefinition] = Field(default_factory=list)
    hyperparameters: list[Hyperparameter] = Field(default_factory=list)
    conflicts: list[HyperparameterConflict] = Field(default_factory=list)
    instantiations: list[Instantiation] = Field(default_factory=list)
    scripts: list[Script] = Field(default_factory=list)
    data_sources: list[DataSource] = Field(default_factory=list)
    splits: list[Split] = Field(default_factory=list)
    artifacts: list[Artifact] = Field(default_factory=list)
    symbols: list[Symbol] = Field(default_factory=list)
    issues: list[ScanIssue] = Field(default_factory=list)


class License(Fact):
    """The repository's licence as an SPDX id, guessed from a licence file or declared."""

    spdx: str | None
    source: Source
    method: Literal["text", "declared"]
    evidence: str = Field(description="the phrase or field the guess rests on")


class Dependency(Sourced):
    """A declared dependency: name, version specifier and the group it belongs to."""

    name: str
    specifier: str = ""
    group: str = Field(default="main", description="`main`, an extra's name, `dev`, `conda` ...")


class Readme(Fact):
    """The README's title and first paragraph, as plain text."""

    file: str
    title: str | None = None
    title_line: int | None = None
    summary: str | None = None
    summary_line: int | None = None


class RepoFacts(Fact):
    """Facts about the repository as a whole."""

    name: str
    commit: str | None = None
    web_url: str | None = Field(
        default=None, description="the origin's web address on GitHub or GitLab, for links"
    )
    git_prefix: str = Field(
        default="", description="the repository's folder inside its git work tree"
    )
    licenses: list[License] = Field(default_factory=list)
    dependencies: list[Dependency] = Field(default_factory=list)
    readme: Readme | None = None


class PipelineStep(Fact):
    """One step of a loaded pipeline: its name, class and own parameters."""

    name: str
    estimator: str = Field(description="qualified class name")
    parameters: dict[str, JsonValue] = Field(default_factory=dict)


class TensorInfo(Fact):
    """One tensor of a weights file, from its header."""

    name: str
    dtype: str
    shape: list[int]


class OnnxIO(Fact):
    """One input or output of an ONNX graph: its name, type and shape."""

    name: str
    type: str = Field(
        description="a tensor's element type (`float`, `int64`, `string`), else the ONNX type "
        "(`seq(map(int64,tensor(float)))`)"
    )
    shape: list[int | str | None] | None = Field(
        default=None,
        description="per dimension its size, its symbolic name, or null when unnamed; "
        "null when not a tensor or of unknown rank",
    )


class Checkpoint(Fact):
    """A model file: what its bytes are, whether it loaded, and what the loaded model says.

    A file that did not load keeps `loaded=False` and the reason; nothing else is guessed.
    """

    file: str
    sha256: str
    size_bytes: int
    format: str
    evidence: str = Field(description="what in the bytes identified the format")
    library: str | None = None
    loaded: bool = False
    not_loaded_reason: str | None = None
    trusted_pickle: bool = Field(
        default=False, description="loaded from a pickle because the user passed --trust-pickle"
    )
    estimator: str | None = Field(default=None, description="qualified class of the model")
    parameters: dict[str, JsonValue] = Field(default_factory=dict)
    steps: list[PipelineStep] = Field(default_factory=list)
    feature_names: list[str] | None = None
    n_features: int | None = None
    classes: list[JsonValue] | None = None
    n_trees: int | None = None
    objective: str | None = None
    n_parameters: int | None = Field(default=None, description="weights files: elements")
    tensors: list[TensorInfo] = Field(default_factory=list)
    onnx_inputs: list[OnnxIO] = Field(default_factory=list)
    onnx_outputs: list[OnnxIO] = Field(default_factory=list)
    opsets: dict[str, int] = Field(
        default_factory=dict, description="ONNX: operator set domain -> version"
    )
    producer: str | None = Field(
        default=None, description="ONNX: the program that wrote the file, and its version"
    )
    onnx_ir_version: int | None = None


class ColumnRange(Fact):
    """The range of a numeric column (missing values left out)."""

    min: float | None
    max: float | None
    mean: float | None


class ColumnCheck(Fact):
    """The data's columns against the features the model expects: every difference listed."""

    expected: list[str]
    missing: list[str] = Field(default_factory=list, description="expected, not in the data")
    extra: list[str] = Field(default_factory=list, description="in the data, not expected")
    reordered: bool = Field(default=False, description="same names in another order")

    @property
    def matches(self) -> bool:
        """The data has exactly the expected columns in the expected order."""
        return not (self.missing or self.extra or self.reordered)


class DataProfile(Fact):
    """An evaluation data file: what it holds, computed from the file itself."""

    file: str
    sha256: str
    format: Literal["csv", "parquet"]
    rows: int
    columns: list[str]
    dtypes: dict[str, str]
    missing: dict[str, int] = Field(default_factory=dict, description="columns with missing values")
    ranges: dict[str, ColumnRange] = Field(default_factory=dict)
    target: str | None = None
    label_counts: dict[str, int] | None = Field(
        default=None, description="rows per target value, for a categorical target"
    )
    column_check: ColumnCheck | None = None


class Metric(Fact):
    """One metric over the evaluation rows: its value and 95% bootstrap interval, or why it
    was not computed."""

    name: str
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_resamples: int | None = Field(
        default=None, description="bootstrap resamples on which the metric was defined"
    )
    ci_not_computed: str | None = Field(default=None, description="why there is no interval")
    reference: float | None = Field(
        default=None,
        description="the same metric for always predicting the evaluation data's base rate "
        "(Brier score: p(1-p))",
    )
    not_computed: str | None = Field(default=None, description="why there is no value")


class SliceGroup(Fact):
    """The metrics on the rows that share one value of a sensitive column."""

    value: str
    rows: int
    metrics: dict[str, float | None] = Field(default_factory=dict)


class SliceReport(Fact):
    """Results per value of one sensitive column (fairlearn's metrics) and the gaps."""

    column: str
    groups: list[SliceGroup] = Field(default_factory=list)
    largest_gap: dict[str, float | None] = Field(
        default_factory=dict, description="metric -> max minus min over the groups"
    )
    demographic_parity_difference: float | None = None
    equalized_odds_difference: float | None = None
    not_computed: dict[str, str] = Field(default_factory=dict, description="metric -> why")


class Evaluation(Fact):
    """Metrics of the model on the evaluation data, computed, never estimated."""

    task: Literal["classification", "regression"] | None = Field(
        description="None when the model never predicted (what it does is then unknown)"
    )
    rows: int
    data_rows: int | None = Field(
        default=None, description="rows of the data file, when fewer were evaluated"
    )
    row_notes: list[str] = Field(
        default_factory=list, description="why rows were left out or sampled, one per reason"
    )
    metrics: list[Metric] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list, description="class labels, in matrix order")
    per_class: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="label -> precision, recall, f1, support"
    )
    confusion_matrix: list[list[int]] | None = None
    bootstrap_resamples: int = 0
    bootstrap_seed: int | None = None
    confidence_level: float = Field(default=0.95, description="of every interval")
    slices: list[SliceReport] = Field(default_factory=list)
    not_computed: str | None = Field(default=None, description="why there are no metrics")

    def metric(self, name: str) -> Metric | None:
        """The metric called `name`, if computed or tried."""
        return next((metric for metric in self.metrics if metric.name == name), None)


class FeatureImportance(Fact):
    """One feature's global importance: mean |SHAP value| over the explained rows."""

    feature: str
    mean_abs_shap: float
    rank: int = Field(ge=1, description="1 = most important")
    value_shap_correlation: float | None = Field(
        default=None,
        description="Spearman correlation of the feature's values with its SHAP values: "
        "positive when higher values raise the output; None for text or constant columns",
    )


class Contribution(Fact):
    """One feature's part in one prediction."""

    feature: str
    value: JsonValue = Field(description="the feature's value in this row")
    shap: float = Field(description="how much it moved the output from the base value")


class LocalExplanation(Fact):
    """Why the model predicted what it did for one evaluation row."""

    row: int = Field(description="0-based position of the row in the evaluation data")
    reason: str = Field(description="the rule that chose this row, e.g. `most confident wrong`")
    actual: JsonValue = None
    predicted: JsonValue = None
    explained_class: str | None = Field(
        default=None, description="for a classifier, the class whose output is explained"
    )
    output: float = Field(description="the model's output in the explained space")
    base_value: float
    contributions: list[Contribution] = Field(
        default_factory=list, description="every feature, largest |SHAP| first"
    )


class Additivity(Fact):
    """SHAP's local accuracy: base value + sum of SHAP values = the model's own output."""

    max_error: float = Field(description="max |base + sum(SHAP) - model output| over the rows")
    tolerance: float
    passed: bool
    compared_with: str = Field(description="the model output it was checked against")


class Explanations(Fact):
    """SHAP explanations of the model on the evaluation data, computed with the `shap` library."""

    explainer: Literal["tree", "linear", "permutation"] | None = None
    why_explainer: str | None = Field(default=None, description="why this explainer was chosen")
    output: str | None = Field(
        default=None, description="what the SHAP values add up to, e.g. log-odds of class 1"
    )
    explained_class: str | None = None
    features: list[str] = Field(default_factory=list, description="explained input columns")
    rows_available: int = 0
    rows_explained: int = 0
    row_budget: int | None = None
    time_budget_seconds: float | None = None
    stopped_by_time_budget: bool = False
    background_rows: int | None = None
    permutations: int | None = Field(
        default=None, description="feature orderings sampled per row (permutation explainer)"
    )
    sample_seed: int | None = None
    seconds: float | None = None
    base_value: float | None = None
    additivity: Additivity | None = None
    importance: list[FeatureImportance] = Field(default_factory=list)
    local_rule: str | None = Field(default=None, description="how the local rows were chosen")
    local: list[LocalExplanation] = Field(default_factory=list)
    not_computed: str | None = Field(default=None, description="why there are no explanations")


class Plot(Fact):
    """A picture modeldoc drew: the file, what it shows, and its alt text."""

    file: str = Field(description="path relative to the output folder, e.g. plots/roc.png")
    kind: str = Field(description="e.g. confusion_matrix, roc, shap_beeswarm")
    title: str
    shows: str = Field(description="what the picture shows, in one sentence")
    alt: str = Field(description="alt text carrying the plot's key figures")
    feature: str | None = None
    row: int | None = None


class Stated(Fact):
    """What the model's owners state in `modeldoc.yml` (`card:`): facts no computation can
    give. Shown as their statements; anything absent is shown as missing."""

    name: str | None = None
    description: str | None = None
    version: str | None = None
    owners: list[str] = Field(default_factory=list)
    contact: str | None = None
    license: str | None = Field(default=None, description="SPDX id, when the code has none")
    intended_uses: list[str] = Field(default_factory=list)
    intended_users: list[str] = Field(default_factory=list)
    out_of_scope_uses: list[str] = Field(default_factory=list)
    ethical_considerations: list[str] = Field(default_factory=list)
    training_data: str | None = Field(default=None, description="what the model was trained on")
    datasets: list[str] = Field(
        default_factory=list, description="Hugging Face dataset ids, for the card metadata"
    )
    references: list[str] = Field(default_factory=list)
    citation: str | None = None


class Finding(Fact):
    """Something a section states that the verifier looked up in the fact sheet."""

    kind: Literal["number", "feature", "identifier", "path"]
    text: str = Field(description="as written in the section")
    matched: bool
    fact: str | None = Field(default=None, description="the fact it matched, as a JSON path")


class LLMUsage(Fact):
    """What LLM drafting cost: answered calls, their tokens, and answers from the cache."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = Field(default=0, description="answers reused instead of a call")
    estimated_calls: int = Field(
        default=0, description="calls whose server sent no usage figures (tokens estimated)"
    )

    @property
    def total_tokens(self) -> int:
        """Prompt and completion tokens together."""
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: LLMUsage) -> LLMUsage:
        """Both usages summed, figure by figure."""
        return LLMUsage(
            calls=self.calls + other.calls,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cache_hits=self.cache_hits + other.cache_hits,
            estimated_calls=self.estimated_calls + other.estimated_calls,
        )


class Section(Fact):
    """One section of the card: prose written from facts, and what the verifier found."""

    id: str = Field(description="stable key, e.g. `model_details`")
    title: str
    text: str = Field(description="Markdown prose")
    writer: str = Field(description="`offline`, or the LLM that drafted it")
    missing: list[str] = Field(
        default_factory=list, description="what the facts cannot tell, said so in the text"
    )
    findings: list[Finding] = Field(default_factory=list)
    note: str | None = Field(
        default=None, description="why the offline writer's text stands in for an LLM draft"
    )
    usage: LLMUsage | None = Field(default=None, description="what drafting it cost")

    @property
    def unmatched(self) -> list[Finding]:
        """What the section states that no fact supports."""
        return [finding for finding in self.findings if not finding.matched]


class Narrative(Fact):
    """The card's prose: every section, each checked against the facts."""

    writer: str
    sections: list[Section] = Field(default_factory=list)

    def section(self, section_id: str) -> Section | None:
        """The section with this id, if written."""
        return next((s for s in self.sections if s.id == section_id), None)


class Generator(Fact):
    """The program that wrote the fact sheet."""

    name: str = "modeldoc"
    version: str


class LLMRun(Fact):
    """The chat model that drafted the card, and what it cost."""

    model: str = Field(description="`provider:model`")
    endpoint: str | None = Field(default=None, description="the base URL, credentials redacted")
    prompts: dict[str, str] = Field(default_factory=dict, description="prompt -> version")
    usage: LLMUsage = Field(default_factory=LLMUsage)
    max_tokens: int | None = Field(default=None, description="the --max-tokens budget")
    fallbacks: list[str] = Field(
        default_factory=list, description="sections the offline writer wrote instead"
    )


class Reuse(Fact):
    """What this build computed and what it took from the results of an earlier build with
    the same inputs (an unchanged pull request recomputes nothing)."""

    files_parsed: int = Field(default=0, description="source files parsed by this build")
    files_from_cache: int = Field(default=0, description="files whose scan result was reused")
    model_results: Literal["computed", "reused", "none"] = Field(
        default="none", description="checkpoint, evaluation, SHAP and plots"
    )
    shap_computed: bool = Field(default=False, description="SHAP values computed in this build")


class Provenance(Fact):
    """When and with what the facts were computed."""

    created_at: str = Field(description="ISO 8601 time in UTC")
    python: str
    libraries: dict[str, str] = Field(
        default_factory=dict, description="name -> version of what computed"
    )
    llm: LLMRun | None = Field(default=None, description="None: the offline writer")
    reuse: Reuse | None = Field(default=None, description="None: not recorded")


class GateBounds(Fact):
    """Limits on one number: absolute (`min`, `max`, on the head) or against the base
    (`max_drop`, `max_rise`: how far the head may fall below or rise above the base)."""

    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)
    max_drop: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    max_rise: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _some_limit(self) -> GateBounds:
        if (self.min, self.max, self.max_drop, self.max_rise) == (None, None, None, None):
            raise ValueError("give at least one of min, max, max_drop, max_rise")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self


class Gates(Fact):
    """What a change to the model must keep (`gates:` in modeldoc.yml); `modeldoc diff
    --check` holds a head to the gates its base recorded."""

    metrics: dict[str, GateBounds] = Field(
        default_factory=dict, description="metric name (as in evaluation.metrics) -> limits"
    )
    slice_gaps: dict[str, GateBounds] = Field(
        default_factory=dict,
        description="a slice metric, `demographic_parity_difference` or "
        "`equalized_odds_difference` -> limits on its largest value over the sensitive columns",
    )
    shap_additivity: bool = Field(
        default=False, description="the head's SHAP additivity check must pass"
    )


class FactSheet(Fact):
    """The whole `facts.json`: the one source of truth for every output."""

    schema_version: str = SCHEMA_VERSION
    generator: Generator
    repo: RepoFacts
    code: CodeFacts
    # Filled by later stages (checkpoint loading, data profiling, evaluation, explanation,
    # writing); empty until those stages run. `data` onwards are typed by their stages.
    checkpoints: list[Checkpoint] = Field(default_factory=list)
    data: list[DataProfile] = Field(default_factory=list)
    evaluation: Evaluation | None = None
    explanations: Explanations | None = None
    plots: list[Plot] = Field(default_factory=list)
    stated: Stated | None = Field(default=None, description="from modeldoc.yml's card:")
    narrative: Narrative | None = None
    gates: Gates | None = Field(default=None, description="from modeldoc.yml's gates:")
    provenance: Provenance
