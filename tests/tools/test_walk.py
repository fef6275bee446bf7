import os
import time
from pathlib import Path

import pytest

from modeldoc.errors import InputError
from modeldoc.tools.walk import walk_repository


def write(root: Path, rel: str, text: str = "x\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def paths(root: Path) -> list[str]:
    return [f.path for f in walk_repository(root).files]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    return root


def test_lists_files_sorted_with_sizes_and_real_paths(repo: Path) -> None:
    write(repo, "b.py", "print(1)\n")
    write(repo, "a/z.py")
    write(repo, "a/b/c.txt")
    result = walk_repository(repo)
    assert [f.path for f in result.files] == ["a/b/c.txt", "a/z.py", "b.py"]
    b = result.files[-1]
    assert b.size == 9
    assert b.abspath == (repo / "b.py").resolve()
    assert result.issues == []


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        walk_repository(tmp_path / "missing")


def test_nested_gitignore_with_negation(repo: Path) -> None:
    write(repo, ".gitignore", "*.log\nbuild/\n/top.txt\n")
    write(repo, "keep.py")
    write(repo, "run.log")
    write(repo, "top.txt")
    write(repo, "build/out.py")
    write(repo, "pkg/top.txt")  # `/top.txt` is anchored to the root
    write(repo, "pkg/.gitignore", "!important.log\ndata/\n")
    write(repo, "pkg/important.log")
    write(repo, "pkg/other.log")
    write(repo, "pkg/data/big.csv")
    write(repo, "pkg/sub/data/x.csv")  # a folder pattern without a slash matches at any depth
    write(repo, "data/root.csv")  # pkg/.gitignore does not apply above pkg/
    assert paths(repo) == [
        ".gitignore",
        "data/root.csv",
        "keep.py",
        "pkg/.gitignore",
        "pkg/important.log",
        "pkg/top.txt",
    ]


def test_ignored_directory_is_not_descended(repo: Path) -> None:
    # As in git, a file inside an excluded folder cannot be re-included.
    write(repo, ".gitignore", "out/\n!out/keep.py\n")
    write(repo, "out/keep.py")
    write(repo, "out/.gitignore", "!keep.py\n")
    assert paths(repo) == [".gitignore"]


def test_always_skipped_folders_and_secrets(repo: Path) -> None:
    write(repo, "train.py")
    write(repo, "myenv/pyvenv.cfg", "home = /usr/bin\n")
    write(repo, "myenv/lib/python3.11/site-packages/x.py")
    write(repo, "myenv/bin/activate")
    write(repo, "vendor/lib/site-packages/y.py")
    write(repo, "web/node_modules/left-pad/index.js")
    write(repo, "web/app.js")
    write(repo, "pkg/__pycache__/m.cpython-311.pyc")
    write(repo, ".git/config")
    write(repo, ".hg/store")
    write(repo, ".ipynb_checkpoints/nb-checkpoint.ipynb")
    write(repo, ".mypy_cache/x.json")
    write(repo, ".env", "SECRET=1\n")
    write(repo, ".env.local", "SECRET=2\n")
    write(repo, "sub/.env.production", "SECRET=3\n")
    write(repo, ".envs/.local/.django", "SECRET=4\n")
    write(repo, "environment.yml")
    assert paths(repo) == ["environment.yml", "train.py", "web/app.js"]


def test_symlinks_outside_the_repository_are_not_followed(tmp_path: Path, repo: Path) -> None:
    outside = write(tmp_path, "secret.txt", "top secret\n")
    write(tmp_path, "outdir/leak.py")
    write(repo, "main.py")
    (repo / "etc").symlink_to("/etc")
    (repo / "secret.txt").symlink_to(outside)
    (repo / "outdir").symlink_to(tmp_path / "outdir")
    (repo / "relative_escape").symlink_to("../secret.txt")
    result = walk_repository(repo)
    assert [f.path for f in result.files] == ["main.py"]
    issues = {i.file: i for i in result.issues}
    assert set(issues) == {"etc", "secret.txt", "outdir", "relative_escape"}
    for issue in issues.values():
        assert issue.kind == "symlink"
        assert "outside" in issue.message
        assert str(tmp_path) not in issue.message


def test_symlink_loop_terminates(repo: Path) -> None:
    write(repo, "a/x.py")
    (repo / "a" / "b").symlink_to("..")
    (repo / "self").symlink_to("self")  # a link to itself cannot be resolved
    result = walk_repository(repo)
    assert [f.path for f in result.files] == ["a/x.py"]
    assert [(i.file, i.kind) for i in result.issues] == [("self", "symlink")]


def test_in_repo_symlinks_list_each_file_once(repo: Path) -> None:
    write(repo, "src/model.py")
    write(repo, "src/nested/layer.py")
    (repo / "alias").symlink_to("src", target_is_directory=True)
    (repo / "a_model.py").symlink_to("src/model.py")
    result = walk_repository(repo)
    # Listed under the real path even though the link sorts (and is met) first.
    assert [f.path for f in result.files] == ["src/model.py", "src/nested/layer.py"]
    assert result.issues == []


def test_in_repo_symlink_to_a_skipped_path_is_not_followed(repo: Path) -> None:
    write(repo, ".git/config", "[remote]\n")
    write(repo, ".env", "SECRET=1\n")
    write(repo, "venv/pyvenv.cfg")
    write(repo, "venv/lib/x.py")
    write(repo, ".gitignore", "cache/\n")
    write(repo, "cache/blob.py")
    (repo / "gitdir").symlink_to(".git")
    (repo / "settings.txt").symlink_to(".env")
    (repo / "envlib").symlink_to("venv/lib")
    (repo / "cached").symlink_to("cache")
    result = walk_repository(repo)
    assert [f.path for f in result.files] == [".gitignore"]
    assert sorted(i.file for i in result.issues) == ["cached", "envlib", "gitdir", "settings.txt"]


def test_ignored_symlink_is_skipped_silently(repo: Path) -> None:
    write(repo, ".gitignore", "ignored_link\n")
    write(repo, "real.py")
    (repo / "ignored_link").symlink_to("/etc")
    result = walk_repository(repo)
    assert [f.path for f in result.files] == [".gitignore", "real.py"]
    assert result.issues == []


def test_broken_symlink_is_an_issue(repo: Path) -> None:
    write(repo, "ok.py")
    (repo / "gone.py").symlink_to("missing.py")
    result = walk_repository(repo)
    assert [f.path for f in result.files] == ["ok.py"]
    assert [(i.kind, i.file) for i in result.issues] == [("symlink", "gone.py")]


def test_root_given_through_a_symlink(tmp_path: Path, repo: Path) -> None:
    write(repo, "m.py")
    (tmp_path / "link").symlink_to(repo)
    result = walk_repository(tmp_path / "link")
    assert [f.path for f in result.files] == ["m.py"]
    assert result.files[0].abspath == (repo / "m.py").resolve()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_not_listed(repo: Path) -> None:
    # Reading a FIFO would block forever.
    os.mkfifo(repo / "pipe")
    result = walk_repository(repo)
    assert result.files == []
    assert [(i.kind, i.file) for i in result.issues] == [("unreadable", "pipe")]


def test_thousand_files_are_fast(repo: Path) -> None:
    write(repo, ".gitignore", "*.log\n!keep.log\nbuild/\n")
    for d in range(20):
        write(repo, f"pkg{d}/.gitignore", "*.tmp\n")
        for f in range(50):
            write(repo, f"pkg{d}/sub/m{f}.py")
    times = []
    for _ in range(3):  # the best of three: the first run warms the OS caches
        start = time.perf_counter()
        result = walk_repository(repo)
        times.append(time.perf_counter() - start)
    assert len(result.files) == 1021
    assert min(times) < 0.05, times


def _bad_name(name: bytes) -> str:
    """A file name that is not valid UTF-8, as Python spells it (with surrogate escapes)."""
    decoded = os.fsdecode(name)
    if os.fsencode(decoded) != name:
        pytest.skip("the file system encoding is not UTF-8 with surrogate escapes")
    return decoded


def _create(path: Path, directory: bool = False) -> None:
    try:
        path.mkdir() if directory else path.write_text("x\n")
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses names that are not UTF-8")


def test_names_that_are_not_utf8_are_skipped_with_an_issue(repo: Path) -> None:
    write(repo, "ok.py")
    _create(repo / _bad_name(b"bad\xffname.py"))
    _create(repo / _bad_name(b"dir\xfe"), directory=True)
    write(repo, os.fsdecode(b"dir\xfe") + "/inner.py")  # never listed: its folder is skipped
    write(repo, "src/good.py")
    _create(repo / "src" / _bad_name(b"caf\xe9.yaml"))
    (repo / "link.py").symlink_to("ok.py")
    (repo / _bad_name(b"link\xff.py")).symlink_to("ok.py")
    result = walk_repository(repo)
    assert [f.path for f in result.files] == ["ok.py", "src/good.py"]  # a link lists once
    message = "File name is not valid UTF-8; skipped."
    assert [(i.kind, i.file, i.message) for i in result.issues] == [
        ("unreadable", "bad\\xffname.py", message),
        ("unreadable", "dir\\xfe", message),
        ("unreadable", "link\\xff.py", message),
        ("unreadable", "src/caf\\xe9.yaml", message),
    ]
    for issue in result.issues:
        issue.file.encode("utf-8")
        issue.model_dump_json()


def test_ignored_names_that_are_not_utf8_are_skipped_silently(repo: Path) -> None:
    write(repo, ".gitignore", "*.log\n")
    _create(repo / _bad_name(b"run\xff.log"))
    assert walk_repository(repo).issues == []
