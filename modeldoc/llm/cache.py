"""LLM answers on disk, so a second build with nothing changed makes no call.

An answer is keyed by the sha256 of a canonical JSON of everything that shapes it: the prompt
version, the model id, the base URL, every message sent (tool calls and tool results included,
as the server sees them: no message ids or metadata), the tool schemas and the request
parameters (temperature, token limit ...). The entry holds the assistant message (content and
tool calls) and its usage.

The folder lies outside the repository and the output folder: `llm/` under modeldoc's cache
root (`modeldoc.caching`: `$MODELDOC_CACHE_DIR`, else `$XDG_CACHE_HOME/modeldoc`, else
`~/.cache/modeldoc`). Entries are written atomically
(a temporary file renamed over the target), readable only by the user (they hold answers about
the repository), and an entry that cannot be read or parsed is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from modeldoc.caching import cache_root, ensure_outside, write_private
from modeldoc.llm.errors import BackendConfigError

CACHE_FORMAT = 1
"""Part of every key and entry: a change of the entry layout starts a fresh cache."""
_KEPT_METADATA = ("finish_reason", "model_name")


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where answers are kept (see the module docstring)."""
    return cache_root(env) / "llm"


def canonical_message(message: BaseMessage) -> dict[str, Any]:
    """What a message sends the model: its role, content, name, tool calls or the tool call it
    answers. Ids and metadata are left out: they differ between runs and are not sent."""
    canonical: dict[str, Any] = {"type": message.type, "content": message.content}
    if message.name:
        canonical["name"] = message.name
    if isinstance(message, AIMessage):
        if message.tool_calls:
            canonical["tool_calls"] = [
                {"name": call["name"], "args": call["args"], "id": call.get("id")}
                for call in message.tool_calls
            ]
        if message.invalid_tool_calls:
            canonical["invalid_tool_calls"] = [
                {"name": call.get("name"), "args": call.get("args"), "id": call.get("id")}
                for call in message.invalid_tool_calls
            ]
    if isinstance(message, ToolMessage):
        canonical["tool_call_id"] = message.tool_call_id
    return canonical


def canonical_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """`canonical_message` of each message."""
    return [canonical_message(message) for message in messages]


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: equal values give equal text."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr
    )


def cache_key(
    *,
    prompt_version: str,
    model_id: str,
    base_url: str | None,
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] = (),
    params: Mapping[str, Any] | None = None,
) -> str:
    """The sha256 (hex) of everything that shapes an answer; `messages` are canonical
    (`canonical_messages`) and `tools` are OpenAI tool schemas."""
    material = {
        "format": CACHE_FORMAT,
        "prompt_version": prompt_version,
        "model": model_id,
        "base_url": base_url,
        "messages": list(messages),
        "tools": list(tools),
        "params": dict(params or {}),
    }
    return hashlib.sha256(canonical_json(material).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedAnswer:
    """An answer read from the cache."""

    message: AIMessage
    usage: dict[str, int]
    """`input_tokens`, `output_tokens`, `total_tokens` of the call that made it."""


class AnswerCache:
    """The on-disk cache: `get()` and `put()` by key (see `cache_key`)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else default_cache_dir()

    def path(self, key: str) -> Path:
        """The entry's file (fanned out by the key's first two digits)."""
        return self.folder / key[:2] / f"{key}.json"

    def ensure_outside(self, *folders: Path) -> None:
        """Refuse a cache inside the repository (it could be committed) or the output folder
        (replaced by every build)."""
        ensure_outside(self.folder, *folders, what="LLM cache", error=BackendConfigError)

    def get(self, key: str) -> CachedAnswer | None:
        """The answer stored under `key`; None when there is none or it cannot be read."""
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        try:
            return _answer(data, key)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def put(self, key: str, message: AIMessage, usage: Mapping[str, int]) -> bool:
        """Store an answer; False (and nothing stored) when the folder cannot be written."""
        entry = {
            "format": CACHE_FORMAT,
            "key": key,
            "message": {
                "content": message.content,
                "tool_calls": [
                    {"name": call["name"], "args": call["args"], "id": call.get("id")}
                    for call in message.tool_calls
                ],
                "invalid_tool_calls": [dict(call) for call in message.invalid_tool_calls],
                "response_metadata": {
                    name: message.response_metadata[name]
                    for name in _KEPT_METADATA
                    if name in message.response_metadata
                },
            },
            "usage": {name: int(value) for name, value in usage.items()},
        }
        return write_private(self.path(key), canonical_json(entry).encode("utf-8"))


def _answer(data: Any, key: str) -> CachedAnswer | None:
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT or data.get("key") != key:
        return None
    stored = data["message"]
    content = stored["content"]
    if not isinstance(content, (str, list)):
        return None
    calls = stored.get("tool_calls") or []
    if not all(isinstance(c, dict) and isinstance(c.get("args"), dict) for c in calls):
        return None
    usage = {str(name): int(value) for name, value in dict(data.get("usage") or {}).items()}
    message = AIMessage(
        content=content,
        tool_calls=[
            {"name": str(c["name"]), "args": c["args"], "id": c.get("id"), "type": "tool_call"}
            for c in calls
        ],
        invalid_tool_calls=list(stored.get("invalid_tool_calls") or []),
        # No usage_metadata: a hit costs nothing, and the meter counts it as a hit.
        response_metadata={**dict(stored.get("response_metadata") or {}), "cache": "hit"},
    )
    return CachedAnswer(message=message, usage=usage)
