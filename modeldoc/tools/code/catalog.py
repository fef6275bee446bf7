"""What the names of the ML libraries mean: model bases, layers, estimators, loaders, savers.

Every function takes a qualified name (imports resolved, see `imports.py`) and answers from
tables of well-known library names; nothing here reads code. The answers are cached: the same
few hundred names recur across a repository's thousands of calls.
"""

from __future__ import annotations

from functools import lru_cache

from modeldoc.facts import Framework
from modeldoc.facts import InstantiationRole as Role

# One spelling per library, so the tables below need one entry per name.
_CANONICAL_PREFIXES = (
    ("tensorflow.python.keras.", "keras."),
    ("tensorflow.keras.", "keras."),
    ("tf_keras.", "keras."),
    ("keras.src.", "keras."),
    ("pytorch_lightning.", "lightning.pytorch."),
)


@lru_cache(maxsize=8192)
def canonical(qualified: str) -> str:
    """The library-independent spelling of a qualified name (`tensorflow.keras.X` -> `keras.X`)."""
    for prefix, replacement in _CANONICAL_PREFIXES:
        if qualified.startswith(prefix):
            return replacement + qualified[len(prefix) :]
    # `torch.nn.modules.linear.Linear` is `torch.nn.Linear`.
    if qualified.startswith("torch.nn.modules."):
        return "torch.nn." + qualified.rsplit(".", 1)[-1]
    # Lightning 2 re-exports its PyTorch API at the top: `lightning.Trainer`.
    if qualified.startswith("lightning.") and not qualified.startswith(
        ("lightning.pytorch.", "lightning.fabric.")
    ):
        return "lightning.pytorch." + qualified[len("lightning.") :]
    return qualified


# Every last name that a function below can accept matches this pattern: the extractor drops
# other calls (`print`, `x.view`) before any work on them. Widen it whenever a table below
# gains a lower-case name.
CALL_NAME_PATTERN = (
    "^([A-Z].*"
    "|fit|partial_fit|fit_generator|backward|step|train|cv|evaluate|score|compile|add_argument|add"
    "|dump|save|save_model|save_pretrained|save_weights|save_file|save_checkpoint|log_model"
    "|load|loadtxt|genfromtxt|memmap|fromfile|load_dataset|load_from_disk|load_data|read_table"
    "|read_.*|scan_.*|load_.*|fetch_.*|make_.*|get_.*|create_model|from_pretrained|from_config"
    "|train_test_split|random_split|cross_val_score|cross_validate"
    "|.*_score|.*_error|.*_loss|.*_report|.*_matrix|.*_curve|.*_support"
    "|.*schedule.*|adam.*|sgd|rmsprop|adagrad|adadelta|adafactor|lion|lamb|lars|novograd"
    "|resnet.*|resnext.*|wide_resnet.*|vgg.*|efficientnet.*|mobilenet.*|vit_.*|swin_.*"
    "|densenet.*|convnext.*|regnet.*|squeezenet.*|alexnet|googlenet|inception.*)$"
)


def _last(qualified: str) -> str:
    return qualified.rsplit(".", 1)[-1]


def _module(qualified: str) -> str:
    return qualified.rsplit(".", 1)[0] if "." in qualified else ""


def _is_class_name(name: str) -> bool:
    return name[:1].isupper()


# --- model definitions -------------------------------------------------------------------

_MODEL_BASES: dict[str, Framework] = {
    "torch.nn.Module": Framework.PYTORCH,
    "lightning.pytorch.LightningModule": Framework.LIGHTNING,
    "lightning.pytorch.core.LightningModule": Framework.LIGHTNING,
    "lightning.pytorch.core.module.LightningModule": Framework.LIGHTNING,
    "keras.Model": Framework.KERAS,
    "keras.models.Model": Framework.KERAS,
    "keras.Sequential": Framework.KERAS,
    "keras.models.Sequential": Framework.KERAS,
    "keras.layers.Layer": Framework.KERAS,
    "keras.Layer": Framework.KERAS,
    "tensorflow.Module": Framework.KERAS,
    "sklearn.base.BaseEstimator": Framework.SKLEARN,
    "flax.linen.Module": Framework.FLAX,
    "flax.nnx.Module": Framework.FLAX,
    "equinox.Module": Framework.EQUINOX,
    # Hugging Face model bases: the framework of the weights.
    "transformers.PreTrainedModel": Framework.PYTORCH,
    "transformers.modeling_utils.PreTrainedModel": Framework.PYTORCH,
    "transformers.TFPreTrainedModel": Framework.KERAS,
    "transformers.modeling_tf_utils.TFPreTrainedModel": Framework.KERAS,
    "transformers.FlaxPreTrainedModel": Framework.FLAX,
    "transformers.modeling_flax_utils.FlaxPreTrainedModel": Framework.FLAX,
}
# Written without an import (a fragment, a star import): still unambiguous.
_UNIMPORTED_BASES: dict[str, Framework] = {
    "LightningModule": Framework.LIGHTNING,
    "BaseEstimator": Framework.SKLEARN,
}


@lru_cache(maxsize=8192)
def model_framework(qualified_base: str) -> Framework | None:
    """The framework a base class belongs to, or None when it is not a model base."""
    name = canonical(qualified_base)
    if name in _MODEL_BASES:
        return _MODEL_BASES[name]
    if name in _UNIMPORTED_BASES:
        return _UNIMPORTED_BASES[name]
    last = _last(name)
    # Subclassing a concrete library model (nn.Sequential, RandomForestClassifier) makes one too.
    if name.startswith("torch.nn.") and _is_class_name(last) and _module(name) == "torch.nn":
        return Framework.PYTORCH
    if name.startswith("sklearn.") and _is_class_name(last) and not last.endswith("Mixin"):
        return Framework.SKLEARN
    if name.startswith("sklearn.base.") and last.endswith("Mixin"):
        return Framework.SKLEARN
    return None


# --- layers ------------------------------------------------------------------------------

_LAYER_MODULES = (
    "torch.nn",
    "keras.layers",
    "keras",
    "flax.linen",
    "flax.nnx",
    "equinox.nn",
    "torchvision.ops",
)
_NOT_LAYERS = {"Parameter", "Module", "Model", "Input", "Layer", "init", "functional", "utils"}


@lru_cache(maxsize=8192)
def is_layer(qualified: str) -> bool:
    """True when a call builds a layer (`nn.Linear`, `layers.Dense`) or a pretrained backbone."""
    name = canonical(qualified)
    module, last = _module(name), _last(name)
    if module in _LAYER_MODULES and _is_class_name(last) and last not in _NOT_LAYERS:
        return not last.endswith("Loss")
    # Backbones: torchvision.models.resnet18(...), timm.create_model(...), AutoModel.from_pretrained
    if name.startswith("torchvision.models.") or name == "timm.create_model":
        return True
    return name.startswith("transformers.") and last in {"from_pretrained", "from_config"}


@lru_cache(maxsize=8192)
def is_model_container(qualified: str) -> bool:
    """True for calls that return a whole model: `keras.Sequential`, `nn.Sequential` ..."""
    return canonical(qualified) in {
        "keras.Sequential",
        "keras.models.Sequential",
        "keras.Model",
        "keras.models.Model",
        "torch.nn.Sequential",
    }


def container_framework(qualified: str) -> Framework:
    """The framework of a model container call (see `is_model_container`)."""
    return Framework.PYTORCH if canonical(qualified).startswith("torch.") else Framework.KERAS


# --- estimators, optimizers, schedulers, losses -----------------------------------------

_SKLEARN_ESTIMATOR_MODULES = {
    "ensemble", "linear_model", "tree", "svm", "neighbors", "naive_bayes", "neural_network",
    "discriminant_analysis", "gaussian_process", "kernel_ridge", "isotonic", "cluster",
    "mixture", "dummy", "calibration", "multiclass", "multioutput", "semi_supervised",
    "cross_decomposition",
}  # fmt: skip
_SKLEARN_PREPROCESSOR_MODULES = {
    "preprocessing", "impute", "feature_extraction", "feature_selection", "decomposition",
    "random_projection", "kernel_approximation", "manifold",
}  # fmt: skip
_PIPELINE_NAMES = {
    "sklearn.pipeline.Pipeline",
    "sklearn.pipeline.make_pipeline",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.make_union",
    "sklearn.compose.ColumnTransformer",
    "sklearn.compose.make_column_transformer",
    "sklearn.compose.TransformedTargetRegressor",
    "imblearn.pipeline.Pipeline",
}
_GRADIENT_BOOSTING_PREFIXES = {"xgboost": "XGB", "lightgbm": "LGBM", "catboost": "CatBoost"}


@lru_cache(maxsize=8192)
def instantiation_role(qualified: str) -> Role | None:
    """The role of a constructor call in training code, or None when it is none of ours."""
    name = canonical(qualified)
    module, last = _module(name), _last(name)
    if name in _PIPELINE_NAMES:
        return "pipeline"
    if module.startswith("sklearn."):
        submodule = module.split(".")[1]
        if submodule == "model_selection" and last.endswith("CV"):
            return "search"
        if not _is_class_name(last):
            return None
        if submodule in _SKLEARN_ESTIMATOR_MODULES:
            return "estimator"
        if submodule in _SKLEARN_PREPROCESSOR_MODULES:
            return "preprocessor"
        return None
    top = name.split(".", 1)[0]
    if top in _GRADIENT_BOOSTING_PREFIXES and last.startswith(_GRADIENT_BOOSTING_PREFIXES[top]):
        return "estimator"
    return _training_role(name, module, last)


_TRAINERS = {
    "lightning.pytorch.Trainer",
    "transformers.Trainer",
    "transformers.Seq2SeqTrainer",
    "transformers.TrainingArguments",
    "transformers.Seq2SeqTrainingArguments",
    "xgboost.train",
    "xgboost.cv",
    "lightgbm.train",
    "lightgbm.cv",
}


def _training_role(name: str, module: str, last: str) -> Role | None:
    """Trainers, pretrained models, optimizers, schedulers and losses of deep learning."""
    if name in _TRAINERS:
        return "trainer"
    if (name.startswith("transformers.") and last == "from_pretrained") or name in {
        "timm.create_model",
        "torch.hub.load",
    }:
        return "pretrained"
    if module == "torchvision.models" and not _is_class_name(last):
        return "pretrained"  # resnet18(weights=...), vit_b_16(...)
    if module == "torch.optim.lr_scheduler" or module == "keras.optimizers.schedules":
        return "scheduler"
    if module in {"torch.optim", "keras.optimizers"} and _is_class_name(last):
        return "optimizer"
    if module == "transformers" and last.startswith("get_") and "schedule" in last:
        return "scheduler"
    if module == "optax":
        return "scheduler" if "schedule" in last else "optimizer"
    if name in {"keras.callbacks.ReduceLROnPlateau", "keras.callbacks.LearningRateScheduler"}:
        return "scheduler"
    if module == "torch.nn" and last.endswith("Loss"):
        return "loss"
    if module == "keras.losses" and _is_class_name(last):
        return "loss"
    return None


def unimported_estimator(name: str) -> bool:
    """A bare estimator-like class name with no import to resolve it (`LogisticRegression`)."""
    return "." not in name and name.endswith(("Classifier", "Regressor", "Regression"))


# --- data, splits, artefacts -------------------------------------------------------------

_DATA_FUNCTIONS = {
    "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.memmap", "numpy.fromfile",
    "datasets.load_dataset", "datasets.load_from_disk", "tensorflow_datasets.load",
    "pyarrow.parquet.read_table", "pyarrow.csv.read_csv", "torch.utils.data.TensorDataset",
}  # fmt: skip


@lru_cache(maxsize=8192)
def is_data_source(qualified: str) -> bool:
    """True when a call reads a data set (files, hubs, library data sets)."""
    name = canonical(qualified)
    module, last = _module(name), _last(name)
    if name in _DATA_FUNCTIONS:
        return True
    if module in {"pandas", "polars"} and last.startswith(("read_", "scan_")):
        return True
    if module == "sklearn.datasets" and last.startswith(("load_", "fetch_", "make_")):
        return True
    if module == "torchvision.datasets" and _is_class_name(last):
        return True
    # keras.datasets.mnist.load_data()
    return name.startswith("keras.datasets.") and last == "load_data"


_SPLITTERS = {
    "sklearn.model_selection.train_test_split",
    "sklearn.model_selection.KFold",
    "sklearn.model_selection.StratifiedKFold",
    "sklearn.model_selection.GroupKFold",
    "sklearn.model_selection.ShuffleSplit",
    "sklearn.model_selection.StratifiedShuffleSplit",
    "sklearn.model_selection.TimeSeriesSplit",
    "sklearn.model_selection.RepeatedStratifiedKFold",
    "sklearn.model_selection.RepeatedKFold",
    "torch.utils.data.random_split",
}


@lru_cache(maxsize=8192)
def is_split(qualified: str) -> bool:
    """True for train/test splits and cross-validation splitters."""
    # `dataset.train_test_split(test_size=0.1)` (Hugging Face datasets) has no import to resolve.
    return qualified in _SPLITTERS or _last(qualified) == "train_test_split"


# Saver -> index of the positional argument that holds the path.
_SAVERS = {
    "joblib.dump": 1,
    "pickle.dump": 1,
    "cloudpickle.dump": 1,
    "dill.dump": 1,
    "torch.save": 1,
    "torch.jit.save": 1,
    "skops.io.dump": 1,
    "onnx.save": 1,
    "onnx.save_model": 1,
    "safetensors.torch.save_file": 1,
    "safetensors.torch.save_model": 1,
    "numpy.save": 0,
    "tensorflow.saved_model.save": 1,
    "keras.saving.save_model": 1,
    "keras.models.save_model": 1,
}
_SAVER_METHODS = {
    "save_model": 0,
    "save_pretrained": 0,
    "save_weights": 0,
    "save_checkpoint": 0,
    "save": 0,
}


@lru_cache(maxsize=8192)
def saver_path_index(qualified: str, receiver: str | None) -> int | None:
    """Which positional argument of a saving call holds the path; None if it saves nothing."""
    name = canonical(qualified)
    if name in _SAVERS:
        return _SAVERS[name]
    if receiver is None:
        return None
    last = _last(name)
    if last == "save":
        # `.save(...)` is too common to trust alone (images, figures): only on a model object.
        lowered = receiver.lower()
        return 0 if any(word in lowered for word in ("model", "net", "clf", "estimator")) else None
    if name.startswith("mlflow.") and last in {"log_model", "save_model"}:
        return 1
    return _SAVER_METHODS.get(last)
