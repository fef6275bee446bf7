"""The `modeldoc` command line: a thin layer over the library; errors become one line here."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from modeldoc import __version__
from modeldoc.cli_options import given_settings, with_setting_options
from modeldoc.errors import InputError, ModeldocError
from modeldoc.tools.secrets import redact_text

if TYPE_CHECKING:
    from modeldoc.agent.run import BuildResult
    from modeldoc.facts import FactSheet
    from modeldoc.llm.backend import Backend
    from modeldoc.progress import Progress
    from modeldoc.settings import BuildSettings

app = typer.Typer(
    help="Document machine-learning models from their code, checkpoints and data.",
    # Plain help: rich markup would take `[tool.modeldoc]` for a style and drop it.
    rich_markup_mode=None,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # the shell's code for a process ended by Ctrl-C


# An error message is one line; it may hold a repository's text (a setting, a column name).
MAX_ERROR_CHARS = 1000
# Failures of the disk rather than of the input: said in one line, never a traceback.
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}
_DISK_ERRORS = _WRITE_ERRORS | {errno.EACCES, errno.EPERM}


def _fail(message: str) -> typer.Exit:
    # Plain write: a console would wrap a long path and turn `:fire:` into an emoji.
    line = " ".join(redact_text(message).split())
    if len(line) > MAX_ERROR_CHARS:
        line = line[: MAX_ERROR_CHARS - 1] + "…"
    sys.stderr.write(f"modeldoc: error: {line}\n")
    return typer.Exit(EXIT_BAD_INPUT)


def _disk_failure(error: OSError, out: Path | None) -> str:
    """A full disk, a read-only or forbidden folder, a file size limit: what and where."""
    # Of a copy or a rename, the second file is the one written.
    file = error.filename2 or error.filename
    if error.errno in _WRITE_ERRORS:
        what = f"cannot write {file}" if file else "cannot write the build's files"
    else:
        what = str(file) if file else "a file"
    folder = out if out is not None else "the output folder"
    return f"{what}: {error.strerror or error}; {folder} was left as it was"


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
@with_setting_options
def build(
    ctx: typer.Context,
    repo: Annotated[Path, typer.Argument(help="The model repository to document.", metavar="REPO")],
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Compute the facts and estimate each section's LLM tokens; "
            "call no model and write nothing.",
        ),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Continue a build that was interrupted (killed, Ctrl-C)."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Show no progress (the result's lines still print)."),
    ] = False,
    json_log: Annotated[
        bool,
        typer.Option(
            "--json-log",
            help="Progress as one JSON object per event on standard error, for machines.",
        ),
    ] = False,
    **options: Any,
) -> None:
    """Document a model: compute its facts (code, checkpoint, data, metrics, SHAP, plots),
    write and verify the card, and render MODEL_CARD.md, model_card.json and the site into OUT
    (settings also from modeldoc.yml or [tool.modeldoc]; the command line wins). OUT is
    replaced as a whole, and only when the build succeeds. Progress goes to standard error."""
    from modeldoc.llm.backend import resolve_backend
    from modeldoc.progress import progress_for
    from modeldoc.settings import load_settings

    given = given_settings(ctx, options)
    out_folder = given.get("out")  # where the build writes, once the settings say
    try:
        with progress_for(quiet=quiet, json_log=json_log) as progress:
            with progress.step("start"):
                if not repo.is_dir():
                    raise InputError(f"{repo}: not a directory")
                settings = load_settings(repo, given)
                out_folder = settings.out
                _check_out(repo, settings.out)
                backend = resolve_backend(
                    settings.llm,
                    base_url=settings.base_url,
                    base_url_from_repository="base_url" not in given
                    and settings.base_url is not None,
                )
                session = None
                if backend is not None and not dry_run:
                    from modeldoc.llm.session import open_session

                    session = open_session(backend, settings, repo=repo)
                # Loading the libraries that compute takes seconds: part of this step.
                from modeldoc.agent.run import run_build
            if dry_run:
                _dry_run(repo, settings, backend, progress)
                return
            result = run_build(repo, settings, llm=session, resume=resume, progress=progress)
    except ModeldocError as error:
        raise _fail(str(error)) from error
    except OSError as error:
        if error.errno not in _DISK_ERRORS:
            raise
        raise _fail(_disk_failure(error, out_folder)) from error
    except KeyboardInterrupt:
        sys.stderr.write("modeldoc: interrupted: the same command with --resume continues it\n")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    _report(settings, result)


def _report(settings: BuildSettings, result: BuildResult) -> None:
    """Where the outputs are, what the LLM cost, and what the reader should know."""
    out_dir, facts = settings.out, result.facts
    if result.nothing_to_resume:
        print("no interrupted build with these settings to resume: built from the start")
    if result.resumed_at is not None:
        steps = ", ".join(f"{name} x{count}" for name, count in result.resumed_at.items())
        print(f"resumed an interrupted build at: {steps or 'the step after its last one'}")
    print(f"card:  {out_dir / 'MODEL_CARD.md'}")
    if settings.site:
        print(f"site:  {out_dir / 'site' / 'index.html'}")
    print(f"facts: {out_dir / 'facts.json'} ({len(facts.plots)} plots)")
    run = facts.provenance.llm
    if run is not None:
        usage = run.usage
        print(
            f"llm:   {run.model}: {usage.calls} calls, {usage.prompt_tokens} prompt + "
            f"{usage.completion_tokens} completion tokens, {usage.cache_hits} from the cache"
        )
    for warning in _result_warnings(facts):
        sys.stderr.write(f"warning: {warning}\n")
    sections = facts.narrative.sections if facts.narrative else []
    for section in sections:
        if section.note:
            sys.stderr.write(f"warning: {section.title}: {section.note}\n")
    unverified = [section.id for section in sections if section.unmatched]
    if unverified:
        print(f"warning: statements not matched to facts in: {', '.join(unverified)}")


def _result_warnings(facts: FactSheet) -> list[str]:
    """What the build could not compute, one line each (the card says it at length)."""
    warnings = [
        f"{checkpoint.file} was not loaded: {checkpoint.not_loaded_reason}"
        for checkpoint in facts.checkpoints
        if checkpoint.not_loaded_reason
    ]
    evaluation, explanations = facts.evaluation, facts.explanations
    if evaluation is not None and evaluation.not_computed:
        warnings.append(f"no metric was computed: {evaluation.not_computed}")
    if evaluation is not None:
        warnings.extend(f"evaluation rows: {note}" for note in evaluation.row_notes)
    if explanations is not None and explanations.not_computed:
        warnings.append(f"no SHAP explanation was computed: {explanations.not_computed}")
    return [" ".join(warning.split()) for warning in warnings]


def _dry_run(
    repo: Path, settings: BuildSettings, backend: Backend | None, progress: Progress
) -> None:
    """Print each section's estimated first LLM request, having called nothing."""
    from modeldoc.agent.run import compute_facts
    from modeldoc.llm.drafting import MAX_COMPLETION_TOKENS, estimate_first_request
    from modeldoc.present.sections import SECTIONS
    from modeldoc.writing.lookups import Lookups
    from modeldoc.writing.offline import OfflineWriter
    from modeldoc.writing.verify import index_facts, verify_section

    facts = compute_facts(repo, settings, progress)
    lookups, index = Lookups(facts, repo), index_facts(facts)
    writer = backend.id if backend is not None else "offline (no LLM calls would be made)"
    print(f"dry run: nothing was called or written; writer: {writer}")
    print("estimated prompt tokens of each section's first request:")
    total = 0
    for spec in SECTIONS:
        offline = verify_section(OfflineWriter().write(spec, facts), index)
        tokens = estimate_first_request(spec, offline, lookups)
        total += tokens
        print(f"  {spec.id:<16} {tokens:>7}")
    print(f"  {'total':<16} {total:>7}")
    print("Each tool round or revision resends the conversation so far; answers take up to "
          f"{MAX_COMPLETION_TOKENS} tokens each.")  # fmt: skip
    if settings.max_tokens is not None and total > settings.max_tokens:
        print(f"--max-tokens {settings.max_tokens} does not cover even the first requests: "
              "later sections would keep the offline text.")  # fmt: skip


def _check_out(repo: Path, out: Path) -> None:
    """The output folder is replaced as a whole: it may not hold the repository, be the home
    folder or the file system's root."""
    repo_path, out_path = repo.resolve(), out.resolve()
    if repo_path == out_path or out_path in repo_path.parents:
        raise InputError(f"{out}: the output folder would replace the repository; give another")
    if out_path in (Path.home().resolve(), Path(out_path.anchor)):
        raise InputError(f"{out}: the output folder would replace {out_path}; give another")


EXIT_GATE_FAILED = 3

DIFF_FORMATS = ("markdown", "json")


@app.command()
def diff(
    base: Annotated[Path, typer.Argument(help="The base's facts.json, or its output folder.")],
    head: Annotated[Path, typer.Argument(help="The head's facts.json, or its output folder.")],
    output_format: Annotated[
        str, typer.Option("--format", help="markdown (for a pull request) or json.")
    ] = "markdown",
    out: Annotated[
        Path | None, typer.Option(help="Write to this file instead of standard output.")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help=f"Exit with {EXIT_GATE_FAILED} when a gate fails.")
    ] = False,
    gates: Annotated[
        Path | None,
        typer.Option(
            help="Take the gates from this settings file (modeldoc.yml or pyproject.toml) "
            "instead of the base's facts.json.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compare two builds: metrics with their intervals, slices, feature importance,
    features, hyperparameters, estimators, layers, data and card sections; hold the head to
    the base's gates (never the head's own)."""
    from modeldoc.atomic import write_atomically
    from modeldoc.diff.compare import compare, load_fact_sheet
    from modeldoc.diff.markdown import render_markdown
    from modeldoc.present.markdown import plain

    if output_format not in DIFF_FORMATS:
        raise _fail(f"--format {output_format}: give markdown or json")
    try:
        result = compare(
            load_fact_sheet(base),
            load_fact_sheet(head),
            base_path=base,
            head_path=head,
            gates_file=gates,
        )
    except ModeldocError as error:
        raise _fail(str(error)) from error
    if output_format == "json":
        text = result.model_dump_json(indent=2) + "\n"
    else:
        text = render_markdown(result)
    if out is None:
        sys.stdout.write(text)
    else:
        try:
            write_atomically(out, text)
        except OSError as error:
            raise _fail(f"{out}: cannot be written ({error.strerror or error})") from error
    if check and result.gates.failed:
        for failed in result.gates.failed:
            message = f"{plain(failed.gate)}: {plain(failed.message)}"
            sys.stderr.write(f"modeldoc: gate failed: {message}\n")
        raise typer.Exit(EXIT_GATE_FAILED)
