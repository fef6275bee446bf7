"""Fixtures for the LLM path: a scripted OpenAI-compatible server on loopback and clients on it
with tiny retry waits (`llm_environment`, in the top conftest, keeps the machine's key, base URL
and proxy out of every test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.llm_server import (
    FAST_RETRY,
    TEST_KEY,
    ScriptedServer,
    scripted_server,
)

from modeldoc.llm.backend import Backend, resolve_backend
from modeldoc.llm.cache import AnswerCache
from modeldoc.llm.client import ChatClient
from modeldoc.llm.retry import RetrySettings
from modeldoc.llm.usage import UsageMeter


@pytest.fixture
def llm_server() -> Iterator[ScriptedServer]:
    """A started scripted server; a test that sent a request nothing answered fails."""
    with scripted_server() as server:
        yield server
    assert not server.unscripted, f"{len(server.unscripted)} request(s) had no scripted answer"


@pytest.fixture
def backend(llm_server: ScriptedServer) -> Backend:
    """The server's model, configured the way a user would: OPENAI_BASE_URL and a key."""
    chosen = resolve_backend(
        llm_server.model, env={"OPENAI_BASE_URL": llm_server.url, "OPENAI_API_KEY": TEST_KEY}
    )
    assert chosen is not None
    return chosen


@pytest.fixture
def make_client(backend: Backend, llm_environment: Path) -> Callable[..., ChatClient]:
    """Build a `ChatClient` on the server (fast retries; the cache on unless `cache=None`)."""

    def make(
        *,
        cache: AnswerCache | bool | None = True,
        usage: UsageMeter | None = None,
        retry: RetrySettings = FAST_RETRY,
        chosen: Backend | None = None,
    ) -> ChatClient:
        store = AnswerCache(llm_environment) if cache is True else cache or None
        return ChatClient.for_backend(chosen or backend, usage=usage, cache=store, retry=retry)

    return make
