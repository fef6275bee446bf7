"""Write outputs so that a failed or interrupted run leaves the previous ones as they were."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from modeldoc.errors import InputError


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` in one step: a temporary file beside it, then a rename."""
    write_atomically_bytes(path, text.encode("utf-8"))


def write_atomically_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` in one step: a temporary file beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def staged_output(out: Path, *, resume: bool = False) -> Iterator[Path]:
    """A folder beside `out` (`.NAME.building`) to write a whole run into. When the block
    succeeds it replaces `out` (two renames); when it fails it is removed and `out` is left
    as it was. An interrupted run (Ctrl-C, or a kill that runs no code at all) leaves the
    folder, so that `resume=True` can continue in it; without `resume` it starts empty.

    `out` is modeldoc's: an existing folder must be empty or hold a previous run's
    `facts.json`, so a mistyped `--out` can never replace someone's files.
    """
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = building_folder(out)
    if not resume or not staging.is_dir():
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
    try:
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


def _check_replaceable(out: Path) -> None:
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    if any(out.iterdir()) and not (out / "facts.json").is_file():
        raise InputError(
            f"{out}: not empty and holds no facts.json; modeldoc replaces its output folder "
            "as a whole, so give a new or empty folder"
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
