"""`write_atomically`: text or bytes in one step, no temporary file left, the umask's
permissions for outputs and 0600 for private files whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from modeldoc.atomic import write_atomically


@contextmanager
def umask(value: int) -> Iterator[None]:
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_text_and_bytes_replace_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "card.md"
    write_atomically(target, "première ligne\n")
    assert target.read_bytes() == "première ligne\n".encode()
    write_atomically(target, b"\x89PNG")
    assert target.read_bytes() == b"\x89PNG"
    assert [path.name for path in target.parent.iterdir()] == ["card.md"]  # no temporary file


@pytest.mark.parametrize(
    ("mask", "private", "expected"),
    [(0o022, False, 0o644), (0o002, False, 0o664), (0o077, False, 0o600),
     (0o022, True, 0o600), (0o000, True, 0o600)],
)  # fmt: skip
def test_the_mode_comes_from_the_umask_unless_private(
    tmp_path: Path, mask: int, private: bool, expected: int
) -> None:
    target = tmp_path / "facts.json"
    with umask(mask):
        write_atomically(target, "{}\n", private=private, durable=not private)
        assert mode(target) == expected
        write_atomically(target, "{}\n", private=private)  # a replaced file too
        assert mode(target) == expected


def test_a_failed_write_leaves_nothing_and_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "inside").write_text("kept")
    with pytest.raises(OSError) as raised:
        write_atomically(folder, "text")  # a folder cannot be replaced by a file
    assert raised.value.filename == str(folder)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["taken"]
    assert (folder / "inside").read_text() == "kept"


def test_a_long_name_fits_the_file_system(tmp_path: Path) -> None:
    target = tmp_path / ("x" * 250)
    write_atomically(target, "text")
    assert target.read_text() == "text"
