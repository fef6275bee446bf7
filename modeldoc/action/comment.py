"""Post or update modeldoc's one comment on a pull request, from a finished run's artifact.

Runs in a `workflow_run` workflow, which holds a token that may write to pull requests, after
the `pull_request` workflow that analysed the pull request. That run executed the pull
request's code (for a pull request from a fork, even the fork's copy of the workflow), so
everything in its artifact is hostile until checked. This script:

- uses the standard library only and is run as a file (`python3 -I comment.py`) from trusted
  code: the Action at a pinned ref, or the default branch; never from the pull request;
- downloads the artifact itself through the REST API, its size capped, and reads it in memory:
  only `pr.json`, `summary.md` and `diff.json`, flat names, no links, each one capped;
- takes the pull request's number only as a JSON integer, and comments only when that pull
  request's head is the commit the run analysed (GitHub's own event says which commit);
- keeps one comment per pull request, found again by a hidden marker and its author;
- passes nothing to a shell, and prints no artifact text unescaped.

Environment: GITHUB_EVENT_PATH (the `workflow_run` event), GITHUB_TOKEN, GITHUB_REPOSITORY,
GITHUB_API_URL; MODELDOC_ARTIFACT (the report artifact's name, default `modeldoc`) and
MODELDOC_COMMENT_AUTHOR (the login that owns the comment, default `github-actions[bot]`).
Exit status: 0 when the comment was posted or updated or there was nothing to do; 1 when the
artifact was rejected, the settings are wrong or an API call failed.
"""

from __future__ import annotations

import io
import ipaddress
import json
import os
import re
import stat
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import IO, Any

MARKER = "<!-- modeldoc -->"
"""Starts modeldoc's comment, so the next run finds and updates it instead of adding one."""
DEFAULT_ARTIFACT = "modeldoc"
DEFAULT_AUTHOR = "github-actions[bot]"

MAX_ZIP_BYTES = 2 * 1024 * 1024
"""The report artifact holds a few kilobytes: anything larger is not modeldoc's."""
MAX_MEMBER_BYTES = {"pr.json": 4 * 1024, "summary.md": 256 * 1024, "diff.json": 1024 * 1024}
"""The files the report artifact may hold, and the most bytes each may expand to."""
REQUIRED = frozenset({"pr.json", "summary.md"})
MAX_BODY_CHARS = 60_000
"""GitHub refuses a comment over 65,536 characters; this leaves room for the marker and footer."""
MAX_API_BYTES = 8 * 1024 * 1024
MAX_PAGES = 30
TIMEOUT = 30

_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_ARTIFACT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
# C0 controls but tab and newline, DEL, and the bidi embeddings, overrides and isolates.
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


class CommentError(Exception):
    """Base of every error this script reports: nothing is posted."""


class Rejected(CommentError):
    """The artifact (or the event) is not what a modeldoc run writes."""


class ConfigurationError(CommentError):
    """The environment the workflow gave the script is incomplete or malformed."""


class ApiError(CommentError):
    """A GitHub API call failed."""


@dataclass(frozen=True)
class Report:
    """The checked contents of a report artifact."""

    number: int
    """The pull request the run analysed."""
    head_sha: str
    """The pull request's head commit that the run analysed."""
    summary: str
    """The Markdown summary, control characters and markers removed."""


@dataclass(frozen=True)
class Run:
    """The finished `pull_request` run, as GitHub's `workflow_run` event describes it."""

    id: int
    head_sha: str
    pull_requests: frozenset[int]
    """Pull requests GitHub links to the run (empty for a pull request from a fork)."""
    html_url: str | None


@dataclass(frozen=True)
class Settings:
    """Where to post, with which token, and what to look for."""

    api_url: str
    repository: str
    token: str
    artifact: str
    author: str


def shown(text: str) -> str:
    """`text` quoted for a log line: escaped, so it can neither end the line nor run long."""
    return repr(text[:100] + ("..." if len(text) > 100 else ""))


def read_report(data: bytes) -> Report:
    """The report in a zipped artifact's bytes; `Rejected` unless it is one modeldoc wrote."""
    if len(data) > MAX_ZIP_BYTES:
        raise Rejected(f"the artifact is larger than {MAX_ZIP_BYTES} bytes")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise Rejected("the artifact is not a readable zip file") from error
    with archive:
        files = _members(archive)
    number, head_sha = _pull_request(files["pr.json"])
    return Report(number=number, head_sha=head_sha, summary=_summary(files["summary.md"]))


def _members(archive: zipfile.ZipFile) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for info in archive.infolist():
        name = info.filename
        _check_name(name)  # only known names, once each: at most three members
        if name in files:
            raise Rejected(f"the artifact holds {shown(name)} twice")
        if info.is_dir() or stat.S_ISLNK(info.external_attr >> 16):
            raise Rejected(f"the artifact member {shown(name)} is not a regular file")
        if info.flag_bits & 0x1:
            raise Rejected(f"the artifact member {shown(name)} is encrypted")
        limit = MAX_MEMBER_BYTES[name]
        if info.file_size > limit:
            raise Rejected(f"{name} is larger than {limit} bytes")
        try:
            with archive.open(info) as member:
                content = member.read(limit + 1)  # the header's size may lie
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
                zlib.error) as error:  # fmt: skip
            raise Rejected(f"{name} cannot be read from the artifact") from error
        if len(content) > limit:
            raise Rejected(f"{name} is larger than {limit} bytes")
        files[name] = content
    missing = sorted(REQUIRED - files.keys())
    if missing:
        raise Rejected(f"the artifact lacks {', '.join(missing)}")
    return files


def _check_name(name: str) -> None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or re.match(r"[A-Za-z]:", name):
        raise Rejected(f"the artifact member {shown(name)} points outside the artifact")
    if name not in MAX_MEMBER_BYTES:
        raise Rejected(f"the artifact holds an unexpected file {shown(name)}")


def _pull_request(content: bytes) -> tuple[int, str]:
    try:
        payload = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise Rejected("pr.json is not JSON") from error
    if not isinstance(payload, dict):
        raise Rejected("pr.json is not a JSON object")
    number = payload.get("number")
    # A JSON integer only: not a string ("1; rm -rf /"), not a float, not a boolean.
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 2**31:
        raise Rejected("pr.json: the pull request number is not a positive integer")
    head_sha = payload.get("head_sha")
    if not isinstance(head_sha, str) or not _SHA.fullmatch(head_sha):
        raise Rejected("pr.json: head_sha is not a commit id")
    return number, head_sha


def _summary(content: bytes) -> str:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Rejected("summary.md is not UTF-8") from error
    text = _UNSAFE_CHARS.sub("", text.replace("\r\n", "\n")).replace(MARKER, "").strip()
    if not text:
        raise Rejected("summary.md is empty")
    if len(text) > MAX_BODY_CHARS:
        raise Rejected(f"summary.md has {len(text)} characters, more than {MAX_BODY_CHARS}")
    return text


def comment_body(summary: str, run_url: str | None) -> str:
    """The comment: the marker, the summary, and a link to the run that made it."""
    footer = f"\n\n<sub>modeldoc, [workflow run]({run_url})</sub>" if run_url else ""
    return f"{MARKER}\n{summary}{footer}\n"


def read_run(event: object) -> Run | None:
    """The run a `workflow_run` event describes; `None` when it did not run for a pull request."""
    run = event.get("workflow_run") if isinstance(event, dict) else None
    if not isinstance(run, dict):
        raise Rejected("the event is not a workflow_run event")
    if run.get("event") != "pull_request":
        return None
    run_id = run.get("id")
    if isinstance(run_id, bool) or not isinstance(run_id, int) or run_id <= 0:
        raise Rejected("the event's workflow_run has no id")
    head_sha = run.get("head_sha")
    if not isinstance(head_sha, str) or not _SHA.fullmatch(head_sha):
        raise Rejected("the event's workflow_run has no head commit")
    numbers = frozenset(
        entry["number"]
        for entry in run.get("pull_requests") or []
        if isinstance(entry, dict) and type(entry.get("number")) is int
    )
    html_url = run.get("html_url")
    url = html_url if isinstance(html_url, str) and _is_allowed_url(html_url) else None
    return Run(id=run_id, head_sha=head_sha, pull_requests=numbers, html_url=url)


def settings_from(environ: Mapping[str, str]) -> Settings:
    """The settings the workflow passes in the environment; `ConfigurationError` when wrong."""
    api_url = environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    if not _is_allowed_url(api_url):
        raise ConfigurationError("GITHUB_API_URL must be an https URL")
    repository = environ.get("GITHUB_REPOSITORY", "")
    if not _REPOSITORY.fullmatch(repository):
        raise ConfigurationError("GITHUB_REPOSITORY must be OWNER/NAME")
    token = environ.get("GITHUB_TOKEN", "")
    if not token:
        raise ConfigurationError("GITHUB_TOKEN is not set")
    artifact = environ.get("MODELDOC_ARTIFACT") or DEFAULT_ARTIFACT
    if not _ARTIFACT_NAME.fullmatch(artifact):
        raise ConfigurationError("MODELDOC_ARTIFACT must be a plain artifact name")
    author = environ.get("MODELDOC_COMMENT_AUTHOR") or DEFAULT_AUTHOR
    return Settings(api_url, repository, token, artifact, author)


def _is_allowed_url(url: str) -> bool:
    # https anywhere; plain http only to this machine (a test server, a local GHES proxy).
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as errors: urllib would resend the token to wherever they point."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


class GitHub:
    """The few REST API calls the comment needs, over urllib."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._opener = urllib.request.build_opener(_NoRedirect)
        self._base = f"{settings.api_url}/repos/{settings.repository}/"

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The JSON answer to `method` on `repos/OWNER/NAME/path`."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self._base + path, data=data, method=method, headers=self._headers(data is not None)
        )
        raw = self._read(request, MAX_API_BYTES, f"{method} {path}")
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiError(f"{method} {path}: the answer is not JSON") from error

    def pages(self, path: str, key: str | None = None) -> Iterator[Any]:
        """Every item of a paginated list (`key` names the list in an object answer)."""
        separator = "&" if "?" in path else "?"
        for page in range(1, MAX_PAGES + 1):
            answer = self.call("GET", f"{path}{separator}per_page=100&page={page}")
            items = answer.get(key) if key and isinstance(answer, dict) else answer
            if not isinstance(items, list):
                raise ApiError(f"GET {path}: the answer is not a list")
            yield from items
            if len(items) < 100:
                return

    def download(self, path: str, limit: int) -> bytes:
        """The bytes behind `path`, following one redirect without the token; `limit` caps them."""
        request = urllib.request.Request(self._base + path, headers=self._headers(False))
        try:
            with self._opener.open(request, timeout=TIMEOUT) as response:
                return _capped(response, limit)
        except urllib.error.HTTPError as error:
            redirected = error.code in (301, 302, 303, 307, 308)
            location = error.headers.get("Location") if redirected else None
            error.close()
            if not location:
                raise ApiError(f"GET {path}: HTTP {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise ApiError(f"GET {path}: {error}") from error
        target = urllib.parse.urljoin(request.full_url, location)
        if not _is_allowed_url(target):
            raise ApiError(f"GET {path}: redirected to a URL that is not https")
        blob = urllib.request.Request(target, headers={"User-Agent": "modeldoc-comment"})
        return self._read(blob, limit, f"GET {path} (redirected)")

    def _headers(self, has_body: bool) -> dict[str, str]:
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self._settings.token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "modeldoc-comment",
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _read(self, request: urllib.request.Request, limit: int, what: str) -> bytes:
        try:
            with self._opener.open(request, timeout=TIMEOUT) as response:
                return _capped(response, limit)
        except urllib.error.HTTPError as error:
            error.close()
            raise ApiError(f"{what}: HTTP {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise ApiError(f"{what}: {error}") from error


def _capped(response: IO[bytes], limit: int) -> bytes:
    data = response.read(limit + 1)
    if len(data) > limit:
        raise Rejected(f"the download is larger than {limit} bytes")
    return data


def find_artifact(github: GitHub, run_id: int, name: str) -> int | None:
    """The id of the run's unexpired artifact called `name`, after checking its size."""
    query = f"actions/runs/{run_id}/artifacts?name={urllib.parse.quote(name)}"
    for artifact in github.pages(query, key="artifacts"):
        if not isinstance(artifact, dict) or artifact.get("name") != name:
            continue
        if artifact.get("expired"):
            continue
        artifact_id, size = artifact.get("id"), artifact.get("size_in_bytes")
        if not isinstance(artifact_id, int) or not isinstance(size, int):
            raise ApiError("the artifact list has an entry without id or size")
        if size > MAX_ZIP_BYTES:
            raise Rejected(f"the artifact is larger than {MAX_ZIP_BYTES} bytes")
        return artifact_id
    return None


def find_comment(github: GitHub, number: int, author: str) -> int | None:
    """The id of modeldoc's comment on pull request `number`: the marker's, by `author`."""
    for comment in github.pages(f"issues/{number}/comments"):
        if not isinstance(comment, dict):
            continue
        user = comment.get("user")
        login = user.get("login") if isinstance(user, dict) else None
        body = comment.get("body")
        comment_id = comment.get("id")
        ours = login == author and isinstance(body, str) and body.startswith(MARKER)
        if ours and isinstance(comment_id, int):
            return comment_id
    return None


def post(environ: Mapping[str, str]) -> str:
    """Post or update the comment for the run in the event; what was done, in a few words."""
    settings = settings_from(environ)
    run = read_run(_read_event(environ))
    if run is None:
        return "nothing to do: the run was not for a pull request"
    github = GitHub(settings)
    artifact_id = find_artifact(github, run.id, settings.artifact)
    if artifact_id is None:
        return f"nothing to do: run {run.id} left no artifact called {settings.artifact}"
    report = read_report(github.download(f"actions/artifacts/{artifact_id}/zip", MAX_ZIP_BYTES))
    if report.head_sha != run.head_sha:
        raise Rejected("pr.json names another commit than the run analysed")
    if run.pull_requests and report.number not in run.pull_requests:
        raise Rejected(f"pr.json names pull request #{report.number}, which the run was not for")
    pull = github.call("GET", f"pulls/{report.number}")
    head = pull.get("head") if isinstance(pull, dict) else None
    if not isinstance(head, dict) or head.get("sha") != run.head_sha:
        # A newer push (whose own run will comment), or an artifact naming another PR.
        return f"nothing to do: the head of pull request #{report.number} is not the run's commit"
    body = comment_body(report.summary, run.html_url)
    comment_id = find_comment(github, report.number, settings.author)
    if comment_id is None:
        github.call("POST", f"issues/{report.number}/comments", {"body": body})
        return f"created the modeldoc comment on pull request #{report.number}"
    github.call("PATCH", f"issues/comments/{comment_id}", {"body": body})
    return f"updated the modeldoc comment on pull request #{report.number}"


def _read_event(environ: Mapping[str, str]) -> object:
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        raise ConfigurationError("GITHUB_EVENT_PATH is not set")
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        raise ConfigurationError("GITHUB_EVENT_PATH is not a readable JSON event") from error


def _command_text(text: str) -> str:
    # A workflow command's message: these three would end the line or the escaping.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def main(environ: Mapping[str, str] | None = None) -> int:
    """Run with `environ` (default: the process environment); the exit status."""
    try:
        outcome = post(os.environ if environ is None else environ)
    except CommentError as error:
        print(f"::error title=modeldoc comment::{_command_text(str(error))}")
        return 1
    print(_command_text(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
