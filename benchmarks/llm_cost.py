"""What the LLM path costs: `modeldoc build --llm` on each example, twice, against a scripted
OpenAI-compatible server on loopback.

The server (tests/helpers/llm_server.py) answers like a model drafting the card
(tests/helpers/drafting_model.py): a section's first request calls the tool `list_metrics`,
the next answers with a faithful rewrite of the offline draft. Its usage figures are about one
token per four characters of the messages (tool schemas not counted), so each request it
received is also estimated the way `--max-tokens` does it (`estimate_prompt_tokens`, tool
schemas included), and both figures are held to the target.

Each example with a model file (cancer-xgboost, diabetes-skops; churn-sklearn has neither a
checkpoint nor a modeldoc.yml) is built twice into a temporary output folder, with a fresh
temporary answer cache (`MODELDOC_CACHE_DIR`) and the same server for both builds (the cache
key includes the base URL). Per build: LLM calls, prompt and completion tokens and cache hits
as `facts.json` records them (`provenance.llm.usage`), the chat requests the server received,
and the wall time. Targets: under 25,000 prompt tokens per card on the first build, no call on
the second; the exit status is 1 when one is missed.

    python benchmarks/llm_cost.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from build import EXAMPLES  # benchmarks/build.py: the examples that build a card from a model

from modeldoc.facts import FactSheet, LLMRun
from modeldoc.llm.usage import estimate_prompt_tokens

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the scripted server and model are test helpers
# mypy's search path holds no tests/ folder: to it the helpers are untyped (Any).
from helpers import drafting_model, llm_server  # type: ignore[import-not-found]  # noqa: E402

PROMPT_TOKENS_TARGET = 25_000
"""Prompt tokens of one card's first build."""
# Variables that could point the build elsewhere: a real key or base URL, a proxy, tracing.
_LEFT_OUT_PREFIXES = ("OPENAI_", "LANGSMITH_", "LANGCHAIN_", "MODELDOC_")
_LEFT_OUT_PROXIES = ("http_proxy", "https_proxy", "all_proxy")


@dataclass(frozen=True)
class BuildCost:
    """One build's figures."""

    run: LLMRun
    """`provenance.llm` of the build's facts.json."""
    requests: list[llm_server.RecordedRequest]
    """The chat requests the server received during the build."""
    wall: float

    @property
    def estimated_prompt_tokens(self) -> int:
        """The requests' prompt tokens as `--max-tokens` estimates them, tool schemas in."""
        return sum(_request_estimate(request) for request in self.requests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    print("modeldoc build --llm on the examples, twice each, against a scripted server on "
          "loopback\n(per section: a list_metrics call, then a faithful rewrite of the offline "
          "draft). Tokens as facts.json\nrecords them; 'estimated': modeldoc's estimate of the "
          "requests the server received, tool schemas in.")  # fmt: skip
    print(f"  {'example':16} {'build':>5} {'calls':>5} {'prompt':>7} {'completion':>10} "
          f"{'cache hits':>10} {'requests':>8} {'estimated':>9} {'wall':>7}")  # fmt: skip
    costs = {name: _build_twice(name) for name in EXAMPLES}
    for name, builds in costs.items():
        for number, cost in enumerate(builds, start=1):
            usage = cost.run.usage
            print(f"  {name:16} {number:5} {usage.calls:5} {usage.prompt_tokens:7,} "
                  f"{usage.completion_tokens:10,} {usage.cache_hits:10} {len(cost.requests):8} "
                  f"{cost.estimated_prompt_tokens:9,} {cost.wall:5.1f} s")  # fmt: skip
        if builds[0].run.fallbacks:
            print(f"  {name:16} offline text kept in: {', '.join(builds[0].run.fallbacks)}")
    print(f"targets: under {PROMPT_TOKENS_TARGET:,} prompt tokens per card (first build), "
          "no call on the second")  # fmt: skip
    missed = [line for name, builds in costs.items() for line in _check(name, *builds)]
    if missed:
        print("targets missed:")
        for line in missed:
            print(f"  {line}")
        return 1
    print("targets met")
    return 0


def _build_twice(name: str) -> tuple[BuildCost, BuildCost]:
    with llm_server.scripted_server() as server, tempfile.TemporaryDirectory() as folder:
        server.fallback = drafting_model.drafting_model()
        environment = {
            **clean_environment(),
            "OPENAI_BASE_URL": server.url,
            "MODELDOC_CACHE_DIR": str(Path(folder) / "cache"),
        }
        out = Path(folder) / "out"
        first = _build(name, server, out, environment)
        second = _build(name, server, out, environment)
    return first, second


def _build(
    name: str, server: llm_server.ScriptedServer, out: Path, environment: dict[str, str]
) -> BuildCost:
    command = [sys.executable, "-m", "modeldoc", "build", str(ROOT / "examples" / name),
               "--out", str(out), "--no-site", "--llm", server.model]  # fmt: skip
    before = len(server.chat_requests)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{name}: modeldoc build failed ({done.returncode}):\n{done.stderr}")
    facts = FactSheet.model_validate_json((out / "facts.json").read_text(encoding="utf-8"))
    run = facts.provenance.llm
    if run is None:
        raise SystemExit(f"{name}: facts.json has no provenance.llm: the LLM did not draft")
    return BuildCost(run=run, requests=server.chat_requests[before:], wall=wall)


def _check(name: str, first: BuildCost, second: BuildCost) -> list[str]:
    """Print how `name` fares against the targets; the targets it missed, one line each."""
    reported, estimated = first.run.usage.prompt_tokens, first.estimated_prompt_tokens
    calls, requests = second.run.usage.calls, len(second.requests)
    print(f"  {name:16} prompt tokens {reported:,} reported ({reported / PROMPT_TOKENS_TARGET:.2f}"
          f" of the target), {estimated:,} estimated ({estimated / PROMPT_TOKENS_TARGET:.2f}); "
          f"second build {calls} calls, {requests} requests")  # fmt: skip
    missed = []
    if max(reported, estimated) >= PROMPT_TOKENS_TARGET:
        missed.append(f"{name}: {reported:,} prompt tokens reported, {estimated:,} estimated")
    if calls or requests:
        missed.append(f"{name}: the second build made {calls} calls ({requests} chat requests)")
    return missed


def _request_estimate(request: llm_server.RecordedRequest) -> int:
    body = request.body if isinstance(request.body, dict) else {}
    tools = body.get("tools")
    return estimate_prompt_tokens(request.messages, tools if isinstance(tools, list) else [])


def clean_environment() -> dict[str, str]:
    """This process's environment without a real key, base URL, proxy, tracing or cache."""
    return {
        name: value
        for name, value in os.environ.items()
        if not (name.upper().startswith(_LEFT_OUT_PREFIXES) or name.lower() in _LEFT_OUT_PROXIES)
    }


if __name__ == "__main__":
    sys.exit(main())
