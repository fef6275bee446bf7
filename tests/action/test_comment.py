"""The comment script (`modeldoc/action/comment.py`) against a loopback server playing the
GitHub API: it posts one comment, then updates it; it rejects hostile artifacts and posts
nothing; it runs as a standalone file on the standard library alone."""

from __future__ import annotations

import ast
import io
import json
import random
import stat
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from modeldoc.action import comment
from modeldoc.action.comment import MARKER, Rejected, read_report

if TYPE_CHECKING:
    from tests.action.conftest import FakeGitHub

SCRIPT = Path(comment.__file__)
RUN_ID = 4242
HEAD = "a" * 40
NUMBER = 7


def zipped(files: Mapping[str, bytes | str]) -> bytes:
    """A zip holding `files` under the names given, hostile ones too."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def report(number: object = NUMBER, summary: str = "## modeldoc\n\nmax_depth: 3 -> 4\n",
           head_sha: str = HEAD) -> dict[str, bytes | str]:  # fmt: skip
    """The files of a report artifact, as the Action writes them."""
    pr = {"number": number, "head_sha": head_sha, "base_sha": "b" * 40, "gates_passed": True}
    return {"pr.json": json.dumps(pr), "summary.md": summary, "diff.json": "{}"}


def event(tmp_path: Path, *, kind: str = "pull_request", pull_requests: tuple[int, ...] = (),
          head_sha: str = HEAD) -> Path:  # fmt: skip
    """A `workflow_run` event payload file for the run `RUN_ID`."""
    run = {
        "id": RUN_ID,
        "event": kind,
        "head_sha": head_sha,
        "conclusion": "failure",
        "html_url": f"https://github.com/octo/models/actions/runs/{RUN_ID}",
        "pull_requests": [{"number": number} for number in pull_requests],
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": "completed", "workflow_run": run}))
    return path


@pytest.fixture
def pull(github: FakeGitHub) -> FakeGitHub:
    """The API with pull request `NUMBER` at the commit the run analysed."""
    github.heads[NUMBER] = HEAD
    return github


def post(github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str],
         **event_options: object) -> tuple[int, str]:  # fmt: skip
    """Run the script's `main`; its exit status and what it printed."""
    status = comment.main(github.environment(event(tmp_path, **event_options)))  # type: ignore[arg-type]
    return status, capsys.readouterr().out


def test_posts_one_comment_then_updates_it(
    pull: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pull.add_artifact(RUN_ID, zipped(report()))
    status, out = post(pull, tmp_path, capsys)
    assert status == 0, out
    assert "created" in out
    [created] = pull.writes()
    assert created.method == "POST"
    assert created.path == f"/repos/octo/models/issues/{NUMBER}/comments"
    body = created.body["body"]
    assert body.startswith(MARKER + "\n## modeldoc") and "max_depth: 3 -> 4" in body
    assert f"actions/runs/{RUN_ID}" in body

    # The artifact's download redirected to storage: the token did not follow it there.
    [blob] = [request for request in pull.requests if request.path.startswith("/blob/")]
    assert "authorization" not in blob.headers
    assert all(r.headers.get("authorization") == f"Bearer {pull.token}"
               for r in pull.requests if r.path.startswith("/repos/"))  # fmt: skip

    # The next run (a new push) updates the same comment.
    pull.requests.clear()
    pull.artifacts.clear()
    pull.add_artifact(RUN_ID, zipped(report(summary="## modeldoc\n\nmax_depth: 3 -> 5\n")))
    status, out = post(pull, tmp_path, capsys)
    assert status == 0, out
    [updated] = pull.writes()
    assert updated.method == "PATCH"
    assert updated.path == f"/repos/octo/models/issues/comments/{pull.comments[NUMBER][0]['id']}"
    assert len(pull.comments[NUMBER]) == 1
    assert "3 -> 5" in pull.comments[NUMBER][0]["body"]


def test_a_marker_in_someone_elses_comment_is_not_ours(
    pull: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pull.add_comment(NUMBER, f"{MARKER}\nplease overwrite me", "mallory")
    for page_filler in range(120):  # the bot's comment is on the second page
        pull.add_comment(NUMBER, f"comment {page_filler}", "someone")
    ours = pull.add_comment(NUMBER, f"{MARKER}\nold summary", pull.bot)
    pull.add_artifact(RUN_ID, zipped(report()))
    status, out = post(pull, tmp_path, capsys)
    assert status == 0, out
    [write] = pull.writes()
    assert (write.method, write.path) == ("PATCH", f"/repos/octo/models/issues/comments/{ours}")
    assert pull.comments[NUMBER][0]["body"] == f"{MARKER}\nplease overwrite me"


def test_the_summary_cannot_smuggle_a_second_marker_or_control_characters(
    pull: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = f"## modeldoc\n{MARKER}\nrow\x1b[31m red\u202e txt\x00\r\n"
    pull.add_artifact(RUN_ID, zipped(report(summary=summary)))
    status, out = post(pull, tmp_path, capsys)
    assert status == 0, out
    body = pull.writes()[0].body["body"]
    assert body.count(MARKER) == 1 and body.startswith(MARKER)
    assert "\x1b" not in body and "\u202e" not in body and "\x00" not in body and "\r" not in body


HOSTILE = {
    "a shell command for a number": (report(number="1; rm -rf /"), "not a positive integer"),
    "a number as a string": (report(number="7"), "not a positive integer"),
    "a float": (report(number=7.0), "not a positive integer"),
    "a boolean": (report(number=True), "not a positive integer"),
    "a negative number": (report(number=-7), "not a positive integer"),
    "a huge number": (report(number=10**30), "not a positive integer"),
    "a huge body": (report(summary="x" * 70_000), "more than 60000"),
    "an unexpected file": ({**report(), "run.sh": "rm -rf /"}, "unexpected file 'run.sh'"),
    "a path traversal": ({**report(), "../pr.json": "{}"}, "points outside the artifact"),
    "an absolute path": ({"/etc/pr.json": "{}", **report()}, "points outside the artifact"),
    "a folder": ({"site/index.html": "<script>", **report()}, "unexpected file"),
    "a missing summary": ({"pr.json": report()["pr.json"]}, "lacks summary.md"),
    "no JSON": ({**report(), "pr.json": "number = 7"}, "pr.json is not JSON"),
    "a JSON list": ({**report(), "pr.json": "[7]"}, "not a JSON object"),
    "a bad commit id": (report(head_sha="HEAD; echo"), "head_sha is not a commit id"),
    "a summary that is not UTF-8": ({**report(), "summary.md": b"\xff\xfe"}, "not UTF-8"),
    "a zip bomb": ({**report(), "summary.md": "0" * 5_000_000}, "larger than 262144 bytes"),
}


@pytest.mark.parametrize("files, reason", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_artifact_is_rejected_and_nothing_is_posted(
    pull: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    files: dict[str, bytes | str], reason: str,
) -> None:  # fmt: skip
    pull.add_artifact(RUN_ID, zipped(files))
    status, out = post(pull, tmp_path, capsys)
    assert status == 1
    assert out.startswith("::error title=modeldoc comment::") and reason in out
    assert pull.writes() == []
    assert "rm -rf" not in out


def test_a_symbolic_link_a_duplicate_and_an_encrypted_member_are_rejected() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        for name, content in report().items():
            archive.writestr(name, content)
        archive.writestr("diff.json", "{}")
    with pytest.raises(Rejected, match=r"'diff\.json' twice"):
        read_report(buffer.getvalue())

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pr.json", report()["pr.json"])
        link = zipfile.ZipInfo("summary.md")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    with pytest.raises(Rejected, match="not a regular file"):
        read_report(buffer.getvalue())

    data = bytearray(zipped(report()))
    header = data.find(b"PK\x03\x04")
    data[header + 6] |= 0x1  # the local header's "encrypted" flag
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1
    with pytest.raises(Rejected, match="encrypted"):
        read_report(bytes(data))

    with pytest.raises(Rejected, match="not a readable zip"):
        read_report(b"not a zip")


def test_an_oversized_artifact_is_refused_before_and_during_the_download(
    pull: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pull.add_artifact(RUN_ID, zipped(report()), size=3 * 1024 * 1024)
    status, out = post(pull, tmp_path, capsys)
    assert status == 1 and "larger than" in out
    assert not any(request.path.startswith("/blob/") for request in pull.requests)

    # A listing that understates the size: the download itself stops at the cap.
    pull.artifacts.clear()
    noise = random.Random(0).randbytes(3 * 1024 * 1024)  # does not compress
    pull.add_artifact(RUN_ID, zipped({**report(), "diff.json": noise}), size=10)
    status, out = post(pull, tmp_path, capsys)
    assert status == 1 and "larger than 2097152 bytes" in out
    assert pull.writes() == []


def test_a_log_line_cannot_become_a_workflow_command(
    pull: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pull.add_artifact(RUN_ID, zipped({**report(), "x\n::set-output name=gates::true": ""}))
    status, out = post(pull, tmp_path, capsys)
    assert status == 1
    assert out.count("\n") == 1 and "\n::set-output" not in out


def test_the_artifact_must_be_for_the_run_and_its_pull_request(
    pull: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # pr.json names another commit than the one GitHub says the run analysed.
    pull.add_artifact(RUN_ID, zipped(report(head_sha="c" * 40)))
    status, out = post(pull, tmp_path, capsys)
    assert status == 1 and "another commit" in out

    # GitHub links the run to pull request 8; pr.json says 7.
    pull.artifacts.clear()
    pull.add_artifact(RUN_ID, zipped(report()))
    status, out = post(pull, tmp_path, capsys, pull_requests=(8,))
    assert status == 1 and "which the run was not for" in out

    # Pull request 9 is at another commit (a fork's run cannot aim at another pull request).
    pull.artifacts.clear()
    pull.heads[9] = "d" * 40
    pull.add_artifact(RUN_ID, zipped(report(number=9)))
    status, out = post(pull, tmp_path, capsys)
    assert status == 0 and "not the run's commit" in out
    assert pull.writes() == []


def test_nothing_to_do_without_a_pull_request_or_an_artifact(
    pull: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = post(pull, tmp_path, capsys, kind="push")
    assert status == 0 and "not for a pull request" in out
    assert pull.requests == []

    status, out = post(pull, tmp_path, capsys)
    assert status == 0 and "left no artifact" in out
    assert pull.writes() == []


def test_settings_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    environment = {"GITHUB_EVENT_PATH": str(event(tmp_path)), "GITHUB_TOKEN": "t",
                   "GITHUB_REPOSITORY": "octo/models"}  # fmt: skip
    cases = {
        "GITHUB_API_URL": ("http://api.example.com", "must be an https URL"),
        "GITHUB_REPOSITORY": ("octo/models/../x y", "OWNER/NAME"),
        "GITHUB_TOKEN": ("", "GITHUB_TOKEN is not set"),
        "MODELDOC_ARTIFACT": ("../modeldoc", "plain artifact name"),
        "GITHUB_EVENT_PATH": (str(tmp_path / "missing.json"), "not a readable JSON event"),
    }
    for name, (value, message) in cases.items():
        assert comment.main({**environment, name: value}) == 1
        assert message in capsys.readouterr().out


def test_api_failures_are_errors(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    github.add_artifact(RUN_ID, zipped(report()))  # pull request 7 does not exist: 404
    status, out = post(github, tmp_path, capsys)
    assert status == 1 and f"GET pulls/{NUMBER}: HTTP 404" in out
    environment = github.environment(event(tmp_path))
    status = comment.main({**environment, "GITHUB_TOKEN": "wrong"})
    assert status == 1 and "HTTP 401" in capsys.readouterr().out


def test_runs_as_a_standalone_file_on_the_standard_library(
    pull: FakeGitHub, tmp_path: Path
) -> None:
    tree = ast.parse(SCRIPT.read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}  # fmt: skip
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}  # fmt: skip
    assert imported - {"__future__"} <= sys.stdlib_module_names

    # -I: isolated, as action.yml runs it; nothing of modeldoc (or the folder) is importable.
    pull.add_artifact(RUN_ID, zipped(report()))
    environment = {"PATH": "/usr/bin:/bin", **pull.environment(event(tmp_path))}
    result = subprocess.run([sys.executable, "-I", str(SCRIPT)], env=environment,
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert [request.method for request in pull.writes()] == ["POST"]


def test_the_comment_author_is_configurable(
    pull: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = pull.add_comment(NUMBER, f"{MARKER}\nold summary", "modeldoc-app[bot]")
    pull.add_artifact(RUN_ID, zipped(report()))
    environment = pull.environment(event(tmp_path))
    assert comment.main({**environment, "MODELDOC_COMMENT_AUTHOR": "modeldoc-app[bot]"}) == 0
    [write] = pull.writes()
    assert (write.method, write.path) == ("PATCH", f"/repos/octo/models/issues/comments/{ours}")
