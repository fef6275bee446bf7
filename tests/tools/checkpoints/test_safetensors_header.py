"""The safetensors header is read without the weights, and checked field by field."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from modeldoc.tools.checkpoints.safetensors_header import SafetensorsError, read_header


def write(path: Path, header: dict[str, object], data: bytes) -> Path:
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)
    return path


def test_names_shapes_dtypes_and_parameter_count(tmp_path: Path) -> None:
    header = {
        "__metadata__": {"format": "pt"},
        "fc.weight": {"dtype": "F32", "shape": [3, 4], "data_offsets": [0, 48]},
        "fc.bias": {"dtype": "BF16", "shape": [3], "data_offsets": [48, 54]},
    }
    facts = read_header(write(tmp_path / "m.safetensors", header, b"\x00" * 54))
    assert [(t.name, t.dtype, t.shape) for t in facts.tensors] == [
        ("fc.weight", "F32", (3, 4)),
        ("fc.bias", "BF16", (3,)),
    ]
    assert facts.parameters == 15
    assert facts.dtypes == {"F32": 12, "BF16": 3}
    assert facts.metadata == {"format": "pt"}


@pytest.mark.parametrize(
    ("header", "data", "message"),
    [
        ({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\x00" * 8, "offsets"),
        ({"w": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 1]}}, b"\x00", "dtype"),
        ({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\x00" * 4, "shape"),
        ({"w": [1, 2]}, b"", "not an object"),
    ],
)
def test_malformed_headers_are_refused(
    tmp_path: Path, header: dict[str, object], data: bytes, message: str
) -> None:
    with pytest.raises(SafetensorsError, match=message):
        read_header(write(tmp_path / "m.safetensors", header, data))


def test_impossible_header_length(tmp_path: Path) -> None:
    path = tmp_path / "m.safetensors"
    path.write_bytes(struct.pack("<Q", 10**12) + b"{}")
    with pytest.raises(SafetensorsError, match="impossible"):
        read_header(path)
