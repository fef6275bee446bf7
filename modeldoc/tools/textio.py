"""Read repository text files: a size cap, BOM-aware decoding, binary detection, "\\n" newlines."""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from typing import Literal

from modeldoc.errors import ModeldocError
from modeldoc.facts import ScanIssue
from modeldoc.tools.walk import RepoFile

MAX_TEXT_BYTES = 2_000_000

_Kind = Literal["binary", "decoding", "size", "unreadable"]

# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class BinaryFileError(ModeldocError):
    """The bytes are not text: they hold NUL bytes and no byte order mark."""


@dataclass(frozen=True)
class DecodedText:
    """A file's text with "\\n" newlines, and the encoding it was decoded from."""

    text: str
    encoding: str


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode `data` to text with "\\n" newlines; return (text, encoding)."""
    text, encoding, _ = _decode(data)
    return text, encoding


def read_text(
    file: RepoFile, max_bytes: int = MAX_TEXT_BYTES
) -> tuple[DecodedText | None, ScanIssue | None]:
    """Read `file` as text: (text, None), (text, warning) after a lossy decode, or (None, issue)."""
    try:
        st = os.stat(file.abspath)
        if not stat.S_ISREG(st.st_mode):
            return None, _issue("unreadable", file, "Not a regular file; skipped.")
        # Decide on the size before reading anything.
        if st.st_size > max_bytes:
            return None, _too_large(file, max_bytes)
        with open(file.abspath, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        return None, _issue(
            "unreadable", file, f"Could not be read ({e.strerror or type(e).__name__})."
        )
    if len(data) > max_bytes:  # it grew since the stat
        return None, _too_large(file, max_bytes)
    try:
        text, encoding, lossy = _decode(data)
    except BinaryFileError:
        return None, _issue("binary", file, "Binary file; skipped.")
    warning = None
    if encoding == "cp1252":
        warning = _issue("decoding", file, "Not valid UTF-8; decoded as cp1252.")
    elif lossy:
        warning = _issue("decoding", file, f"Invalid {encoding}; bad bytes replaced.")
    return DecodedText(text, encoding), warning


def _decode(data: bytes) -> tuple[str, str, bool]:
    """Decode to (text, encoding, lossy); lossy when characters were replaced or guessed."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text, lossy = data.decode(encoding), False
            except UnicodeDecodeError:
                # A UTF-16 LE BOM followed by U+0000 looks like a UTF-32 LE BOM.
                if encoding == "utf-32" and data.startswith(codecs.BOM_UTF16_LE):
                    continue
                text, lossy = data.decode(encoding, errors="replace"), True
            return _newlines(text), encoding, lossy
    # Any NUL, not only in a leading window: parsers reject NULs in source text anyway.
    if b"\x00" in data:
        raise BinaryFileError("binary data: NUL bytes without a byte order mark")
    try:
        return _newlines(data.decode("utf-8")), "utf-8", False
    except UnicodeDecodeError:
        # Legacy Windows text is the likeliest non-UTF-8 source; a guess, hence lossy.
        return _newlines(data.decode("cp1252", errors="replace")), "cp1252", True


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _issue(kind: _Kind, file: RepoFile, message: str) -> ScanIssue:
    return ScanIssue(kind=kind, file=file.path, message=message)


def _too_large(file: RepoFile, max_bytes: int) -> ScanIssue:
    return _issue("size", file, f"Larger than the {max_bytes:,}-byte limit; skipped.")
