"""Only connection errors, timeouts, 429 and 5xx are retried, with bounded backoff; 4xx never.

The HTTP cases go through the real client path to the loopback server and count the requests it
received; the backoff arithmetic is checked with a fake clock."""

from __future__ import annotations

import dataclasses
import random
import socket
import time
from collections.abc import Callable
from typing import Any, TypedDict

import httpx2
import openai
import pytest
from helpers.llm_server import FAST_RETRY, Reply, ScriptedServer
from langchain_core.messages import HumanMessage
from langgraph.graph import END, START, StateGraph
from langgraph.types import RetryPolicy

from modeldoc.llm.backend import Backend, build_chat_model, resolve_backend
from modeldoc.llm.client import ChatClient
from modeldoc.llm.errors import BudgetExceeded, LLMCallError, RetriesExhausted
from modeldoc.llm.retry import (
    RetrySettings,
    call_with_retry,
    describe_failure,
    is_retryable,
    retry_policy,
)

HELLO = [HumanMessage("Say hello.")]
MakeClient = Callable[..., ChatClient]


def _response(status: int, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(status, headers=headers, request=httpx2.Request("POST", "http://x/v1"))


def _status_error(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    classes: dict[int, type[openai.APIStatusError]] = {
        400: openai.BadRequestError, 401: openai.AuthenticationError,
        403: openai.PermissionDeniedError, 404: openai.NotFoundError,
        422: openai.UnprocessableEntityError, 429: openai.RateLimitError,
    }  # fmt: skip
    cls = classes.get(status, openai.InternalServerError)
    body = {"error": {"message": f"status {status}"}}
    return cls(f"Error code: {status}", response=_response(status, headers), body=body)


# --- through the client ----------------------------------------------------------------------


def test_429_then_200_succeeds_with_two_requests(
    llm_server: ScriptedServer, make_client: MakeClient
) -> None:
    llm_server.error(429, "Rate limit reached", headers={"retry-after-ms": "5"}).reply("Hello.")
    answer = make_client().send(HELLO, prompt_version="t1")
    assert answer.content == "Hello."
    assert len(llm_server.chat_requests) == 2


def test_500_500_200_succeeds(llm_server: ScriptedServer, make_client: MakeClient) -> None:
    llm_server.error(500).error(502, "bad gateway").reply("Hello.")
    assert make_client().send(HELLO, prompt_version="t1").content == "Hello."
    assert len(llm_server.chat_requests) == 3


def test_a_timeout_is_retried(
    llm_server: ScriptedServer, make_client: MakeClient, backend: Backend
) -> None:
    llm_server.reply("too late", delay=2.0).reply("Hello.")
    client = make_client(chosen=dataclasses.replace(backend, timeout=0.3))
    assert client.send(HELLO, prompt_version="t1").content == "Hello."
    assert len(llm_server.chat_requests) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_never_retried(
    status: int, llm_server: ScriptedServer, make_client: MakeClient
) -> None:
    llm_server.error(status, "the request is wrong").reply("never sent")
    with pytest.raises(LLMCallError) as caught:
        make_client().send(HELLO, prompt_version="t1")
    assert (caught.value.status, caught.value.attempts) == (status, 1)
    assert not isinstance(caught.value, RetriesExhausted)
    assert f"HTTP {status}: the request is wrong" in str(caught.value)
    assert len(llm_server.chat_requests) == 1
    assert llm_server.pending == 1


def test_an_exhausted_quota_is_not_retried(
    llm_server: ScriptedServer, make_client: MakeClient
) -> None:
    llm_server.error(429, "You exceeded your current quota", code="insufficient_quota")
    with pytest.raises(LLMCallError, match="HTTP 429: You exceeded your current quota") as caught:
        make_client().send(HELLO, prompt_version="t1")
    assert caught.value.attempts == 1
    assert len(llm_server.chat_requests) == 1


def test_exhausted_retries_raise_a_clear_error(
    llm_server: ScriptedServer, make_client: MakeClient
) -> None:
    for _ in range(FAST_RETRY.max_attempts):
        llm_server.error(429, "Rate limit reached for requests")
    with pytest.raises(RetriesExhausted) as caught:
        make_client().send(HELLO, prompt_version="t1")
    message = str(caught.value)
    assert message.startswith("LLM openai:test-model: gave up after 4 attempts: HTTP 429")
    assert "\n" not in message
    assert (caught.value.status, caught.value.attempts) == (429, 4)
    assert isinstance(caught.value.__cause__, openai.RateLimitError)
    assert len(llm_server.chat_requests) == 4


def test_an_unreachable_endpoint_is_retried_then_reported(make_client: MakeClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    chosen = resolve_backend("m", env={"OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1"})
    assert chosen is not None
    with pytest.raises(RetriesExhausted, match="gave up after 4 attempts: Connection error"):
        make_client(chosen=chosen).send(HELLO, prompt_version="t1")


def test_the_retry_time_is_bounded(llm_server: ScriptedServer, make_client: MakeClient) -> None:
    llm_server.fallback = lambda _: Reply(503, {"error": {"message": "overloaded"}})
    patient = RetrySettings(max_attempts=1000, initial_delay=0.02, max_delay=0.05, max_total=0.4)
    start = time.monotonic()
    with pytest.raises(RetriesExhausted, match=r"retry budget 0\.4 s"):
        make_client(retry=patient).send(HELLO, prompt_version="t1")
    assert time.monotonic() - start < 1.5
    assert 3 <= len(llm_server.chat_requests) < 100


# --- the predicate and the backoff -----------------------------------------------------------


def test_only_connection_errors_timeouts_429_and_5xx_are_retryable() -> None:
    request = httpx2.Request("POST", "http://x/v1")
    retryable: list[BaseException] = [
        openai.APIConnectionError(request=request),
        openai.APITimeoutError(request=request),
        httpx2.ConnectError("refused"),
        httpx2.ReadTimeout("slow"),
        TimeoutError(),
        ConnectionResetError(),
        *(_status_error(status) for status in (408, 429, 500, 502, 503, 504)),
    ]
    never: list[BaseException] = [
        *(_status_error(status) for status in (400, 401, 403, 404, 409, 422)),
        ValueError("a bug"),
        KeyError("a bug"),
        LLMCallError("already failed", status=503),
        RetriesExhausted("already retried", status=503, attempts=4),
        BudgetExceeded("over budget", needed=10, remaining=1),
    ]
    assert [is_retryable(error) for error in retryable] == [True] * len(retryable)
    assert [is_retryable(error) for error in never] == [False] * len(never)
    # Why LangGraph's default is not used: it retries a refused key.
    default = RetryPolicy().retry_on
    assert callable(default) and default(_status_error(401))


def test_backoff_grows_with_jitter_up_to_its_cap() -> None:
    settings = RetrySettings(max_attempts=8, initial_delay=1.0, backoff=2.0, max_delay=10.0,
                             max_total=1000.0, jitter=0.5)  # fmt: skip
    waits: list[float] = []
    with pytest.raises(RetriesExhausted):
        call_with_retry(_always(_status_error(503)), settings, sleep=waits.append,
                        rng=random.Random(7))  # fmt: skip
    assert len(waits) == 7
    bases = [1, 2, 4, 8, 10, 10, 10]
    assert all(base * 0.5 <= wait <= base for wait, base in zip(waits, bases, strict=True))
    assert len(set(waits)) == len(waits)  # jittered


def test_no_retry_starts_past_the_total_budget() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    settings = RetrySettings(max_attempts=50, initial_delay=1.0, max_delay=4.0, max_total=10.0,
                             jitter=0.0)  # fmt: skip
    with pytest.raises(RetriesExhausted, match="retry budget 10 s") as caught:
        call_with_retry(_always(_status_error(500)), settings, sleep=sleep, clock=lambda: now[0])
    assert now[0] <= 10.0
    assert caught.value.attempts == 4  # waits 1 + 2 + 4, and the next 4 would pass 10


def test_retry_after_lengthens_a_wait_never_shortens_it() -> None:
    waits: list[float] = []
    settings = RetrySettings(max_attempts=3, initial_delay=1.0, jitter=0.0, max_total=100.0)
    errors = iter([_status_error(429, {"retry-after": "7"}),
                   _status_error(429, {"retry-after-ms": "10"})])  # fmt: skip

    def call() -> str:
        error = next(errors, None)
        if error is not None:
            raise error
        return "ok"

    assert call_with_retry(call, settings, sleep=waits.append) == "ok"
    assert waits == [7.0, 2.0]


def test_a_failure_is_described_in_one_redacted_line() -> None:
    leaky = openai.BadRequestError(
        "Error code: 400",
        response=_response(400),
        body={"error": {"message": "bad key AKIAABCDEFGHIJKLMNOP\nin the prompt"}},
    )
    assert describe_failure(leaky) == "HTTP 400: bad key [REDACTED] in the prompt"


def _always(error: BaseException) -> Callable[[], Any]:
    def call() -> Any:
        raise error

    return call


# --- LangGraph -------------------------------------------------------------------------------


class _State(TypedDict):
    answer: str


def _graph(backend: Backend) -> Any:
    model = build_chat_model(backend)

    def draft(state: _State) -> dict[str, str]:
        return {"answer": str(model.invoke(HELLO).content)}

    graph = StateGraph(_State)
    graph.add_node("draft", draft, retry_policy=retry_policy(FAST_RETRY, jitter=False))
    graph.add_edge(START, "draft")
    graph.add_edge("draft", END)
    return graph.compile()


def test_the_langgraph_policy_retries_429_but_not_401(
    llm_server: ScriptedServer, backend: Backend
) -> None:
    graph = _graph(backend)
    llm_server.error(429).reply("Hello.")
    assert graph.invoke({"answer": ""})["answer"] == "Hello."
    assert len(llm_server.chat_requests) == 2
    llm_server.error(401, "Incorrect API key provided").reply("never sent")
    with pytest.raises(openai.AuthenticationError):
        graph.invoke({"answer": ""})
    assert len(llm_server.chat_requests) == 3
