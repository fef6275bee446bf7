"""The Action's analysis of a change: build the head and the base, diff their facts, report.

`python -I -m modeldoc.action.pr`, run by `action.yml` under `pull_request` (a read-only token,
and for a pull request from a fork no secrets: the default writer is the offline one).

1. builds the checked-out tree (for a pull request, GitHub's merge of it into the base);
2. builds the base commit, named by the event payload, in a separate `git worktree`;
3. runs `modeldoc diff BASE HEAD` for the Markdown summary (`--check`: exit 3 when a gate
   fails) and for `diff.json`;
4. appends the summary to `GITHUB_STEP_SUMMARY`, writes the step outputs to `GITHUB_OUTPUT`,
   and leaves a report folder (`pr.json`, `summary.md`, `diff.json`) for the comment workflow
   and the head's build (card, facts, site) for the site artifact.

The Action's inputs arrive as `MODELDOC_*` environment variables and the event data is read
from the payload file: neither passes through a shell. Every `modeldoc` it starts runs
isolated (`python -I`) in an empty folder of its own: the repositories are arguments, read as
data, and no module in them (a `yaml.py`, a `modeldoc/`) can be imported in place of ours.
`action.yml` starts this script the same way, from `$RUNNER_TEMP`.

A failed gate is an output (`gates-passed=false`), not an exit status, so the artifacts are
uploaded before `action.yml` fails the step. Exit status 1: the head could not be built or the
diff failed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from modeldoc.action.workflow import (
    WorkflowError,
    append_summary,
    command_text,
    commands_stopped,
    read_event,
    write_outputs,
)
from modeldoc.atomic import write_atomically
from modeldoc.errors import InputError, ModeldocError, first_line
from modeldoc.settings import repository_settings_file

EXIT_GATE_FAILED = 3
"""`modeldoc diff --check`: a gate failed."""
BUILD_TIMEOUT = 3600

_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_NULL_SHA = re.compile(r"0+")


class ActionError(ModeldocError):
    """The analysis could not be done; the message says why, in one line."""


@dataclass(frozen=True)
class Inputs:
    """The Action's inputs, from the `MODELDOC_*` variables `action.yml` sets."""

    working_directory: Path
    """The git checkout, absolute."""
    path: str
    """The model repository's folder inside the checkout."""
    model: str | None
    """`--model`, relative to the model repository; else its settings decide."""
    data: str | None
    """`--data`, relative to the model repository."""
    target: str | None
    trust_pickle: bool
    """`--trust-pickle`: only ever an input of the workflow, never a file of the change."""
    llm: str | None
    """`--llm`; empty leaves it to the repository's settings and the environment."""
    base_url: str | None
    gates_from: Literal["base", "head"]
    """Whose `gates:` apply: the base's (a change cannot loosen its own gates) or the change's."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Inputs:
        """The inputs in `environ`; `ActionError` for a malformed one."""

        def value(name: str) -> str | None:
            text = environ.get(f"MODELDOC_{name}", "").strip()
            return text or None

        workspace = Path(environ.get("GITHUB_WORKSPACE") or os.getcwd())
        gates_from = (value("GATES_FROM") or "base").lower()
        if gates_from not in ("base", "head"):
            raise ActionError(f"gates-from must be base or head, not {gates_from!r}")
        return cls(
            working_directory=(workspace / (value("WORKING_DIRECTORY") or ".")).resolve(),
            path=value("PATH") or ".",
            model=value("MODEL"),
            data=value("DATA"),
            target=value("TARGET"),
            trust_pickle=_flag(value("TRUST_PICKLE"), "trust-pickle"),
            llm=value("LLM"),
            base_url=value("BASE_URL"),
            gates_from="base" if gates_from == "base" else "head",
        )


def _flag(text: str | None, name: str) -> bool:
    if text is None or text.lower() == "false":
        return False
    if text.lower() == "true":
        return True
    raise ActionError(f"{name} must be true or false, not {text!r}")


@dataclass(frozen=True)
class Change:
    """What the event says is being changed."""

    number: int | None
    """The pull request's number (none for a push)."""
    base_sha: str | None
    """The commit to compare with (none: nothing to compare, the head is built alone)."""
    head_sha: str | None


def change_from_event(event: Mapping[str, Any]) -> Change:
    """The pull request, merge queue entry or push the payload describes."""
    pull = event.get("pull_request")
    if isinstance(pull, dict):
        number = pull.get("number")
        return Change(
            number=number if type(number) is int and number > 0 else None,
            base_sha=_sha(_get(pull, "base", "sha")),
            head_sha=_sha(_get(pull, "head", "sha")),
        )
    group = event.get("merge_group")
    if isinstance(group, dict):
        return Change(None, _sha(group.get("base_sha")), _sha(group.get("head_sha")))
    return Change(None, _sha(event.get("before")), _sha(event.get("after")))


def _get(mapping: Mapping[str, Any], *keys: str) -> Any:
    value: Any = mapping
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _sha(value: Any) -> str | None:
    # A new branch's push has an all-zero `before`: there is no base.
    if isinstance(value, str) and _SHA.fullmatch(value) and not _NULL_SHA.fullmatch(value):
        return value
    return None


@dataclass(frozen=True)
class Folders:
    """Where one run of the Action writes."""

    root: Path
    work: Path
    """The working folder of every `modeldoc` run: empty, outside every repository."""
    base_source: Path
    """Holds the base commit's worktree (removed after its build)."""
    base: Path
    """The base's build."""
    head: Path
    """The head's build: card, facts and site (the site artifact)."""
    report: Path
    """`pr.json`, `summary.md`, `diff.json` (the report artifact the comment workflow reads)."""

    @classmethod
    def create(cls, environ: Mapping[str, str]) -> Folders:
        """Fresh folders under the runner's temporary folder, outside every repository."""
        parent = environ.get("RUNNER_TEMP") or None
        root = Path(tempfile.mkdtemp(prefix="modeldoc-action-", dir=parent)).resolve()
        report, work = root / "report", root / "work"
        report.mkdir()
        work.mkdir()
        return cls(root, work, root / "base-source", root / "base", root / "head", report)


@dataclass
class Result:
    """What the run produced, for the outputs and the report."""

    summary: str
    gates_passed: bool | None = None
    """None: no gate was checked (nothing to compare with)."""
    diff_path: Path | None = None
    site_path: Path | None = None
    error: str | None = None
    """Why the analysis failed (None: it did not)."""

    @classmethod
    def failure(cls, what: str, error: str) -> Result:
        """A failed analysis: its summary shows `error` as text, never as Markdown."""
        return cls(summary=f"## modeldoc\n\n{what}:\n\n{_fenced(error)}", error=error)


def modeldoc_command(*arguments: str) -> list[str]:
    """The command line of `modeldoc ARGUMENTS` with this interpreter, isolated: `-I` keeps the
    working folder, `PYTHONPATH` and the user's site-packages off `sys.path` (and ignores
    every `PYTHON*` variable), so only the installed modeldoc and its libraries are imported."""
    return [sys.executable, "-I", "-m", "modeldoc", *arguments]


def build_arguments(repository: Path, out: Path, inputs: Inputs) -> list[str]:
    """The arguments of `modeldoc build` of `repository` into `out` with the Action's inputs."""
    command = ["build", str(repository), "--out", str(out)]
    for option, value in (("--llm", inputs.llm), ("--base-url", inputs.base_url),
                          ("--target", inputs.target)):  # fmt: skip
        if value:
            command += [option, value]
    for option, relative in (("--model", inputs.model), ("--data", inputs.data)):
        if relative:
            command += [option, str(_inside(repository, relative, option))]
    if inputs.trust_pickle:
        command.append("--trust-pickle")
    return command


def _inside(repository: Path, relative: str, option: str) -> Path:
    path = (repository / relative).resolve()
    if not path.is_relative_to(repository.resolve()):
        raise ActionError(f"{option} {relative!r} leaves the repository")
    return path


def run_modeldoc(arguments: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `modeldoc ARGUMENTS` in `cwd`, its output shown in the log with commands stopped."""
    print(f"$ modeldoc {' '.join(arguments)}", flush=True)
    try:
        result = subprocess.run(
            modeldoc_command(*arguments), cwd=cwd, capture_output=True, text=True,
            timeout=BUILD_TIMEOUT, encoding="utf-8", errors="replace",
        )  # fmt: skip
    except subprocess.TimeoutExpired as error:
        raise ActionError(f"modeldoc {arguments[0]} took over {BUILD_TIMEOUT} s") from error
    with commands_stopped():
        for text in (result.stdout, result.stderr):
            if text.strip():
                print(text.rstrip("\n"), flush=True)
    return result


def _error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"exit status {result.returncode}"


def _git(repository: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    # No hooks: the worktree's checkout must run nothing from anywhere.
    command = ["git", "-c", "core.hooksPath=/dev/null", "-C", str(repository), *arguments]
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        return subprocess.run(command, capture_output=True, text=True, env=environment,
                              timeout=600)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ActionError(f"git {arguments[0]} failed: {error}") from error


def git_toplevel(directory: Path) -> Path:
    """The root of the git checkout holding `directory`."""
    result = _git(directory, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise ActionError(f"{directory} is not in a git checkout: {_error_line(result)}")
    return Path(result.stdout.strip()).resolve()


@contextmanager
def worktree(toplevel: Path, sha: str, where: Path) -> Iterator[Path]:
    """The commit `sha` checked out at `where`, removed afterwards."""
    if _git(toplevel, "cat-file", "-e", f"{sha}^{{commit}}").returncode != 0:
        fetched = _git(toplevel, "fetch", "--no-tags", "--depth=1", "origin", sha)
        if fetched.returncode != 0:
            raise ActionError(
                f"the base commit {sha} is not in the checkout and could not be fetched "
                "(check out with fetch-depth: 0)"
            )
    added = _git(toplevel, "worktree", "add", "--detach", "--force", str(where), sha)
    if added.returncode != 0:
        raise ActionError(f"git worktree add {sha} failed: {_error_line(added)}")
    try:
        yield where
    finally:
        _git(toplevel, "worktree", "remove", "--force", str(where))
        _git(toplevel, "worktree", "prune")


def build(repository: Path, out: Path, inputs: Inputs,
          cwd: Path) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`modeldoc build` of `repository` into `out`, run in `cwd` (outside the repository)."""
    return run_modeldoc(build_arguments(repository, out, inputs), cwd=cwd)


def diff(folders: Folders, gates: Path | None) -> bool:
    """`modeldoc diff` into `report/summary.md` and `report/diff.json`; whether the gates held."""
    options = ["--gates", str(gates)] if gates else []
    passed = True
    for form, name, check in (("markdown", "summary.md", ["--check"]), ("json", "diff.json", [])):
        out = ["--format", form, "--out", str(folders.report / name), *check, *options]
        arguments = ["diff", str(folders.base), str(folders.head), *out]
        result = run_modeldoc(arguments, cwd=folders.work)
        if result.returncode not in (0, EXIT_GATE_FAILED):
            raise ActionError(f"modeldoc diff --format {form} failed: {_error_line(result)}")
        passed = passed and result.returncode == 0
    return passed


def gates_file(repository: Path) -> Path | None:
    """The settings file of `repository` (None: it has none), the one its `gates:` are in;
    a settings file that links out of the repository is refused, as the build refuses it."""
    try:
        return repository_settings_file(repository)
    except InputError as error:
        raise ActionError(str(error)) from error


def _fenced(text: str) -> str:
    # A fence longer than any run of backticks in the text, which then cannot close it.
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def analyse(inputs: Inputs, change: Change, folders: Folders) -> Result:
    """Build the head and the base, and diff them; the result (a failure is in it too)."""
    head_repository = (inputs.working_directory / inputs.path).resolve()
    if not head_repository.is_dir():
        raise ActionError(f"path {inputs.path!r} is not a folder of the checkout")
    toplevel = git_toplevel(head_repository)
    relative = head_repository.relative_to(toplevel)

    base_error = None
    if change.base_sha is None:
        base_error = "the event names no base commit"
    else:
        # The base first: the head's build then reuses what did not change.
        # Named as the checkout is: the repository's name is a fact the diff compares.
        folders.base_source.mkdir(exist_ok=True)
        where = folders.base_source / toplevel.name
        with worktree(toplevel, change.base_sha, where) as source:
            base_repository = source / relative
            if not base_repository.is_dir():
                base_error = f"the base commit {change.base_sha[:12]} has no folder {relative}"
            else:
                built = build(base_repository, folders.base, inputs, folders.work)
                if built.returncode != 0:
                    base_error = f"the base commit did not build: {_error_line(built)}"

    head = build(head_repository, folders.head, inputs, folders.work)
    if head.returncode != 0:
        return Result.failure("The change could not be built", _error_line(head))
    site = folders.head / "site"
    site_path = site if site.is_dir() else None
    if base_error is not None:
        summary = (
            "## modeldoc\n\nNothing to compare with: "
            f"{base_error}. The change's card and site are in the artifact; no gate was checked."
        )
        return Result(summary=summary, site_path=site_path)
    # `modeldoc diff` holds the change to the gates the base's build recorded, unless told.
    gates = gates_file(head_repository) if inputs.gates_from == "head" else None
    passed = diff(folders, gates)
    summary = (folders.report / "summary.md").read_text(encoding="utf-8")
    return Result(summary, passed, folders.report / "diff.json", site_path)


def write_report(folders: Folders, change: Change, result: Result) -> None:
    """`pr.json` and `summary.md` in the report folder (the diff wrote `diff.json`)."""
    write_atomically(folders.report / "summary.md", result.summary.rstrip("\n") + "\n")
    facts = {
        "number": change.number,
        "head_sha": change.head_sha,
        "base_sha": change.base_sha,
        "gates_passed": result.gates_passed,
    }
    write_atomically(folders.report / "pr.json", json.dumps(facts, indent=2) + "\n")


def outputs(folders: Folders, change: Change, result: Result) -> dict[str, str]:
    """The step outputs."""
    passed = {None: "", True: "true", False: "false"}[result.gates_passed]
    return {
        "gates-passed": passed,
        "summary-path": str(folders.report / "summary.md"),
        "diff-path": str(result.diff_path or ""),
        "report-path": str(folders.report),
        "build-path": str(folders.head) if folders.head.is_dir() else "",
        "site-path": str(result.site_path or ""),
        "pr-number": "" if change.number is None else str(change.number),
    }


def main(environ: Mapping[str, str] | None = None) -> int:
    """Run the analysis with `environ` (default: the process environment); the exit status."""
    environ = os.environ if environ is None else environ
    try:
        inputs = Inputs.from_environment(environ)
        change = change_from_event(read_event(environ))
        folders = Folders.create(environ)
        try:
            result = analyse(inputs, change, folders)
        except ActionError as error:
            result = Result.failure("The analysis failed", first_line(error))
        write_report(folders, change, result)
    except (ActionError, WorkflowError) as error:
        print(f"::error title=modeldoc::{command_text(first_line(error))}", flush=True)
        return 1
    values = outputs(folders, change, result)
    if environ.get("GITHUB_STEP_SUMMARY"):
        append_summary(Path(environ["GITHUB_STEP_SUMMARY"]), result.summary)
    if environ.get("GITHUB_OUTPUT"):
        write_outputs(Path(environ["GITHUB_OUTPUT"]), values)
    else:
        for name, value in values.items():
            print(f"{name}: {value}")
    if result.error is not None:
        print(f"::error title=modeldoc::{command_text(result.error)}", flush=True)
        return 1
    if result.gates_passed is False:
        print("::warning title=modeldoc::a gate failed: see the summary", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
