"""What the LLM cost: calls, prompt and completion tokens, cache hits; the `--max-tokens` budget.

Token counts come from the server's `usage` figures. Before a call they are not known, so the
budget is checked against an estimate made here without a tokenizer: tiktoken would download
its encodings, and other providers' tokenizers differ anyway. The estimate (`estimate_tokens`)
is one token per four ASCII characters, the usual figure for English text and JSON, and one
token per other character (CJK and most non-Latin scripts take about one each; accented Latin
text is overestimated, which errs on the safe side for a budget).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from modeldoc.facts import LLMUsage
from modeldoc.llm.errors import BudgetExceeded

# OpenAI's chat format wraps each message in a few tokens and primes the reply with three.
MESSAGE_OVERHEAD = 4
REPLY_OVERHEAD = 3


def estimate_tokens(text: str) -> int:
    """Tokens `text` is likely to take (see the module docstring); no network, no tokenizer."""
    ascii_chars = sum(1 for char in text if char < "\x80")
    return math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)


def estimate_prompt_tokens(
    messages: Sequence[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]] = ()
) -> int:
    """Prompt tokens of a request: its messages (as canonical dictionaries, see
    `cache.canonical_messages`) and tool schemas, with the chat format's overhead."""
    total = REPLY_OVERHEAD
    for message in messages:
        total += MESSAGE_OVERHEAD + estimate_tokens(_text(message))
    for tool in tools:
        total += estimate_tokens(_text(tool))
    return total


def _text(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class UsageMeter:
    """Thread-safe accounting of one build, with an optional token budget.

    Parallel sections share a meter: `reserve()` sets aside a call's estimate under the lock,
    so two calls can never both fit a budget that has room for only one.
    """

    def __init__(self, max_tokens: int | None = None) -> None:
        if max_tokens is not None and max_tokens < 0:
            raise ValueError("max_tokens must be 0 or more")
        self.max_tokens = max_tokens
        """The budget: prompt and completion tokens of the whole build (None: no budget)."""
        self._lock = threading.Lock()
        self._totals = LLMUsage()
        self._reserved = 0

    def snapshot(self) -> LLMUsage:
        """The figures so far (what `provenance` and each section record)."""
        with self._lock:
            return self._totals

    @property
    def remaining(self) -> int | None:
        """Tokens left in the budget, reservations included (None without a budget)."""
        with self._lock:
            return self._remaining()

    def _remaining(self) -> int | None:
        if self.max_tokens is None:
            return None
        return self.max_tokens - self._totals.total_tokens - self._reserved

    @contextmanager
    def reserve(self, estimate: int) -> Iterator[None]:
        """Hold `estimate` tokens of the budget while a call runs; `BudgetExceeded`, before
        anything is sent, when they do not fit."""
        with self._lock:
            remaining = self._remaining()
            if remaining is not None and estimate > remaining:
                raise BudgetExceeded(
                    f"the next LLM call needs about {estimate} tokens but only {max(remaining, 0)}"
                    f" of the --max-tokens budget of {self.max_tokens} are left",
                    needed=estimate,
                    remaining=max(remaining, 0),
                )
            self._reserved += estimate
        try:
            yield
        finally:
            with self._lock:
                self._reserved -= estimate

    def record_call(
        self, prompt_tokens: int, completion_tokens: int, *, estimated: bool = False
    ) -> None:
        """Count one answered call and its tokens."""
        call = LLMUsage(calls=1, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                        estimated_calls=1 if estimated else 0)  # fmt: skip
        with self._lock:
            self._totals += call

    def record_hit(self) -> None:
        """Count one answer served from the cache."""
        with self._lock:
            self._totals += LLMUsage(cache_hits=1)
