"""ONNX model files: parse the graph without its external data, refuse external data that
leaves the model's folder, then open an onnxruntime session on the CPU.

onnx and onnxruntime are imported only when an ONNX file is loaded (about 0.4 s).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np

from modeldoc.errors import first_line
from modeldoc.tools.checkpoints.child_load import probe_onnx
from modeldoc.tools.checkpoints.load import (
    MAX_MODEL_BYTES,
    CheckpointRefused,
    CheckpointUnreadable,
)

# onnxruntime reads this location as a raw memory address, not a file name.
_MEMORY_ADDRESS_TAG = "_ORT_MEM_ADDR_"
# Attributes that hold the class labels of ai.onnx.ml classifiers and of ZipMap.
_LABEL_ATTRIBUTES = ("classlabels_ints", "classlabels_int64s", "classlabels_strings")
_MAX_PRODUCER = 200

Label = int | str


@dataclass(frozen=True)
class OnnxValue:
    """A graph input or output: name, type text, shape, and the numpy dtype of a tensor."""

    name: str
    type: str
    shape: tuple[int | str | None, ...] | None
    dtype: np.dtype[Any] | None = None

    @property
    def is_column(self) -> bool:
        """A tensor of one value per row: shape (n,) or (n, 1)."""
        shape = self.shape
        if self.dtype is None or shape is None:
            return False
        return len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)


@dataclass(frozen=True)
class OnnxModel:
    """An open onnxruntime session and what the parsed graph says about the model."""

    session: Any = field(repr=False)
    inputs: tuple[OnnxValue, ...]
    outputs: tuple[OnnxValue, ...]
    opsets: dict[str, int]
    producer: str | None
    ir_version: int
    n_parameters: int
    class_labels: tuple[Label, ...] | None

    @property
    def per_column(self) -> bool:
        """One input per feature column (skl2onnx given a DataFrame), as opposed to a matrix."""
        return len(self.inputs) > 1 and all(value.is_column for value in self.inputs)

    @property
    def feature_names(self) -> list[str] | None:
        """The input columns by name, when the model takes one input per column."""
        return [value.name for value in self.inputs] if self.per_column else None

    @property
    def n_features(self) -> int | None:
        """How many columns the model takes, when its inputs say so."""
        if self.per_column:
            return len(self.inputs)
        if len(self.inputs) == 1:
            shape = self.inputs[0].shape
            if shape is not None and len(shape) == 2 and isinstance(shape[1], int):
                return shape[1]
        return None


def load_onnx(path: Path) -> OnnxModel:
    """Load the ONNX file at `path`; raises `CheckpointRefused` for external data outside its
    folder and `CheckpointUnreadable` for a file that does not parse or run."""
    import onnx

    try:
        # The bytes showed a binary protobuf: onnx would otherwise pick a parser by extension.
        proto = onnx.load(str(path), format="protobuf", load_external_data=False)
    except Exception as error:  # protobuf's DecodeError and friends: a damaged file
        raise CheckpointUnreadable(
            f"{path.name}: ONNX could not parse it ({first_line(error)})"
        ) from error
    external = check_external_data(proto, path)
    total = path.stat().st_size + sum(data.stat().st_size for data in external)
    if total > MAX_MODEL_BYTES:
        raise CheckpointUnreadable(
            f"{path.name}: larger than {MAX_MODEL_BYTES:,} bytes with its external data"
        )
    summary = _summary(proto)
    del proto  # freed before onnxruntime reads the file: one copy of the weights at a time
    # onnxruntime's graph checks are native code: a crafted graph crashes only the child.
    probe_onnx(path)
    return OnnxModel(session=_session(path), **summary)


def check_external_data(proto: Any, path: Path) -> set[Path]:
    """The external data files of the model at `path`, each checked to lie inside its folder
    without passing through a symlink; raises `CheckpointRefused` otherwise."""
    import onnx

    folder = path.parent
    files: set[Path] = set()
    for tensor in _tensors(proto):
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        entries = {entry.key: entry.value for entry in tensor.external_data}
        location = entries.get("location")
        if not location:
            raise CheckpointUnreadable(
                f"{path.name}: tensor {tensor.name!r} has external data without a location"
            )
        files.add(_inside(folder, location, path.name, tensor.name))
    return files


def _inside(folder: Path, location: str, model: str, tensor: str) -> Path:
    """The file `location` names in `folder`, refused unless it is plainly inside it."""
    where = f"{model}: tensor {tensor!r} has external data at {location!r}"
    if PurePosixPath(location).is_absolute() or PureWindowsPath(location).is_absolute():
        raise CheckpointRefused(f"{where}, an absolute path")
    if PureWindowsPath(location).drive:
        raise CheckpointRefused(f"{where}, a path on a drive")
    # Split on both separators: a Windows-written `..\\x` must not slip through either.
    parts = [part for part in location.replace("\\", "/").split("/") if part not in ("", ".")]
    # Any `..` is refused, not normalised away: after a symlinked folder, `..` is elsewhere.
    if ".." in parts:
        raise CheckpointRefused(f"{where}, which leaves the model's folder")
    if _MEMORY_ADDRESS_TAG in location or "\x00" in location:
        raise CheckpointRefused(f"{where}, which is not a file name")
    current = folder
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise CheckpointRefused(f"{where}, which passes through a symlink ({part})")
    if not current.exists():
        raise CheckpointUnreadable(f"{where}, which does not exist")
    if not current.is_file():
        raise CheckpointUnreadable(f"{where}, which is not a regular file")
    return current


def _tensors(proto: Any) -> Iterator[Any]:
    """Every tensor a model holds: initializers, constants and attributes, in all subgraphs
    and functions (any of them may point at external data)."""
    yield from _graph_tensors(proto.graph)
    for function in proto.functions:
        for node in function.node:
            yield from _attribute_tensors(node)


def _graph_tensors(graph: Any) -> Iterator[Any]:
    yield from graph.initializer
    for sparse in graph.sparse_initializer:
        yield from (sparse.values, sparse.indices)
    for node in graph.node:
        yield from _attribute_tensors(node)


def _attribute_tensors(node: Any) -> Iterator[Any]:
    for attribute in node.attribute:
        if attribute.HasField("t"):
            yield attribute.t
        yield from attribute.tensors
        sparse_tensors = list(attribute.sparse_tensors)
        if attribute.HasField("sparse_tensor"):
            sparse_tensors.append(attribute.sparse_tensor)
        for sparse in sparse_tensors:
            yield from (sparse.values, sparse.indices)
        if attribute.HasField("g"):
            yield from _graph_tensors(attribute.g)
        for graph in attribute.graphs:
            yield from _graph_tensors(graph)


def _session(path: Path) -> Any:
    """An onnxruntime session on the CPU, from the path so external data loads beside it."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = _cores()
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only: warnings would clutter the build's output
    # Idle threads spin by default, which takes cores from other processes on a shared machine.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # The bytes showed an ONNX protobuf: a `.ort` extension must not pick another parser.
    options.add_session_config_entry("session.load_model_format", "ONNX")
    try:
        return onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as error:  # an invalid graph, an unknown operator, damaged weights
        raise CheckpointUnreadable(
            f"{path.name}: onnxruntime could not load it ({first_line(error)[:600]})"
        ) from error


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _summary(proto: Any) -> dict[str, Any]:
    """What the graph says about the model, so the parsed proto need not be kept."""
    graph = proto.graph
    initialized = {tensor.name for tensor in graph.initializer}
    name = proto.producer_name.strip()
    producer = f"{name} {proto.producer_version.strip()}".strip() if name else None
    return {
        # Old files list initializers among the inputs too; they are weights, not inputs.
        "inputs": tuple(_value(v) for v in graph.input if v.name not in initialized),
        "outputs": tuple(_value(v) for v in graph.output),
        "opsets": {(o.domain or "ai.onnx"): int(o.version) for o in proto.opset_import},
        "producer": producer[:_MAX_PRODUCER] if producer else None,
        "ir_version": int(proto.ir_version),
        "n_parameters": sum(_elements(t) for t in _weights(graph)),
        "class_labels": _class_labels(graph),
    }


def _weights(graph: Any) -> Iterator[Any]:
    """Initializers (the graph's weights), including those of subgraphs."""
    yield from graph.initializer
    for sparse in graph.sparse_initializer:
        yield sparse.values
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("g"):
                yield from _weights(attribute.g)
            for subgraph in attribute.graphs:
                yield from _weights(subgraph)


def _elements(tensor: Any) -> int:
    return math.prod(int(dim) for dim in tensor.dims)


def _value(info: Any) -> OnnxValue:
    kind = info.type.WhichOneof("value")
    if kind != "tensor_type":
        return OnnxValue(info.name, _type_text(info.type), None)
    tensor = info.type.tensor_type
    shape = tuple(_dimension(dim) for dim in tensor.shape.dim) if tensor.HasField("shape") else None
    return OnnxValue(info.name, _element(tensor.elem_type), shape, _numpy_dtype(tensor.elem_type))


def _dimension(dim: Any) -> int | str | None:
    if dim.HasField("dim_value"):
        return int(dim.dim_value)
    return str(dim.dim_param) if dim.HasField("dim_param") else None


def _type_text(type_proto: Any) -> str:
    """An ONNX type as onnxruntime spells it: `tensor(float)`, `seq(map(int64,tensor(float)))`."""
    kind = type_proto.WhichOneof("value")
    if kind == "tensor_type":
        return f"tensor({_element(type_proto.tensor_type.elem_type)})"
    if kind == "sparse_tensor_type":
        return f"sparse_tensor({_element(type_proto.sparse_tensor_type.elem_type)})"
    if kind == "sequence_type":
        return f"seq({_type_text(type_proto.sequence_type.elem_type)})"
    if kind == "optional_type":
        return f"optional({_type_text(type_proto.optional_type.elem_type)})"
    if kind == "map_type":
        key = _element(type_proto.map_type.key_type)
        return f"map({key},{_type_text(type_proto.map_type.value_type)})"
    return str(kind or "unknown")


def _element(elem_type: int) -> str:
    import onnx

    try:
        return str(onnx.TensorProto.DataType.Name(elem_type)).lower()
    except ValueError:
        return f"type {elem_type}"


def _numpy_dtype(elem_type: int) -> np.dtype[Any] | None:
    import onnx.helper

    try:
        return np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem_type))
    except (KeyError, TypeError, ValueError):  # undefined or types numpy lacks (float8 ...)
        return None


def _class_labels(graph: Any) -> tuple[Label, ...] | None:
    """The class labels ZipMap or the ai.onnx.ml classifier nodes name, when they agree."""
    zipmaps: set[tuple[Label, ...]] = set()
    classifiers: set[tuple[Label, ...]] = set()
    for node in graph.node:
        if node.domain != "ai.onnx.ml":
            continue
        for attribute in node.attribute:
            if attribute.name not in _LABEL_ATTRIBUTES:
                continue
            labels: tuple[Label, ...] = (
                tuple(s.decode("utf-8", "replace") for s in attribute.strings)
                if attribute.name == "classlabels_strings"
                else tuple(int(i) for i in attribute.ints)
            )
            if labels:
                (zipmaps if node.op_type == "ZipMap" else classifiers).add(labels)
    for found in (zipmaps, classifiers):
        if len(found) == 1:
            return found.pop()
    return None
