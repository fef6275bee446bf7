"""A real HTTP server on loopback that plays the few GitHub REST API routes the comment script
calls: a run's artifacts (the download redirects, as GitHub's does, to a URL that needs no
token), a pull request's head, and its comments."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

REPOSITORY = "octo/models"
TOKEN = "ghs_testtoken0123456789"
BOT = "github-actions[bot]"


@dataclass(frozen=True)
class Request:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    """Header names in lower case."""
    body: Any


@dataclass
class FakeGitHub:
    """The API's state (artifacts of runs, pull requests' heads, comments) and every request."""

    url: str = ""
    repository: str = REPOSITORY
    token: str = TOKEN
    bot: str = BOT
    """The login that POST creates comments as (the workflow token's)."""
    artifacts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    blobs: dict[int, bytes] = field(default_factory=dict)
    heads: dict[int, str] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    _next_id: int = 1000

    def add_artifact(self, run_id: int, data: bytes, *, name: str = "modeldoc",
                     size: int | None = None) -> int:  # fmt: skip
        """Attach a zipped artifact to a run (`size` is what the listing claims)."""
        self._next_id += 1
        entry = {"id": self._next_id, "name": name, "expired": False,
                 "size_in_bytes": len(data) if size is None else size}  # fmt: skip
        self.artifacts.setdefault(run_id, []).append(entry)
        self.blobs[self._next_id] = data
        return self._next_id

    def add_comment(self, number: int, body: str, login: str) -> int:
        self._next_id += 1
        entry = {"id": self._next_id, "body": body, "user": {"login": login}}
        self.comments.setdefault(number, []).append(entry)
        return self._next_id

    def environment(self, event: Path) -> dict[str, str]:
        """What the workflow gives the comment script, with the event payload at `event`."""
        return {
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_API_URL": self.url,
        }

    def writes(self) -> list[Request]:
        """The requests that changed something."""
        return [request for request in self.requests if request.method in ("POST", "PATCH")]

    def answer(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for `request`."""
        if request.path.startswith("/blob/"):
            return 200, {"Content-Type": "application/zip"}, self.blobs[int(request.path[6:])]
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return _json(401, {"message": "Bad credentials"})
        prefix = f"/repos/{REPOSITORY}/"
        if not request.path.startswith(prefix):
            return _json(404, {"message": "Not Found"})
        route = request.path[len(prefix) :]
        if match := re.fullmatch(r"actions/runs/(\d+)/artifacts", route):
            name = request.query.get("name", [None])[0]
            found = [a for a in self.artifacts.get(int(match[1]), []) if name in (None, a["name"])]
            return _json(200, {"total_count": len(found), "artifacts": _page(found, request)})
        if match := re.fullmatch(r"actions/artifacts/(\d+)/zip", route):
            return 302, {"Location": f"{self.url}/blob/{match[1]}?sig=signed"}, b""
        if match := re.fullmatch(r"pulls/(\d+)", route):
            number = int(match[1])
            if number not in self.heads:
                return _json(404, {"message": "Not Found"})
            return _json(200, {"number": number, "head": {"sha": self.heads[number]}})
        if (match := re.fullmatch(r"issues/(\d+)/comments", route)) and request.method == "GET":
            return _json(200, _page(self.comments.get(int(match[1]), []), request))
        if (match := re.fullmatch(r"issues/(\d+)/comments", route)) and request.method == "POST":
            comment_id = self.add_comment(int(match[1]), request.body["body"], BOT)
            return _json(201, {"id": comment_id})
        if (match := re.fullmatch(r"issues/comments/(\d+)", route)) and request.method == "PATCH":
            for entries in self.comments.values():
                for entry in entries:
                    if entry["id"] == int(match[1]):
                        entry["body"] = request.body["body"]
                        return _json(200, entry)
            return _json(404, {"message": "Not Found"})
        return _json(404, {"message": "Not Found"})


def _page(items: list[dict[str, Any]], request: Request) -> list[dict[str, Any]]:
    size = int(request.query.get("per_page", ["30"])[0])
    page = int(request.query.get("page", ["1"])[0])
    return items[(page - 1) * size : page * size]


def _json(status: int, payload: object) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """The fake API, serving on 127.0.0.1 for the test."""
    state = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=json.loads(raw) if raw else None,
            )
            state.requests.append(request)
            status, headers, body = state.answer(request)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
