"""The options of `modeldoc build` for the settings: one per setting, derived from its
declaration in `modeldoc.settings` (name, help, default, bounds), never written twice."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from modeldoc.settings import SETTINGS, BuildSettings, default_of, option_name, value_type


def with_setting_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command` with an option for each setting the command line may give, ahead of its own
    options. It takes them as `**settings`, and `given_settings` tells which were typed."""
    signature = inspect.signature(command, eval_str=True)
    own = [parameter for parameter in signature.parameters.values()
           if parameter.kind is not inspect.Parameter.VAR_KEYWORD]  # fmt: skip
    positional = [parameter for parameter in own if parameter.default is inspect.Parameter.empty]
    optional = [parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY) for parameter in own
                if parameter.default is not inspect.Parameter.empty]  # fmt: skip
    options = [_parameter(name) for name, setting in SETTINGS.items() if setting.on_command_line]
    # Typer reads a command's parameters from its signature.
    command.__dict__["__signature__"] = signature.replace(
        parameters=[*positional, *options, *optional]
    )
    return command


def given_settings(context: typer.Context, values: dict[str, Any]) -> dict[str, Any]:
    """The settings among `values` that were typed on the command line (a default must not
    hide the repository's own setting)."""
    given = {}
    for name, value in values.items():
        source = context.get_parameter_source(name)
        if name in SETTINGS and source is not None and source.name == "COMMANDLINE":
            given[name] = value
    return given


def _parameter(name: str) -> inspect.Parameter:
    """The typer option of the setting `name`: its help, default, value and lower bound."""
    field = BuildSettings.model_fields[name]
    setting = SETTINGS[name]
    kind = value_type(name)
    flag = option_name(name)
    if kind is bool:
        # Off and on for what a file may set; a switch that is only ever turned on otherwise.
        declarations = [f"{flag}/--no-{flag[2:]}" if setting.in_file else flag]
    else:
        declarations = [flag]
    lowest = [item.ge for item in field.metadata if hasattr(item, "ge")]  # `Field(ge=...)`
    option = typer.Option(
        *declarations,
        help=field.description,
        metavar=setting.metavar,
        min=lowest[0] if lowest else None,
    )
    default = default_of(name)
    annotation = kind if default is not None else kind | None
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[annotation, option])  # fmt: skip
