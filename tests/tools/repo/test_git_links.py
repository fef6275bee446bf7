"""Links to a file at a commit: only for GitHub and GitLab origins, never with credentials."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from modeldoc.tools.repo.git import file_url, git_commit, git_prefix, git_web_url


def _repo(tmp_path: Path, remote: str | None) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "train.py").write_text("x = 1\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-qm", "one"], check=True)  # fmt: skip
    if remote is not None:
        subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", remote], check=True)
    return tmp_path


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("git@github.com:org/repo.git", "https://github.com/org/repo"),
        (
            "https://x-access-token:ghs_secret@github.com/org/repo.git",
            "https://github.com/org/repo",
        ),
        ("https://gitlab.com/group/sub/repo", "https://gitlab.com/group/sub/repo"),
        ("https://git.example.org/org/repo.git", None),
        ("file:///srv/repo.git", None),
        (None, None),
    ],
)
def test_web_url(tmp_path: Path, remote: str | None, expected: str | None) -> None:
    assert git_web_url(_repo(tmp_path, remote)) == expected


def test_a_file_in_a_subfolder_links_at_the_commit(tmp_path: Path) -> None:
    root = _repo(tmp_path, "git@github.com:org/repo.git")
    sub = root / "sub"
    commit, prefix, web = git_commit(sub), git_prefix(sub), git_web_url(sub)
    assert commit is not None and web is not None and prefix == "sub/"
    assert file_url(web, commit, prefix + "train.py", 1) == (
        f"https://github.com/org/repo/blob/{commit}/sub/train.py#L1"
    )
    assert (
        file_url("https://gitlab.com/g/r", "abc", "a.py")
        == "https://gitlab.com/g/r/-/blob/abc/a.py"
    )
