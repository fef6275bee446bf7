"""The Python extractor on code written in memory: one file at a time."""

from __future__ import annotations

import textwrap

import pytest

from modeldoc.facts import Call, Value
from modeldoc.tools.code.base import FileFacts
from modeldoc.tools.code.models import resolve_models
from modeldoc.tools.code.python import PythonExtractor


def extract(source: str, path: str = "model.py") -> FileFacts:
    return PythonExtractor().extract(path, textwrap.dedent(source).lstrip("\n"))


def literal_args(call: Call) -> list[object]:
    return [(a.name, a.value.value) if a.name else a.value.value for a in call.args]


def test_pytorch_module_layers_parameters_and_lines() -> None:
    facts = extract(
        """
        import torch.nn as nn

        class Attention(nn.Module):
            def __init__(self, dim, heads=8, dim_head=64, *, dropout: float = 0.0, **kwargs):
                super().__init__()
                self.to_qkv = nn.Linear(768, 3072, bias=False)
                self.drop = nn.Dropout(dropout)
        """
    )
    (model,) = resolve_models([facts])
    assert (model.name, model.framework.value, model.source.line) == ("Attention", "pytorch", 3)
    assert model.bases == ["nn.Module"]
    params = {p.name: (p.kind, p.default.value if p.default else None) for p in model.parameters}
    assert params == {
        "dim": ("positional", None),
        "heads": ("positional", 8),
        "dim_head": ("positional", 64),
        "dropout": ("keyword_only", 0.0),
        "kwargs": ("var_keyword", None),
    }
    linear, dropout = model.layers
    assert (linear.callee, linear.qualified, linear.source.line) == (
        "nn.Linear",
        "torch.nn.Linear",
        6,
    )
    assert literal_args(linear) == [768, 3072, ("bias", False)]
    assert dropout.args[0].value.literal is False
    assert dropout.args[0].value.text == "dropout"


@pytest.mark.parametrize(
    ("imports", "base", "framework"),
    [
        ("from torch import nn", "nn.Module", "pytorch"),
        ("import lightning as L", "L.LightningModule", "lightning"),
        ("import pytorch_lightning as pl", "pl.LightningModule", "lightning"),
        ("import tensorflow as tf", "tf.keras.Model", "keras"),
        ("from tensorflow.keras import layers", "layers.Layer", "keras"),
        ("import keras", "keras.layers.Layer", "keras"),
        ("from sklearn.base import BaseEstimator", "BaseEstimator", "scikit-learn"),
        ("import flax.linen as nn", "nn.Module", "flax"),
        ("import equinox as eqx", "eqx.Module", "equinox"),
    ],
)
def test_framework_of_each_base(imports: str, base: str, framework: str) -> None:
    facts = extract(f"{imports}\nclass Net({base}):\n    pass\n")
    (model,) = resolve_models([facts])
    assert model.framework.value == framework


def test_not_a_model() -> None:
    facts = extract(
        "import torch\nclass Helper:\n    pass\nclass Data(torch.utils.data.Dataset):\n    pass\n"
    )
    assert resolve_models([facts]) == []


def test_inheritance_through_the_repositorys_own_classes_across_files() -> None:
    base = extract("import torch.nn as nn\nclass Base(nn.Module):\n    pass\n", "nets/base.py")
    child = extract(
        "from nets.base import Base\nclass Mid(Base):\n    pass\nclass Top(Mid):\n    pass\n",
        "nets/top.py",
    )
    models = {m.name: m for m in resolve_models([base, child])}
    assert models["Top"].framework.value == "pytorch"
    assert models["Top"].via == ["Mid", "Base"]
    assert models["Top"].source.file == "nets/top.py"


def test_cyclic_bases_are_not_models() -> None:
    facts = extract("class A(B):\n    pass\nclass B(A):\n    pass\n")
    assert resolve_models([facts]) == []


def test_own_modules_count_as_layers() -> None:
    facts = extract(
        """
        import torch.nn as nn
        class Block(nn.Module):
            pass
        class Net(nn.Module):
            def __init__(self, n):
                self.blocks = nn.ModuleList([Block() for _ in range(n)])
                self.weight = nn.Parameter(torch.zeros(3))
        """
    )
    net = next(m for m in resolve_models([facts]) if m.name == "Net")
    assert [layer.callee for layer in net.layers] == ["nn.ModuleList", "Block"]


def test_keras_builder_functions() -> None:
    facts = extract(
        """
        from tensorflow import keras
        from tensorflow.keras import layers

        def build_model(num_classes=10, width: int = 128):
            model = keras.Sequential([
                layers.Flatten(input_shape=(28, 28)),
                layers.Dense(width, activation="relu"),
                layers.Dense(num_classes),
            ])
            return model

        def build_functional():
            inputs = keras.Input(shape=(32,))
            x = layers.Dense(64)(inputs)
            return keras.Model(inputs, layers.Dense(1)(x))

        def not_a_builder():
            model = keras.Sequential()
            model.fit(x, y, epochs=3)
        """
    )
    builders = {b.name: b for b in facts.builders}
    assert set(builders) == {"build_model", "build_functional"}
    model = builders["build_model"]
    assert (model.kind, model.framework.value, model.source.line) == (
        "builder_function",
        "keras",
        4,
    )
    assert [layer.callee for layer in model.layers] == [
        "layers.Flatten",
        "layers.Dense",
        "layers.Dense",
    ]
    assert literal_args(model.layers[0]) == [("input_shape", [28, 28])]
    assert [(p.name, p.default.value if p.default else None) for p in model.parameters] == [
        ("num_classes", 10),
        ("width", 128),
    ]
    assert [layer.source.line for layer in builders["build_functional"].layers] == [14, 15]
    fit = [hp for hp in facts.hyperparameters if hp.scope == "fit"]
    assert [(hp.name, hp.value.value) for hp in fit] == [("epochs", 3)]


def test_config_classes_become_hyperparameters() -> None:
    facts = extract(
        """
        from dataclasses import dataclass, field
        from typing import NamedTuple
        from pydantic import BaseModel, Field

        @dataclass(frozen=True)
        class TrainConfig:
            lr: float = 3e-4
            layers: list = field(default_factory=list)
            warmup: int = field(default=100)

        class Settings(BaseModel):
            epochs: int = Field(10, ge=1)
            name: str = "run"

        class Point(NamedTuple):
            x: int = 1
        """,
        "config.py",
    )
    values = {(hp.scope, hp.name): (hp.origin, hp.value.value, hp.source.line) for hp in
              (f for c in facts.classes for f in c.fields)}  # fmt: skip
    assert values == {
        ("TrainConfig", "lr"): ("dataclass", 3e-4, 7),
        ("TrainConfig", "warmup"): ("dataclass", 100, 9),
        ("Settings", "epochs"): ("pydantic", 10, 12),
        ("Settings", "name"): ("pydantic", "run", 13),
        ("Point", "x"): ("namedtuple", 1, 16),
    }


def test_argparse_defaults() -> None:
    facts = extract(
        """
        import argparse
        p = argparse.ArgumentParser()
        p.add_argument("--learning-rate", type=float, default=1e-3)
        p.add_argument("-b", "--batch_size", default=32)
        p.add_argument("--out", dest="output_dir", default="runs")
        p.add_argument("--fp16", action="store_true")
        p.add_argument("data")
        """
    )
    values = {
        hp.name: (hp.value.value, hp.source.line, hp.origin, hp.scope)
        for hp in facts.hyperparameters
    }
    assert values == {
        "learning_rate": (1e-3, 3, "argparse", "p"),
        "batch_size": (32, 4, "argparse", "p"),
        "output_dir": ("runs", 5, "argparse", "p"),
        "fp16": (False, 6, "argparse", "p"),
    }


def test_module_assignments_only_in_training_and_config_files() -> None:
    train = """
        learning_rate = 6e-4
        n_embd = 64 * 6
        params = {"max_depth": 6, "objective": "binary:logistic"}
        __version__ = "1"
        device = get_device()
        loss.backward()
    """
    facts = extract(train, "train.py")
    assert {hp.key: hp.value.value for hp in facts.hyperparameters} == {
        "learning_rate": 6e-4,
        "n_embd": 384,
        "params.max_depth": 6,
        "params.objective": "binary:logistic",
    }
    assert extract("learning_rate = 6e-4\n", "utils.py").hyperparameters == []
    assert len(extract("learning_rate = 6e-4\n", "config/small.py").hyperparameters) == 1


def test_sklearn_pipeline_training_script() -> None:
    facts = extract(
        """
        import joblib
        import pandas as pd
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.metrics import accuracy_score
        from sklearn.model_selection import train_test_split
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        df = pd.read_csv("data/train.csv", sep=";")
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
        rf = RandomForestClassifier(n_estimators=200, max_depth=None)
        pipe = Pipeline([("scale", StandardScaler()), ("rf", rf)])
        pipe.fit(X_train, y_train)
        print(accuracy_score(y_test, pipe.predict(X_test)))
        joblib.dump(pipe, "models/rf.joblib")
        pickle.dump(pipe, open("models/rf.pkl", "wb"))
        """,
        "train.py",
    )
    roles = {(i.role, i.callee) for i in facts.instantiations}
    assert roles == {
        ("pipeline", "Pipeline"),
        ("preprocessor", "StandardScaler"),
        ("estimator", "RandomForestClassifier"),
    }
    rf = next(i for i in facts.instantiations if i.role == "estimator")
    assert rf.qualified == "sklearn.ensemble.RandomForestClassifier"
    assert literal_args(rf) == [("n_estimators", 200), ("max_depth", None)]
    (source,) = facts.data_sources
    assert (source.qualified, literal_args(source), source.source.line) == (
        "pandas.read_csv",
        ["data/train.csv", ("sep", ";")],
        9,
    )
    (split,) = facts.splits
    assert split.test_size and split.test_size.value == 0.2
    assert split.seed and split.seed.value == 42
    assert [(a.qualified, a.path.value if a.path else None) for a in facts.artifacts] == [
        ("joblib.dump", "models/rf.joblib"),
        ("pickle.dump", "models/rf.pkl"),
    ]
    assert [(r.role, r.evidence, r.source.line) for r in facts.script_roles] == [
        ("training", "pipe.fit()", 13),
        ("evaluation", "accuracy_score()", 14),
    ]
    rf_settings = {hp.key: hp.value.value for hp in facts.hyperparameters}
    assert rf_settings["RandomForestClassifier.n_estimators"] == 200


def test_optimizers_schedulers_losses_and_data() -> None:
    facts = extract(
        """
        import numpy as np
        import torch
        from datasets import load_dataset
        from sklearn.datasets import load_iris
        opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10)
        loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
        ds = load_dataset("imdb", split="train")
        arr = np.load("x.npy")
        iris = load_iris(return_X_y=True)
        for batch in loader:
            opt.step()
        torch.save(model.state_dict(), "ckpt.pt")
        """,
        "train.py",
    )
    assert [(i.role, i.qualified) for i in facts.instantiations] == [
        ("optimizer", "torch.optim.AdamW"),
        ("scheduler", "torch.optim.lr_scheduler.StepLR"),
        ("loss", "torch.nn.CrossEntropyLoss"),
    ]
    assert [d.qualified for d in facts.data_sources] == [
        "datasets.load_dataset",
        "numpy.load",
        "sklearn.datasets.load_iris",
    ]
    assert facts.script_roles[0].evidence == "opt.step()"
    assert facts.artifacts[0].path and facts.artifacts[0].path.value == "ckpt.pt"


def test_symbol_table() -> None:
    facts = extract(
        """
        class A:
            def method(self):
                def inner():
                    pass

        def top():
            pass
        """
    )
    assert [(s.qualname, s.kind, s.source.line, s.end_line) for s in facts.symbols] == [
        ("A", "class", 1, 4),
        ("A.method", "method", 2, 4),
        ("A.method.inner", "function", 3, 4),
        ("top", "function", 6, 7),
    ]


def test_syntax_error_keeps_partial_facts() -> None:
    facts = extract(
        """
        import torch.nn as nn
        class Good(nn.Module):
            def __init__(self):
                self.fc = nn.Linear(4, 2)

        def broken(:
            pass

        class AlsoGood(nn.Module):
            pass
        """
    )
    assert [m.name for m in resolve_models([facts])] == ["Good", "AlsoGood"]
    (issue,) = facts.issues
    assert (issue.kind, issue.line) == ("syntax", 6)


def test_notebook_line_mapping() -> None:
    facts = PythonExtractor().extract(
        "nb.ipynb",
        "import torch.nn as nn\n\nclass Net(nn.Module):\n    pass\n",
        lambda line: (line // 3, line),
    )
    (model,) = resolve_models([facts])
    assert (model.source.cell, model.source.line) == (1, 3)


def test_trainers_and_pretrained_models() -> None:
    facts = extract(
        """
        import lightning as L
        import xgboost as xgb
        from transformers import AutoModelForSequenceClassification, TrainingArguments

        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
        args = TrainingArguments(output_dir="out", learning_rate=2e-5, num_train_epochs=3)
        trainer = L.Trainer(max_epochs=10, precision="16-mixed")
        booster = xgb.train({"max_depth": 6}, dtrain, num_boost_round=100)
        trainer.fit(model, loader)
        """,
        "train.py",
    )
    roles = [(i.role, i.qualified) for i in facts.instantiations]
    assert roles == [
        ("pretrained", "transformers.AutoModelForSequenceClassification.from_pretrained"),
        ("trainer", "transformers.TrainingArguments"),
        ("trainer", "lightning.Trainer"),
        ("trainer", "xgboost.train"),
    ]
    assert literal_args(facts.instantiations[0])[0] == "bert-base-uncased"
    settings = {hp.key: hp.value.value for hp in facts.hyperparameters if hp.origin == "call"}
    assert settings["TrainingArguments.learning_rate"] == 2e-5
    assert settings["L.Trainer.max_epochs"] == 10
    assert settings["xgb.train.num_boost_round"] == 100


def test_classmethods_do_not_add_layers() -> None:
    facts = extract(
        """
        import torch.nn as nn
        from transformers import GPT2LMHeadModel

        class GPT(nn.Module):
            def __init__(self):
                self.head = nn.Linear(4, 2)

            @classmethod
            def from_pretrained(cls, name):
                hf = GPT2LMHeadModel.from_pretrained(name)
                return cls()
        """
    )
    (model,) = resolve_models([facts])
    assert [layer.callee for layer in model.layers] == ["nn.Linear"]


def test_repository_classes_are_not_unimported_estimators() -> None:
    facts = extract(
        """
        from sklearn.linear_model import *
        from model import LitClassifier

        class LocalRegressor:
            pass

        a = LitClassifier(lr=0.1)
        b = LocalRegressor(alpha=1.0)
        c = LogisticRegression(C=0.5)
        """,
        "train.py",
    )
    assert [(i.callee, i.role) for i in facts.instantiations] == [
        ("LogisticRegression", "estimator")
    ]


def test_hugging_face_and_submodule_bases() -> None:
    facts = extract(
        """
        from transformers import PreTrainedModel
        from torch.nn.modules.module import Module

        class Mine(PreTrainedModel):
            pass

        class Other(Module):
            pass
        """
    )
    assert [(m.name, m.framework.value) for m in resolve_models([facts])] == [
        ("Mine", "pytorch"),
        ("Other", "pytorch"),
    ]


def test_split_ratios_folds_and_seeds() -> None:
    facts = extract(
        """
        import torch
        from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
        from torch.utils.data import random_split

        TEST_SIZE = 0.25
        RANDOM_STATE = 42
        a = train_test_split(X, y, test_size=TEST_SIZE, random_state=RANDOM_STATE)
        b = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
        c = KFold(10)
        d = random_split(ds, [55000, 5000], generator=torch.Generator().manual_seed(7))
        """,
        "train.py",
    )

    def show(value: Value | None) -> tuple[str, object] | None:
        return None if value is None else (value.text, value.value)

    assert [
        (s.qualified.rsplit(".", 1)[-1], show(s.test_size), show(s.n_splits), show(s.seed))
        for s in facts.splits
    ] == [
        ("train_test_split", ("TEST_SIZE", 0.25), None, ("RANDOM_STATE", 42)),
        ("StratifiedKFold", None, ("5", 5), ("0", 0)),
        ("KFold", None, ("10", 10), None),
        ("random_split", ("[55000, 5000]", 5000), None, ("torch.Generator().manual_seed(7)", 7)),
    ]


def test_artefact_paths() -> None:
    facts = extract(
        """
        import os, pickle
        import tensorflow as tf

        tf.saved_model.save(model, "export/")
        pickle.dump(m, open(os.path.join(out, "m.pkl"), "wb"))
        pickle.dump(m, open("a,b.pkl", "wb"))
        trainer.save_checkpoint("model.ckpt")
        joblib.dump(m, filename="model.joblib")
        """,
        "train.py",
    )
    assert [(a.path.text if a.path else None) for a in facts.artifacts] == [
        '"export/"',
        'os.path.join(out, "m.pkl")',
        '"a,b.pkl"',
        '"model.ckpt"',
        '"model.joblib"',
    ]


def test_settings_under_main_guard() -> None:
    facts = extract(
        """
        if __name__ == "__main__":
            epochs = 20
            loss.backward()
        """,
        "train.py",
    )
    assert [(hp.name, hp.value.value) for hp in facts.hyperparameters] == [("epochs", 20)]


def test_models_built_at_module_level() -> None:
    facts = extract(
        """
        import torch.nn as nn
        from tensorflow import keras
        from tensorflow.keras import layers

        mlp = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))

        seq = keras.Sequential()
        seq.add(layers.Dense(64, activation="relu"))
        seq.add(layers.Dense(10))

        inputs = keras.Input(shape=(32,))
        x = layers.Dense(16)(inputs)
        outputs = layers.Dense(1)(x)
        functional = keras.Model(inputs=inputs, outputs=outputs)
        """,
        "notebook.py",
    )
    found = {m.name: (m.kind, m.framework.value, m.source.line, [c.callee for c in m.layers])
             for m in facts.builders}  # fmt: skip
    assert found == {
        "mlp": ("variable", "pytorch", 5, ["nn.Linear", "nn.ReLU", "nn.Linear"]),
        "seq": ("variable", "keras", 7, ["layers.Dense", "layers.Dense"]),
        "functional": ("variable", "keras", 14, ["layers.Dense", "layers.Dense"]),
    }


def test_deeply_nested_artefact_path_keeps_its_text() -> None:
    facts = extract("import torch\ntorch.save(m, " + "-" * 3000 + "1)\n", "train.py")
    (artefact,) = facts.artifacts
    assert artefact.path is not None and not artefact.path.literal
