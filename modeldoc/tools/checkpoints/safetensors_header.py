"""A safetensors file's header: tensor names, shapes, dtypes and the parameter count.

Only the JSON header is read (its length is the file's first 8 bytes); the weights are never
loaded. The header length is capped, and every field is checked before it is trusted.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path

from modeldoc.errors import ModeldocError

MAX_HEADER_BYTES = 100_000_000
_DTYPE_BYTES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2,
    "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8,
}  # fmt: skip


class SafetensorsError(ModeldocError):
    """The file is not a well-formed safetensors file."""


@dataclass(frozen=True)
class Tensor:
    """One tensor as the header describes it."""

    name: str
    dtype: str
    shape: tuple[int, ...]

    @property
    def parameters(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)


@dataclass(frozen=True)
class SafetensorsHeader:
    """What the header says: tensors in header order and free-form metadata."""

    tensors: tuple[Tensor, ...]
    metadata: dict[str, str]

    @property
    def parameters(self) -> int:
        """Total number of elements over all tensors."""
        return sum(tensor.parameters for tensor in self.tensors)

    @property
    def dtypes(self) -> dict[str, int]:
        """Parameters per dtype."""
        counts: dict[str, int] = {}
        for tensor in self.tensors:
            counts[tensor.dtype] = counts.get(tensor.dtype, 0) + tensor.parameters
        return counts


def read_header(path: Path) -> SafetensorsHeader:
    """The header of the safetensors file at `path`; raises `SafetensorsError` when malformed."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise SafetensorsError(f"{path.name}: shorter than a safetensors header")
        (length,) = struct.unpack("<Q", prefix)
        if length > MAX_HEADER_BYTES or length > size - 8:
            raise SafetensorsError(f"{path.name}: header length {length} is impossible here")
        raw = handle.read(length)
    try:
        header = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise SafetensorsError(f"{path.name}: header is not JSON") from error
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path.name}: header is not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata, dict):
        raise SafetensorsError(f"{path.name}: __metadata__ is not an object")
    data_bytes = size - 8 - length
    tensors = tuple(_tensor(path.name, name, entry, data_bytes) for name, entry in header.items())
    return SafetensorsHeader(
        tensors=tensors, metadata={str(key): str(value) for key, value in metadata.items()}
    )


def _tensor(file: str, name: str, entry: object, data_bytes: int) -> Tensor:
    if not isinstance(entry, dict):
        raise SafetensorsError(f"{file}: tensor {name!r} is not an object")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in _DTYPE_BYTES:
        raise SafetensorsError(f"{file}: tensor {name!r} has unknown dtype {dtype!r}")
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise SafetensorsError(f"{file}: tensor {name!r} has an invalid shape")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(isinstance(o, int) for o in offsets)
        or not 0 <= offsets[0] <= offsets[1] <= data_bytes
        or offsets[1] - offsets[0] != math.prod(shape) * _DTYPE_BYTES[dtype]
    ):
        raise SafetensorsError(f"{file}: tensor {name!r} has offsets that do not fit its data")
    return Tensor(name=name, dtype=dtype, shape=tuple(shape))
