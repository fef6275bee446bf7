"""What a build shows while it runs: one event interface, and a view for each audience.

The graph runner (`agent/run.py`) reports each step as it starts and ends and each card
section as it is drafted; the SHAP step reports the rows it has explained through a callback,
so the tools never print. `progress_for()` picks the view: a live display on a terminal
(rich), timestamped lines in a log (CI), one JSON object per event for machines
(`--json-log`), or nothing (`--quiet`). Every view writes to standard error: standard output
keeps the build's result.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal, TextIO

from rich.console import Console
from rich.progress import Progress as Lines
from rich.progress import ProgressColumn, SpinnerColumn, Task, TaskID, TextColumn
from rich.text import Text

if TYPE_CHECKING:
    from modeldoc.facts import FactSheet

EventKind = Literal["step_started", "step_finished", "rows_explained", "section_drafted",
                    "finished"]  # fmt: skip

COUNT_LINE_SECONDS = 5.0
"""A log shows a step's count (rows explained, sections drafted) when it starts and ends, and
in between at most this often."""


@dataclass(frozen=True)
class Event:
    """One thing a build reports."""

    kind: EventKind
    elapsed: float
    """Seconds since the build started."""
    step: str | None = None
    """The graph step (`scan`, `model`, `explain`, `draft_section` ...)."""
    seconds: float | None = None
    """How long the step took (`step_finished`)."""
    done: int | None = None
    """Rows explained or sections drafted so far..."""
    total: int | None = None
    """... of how many."""
    section: str | None = None
    """The card section just drafted (`section_drafted`)."""
    computed: tuple[str, ...] = ()
    """What the build computed itself (`finished`)."""
    reused: tuple[str, ...] = ()
    """What it took from the caches of earlier builds (`finished`)."""
    at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    """When it happened (local time)."""

    def as_json(self) -> str:
        """The event as one line of JSON: `event`, `time` (ISO 8601) and the fields it has
        (a finished build's `computed` and `reused` always)."""
        fields = {key: value for key, value in asdict(self).items() if value is not None}
        del fields["kind"], fields["at"]
        if self.kind != "finished":
            del fields["computed"], fields["reused"]
        fields["elapsed"] = round(self.elapsed, 3)
        if self.seconds is not None:
            fields["seconds"] = round(self.seconds, 3)
        return json.dumps({"event": self.kind, "time": self.at.isoformat(), **fields})

    def describe(self) -> str:
        """The event in words, as a log line shows it."""
        if self.kind == "step_started":
            return f"{self.step} started"
        if self.kind == "step_finished":
            return f"{self.step} done in {self.seconds or 0:.1f} s"
        if self.kind == "rows_explained":
            return f"{self.step}: SHAP values of {self.done} of {self.total} rows"
        if self.kind == "section_drafted":
            return f"{self.step}: {self.section} drafted, {self.done} of {self.total} sections"
        computed = ", ".join(self.computed) or "nothing"
        reused = ", ".join(self.reused) or "nothing"
        return f"finished in {self.elapsed:.1f} s; computed: {computed}; reused: {reused}"


class Progress:
    """Receives a build's events; this base shows none of them (`--quiet`)."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._steps: dict[str, float] = {}
        """Running step -> when it started."""
        # The SHAP step reports from its own thread while the runner reports steps.
        self._lock = threading.Lock()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def step_started(self, step: str) -> None:
        """A step began: a step of the graph, or `start` (settings, libraries, the LLM's
        pre-flight check)."""
        self._steps[step] = time.monotonic()
        self._emit(Event("step_started", self._elapsed(), step=step))

    def step_finished(self, step: str) -> None:
        """A step ended."""
        seconds = time.monotonic() - self._steps.pop(step)
        self._emit(Event("step_finished", self._elapsed(), step=step, seconds=seconds))

    @contextmanager
    def step(self, step: str) -> Iterator[None]:
        """Report the block as the step `step` (finished only when the block ends well)."""
        self.step_started(step)
        yield
        self.step_finished(step)

    def rows_explained(self, done: int, total: int) -> None:
        """The SHAP step has explained `done` of the `total` rows it set out to."""
        self._emit(Event("rows_explained", self._elapsed(), step="explain", done=done,
                         total=total))  # fmt: skip

    def section_drafted(self, section: str, done: int, total: int) -> None:
        """The card section `section` is drafted: `done` of `total`."""
        self._emit(Event("section_drafted", self._elapsed(), step="draft_section",
                         section=section, done=done, total=total))  # fmt: skip

    def finished(self, facts: FactSheet) -> None:
        """The build is done: what it computed and reused (from `facts`), and its time."""
        computed, reused = computed_and_reused(facts)
        self._emit(Event("finished", self._elapsed(), computed=tuple(computed),
                         reused=tuple(reused)))  # fmt: skip

    def show(self, event: Event) -> None:
        """Show one event (never called twice at once)."""

    def close(self) -> None:
        """Stop showing: the build ended, however it ended."""

    def _emit(self, event: Event) -> None:
        with self._lock:
            self.show(event)

    def _elapsed(self) -> float:
        return time.monotonic() - self._started


class LogLines(Progress):
    """Timestamped lines for a log, where a live display would be noise: one per finished
    step, and a step's count (rows explained, sections drafted) now and then."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self._count_shown_at: dict[str | None, float] = {}

    def show(self, event: Event) -> None:
        """Write the event's line, unless it only says a step started or a count moved on."""
        if event.kind == "step_started" or not self._count_due(event):
            return
        self._stream.write(f"{event.at:%H:%M:%S} {event.describe()}\n")
        self._stream.flush()

    def _count_due(self, event: Event) -> bool:
        if event.done is None:
            return True
        last = self._count_shown_at.get(event.step)
        due = event.done in (0, event.total) or last is None
        due = due or (last is not None and event.elapsed - last >= COUNT_LINE_SECONDS)
        if due:
            self._count_shown_at[event.step] = event.elapsed
        return due


class JsonLines(Progress):
    """Every event as one line of JSON (`--json-log`), for machines."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def show(self, event: Event) -> None:
        """Write the event as JSON."""
        self._stream.write(event.as_json() + "\n")
        self._stream.flush()


class LiveView(Progress):
    """A live display on a terminal: a line per step with a spinner and its elapsed time, the
    rows explained and sections drafted counted on their step's line; the summary at the end."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self._console = console
        self._lines = Lines(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            _Seconds(),
            TextColumn("{task.fields[count]}"),
            console=console,
        )
        self._line_of: dict[str, TaskID] = {}
        self._lines.start()

    def show(self, event: Event) -> None:
        """Add, count on or finish a step's line; print the summary when the build is done."""
        if event.kind == "finished":
            self._lines.stop()
            self._console.print(event.describe(), highlight=False, markup=False)
            return
        if event.step is None:
            return
        line = self._line_of.get(event.step)
        if line is None:
            line = self._lines.add_task(event.step, total=1, count="")
            self._line_of[event.step] = line
        if event.kind == "step_finished":
            self._lines.update(line, completed=1)
        elif event.kind == "rows_explained":
            self._lines.update(line, count=f"SHAP values of {event.done} of {event.total} rows")
        elif event.kind == "section_drafted":
            self._lines.update(line, count=f"{event.done} of {event.total} sections")

    def close(self) -> None:
        """Stop the display (the lines stay on the terminal)."""
        self._lines.stop()


class _Seconds(ProgressColumn):
    """A step's time as the log lines give it (`20.4 s`), still counting while it runs."""

    def render(self, task: Task) -> Text:
        """The seconds the step has taken so far."""
        seconds = task.finished_time if task.finished else task.elapsed
        return Text(f"{seconds or 0:5.1f} s", style="progress.elapsed")


def progress_for(*, quiet: bool = False, json_log: bool = False) -> Progress:
    """The view for this process's standard error: JSON lines when asked for (even when
    quiet: a machine asked), else nothing when quiet, a live display on an interactive
    terminal, and plain lines elsewhere (a log, even one that takes colours)."""
    if json_log:
        return JsonLines(sys.stderr)
    if quiet:
        return Progress()
    console = Console(stderr=True, highlight=False)
    if sys.stderr.isatty() and console.is_interactive:
        return LiveView(console)
    return LogLines(sys.stderr)


def computed_and_reused(facts: FactSheet) -> tuple[list[str], list[str]]:
    """What a build computed itself and what it took from the caches, in words."""
    computed: list[str] = []
    reused: list[str] = []
    reuse = facts.provenance.reuse
    if reuse is not None:
        if reuse.files_parsed:
            computed.append(_count(reuse.files_parsed, "code file") + " parsed")
        if reuse.files_from_cache:
            reused.append(f"the scan of {_count(reuse.files_from_cache, 'code file')}")
        if reuse.model_results == "computed":
            computed.append("the model's results (checkpoint, evaluation, plots)")
        elif reuse.model_results == "reused":
            reused.append("the model's results (checkpoint, evaluation, SHAP values, plots)")
        if reuse.shap_computed:
            computed.append("SHAP values")
    run = facts.provenance.llm
    if run is not None:
        if run.usage.calls:
            computed.append(_count(run.usage.calls, "LLM call"))
        if run.usage.cache_hits:
            reused.append(_count(run.usage.cache_hits, "LLM answer"))
    return computed, reused


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
