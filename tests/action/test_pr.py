"""The Action's entry script (`python -I -m modeldoc.action.pr`) in a temporary git repository
with a base and a head commit and GitHub's environment variables: the summary shows the
change, the outputs and the report are written, the gates are the base's."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from action.runs import (
    NUMBER,
    Repository,
    git,
    github_environment,
    parse_outputs,
    repository,
)

from modeldoc.action import pr
from modeldoc.action.pr import ActionError, Change, Inputs, build_arguments, change_from_event
from modeldoc.action.workflow import append_summary, commands_stopped, write_outputs


@dataclass(frozen=True)
class ActionRun:
    status: int
    outputs: dict[str, str]
    step_summary: str
    log: str

    @property
    def summary(self) -> str:
        return Path(self.outputs["summary-path"]).read_text(encoding="utf-8")


def run_action(tmp_path: Path, capsys: pytest.CaptureFixture[str], repo: Repository,
               event: dict[str, object] | None = None, **inputs: str) -> ActionRun:  # fmt: skip
    """`main` with a pull_request event for `repo` and GitHub's variables; what it left."""
    environment = {
        **github_environment(tmp_path / "github", repo, event),
        "MODELDOC_LLM": "offline",
        **{f"MODELDOC_{name.upper()}": value for name, value in inputs.items()},
    }
    status = pr.main(environment)
    return ActionRun(status, parse_outputs(Path(environment["GITHUB_OUTPUT"]).read_text()),
                     Path(environment["GITHUB_STEP_SUMMARY"]).read_text(),
                     capsys.readouterr().out)  # fmt: skip


def set_max_depth(path: Path) -> None:
    train = path / "train.py"
    train.write_text(train.read_text().replace("max_depth=3", "max_depth=4"))


def test_the_summary_shows_the_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = repository(tmp_path, set_max_depth)
    run = run_action(tmp_path, capsys, repo)
    assert run.status == 0, run.log

    assert run.outputs["gates-passed"] == "true"
    assert run.outputs["pr-number"] == str(NUMBER)
    summary = run.summary
    assert re.search(r"max\\?_depth\S*: \S*3\S* → \S*4", summary), summary
    assert "train.py:18" in summary
    assert summary.strip() in run.step_summary

    report = Path(run.outputs["report-path"])
    assert sorted(path.name for path in report.iterdir()) == ["diff.json", "pr.json", "summary.md"]
    assert json.loads((report / "pr.json").read_text()) == {
        "number": NUMBER, "head_sha": repo.head, "base_sha": repo.base, "gates_passed": True
    }  # fmt: skip
    assert Path(run.outputs["diff-path"]) == report / "diff.json"
    assert "max_depth" in (report / "diff.json").read_text()
    assert (Path(run.outputs["site-path"]) / "index.html").is_file()
    assert (Path(run.outputs["build-path"]) / "facts.json").is_file()

    # The base was built in a worktree that is gone; the checkout is as it was.
    assert git(repo.path, "worktree", "list").count("\n") == 0
    assert git(repo.path, "status", "--porcelain") == ""
    assert git(repo.path, "rev-parse", "HEAD") == repo.head
    # The repository's output went through stop-commands: it cannot set an output.
    assert re.search(r"^::stop-commands::[0-9a-f]{32}$", run.log, re.MULTILINE)


GATE = "\ngates:\n  metrics:\n    accuracy:\n      max_drop: {drop}\n"


def add_gate(path: Path) -> None:
    with (path / "modeldoc.yml").open("a") as settings:
        settings.write(GATE.format(drop=0.01))


def flip_labels_and_loosen_the_gate(path: Path) -> None:
    lines = (path / "test.csv").read_text().splitlines()
    for index in range(1, 16):  # the target is the last column
        row = lines[index].rsplit(",", 1)
        lines[index] = f"{row[0]},{1 - int(float(row[1]))}"
    (path / "test.csv").write_text("\n".join(lines) + "\n")
    settings = (path / "modeldoc.yml").read_text()
    (path / "modeldoc.yml").write_text(settings.replace("max_drop: 0.01", "max_drop: 1.0"))


def test_a_failed_gate_is_an_output_and_the_change_cannot_loosen_its_gates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path, flip_labels_and_loosen_the_gate, before=add_gate)
    run = run_action(tmp_path, capsys, repo)
    # Not an exit status: action.yml uploads the artifacts first, then fails the step.
    assert run.status == 0, run.log
    assert run.outputs["gates-passed"] == "false"
    assert "accuracy" in run.summary and "0.01" in run.summary
    assert "other gates" in run.summary  # the change's loosened gate is shown, not applied
    pr_json = json.loads((Path(run.outputs["report-path"]) / "pr.json").read_text())
    assert pr_json["gates_passed"] is False
    assert "::warning title=modeldoc::a gate failed" in run.log

    # With gates-from: head, the change's own (loosened) gate applies.
    run = run_action(tmp_path, capsys, repo, gates_from="head")
    assert run.status == 0, run.log
    assert run.outputs["gates-passed"] == "true"


def test_without_a_base_the_head_is_built_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path, set_max_depth)
    push = {"before": "0" * 40, "after": repo.head}  # a new branch's first push
    run = run_action(tmp_path, capsys, repo, event=push)
    assert run.status == 0, run.log
    assert run.outputs["gates-passed"] == "" and run.outputs["pr-number"] == ""
    assert "Nothing to compare with: the event names no base commit" in run.summary
    assert (Path(run.outputs["site-path"]) / "index.html").is_file()
    pr_json = json.loads((Path(run.outputs["report-path"]) / "pr.json").read_text())
    assert pr_json == {"number": None, "head_sha": repo.head, "base_sha": None,
                       "gates_passed": None}  # fmt: skip


def break_settings(path: Path) -> None:
    settings = path / "modeldoc.yml"
    settings.write_text(settings.read_text().replace("model: model.json", "model: gone.json"))


def mend_settings(path: Path) -> None:
    settings = path / "modeldoc.yml"
    settings.write_text(settings.read_text().replace("model: gone.json", "model: model.json"))


def test_a_base_that_does_not_build_leaves_the_change_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path, mend_settings, before=break_settings)
    run = run_action(tmp_path, capsys, repo)
    assert run.status == 0, run.log
    assert "Nothing to compare with: the base commit did not build" in run.summary
    assert "gone.json" in run.summary and run.outputs["gates-passed"] == ""
    assert (Path(run.outputs["build-path"]) / "facts.json").is_file()
    assert git(repo.path, "worktree", "list").count("\n") == 0


def test_a_change_that_does_not_build_fails_with_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path, break_settings)
    run = run_action(tmp_path, capsys, repo, event={"after": repo.head})
    assert run.status == 1
    assert "The change could not be built" in run.summary and "gone.json" in run.summary
    assert re.search(r"^::error title=modeldoc::.*gone\.json", run.log, re.MULTILINE)
    assert (Path(run.outputs["report-path"]) / "pr.json").is_file()
    assert run.outputs["build-path"] == "" and run.outputs["site-path"] == ""


def test_a_base_commit_that_is_not_in_the_clone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path, set_max_depth)
    missing = Repository(repo.path, "f" * 40, repo.head)
    run = run_action(tmp_path, capsys, missing)
    assert run.status == 1
    assert "not in the checkout and could not be fetched" in run.summary
    assert "fetch-depth: 0" in run.log


# Fast checks of the parts, without a build.


def test_the_event_gives_the_change() -> None:
    base, head = "1" * 40, "2" * 40
    event = {"pull_request": {"number": 12, "base": {"sha": base}, "head": {"sha": head}}}
    assert change_from_event(event) == Change(12, base, head)
    assert change_from_event({"merge_group": {"base_sha": base, "head_sha": head}}) == Change(
        None, base, head
    )
    assert change_from_event({"before": base, "after": head}) == Change(None, base, head)
    assert change_from_event({"before": "0" * 40, "after": head}) == Change(None, None, head)
    hostile = {"pull_request": {"number": "1; rm -rf /", "base": {"sha": "HEAD; id"},
                                "head": {"sha": ["x"]}}}  # fmt: skip
    assert change_from_event(hostile) == Change(None, None, None)
    assert change_from_event({}) == Change(None, None, None)


def test_inputs_are_checked(tmp_path: Path) -> None:
    environment = {"GITHUB_WORKSPACE": str(tmp_path)}
    inputs = Inputs.from_environment(environment)
    assert inputs.gates_from == "base" and not inputs.trust_pickle and inputs.llm is None
    assert inputs.working_directory == tmp_path.resolve()
    with pytest.raises(ActionError, match="trust-pickle must be true or false"):
        Inputs.from_environment({**environment, "MODELDOC_TRUST_PICKLE": "yes"})
    with pytest.raises(ActionError, match="gates-from must be base or head"):
        Inputs.from_environment({**environment, "MODELDOC_GATES_FROM": "pr"})

    given = {"MODELDOC_TRUST_PICKLE": "TRUE", "MODELDOC_MODEL": "models/m.pkl",
             "MODELDOC_LLM": "offline"}  # fmt: skip
    trusted = Inputs.from_environment({**environment, **given})
    command = build_arguments(tmp_path, tmp_path / "out", trusted)
    assert command[-1] == "--trust-pickle"
    assert command[command.index("--model") + 1] == str(tmp_path.resolve() / "models" / "m.pkl")
    assert command[command.index("--llm") + 1] == "offline"
    assert "--trust-pickle" not in build_arguments(tmp_path, tmp_path / "out", inputs)

    escaping = Inputs.from_environment({**environment, "MODELDOC_DATA": "../../etc/passwd"})
    with pytest.raises(ActionError, match=r"--data '\.\./\.\./etc/passwd' leaves the repository"):
        build_arguments(tmp_path, tmp_path / "out", escaping)


def test_outputs_survive_hostile_values(tmp_path: Path) -> None:
    output = tmp_path / "output"
    value = "line one\nghadelimiter_0\nsummary-path<<EOF\n/etc/passwd\nEOF"
    write_outputs(output, {"summary-path": "/tmp/summary.md", "note": value})
    assert parse_outputs(output.read_text()) == {"summary-path": "/tmp/summary.md", "note": value}
    with pytest.raises(ValueError, match="not an output name"):
        write_outputs(output, {"a\nb": "x"})


def test_the_step_summary_is_capped(tmp_path: Path) -> None:
    summary = tmp_path / "summary"
    append_summary(summary, "é" * 600_000)
    data = summary.read_bytes()
    assert len(data) <= 1024 * 1024 and data.decode("utf-8").endswith("GitHub shows)*\n")


def test_commands_are_stopped_around_repository_text(capsys: pytest.CaptureFixture[str]) -> None:
    with commands_stopped():
        print("::set-output name=gates-passed::true")
    start, line, end = capsys.readouterr().out.splitlines()
    assert line == "::set-output name=gates-passed::true"
    token = start.removeprefix("::stop-commands::")
    assert re.fullmatch(r"[0-9a-f]{32}", token) and end == f"::{token}::"
