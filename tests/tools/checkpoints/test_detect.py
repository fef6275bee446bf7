"""Formats are told apart by their bytes: the extension never decides."""

from __future__ import annotations

import gzip
import json
import pickle
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from modeldoc.tools.checkpoints.detect import Format, detect_format


def _safetensors() -> bytes:
    header = json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}).encode()
    return struct.pack("<Q", len(header)) + header + b"\x00" * 16


def _zip(tmp_path: Path, names: list[str]) -> bytes:
    target = tmp_path / "archive.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name in names:
            archive.writestr(name, b"x")
    return target.read_bytes()


CASES: dict[str, tuple[str, Callable[[Path], bytes]]] = {
    "pickle, named .json": ("model.json", lambda _: pickle.dumps({"a": 1}, protocol=4)),
    "pickle protocol 0": ("model.pkl", lambda _: pickle.dumps([1, 2], protocol=0)),
    "joblib compressed": ("model.joblib", lambda _: gzip.compress(pickle.dumps([1]))),
    "safetensors": ("model.safetensors", lambda _: _safetensors()),
    "xgboost json": (
        "model.json",
        lambda _: b'{"learner": {"attributes": {}}, "version": [3, 1, 0]}',
    ),
    "xgboost ubj": ("model.ubj", lambda _: b"{L\x00\x00\x00\x00\x00\x00\x00\x07learner{"),
    "lightgbm text": ("model.txt", lambda _: b"tree\nversion=v4\nnum_class=1\n"),
    "npy": ("weights.npy", lambda _: b"\x93NUMPY\x01\x00v\x00{'descr': '<f8'}"),
    "hdf5": ("model.h5", lambda _: b"\x89HDF\r\n\x1a\n" + b"\x00" * 16),
    "empty": ("model.onnx", lambda _: b""),
    "unknown": ("model.bin", lambda _: b"hello world"),
    "torch zip": ("model.pt", lambda tmp: _zip(tmp, ["archive/data.pkl", "archive/version"])),
    "skops": ("model.skops", lambda tmp: _zip(tmp, ["schema.json", "a.npy"])),
    "keras": ("model.keras", lambda tmp: _zip(tmp, ["config.json", "model.weights.h5"])),
    "npz": ("arrays.npz", lambda tmp: _zip(tmp, ["a.npy", "b.npy"])),
}
EXPECTED = {
    "pickle, named .json": (Format.PICKLE, True),
    "pickle protocol 0": (Format.PICKLE, True),
    "joblib compressed": (Format.COMPRESSED, True),
    "safetensors": (Format.SAFETENSORS, False),
    "xgboost json": (Format.XGBOOST_JSON, False),
    "xgboost ubj": (Format.XGBOOST_UBJ, False),
    "lightgbm text": (Format.LIGHTGBM_TEXT, False),
    "npy": (Format.NUMPY, False),
    "hdf5": (Format.HDF5, False),
    "empty": (Format.EMPTY, False),
    "unknown": (Format.UNKNOWN, False),
    "torch zip": (Format.TORCH_ZIP, True),
    "skops": (Format.SKOPS, False),
    "keras": (Format.KERAS_ZIP, False),
    "npz": (Format.NUMPY_ZIP, False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_format_from_bytes(tmp_path: Path, case: str) -> None:
    name, make = CASES[case]
    content = make(tmp_path)
    path = tmp_path / name
    path.write_bytes(content)
    detection = detect_format(path)
    assert (detection.format, detection.executes_code) == EXPECTED[case]
    assert detection.evidence


def test_detection_never_unpickles(tmp_path: Path) -> None:
    marker = tmp_path / "marker"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (Path.touch, (str(marker),))

    path = tmp_path / "model.json"
    path.write_bytes(pickle.dumps(Payload()))
    assert detect_format(path).format is Format.PICKLE
    assert not marker.exists()


@pytest.mark.parametrize("producer", ["", "pytorch"])
def test_onnx_without_the_word_onnx_is_onnx(tmp_path: Path, producer: str) -> None:
    """Exporters that write no producer (or another name) still make an ONNX model."""
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
    )
    model = helper.make_model(
        graph, producer_name=producer, opset_imports=[helper.make_opsetid("", 18)]
    )
    target = tmp_path / "weights.bin"
    target.write_bytes(model.SerializeToString())
    assert b"onnx" not in target.read_bytes().lower()
    assert detect_format(target).format is Format.ONNX
    onnx.checker.check_model(model)
