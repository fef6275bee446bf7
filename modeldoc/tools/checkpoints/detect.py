"""The format of a model file, read from its bytes, never from its extension.

A `.json` that is a pickle is a pickle. Only the first bytes are read (and, for a zip, its
list of members), so detection never runs or unpacks anything.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

_HEAD_BYTES = 4096
_MAX_SAFETENSORS_HEADER = 100_000_000


class Format(StrEnum):
    """Model file formats modeldoc tells apart."""

    EMPTY = "empty"
    PICKLE = "pickle"
    COMPRESSED = "compressed"  # gzip/zlib/bz2/xz/lz4: joblib's compressed pickles look so
    TORCH_ZIP = "torch-zip"  # torch.save's zip of a pickle
    SKOPS = "skops"
    KERAS_ZIP = "keras-zip"
    NUMPY = "npy"
    NUMPY_ZIP = "npz"
    ZIP = "zip"
    SAFETENSORS = "safetensors"
    XGBOOST_JSON = "xgboost-json"
    XGBOOST_UBJ = "xgboost-ubj"
    LIGHTGBM_TEXT = "lightgbm-text"
    HDF5 = "hdf5"
    ONNX = "onnx"
    UNKNOWN = "unknown"


# Formats whose loading can run code: they need the user's explicit trust.
EXECUTES_CODE = frozenset({Format.PICKLE, Format.COMPRESSED, Format.TORCH_ZIP})


@dataclass(frozen=True)
class Detection:
    """What a file is, and the evidence for it (one short phrase)."""

    format: Format
    evidence: str

    @property
    def executes_code(self) -> bool:
        """Loading this format can run arbitrary code (pickle and its relatives)."""
        return self.format in EXECUTES_CODE


def detect_format(path: Path) -> Detection:
    """The format of the file at `path`, from its first bytes."""
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if not head:
        return Detection(Format.EMPTY, "the file is empty")
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(path)
    return (
        _magic_format(head) or _text_format(head) or Detection(Format.UNKNOWN, "no known signature")
    )


def _magic_format(head: bytes) -> Detection | None:
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return Detection(Format.PICKLE, f"pickle protocol {head[1]}")
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x04\x22\x4d\x18")):
        return Detection(Format.COMPRESSED, "a compressed stream")
    if head[:1] == b"\x78" and head[1:2] in (b"\x01", b"\x5e", b"\x9c", b"\xda"):
        return Detection(Format.COMPRESSED, "a zlib stream")
    if head.startswith(b"\x93NUMPY"):
        return Detection(Format.NUMPY, "the .npy signature")
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return Detection(Format.HDF5, "the HDF5 signature")
    # UBJSON: `{`, then a key's length marker (XGBoost writes int64 `L`), then "learner".
    if (
        head[:1] == b"{"
        and head[1:2] in (b"L", b"l", b"i", b"U", b"I")
        and b"learner" in head[:256]
    ):
        return Detection(Format.XGBOOST_UBJ, "a UBJSON object with a learner")
    if len(head) >= 9 and head[8:9] == b"{":
        (size,) = struct.unpack("<Q", head[:8])
        if 2 <= size <= _MAX_SAFETENSORS_HEADER:
            return Detection(Format.SAFETENSORS, "an 8-byte header length, then JSON")
    if _starts_like_onnx(head):
        return Detection(Format.ONNX, f"a protobuf that starts like an ONNX model (IR {head[1]})")
    return None


# ModelProto's first field is ir_version (field 1, varint: tag 0x08); writers then emit its
# other fields in number order: producer, domain, model_version, doc_string, graph, opsets...
_ONNX_SECOND_TAGS = frozenset({0x12, 0x1A, 0x22, 0x28, 0x32, 0x3A, 0x42, 0x72})
_ONNX_MAX_IR_VERSION = 32


def _starts_like_onnx(head: bytes) -> bool:
    return (
        len(head) >= 3
        and head[0] == 0x08
        and 1 <= head[1] <= _ONNX_MAX_IR_VERSION
        and head[2] in _ONNX_SECOND_TAGS
    )


def _text_format(head: bytes) -> Detection | None:
    text = head.lstrip()
    if text.startswith(b"tree\nversion=") or text.startswith(b"tree\r\nversion="):
        return Detection(Format.LIGHTGBM_TEXT, "the LightGBM model header")
    if text.startswith(b"{") and b'"learner"' in text:
        return Detection(Format.XGBOOST_JSON, 'a JSON object with "learner"')
    # Protocol 0/1 pickles are text-like: they start with an opcode and end with ".".
    if text[:1] in (b"(", b"]", b"}", b"c") and head.rstrip().endswith(b"."):
        return Detection(Format.PICKLE, "pickle protocol 0 or 1")
    return None


def _zip_format(path: Path) -> Detection:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as error:
        return Detection(Format.ZIP, f"a zip that cannot be listed ({error})")
    if "schema.json" in names:
        return Detection(Format.SKOPS, "a zip with schema.json")
    if any(name == "data.pkl" or name.endswith("/data.pkl") for name in names):
        return Detection(Format.TORCH_ZIP, "a zip with data.pkl")
    if "config.json" in names and any(name.endswith(".weights.h5") for name in names):
        return Detection(Format.KERAS_ZIP, "a zip with config.json and weights")
    if names and all(name.endswith(".npy") for name in names):
        return Detection(Format.NUMPY_ZIP, "a zip of .npy arrays")
    return Detection(Format.ZIP, "a zip of other files")
