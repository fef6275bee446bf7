"""The answer cache: a repeated call makes no request; anything that shapes the answer changes
the key; a corrupt entry is a miss; the folder is the user's cache, never the repository."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.llm_server import TEST_KEY, ScriptedServer, tool_call
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from modeldoc.llm.backend import Backend
from modeldoc.llm.cache import (
    AnswerCache,
    cache_key,
    canonical_messages,
    default_cache_dir,
)
from modeldoc.llm.client import ChatClient, tool_schemas
from modeldoc.llm.errors import BackendConfigError
from modeldoc.llm.usage import UsageMeter

MakeClient = Callable[..., ChatClient]
PROMPT = [SystemMessage("You write model cards."), HumanMessage("Describe the model.")]


@tool
def get_metric(name: str) -> str:
    """A computed metric by name."""
    return "0.958"


def test_a_second_identical_call_makes_no_request(
    llm_server: ScriptedServer, make_client: MakeClient
) -> None:
    llm_server.reply("A classifier.", usage=(40, 3))
    usage = UsageMeter()
    first = make_client(usage=usage).send(PROMPT, prompt_version="card-v1")
    again = make_client(usage=usage).send(PROMPT, prompt_version="card-v1")  # a new client
    assert again.content == first.content == "A classifier."
    assert again.response_metadata["cache"] == "hit"
    assert len(llm_server.chat_requests) == 1
    totals = usage.snapshot()
    assert (totals.calls, totals.cache_hits, totals.prompt_tokens) == (1, 1, 40)


def test_a_tool_loop_replays_from_the_cache(
    llm_server: ScriptedServer, make_client: MakeClient
) -> None:
    def loop(client: ChatClient) -> list[BaseMessage]:
        messages: list[BaseMessage] = list(PROMPT)
        for _ in range(3):
            answer = client.send(messages, prompt_version="card-v1", tools=[get_metric])
            messages.append(answer)
            if not answer.tool_calls:
                return messages
            for call in answer.tool_calls:
                messages.append(ToolMessage(get_metric.invoke(call["args"]),
                                            tool_call_id=call["id"]))  # fmt: skip
        raise AssertionError("the loop did not end")

    llm_server.tool_calls(tool_call("get_metric", {"name": "roc_auc"}, "call_1"))
    llm_server.reply("ROC AUC is 0.958.")
    first = loop(make_client())
    assert len(llm_server.chat_requests) == 2
    second = loop(make_client())
    assert len(llm_server.chat_requests) == 2  # every turn came from the cache
    assert canonical_messages(second) == canonical_messages(first)


def test_what_shapes_an_answer_changes_the_key(backend: Backend) -> None:
    base: dict[str, Any] = {
        "prompt_version": "card-v1",
        "model_id": backend.id,
        "base_url": backend.base_url,
        "messages": canonical_messages(PROMPT),
        "tools": tool_schemas([get_metric]),
        "params": {"temperature": 0.0},
    }
    key = cache_key(**base)
    assert key == cache_key(**dict(base))
    changes = {
        "prompt_version": "card-v2",
        "model_id": "openai:other-model",
        "base_url": "http://127.0.0.1:1/v1",
        "messages": canonical_messages([PROMPT[0], HumanMessage("Describe the data.")]),
        "tools": [],
        "params": {"temperature": 0.5},
    }
    for name, value in changes.items():
        assert cache_key(**{**base, name: value}) != key, name
    # A tool result is part of the conversation too.
    call = {"name": "get_metric", "args": {"name": "f1"}, "id": "c1"}
    asked = [*PROMPT, AIMessage("", tool_calls=[call])]
    results = [
        cache_key(**{**base, "messages": canonical_messages(
            [*asked, ToolMessage(value, tool_call_id="c1")]
        )})
        for value in ("0.9", "0.8")
    ]  # fmt: skip
    assert results[0] != results[1]


def test_ids_and_metadata_do_not_change_the_key() -> None:
    plain = AIMessage("Hi.")
    decorated = AIMessage("Hi.", id="run-123", response_metadata={"model_name": "x"},
                          usage_metadata={"input_tokens": 1, "output_tokens": 1,
                                          "total_tokens": 2})  # fmt: skip
    assert canonical_messages([plain]) == canonical_messages([decorated])


def test_a_different_prompt_version_or_model_misses(
    llm_server: ScriptedServer, make_client: MakeClient, backend: Backend
) -> None:
    llm_server.models.append("other-model")
    for _ in range(3):
        llm_server.reply("An answer.")
    make_client().send(PROMPT, prompt_version="card-v1")
    make_client().send(PROMPT, prompt_version="card-v2")
    other = dataclasses.replace(backend, model="other-model")
    make_client(chosen=other).send(PROMPT, prompt_version="card-v1")
    assert len(llm_server.chat_requests) == 3


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "\udcff not json",  # garbage
        lambda text: text.replace('"format":1', '"format":99'),  # another layout
        lambda text: text.replace('"content":"An answer."', '"content":17'),  # wrong type
        lambda text: json.dumps({**json.loads(text), "key": "0" * 64}),  # another key's entry
        lambda text: "",  # empty
    ],
)
def test_a_corrupt_entry_is_a_miss(
    damage: Callable[[str], str],
    llm_server: ScriptedServer,
    make_client: MakeClient,
    llm_environment: Path,
) -> None:
    llm_server.reply("An answer.").reply("An answer.")
    make_client().send(PROMPT, prompt_version="card-v1")
    [entry] = llm_environment.rglob("*.json")
    entry.write_text(damage(entry.read_text(encoding="utf-8")), encoding="utf-8",
                     errors="surrogateescape")  # fmt: skip
    usage = UsageMeter()
    assert make_client(usage=usage).send(PROMPT, prompt_version="card-v1").content == "An answer."
    assert len(llm_server.chat_requests) == 2
    assert usage.snapshot().cache_hits == 0
    json.loads(entry.read_text(encoding="utf-8"))  # the entry was rewritten whole


def test_entries_are_written_whole_and_private(
    llm_server: ScriptedServer, make_client: MakeClient, llm_environment: Path
) -> None:
    llm_server.reply("An answer.")
    make_client().send(PROMPT, prompt_version="card-v1")
    files = [path for path in llm_environment.rglob("*") if path.is_file()]
    assert [path.suffix for path in files] == [".json"]  # no temporary file left behind
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(files[0].parent.stat().st_mode) == 0o700
    stored = files[0].read_text(encoding="utf-8")
    assert TEST_KEY not in stored and "authorization" not in stored.lower()


def test_an_unwritable_cache_does_not_stop_the_call(
    llm_server: ScriptedServer, make_client: MakeClient, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    llm_server.reply("An answer.")
    client = make_client(cache=AnswerCache(blocked / "cache"))
    assert client.send(PROMPT, prompt_version="card-v1").content == "An answer."


def test_the_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_cache_dir({"MODELDOC_CACHE_DIR": str(tmp_path)}) == tmp_path / "llm"
    xdg = tmp_path / "xdg"
    assert default_cache_dir({"XDG_CACHE_HOME": str(xdg)}) == xdg / "modeldoc" / "llm"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".cache" / "modeldoc" / "llm"
    assert default_cache_dir({}) == expected
    assert default_cache_dir({"XDG_CACHE_HOME": "relative"}) == expected  # the spec ignores it


def test_a_cache_inside_the_repository_or_the_output_is_refused(tmp_path: Path) -> None:
    repo, out = tmp_path / "repo", tmp_path / "out"
    AnswerCache(tmp_path / "cache").ensure_outside(repo, out)
    for inside in (repo / ".cache", out, out / "llm"):
        with pytest.raises(BackendConfigError, match="MODELDOC_CACHE_DIR"):
            AnswerCache(inside).ensure_outside(repo, out)
    os.symlink(repo, tmp_path / "link")
    with pytest.raises(BackendConfigError):
        AnswerCache(tmp_path / "link" / "cache").ensure_outside(repo)
