"""Hostile inputs, as an attacker would send them: each case runs `modeldoc` in a fresh process
and prints its wall time, peak memory and the first line it ended with.

Every case must end within 60 s and 2 GB on the 2-core machine, with a clear one-line message
or a recorded budget stop. The cases live in `benchmarks/hostile_cases/` (one module per
area, each with a `CASES` list); this script only runs and measures them.

    python benchmarks/hostile.py [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

# The cases are a package beside this script, which is run as a file, not a module.
sys.path.insert(0, str(Path(__file__).resolve().parent))

if TYPE_CHECKING:
    from hostile_cases import Case

SECONDS_LIMIT = 60.0
MEMORY_LIMIT_MB = 2048.0


def all_cases() -> list[Case]:
    """Every `CASES` list of the modules in `hostile_cases/`, in module order."""
    import hostile_cases

    cases: list[Case] = []
    for module in sorted(pkgutil.iter_modules(hostile_cases.__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"hostile_cases.{module.name}")
        cases.extend(getattr(loaded, "CASES", []))
    return cases


def run_case(case: Case, workdir: Path, cache: Path) -> tuple[float, float, int, str]:
    """Seconds, peak MB, exit status and the last stderr line of one case's command."""
    command = case.prepare(workdir)
    # /usr/bin/time measures the command alone: a child forked from this process would count
    # the memory of the models `prepare` built here as its own.
    peak_file = workdir / "peak-kb.txt"
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(peak_file),
         sys.executable, "-m", "modeldoc", *command],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=workdir, check=False,
        # A cache of its own: a result reused from an earlier run would hide the cost.
        env={**os.environ, "MODELDOC_CACHE_DIR": str(cache)},
    )  # fmt: skip
    seconds = time.perf_counter() - started
    lines = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if line]
    code = done.returncode
    peak_mb = int(peak_file.read_text().split()[-1]) / 1024
    return seconds, peak_mb, code, lines[-1] if lines else "(no message)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only the cases whose name has this")
    args = parser.parse_args()
    failures = 0
    print(f"{'case':42} {'seconds':>8} {'peak MB':>8} exit  message")
    for case in all_cases():
        if args.only not in case.name:
            continue
        with (
            tempfile.TemporaryDirectory(prefix="modeldoc-hostile-") as folder,
            tempfile.TemporaryDirectory(prefix="modeldoc-hostile-cache-") as cache,
        ):
            seconds, peak_mb, code, message = run_case(case, Path(folder), Path(cache))
        within = seconds <= SECONDS_LIMIT and peak_mb <= MEMORY_LIMIT_MB
        expected = code in case.exit_codes
        failures += not (within and expected)
        verdict = "" if within and expected else "  <-- over a limit or unexpected exit"
        print(f"{case.name:42} {seconds:8.1f} {peak_mb:8.0f} {code:4}  {message[:110]}{verdict}")
    print(f"limits: {SECONDS_LIMIT:.0f} s and {MEMORY_LIMIT_MB:.0f} MB per case; "
          f"{failures} case(s) outside them")  # fmt: skip
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
