"""Try a native model parser in a child process before the build trusts it in its own.

A parser that aborts or crashes takes only the child with it: the build gets a
`CheckpointUnreadable` naming the file, records it, and carries on. The child is a fresh,
isolated interpreter (`python -I`, an almost empty environment) running `native_probe.py`.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Literal

from modeldoc.tools.checkpoints import native_probe
from modeldoc.tools.checkpoints.errors import CheckpointUnreadable
from modeldoc.tools.checkpoints.native_probe import TreeStats

ProbeKind = Literal["lightgbm", "xgboost", "onnx", "skops"]

# A parser that has not finished by then is stuck, or the file is too large to document.
PROBE_SECONDS = 300.0
_LIBRARY_NAMES = {"lightgbm": "LightGBM", "xgboost": "XGBoost", "onnx": "onnxruntime",
                  "skops": "skops"}  # fmt: skip
# The shared libraries the C-API probes open, inside each Python package's folder.
_SHARED_LIBRARIES = {"lightgbm": "lib/lib_lightgbm.so", "xgboost": "lib/libxgboost.so"}
_MAX_REASON = 200


def probe_trees(kind: Literal["lightgbm", "xgboost"], path: Path) -> TreeStats:
    """Load the booster at `path` in a child with the library's C API; its tree statistics."""
    facts = _run(kind, path, [_shared_library(kind, path), str(path)])
    try:
        return TreeStats(**{key: int(str(facts[key])) for key in TreeStats.__dataclass_fields__})
    except (KeyError, ValueError) as error:
        raise CheckpointUnreadable(
            f"{_LIBRARY_NAMES[kind]} could not read {path.name} (the loader gave no statistics)"
        ) from error


def probe_onnx(path: Path) -> None:
    """Open an onnxruntime session on `path` in a child; raises when that fails or crashes."""
    _run("onnx", path, [str(path)])


def probe_skops(path: Path, trusted: list[str]) -> None:
    """Load the skops file at `path` in a child (its boosters parse native bytes)."""
    _run("skops", path, [str(path), json.dumps(trusted)])


def _run(kind: ProbeKind, path: Path, arguments: list[str]) -> dict[str, object]:
    library = _LIBRARY_NAMES[kind]
    # -S skips site-packages (the C-API probes need only the standard library and start
    # faster); onnxruntime and skops are Python packages, so their probes keep them.
    flags = ["-I", "-S"] if kind in _SHARED_LIBRARIES else ["-I"]
    command = [sys.executable, *flags, native_probe.__file__, kind, *arguments]
    try:
        finished = subprocess.run(
            command, capture_output=True, text=True, timeout=PROBE_SECONDS,
            stdin=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"},
            errors="replace", check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as error:
        raise CheckpointUnreadable(
            f"{library} could not read {path.name} (the loader took over {PROBE_SECONDS:.0f} s)"
        ) from error
    if finished.returncode < 0:
        raise CheckpointUnreadable(
            f"{library} could not read {path.name} ({_death(-finished.returncode)})"
        )
    lines = finished.stdout.strip().splitlines()
    try:
        facts = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        facts = None
    if finished.returncode != 0 or not isinstance(facts, dict):
        raise CheckpointUnreadable(
            f"{library} could not read {path.name} (the loader failed with status "
            f"{finished.returncode})"
        )
    if "error" in facts:
        reason = str(facts["error"])[:_MAX_REASON]
        raise CheckpointUnreadable(f"{library} could not read {path.name} ({reason})")
    return facts


def _death(number: int) -> str:
    """How the child died, in words: SIGABRT is the parser giving up on the file."""
    if number == signal.SIGABRT:
        return "the loader aborted"
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return f"the loader crashed with {name}"


def _shared_library(kind: Literal["lightgbm", "xgboost"], path: Path) -> str:
    """The library's shared object, found without importing its Python package."""
    spec = importlib.util.find_spec(kind)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        candidate = Path(folder) / _SHARED_LIBRARIES[kind]
        if candidate.is_file():
            return str(candidate)
    raise CheckpointUnreadable(f"{path.name}: {_LIBRARY_NAMES[kind]} is not installed")
