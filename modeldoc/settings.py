"""Build settings: the command line over `modeldoc.yml` over `[tool.modeldoc]` in pyproject.

`trust_pickle` is accepted from the command line only: a file in the repository (which a pull
request can edit) must never be able to make modeldoc run a pickle.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modeldoc.errors import InputError
from modeldoc.facts import Gates, Stated

Task = Literal["auto", "classification", "regression"]


class BuildSettings(BaseModel):
    """What `modeldoc build` documents and where it writes."""

    model_config = ConfigDict(extra="forbid")

    model: Path | None = None
    data: Path | None = None
    target: str | None = None
    task: Task = "auto"
    sensitive: list[str] = Field(default_factory=list)
    out: Path = Path("modeldoc-out")
    trust_pickle: bool = False
    explain: bool = True
    explain_rows: int = Field(default=200, ge=1, description="rows the agnostic explainer takes")
    explain_seconds: float = Field(default=60.0, gt=0, description="its time budget")
    explain_background: int = Field(default=100, ge=1, description="background sample rows")
    seed: int = Field(default=0, ge=0, description="seed of every sample and resample")
    card: Stated = Field(default_factory=Stated, description="what the owners state")
    site: bool = Field(default=True, description="build the HTML site (docs/ is always written)")
    llm: str | None = Field(
        default=None, description="`offline`, `provider:model`, or a model on base_url's server"
    )
    base_url: str | None = Field(default=None, description="an OpenAI-compatible endpoint")
    max_tokens: int | None = Field(
        default=None, ge=0, description="LLM token budget of one build (prompt + completion)"
    )
    llm_parallel: int = Field(default=4, ge=1, description="LLM requests in flight at once")
    cache: bool = Field(
        default=True, description="reuse scan results, model results and LLM answers"
    )
    gates: Gates | None = Field(
        default=None, description="what `modeldoc diff --check` holds a pull request's model to"
    )


# The keys a settings file may hold (`trust_pickle` is not one of them).
FILE_KEYS = {
    "model", "data", "target", "task", "sensitive", "out",
    "explain", "explain_rows", "explain_seconds", "explain_background", "seed", "card", "site",
    "llm", "base_url", "max_tokens", "llm_parallel", "cache", "gates",
}  # fmt: skip


def load_settings(repo: Path, command_line: dict[str, Any]) -> BuildSettings:
    """Settings for `repo`: values given on the command line win over the repository's."""
    from_file = _file_settings(repo)
    if "trust_pickle" in from_file or "trust-pickle" in from_file:
        raise InputError("trust_pickle can only be given on the command line (--trust-pickle)")
    unknown = set(from_file) - FILE_KEYS
    if unknown:
        raise InputError(f"unknown modeldoc settings: {', '.join(sorted(unknown))}")
    for key in ("model", "data", "out"):
        if from_file.get(key):
            from_file[key] = repo / str(from_file[key])
    merged = {**from_file, **{k: v for k, v in command_line.items() if v not in (None, [], ())}}
    try:
        return BuildSettings(**merged)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"setting {where}: {first['msg']}") from error


def _file_settings(repo: Path) -> dict[str, Any]:
    config = repo / "modeldoc.yml"
    if config.is_file():
        try:
            data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise InputError(f"{config.name}: not valid YAML ({error})") from error
        if not isinstance(data, dict):
            raise InputError(f"{config.name}: expected a mapping of settings")
        return dict(data)
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file():
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise InputError(f"pyproject.toml: not valid TOML ({error})") from error
        settings = table.get("tool", {}).get("modeldoc", {})
        if isinstance(settings, dict):
            return dict(settings)
    return {}
