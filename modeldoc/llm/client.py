"""The one way to call the chat model: cache, then budget, then retry, then the model.

`ChatClient.send()` returns the assistant's message (content and parsed tool calls):
1. an answer cached under the same key is returned at once and counted as a cache hit;
2. otherwise the prompt is estimated and reserved against the `--max-tokens` budget
   (`BudgetExceeded` before anything is sent when it does not fit);
3. the call is retried on connection errors, timeouts, 429 and 5xx (`retry.py`); any other
   failure, or retries used up, is an `LLMCallError` with the status and the number of attempts;
4. the answer's usage figures are counted (estimated when the server sends none) and the
   answer is cached.

Secrets are redacted from the messages before anything else (`sanitize.redacted_messages`):
the request, its cache key and the estimate see the same redacted messages; so is the answer,
before it is cached or returned.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from modeldoc.llm.cache import AnswerCache, cache_key, canonical_messages
from modeldoc.llm.errors import LLMCallError, RetriesExhausted
from modeldoc.llm.retry import RetrySettings, call_with_retry, describe_failure, status_of
from modeldoc.llm.sanitize import redacted_messages
from modeldoc.llm.usage import UsageMeter, estimate_prompt_tokens, estimate_tokens
from modeldoc.tools.secrets import redact_model

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel, LanguageModelInput
    from langchain_core.runnables import Runnable

    from modeldoc.llm.backend import Backend

_log = logging.getLogger(__name__)


def tool_schemas(tools: Sequence[Any]) -> list[dict[str, Any]]:
    """OpenAI tool schemas of langchain tools, functions, pydantic models or schema dicts."""
    return [convert_to_openai_tool(tool) for tool in tools]


def estimate_request(
    messages: Sequence[BaseMessage],
    tools: Sequence[Any] = (),
    max_completion_tokens: int | None = None,
) -> int:
    """Tokens a request is estimated to take, without calling anything (`--dry-run`)."""
    prompt = estimate_prompt_tokens(canonical_messages(messages), tool_schemas(tools))
    return prompt + (max_completion_tokens or 0)


class ChatClient:
    """Sends message lists to one chat model; shared by every section (thread-safe)."""

    def __init__(
        self,
        model: BaseChatModel,
        *,
        model_id: str,
        base_url: str | None = None,
        params: Mapping[str, Any] | None = None,
        usage: UsageMeter | None = None,
        cache: AnswerCache | None = None,
        retry: RetrySettings | None = None,
    ) -> None:
        self.model = model
        self.model_id = model_id
        """`provider:model`: part of the cache key and of error messages."""
        self.base_url = base_url
        self.params = dict(params or {})
        """Model settings that shape answers (temperature): part of the cache key."""
        self.usage = usage if usage is not None else UsageMeter()
        self.cache = cache
        """None: every call goes to the model."""
        self.retry = retry or RetrySettings()

    @classmethod
    def for_backend(
        cls,
        backend: Backend,
        *,
        model: BaseChatModel | None = None,
        usage: UsageMeter | None = None,
        cache: AnswerCache | None = None,
        retry: RetrySettings | None = None,
    ) -> ChatClient:
        """A client for `backend` (its chat model built unless given)."""
        from modeldoc.llm.backend import build_chat_model

        return cls(
            model if model is not None else build_chat_model(backend),
            model_id=backend.id,
            base_url=backend.base_url,
            params=backend.params,
            usage=usage,
            cache=cache,
            retry=retry,
        )

    def send(
        self,
        messages: Sequence[BaseMessage],
        *,
        prompt_version: str,
        tools: Sequence[Any] = (),
        tool_choice: str | None = None,
        max_completion_tokens: int | None = None,
        also_count: UsageMeter | None = None,
    ) -> AIMessage:
        """The model's answer to `messages`, which may call `tools` (see the module docstring).

        `prompt_version` is the version of the prompt the messages were built from: a new
        version makes new answers. `max_completion_tokens` caps the answer, and is reserved
        in the budget with the prompt. `also_count` counts the call a second time (one
        section's share of the build's figures); the budget is the client's meter's alone.
        """
        meters = [self.usage] if also_count is None else [self.usage, also_count]
        messages = redacted_messages(messages)
        schemas = tool_schemas(tools)
        sent = canonical_messages(messages)
        call_params: dict[str, Any] = {}
        if max_completion_tokens is not None:
            call_params["max_tokens"] = max_completion_tokens
        key = cache_key(
            prompt_version=prompt_version,
            model_id=self.model_id,
            base_url=self.base_url,
            messages=sent,
            tools=schemas,
            params={**self.params, **call_params, "tool_choice": tool_choice},
        )
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                for meter in meters:
                    meter.record_hit()
                return hit.message
        prompt_estimate = estimate_prompt_tokens(sent, schemas)
        runnable: Runnable[LanguageModelInput, BaseMessage] = self.model
        if schemas:
            bound = {"tool_choice": tool_choice} if tool_choice is not None else {}
            runnable = self.model.bind_tools(schemas, **bound)
        with self.usage.reserve(prompt_estimate + (max_completion_tokens or 0)):
            answer = redact_model(self._invoke(runnable, messages, call_params))
        usage = _usage(answer)
        if usage is None:
            completion = _estimate_answer(answer)
            for meter in meters:
                meter.record_call(prompt_estimate, completion, estimated=True)
            usage = {"input_tokens": prompt_estimate, "output_tokens": completion}
        else:
            for meter in meters:
                meter.record_call(usage["input_tokens"], usage["output_tokens"])
        if self.cache is not None and not self.cache.put(key, answer, usage):
            _log.warning("could not write the LLM cache in %s", self.cache.folder)
        return answer

    def _invoke(
        self,
        runnable: Runnable[LanguageModelInput, BaseMessage],
        messages: list[BaseMessage],
        params: dict[str, Any],
    ) -> AIMessage:
        def log_retry(attempt: int, error: BaseException, wait: float) -> None:
            _log.info("%s: attempt %d failed (%s); retrying in %.1f s",
                      self.model_id, attempt, describe_failure(error), wait)  # fmt: skip

        try:
            answer = call_with_retry(
                lambda: runnable.invoke(messages, **params), self.retry, on_retry=log_retry
            )
        except RetriesExhausted as error:
            raise RetriesExhausted(
                f"LLM {self.model_id}: {error}", status=error.status, attempts=error.attempts
            ) from error.__cause__
        except Exception as error:
            status = status_of(error)
            if status is None:
                raise  # not an answer from the endpoint: a bug keeps its traceback
            raise LLMCallError(
                f"LLM {self.model_id}: {describe_failure(error)}", status=status, attempts=1
            ) from error
        if not isinstance(answer, AIMessage):
            raise TypeError(f"the chat model answered a {type(answer).__name__}, not a message")
        return answer


def _estimate_answer(answer: AIMessage) -> int:
    calls = [{"name": c["name"], "args": c["args"]} for c in answer.tool_calls]
    return estimate_tokens(str(answer.text)) + (estimate_tokens(json.dumps(calls)) if calls else 0)


def _usage(answer: AIMessage) -> dict[str, int] | None:
    """The answer's token counts (langchain's `usage_metadata`, else the raw `token_usage`)."""
    if answer.usage_metadata is not None:
        metadata = answer.usage_metadata
        return {
            "input_tokens": int(metadata["input_tokens"]),
            "output_tokens": int(metadata["output_tokens"]),
        }
    raw = answer.response_metadata.get("token_usage")
    if isinstance(raw, Mapping) and isinstance(raw.get("prompt_tokens"), int):
        return {
            "input_tokens": int(raw["prompt_tokens"]),
            "output_tokens": int(raw.get("completion_tokens") or 0),
        }
    return None
