"""The LLM path's exceptions: every one is a `ModeldocError`, so the CLI shows it as one line."""

from __future__ import annotations

from modeldoc.errors import ModeldocError


class LLMError(ModeldocError):
    """Base of the LLM path's errors."""


class BackendConfigError(LLMError):
    """The `llm` setting, the base URL or the key cannot make a usable backend."""


class PreflightError(LLMError):
    """The pre-flight check found the endpoint or the model unusable."""


class EndpointUnreachable(PreflightError):
    """No answer from the endpoint (refused, DNS, timeout)."""


class AuthenticationFailed(PreflightError):
    """The endpoint refused the API key (401)."""


class UnknownModel(PreflightError):
    """The endpoint does not serve the configured model."""


class LLMCallError(LLMError):
    """A chat call failed for good: a non-retryable status, or retries used up."""

    def __init__(self, message: str, *, status: int | None = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status of the last failure, when there was one."""
        self.attempts = attempts
        """How many times the call was sent."""


class RetriesExhausted(LLMCallError):
    """Every attempt failed with a retryable error, or the time budget ran out."""


class BudgetExceeded(LLMError):
    """A call would take the build past its `--max-tokens` budget; it was not sent."""

    def __init__(self, message: str, *, needed: int, remaining: int) -> None:
        super().__init__(message)
        self.needed = needed
        """Tokens the call was estimated to need."""
        self.remaining = remaining
        """Tokens left in the budget."""
