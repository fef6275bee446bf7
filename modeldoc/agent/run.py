"""One `modeldoc build`: the graph run into a staging folder, checkpointed so that a build
killed mid-way can continue (`--resume`) instead of starting over.

The checkpoints (LangGraph's SQLite checkpointer) live in the staging folder itself
(`.OUT.building/.modeldoc-run.sqlite`), beside the plots the finished steps wrote, and are
deleted before the folder replaces OUT. Each step's result is saved when it ends
(`durability="sync"`), so a resumed build redoes neither a finished step nor a finished
section; within the section that was cut off, answers already received come from the LLM
answer cache. A run resumes only under the same fingerprint (repository, settings, chat
model, modeldoc version): anything else starts from the beginning.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from modeldoc import __version__
from modeldoc.agent.graph import compile_graph
from modeldoc.agent.reuse import ResultsCache
from modeldoc.agent.state import BuildContext, BuildInput, BuildState
from modeldoc.agent.workspace import Workspace
from modeldoc.caching import cache_root, ensure_outside
from modeldoc.facts import Fact, FactSheet
from modeldoc.output import building_folder, output_lock, staged_output
from modeldoc.present.sections import SECTIONS
from modeldoc.progress import Progress
from modeldoc.settings import BuildSettings

if TYPE_CHECKING:
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.graph.state import CompiledStateGraph
    from langgraph.types import Durability

    from modeldoc.llm.drafting import LLMSession

CHECKPOINT_FILE = ".modeldoc-run.sqlite"
# SQLite's primary result codes for a disk that cannot take the checkpoints -> errno.
_SQLITE_DISK_ERRORS = {13: errno.ENOSPC, 10: errno.EIO, 8: errno.EROFS}  # FULL, IOERR, READONLY


@dataclass(frozen=True)
class BuildResult:
    """What a build produced, and where it took up an interrupted run."""

    facts: FactSheet
    resumed_at: dict[str, int] | None
    """None: built from the start. Else step -> tasks still to run in the interrupted run
    (empty when it stopped between two steps)."""
    nothing_to_resume: bool = False
    """`--resume` found no interrupted build with these settings, and started afresh."""


def run_build(
    repo: Path,
    settings: BuildSettings,
    *,
    llm: LLMSession | None = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Compute the facts, write the card and render every output into `settings.out`,
    reporting each step to `progress`."""
    progress = progress or Progress()
    fingerprint = _fingerprint(repo, settings, llm)
    config: Any = {
        "configurable": {"thread_id": fingerprint},
        # LangGraph saves each finished task's result on the same thread pool the tasks run
        # on: with no more threads than sections, sections waiting on the LLM could hold
        # every thread, and a finished section would not be saved before a kill.
        "max_concurrency": 2 * len(SECTIONS) + 4,
    }
    checkpoints = building_folder(settings.out) / CHECKPOINT_FILE
    # One build at a time reads and writes the staging folder and replaces OUT.
    with output_lock(settings.out):
        pending = _unfinished(checkpoints, config) if resume else None
        with staged_output(settings.out, resume=pending is not None) as staging:
            with _checkpointer(staging / CHECKPOINT_FILE) as saver:
                graph = compile_graph(checkpointer=saver)
                start: BuildInput | None = None
                if pending is None:
                    start = {"repo_path": str(repo), "settings": settings}
                workspace = _workspace(repo, settings, staging, progress)
                context = BuildContext(workspace=workspace, llm=llm)
                state = _run_graph(graph, start, config, context, progress, durability="sync")
            for leftover in staging.glob(CHECKPOINT_FILE + "*"):
                leftover.unlink()
    progress.finished(state["facts"])
    resumed_at = dict(Counter(pending)) if pending is not None else None
    return BuildResult(facts=state["facts"], resumed_at=resumed_at,
                       nothing_to_resume=resume and pending is None)  # fmt: skip


def _workspace(repo: Path, settings: BuildSettings, staging: Path, progress: Progress) -> Workspace:
    """The run's workspace, with the caches of earlier builds unless `cache` is off."""
    if not settings.cache:
        return Workspace(repo, settings, out_dir=staging, progress=progress)
    root = cache_root()
    ensure_outside(root, repo, settings.out)
    return Workspace(repo, settings, out_dir=staging, results=ResultsCache(root / "results"),
                     scan_cache=root / "scan", progress=progress)  # fmt: skip


def _run_graph(
    graph: CompiledStateGraph[BuildState, BuildContext, BuildInput, BuildState],
    start: BuildInput | None,
    config: Any,
    context: BuildContext,
    progress: Progress,
    durability: Durability | None = None,
) -> BuildState:
    """Run `graph` to its end, each step's start and end reported to `progress` as LangGraph
    streams its tasks; the final state."""
    steps = _StepReporter(progress)
    state: Any = None
    for mode, chunk in graph.stream(start, config, context=context, durability=durability,
                                    stream_mode=["tasks", "values"]):  # fmt: skip
        if mode == "tasks":
            steps.task(cast(dict[str, Any], chunk))
        else:
            state = chunk
    final: BuildState = state
    return final


class _StepReporter:
    """LangGraph's task events as steps: a step starts with its first task and ends with its
    last (a drafting task per card section, each reported as its section is drafted)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.running: Counter[str] = Counter()
        self.sections: dict[str, str] = {}
        """Drafting task id -> its card section."""
        self.drafted = 0

    def task(self, event: dict[str, Any]) -> None:
        """One task began (`input`) or ended (`result`, `error`)."""
        step = str(event["name"])
        if "input" in event:
            if not self.running[step]:
                self.progress.step_started(step)
            self.running[step] += 1
            if step == "draft_section":
                self.sections[event["id"]] = str(event["input"]["section_id"])
            return
        if event.get("error") is not None:
            return  # the build stops with the error, said once by the command line
        self.running[step] -= 1
        if event["id"] in self.sections:
            self.drafted += 1
            section = self.sections[event["id"]]
            self.progress.section_drafted(section, self.drafted, len(self.sections))
        if not self.running[step]:
            self.progress.step_finished(step)


def _unfinished(checkpoints: Path, config: Any) -> list[str] | None:
    """The tasks an interrupted run under this fingerprint had left in its last step (empty
    when it stopped between steps); None when there is no such run (never started, finished,
    or other settings)."""
    if not checkpoints.is_file():
        return None
    with _checkpointer(checkpoints) as saver:
        snapshot = compile_graph(checkpointer=saver).get_state(config)
    # `next` leaves out tasks that finished: a run stopped after its step's last task but
    # before the next checkpoint has no `next`, yet tasks whose results are still to apply.
    if not snapshot.tasks:
        return None
    return [task.name for task in snapshot.tasks if task.result is None]


def compute_facts(
    repo: Path, settings: BuildSettings, progress: Progress | None = None
) -> FactSheet:
    """The fact sheet alone (`--dry-run`): plots go to a temporary folder, nothing stays."""
    progress = progress or Progress()
    with tempfile.TemporaryDirectory(prefix="modeldoc-dry-run-") as scratch:
        workspace = Workspace(repo, settings, out_dir=Path(scratch), progress=progress)
        state = _run_graph(compile_graph(facts_only=True),
                           {"repo_path": str(repo), "settings": settings}, None,
                           BuildContext(workspace=workspace), progress)  # fmt: skip
    progress.finished(state["facts"])
    return state["facts"]


def _fingerprint(repo: Path, settings: BuildSettings, llm: LLMSession | None) -> str:
    parts = [
        __version__,
        str(repo.resolve()),
        settings.model_dump_json(),
        llm.backend.id if llm else "offline",
        (llm.backend.base_url or "") if llm else "",
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@contextmanager
def _checkpointer(path: Path) -> Iterator[SqliteSaver]:
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
    from langgraph.checkpoint.sqlite import SqliteSaver

    # Only the fact models and the settings may come back out of a checkpoint.
    serializer = JsonPlusSerializer(allowed_msgpack_modules=_checkpointed_types())
    try:
        with closing(sqlite3.connect(path, check_same_thread=False)) as connection:
            yield SqliteSaver(connection, serde=serializer)
    except sqlite3.Error as error:
        # A full disk, a file size limit, a read-only folder: the OS error it stands for,
        # which the command line says in one line.
        code = getattr(error, "sqlite_errorcode", None)  # only errors SQLite itself reports
        number = _SQLITE_DISK_ERRORS.get(code & 0xFF) if code is not None else None
        if number is None:
            raise
        raise OSError(number, f"{os.strerror(number)} ({error})", str(path)) from error


def _checkpointed_types() -> list[tuple[str, str]]:
    import modeldoc.facts as facts_module

    types: list[type] = [BuildSettings, Path]
    types += [
        value
        for value in vars(facts_module).values()
        if isinstance(value, type) and issubclass(value, Fact)
    ]
    return sorted({(kind.__module__, kind.__qualname__) for kind in types})
