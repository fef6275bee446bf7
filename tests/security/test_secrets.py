"""Secrets inside data and settings (issue 11, item 5): a class label `sk-proj-...`, a label
`pw=...`, a column `col_AKIA...`, a group value `hf_...` and a `ghp_...` in the card's
description. The model is built and documented with them, as a stranger's repository would
have it; none of them may appear in any file modeldoc writes, in a picture, in the diff, in
what it prints, or in a request to a chat model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from helpers.llm_server import (
    RecordedRequest,
    Reply,
    ScriptedServer,
    completion,
    estimated_usage,
    scripted_server,
    tool_call,
)
from matplotlib.figure import Figure
from matplotlib.text import Text
from sklearn.linear_model import LogisticRegression
from typer.testing import CliRunner

from modeldoc.cli import app
from modeldoc.tools.plots import explanations, figures, performance

OPENAI_KEY = "sk-proj-" + "Q7xb" * 7 + "Q7"  # 30 characters after the prefix
PASSWORD_LABEL = "pw=hunter2secret"
AWS_COLUMN = "col_AKIAIOSFODNN7EXAMPLE"
GITHUB_TOKEN = "ghp_" + "Zq9" * 12  # 36 characters after the prefix
HF_GROUP = "hf_" + "Kd4" * 12
SECRETS = [OPENAI_KEY, PASSWORD_LABEL, AWS_COLUMN, GITHUB_TOKEN, HF_GROUP]
FRAGMENTS = [
    *SECRETS,
    OPENAI_KEY.removeprefix("sk-proj-"),
    "hunter2secret",
    "AKIAIOSFODNN7EXAMPLE",
    GITHUB_TOKEN.removeprefix("ghp_"),
    HF_GROUP.removeprefix("hf_"),
]
"""Each secret, and the part of it that is secret on its own."""
FEATURES = ["age", AWS_COLUMN, "income"]


def leaks(text: str | bytes) -> list[str]:
    """The secret fragments found in `text`."""
    data = text.encode() if isinstance(text, str) else text
    return [fragment for fragment in FRAGMENTS if fragment.encode() in data]


def leaking_files(*folders: Path) -> dict[str, list[str]]:
    """Every file under `folders` (pictures, the site's search index, caches) whose bytes
    hold a secret fragment, with the fragments."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            relative = str(path.relative_to(folder))
            if leaks(relative):
                found[f"{folder.name}/{relative} (name)"] = leaks(relative)
            if path.is_file() and leaks(path.read_bytes()):
                found[f"{folder.name}/{relative}"] = leaks(path.read_bytes())
    return found


def write_repository(root: Path, *, strength: float) -> Path:
    """A repository whose data and settings hold the secrets: a three-class logistic
    regression (skops) trained on string labels, its test CSV and modeldoc.yml."""
    rng = np.random.default_rng(0)
    rows = 300
    signal = rng.normal(size=rows)
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, size=rows).round(1),
            AWS_COLUMN: signal.round(3),
            "income": rng.normal(size=rows).round(3),
        }
    )
    labels = np.where(signal > 0.5, OPENAI_KEY, np.where(signal < -0.5, PASSWORD_LABEL, "benign"))
    frame["label"] = labels
    frame["region"] = np.where(np.arange(rows) % 2 == 0, "north", HF_GROUP)
    train, test = frame.iloc[:200], frame.iloc[200:]
    model = LogisticRegression(C=strength, max_iter=2000)
    model.fit(train[FEATURES], np.asarray(train["label"], dtype=str))
    root.mkdir(parents=True, exist_ok=True)
    sio.dump(model, root / "model.skops")
    test.to_csv(root / "test.csv", index=False)
    (root / "modeldoc.yml").write_text(
        "model: model.skops\n"
        "data: test.csv\n"
        "target: label\n"
        "task: classification\n"
        "sensitive: [region]\n"
        "card:\n"
        "  name: Triage classifier\n"
        f'  description: "Trained in CI with token {GITHUB_TOKEN} by mistake."\n'
        f"  training_data: Rows labelled {PASSWORD_LABEL} and {OPENAI_KEY}.\n",
        encoding="utf-8",
    )
    (root / "README.md").write_text("# Triage\n\nA small classifier.\n", encoding="utf-8")
    return root


def modeldoc(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "modeldoc", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("secrets")


@pytest.fixture(scope="module")
def environment(workdir: Path) -> dict[str, str]:
    """The builds' environment: modeldoc's caches in a folder of their own (searched for
    secrets too), no chat model configured."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("OPENAI_")}
    return {**env, "MODELDOC_CACHE_DIR": str(workdir / "cache")}


@pytest.fixture(scope="module")
def builds(workdir: Path, environment: dict[str, str]) -> dict[str, Any]:
    """Base and head built with the real CLI (offline writer, with the site), then diffed
    as markdown and as JSON; every process's output kept."""
    base = write_repository(workdir / "base", strength=1.0)
    head = write_repository(workdir / "head", strength=0.05)
    printed: dict[str, str] = {}
    for name, repo in (("base", base), ("head", head)):
        result = modeldoc("build", repo, "--out", workdir / f"out-{name}", "--llm", "offline",
                          env=environment)  # fmt: skip
        assert result.returncode == 0, result.stderr
        printed[f"build {name}"] = result.stdout + result.stderr
    outs = [workdir / "out-base", workdir / "out-head"]
    for fmt in ("markdown", "json"):
        result = modeldoc("diff", *outs, "--format", fmt, env=environment)
        assert result.returncode == 0, result.stderr
        printed[f"diff {fmt}"] = result.stdout + result.stderr
    return {"outs": outs, "cache": workdir / "cache", "printed": printed}


def test_the_build_documents_the_model_it_was_given(builds: dict[str, Any]) -> None:
    facts = json.loads((builds["outs"][0] / "facts.json").read_text(encoding="utf-8"))
    assert facts["evaluation"]["labels"] == ["benign", "pw=[REDACTED]", "[REDACTED]"]
    assert facts["data"][0]["columns"][1] == "col_[REDACTED]"
    assert facts["explanations"]["importance"][0]["feature"] == "col_[REDACTED]"
    # The group `hf_...` redacts like the label `sk-proj-...`: numbered to stay apart.
    assert {group["value"] for group in facts["evaluation"]["slices"][0]["groups"]} == {
        "north", "[REDACTED] (2)"
    }  # fmt: skip
    assert "[REDACTED]" in facts["stated"]["description"]


def test_no_written_file_holds_a_secret(builds: dict[str, Any]) -> None:
    (base, head), cache = builds["outs"], builds["cache"]
    assert (base / "site" / "search" / "search_index.json").is_file()
    assert leaking_files(base, head, cache) == {}


def test_nothing_printed_holds_a_secret(builds: dict[str, Any]) -> None:
    printed = builds["printed"]
    assert "[REDACTED]" in printed["diff json"]  # the diff shows the redacted names
    assert {name: leaks(text) for name, text in printed.items() if leaks(text)} == {}


def test_no_picture_draws_a_secret(
    workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every text drawn into every plot (ticks, legends, titles, axis labels), caught as each
    figure is saved."""
    drawn: list[str] = []
    real_save = figures.save_figure

    def save(figure: Figure, out_dir: Path, name: str) -> str:
        drawn.extend(text.get_text() for text in figure.findobj(Text))
        return real_save(figure, out_dir, name)

    for module in (performance, explanations):
        monkeypatch.setattr(module, "save_figure", save)
    repo = workdir / "base"
    result = CliRunner().invoke(
        app, ["build", str(repo), "--out", str(tmp_path / "out"), "--llm", "offline", "--no-site"]
    )
    assert result.exit_code == 0, result.output
    assert "col_[REDACTED]" in drawn and "[REDACTED]" in drawn
    assert [text for text in drawn if leaks(text)] == []


# --- the LLM writer -----------------------------------------------------------------------


def prying_model() -> Callable[[RecordedRequest], Reply]:
    """A chat model that looks up the columns, the labels and the card's statements, then
    answers with the section's draft and, as if it had guessed one, a secret of its own."""

    def respond(request: RecordedRequest) -> Reply:
        if not any(message.get("role") == "tool" for message in request.messages):
            calls = [
                tool_call("get_fact", {"path": path}, f"call-{number}")
                for number, path in enumerate(
                    ["data[0].columns", "evaluation.labels", "stated", "data[0].label_counts"]
                )
            ]
            return Reply(body=completion(None, tool_calls=calls, usage=(50, 10)))
        text = f"The column {AWS_COLUMN} drives the prediction."
        return Reply(body=completion(text, usage=estimated_usage(request, text)))

    return respond


@pytest.fixture
def llm_server() -> Iterator[ScriptedServer]:
    with scripted_server() as server:
        yield server


def test_no_request_to_the_chat_model_holds_a_secret(
    llm_server: ScriptedServer, workdir: Path, tmp_path: Path, llm_environment: Path
) -> None:
    llm_server.fallback = prying_model()
    repo = shutil.copytree(workdir / "base", tmp_path / "repo")
    env = {**os.environ, "OPENAI_BASE_URL": llm_server.url}
    out = tmp_path / "out"
    result = modeldoc("build", repo, "--out", out, "--no-site", "--llm", llm_server.model,
                      env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert llm_server.requests, "the build asked the chat model nothing"
    assert [leaks(request.text) for request in llm_server.requests if leaks(request.text)] == []
    assert leaks(result.stdout + result.stderr) == []
    assert leaking_files(out, llm_environment) == {}
    tool_answers = [
        str(message.get("content"))
        for request in llm_server.requests
        for message in request.messages
        if message.get("role") == "tool"
    ]
    assert any("col_[REDACTED]" in answer for answer in tool_answers)
