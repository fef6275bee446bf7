"""Facts about a model file: its bytes (hash, size, format) and what the loaded model says
about itself (class, parameters, pipeline steps, features, classes, trees, weights, and an
ONNX graph's inputs, outputs and operator sets)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from pydantic import JsonValue

from modeldoc.facts import Checkpoint, OnnxIO, PipelineStep, TensorInfo
from modeldoc.tools.checkpoints.detect import detect_format
from modeldoc.tools.checkpoints.load import CheckpointUnreadable, LoadedCheckpoint, load_checkpoint
from modeldoc.tools.checkpoints.onnx_model import OnnxModel, OnnxValue
from modeldoc.tools.files import file_digest

_MAX_TEXT = 200


def checkpoint_facts(path: Path, name: str, *, trust_pickle: bool = False) -> Checkpoint:
    """Facts about the model file at `path`, shown as `name` (see `describe_checkpoint`)."""
    return describe_checkpoint(path, name, trust_pickle=trust_pickle)[0]


def describe_checkpoint(
    path: Path, name: str, *, trust_pickle: bool = False
) -> tuple[Checkpoint, LoadedCheckpoint | None]:
    """Facts about the model file at `path`, and the loaded model when it loaded.

    Raises `CheckpointRefused` (a pickle without trust, types outside the allowlist); a file
    that does not load is a fact with the reason, never an error.
    """
    sha256, size = file_digest(path)
    try:
        loaded = load_checkpoint(path, trust_pickle=trust_pickle)
    except CheckpointUnreadable as error:
        detection = detect_format(path)
        unloaded = Checkpoint(
            file=name,
            sha256=sha256,
            size_bytes=size,
            format=detection.format.value,
            evidence=detection.evidence,
            not_loaded_reason=str(error),
        )
        return unloaded, None
    facts = Checkpoint(
        file=name,
        sha256=sha256,
        size_bytes=size,
        format=loaded.detection.format.value,
        evidence=loaded.detection.evidence,
        library=loaded.library,
        loaded=True,
        trusted_pickle=loaded.trusted_pickle,
        **_describe(loaded),
    )
    return facts, loaded


def _describe(loaded: LoadedCheckpoint) -> dict[str, Any]:
    if loaded.header is not None:
        return {
            "n_parameters": loaded.header.parameters,
            "tensors": [
                TensorInfo(name=t.name, dtype=t.dtype, shape=list(t.shape))
                for t in loaded.header.tensors
            ],
        }
    model = loaded.model
    if loaded.library == "xgboost":
        return _xgboost_booster(model)
    if loaded.library == "lightgbm":
        return _lightgbm_booster(model)
    if isinstance(model, OnnxModel):
        return _onnx(model)
    if hasattr(model, "get_params"):
        return _estimator(model)
    return {"estimator": _qualified(type(model))}


def _xgboost_booster(booster: Any) -> dict[str, Any]:
    config = json.loads(booster.save_config())["learner"]
    classes = int(config["learner_model_param"].get("num_class", "0") or 0)
    return {
        "estimator": _qualified(type(booster)),
        "objective": config["objective"]["name"],
        "n_trees": booster.num_boosted_rounds(),
        "n_features": booster.num_features(),
        "feature_names": list(booster.feature_names) if booster.feature_names else None,
        "classes": list(range(classes)) if classes > 1 else None,
    }


def _lightgbm_booster(booster: Any) -> dict[str, Any]:
    # One tree is enough for the header (0 would dump every tree: a minute on 200,000).
    dump = booster.dump_model(num_iteration=1)
    classes = int(dump.get("num_class", 1))
    return {
        "estimator": _qualified(type(booster)),
        "objective": str(dump.get("objective", "")).split(" ")[0] or None,
        "n_trees": booster.num_trees(),
        "n_features": booster.num_feature(),
        "feature_names": list(booster.feature_name()),
        "classes": list(range(classes)) if classes > 1 else None,
    }


def _onnx(model: OnnxModel) -> dict[str, Any]:
    return {
        "onnx_inputs": [_onnx_io(value) for value in model.inputs],
        "onnx_outputs": [_onnx_io(value) for value in model.outputs],
        "opsets": dict(model.opsets),
        "producer": model.producer,
        "onnx_ir_version": model.ir_version,
        "n_parameters": model.n_parameters,
        "feature_names": model.feature_names,
        "n_features": model.n_features,
        "classes": list(model.class_labels) if model.class_labels is not None else None,
    }


def _onnx_io(value: OnnxValue) -> OnnxIO:
    shape = list(value.shape) if value.shape is not None else None
    return OnnxIO(name=value.name, type=value.type, shape=shape)


def _estimator(model: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "estimator": _qualified(type(model)),
        "parameters": _parameters(model),
    }
    steps = getattr(model, "steps", None)
    if isinstance(steps, list):
        facts["steps"] = [
            PipelineStep(
                name=str(step), estimator=_qualified(type(part)), parameters=_parameters(part)
            )
            for step, part in steps
            if hasattr(part, "get_params")
        ]
    final = steps[-1][1] if isinstance(steps, list) and steps else model
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        facts["feature_names"] = [str(feature) for feature in names]
    count = getattr(model, "n_features_in_", None)
    if isinstance(count, int):
        facts["n_features"] = count
    classes = getattr(final, "classes_", None)
    if classes is not None:
        facts["classes"] = [_json(value) for value in classes]
    trees = getattr(final, "estimators_", None)
    if trees is not None and hasattr(trees, "__len__"):
        facts["n_trees"] = len(trees)
    elif isinstance(getattr(final, "n_estimators", None), int):
        facts["n_trees"] = final.n_estimators
    return facts


def _parameters(model: Any) -> dict[str, JsonValue]:
    try:
        params = model.get_params(deep=False)
    except Exception:  # a broken get_params is the model's problem, not a reason to fail
        return {}
    return {str(key): _json(value) for key, value in sorted(params.items())}


def _json(value: Any) -> JsonValue:
    """A parameter as JSON: plain values as they are, objects by their class or a short repr."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        number = value.item() if hasattr(value, "item") else value
        if isinstance(number, float) and not math.isfinite(number):
            return str(number)
        return number
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        return _json(value.item())
    if isinstance(value, list | tuple) and len(value) <= 100:
        return [_json(item) for item in value]
    if hasattr(value, "get_params") or isinstance(value, type):
        return _qualified(value if isinstance(value, type) else type(value))
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    text = repr(value)
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"


def _qualified(cls: type) -> str:
    module = cls.__module__
    # Public spelling: sklearn.ensemble._forest.RandomForestClassifier -> sklearn.ensemble.
    parts = [part for part in module.split(".") if not part.startswith("_")]
    return ".".join([*parts, cls.__qualname__])
