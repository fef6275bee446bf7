"""Scripted chat models for the drafting loop: responders for `ScriptedServer` that act like a
model drafting card sections, answering by what each request asks.

`draft_from_prompt()` reads the offline draft out of the section prompt's data block, so a
"model" can answer with a faithful rewrite (every number in it a fact) or plant an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from helpers.llm_server import RecordedRequest, Reply, completion, estimated_usage, tool_call

_DRAFT_BLOCK = re.compile(
    r'<<<DATA (?P<id>\w+) source="offline draft">>>\n(?P<body>.*?)\n<<<END DATA (?P=id)>>>',
    re.DOTALL,
)
_TITLE = re.compile(r'Write the section "(?P<title>[^"]+)"')

Rewrite = Callable[[str, str], str]
"""(section title, offline draft) -> the answer's text."""


def section_title(request: RecordedRequest) -> str:
    """The title of the section a drafting request is about."""
    for message in request.messages:
        found = _TITLE.search(str(message.get("content") or ""))
        if found:
            return found.group("title")
    raise AssertionError("not a section-drafting request")


def draft_from_prompt(request: RecordedRequest) -> str:
    """The offline draft the section prompt quotes."""
    for message in request.messages:
        found = _DRAFT_BLOCK.search(str(message.get("content") or ""))
        if found:
            return found.group("body")
    raise AssertionError("no offline draft in the request")


def tool_results(request: RecordedRequest) -> list[str]:
    """The tool answers sent back in this request."""
    return [str(m.get("content")) for m in request.messages if m.get("role") == "tool"]


def faithful(title: str, draft: str) -> str:
    """A rewrite that adds a sentence and keeps every fact of the draft."""
    return f"This section explains {title.lower()} for reviewers.\n\n{draft}"


def drafting_model(
    rewrite: Rewrite = faithful, *, look_up: bool = True
) -> Callable[[RecordedRequest], Reply]:
    """A responder: on a section's first request it calls `list_metrics` (when `look_up`),
    once the tool answer is back it answers with `rewrite(title, draft)`."""

    def respond(request: RecordedRequest) -> Reply:
        title = section_title(request)
        if look_up and not tool_results(request):
            call = tool_call("list_metrics", {}, f"call-{abs(hash(title)) % 10_000}")
            return Reply(body=completion(None, tool_calls=[call], usage=_usage(request, "")))
        text = rewrite(title, draft_from_prompt(request))
        return Reply(body=completion(text, usage=_usage(request, text)))

    return respond


def _usage(request: RecordedRequest, text: str) -> tuple[int, int]:
    return estimated_usage(request, text or json.dumps({"tool": "call"}))


def asked_for(request: RecordedRequest) -> dict[str, Any]:
    """What a request asked: its section title and how many tool answers it carried."""
    return {"title": section_title(request), "tool_results": len(tool_results(request))}
