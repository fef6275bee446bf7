"""Which chat model drafts the card, how it is built, and the pre-flight check before any work.

The `llm` setting:
- `offline`: the offline writer; no key, no network.
- `provider:model` (`openai:gpt-4o-mini`): a chat model through langchain's `init_chat_model`.
  OpenAI and every OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp) need only
  the installed `langchain-openai`; another provider needs its own package and reads its own
  key from the environment.
- with a base URL (the `base_url` setting, else `OPENAI_BASE_URL`, the OpenAI client's own
  convention), the value names a model on that OpenAI-compatible server, colons and all
  (`llama3.1:8b`; an `openai:` prefix is dropped).
- unset: `offline` unless `OPENAI_API_KEY` is set (then `openai:gpt-4o-mini`); with a base URL
  but no model it is an error, since nothing says which model to ask for.

The key comes from `OPENAI_API_KEY` in the environment only, never from a file in the
repository. A local server may need none: a placeholder is sent. A `base_url` read from the
repository's own settings file (which a pull request can edit) does not receive the key unless
it is a loopback address or the URL `OPENAI_BASE_URL` names: otherwise a pull request could
send the key to a server of its choosing.

Client retries are off (`max_retries=0`): `retry.py` alone decides what is retried.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from modeldoc.errors import first_line
from modeldoc.llm.errors import (
    AuthenticationFailed,
    BackendConfigError,
    EndpointUnreachable,
    PreflightError,
    RetriesExhausted,
    UnknownModel,
)
from modeldoc.llm.retry import RetrySettings, call_with_retry, describe_failure, status_of
from modeldoc.tools.secrets import redact_text

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from modeldoc.llm.usage import UsageMeter

OFFLINE = "offline"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
OPENAI_URL = "https://api.openai.com/v1"
PLACEHOLDER_KEY = "modeldoc-no-key"
"""Sent to a server configured without a key: the OpenAI client refuses to send none."""
DEFAULT_TIMEOUT = 120.0
"""Seconds one request may take: a local model on a CPU can take a minute for a section."""
PREFLIGHT_TIMEOUT = 15.0
PREFLIGHT_RETRY = RetrySettings(max_attempts=3, initial_delay=0.5, max_delay=2.0, max_total=10.0)
"""The pre-flight check fails fast: a server that is down now will not be up in a minute."""
_MODELS_LISTED = 12  # model ids an unknown-model message names at most
_MISSING_PHRASES = ("not found", "does not exist", "unknown model", "no such model",
                    "invalid model", "not available")  # fmt: skip


@dataclass(frozen=True)
class Backend:
    """A chat model to draft with, and where it is served."""

    provider: str
    """The `init_chat_model` provider: `openai` for OpenAI and every compatible server."""
    model: str
    base_url: str | None
    """The OpenAI-compatible endpoint (always set for `openai`); None for other providers."""
    api_key: str | None = field(default=None, repr=False)
    """Never printed, logged or part of a cache key."""
    timeout: float = DEFAULT_TIMEOUT
    temperature: float | None = None
    """None leaves the server's default (some models accept no other value)."""
    key_withheld: bool = False
    """True when a key was set but not sent, the base URL coming from the repository."""

    @property
    def id(self) -> str:
        """`provider:model`, as recorded on each section the model drafts."""
        return f"{self.provider}:{self.model}"

    @property
    def shown_url(self) -> str:
        """The base URL as it may be printed (credentials in it redacted)."""
        return redact_text(self.base_url) if self.base_url else self.provider

    @property
    def params(self) -> dict[str, Any]:
        """The request parameters that shape answers (part of the cache key)."""
        return {} if self.temperature is None else {"temperature": self.temperature}


def resolve_backend(
    llm: str | None,
    *,
    base_url: str | None = None,
    base_url_from_repository: bool = False,
    env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    temperature: float | None = None,
) -> Backend | None:
    """The backend the settings and the environment select; None for the offline writer.

    `base_url` is the setting (it wins over `OPENAI_BASE_URL`); `base_url_from_repository` says
    it was read from the repository's settings file rather than given on the command line.
    """
    env = os.environ if env is None else env
    choice = (llm or "").strip()
    if choice.lower() == OFFLINE:
        return None
    key = (env.get("OPENAI_API_KEY") or "").strip() or None
    env_url = _url(env.get("OPENAI_BASE_URL"), "OPENAI_BASE_URL")
    url = _url(base_url, "base_url") or env_url
    if not choice:
        if url is not None:
            raise BackendConfigError(
                f"a base URL is configured ({redact_text(url)}) but no model: set llm "
                "(--llm MODEL, or llm: in modeldoc.yml), or --llm offline"
            )
        if key is None:
            return None
        choice = f"openai:{DEFAULT_OPENAI_MODEL}"
    provider, model = _split(choice, custom_url=url is not None)
    if provider != "openai":
        return Backend(provider, model, None, timeout=timeout, temperature=temperature)
    url = url or OPENAI_URL
    withheld = False
    if key is None:
        if url == OPENAI_URL:
            raise BackendConfigError(f"--llm {choice} needs OPENAI_API_KEY in the environment")
        key = PLACEHOLDER_KEY
    elif base_url_from_repository and base_url and url != env_url and not _is_loopback(url):
        key, withheld = PLACEHOLDER_KEY, True
    return Backend("openai", model, url, key, timeout, temperature, withheld)


def _url(value: str | None, name: str) -> str | None:
    value = (value or "").strip().rstrip("/")
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BackendConfigError(f"{name} is not an http(s) URL: {redact_text(value)}")
    return value


def _split(choice: str, *, custom_url: bool) -> tuple[str, str]:
    """(provider, model) of an `llm` value."""
    if custom_url:
        model = choice.removeprefix("openai:").strip()
        if not model:
            raise BackendConfigError(f"llm {choice!r}: name the model the server should run")
        return "openai", model
    provider, colon, model = choice.partition(":")
    if not colon:
        if choice.lower().startswith(("gpt-", "chatgpt", "o1", "o3", "o4")):
            return "openai", choice
        raise BackendConfigError(
            f"llm {choice!r}: write provider:model (openai:gpt-4o-mini), or set OPENAI_BASE_URL "
            "for a model on an OpenAI-compatible server"
        )
    provider = provider.strip().lower().replace("-", "_")
    if not provider or not model.strip():
        raise BackendConfigError(f"llm {choice!r}: write provider:model (openai:gpt-4o-mini)")
    return provider, model.strip()


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_chat_model(backend: Backend) -> BaseChatModel:
    """The langchain chat model for `backend`, with client retries off and a timeout."""
    from langchain.chat_models import init_chat_model

    options: dict[str, Any] = {"max_retries": 0, "timeout": backend.timeout, **backend.params}
    if backend.provider == "openai":
        options.update(base_url=backend.base_url, api_key=backend.api_key)
        if backend.base_url != OPENAI_URL:
            # Compatible servers speak Chat Completions; some model names would otherwise
            # switch langchain to OpenAI's Responses API, which they lack.
            options["use_responses_api"] = False
    try:
        chat: BaseChatModel = init_chat_model(
            backend.model, model_provider=backend.provider, **options
        )
    except ImportError as error:
        package = "langchain-" + backend.provider.replace("_", "-")
        raise BackendConfigError(
            f"llm {backend.id}: the provider needs the package {package}, which is not "
            "installed (an OpenAI-compatible server needs none: set OPENAI_BASE_URL)"
        ) from error
    except ValueError as error:  # an unknown provider, or options it does not take
        raise BackendConfigError(f"llm {backend.id}: {first_line(error)}") from error
    return chat


@dataclass(frozen=True)
class PreflightResult:
    """How the endpoint and the model were confirmed."""

    checked_by: Literal["models", "chat"]
    """`models`: listed by `GET /models`, nothing spent; `chat`: a one-token test call."""


def preflight(
    backend: Backend,
    chat_model: BaseChatModel | None = None,
    *,
    retry: RetrySettings = PREFLIGHT_RETRY,
    usage: UsageMeter | None = None,
) -> PreflightResult:
    """Check that the endpoint answers, takes the key and serves the model, before any work;
    each failure is one `PreflightError` line naming what is wrong.

    For OpenAI-compatible endpoints the check is `GET /models`: it costs no tokens and tells
    an unreachable endpoint, a refused key (401) and an unknown model apart in one request.
    Not every server lists what it serves (a 403 for a key without the models permission, a
    404 where the route is missing, an alias the list does not show), so a model the list does
    not confirm is tried with one tiny chat call (at most 16 completion tokens, counted in
    `usage`); only that call's 404 makes the model unknown. Other providers have no common
    list call: they get the tiny chat call straight away.
    """
    if backend.provider == "openai":
        listed = _listed_models(backend, retry)
        if listed is not None and backend.model in listed:
            return PreflightResult("models")
    else:
        listed = None
    model = chat_model if chat_model is not None else build_chat_model(backend)
    _test_call(backend, model, retry, listed, usage)
    return PreflightResult("chat")


def _listed_models(backend: Backend, retry: RetrySettings) -> list[str] | None:
    """The ids `GET /models` lists; None when the endpoint does not list them."""
    import openai

    client = openai.OpenAI(
        base_url=backend.base_url,
        api_key=backend.api_key or PLACEHOLDER_KEY,
        max_retries=0,
        timeout=min(backend.timeout, PREFLIGHT_TIMEOUT),
    )
    try:
        page = call_with_retry(client.models.list, retry)
    except Exception as error:
        if status_of(error) in (403, 404, 405, 501):
            return None  # no list here: the test call decides
        mapped = _preflight_error(backend, error)
        if mapped is error:
            raise
        raise mapped from error
    finally:
        client.close()
    return [str(model.id) for model in page.data]


def _test_call(
    backend: Backend,
    model: BaseChatModel,
    retry: RetrySettings,
    listed: list[str] | None,
    usage: UsageMeter | None,
) -> None:
    from langchain_core.messages import AIMessage, HumanMessage

    try:
        answer = call_with_retry(
            lambda: model.invoke([HumanMessage("Reply with the word ok.")], max_tokens=16), retry
        )
    except Exception as error:
        mapped = _preflight_error(backend, error, listed=listed, chat=True)
        if mapped is error:
            raise
        raise mapped from error
    if usage is not None and isinstance(answer, AIMessage) and answer.usage_metadata:
        tokens = answer.usage_metadata
        usage.record_call(tokens["input_tokens"], tokens["output_tokens"])


def _preflight_error(
    backend: Backend,
    error: BaseException,
    *,
    listed: list[str] | None = None,
    chat: bool = False,
) -> BaseException:
    """The one-line error for a failed pre-flight request (the error itself when it is not
    about the endpoint: a bug should keep its traceback)."""
    where = backend.shown_url
    cause = error.__cause__ if isinstance(error, RetriesExhausted) else error
    status = status_of(cause) if cause is not None else None
    if status is None and isinstance(error, RetriesExhausted):
        reason = describe_failure(cause or error)
        return EndpointUnreachable(f"cannot reach the LLM endpoint {where}: {reason}")
    if status == 401:
        hint = (
            "a base_url from the repository's own settings does not receive OPENAI_API_KEY; "
            "set OPENAI_BASE_URL to that URL to send the key there"
            if backend.key_withheld
            else "check OPENAI_API_KEY"
        )
        return AuthenticationFailed(
            f"the LLM endpoint {where} refused the API key (HTTP 401): {hint}"
        )
    if status is None:
        return error
    detail = _server_message(cause) if cause is not None else ""
    if chat and status in (400, 404) and _about_model(cause, backend.model):
        known = ""
        if listed:
            more = ", ..." if len(listed) > _MODELS_LISTED else ""
            known = f" (it lists: {', '.join(listed[:_MODELS_LISTED])}{more})"
        return UnknownModel(f"the LLM endpoint {where} has no model {backend.model!r}{known}")
    if chat and status == 404:
        return PreflightError(
            f"the LLM endpoint {where} has no chat completions route (HTTP 404{detail}): is the "
            "base URL right? It usually ends in /v1"
        )
    if isinstance(error, RetriesExhausted):
        reason = describe_failure(cause or error)
        return PreflightError(f"the LLM endpoint {where} kept failing: {reason}")
    return PreflightError(f"the LLM endpoint {where} rejected the check: {describe_failure(error)}")


def _server_message(error: BaseException) -> str:
    text = describe_failure(error).partition(": ")[2]
    return f": {text}" if text else ""


def _about_model(error: BaseException | None, model: str) -> bool:
    """Whether an error answer says the model is unknown: OpenAI's `model_not_found` code, a
    404 whose message names the model (vLLM, Ollama), or a 400 that names it as missing (a 400
    about a parameter the model does not take names it too)."""
    if error is None:
        return False
    if getattr(error, "code", None) == "model_not_found":
        return True
    text = describe_failure(error).lower()
    if model.lower() not in text:
        return False
    return status_of(error) == 404 or any(phrase in text for phrase in _MISSING_PHRASES)
