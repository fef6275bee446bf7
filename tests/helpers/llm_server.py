"""A real OpenAI-compatible HTTP server on loopback, scripted per test.

The client path under test is the real one (ChatOpenAI -> openai -> HTTP); only the far end is
scripted. Queue answers with `reply()`, `tool_calls()`, `error()` or `enqueue()`; each request to
`POST /v1/chat/completions` takes the next one. `requests` records every request received (path,
headers, parsed JSON body), so a test can count calls and read what the model was sent.

    with scripted_server() as server:
        server.reply("Hello.", usage=(12, 3))
        ChatOpenAI(model=server.model, base_url=server.url, api_key="test-key", max_retries=0)

`GET /v1/models` lists `models`. A chat request that names a model not in that list gets the
404 OpenAI answers (`model_not_found`); with `api_key` set, a request without that bearer key gets
the 401. A chat request with nothing queued gets a 400 and is counted in `unscripted` (the
fixture fails a test that sent one); set `fallback` to answer such requests instead. Callers in
parallel threads take queued answers in no fixed order: queue functions of the request (or set
`fallback`) to answer by what was asked.

Tests under `tests/llm/` get the `llm_server` fixture; a conftest elsewhere builds the same from
`scripted_server()` and `isolate_llm_environment()` (no real key, base URL, proxy or tracing
from the machine, and the answer cache in a temporary folder).
"""

from __future__ import annotations

import json
import math
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modeldoc.llm.retry import RetrySettings

if TYPE_CHECKING:
    import pytest

DEFAULT_MODEL = "test-model"
TEST_KEY = "sk-test-0123456789abcdefghijklmnop"
"""A key shaped like an OpenAI key, so a test can check it is never shown or cached."""

FAST_RETRY = RetrySettings(
    max_attempts=4, initial_delay=0.001, backoff=2.0, max_delay=0.01, max_total=5.0
)
"""The production retry policy's shape with millisecond waits."""

# Environment that would point a client elsewhere (a real key, base URL, proxy or tracing).
_LLM_ENVIRONMENT = (
    "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE", "OPENAI_ORG_ID",
    "OPENAI_ORGANIZATION", "OPENAI_PROJECT_ID", "OPENAI_CUSTOM_HEADERS", "OPENAI_PROXY",
    "LANGSMITH_GATEWAY", "LANGSMITH_GATEWAY_API_KEY", "LANGSMITH_API_KEY", "LANGSMITH_TRACING",
    "LANGCHAIN_TRACING_V2", "LANGCHAIN_API_KEY", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
    "http_proxy", "https_proxy", "all_proxy",
)  # fmt: skip


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    """Header names in lower case."""
    body: Any
    """The parsed JSON body (`None` without a body, the raw text when it is not JSON)."""

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages sent (empty for other requests)."""
        if isinstance(self.body, dict) and isinstance(self.body.get("messages"), list):
            return list(self.body["messages"])
        return []

    @property
    def text(self) -> str:
        """The body as JSON text: what to search for something that must never be sent."""
        return json.dumps(self.body, ensure_ascii=False)


@dataclass
class Reply:
    """One scripted answer: a status, a JSON body, extra headers, and a delay before it."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Responder = Callable[[RecordedRequest], Reply]


def completion(
    content: str | None = None,
    *,
    tool_calls: Sequence[Mapping[str, Any]] = (),
    usage: tuple[int, int] | None = None,
    finish_reason: str | None = None,
) -> dict[str, Any]:
    """A chat completion body; `usage` is (prompt tokens, completion tokens). The server fills
    in the model the request named."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = list(tool_calls)
    body: dict[str, Any] = {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": finish_reason or ("tool_calls" if tool_calls else "stop"),
            }
        ],
    }
    if usage is not None:
        prompt, answer = usage
        body["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": answer,
            "total_tokens": prompt + answer,
        }
    return body


def tool_call(name: str, arguments: Mapping[str, Any] | str, call_id: str) -> dict[str, Any]:
    """One entry of `tool_calls`; `arguments` is sent as a JSON string, as OpenAI does."""
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": text}}


def error_body(message: str, *, kind: str, code: str | None = None) -> dict[str, Any]:
    """An OpenAI-style error body."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


_ERROR_KINDS = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    429: "rate_limit_exceeded",
}


class ScriptedServer:
    """The server; start it with `scripted_server()` (or `start()` and `stop()`)."""

    def __init__(self, *, models: Sequence[str] = (DEFAULT_MODEL,)) -> None:
        self.models: list[str] = list(models)
        """What `GET /v1/models` lists, and the models chat requests may name."""
        self.api_key: str | None = None
        """When set, the bearer key every request must carry (else 401)."""
        self.models_reply: Reply | None = None
        """When set, `GET /v1/models` answers this instead of the list."""
        self.fallback: Responder | None = None
        """Answers chat requests when the queue is empty."""
        self.requests: list[RecordedRequest] = []
        self.unscripted: list[RecordedRequest] = []
        self._queue: deque[Reply | Responder] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._http: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- scripting -------------------------------------------------------------------------

    @property
    def model(self) -> str:
        """The first listed model: the one tests normally ask for."""
        return self.models[0]

    def enqueue(self, *answers: Reply | Responder) -> ScriptedServer:
        """Queue answers (a `Reply`, or a function of the request that returns one)."""
        with self._lock:
            self._queue.extend(answers)
        return self

    def reply(
        self, content: str, *, usage: tuple[int, int] | None = (10, 5), delay: float = 0.0
    ) -> ScriptedServer:
        """Queue an answer with text content."""
        return self.enqueue(Reply(body=completion(content, usage=usage), delay=delay))

    def tool_calls(
        self,
        *calls: Mapping[str, Any],
        content: str | None = None,
        usage: tuple[int, int] | None = (10, 5),
    ) -> ScriptedServer:
        """Queue an answer that calls tools (build each call with `tool_call()`)."""
        body = completion(content, tool_calls=calls, usage=usage)
        return self.enqueue(Reply(body=body))

    def error(
        self,
        status: int,
        message: str | None = None,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
    ) -> ScriptedServer:
        """Queue an HTTP error with an OpenAI-style body."""
        kind = _ERROR_KINDS.get(status, "server_error")
        body = error_body(message or f"scripted error {status}", kind=kind, code=code)
        return self.enqueue(Reply(status, body, dict(headers or {}), delay))

    @property
    def pending(self) -> int:
        """Answers still queued."""
        with self._lock:
            return len(self._queue)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The `POST .../chat/completions` requests received, in order."""
        with self._lock:
            return [r for r in self.requests if r.path == "/v1/chat/completions"]

    # --- serving ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._http is None:
            raise RuntimeError("the server is not started")
        return int(self._http.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to give a client (`http://127.0.0.1:PORT/v1`)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ScriptedServer:
        """Listen on a free loopback port, serving from a daemon thread."""
        self._http = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._http.scripted = self
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; answers still being delayed are released at once."""
        self._stopping.set()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _answer(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
        if self.api_key is not None and request.headers.get("authorization") != (
            f"Bearer {self.api_key}"
        ):
            body = error_body(
                "Incorrect API key provided.", kind="invalid_request_error", code="invalid_api_key"
            )
            return Reply(401, body)
        path = request.path.split("?", 1)[0].rstrip("/")
        if request.method == "GET" and path == "/v1/models":
            if self.models_reply is not None:
                return self.models_reply
            listed = [
                {"id": name, "object": "model", "created": 0, "owned_by": "test"}
                for name in self.models
            ]
            return Reply(body={"object": "list", "data": listed})
        if request.method == "POST" and path == "/v1/chat/completions":
            return self._chat(request)
        return Reply(404, error_body(f"no route {request.method} {path}", kind="not_found"))

    def _chat(self, request: RecordedRequest) -> Reply:
        body = request.body if isinstance(request.body, dict) else {}
        model = body.get("model")
        if model not in self.models:
            message = f"The model `{model}` does not exist or you do not have access to it."
            body = error_body(message, kind="invalid_request_error", code="model_not_found")
            return Reply(404, body)
        if body.get("stream"):
            return Reply(400, error_body("streaming is not scripted", kind="invalid_request_error"))
        with self._lock:
            answer = self._queue.popleft() if self._queue else None
        if answer is None and self.fallback is not None:
            answer = self.fallback
        if answer is None:
            with self._lock:
                self.unscripted.append(request)
            body = error_body("scripted server: no answer queued", kind="invalid_request_error")
            return Reply(400, body)
        reply = answer(request) if callable(answer) else answer
        if reply.status == 200 and isinstance(reply.body, dict):
            reply.body.setdefault("model", model)
        return reply


def estimated_usage(request: RecordedRequest, content: str) -> tuple[int, int]:
    """Usage figures a fallback can report: about one token per four characters."""
    return math.ceil(len(json.dumps(request.messages)) / 4), math.ceil(len(content) / 4)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    scripted: ScriptedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (its timeout) closes the socket under a delayed answer:
        # that is the test's point, not a server failure worth a traceback.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm the client's delayed ACK
    # would hold the body back 40 ms per answer.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        request = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        scripted = self.server.scripted
        reply = scripted._answer(request)
        if reply.delay and scripted._stopping.wait(reply.delay):
            return
        payload = json.dumps(reply.body if reply.body is not None else {}).encode()
        self.send_response(reply.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def isolate_llm_environment(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    """No key, base URL, proxy or tracing from the machine; modeldoc's caches in `cache_dir`."""
    for name in _LLM_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    # modeldoc's caches only: XDG_CACHE_HOME stays, where matplotlib keeps its font list and
    # numba its compiled SHAP kernels (a fresh one per test would rebuild both every time).
    monkeypatch.setenv("MODELDOC_CACHE_DIR", str(cache_dir))


@contextmanager
def scripted_server(*, models: Sequence[str] = (DEFAULT_MODEL,)) -> Iterator[ScriptedServer]:
    """A started server, stopped on exit."""
    server = ScriptedServer(models=models).start()
    try:
        yield server
    finally:
        server.stop()
