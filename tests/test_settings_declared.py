"""Each setting is declared once (`modeldoc.settings.BuildSettings`); what is derived from the
declarations covers every one of them: the keys a settings file may hold, the results cache's
key, the command line's options and the table in the docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest
import typer
import yaml

from modeldoc.agent.reuse import ResultsCache
from modeldoc.cli import app
from modeldoc.cli_options import given_settings
from modeldoc.errors import InputError
from modeldoc.facts import Gates, Stated
from modeldoc.settings import (
    SETTINGS,
    BuildSettings,
    default_of,
    load_settings,
    option_name,
    settings_in_file,
    value_type,
)
from modeldoc.settings_docs import BEGIN, END, settings_table

DOCS = Path(__file__).resolve().parent.parent / "docs"


def other_value(name: str) -> Any:
    """A value of the setting `name` other than its default, as a settings file writes it."""
    kind, default = value_type(name), default_of(name)
    if kind is bool:
        return not default
    if kind is int:
        return (default or 0) + 1
    if kind is float:
        return default * 2
    if get_origin(kind) is Literal:
        return next(choice for choice in get_args(kind) if choice != default)
    if kind is str:
        return f"other-{name}"
    if kind is Path:
        return f"other-{name}.csv"
    if kind == list[str]:
        return [f"other-{name}"]
    if kind is Stated:
        return {"name": "Another model", "owners": ["Someone"]}
    if kind is Gates:
        return {"metrics": {"accuracy": {"min": 0.5}}}
    raise AssertionError(f"give other_value a value of {kind} for the new setting {name}")


def build_command() -> Any:
    return typer.main.get_command(app).commands["build"]


def test_the_results_key_changes_with_exactly_the_settings_that_change_results(
    tmp_path: Path,
) -> None:
    for name in ("model.skops", "test.csv", "other-model.csv", "other-data.csv"):
        (tmp_path / name).write_text(name)  # each file its own bytes
    base = {"model": tmp_path / "model.skops", "data": tmp_path / "test.csv"}
    cache = ResultsCache(tmp_path / "cache")
    key = cache.key(tmp_path, BuildSettings(**base))
    assert key is not None
    for name, setting in SETTINGS.items():
        value = other_value(name)
        if value_type(name) is Path:
            value = tmp_path / value
        changed = cache.key(tmp_path, BuildSettings(**{**base, name: value}))
        assert (changed != key) == setting.changes_results, name


def test_a_settings_file_may_set_every_setting_declared_for_files(tmp_path: Path) -> None:
    chosen = {name: other_value(name) for name, setting in SETTINGS.items() if setting.in_file}
    (tmp_path / "modeldoc.yml").write_text(yaml.safe_dump(chosen))
    settings = load_settings(tmp_path, {})
    for name, value in chosen.items():
        read = getattr(settings, name)
        if value_type(name) is Path:
            assert read == tmp_path / value, name
        elif isinstance(read, (Stated, Gates)):
            assert read.model_dump(exclude_defaults=True) == value, name
        else:
            assert read == value, name


@pytest.mark.parametrize("name", [name for name, s in SETTINGS.items() if not s.in_file])
def test_a_settings_file_cannot_set_a_command_line_setting(name: str, tmp_path: Path) -> None:
    config = tmp_path / "modeldoc.yml"
    config.write_text(yaml.safe_dump({name: other_value(name)}))
    message = f"{name} can only be given on the command line ({option_name(name)})"
    with pytest.raises(InputError) as at_build:
        load_settings(tmp_path, {})
    # `modeldoc diff --gates` reads a file the same way, and names it.
    with pytest.raises(InputError) as at_diff:
        settings_in_file(config)
    assert (str(at_build.value), str(at_diff.value)) == (message, f"{config}: {message}")


def test_the_build_and_a_gates_file_refuse_a_bad_value_alike(tmp_path: Path) -> None:
    config = tmp_path / "modeldoc.yml"
    config.write_text("explain_rows: 0\n")
    message = "setting explain_rows: Input should be greater than or equal to 1"
    with pytest.raises(InputError) as at_build:
        load_settings(tmp_path, {})
    with pytest.raises(InputError) as at_diff:
        settings_in_file(config)
    assert (str(at_build.value), str(at_diff.value)) == (message, f"{config}: {message}")


def test_every_command_line_setting_is_an_option_with_its_help_and_default() -> None:
    options = {param.name: param for param in build_command().params}
    for name, setting in SETTINGS.items():
        field = BuildSettings.model_fields[name]
        if not setting.on_command_line:
            assert name not in options, name
            continue
        option = options[name]
        assert option_name(name) in option.opts, name
        assert option.help == field.description, name
        assert option.default == default_of(name), name


def test_only_the_options_typed_reach_the_settings(tmp_path: Path) -> None:
    """An option's default never hides the repository's setting; a typed one wins over it."""
    (tmp_path / "modeldoc.yml").write_text("explain_rows: 50\nseed: 3\nsite: false\n")
    args = [str(tmp_path), "--seed", "0", "--no-cache", "--sensitive", "a", "--sensitive", "b"]
    context = build_command().make_context("build", args)
    given = given_settings(context, context.params)
    assert given == {"seed": 0, "cache": False, "sensitive": ["a", "b"]}
    settings = load_settings(tmp_path, given)
    assert (settings.explain_rows, settings.seed, settings.site, settings.cache) == (
        50, 0, False, False,
    )  # fmt: skip
    untyped = build_command().make_context("build", [str(tmp_path)])
    assert given_settings(untyped, untyped.params) == {}
    assert load_settings(tmp_path / "nowhere", {}) == BuildSettings()


def test_the_docs_table_is_the_generated_one() -> None:
    """docs/configuration.md shows every setting as declared (`python -m
    modeldoc.settings_docs docs/configuration.md` rewrites the table)."""
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    shown = page.split(BEGIN + "\n", 1)[1].split(END, 1)[0]
    assert shown == settings_table()
    for name in SETTINGS:
        assert f"| `{name}` |" in shown or f"`{option_name(name)}`" in shown, name
