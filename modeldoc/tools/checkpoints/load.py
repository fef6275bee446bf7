"""Load a model file safely: formats that cannot run code load without asking; pickles only
with the user's explicit trust, given on the command line.

`CheckpointRefused` stops a build (the CLI exits 2 and says how to opt in, or which cap the
file is over). A file that should load but cannot (truncated, corrupt, from an old library)
raises `CheckpointUnreadable`, which the build records as a fact and goes on without it.
Native parsers (XGBoost, LightGBM, onnxruntime) read the file in a child process first
(`child_load`): one that aborts costs the child, not the build.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modeldoc.errors import first_line
from modeldoc.tools.checkpoints.child_load import probe_trees
from modeldoc.tools.checkpoints.detect import Detection, Format, detect_format
from modeldoc.tools.checkpoints.errors import CheckpointRefused, CheckpointUnreadable
from modeldoc.tools.checkpoints.native_probe import TreeStats
from modeldoc.tools.checkpoints.safetensors_header import (
    SafetensorsError,
    SafetensorsHeader,
    read_header,
)

# The native parsers of XGBoost and LightGBM have crashed on crafted files: cap what they
# read, and let them read it first in a child process (child_load).
MAX_MODEL_BYTES = 1_000_000_000
# Evaluating a booster walks every tree for every row: 200,000 trees took 85 s on 2,000 rows.
MAX_TREES = 100_000
TRUST_PICKLE_HINT = (
    "loading it runs any code it contains; pass --trust-pickle on the command line to load it "
    "anyway (a config file cannot), or save the model with skops, XGBoost JSON or LightGBM text"
)

__all__ = [
    "MAX_MODEL_BYTES",
    "MAX_TREES",
    "TRUST_PICKLE_HINT",
    "CheckpointRefused",
    "CheckpointUnreadable",
    "LoadedCheckpoint",
    "load_checkpoint",
]


@dataclass(frozen=True)
class LoadedCheckpoint:
    """What was loaded and how: the object (None for header-only formats) and its library."""

    path: Path
    detection: Detection
    library: str
    model: object | None = None
    header: SafetensorsHeader | None = None
    trusted_pickle: bool = False
    # The trees of a booster, counted by the child process that read it first.
    trees: TreeStats | None = None


def load_checkpoint(path: Path, *, trust_pickle: bool = False) -> LoadedCheckpoint:
    """Load the model file at `path` by the format its bytes show."""
    detection = detect_format(path)
    if path.stat().st_size > MAX_MODEL_BYTES:
        raise CheckpointUnreadable(f"{path.name}: larger than {MAX_MODEL_BYTES:,} bytes")
    match detection.format:
        case Format.XGBOOST_JSON | Format.XGBOOST_UBJ:
            trees = _within_cap(path, probe_trees("xgboost", path))
            return LoadedCheckpoint(path, detection, "xgboost", model=_xgboost(path), trees=trees)
        case Format.LIGHTGBM_TEXT:
            trees = _within_cap(path, probe_trees("lightgbm", path))
            booster = _lightgbm(path)
            return LoadedCheckpoint(path, detection, "lightgbm", model=booster, trees=trees)
        case Format.SKOPS:
            # Imported here: the allowlist imports scikit-learn's estimators (about a second).
            from modeldoc.tools.checkpoints.skops_file import load_skops

            model, trusted = load_skops(path, trust_pickle=trust_pickle)
            return LoadedCheckpoint(path, detection, "skops", model=model, trusted_pickle=trusted)
        case Format.ONNX:
            # Imported here: onnx_model needs this module's errors, and onnx loads slowly.
            from modeldoc.tools.checkpoints.onnx_model import load_onnx

            return LoadedCheckpoint(path, detection, "onnx", model=load_onnx(path))
        case Format.SAFETENSORS:
            try:
                header = read_header(path)
            except SafetensorsError as error:
                raise CheckpointUnreadable(str(error)) from error
            return LoadedCheckpoint(path, detection, "safetensors", header=header)
        case Format.PICKLE | Format.COMPRESSED:
            if not trust_pickle:
                raise CheckpointRefused(
                    f"{path.name} is a pickle ({detection.evidence}): " + TRUST_PICKLE_HINT
                )
            return LoadedCheckpoint(
                path, detection, "joblib", model=_pickle(path), trusted_pickle=True
            )
        case Format.TORCH_ZIP:
            raise CheckpointRefused(
                f"{path.name} is a PyTorch file holding a pickle; only its state dict could be "
                "read, with torch.load(weights_only=True), which this build does not install"
            )
        case _:
            raise CheckpointUnreadable(
                f"{path.name}: not a model file modeldoc loads ({detection.evidence})"
            )


def _within_cap(path: Path, trees: TreeStats) -> TreeStats:
    """The statistics of a booster that modeldoc can evaluate; refused over `MAX_TREES`."""
    if trees.trees > MAX_TREES:
        raise CheckpointRefused(
            f"{path.name} has {trees.trees:,} trees, over modeldoc's cap of {MAX_TREES:,}: "
            "evaluating it would walk every tree for every row"
        )
    return trees


def _xgboost(path: Path) -> object:
    import xgboost

    booster = xgboost.Booster()
    try:
        booster.load_model(str(path))
    except xgboost.core.XGBoostError as error:
        raise CheckpointUnreadable(
            f"{path.name}: XGBoost could not load it ({first_line(error)})"
        ) from error
    return booster


def _lightgbm(path: Path) -> object:
    import lightgbm

    try:
        return lightgbm.Booster(model_file=str(path))
    except lightgbm.basic.LightGBMError as error:
        raise CheckpointUnreadable(
            f"{path.name}: LightGBM could not load it ({first_line(error)})"
        ) from error


def _pickle(path: Path) -> object:
    import joblib

    try:
        return joblib.load(path)
    except Exception as error:  # an old library version, a missing module, a damaged file
        raise CheckpointUnreadable(f"{path.name}: not loadable ({first_line(error)})") from error
