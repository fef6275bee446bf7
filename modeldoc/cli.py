"""The `modeldoc` command line: a thin layer over the library; errors become one line here."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from modeldoc import __version__
from modeldoc.errors import InputError, ModeldocError

app = typer.Typer(
    help="Document machine-learning models from their code, checkpoints and data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

EXIT_BAD_INPUT = 2


def _fail(message: str) -> typer.Exit:
    # Plain write: a console would wrap a long path and turn `:fire:` into an emoji.
    first_line = " ".join(message.split())
    sys.stderr.write(f"modeldoc: error: {first_line}\n")
    return typer.Exit(EXIT_BAD_INPUT)


def _version(value: bool) -> None:
    if value:
        print(f"modeldoc {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Document machine-learning models from their code, checkpoints and data."""


@app.command()
def scan(
    repo: Annotated[Path, typer.Argument(help="The model repository to read.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the repository and code facts as JSON.")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes for a large repository (default: one per core).",
            show_default=False,
        ),
    ] = os.cpu_count() or 1,
) -> None:
    """Read a model repository's code and print what it defines: models, layers,
    hyperparameters (every conflicting value), data sources, each with file and line."""
    from modeldoc.summary import print_summary
    from modeldoc.tools.scan import scan_repository

    try:
        result = scan_repository(repo, workers)
    except ModeldocError as error:
        raise _fail(str(error)) from error
    if as_json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    print_summary(Console(highlight=False), result.repo, result.code)


@app.command()
def build(
    repo: Annotated[Path, typer.Argument(help="The model repository to document.")],
    model: Annotated[Path | None, typer.Option(help="The model file (checkpoint).")] = None,
    data: Annotated[Path | None, typer.Option(help="Evaluation data: CSV or Parquet.")] = None,
    target: Annotated[str | None, typer.Option(help="The target column in the data.")] = None,
    task: Annotated[str | None, typer.Option(help="auto, classification or regression.")] = None,
    sensitive: Annotated[
        list[str] | None, typer.Option(help="A column to report results per value of (repeat).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: modeldoc-out).")] = None,
    trust_pickle: Annotated[
        bool, typer.Option("--trust-pickle", help="Load a pickle/joblib model (runs its code).")
    ] = False,
    explain: Annotated[
        bool | None,
        typer.Option(
            "--explain/--no-explain",
            help="Compute SHAP explanations (default: yes).",
            show_default=False,
        ),
    ] = None,
    explain_rows: Annotated[
        int | None,
        typer.Option(
            min=1, help="Rows the model-agnostic explainer takes (default 200).", show_default=False
        ),
    ] = None,
    site: Annotated[
        bool | None,
        typer.Option(
            "--site/--no-site", help="Build the HTML site (default: yes).", show_default=False
        ),
    ] = None,
    explain_seconds: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            help="Time budget of the model-agnostic explainer (default 60).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Document a model: compute its facts (code, checkpoint, data, metrics, SHAP, plots),
    write and verify the card, and render MODEL_CARD.md, model_card.json and the site into OUT
    (settings also from modeldoc.yml or [tool.modeldoc]; the command line wins). OUT is
    replaced as a whole, and only when the build succeeds."""
    from modeldoc.agent.graph import compile_graph
    from modeldoc.agent.state import BuildContext
    from modeldoc.agent.workspace import Workspace
    from modeldoc.output import staged_output
    from modeldoc.settings import load_settings

    given = {"model": model, "data": data, "target": target, "task": task,
             "sensitive": sensitive, "out": out, "trust_pickle": trust_pickle,
             "explain": explain, "explain_rows": explain_rows,
             "explain_seconds": explain_seconds, "site": site}  # fmt: skip
    try:
        if not repo.is_dir():
            raise InputError(f"{repo}: not a directory")
        settings = load_settings(repo, given)
        _check_out(repo, settings.out)
        with staged_output(settings.out) as staging:
            workspace = Workspace(repo, settings, out_dir=staging)
            state = compile_graph().invoke(
                {"repo_path": str(repo), "settings": settings},
                context=BuildContext(workspace=workspace),
            )
    except ModeldocError as error:
        raise _fail(str(error)) from error
    out_dir = settings.out
    facts = state["facts"]
    print(f"card:  {out_dir / 'MODEL_CARD.md'}")
    if settings.site:
        print(f"site:  {out_dir / 'site' / 'index.html'}")
    print(f"facts: {out_dir / 'facts.json'} ({len(facts.plots)} plots)")
    unverified = [s.id for s in facts.narrative.sections if s.unmatched] if facts.narrative else []
    if unverified:
        print(f"warning: statements not matched to facts in: {', '.join(unverified)}")


def _check_out(repo: Path, out: Path) -> None:
    """The output folder is replaced as a whole: it may not hold the repository."""
    repo_path, out_path = repo.resolve(), out.resolve()
    if repo_path == out_path or out_path in repo_path.parents:
        raise InputError(f"{out}: the output folder would replace the repository; give another")
