"""The whole main job: `modeldoc build` on each example, site included, as a user runs it.

Prints the wall time and peak memory of each build (`/usr/bin/time -v`; targets: under 30 s
and under 1 GiB on the 2-core machine), then, for the site alone, `benchmarks/site.py`'s
figures (the example's site and a generated 200-page tree).

    python benchmarks/build.py [--skip-site]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("cancer-xgboost", "diabetes-skops")
WALL_TARGET_SECONDS = 30
MEMORY_TARGET_MB = 1024


def example_builds() -> None:
    """Build each example in a fresh process and print its wall time and peak memory."""
    print("modeldoc build on the examples (/usr/bin/time -v; card, plots and site included):")
    for name in EXAMPLES:
        with tempfile.TemporaryDirectory() as out:
            command = ["/usr/bin/time", "-v", sys.executable, "-m", "modeldoc", "build",
                       str(ROOT / "examples" / name), "--out", str(Path(out) / "out"),
                       "--llm", "offline"]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, check=True)
        wall = _seconds(_field(done.stderr, r"Elapsed \(wall clock\) time.*: (.+)"))
        peak_mb = int(_field(done.stderr, r"Maximum resident set size \(kbytes\): (\d+)")) / 1024
        print(f"  {name:16} wall {wall:6.1f} s ({wall / WALL_TARGET_SECONDS:.2f} of the "
              f"{WALL_TARGET_SECONDS} s target), peak memory {peak_mb:5.0f} MB "
              f"({peak_mb / MEMORY_TARGET_MB:.2f} of {MEMORY_TARGET_MB} MB)")  # fmt: skip


def _field(text: str, pattern: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise RuntimeError(f"/usr/bin/time printed no {pattern!r}")
    return found.group(1).strip()


def _seconds(clock: str) -> float:
    """`1:02.5` or `0:11.01` (minutes:seconds) or `1:02:03` as seconds."""
    total = 0.0
    for part in clock.split(":"):
        total = total * 60 + float(part)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-site", action="store_true", help="skip the site benchmark")
    args = parser.parse_args()
    example_builds()
    if not args.skip_site:
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "site.py")], check=True)


if __name__ == "__main__":
    main()
