"""Choosing the backend from the settings and the environment, building the chat model, and the
pre-flight check against a real loopback server (one line per failure, key never shown)."""

from __future__ import annotations

import dataclasses
import socket
from typing import Any

import pytest
from helpers.llm_server import FAST_RETRY, TEST_KEY, Reply, ScriptedServer
from langchain_openai import ChatOpenAI

from modeldoc.errors import ModeldocError
from modeldoc.llm.backend import (
    DEFAULT_OPENAI_MODEL,
    OPENAI_URL,
    PLACEHOLDER_KEY,
    Backend,
    build_chat_model,
    preflight,
    resolve_backend,
)
from modeldoc.llm.errors import (
    AuthenticationFailed,
    BackendConfigError,
    EndpointUnreachable,
    PreflightError,
    UnknownModel,
)
from modeldoc.llm.usage import UsageMeter

LOCAL = "http://127.0.0.1:8000/v1"


def resolved(llm: str | None, **kwargs: Any) -> Backend:
    backend = resolve_backend(llm, **kwargs)
    assert backend is not None
    return backend


# --- choosing ---------------------------------------------------------------------------------


def test_offline_is_the_default_without_a_key_or_base_url() -> None:
    assert resolve_backend(None, env={}) is None
    assert resolve_backend("", env={}) is None
    assert resolve_backend("offline", env={"OPENAI_API_KEY": TEST_KEY}) is None
    assert resolve_backend("OFFLINE", env={"OPENAI_BASE_URL": LOCAL}) is None


def test_a_key_alone_selects_openai_with_the_default_model() -> None:
    backend = resolved(None, env={"OPENAI_API_KEY": TEST_KEY})
    assert (backend.provider, backend.model, backend.base_url) == (
        "openai", DEFAULT_OPENAI_MODEL, OPENAI_URL,
    )  # fmt: skip
    assert backend.api_key == TEST_KEY
    assert TEST_KEY not in repr(backend)


def test_a_base_url_without_a_model_is_an_error() -> None:
    with pytest.raises(BackendConfigError, match="no model"):
        resolve_backend(None, env={"OPENAI_BASE_URL": LOCAL})


def test_models_on_a_compatible_server_keep_their_colons() -> None:
    env = {"OPENAI_BASE_URL": LOCAL + "/"}
    backend = resolved("llama3.1:8b", env=env)
    assert (backend.provider, backend.model, backend.base_url) == ("openai", "llama3.1:8b", LOCAL)
    assert resolved("openai:qwen2:7b", env=env).model == "qwen2:7b"
    assert backend.api_key == PLACEHOLDER_KEY  # a local server needs no key
    with pytest.raises(BackendConfigError, match="name the model"):
        resolve_backend("openai:", env=env)


def test_provider_and_model_without_a_base_url() -> None:
    env = {"OPENAI_API_KEY": TEST_KEY}
    assert resolved("openai:gpt-4o", env=env).id == "openai:gpt-4o"
    assert resolved("gpt-4o", env=env).id == "openai:gpt-4o"
    other = resolved("anthropic:claude-sonnet-4-5", env=env)
    assert (other.provider, other.base_url, other.api_key) == ("anthropic", None, None)
    with pytest.raises(BackendConfigError, match="provider:model"):
        resolve_backend("qwen2", env=env)


def test_openai_itself_needs_a_key() -> None:
    with pytest.raises(BackendConfigError, match="OPENAI_API_KEY"):
        resolve_backend("openai:gpt-4o-mini", env={})


def test_the_base_url_setting_wins_over_the_environment() -> None:
    backend = resolved("m", base_url="http://localhost:11434/v1", env={"OPENAI_BASE_URL": LOCAL})
    assert backend.base_url == "http://localhost:11434/v1"


def test_a_base_url_from_the_repository_does_not_receive_the_key() -> None:
    env = {"OPENAI_API_KEY": TEST_KEY, "OPENAI_BASE_URL": "https://llm.example.org/v1"}
    stranger = resolved("m", base_url="https://evil.example.com/v1",
                        base_url_from_repository=True, env=env)  # fmt: skip
    assert stranger.api_key == PLACEHOLDER_KEY and stranger.key_withheld
    trusted_urls = ("http://127.0.0.1:9/v1", "http://[::1]:9/v1", "http://localhost:9/v1",
                    "https://llm.example.org/v1")  # fmt: skip
    for trusted in trusted_urls:
        backend = resolved("m", base_url=trusted, base_url_from_repository=True, env=env)
        assert backend.api_key == TEST_KEY and not backend.key_withheld
    given = resolved("m", base_url="https://evil.example.com/v1", env=env)  # command line
    assert given.api_key == TEST_KEY


def test_a_base_url_must_be_http() -> None:
    with pytest.raises(BackendConfigError, match="OPENAI_BASE_URL is not an http"):
        resolve_backend("m", env={"OPENAI_BASE_URL": "file:///etc/passwd"})
    with pytest.raises(BackendConfigError, match=r"\[REDACTED\]"):
        resolve_backend("m", base_url="ftp://user:hunter2@host/v1", env={})


# --- building ---------------------------------------------------------------------------------


def test_the_chat_model_has_client_retries_off_and_a_timeout() -> None:
    backend = resolved("llama3.1:8b", env={"OPENAI_BASE_URL": LOCAL, "OPENAI_API_KEY": TEST_KEY})
    model = build_chat_model(backend)
    assert isinstance(model, ChatOpenAI)
    assert model.max_retries == 0
    assert model.root_client is not None and model.root_client.max_retries == 0
    assert model.request_timeout == backend.timeout
    assert model.openai_api_base == LOCAL
    assert model.model_name == "llama3.1:8b"
    assert model.use_responses_api is False


def test_a_provider_without_its_package_is_one_line() -> None:
    for llm, expected in (("anthropic:claude-x", "langchain-anthropic"), ("nosuch:m", "nosuch")):
        with pytest.raises(BackendConfigError, match=expected) as caught:
            build_chat_model(resolved(llm, env={}))
        assert "\n" not in str(caught.value)


# --- pre-flight -------------------------------------------------------------------------------


def test_preflight_passes_with_one_models_request(
    llm_server: ScriptedServer, backend: Backend
) -> None:
    assert preflight(backend, retry=FAST_RETRY).checked_by == "models"
    [request] = llm_server.requests
    assert (request.method, request.path) == ("GET", "/v1/models")
    assert request.headers["authorization"] == f"Bearer {TEST_KEY}"


def test_preflight_names_the_url_of_an_unreachable_endpoint() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    backend = resolved("m", env={"OPENAI_BASE_URL": url})
    with pytest.raises(EndpointUnreachable) as caught:
        preflight(backend, retry=FAST_RETRY)
    message = str(caught.value)
    assert url in message and "\n" not in message
    assert isinstance(caught.value, ModeldocError)


def test_preflight_401_is_one_line_that_never_shows_the_key(
    llm_server: ScriptedServer, backend: Backend
) -> None:
    llm_server.api_key = "sk-the-right-key-0123456789abcdef"
    with pytest.raises(AuthenticationFailed) as caught:
        preflight(backend, retry=FAST_RETRY)
    message = str(caught.value)
    assert "401" in message and llm_server.url in message and "\n" not in message
    assert TEST_KEY not in message and "OPENAI_API_KEY" in message
    assert len(llm_server.requests) == 1  # a refused key is never retried


def test_preflight_401_explains_a_withheld_key(llm_server: ScriptedServer) -> None:
    llm_server.api_key = TEST_KEY
    backend = resolved(llm_server.model, base_url="https://llm.example.com/v1",
                       base_url_from_repository=True, env={"OPENAI_API_KEY": TEST_KEY})  # fmt: skip
    assert backend.key_withheld
    here = dataclasses.replace(backend, base_url=llm_server.url)  # as if it pointed here
    with pytest.raises(AuthenticationFailed, match="does not receive OPENAI_API_KEY"):
        preflight(here, retry=FAST_RETRY)


def test_preflight_names_an_unknown_model_and_what_is_served(llm_server: ScriptedServer) -> None:
    backend = resolved("gpt-99", env={"OPENAI_BASE_URL": llm_server.url})
    with pytest.raises(UnknownModel) as caught:
        preflight(backend, retry=FAST_RETRY)
    message = str(caught.value)
    assert "'gpt-99'" in message and "test-model" in message and "\n" not in message
    assert [r.path for r in llm_server.requests] == ["/v1/models", "/v1/chat/completions"]


def test_preflight_tells_a_rejected_parameter_from_an_unknown_model(
    llm_server: ScriptedServer, backend: Backend
) -> None:
    llm_server.models_reply = Reply(body={"object": "list", "data": []})
    llm_server.error(400, "Unsupported value: 'temperature' does not support 0 with test-model")
    with pytest.raises(PreflightError, match="rejected the check: HTTP 400") as caught:
        preflight(backend, retry=FAST_RETRY)
    assert not isinstance(caught.value, UnknownModel)


def test_preflight_confirms_a_model_the_list_omits_with_one_tiny_call(
    llm_server: ScriptedServer, backend: Backend
) -> None:
    llm_server.models_reply = Reply(body={"object": "list", "data": []})
    llm_server.reply("ok", usage=(12, 1))
    usage = UsageMeter()
    assert preflight(backend, retry=FAST_RETRY, usage=usage).checked_by == "chat"
    [call] = llm_server.chat_requests
    assert call.body["max_completion_tokens"] == 16
    assert (usage.snapshot().calls, usage.snapshot().prompt_tokens) == (1, 12)


def test_preflight_falls_back_to_a_call_where_models_are_not_listed(
    llm_server: ScriptedServer, backend: Backend
) -> None:
    llm_server.models_reply = Reply(404, {"error": {"message": "Not Found"}})
    llm_server.reply("ok")
    assert preflight(backend, retry=FAST_RETRY).checked_by == "chat"


def test_preflight_suggests_v1_when_the_base_url_lacks_it(llm_server: ScriptedServer) -> None:
    base = llm_server.url.removesuffix("/v1")
    backend = resolved(llm_server.model, env={"OPENAI_BASE_URL": base})
    with pytest.raises(PreflightError, match="/v1") as caught:
        preflight(backend, retry=FAST_RETRY)
    assert not isinstance(caught.value, UnknownModel)
    assert [r.path for r in llm_server.requests] == ["/models", "/chat/completions"]


def test_preflight_retries_a_busy_endpoint_then_gives_up(
    llm_server: ScriptedServer, backend: Backend
) -> None:
    llm_server.models_reply = Reply(503, {"error": {"message": "loading model"}})
    with pytest.raises(PreflightError, match="kept failing") as caught:
        preflight(backend, retry=FAST_RETRY)
    assert "503" in str(caught.value) and "loading model" in str(caught.value)
    assert len(llm_server.requests) == FAST_RETRY.max_attempts
