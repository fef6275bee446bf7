"""Build settings: the command line over `modeldoc.yml` over `[tool.modeldoc]` in pyproject.

A repository's settings file is written by whoever wrote the repository (in the Action, a
stranger's pull request), so what it can ask for is limited:
- `trust_pickle` is accepted from the command line only: a file in the repository must never
  be able to make modeldoc run a pickle;
- the paths it names (`model`, `data`, `out`) stay inside the repository once `..` and links
  are resolved, and a settings file that is itself a link leading out is not read: only the
  command line may point elsewhere;
- its size, each `card:` text and each list have caps, and an error quotes at most a short,
  redacted excerpt of it.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modeldoc.errors import InputError
from modeldoc.facts import Gates, Stated
from modeldoc.tools.secrets import redact_text

# Real settings files are a few kilobytes; parsing and rendering a 15 MB one took minutes,
# gigabytes of memory and a 29 MB card.
MAX_SETTINGS_BYTES = 1_000_000
"""Bytes of a settings file (`modeldoc.yml`, `pyproject.toml`)."""
MAX_CARD_TEXT = 10_000
"""Characters of one `card:` text: a field, or one item of a list."""
MAX_CARD_TOTAL = 100_000
"""Characters of all `card:` texts together (YAML aliases repeat a text without bytes)."""
MAX_LIST_ITEMS = 100
"""Items of one list setting: each `card:` list, `sensitive`."""
MAX_QUOTE = 80
"""Characters of a settings file's own text an error message may quote."""

SETTINGS_FILES = ("modeldoc.yml", "pyproject.toml")
"""Where a repository's settings are read from: the first of these that exists."""
PATH_KEYS = ("model", "data", "out")
"""The settings that name a file or folder: relative to the repository, and inside it."""

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
    from_file = _repository_settings(repo)
    if "trust_pickle" in from_file or "trust-pickle" in from_file:
        raise InputError("trust_pickle can only be given on the command line (--trust-pickle)")
    unknown = unknown_keys_message(from_file)
    if unknown:
        raise InputError(unknown)
    for key in PATH_KEYS:
        if command_line.get(key) is not None:
            from_file.pop(key, None)  # the command line's path wins, wherever it points
        elif from_file.get(key) is not None:
            from_file[key] = inside_repository(repo, key, from_file[key])
    merged = {**from_file, **{k: v for k, v in command_line.items() if v not in (None, [], ())}}
    try:
        settings = BuildSettings(**merged)
    except ValidationError as error:
        first = error.errors()[0]
        where = excerpt(".".join(str(part) for part in first["loc"]), 60)
        raise InputError(f"setting {where}: {first['msg']}") from error
    _check_sizes(settings)
    return settings


def inside_repository(repo: Path, key: str, value: object) -> Path:
    """`repo / value` for the setting `key` of a repository's settings file, refused unless
    it stays inside `repo` once `..` and symbolic links are resolved."""
    if not isinstance(value, str):
        raise InputError(f"setting {key}: give a path inside the repository, as text")
    path = repo / value
    if Path(value).is_absolute() or not _resolves_inside(repo, path):
        raise InputError(
            f"setting {key}: {excerpt(value)} is not inside the repository (an absolute path, "
            f"`..` or a link leading out); only the command line (--{key}) may name a path "
            "outside it"
        )
    return path


def read_settings_file(path: Path, shown: str | None = None) -> dict[str, Any]:
    """The modeldoc settings in `path` (`modeldoc.yml`, or `[tool.modeldoc]` of a `.toml`
    file), capped in size; errors name `shown` (default: `path`) and quote none of its text."""
    name = shown or str(path)
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            data = stream.read(MAX_SETTINGS_BYTES + 1) if size <= MAX_SETTINGS_BYTES else b""
    except OSError as error:
        raise InputError(f"{name}: cannot be read ({error.strerror or error})") from error
    if size > MAX_SETTINGS_BYTES or len(data) > MAX_SETTINGS_BYTES:
        raise InputError(
            f"{name}: {max(size, len(data)):,} bytes, over the cap of {MAX_SETTINGS_BYTES:,} "
            "bytes for a settings file"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: not UTF-8 text") from error
    settings = _toml_settings(name, text) if path.suffix == ".toml" else _yaml_settings(name, text)
    return dict(settings)


def excerpt(text: str, limit: int = MAX_QUOTE) -> str:
    """`text` as an error message may quote it: secrets redacted, on one line, cut short."""
    # Redacted before it is cut: a cut key might no longer look like one.
    head = text[: limit * 4]
    line = " ".join(redact_text(head).split())
    if len(line) <= limit and len(head) == len(text):
        return line
    return line[: limit - 1] + "…"


def repository_settings_file(repo: Path) -> Path | None:
    """The settings file of `repo` (None: it has none); refused when it links out of `repo`."""
    for name in SETTINGS_FILES:
        path = repo / name
        if not path.is_file():
            continue
        if not _resolves_inside(repo, path):
            raise InputError(
                f"{name}: a link to a file outside the repository; modeldoc reads no settings "
                "from outside it (give them on the command line)"
            )
        return path
    return None


def unknown_keys_message(settings: dict[str, Any]) -> str | None:
    """What is wrong with the keys of a settings file (None: every key is a setting)."""
    unknown = sorted(str(key) for key in set(settings) - FILE_KEYS)
    if not unknown:
        return None
    names = ", ".join(excerpt(name, 40) for name in unknown[:10])
    more = f" and {len(unknown) - 10:,} more" if len(unknown) > 10 else ""
    return f"unknown modeldoc settings: {names}{more}"


def _repository_settings(repo: Path) -> dict[str, Any]:
    path = repository_settings_file(repo)
    return {} if path is None else read_settings_file(path, shown=path.name)


def _resolves_inside(repo: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(repo.resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL in the path
        return False


def _yaml_settings(name: str, text: str) -> dict[str, Any]:
    # libyaml when present: ten times faster, and its errors never quote the file's lines.
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    try:
        data = yaml.load(text, Loader=loader) or {}
    except yaml.MarkedYAMLError as error:
        raise InputError(f"{name}: not valid YAML: {_yaml_problem(error)}") from error
    except yaml.YAMLError as error:
        raise InputError(f"{name}: not valid YAML") from error
    except RecursionError as error:
        raise InputError(f"{name}: nested too deeply") from error
    if not isinstance(data, dict):
        raise InputError(f"{name}: expected a mapping of settings")
    return data


def _yaml_problem(error: yaml.MarkedYAMLError) -> str:
    """Where the YAML went wrong and what the parser says, without the quoted lines."""
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "cannot be parsed"
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return where + excerpt(problem)


def _toml_settings(name: str, text: str) -> dict[str, Any]:
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{name}: not valid TOML ({excerpt(str(error))})") from error
    except RecursionError as error:
        raise InputError(f"{name}: nested too deeply") from error
    settings = table.get("tool", {}).get("modeldoc", {})
    if not isinstance(settings, dict):
        raise InputError(f"{name}: [tool.modeldoc] is not a table")
    return settings


def _check_sizes(settings: BuildSettings) -> None:
    """Each `card:` text, the card as a whole and each list within their caps."""
    _check_items("sensitive", settings.sensitive)
    total = 0
    for field in Stated.model_fields:
        value = getattr(settings.card, field)
        if isinstance(value, list):
            _check_items(f"card.{field}", value)
            texts = [(f"card.{field}[{index}]", item) for index, item in enumerate(value)]
        else:
            texts = [(f"card.{field}", value)]
        for where, text in texts:
            if isinstance(text, str):
                if len(text) > MAX_CARD_TEXT:
                    raise InputError(
                        f"setting {where}: {len(text):,} characters, "
                        f"over the cap of {MAX_CARD_TEXT:,}"
                    )
                total += len(text)
    if total > MAX_CARD_TOTAL:
        raise InputError(
            f"setting card: {total:,} characters in all, over the cap of {MAX_CARD_TOTAL:,}"
        )


def _check_items(where: str, items: list[Any]) -> None:
    if len(items) > MAX_LIST_ITEMS:
        raise InputError(
            f"setting {where}: {len(items):,} items, over the cap of {MAX_LIST_ITEMS:,}"
        )
