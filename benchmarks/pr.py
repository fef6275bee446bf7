"""What a pull request's head build costs after the base was built: `modeldoc build --llm`
(the scripted OpenAI-compatible server on loopback, as in llm_cost.py) on a copy of the cancer
example, three times with one cache folder:

1. full: a cold cache, as the base of a pull request (everything computed, every section
   drafted);
2. docs-only change: a page added under docs/ (target: under 10 s, no SHAP computed, no LLM
   call, as `provenance.reuse` and `provenance.llm.usage` record);
3. one-file code change: `max_depth` edited in train.py (that file parsed again; the model
   file did not change, so its results are reused; the sections that quote the code are
   drafted again).

Each line gives the wall time, its ratio to the full build, and the counters. The exit status
is 1 when a target is missed.

    python benchmarks/pr.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from llm_cost import clean_environment  # no real key, base URL, proxy, tracing or cache

from modeldoc.facts import FactSheet, LLMUsage, Reuse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the scripted server and model are test helpers
# mypy's search path holds no tests/ folder: to it the helpers are untyped (Any).
from helpers import drafting_model, llm_server  # type: ignore[import-not-found]  # noqa: E402

EXAMPLE = "cancer-xgboost"
DOCS_ONLY_TARGET_SECONDS = 10.0


@dataclass(frozen=True)
class HeadBuild:
    """One build's wall time and what it computed."""

    name: str
    wall: float
    reuse: Reuse
    usage: LLMUsage


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    builds = _pull_request_builds()
    full = builds[0]
    print(f"modeldoc build --llm on a copy of examples/{EXAMPLE} (site included), one cache:")
    print(f"  {'build':24} {'wall':>7} {'ratio':>6} {'parsed':>6} {'cached':>6} "
          f"{'model results':>13} {'SHAP':>4} {'LLM calls':>9} {'cache hits':>10}")  # fmt: skip
    for build in builds:
        print(f"  {build.name:24} {build.wall:5.1f} s {build.wall / full.wall:6.2f} "
              f"{build.reuse.files_parsed:6} {build.reuse.files_from_cache:6} "
              f"{build.reuse.model_results:>13} {'yes' if build.reuse.shap_computed else 'no':>4} "
              f"{build.usage.calls:9} {build.usage.cache_hits:10}")  # fmt: skip
    docs_only = builds[1]
    missed = []
    if docs_only.wall >= DOCS_ONLY_TARGET_SECONDS:
        missed.append(f"docs-only build took {docs_only.wall:.1f} s")
    if docs_only.reuse.shap_computed or docs_only.reuse.model_results != "reused":
        missed.append("docs-only build computed the model's results again")
    if docs_only.usage.calls:
        missed.append(f"docs-only build made {docs_only.usage.calls} LLM calls")
    print(f"targets (docs-only build): under {DOCS_ONLY_TARGET_SECONDS:.0f} s, no SHAP, "
          "no LLM call")  # fmt: skip
    for line in missed:
        print(f"  missed: {line}")
    print("targets met" if not missed else "targets missed")
    return 1 if missed else 0


def _pull_request_builds() -> list[HeadBuild]:
    with llm_server.scripted_server() as server, tempfile.TemporaryDirectory() as folder:
        server.fallback = drafting_model.drafting_model()
        environment = {
            **clean_environment(),
            "OPENAI_BASE_URL": server.url,
            "MODELDOC_CACHE_DIR": str(Path(folder) / "cache"),
        }
        repo = Path(shutil.copytree(ROOT / "examples" / EXAMPLE, Path(folder) / "repo"))
        out = Path(folder) / "out"
        builds = [_build("full (cold cache)", repo, out, server, environment)]
        (repo / "docs").mkdir()
        (repo / "docs" / "usage.md").write_text("# Usage\n\nLoad model.json with XGBoost.\n")
        builds.append(_build("docs-only change", repo, out, server, environment))
        train = repo / "train.py"
        train.write_text(train.read_text().replace("max_depth=3", "max_depth=4"))
        builds.append(_build("one-file code change", repo, out, server, environment))
    return builds


def _build(
    name: str,
    repo: Path,
    out: Path,
    server: llm_server.ScriptedServer,
    environment: dict[str, str],
) -> HeadBuild:
    command = [sys.executable, "-m", "modeldoc", "build", str(repo), "--out", str(out),
               "--llm", server.model]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{name}: modeldoc build failed ({done.returncode}):\n{done.stderr}")
    facts = FactSheet.model_validate_json((out / "facts.json").read_text(encoding="utf-8"))
    reuse, run = facts.provenance.reuse, facts.provenance.llm
    if reuse is None or run is None:
        raise SystemExit(f"{name}: facts.json lacks provenance.reuse or provenance.llm")
    return HeadBuild(name=name, wall=wall, reuse=reuse, usage=run.usage)


if __name__ == "__main__":
    sys.exit(main())
