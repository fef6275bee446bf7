"""Predictions of ONNX models converted with skl2onnx equal the scikit-learn model's, with and
without ZipMap; outputs modeldoc cannot read are an error, never invented numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pandas as pd
import pytest
from onnx import TensorProto, helper
from skl2onnx import to_onnx
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from modeldoc.tools.checkpoints.load import LoadedCheckpoint, load_checkpoint
from modeldoc.tools.evaluate.predict import PredictionError, predict

RTOL = 1e-5  # onnxruntime computes in float32
ATOL = 1e-6  # float32 rounds probabilities below about 1e-7 to 0: relative error 1


def split(frame: pd.DataFrame, target: Any) -> tuple[pd.DataFrame, pd.DataFrame, Any, Any]:
    # Column names without spaces: skl2onnx names one input per column after them.
    frame = frame.rename(columns=lambda name: name.replace(" ", "_").replace("_(cm)", ""))
    return train_test_split(frame, target, test_size=0.3, random_state=0)


def load(tmp_path: Path, proto: onnx.ModelProto) -> LoadedCheckpoint:
    path = tmp_path / "model.onnx"
    path.write_bytes(proto.SerializeToString())
    return load_checkpoint(path)


def convert(model: Pipeline, sample: pd.DataFrame, *, columns: bool, zipmap: bool) -> Any:
    """skl2onnx's conversion: one input per column from a DataFrame, else one matrix."""
    given = sample.astype(np.float32) if columns else sample.to_numpy(np.float32)
    return to_onnx(model, given, options=None if zipmap else {"zipmap": False})


@pytest.fixture(scope="module")
def cancer() -> tuple[Pipeline, pd.DataFrame, Any]:
    data = load_breast_cancer(as_frame=True)
    train_x, test_x, train_y, test_y = split(data.data, data.target)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    return model.fit(train_x, train_y), test_x, test_y


@pytest.mark.parametrize("zipmap", [True, False], ids=["zipmap", "tensor"])
@pytest.mark.parametrize("columns", [True, False], ids=["columns", "matrix"])
def test_binary_classifier_matches_sklearn(
    tmp_path: Path, cancer: tuple[Pipeline, pd.DataFrame, Any], columns: bool, zipmap: bool
) -> None:
    model, test_x, test_y = cancer
    loaded = load(tmp_path, convert(model, test_x[:1], columns=columns, zipmap=zipmap))
    predictions = predict(loaded, test_x)
    assert predictions.task == "classification"
    assert predictions.labels == [0, 1]
    # scikit-learn on the float32 values onnxruntime sees
    rows = test_x.astype(np.float32)
    np.testing.assert_array_equal(predictions.y_pred, model.predict(rows))
    assert predictions.proba is not None and predictions.proba.shape == (len(test_x), 2)
    np.testing.assert_allclose(predictions.proba, model.predict_proba(rows), rtol=RTOL, atol=ATOL)
    assert skm.accuracy_score(test_y, predictions.y_pred) == skm.accuracy_score(
        test_y, model.predict(test_x)
    )


@pytest.mark.parametrize("zipmap", [True, False], ids=["zipmap", "tensor"])
def test_multiclass_string_labels_match_sklearn(tmp_path: Path, zipmap: bool) -> None:
    iris = load_iris(as_frame=True)
    train_x, test_x, train_y, test_y = split(iris.data, iris.target_names[iris.target])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    model.fit(train_x, train_y)
    loaded = load(tmp_path, convert(model, test_x[:1], columns=True, zipmap=zipmap))
    predictions = predict(loaded, test_x)
    assert predictions.labels == ["setosa", "versicolor", "virginica"] == list(model.classes_)
    rows = test_x.astype(np.float32)
    np.testing.assert_array_equal(predictions.y_pred, model.predict(rows))
    assert predictions.proba is not None
    np.testing.assert_allclose(predictions.proba, model.predict_proba(rows), rtol=RTOL, atol=ATOL)
    assert skm.accuracy_score(test_y, predictions.y_pred) == skm.accuracy_score(
        test_y, model.predict(test_x)
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_regressor_matches_sklearn(tmp_path: Path, dtype: type) -> None:
    data = load_diabetes(as_frame=True)
    train_x, test_x, train_y, _ = split(data.data, data.target)
    model = LinearRegression().fit(train_x, train_y)
    loaded = load(tmp_path, to_onnx(model, train_x[:1].to_numpy(dtype)))
    predictions = predict(loaded, test_x)
    assert (predictions.task, predictions.proba, predictions.labels) == ("regression", None, None)
    assert predictions.y_pred.shape == (len(test_x),)
    expected = model.predict(test_x.astype(dtype))
    np.testing.assert_allclose(
        predictions.y_pred, expected, rtol=RTOL if dtype is np.float32 else 1e-12
    )


def test_raw_scores_are_not_taken_for_probabilities(
    tmp_path: Path, cancer: tuple[Pipeline, pd.DataFrame, Any]
) -> None:
    model, test_x, _ = cancer
    options = {LogisticRegression: {"raw_scores": True, "zipmap": False}}
    loaded = load(tmp_path, to_onnx(model, test_x[:1].to_numpy(np.float32), options=options))
    predictions = predict(loaded, test_x)
    assert predictions.proba is None and predictions.labels == [0, 1]
    np.testing.assert_array_equal(predictions.y_pred, model.predict(test_x.astype(np.float32)))


def test_data_that_does_not_fit_the_inputs(
    tmp_path: Path, cancer: tuple[Pipeline, pd.DataFrame, Any]
) -> None:
    model, test_x, _ = cancer
    matrix = load(tmp_path, convert(model, test_x[:1], columns=False, zipmap=False))
    with pytest.raises(PredictionError, match="'X' takes 30 columns, the data has 29"):
        predict(matrix, test_x.iloc[:, 1:])
    columns = load(tmp_path, convert(model, test_x[:1], columns=True, zipmap=True))
    with pytest.raises(PredictionError, match=r"no column for the inputs mean_radius$"):
        predict(columns, test_x.drop(columns=["mean_radius"]))


def graph_model(outputs: list[onnx.ValueInfoProto], nodes: list[onnx.NodeProto]) -> Any:
    """A hand-made model of three float features, for layouts skl2onnx does not write."""
    features = helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 3])
    graph = helper.make_graph(nodes, "layout", [features], outputs)
    # The producer's name puts "onnx" in the first bytes, which format detection looks for;
    # IR version 10, as skl2onnx writes: onnx 1.23's default is newer than onnxruntime reads.
    opsets = [helper.make_opsetid("", 17)]
    return helper.make_model(graph, opset_imports=opsets, producer_name="onnx-test", ir_version=10)


def test_unknown_output_layout_is_an_error(tmp_path: Path) -> None:
    same = helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 3])
    loaded = load(tmp_path, graph_model([same], [helper.make_node("Identity", ["X"], ["Y"])]))
    with pytest.raises(PredictionError, match=r"outputs \(Y: float\[None, 3\]\) are not a layout"):
        predict(loaded, pd.DataFrame(np.ones((4, 3)), columns=["a", "b", "c"]))


def test_probabilities_without_class_labels_are_an_error(tmp_path: Path) -> None:
    label = helper.make_tensor_value_info("label", TensorProto.INT64, [None])
    proba = helper.make_tensor_value_info("proba", TensorProto.FLOAT, [None, 3])
    nodes = [
        helper.make_node("Softmax", ["X"], ["proba"], axis=1),
        helper.make_node("ArgMax", ["X"], ["label"], axis=1, keepdims=0),
    ]
    loaded = load(tmp_path, graph_model([label, proba], nodes))
    with pytest.raises(PredictionError, match="3 class scores but does not name the classes"):
        predict(loaded, pd.DataFrame(np.eye(3), columns=["a", "b", "c"]))
