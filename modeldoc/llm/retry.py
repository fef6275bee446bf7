"""Which failed calls are retried, and how long to wait between attempts.

Only a failure that another attempt can fix is retried: no connection, a timeout (including
HTTP 408), 429 and 5xx. Every other answer (400, 401, 403, 404, 422 ...) is about the request
itself, and repeating it only multiplies calls: LangGraph's default `retry_on` retries those
too, so `retry_policy()` replaces it with `is_retryable`. OpenAI's 429 `insufficient_quota`
(no credit left) is not retried either: no wait fixes it.

Errors are recognised by their HTTP status (`status_code` on the error or its `response`) and
by the class names the HTTP clients share (`APIConnectionError`, `APITimeoutError` in the
openai and anthropic SDKs, `TimeoutException`, `NetworkError` in httpx): matching names keeps
this module free of any SDK import and works for every provider `init_chat_model` reaches.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from modeldoc.errors import first_line
from modeldoc.llm.errors import LLMError, RetriesExhausted
from modeldoc.tools.secrets import redact_text

if TYPE_CHECKING:
    from langgraph.types import RetryPolicy

T = TypeVar("T")

# Class names (anywhere in an error's MRO) that mean the request may not have been answered.
_TRANSIENT_CLASSES = frozenset(
    {"APIConnectionError", "APITimeoutError", "TimeoutException", "NetworkError",
     "RemoteProtocolError"}
)  # fmt: skip


@dataclass(frozen=True)
class RetrySettings:
    """Attempts, exponential backoff with jitter, and a cap on the whole wait."""

    max_attempts: int = 4
    """Attempts in all, the first included."""
    initial_delay: float = 1.0
    """Seconds before the first retry (before jitter)."""
    backoff: float = 2.0
    """Each further wait is this many times the previous one ..."""
    max_delay: float = 20.0
    """... up to this many seconds."""
    max_total: float = 90.0
    """No retry starts once the time since the first attempt plus the next wait would pass
    this; the whole call therefore ends within `max_total` plus one request's timeout."""
    jitter: float = 0.5
    """Each wait is shortened by a random share up to this (0 to 1), so that parallel calls
    that failed together do not retry together."""

    def delay(self, retry: int, rng: random.Random | None = None) -> float:
        """The wait before retry number `retry` (1 for the first)."""
        base = min(self.max_delay, self.initial_delay * self.backoff ** (retry - 1))
        draw = (rng or random).random()
        return base * (1.0 - self.jitter * draw)


def status_of(error: BaseException) -> int | None:
    """The HTTP status an error carries, if any."""
    for holder in (error, getattr(error, "response", None)):
        status = getattr(holder, "status_code", None)
        if isinstance(status, int) and not isinstance(status, bool):
            return status
    return None


def is_retryable(error: BaseException) -> bool:
    """True only for connection errors, timeouts, 408, 429 (but an exhausted quota) and 5xx."""
    if isinstance(error, LLMError):
        return False  # already retried, or a decision (the budget): never again
    status = status_of(error)
    if status == 429 and getattr(error, "code", None) == "insufficient_quota":
        return False  # OpenAI's "no credit left": a 429 that no wait will fix
    if status is not None:
        return status in (408, 429) or 500 <= status < 600
    if isinstance(error, (TimeoutError, ConnectionError)):
        return True
    return any(cls.__name__ in _TRANSIENT_CLASSES for cls in type(error).__mro__)


def retry_after(error: BaseException) -> float | None:
    """Seconds the server asked to wait (`retry-after-ms` or `retry-after` in seconds)."""
    headers = getattr(getattr(error, "response", None), "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except ValueError:
            continue  # an HTTP date: rare from these APIs, and the backoff covers it
        if seconds >= 0:
            return seconds
    return None


def describe_failure(error: BaseException) -> str:
    """One line saying what failed: the status and the server's message, or the connection
    error and its cause. Credential-shaped text in it is redacted."""
    status = status_of(error)
    body = getattr(error, "body", None)
    message = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            message = inner["message"]
    if message is None:
        message = first_line(error)
        cause = error.__cause__ or error.__context__
        if status is None and cause is not None and first_line(cause) not in message:
            message = f"{message} ({type(cause).__name__}: {first_line(cause)})"
    text = f"HTTP {status}: {message}" if status is not None else message
    return redact_text(" ".join(text.split()))


def call_with_retry(
    call: Callable[[], T],
    settings: RetrySettings | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
    on_retry: Callable[[int, BaseException, float], None] | None = None,
) -> T:
    """`call()`, retried on retryable failures with backoff.

    A non-retryable error is raised as it is (the caller knows what it means); running out of
    attempts or time raises `RetriesExhausted` from the last error. `on_retry(attempt, error,
    wait)` is told of each retry before its wait. A `Retry-After` the server sends lengthens a
    wait, never shortens it.
    """
    settings = settings or RetrySettings()
    start = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except Exception as error:
            if not is_retryable(error):
                raise
            elapsed = clock() - start
            if attempt >= settings.max_attempts:
                raise RetriesExhausted(
                    f"gave up after {attempt} attempts: {describe_failure(error)}",
                    status=status_of(error),
                    attempts=attempt,
                ) from error
            wait = settings.delay(attempt, rng)
            asked = retry_after(error)
            if asked is not None:
                wait = max(wait, asked)
            if elapsed + wait > settings.max_total:
                raise RetriesExhausted(
                    f"gave up after {attempt} attempts in {elapsed:.1f} s (retry budget "
                    f"{settings.max_total:g} s): {describe_failure(error)}",
                    status=status_of(error),
                    attempts=attempt,
                ) from error
            if on_retry is not None:
                on_retry(attempt, error, wait)
            sleep(wait)


def retry_policy(settings: RetrySettings | None = None, *, jitter: bool = True) -> RetryPolicy:
    """A LangGraph `RetryPolicy` for a node that calls a model directly, retrying only what
    `is_retryable` accepts.

    LangGraph has no total-time cap (its attempts and `max_interval` bound the wait), and its
    jitter adds up to one second to each wait. A node that calls through `ChatClient` is
    already retried: the `RetriesExhausted` it raises is not retryable, so stacking this
    policy on it adds no calls.
    """
    from langgraph.types import RetryPolicy

    settings = settings or RetrySettings()
    return RetryPolicy(
        initial_interval=settings.initial_delay,
        backoff_factor=settings.backoff,
        max_interval=settings.max_delay,
        max_attempts=settings.max_attempts,
        jitter=jitter,
        retry_on=is_retryable,
    )
