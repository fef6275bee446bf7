"""Accounting from the server's usage figures, the `--max-tokens` budget (checked before any
request), and the offline token estimate."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from helpers.llm_server import ScriptedServer
from langchain_core.messages import HumanMessage, SystemMessage

from modeldoc.facts import LLMUsage
from modeldoc.llm.client import ChatClient, estimate_request
from modeldoc.llm.errors import BudgetExceeded
from modeldoc.llm.usage import (
    MESSAGE_OVERHEAD,
    REPLY_OVERHEAD,
    UsageMeter,
    estimate_prompt_tokens,
    estimate_tokens,
)

MakeClient = Callable[..., ChatClient]


def ask(number: int) -> list[HumanMessage]:
    return [HumanMessage(f"Question {number}: describe the model.")]


def test_tokens_from_the_server_add_up(llm_server: ScriptedServer, make_client: MakeClient) -> None:
    for usage in ((120, 30), (200, 45), (75, 5)):
        llm_server.reply("An answer.", usage=usage)
    meter = UsageMeter()
    client = make_client(usage=meter)
    for number in range(3):
        client.send(ask(number), prompt_version="v1")
    totals = meter.snapshot()
    assert totals == LLMUsage(calls=3, prompt_tokens=395, completion_tokens=80)
    assert totals.total_tokens == 475


def test_an_answer_without_usage_figures_is_estimated(
    llm_server: ScriptedServer, make_client: MakeClient
) -> None:
    llm_server.reply("An answer of some length.", usage=None)
    meter = UsageMeter()
    make_client(usage=meter).send(ask(1), prompt_version="v1")
    totals = meter.snapshot()
    assert (totals.calls, totals.estimated_calls) == (1, 1)
    assert totals.prompt_tokens == estimate_request(ask(1))
    assert totals.completion_tokens == estimate_tokens("An answer of some length.")


def test_a_call_over_the_budget_raises_before_any_request(
    llm_server: ScriptedServer, make_client: MakeClient
) -> None:
    llm_server.reply("never sent")
    prompt = [SystemMessage("You write model cards. " * 20), *ask(1)]
    meter = UsageMeter(max_tokens=estimate_request(prompt) - 1)
    with pytest.raises(BudgetExceeded, match="--max-tokens budget") as caught:
        make_client(usage=meter).send(prompt, prompt_version="v1")
    assert caught.value.needed == estimate_request(prompt)
    assert "\n" not in str(caught.value)
    assert llm_server.requests == []
    assert meter.snapshot().calls == 0 and meter.remaining == meter.max_tokens


def test_the_budget_counts_what_was_spent(
    llm_server: ScriptedServer, make_client: MakeClient
) -> None:
    llm_server.reply("An answer.", usage=(150, 20)).reply("never sent")
    meter = UsageMeter(max_tokens=180)
    client = make_client(usage=meter)
    client.send(ask(1), prompt_version="v1")
    assert meter.remaining == 10
    with pytest.raises(BudgetExceeded) as caught:
        client.send(ask(2), prompt_version="v1")
    assert caught.value.remaining == 10
    assert len(llm_server.chat_requests) == 1


def test_the_completion_cap_is_sent_and_reserved(
    llm_server: ScriptedServer, make_client: MakeClient
) -> None:
    prompt = estimate_request(ask(1))
    meter = UsageMeter(max_tokens=prompt + 100)
    client = make_client(usage=meter)
    with pytest.raises(BudgetExceeded):
        client.send(ask(1), prompt_version="v1", max_completion_tokens=101)
    llm_server.reply("An answer.")
    client.send(ask(1), prompt_version="v1", max_completion_tokens=100)
    [request] = llm_server.chat_requests
    assert request.body["max_completion_tokens"] == 100


def test_parallel_calls_cannot_both_take_the_last_tokens() -> None:
    meter = UsageMeter(max_tokens=100)
    holding, release = threading.Event(), threading.Event()

    def first() -> None:
        with meter.reserve(60):
            holding.set()
            release.wait(5)

    worker = threading.Thread(target=first)
    worker.start()
    assert holding.wait(5)
    with pytest.raises(BudgetExceeded), meter.reserve(60):
        pass
    release.set()
    worker.join()
    with meter.reserve(60):  # the reservation was returned
        pass


def test_the_meter_is_thread_safe() -> None:
    meter = UsageMeter()

    def work() -> None:
        for _ in range(500):
            meter.record_call(2, 1)
            meter.record_hit()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    totals = meter.snapshot()
    assert (totals.calls, totals.prompt_tokens, totals.completion_tokens, totals.cache_hits) == (
        4000, 8000, 4000, 4000,
    )  # fmt: skip


def test_the_estimate_needs_no_tokenizer() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd" * 100) == 100
    assert estimate_tokens("a") == 1
    assert estimate_tokens("模型卡片") == 4  # about one token per CJK character
    message = {"type": "human", "content": "x" * 400}
    assert estimate_prompt_tokens([message]) > 100 + MESSAGE_OVERHEAD + REPLY_OVERHEAD - 1
    # English prose: within a factor of two of the usual 0.75 words per token.
    prose = "The model predicts whether a tumour is malignant from thirty measurements. " * 20
    words = len(prose.split())
    assert words / 0.75 / 2 < estimate_tokens(prose) < words / 0.75 * 2
