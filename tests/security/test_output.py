"""Attacks on the output folder: modeldoc replaces only a folder it wrote itself (its marker),
never another project's; one build at a time writes into a folder; a full disk or a file size
limit ends a build in one line; and the previous output survives each of them."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import skops.io as sio
from helpers.progress_lines import without_progress
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from modeldoc.errors import InputError
from modeldoc.output import OUTPUT_MARKER, is_modeldoc_output, lock_file, output_lock

QUICK = ("--no-site", "--no-explain", "--no-cache", "--llm", "offline")


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "modeldoc", *map(str, args)]


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=300, env=env)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single `modeldoc: error:` line a refused build printed."""
    assert result.returncode == 2, result.stderr
    lines = without_progress(result.stderr).splitlines()
    assert len(lines) == 1 and lines[0].startswith("modeldoc: error: "), result.stderr
    return lines[0]


def files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path, with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("diabetes")
    data = load_diabetes(as_frame=True, scaled=False).frame
    features = [c for c in data.columns if c != "target"]
    train, test = data.iloc[:300], data.iloc[300:]
    sio.dump(Ridge().fit(train[features], train["target"]), root / "model.skops")
    # Slow to explain (permutation), so that a build is still running when the test needs it.
    slow = make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=25))
    sio.dump(slow.fit(train[features], train["target"]), root / "knn.skops")
    test.to_csv(root / "test.csv", index=False)
    (root / "modeldoc.yml").write_text("data: test.csv\ntarget: target\n")
    return root


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """An output folder an earlier build wrote (marker included)."""
    out = tmp_path / "out"
    (out / "docs").mkdir(parents=True)
    (out / OUTPUT_MARKER).write_text('{"written_by": "modeldoc", "version": "0.1.0"}\n')
    (out / "facts.json").write_text("previous")
    (out / "docs" / "index.md").write_text("# previous\n")
    assert is_modeldoc_output(out)
    return out


def test_a_folder_with_someone_elses_facts_json_is_never_replaced(
    repo: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim" / "docs"
    victim.mkdir(parents=True)
    (victim / "facts.json").write_text('{"their": "facts"}')
    (victim / "thesis.tex").write_text("years of work")
    before = files(victim)
    line = one_line_error(run("build", repo, "--model", repo / "model.skops", "--out", victim,
                              *QUICK))  # fmt: skip
    assert f"no {OUTPUT_MARKER}" in line and "give another --out" in line
    assert files(victim) == before


def test_out_in_a_repository_cannot_reach_another_project(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    victim = tmp_path / "victim" / "docs"
    victim.mkdir(parents=True)
    (victim / "facts.json").write_text("{}")
    (victim / "index.md").write_text("their documentation")
    (repo / "modeldoc.yml").write_text("out: ../victim/docs\n")
    before = files(victim)
    line = one_line_error(run("build", repo))
    assert line.startswith("modeldoc: error: setting out: ../victim/docs is not inside")
    assert files(victim) == before


def test_an_older_modeldoc_output_is_refused_then_rebuilt_once_deleted(
    repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "facts.json").write_text("{}")
    (out / "MODEL_CARD.md").write_text("# old card\n")
    args = ("build", repo, "--model", repo / "model.skops", "--out", out, *QUICK)
    line = one_line_error(run(*args))
    assert line == (
        f"modeldoc: error: {out}: holds a facts.json but no {OUTPUT_MARKER}, the mark modeldoc "
        "leaves on the folders it writes: delete the folder if an older modeldoc wrote it, or "
        "give another --out"
    )
    assert files(out) == {"facts.json": b"{}", "MODEL_CARD.md": b"# old card\n"}
    for path in out.iterdir():
        path.unlink()
    first = run(*args)
    assert first.returncode == 0, first.stderr
    mark = json.loads((out / OUTPUT_MARKER).read_text())
    assert mark["written_by"] == "modeldoc"
    # Its own output is replaced by the next build, which leaves its own mark.
    second = run(*args)
    assert second.returncode == 0, second.stderr
    assert json.loads((out / OUTPUT_MARKER).read_text())["build"] != mark["build"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no lock, no staging left


def test_a_marker_that_is_a_link_does_not_count(previous: Path, tmp_path: Path) -> None:
    real = tmp_path / "real-marker"
    (previous / OUTPUT_MARKER).rename(real)
    (previous / OUTPUT_MARKER).symlink_to(real)
    assert not is_modeldoc_output(previous)


def test_a_staging_folder_modeldoc_did_not_write_is_kept(repo: Path, tmp_path: Path) -> None:
    staging = tmp_path / ".out.building"
    staging.mkdir()
    (staging / "notes.txt").write_text("mine")
    line = one_line_error(run("build", repo, "--model", repo / "model.skops",
                              "--out", tmp_path / "out", *QUICK))  # fmt: skip
    assert "modeldoc did not write it" in line
    assert files(staging) == {"notes.txt": b"mine"}


def test_the_home_folder_is_no_output_folder(repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("mine")
    result = run("build", repo, "--model", repo / "model.skops", "--out", home, *QUICK,
                 env={**os.environ, "HOME": str(home)})  # fmt: skip
    assert one_line_error(result).endswith(f"would replace {home}; give another")
    assert files(home) == {".bashrc": b"mine"}


def test_an_output_folder_that_is_a_link_is_refused(
    repo: Path, previous: Path, tmp_path: Path
) -> None:
    """Even to a modeldoc output: the build would replace the link, not the folder."""
    link = tmp_path / "link"
    link.symlink_to(previous, target_is_directory=True)
    before = files(previous)
    result = run("build", repo, "--model", repo / "model.skops", "--out", link, *QUICK)
    assert one_line_error(result) == (
        f"modeldoc: error: {link}: a symbolic link; give the folder it points to"
    )
    assert files(previous) == before and link.is_symlink()


def test_a_second_lock_in_one_process_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    busy = pytest.raises(InputError, match="another build into this folder is running")
    with output_lock(out), busy, output_lock(out):
        pass
    assert not lock_file(out).exists()
    with output_lock(out):  # released: taken again
        pass


def test_a_lock_file_that_is_a_link_is_refused(tmp_path: Path, marker: Path) -> None:
    lock_file(tmp_path / "out").symlink_to(marker)
    refused = pytest.raises(InputError, match="a link where modeldoc keeps its lock")
    with refused, output_lock(tmp_path / "out"):
        pass
    assert not marker.exists()


@pytest.fixture
def running_build(repo: Path, previous: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A slow build into `previous`, past the point where it holds the lock."""
    process = subprocess.Popen(
        command("build", repo, "--model", repo / "knn.skops", "--explain-seconds", "120",
                "--no-site", "--no-cache", "--llm", "offline", "--out", previous),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not list(previous.parent.glob(".out.building/plots/*.png")):
            assert process.poll() is None, "the build ended before the test could use it"
            assert time.monotonic() < deadline
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)


def test_two_builds_into_one_folder(
    repo: Path, previous: Path, running_build: subprocess.Popen[bytes]
) -> None:
    before = files(previous)
    second = run("build", repo, "--model", repo / "model.skops", "--out", previous, *QUICK)
    line = one_line_error(second)
    assert line == (
        f"modeldoc: error: {previous}: another build into this folder is running (it holds "
        ".out.lock); wait for it to end, or give another --out"
    )
    assert files(previous) == before
    # The holder is killed (no code of its own runs): its lock goes with it.
    os.kill(running_build.pid, signal.SIGKILL)
    running_build.wait(timeout=60)
    assert files(previous) == before
    third = run("build", repo, "--model", repo / "model.skops", "--out", previous, *QUICK)
    assert third.returncode == 0, third.stderr
    assert json.loads((previous / "facts.json").read_text())["checkpoints"]


def _limit_file_size(limit: int) -> None:
    """In the child: files may not grow past `limit` bytes; a write past it fails with
    EFBIG instead of killing the process (SIGXFSZ ignored)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("limit", [20_000, 80_000])
def test_a_file_size_limit_ends_the_build_in_one_line(
    repo: Path, previous: Path, limit: int
) -> None:
    before = files(previous)
    result = subprocess.run(
        command("build", repo, "--model", repo / "model.skops", "--out", previous, *QUICK),
        capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: _limit_file_size(limit),
    )  # fmt: skip
    line = one_line_error(result)
    assert line.startswith("modeldoc: error: cannot write ")
    assert line.endswith(f"; {previous} was left as it was")
    assert files(previous) == before
    assert sorted(p.name for p in previous.parent.iterdir()) == ["out"]


def _can_mount() -> bool:
    return os.geteuid() == 0 and sys.platform == "linux"


@pytest.mark.skipif(not _can_mount(), reason="mounting a small tmpfs needs root on Linux")
@pytest.mark.parametrize("size", ["300k", "2m"])
def test_a_full_disk_ends_the_build_in_one_line(repo: Path, tmp_path: Path, size: str) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)],
                             capture_output=True)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr!r}")
    try:
        out = disk / "out"
        out.mkdir()
        (out / OUTPUT_MARKER).write_text('{"written_by": "modeldoc"}')
        (out / "facts.json").write_text("previous")
        before = files(out)
        result = run("build", repo, "--model", repo / "model.skops", "--out", out,
                     "--no-cache", "--no-explain", "--llm", "offline")  # fmt: skip
        line = one_line_error(result)
        assert "No space left on device" in line and line.endswith(f"{out} was left as it was")
        assert files(out) == before
        assert sorted(p.name for p in disk.iterdir()) == ["out"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)
