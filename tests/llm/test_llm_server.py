"""The scripted server itself: what later tests rely on when they script whole builds."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import openai
import pytest
from helpers.llm_server import (
    RecordedRequest,
    Reply,
    completion,
    estimated_usage,
    scripted_server,
)
from langchain_core.messages import HumanMessage

from modeldoc.llm.backend import build_chat_model, resolve_backend


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_models_routes_and_unscripted_requests_are_reported() -> None:
    with scripted_server(models=["a", "b"]) as server:
        status, listed = _get(server.url + "/models")
        assert status == 200 and [m["id"] for m in listed["data"]] == ["a", "b"]
        assert _get(server.url + "/nowhere")[0] == 404
        backend = resolve_backend("a", env={"OPENAI_BASE_URL": server.url})
        assert backend is not None
        model = build_chat_model(backend)
        with pytest.raises(openai.BadRequestError, match="no answer queued"):
            model.invoke([HumanMessage("hi")])
        assert len(server.unscripted) == 1
        assert [r.method for r in server.requests] == ["GET", "GET", "POST"]


def test_a_fallback_answers_from_the_request_with_estimated_usage() -> None:
    with scripted_server() as server:

        def echo(request: RecordedRequest) -> Reply:
            text = f"You said {request.messages[-1]['content']}."
            return Reply(body=completion(text, usage=estimated_usage(request, text)))

        server.fallback = echo
        backend = resolve_backend(server.model, env={"OPENAI_BASE_URL": server.url})
        assert backend is not None
        answer = build_chat_model(backend).invoke([HumanMessage("x" * 400)])
        assert str(answer.text).startswith("You said xxx")
        usage = answer.usage_metadata
        assert usage is not None and usage["input_tokens"] > 100
        assert server.unscripted == []
