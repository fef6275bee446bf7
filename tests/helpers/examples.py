"""The bundled examples built once per test session, as a user builds them; each test gets
its own copy of the output folder, so no test sees another's changes."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from modeldoc.facts import FactSheet, License, Source

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_BUILDS = Path(tempfile.mkdtemp(prefix="modeldoc-example-builds-"))
atexit.register(shutil.rmtree, _BUILDS, ignore_errors=True)
_BUILT: dict[str, Path] = {}


def build_example(example: str, out: Path) -> Path:
    """`modeldoc build examples/<example>` into `out` (a fresh copy of the session's build)."""
    if example not in _BUILT:
        target = _BUILDS / example
        command = [sys.executable, "-m", "modeldoc", "build", str(EXAMPLES / example),
                   "--out", str(target), "--llm", "offline"]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        _BUILT[example] = target
    shutil.copytree(_BUILT[example], out)
    return out


def example_facts(example: str, out: Path) -> FactSheet:
    """`build_example`, then its facts.json read back as the fact sheet."""
    build_example(example, out)
    return FactSheet.model_validate_json((out / "facts.json").read_text(encoding="utf-8"))


def with_apache_licence(facts: FactSheet) -> FactSheet:
    """`facts` as if the repository held an Apache-2.0 LICENSE file."""
    licence = License(spdx="Apache-2.0", source=Source(file="LICENSE", line=1), method="text",
                      evidence="Apache License, Version 2.0")  # fmt: skip
    return facts.model_copy(update={"repo": facts.repo.model_copy(update={"licenses": [licence]})})
