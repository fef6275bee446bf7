"""Build settings: the command line over `modeldoc.yml` over `[tool.modeldoc]` in pyproject.

Each setting is declared once, as a field of `BuildSettings`: its default, its help, its
bounds and a `Setting` saying whether it changes the model's results and where it may be
given. The keys a file may hold, the results cache's key, the command line's options
(`modeldoc.cli_options`) and the table in docs/configuration.md (`modeldoc.settings_docs`)
are derived from those declarations, so adding a setting is its field plus its use.

A settings file is read in one place (`_read_settings_file`, `_checked_keys`), for the build
(`load_settings`) and for `modeldoc diff --gates` (`settings_in_file`) alike. A repository's
settings file is written by whoever wrote the repository (in the Action, a stranger's pull
request), so what it can ask for is limited:
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
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo

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

Task = Literal["auto", "classification", "regression"]


@dataclass(frozen=True)
class Setting:
    """What a setting is for, declared once on its field (`Annotated`) beside its default, its
    help (the field's description) and its bounds; the file keys, the results cache's key,
    the command line's options and the settings table in the docs all follow from it."""

    changes_results: bool
    """It changes the model's results (checkpoint, evaluation, SHAP, plots), so it is part
    of the results cache's key (a file setting by the file's bytes)."""
    in_file: bool = True
    """A repository's settings file may set it."""
    on_command_line: bool = True
    """`modeldoc build` has an option for it (`--name-with-dashes`)."""
    metavar: str | None = None
    """How help and docs show its value (`--explain-rows N`); None: a flag, or no option."""


class BuildSettings(BaseModel):
    """What `modeldoc build` documents and where it writes: every setting, declared once."""

    model_config = ConfigDict(extra="forbid")

    model: Annotated[
        Path | None,
        Field(description="The model file; its format is read from its bytes (skops, XGBoost "
              "JSON/UBJ, LightGBM text, ONNX, safetensors header)."),
        Setting(changes_results=True, metavar="PATH"),
    ] = None  # fmt: skip
    data: Annotated[
        Path | None,
        Field(description="Evaluation data: CSV (any delimiter, optionally gzip/bz2/xz) or "
              "Parquet."),
        Setting(changes_results=True, metavar="PATH"),
    ] = None  # fmt: skip
    target: Annotated[
        str | None,
        Field(description="The column with the true values."),
        Setting(changes_results=True, metavar="COLUMN"),
    ] = None
    task: Annotated[
        Task,
        Field(description="What the model does: auto (read from the model), classification "
              "or regression; a task the model does not do stops the build."),
        Setting(changes_results=True, metavar="TASK"),
    ] = "auto"  # fmt: skip
    sensitive: Annotated[
        list[str],
        Field(description="A column to report results per value of (repeat the option)."),
        Setting(changes_results=True, metavar="COLUMN"),
    ] = Field(default_factory=list)
    out: Annotated[
        Path,
        Field(description="Output folder, replaced as a whole when the build succeeds."),
        Setting(changes_results=False, metavar="DIR"),
    ] = Path("modeldoc-out")
    trust_pickle: Annotated[
        bool,
        Field(description="Load a pickle or joblib model, which runs code inside it; only "
              "on the command line, never from a file a pull request can edit."),
        Setting(changes_results=True, in_file=False),
    ] = False  # fmt: skip
    explain: Annotated[
        bool,
        Field(description="Compute SHAP explanations and their plots."),
        Setting(changes_results=True),
    ] = True
    explain_rows: Annotated[
        int,
        Field(ge=1, description="Rows the model-agnostic (permutation) explainer takes, a "
              "seeded sample."),
        Setting(changes_results=True, metavar="N"),
    ] = 200  # fmt: skip
    explain_seconds: Annotated[
        float,
        Field(gt=0, description="Time budget of the model-agnostic explainer: it stops "
              "before a row would overrun it."),
        Setting(changes_results=True, metavar="S"),
    ] = 60.0  # fmt: skip
    explain_background: Annotated[
        int,
        Field(ge=1, description="Background rows of the permutation and linear explainers."),
        Setting(changes_results=True, metavar="N"),
    ] = 100
    seed: Annotated[
        int,
        Field(ge=0, description="Seed of every sample and bootstrap resample."),
        Setting(changes_results=True, metavar="N"),
    ] = 0
    card: Annotated[
        Stated,
        Field(description="What the owners state, which no computation can tell: name, "
              "description, owners, intended uses ... (see the example above)."),
        Setting(changes_results=False, on_command_line=False),
    ] = Field(default_factory=Stated)  # fmt: skip
    site: Annotated[
        bool,
        Field(description="Build the HTML site (docs/ and mkdocs.yml are always written)."),
        Setting(changes_results=False),
    ] = True
    llm: Annotated[
        str | None,
        Field(description="Who writes the prose: offline, provider:model "
              "(openai:gpt-4o-mini), or a model on the base URL's server; unset: offline, "
              "or openai:gpt-4o-mini when OPENAI_API_KEY is set."),
        Setting(changes_results=False, metavar="MODEL"),
    ] = None  # fmt: skip
    base_url: Annotated[
        str | None,
        Field(description="An OpenAI-compatible endpoint, usually ending in /v1; unset: "
              "OPENAI_BASE_URL."),
        Setting(changes_results=False, metavar="URL"),
    ] = None  # fmt: skip
    max_tokens: Annotated[
        int | None,
        Field(ge=0, description="Token budget of the LLM drafting: prompt and completion "
              "tokens of the whole build; unset: no budget."),
        Setting(changes_results=False, metavar="N"),
    ] = None  # fmt: skip
    llm_parallel: Annotated[
        int,
        Field(ge=1, description="LLM requests in flight at once, over all sections (1 for a "
              "server that answers one at a time)."),
        Setting(changes_results=False, metavar="N"),
    ] = 4  # fmt: skip
    cache: Annotated[
        bool,
        Field(description="Reuse what earlier builds computed from the same inputs: code "
              "files' scan results, the model's results, LLM answers."),
        Setting(changes_results=False),
    ] = True  # fmt: skip
    gates: Annotated[
        Gates | None,
        Field(description="What modeldoc diff --check holds a pull request's model to (see "
              "modeldoc diff)."),
        Setting(changes_results=False, on_command_line=False),
    ] = None  # fmt: skip


def value_type(name: str) -> Any:
    """The type of the setting `name`'s value when it is set (`Path` for `Path | None`)."""
    annotation = BuildSettings.model_fields[name].annotation
    if get_origin(annotation) in (Union, types.UnionType):
        (annotation,) = [arg for arg in get_args(annotation) if arg is not type(None)]
    return annotation


def default_of(name: str) -> Any:
    """The default of the setting `name`."""
    return BuildSettings.model_fields[name].get_default(call_default_factory=True)


def shown_default(name: str) -> str | None:
    """The default of `name` as a settings file would write it; None when it has none to show
    (unset, an empty list, a nested table)."""
    value = default_of(name)
    if value is None or isinstance(value, (list, BaseModel)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def option_name(name: str) -> str:
    """The command line's option for the setting `name` (`--explain-rows`)."""
    return "--" + name.replace("_", "-")


def _declaration(name: str, field: FieldInfo) -> Setting:
    """The `Setting` of the field `name`, which must also have a help (its description)."""
    found = [item for item in field.metadata if isinstance(item, Setting)]
    if len(found) != 1 or not field.description:
        raise TypeError(f"BuildSettings.{name} needs a description and one Setting")
    setting = found[0]
    if setting.on_command_line and setting.metavar is None and value_type(name) is not bool:
        raise TypeError(f"BuildSettings.{name} needs a metavar: its option takes a value")
    return setting


SETTINGS = {name: _declaration(name, field) for name, field in BuildSettings.model_fields.items()}
"""Every setting's declaration, in the order of the fields."""
FILE_KEYS = frozenset(name for name, setting in SETTINGS.items() if setting.in_file)
"""The keys a settings file may hold."""
PATH_KEYS = tuple(name for name in SETTINGS if value_type(name) is Path)
"""The settings that name a file or folder: in a settings file, relative to the repository
and inside it."""
RESULT_KEYS = frozenset(name for name, setting in SETTINGS.items() if setting.changes_results)
"""The settings the model's results depend on (the results cache's key)."""


def load_settings(repo: Path, command_line: dict[str, Any]) -> BuildSettings:
    """Settings for `repo`: values given on the command line win over the repository's."""
    path = repository_settings_file(repo)
    from_file = {} if path is None else _checked_keys(_read_settings_file(path, path.name))
    for key in PATH_KEYS:
        if command_line.get(key) is not None:
            from_file.pop(key, None)  # the command line's path wins, wherever it points
        elif from_file.get(key) is not None:
            from_file[key] = inside_repository(repo, key, from_file[key])
    given = {key: value for key, value in command_line.items() if value not in (None, [], ())}
    return validated_settings({**from_file, **given})


def settings_in_file(path: Path) -> BuildSettings:
    """The settings `path` gives on its own, the defaults for the rest, read and checked as a
    build reads its repository's (`modeldoc diff --gates`); an error names `path`."""
    values = _read_settings_file(path)
    try:
        return validated_settings(_checked_keys(values))
    except InputError as error:
        raise InputError(f"{path}: {error}") from error


def validated_settings(values: dict[str, Any]) -> BuildSettings:
    """`values` as settings, within their bounds and caps; a mistake is one line naming the
    setting."""
    try:
        settings = BuildSettings(**values)
    except ValidationError as error:
        first = error.errors()[0]
        where = excerpt(".".join(str(part) for part in first["loc"]), 60)
        message = first["msg"].removeprefix("Value error, ")
        raise InputError(f"setting {where}: {message}") from error
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


def _read_settings_file(path: Path, shown: str | None = None) -> dict[str, Any]:
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


def _checked_keys(settings: dict[str, Any]) -> dict[str, Any]:
    """`settings` when each key is a setting a file may set; else the error saying which."""
    for key in settings:
        name = str(key).replace("-", "_")
        if name in SETTINGS and name not in FILE_KEYS:
            raise InputError(f"{name} can only be given on the command line ({option_name(name)})")
    unknown = sorted(str(key) for key in set(settings) - FILE_KEYS)
    if unknown:
        names = ", ".join(excerpt(name, 40) for name in unknown[:10])
        more = f" and {len(unknown) - 10:,} more" if len(unknown) > 10 else ""
        raise InputError(f"unknown modeldoc settings: {names}{more}")
    return settings


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
