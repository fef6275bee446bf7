"""Write outputs so that a failed or interrupted run leaves the previous ones as they were.

An output folder is replaced as a whole, so modeldoc replaces only a folder it wrote itself:
every build writes `OUTPUT_MARKER` into it, and a folder without one (another project's, a
thesis, an output of a modeldoc from before the marker) is never replaced or deleted. One build
at a time writes into a folder: `output_lock` holds a lock file beside it.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from modeldoc import __version__
from modeldoc.atomic import write_atomically
from modeldoc.errors import InputError

OUTPUT_MARKER = ".modeldoc-output"
"""The file that makes a folder modeldoc's output: JSON naming modeldoc, its version and the
build that wrote it."""
_MARKER_MAX_BYTES = 4096


@contextmanager
def staged_output(out: Path, *, resume: bool = False) -> Iterator[Path]:
    """A folder beside `out` (`.NAME.building`) to write a whole run into. When the block
    succeeds it replaces `out` (two renames); when it fails it is removed and `out` is left
    as it was. An interrupted run (Ctrl-C, or a kill that runs no code at all) leaves the
    folder, so that `resume=True` can continue in it; without `resume` it starts empty.

    `out` is modeldoc's: an existing folder must be empty or hold `OUTPUT_MARKER`, so neither
    a mistyped `--out` nor a repository's `out:` can ever replace someone's files. The caller
    holds `output_lock(out)`.
    """
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = building_folder(out)
    if not (resume and is_modeldoc_output(staging)):
        _clear_staging(staging)
        staging.mkdir()
    try:
        _write_marker(staging)
        yield staging
    except KeyboardInterrupt:
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _replace_folder(staging, out)


def building_folder(out: Path) -> Path:
    """Where a run into `out` is written until it succeeds."""
    return out.parent / f".{out.name}.building"


def lock_file(out: Path) -> Path:
    """The lock a build into `out` holds (`.NAME.lock` beside it)."""
    return out.parent / f".{out.name}.lock"


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold the lock of `out` for the block; another build holding it is an `InputError`.

    `flock` ends with the process that holds it, however it ends (a kill included), so a
    crashed build never blocks the next one. The file is removed on release.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    path = lock_file(out)
    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise InputError(
                    f"{path}: a link where modeldoc keeps its lock; remove it"
                ) from error
            raise
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise InputError(
                f"{out}: another build into this folder is running (it holds {path.name}); "
                "wait for it to end, or give another --out"
            ) from None
        # The build that held it may have removed the file between our open and our lock:
        # then another build can create a new one, and only the file at `path` counts.
        if _same_file(descriptor, path):
            break
        os.close(descriptor)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(descriptor)


def is_modeldoc_output(folder: Path) -> bool:
    """Whether `folder` holds the marker every build writes (a file, not a link)."""
    marker = folder / OUTPUT_MARKER
    try:
        status = marker.lstat()
        if not stat.S_ISREG(status.st_mode) or status.st_size > _MARKER_MAX_BYTES:
            return False
        content = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(content, dict) and content.get("written_by") == "modeldoc"


def _write_marker(folder: Path) -> None:
    content = {"written_by": "modeldoc", "version": __version__, "build": uuid.uuid4().hex}
    write_atomically(folder / OUTPUT_MARKER, json.dumps(content) + "\n")


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(descriptor)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _clear_staging(staging: Path) -> None:
    """Remove an earlier run's staging folder; refuse to remove anything else."""
    if not staging.exists() and not staging.is_symlink():
        return
    # Empty: a run killed before it wrote its marker.
    ours = staging.is_dir() and (is_modeldoc_output(staging) or not any(staging.iterdir()))
    if staging.is_symlink() or not ours:
        raise InputError(
            f"{staging}: where modeldoc stages a build, but modeldoc did not write it: "
            "move or delete it"
        )
    shutil.rmtree(staging)


def _check_replaceable(out: Path) -> None:
    if out.is_symlink():
        raise InputError(f"{out}: a symbolic link; give the folder it points to")
    if not out.exists():
        return
    if not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    if not any(out.iterdir()) or is_modeldoc_output(out):
        return
    if (out / "facts.json").is_file():
        # An output of a modeldoc from before the marker, or another tool's facts.json: the
        # two cannot be told apart, so the user decides once.
        raise InputError(
            f"{out}: holds a facts.json but no {OUTPUT_MARKER}, the mark modeldoc leaves on "
            "the folders it writes: delete the folder if an older modeldoc wrote it, or give "
            "another --out"
        )
    raise InputError(
        f"{out}: not empty and not a modeldoc output (no {OUTPUT_MARKER}); modeldoc replaces "
        "its output folder as a whole, so give a new or empty folder"
    )


def _replace_folder(staging: Path, out: Path) -> None:
    if not out.exists():
        os.replace(staging, out)
        return
    previous = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    previous.rmdir()
    os.replace(out, previous)
    try:
        os.replace(staging, out)
    except BaseException:
        os.replace(previous, out)
        raise
    shutil.rmtree(previous, ignore_errors=True)
