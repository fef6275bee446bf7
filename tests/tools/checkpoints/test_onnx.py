"""ONNX files converted from real scikit-learn models: the facts their graphs give, damaged
files recorded by name, external data outside the model's folder refused, and a build through
the command line whose accuracy is scikit-learn's."""

from __future__ import annotations

import json
import math
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pandas as pd
import pytest
import skl2onnx
from helpers.progress_lines import without_progress
from onnx import numpy_helper
from skl2onnx import to_onnx
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from modeldoc.tools.checkpoints.detect import Format, detect_format
from modeldoc.tools.checkpoints.introspect import checkpoint_facts, describe_checkpoint
from modeldoc.tools.checkpoints.load import (
    CheckpointRefused,
    CheckpointUnreadable,
    load_checkpoint,
)
from modeldoc.tools.checkpoints.onnx_model import OnnxModel

# Column names without spaces: skl2onnx turns `mean radius` into the input `mean_radius`.
CANCER = load_breast_cancer(as_frame=True)
X = CANCER.data.rename(columns=lambda name: name.replace(" ", "_"))
Y = CANCER.target


def save(proto: onnx.ModelProto, path: Path) -> Path:
    path.write_bytes(proto.SerializeToString())
    return path


def initializer_elements(proto: onnx.ModelProto) -> int:
    return sum(math.prod(tensor.dims) for tensor in proto.graph.initializer)


@pytest.fixture(scope="module")
def classifier() -> Pipeline:
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X, Y)


@pytest.fixture(scope="module")
def regressor_proto() -> onnx.ModelProto:
    """A float64 Ridge: skl2onnx writes its weights as initializers (float32 uses attributes)."""
    features, target = load_diabetes(return_X_y=True)
    return to_onnx(Ridge().fit(features, target), features[:1])


def test_matrix_input_classifier_facts(tmp_path: Path, classifier: Pipeline) -> None:
    proto = to_onnx(classifier, X.to_numpy(np.float32)[:1], options={"zipmap": False})
    facts = checkpoint_facts(save(proto, tmp_path / "model.onnx"), "model.onnx")
    assert (facts.format, facts.library, facts.loaded) == ("onnx", "onnx", True)
    assert [(io.name, io.type, io.shape) for io in facts.onnx_inputs] == [
        ("X", "float", [None, 30])
    ]
    assert [(io.name, io.type, io.shape) for io in facts.onnx_outputs] == [
        ("label", "int64", [None]),
        ("probabilities", "float", [None, 2]),
    ]
    assert (facts.n_features, facts.feature_names, facts.classes) == (30, None, [0, 1])
    assert facts.opsets == {(o.domain or "ai.onnx"): o.version for o in proto.opset_import}
    assert "ai.onnx.ml" in facts.opsets
    assert facts.producer == f"skl2onnx {skl2onnx.__version__}"
    assert facts.onnx_ir_version == proto.ir_version
    # Logistic regression's coefficients are node attributes, not initializers.
    assert facts.n_parameters == initializer_elements(proto) == 0


def test_one_input_per_column_names_the_features(tmp_path: Path, classifier: Pipeline) -> None:
    proto = to_onnx(classifier, X[:1].astype(np.float32))  # a DataFrame: one input per column
    facts = checkpoint_facts(save(proto, tmp_path / "model.onnx"), "model.onnx")
    assert facts.feature_names == list(X.columns)
    assert facts.n_features == 30
    assert {(io.type, tuple(io.shape or ())) for io in facts.onnx_inputs} == {("float", (None, 1))}
    assert [(io.name, io.type, io.shape) for io in facts.onnx_outputs] == [
        ("output_label", "int64", [None]),
        ("output_probability", "seq(map(int64,tensor(float)))", None),
    ]


def test_multiclass_string_labels_and_symbolic_dimension(tmp_path: Path) -> None:
    iris = load_iris()
    model = LogisticRegression(max_iter=5000).fit(iris.data, iris.target_names[iris.target])
    proto = to_onnx(model, iris.data[:1].astype(np.float32))
    proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "batch"
    facts = checkpoint_facts(save(proto, tmp_path / "iris.onnx"), "iris.onnx")
    assert facts.classes == ["setosa", "versicolor", "virginica"]
    assert facts.onnx_inputs[0].shape == ["batch", 4]
    assert facts.onnx_outputs[0].type == "string"


def test_regressor_counts_its_initializers(
    tmp_path: Path, regressor_proto: onnx.ModelProto
) -> None:
    facts = checkpoint_facts(save(regressor_proto, tmp_path / "model.onnx"), "model.onnx")
    assert [(io.name, io.type, io.shape) for io in facts.onnx_inputs] == [
        ("X", "double", [None, 10])
    ]
    assert [(io.name, io.type, io.shape) for io in facts.onnx_outputs] == [
        ("variable", "double", [None, 1])
    ]
    assert facts.n_parameters == initializer_elements(regressor_proto)
    assert facts.n_parameters >= 11  # ten coefficients and the intercept
    assert facts.classes is None


def test_truncated_file_is_unreadable_with_its_name(
    tmp_path: Path, regressor_proto: onnx.ModelProto
) -> None:
    data = regressor_proto.SerializeToString()
    path = tmp_path / "model.onnx"
    path.write_bytes(data[: len(data) // 2])
    assert detect_format(path).format == Format.ONNX
    with pytest.raises(CheckpointUnreadable, match=r"^model\.onnx: ONNX could not parse it"):
        load_checkpoint(path)
    facts, loaded = describe_checkpoint(path, "model.onnx")
    assert loaded is None and not facts.loaded
    assert facts.not_loaded_reason is not None and "model.onnx" in facts.not_loaded_reason


@pytest.mark.parametrize("name", ["model.json", "model.ort", "model.txtpb"])
def test_loads_by_its_bytes_whatever_the_extension(
    tmp_path: Path, regressor_proto: onnx.ModelProto, name: str
) -> None:
    facts = checkpoint_facts(save(regressor_proto, tmp_path / name), name)
    assert (facts.format, facts.loaded, facts.n_features) == ("onnx", True, 10)


def test_onnx_named_pickle_is_a_pickle(tmp_path: Path) -> None:
    path = tmp_path / "model.onnx"
    path.write_bytes(pickle.dumps({"weights": [1.0, 2.0]}))
    assert detect_format(path).format == Format.PICKLE


def save_with_external_data(proto: onnx.ModelProto, folder: Path) -> Path:
    """The model as `folder/model.onnx` with its weights in `folder/weights.bin`."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = onnx.ModelProto()
    copy.CopyFrom(proto)  # save_model moves the tensors of the proto it is given
    # Only tensors held as raw bytes go external: move the weights. Reshape's shape stays
    # inline, as exporters keep small tensors (onnxruntime cannot infer shapes from a file).
    for tensor in copy.graph.initializer:
        if tensor.data_type == onnx.TensorProto.DOUBLE:
            array = numpy_helper.to_array(tensor)
            tensor.CopyFrom(numpy_helper.from_array(array, tensor.name))
    path = folder / "model.onnx"
    onnx.save_model(
        copy, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
        location="weights.bin", size_threshold=0,
    )  # fmt: skip
    return path


def point_external_data(path: Path, location: str) -> None:
    """Rewrite the model at `path` so its external data is at `location`."""
    proto = onnx.load(str(path), load_external_data=False)
    for tensor in proto.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = location
    save(proto, path)


def test_external_data_inside_the_folder_loads(
    tmp_path: Path, regressor_proto: onnx.ModelProto
) -> None:
    path = save_with_external_data(regressor_proto, tmp_path / "model")
    assert (tmp_path / "model" / "weights.bin").stat().st_size > 0
    stored = onnx.load(str(path), load_external_data=False).graph.initializer
    assert sum(tensor.data_location == onnx.TensorProto.EXTERNAL for tensor in stored) == 2
    facts, loaded = describe_checkpoint(path, "model.onnx")
    assert facts.loaded and facts.n_parameters == initializer_elements(regressor_proto)
    assert loaded is not None and isinstance(loaded.model, OnnxModel)
    features, target = load_diabetes(return_X_y=True)
    (values,) = loaded.model.session.run(None, {"X": features})
    np.testing.assert_allclose(values.ravel(), Ridge().fit(features, target).predict(features))


@pytest.fixture
def external(tmp_path: Path, regressor_proto: onnx.ModelProto) -> Path:
    """A model in `tmp_path/model/` whose weights also lie outside it, in `tmp_path/outside/`."""
    path = save_with_external_data(regressor_proto, tmp_path / "model")
    (tmp_path / "outside").mkdir()
    weights = (tmp_path / "model" / "weights.bin").read_bytes()
    (tmp_path / "outside" / "weights.bin").write_bytes(weights)
    (tmp_path / "outside.bin").write_bytes(weights)
    return path


def test_external_data_leaving_the_folder_is_refused(external: Path) -> None:
    point_external_data(external, "../outside.bin")
    with pytest.raises(CheckpointRefused, match=r"'\.\./outside\.bin', which leaves"):
        load_checkpoint(external)


def test_external_data_at_an_absolute_path_is_refused(external: Path) -> None:
    absolute = external.parent.parent / "outside" / "weights.bin"
    point_external_data(external, str(absolute))
    with pytest.raises(CheckpointRefused, match="an absolute path"):
        load_checkpoint(external)


@pytest.mark.parametrize("link", ["file", "folder"])
def test_external_data_through_a_symlink_is_refused(external: Path, link: str) -> None:
    folder = external.parent
    if link == "file":
        (folder / "weights.bin").unlink()
        (folder / "weights.bin").symlink_to(folder.parent / "outside" / "weights.bin")
    else:
        (folder / "sub").symlink_to(folder.parent / "outside", target_is_directory=True)
        point_external_data(external, "sub/weights.bin")
    with pytest.raises(CheckpointRefused, match="passes through a symlink"):
        load_checkpoint(external)


def test_external_data_as_a_memory_address_is_refused(external: Path) -> None:
    point_external_data(external, "*/_ORT_MEM_ADDR_/*")
    with pytest.raises(CheckpointRefused, match="not a file name"):
        load_checkpoint(external)


def test_missing_external_data_is_unreadable(external: Path) -> None:
    point_external_data(external, "missing.bin")
    with pytest.raises(CheckpointUnreadable, match=r"'missing\.bin', which does not exist"):
        load_checkpoint(external)


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "modeldoc", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("inputs", ["matrix", "columns"])
def test_build_evaluates_an_onnx_model_like_sklearn(tmp_path: Path, inputs: str) -> None:
    train_x, test_x, train_y, test_y = train_test_split(X, Y, test_size=0.3, random_state=0)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    model.fit(train_x, train_y)
    sample = train_x[:1].astype(np.float32)
    proto = to_onnx(model, sample.to_numpy() if inputs == "matrix" else sample)
    repo = tmp_path / "repo"
    repo.mkdir()
    save(proto, repo / "model.onnx")
    test = test_x.assign(target=test_y)
    test.to_csv(repo / "test.csv", index=False)
    (repo / "train.py").write_text("from sklearn.linear_model import LogisticRegression\n")
    out = tmp_path / "out"
    result = run("build", repo, "--model", repo / "model.onnx", "--data", repo / "test.csv",
                 "--target", "target", "--out", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    facts = json.loads((out / "facts.json").read_text())
    (checkpoint,) = facts["checkpoints"]
    assert (checkpoint["library"], checkpoint["loaded"], checkpoint["n_features"]) == (
        "onnx",
        True,
        30,
    )
    rows = pd.read_csv(repo / "test.csv")
    expected = skm.accuracy_score(rows["target"], model.predict(rows[list(X.columns)]))
    metrics = {m["name"]: m for m in facts["evaluation"]["metrics"]}
    assert metrics["accuracy"]["value"] == expected


def test_build_stops_on_external_data_outside_the_folder(external: Path, tmp_path: Path) -> None:
    point_external_data(external, "../outside.bin")
    result = run("build", external.parent, "--model", external, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert len(without_progress(result.stderr).strip().splitlines()) == 1
    assert "leaves the model's folder" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "facts.json").exists()
