import builtins
import codecs
import os
from pathlib import Path
from typing import Any

import pytest

from modeldoc.errors import ModeldocError
from modeldoc.facts import ScanIssue
from modeldoc.tools.textio import (
    MAX_TEXT_BYTES,
    BinaryFileError,
    DecodedText,
    decode_bytes,
    read_text,
)
from modeldoc.tools.walk import RepoFile

TEXT = "# Modèle ✓\nlr = 0.1\n"


def repo_file(tmp_path: Path, data: bytes, name: str = "docs/README.md") -> RepoFile:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return RepoFile(name, path, len(data))


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "utf-32"),
        (codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"), "utf-32"),
    ],
)
def test_decode_by_bom_then_utf8(data: bytes, encoding: str) -> None:
    assert decode_bytes(data) == (TEXT, encoding)


def test_utf16_bom_followed_by_nul_character() -> None:
    # Starts like a UTF-32 LE BOM, but is not valid UTF-32.
    data = codecs.BOM_UTF16_LE + "\x00ab".encode("utf-16-le")
    assert decode_bytes(data) == ("\x00ab", "utf-16")


def test_cp1252_fallback() -> None:
    assert decode_bytes("café \u2013 naïve\n".encode("cp1252")) == ("café \u2013 naïve\n", "cp1252")


def test_binary_raises() -> None:
    with pytest.raises(BinaryFileError):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert issubclass(BinaryFileError, ModeldocError)


def test_newlines_normalised() -> None:
    assert decode_bytes(b"a\r\nb\rc\n") == ("a\nb\nc\n", "utf-8")
    assert decode_bytes(codecs.BOM_UTF16_LE + "a\r\nb".encode("utf-16-le"))[0] == "a\nb"


def test_read_text_utf8(tmp_path: Path) -> None:
    file = repo_file(tmp_path, TEXT.replace("\n", "\r\n").encode())
    assert read_text(file) == (DecodedText(TEXT, "utf-8"), None)


def test_read_text_utf16_readme(tmp_path: Path) -> None:
    file = repo_file(tmp_path, "\ufeff# Title\r\n".encode("utf-16-le"))
    text, issue = read_text(file)
    assert text == DecodedText("# Title\n", "utf-16")
    assert issue is None


def test_read_text_cp1252_records_a_warning(tmp_path: Path) -> None:
    file = repo_file(tmp_path, "naïve\r\n".encode("cp1252"))
    text, issue = read_text(file)
    assert text == DecodedText("naïve\n", "cp1252")
    assert issue is not None
    assert (issue.kind, issue.file) == ("decoding", "docs/README.md")


def test_read_text_truncated_utf16_is_lossy(tmp_path: Path) -> None:
    file = repo_file(tmp_path, codecs.BOM_UTF16_LE + b"a\x00b")
    text, issue = read_text(file)
    assert text is not None and text.text.startswith("a")
    assert issue is not None and issue.kind == "decoding"


def test_read_text_binary(tmp_path: Path) -> None:
    file = repo_file(tmp_path, b"\x7fELF\x02\x01\x01\x00\x00\x00", "bin/tool")
    assert read_text(file) == (
        None,
        ScanIssue(kind="binary", file="bin/tool", message="Binary file; skipped."),
    )


def test_read_text_large_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.truncate(20_000_000)  # sparse: 20 MB without writing 20 MB
    opened: list[Any] = []
    real_open = builtins.open

    def spy_open(*args: Any, **kwargs: Any) -> Any:
        opened.append(args[0])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    text, issue = read_text(RepoFile("huge.csv", path, 20_000_000))
    assert text is None
    assert issue is not None
    assert (issue.kind, issue.file) == ("size", "huge.csv")
    assert "2,000,000" in issue.message
    assert opened == []


def test_read_text_cap_is_a_parameter(tmp_path: Path) -> None:
    file = repo_file(tmp_path, b"x" * 11)
    assert read_text(file, max_bytes=11)[0] == DecodedText("x" * 11, "utf-8")
    text, issue = read_text(file, max_bytes=10)
    assert text is None and issue is not None and issue.kind == "size"
    assert MAX_TEXT_BYTES == 2_000_000


def test_read_text_missing_file(tmp_path: Path) -> None:
    text, issue = read_text(RepoFile("gone.py", tmp_path / "gone.py", 3))
    assert text is None
    assert issue is not None
    assert (issue.kind, issue.file) == ("unreadable", "gone.py")
    assert str(tmp_path) not in issue.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_read_text_fifo_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    text, issue = read_text(RepoFile("pipe", tmp_path / "pipe", 0))
    assert text is None
    assert issue is not None and issue.kind == "unreadable"
