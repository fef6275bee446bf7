"""What a build shows while it runs: a live display on a terminal, timestamped lines in a
log, JSON lines for machines, nothing with `--quiet`; always on standard error."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.progress_lines import PROGRESS_LINE
from rich.console import Console

from modeldoc.agent.graph import build_graph
from modeldoc.progress import (
    COUNT_LINE_SECONDS,
    Event,
    JsonLines,
    LiveView,
    LogLines,
    Progress,
    progress_for,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cancer-xgboost"
# Every step of the graph, and the command line's own first one (settings, libraries).
STEPS = {"start"} | set(build_graph().nodes)

Runs = dict[str, subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """Three builds of one example sharing a cache: the first (`--json-log`) computes
    everything, the other two (a log, `--quiet`) reuse its results."""
    root = tmp_path_factory.mktemp("progress")
    environment = {**os.environ, "MODELDOC_CACHE_DIR": str(root / "cache")}
    done: Runs = {}
    for name, flags in (("json", ["--json-log"]), ("log", []), ("quiet", ["--quiet"])):
        command = [sys.executable, "-m", "modeldoc", "build", str(EXAMPLE), "--out",
                   str(root / name), "--llm", "offline", "--no-site", *flags]  # fmt: skip
        done[name] = subprocess.run(command, capture_output=True, text=True, env=environment,
                                    timeout=600)  # fmt: skip
        assert done[name].returncode == 0, done[name].stderr
    return done


def test_a_build_in_a_log_prints_a_timestamped_line_per_step(runs: Runs) -> None:
    lines = runs["log"].stderr.splitlines()
    assert lines and all(PROGRESS_LINE.match(line) for line in lines), lines
    finished = {m.group(1) for line in lines if (m := re.match(r"^\S+ (\S+) done in ", line))}
    assert finished == STEPS
    assert re.search(r" draft_section: \w+ drafted, 8 of 8 sections$", runs["log"].stderr, re.M)
    summary = lines[-1]
    assert re.match(r"^\S+ finished in \d+\.\d s; computed: nothing; reused: the scan of 1 code "
                    r"file, the model's results \(checkpoint, evaluation, SHAP values, plots\)$",
                    summary), summary  # fmt: skip
    # Standard output keeps the result alone.
    assert runs["log"].stdout.startswith("card:  ") and "done in" not in runs["log"].stdout


def test_quiet_prints_no_progress(runs: Runs) -> None:
    assert runs["quiet"].stderr == ""
    assert runs["quiet"].stdout.replace("/quiet/", "/log/") == runs["log"].stdout


def test_json_log_is_one_object_per_event(runs: Runs) -> None:
    events = [json.loads(line) for line in runs["json"].stderr.splitlines()]
    started = {event["step"] for event in events if event["event"] == "step_started"}
    finished = {event["step"] for event in events if event["event"] == "step_finished"}
    assert started == finished == STEPS
    rows = [event for event in events if event["event"] == "rows_explained"]
    assert rows[0]["done"] == 0 and rows[-1]["done"] == rows[-1]["total"] > 0
    sections = [event for event in events if event["event"] == "section_drafted"]
    assert [event["done"] for event in sections] == list(range(1, 9))
    last = events[-1]
    assert last["event"] == "finished" and last["reused"] == []
    assert "SHAP values" in last["computed"] and last["elapsed"] > 0
    assert all(event["time"] and event["elapsed"] >= 0 for event in events)
    assert runs["json"].stdout.startswith("card:  ")


def events_of_a_build() -> list[Event]:
    """A small build's events, as the runner and the SHAP step report them."""
    return [
        Event("step_started", 0.0, step="explain"),
        Event("rows_explained", 0.1, step="explain", done=0, total=143),
        Event("rows_explained", 0.2, step="explain", done=8, total=143),
        Event("rows_explained", 0.2 + COUNT_LINE_SECONDS, step="explain", done=64, total=143),
        Event("rows_explained", 7.0, step="explain", done=72, total=143),
        Event("rows_explained", 9.0, step="explain", done=143, total=143),
        Event("step_finished", 9.1, step="explain", seconds=9.1),
        Event("step_started", 9.2, step="draft_section"),
        Event("section_drafted", 9.3, step="draft_section", section="data", done=1, total=2),
        Event("section_drafted", 9.4, step="draft_section", section="model_details", done=2,
              total=2),
        Event("step_finished", 9.5, step="draft_section", seconds=0.3),
        Event("finished", 9.6, computed=("SHAP values",), reused=("the scan of 1 code file",)),
    ]  # fmt: skip


def test_log_lines_show_steps_and_counts_now_and_then() -> None:
    stream = io.StringIO()
    view = LogLines(stream)
    for event in events_of_a_build():
        view.show(event)
    shown = [PROGRESS_LINE.sub(r"\1", line) for line in stream.getvalue().splitlines()]
    assert shown == [
        "explain: SHAP values of 0 of 143 rows",
        "explain: SHAP values of 64 of 143 rows",
        "explain: SHAP values of 143 of 143 rows",
        "explain done in 9.1 s",
        "draft_section: data drafted, 1 of 2 sections",
        "draft_section: model_details drafted, 2 of 2 sections",
        "draft_section done in 0.3 s",
        "finished in 9.6 s; computed: SHAP values; reused: the scan of 1 code file",
    ]


def test_json_lines_carry_every_event() -> None:
    stream = io.StringIO()
    view = JsonLines(stream)
    for event in events_of_a_build():
        view.show(event)
    parsed = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [event["event"] for event in parsed] == [e.kind for e in events_of_a_build()]
    assert parsed[6] == {"event": "step_finished", "time": parsed[6]["time"], "elapsed": 9.1,
                         "step": "explain", "seconds": 9.1}  # fmt: skip
    assert parsed[-1]["computed"] == ["SHAP values"]
    assert "computed" not in parsed[0]


def test_a_terminal_shows_a_line_per_step_with_its_time_and_counts() -> None:
    screen = io.StringIO()
    view = LiveView(Console(file=screen, force_terminal=True, width=100, color_system=None))
    with view:
        for event in events_of_a_build():
            view.show(event)
    text = screen.getvalue()
    final = text[text.rindex("explain") - 2 :]  # the display's last frame, then the summary
    assert re.search(r"✓ explain\s+\d+\.\d s SHAP values of 143 of 143 rows", final)
    assert re.search(r"✓ draft_section\s+\d+\.\d s 2 of 2 sections", final)
    assert final.rstrip().endswith(
        "finished in 9.6 s; computed: SHAP values; reused: the scan of 1 code file"
    )


def test_the_view_follows_the_flags_and_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a log, not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")  # colours asked for do not make it one
    assert type(progress_for(json_log=True, quiet=True)) is JsonLines
    assert type(progress_for(quiet=True)) is Progress
    assert type(progress_for()) is LogLines
