"""What a language extractor returns for one file, and the interface every extractor meets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

from pydantic import Field

from modeldoc.facts import (
    Artifact,
    Call,
    DataSource,
    Fact,
    Hyperparameter,
    Instantiation,
    ModelDefinition,
    Parameter,
    ScanIssue,
    ScriptRole,
    Source,
    Split,
    Symbol,
)

ConfigClassKind = Literal["dataclass", "pydantic", "namedtuple"]
"""Classes whose fields are settings."""

LineMap = Callable[[int], tuple[int, int]]
"""Maps a 1-based line of the parsed text to (notebook cell, line inside that cell)."""


class ClassInfo(Fact):
    """A class as one file shows it; whether it is a model is decided across files."""

    name: str
    source: Source
    bases: list[str] = Field(default_factory=list, description="as written")
    qualified_bases: list[str] = Field(default_factory=list)
    config_kind: ConfigClassKind | None = Field(
        default=None, description="`dataclass`, `pydantic` or `namedtuple` when it holds settings"
    )
    parameters: list[Parameter] = Field(default_factory=list)
    calls: list[Call] = Field(
        default_factory=list, description="constructor calls in the class body"
    )
    fields: list[Hyperparameter] = Field(
        default_factory=list, description="annotated fields with defaults"
    )


class FileFacts(Fact):
    """Everything one file says. Serialisable, so a later scan can reuse it by content hash."""

    path: str
    language: str
    classes: list[ClassInfo] = Field(default_factory=list)
    builders: list[ModelDefinition] = Field(
        default_factory=list,
        description="models built by a function or at module level (not by a class)",
    )
    constructor_calls: list[Call] = Field(
        default_factory=list,
        description="calls of capitalised names outside classes (config overrides)",
    )
    instantiations: list[Instantiation] = Field(default_factory=list)
    data_sources: list[DataSource] = Field(default_factory=list)
    splits: list[Split] = Field(default_factory=list)
    artifacts: list[Artifact] = Field(default_factory=list)
    hyperparameters: list[Hyperparameter] = Field(default_factory=list)
    script_roles: list[ScriptRole] = Field(default_factory=list)
    symbols: list[Symbol] = Field(default_factory=list)
    issues: list[ScanIssue] = Field(default_factory=list)


class LanguageExtractor(Protocol):
    """Reads one language's source text into `FileFacts`. Add a language by adding one."""

    language: str
    extensions: tuple[str, ...]

    def extract(self, path: str, text: str, locate: LineMap | None = None) -> FileFacts:
        """The facts of one file; never raises on bad source (records an issue instead)."""
        ...
