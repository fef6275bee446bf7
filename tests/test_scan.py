"""`scan_repository` end to end, on small repositories written the way their authors would."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from helpers.repo import MIT

from modeldoc.facts import Call, Hyperparameter, ModelDefinition, ScanIssue
from modeldoc.tools.scan import ScanResult, scan_repository

# --- helpers -------------------------------------------------------------------------------


def write(root: Path, path: str, text: str) -> Path:
    """Write dedented `text` to `root/path`, creating its folders."""
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return file


def line_of(root: Path, path: str, needle: str) -> int:
    """The 1-based line of the first line of `root/path` that contains `needle`."""
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def python_symbols(root: Path, path: str) -> set[tuple[str, str, int, int]]:
    """(qualname, kind, line, end line) of every class and function, as Python's `ast` sees them."""
    found: set[tuple[str, str, int, int]] = set()

    def visit(node: ast.AST, prefix: str, in_class: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = f"{prefix}{child.name}"
                is_class = isinstance(child, ast.ClassDef)
                kind = "class" if is_class else "method" if in_class else "function"
                found.add((qualname, kind, child.lineno, child.end_lineno or child.lineno))
                visit(child, f"{qualname}.", is_class)
            else:
                visit(child, prefix, in_class)

    visit(ast.parse((root / path).read_text(encoding="utf-8")), "", False)
    return found


def model(result: ScanResult, name: str) -> ModelDefinition:
    (found,) = [m for m in result.code.models if m.name == name]
    return found


def args(call: Call) -> list[object]:
    """Arguments as (name, literal value) or (name, source text) when not a literal."""
    return [(a.name, a.value.value if a.value.literal else a.value.text) for a in call.args]


def where(hp: Hyperparameter) -> tuple[str, int, object, str]:
    return (hp.source.file, hp.source.line, hp.value.value, hp.origin)


def issues(result: ScanResult, kind: str) -> list[ScanIssue]:
    return [issue for issue in result.code.issues if issue.kind == kind]


def facts_text(result: ScanResult) -> str:
    return result.model_dump_json()


def modeldoc(
    *arguments: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m modeldoc ARGUMENTS` in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "modeldoc", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
        env=env,
    )


# --- 1. a PyTorch GPT --------------------------------------------------------------------

GPT_MODEL = '''
    """A small GPT language model."""

    from dataclasses import dataclass

    import torch
    import torch.nn as nn
    from torch.nn import functional as F


    @dataclass
    class GPTConfig:
        block_size: int = 1024
        vocab_size: int = 50304
        n_layer: int = 12
        n_head: int = 12
        n_embd: int = 768
        dropout: float = 0.0
        bias: bool = True


    class CausalSelfAttention(nn.Module):
        def __init__(self, config, flash: bool = True):
            super().__init__()
            assert config.n_embd % config.n_head == 0
            self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
            self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
            self.resid_dropout = nn.Dropout(config.dropout)
            self.n_head = config.n_head
            self.flash = flash

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(C, dim=2)
            q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            return self.resid_dropout(self.c_proj(y))


    class MLP(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.c_fc = nn.Linear(768, 3072, bias=False)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(3072, 768, bias=False)
            self.dropout = nn.Dropout(config.dropout)

        def forward(self, x):
            return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


    class Block(nn.Module):
        def __init__(self, config):
            super().__init__()
            self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
            self.attn = CausalSelfAttention(config)
            self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
            self.mlp = MLP(config)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))


    class GPT(nn.Module):
        def __init__(self, config, tie_weights=True):
            super().__init__()
            self.config = config
            self.wte = nn.Embedding(config.vocab_size, config.n_embd)
            self.wpe = nn.Embedding(config.block_size, config.n_embd)
            self.blocks = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
            self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
            self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
            if tie_weights:
                self.wte.weight = self.lm_head.weight

        def forward(self, idx, targets=None):
            positions = torch.arange(idx.size(1), device=idx.device)
            x = self.wte(idx) + self.wpe(positions)
            for block in self.blocks:
                x = block(x)
            logits = self.lm_head(self.ln_f(x))
            if targets is None:
                return logits, None
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
            return logits, loss

        @torch.no_grad()
        def generate(self, idx, max_new_tokens, temperature=1.0):
            for _ in range(max_new_tokens):
                logits, _ = self(idx[:, -self.config.block_size :])
                probs = F.softmax(logits[:, -1, :] / temperature, dim=-1)
                idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
            return idx
'''

GPT_TRAIN = '''
    """Train the GPT on the tokens in data/train.bin; writes out/ckpt.pt."""

    import os

    import numpy as np
    import torch

    from model import GPT, GPTConfig

    # Settings. n_layer and dropout differ from GPTConfig's defaults; the others agree.
    out_dir = "out"
    batch_size = 12
    block_size = 1024
    n_head = 12
    n_layer = 4
    dropout = 0.1
    learning_rate = 6e-4
    max_iters = 2000

    train_data = np.memmap("data/train.bin", dtype=np.uint16, mode="r")


    def get_batch():
        ix = torch.randint(len(train_data) - block_size, (batch_size,))
        x = torch.stack([torch.from_numpy(train_data[i : i + block_size]) for i in ix])
        y = torch.stack([torch.from_numpy(train_data[i + 1 : i + 1 + block_size]) for i in ix])
        return x.long(), y.long()


    config = GPTConfig(block_size=block_size, n_layer=n_layer, n_head=n_head, dropout=dropout)
    model = GPT(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, betas=(0.9, 0.95))

    for iter_num in range(max_iters):
        X, Y = get_batch()
        logits, loss = model(X, Y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if iter_num % 100 == 0:
            print(f"iter {iter_num}: loss {loss.item():.4f}")

    os.makedirs(out_dir, exist_ok=True)
    torch.save({"model": model.state_dict(), "iter_num": max_iters}, "out/ckpt.pt")
'''


def write_gpt_repo(root: Path) -> Path:
    write(root, "model.py", GPT_MODEL)
    write(root, "train.py", GPT_TRAIN)
    write(root, "README.md", "# gpt-small\n\nA small GPT trained on Shakespeare.\n")
    return root


@pytest.fixture
def gpt(tmp_path: Path) -> tuple[Path, ScanResult]:
    root = write_gpt_repo(tmp_path / "gpt-small")
    return root, scan_repository(root)


def test_gpt_models_frameworks_lines_and_layers(gpt: tuple[Path, ScanResult]) -> None:
    root, result = gpt
    assert [
        (m.name, m.kind, m.framework.value, m.source.file, m.source.line)
        for m in result.code.models
    ] == [
        (
            "CausalSelfAttention",
            "class",
            "pytorch",
            "model.py",
            line_of(root, "model.py", "class CausalSelfAttention"),
        ),
        ("MLP", "class", "pytorch", "model.py", line_of(root, "model.py", "class MLP")),
        ("Block", "class", "pytorch", "model.py", line_of(root, "model.py", "class Block")),
        ("GPT", "class", "pytorch", "model.py", line_of(root, "model.py", "class GPT(")),
    ]
    assert all(m.bases == ["nn.Module"] and m.via == [] for m in result.code.models)

    attention = model(result, "CausalSelfAttention")
    c_attn, c_proj, dropout = attention.layers
    assert (c_attn.callee, c_attn.qualified) == ("nn.Linear", "torch.nn.Linear")
    assert c_attn.source.line == line_of(root, "model.py", "self.c_attn = nn.Linear")
    # Non-literal arguments keep their source text.
    assert args(c_attn) == [
        (None, "config.n_embd"),
        (None, "3 * config.n_embd"),
        ("bias", "config.bias"),
    ]
    assert [a.value.literal for a in c_attn.args] == [False, False, False]
    assert args(c_proj) == [
        (None, "config.n_embd"),
        (None, "config.n_embd"),
        ("bias", "config.bias"),
    ]
    assert (dropout.qualified, args(dropout)) == ("torch.nn.Dropout", [(None, "config.dropout")])

    mlp = model(result, "MLP")
    c_fc = mlp.layers[0]
    # Literal arguments keep their values.
    assert args(c_fc) == [(None, 768), (None, 3072), ("bias", False)]
    assert all(a.value.literal for a in c_fc.args)
    assert c_fc.source.line == line_of(root, "model.py", "self.c_fc = nn.Linear(768, 3072")
    assert [layer.qualified for layer in mlp.layers] == [
        "torch.nn.Linear",
        "torch.nn.GELU",
        "torch.nn.Linear",
        "torch.nn.Dropout",
    ]

    # The repository's own modules count as layers of the model that uses them.
    block = model(result, "Block")
    assert [(layer.callee, layer.source.line) for layer in block.layers] == [
        ("nn.LayerNorm", line_of(root, "model.py", "self.ln_1 = ")),
        ("CausalSelfAttention", line_of(root, "model.py", "self.attn = CausalSelfAttention")),
        ("nn.LayerNorm", line_of(root, "model.py", "self.ln_2 = ")),
        ("MLP", line_of(root, "model.py", "self.mlp = MLP")),
    ]
    gpt_model = model(result, "GPT")
    assert [layer.callee for layer in gpt_model.layers] == [
        "nn.Embedding",
        "nn.Embedding",
        "nn.ModuleList",
        "Block",
        "nn.LayerNorm",
        "nn.Linear",
    ]
    lm_head = gpt_model.layers[-1]
    assert args(lm_head) == [
        (None, "config.n_embd"),
        (None, "config.vocab_size"),
        ("bias", False),
    ]


def test_gpt_constructor_parameters_and_defaults(gpt: tuple[Path, ScanResult]) -> None:
    _, result = gpt

    def parameters(name: str) -> list[tuple[str, object]]:
        return [
            (p.name, p.default.value if p.default else "<none>")
            for p in model(result, name).parameters
        ]

    assert parameters("CausalSelfAttention") == [("config", "<none>"), ("flash", True)]
    assert model(result, "CausalSelfAttention").parameters[1].annotation == "bool"
    assert parameters("MLP") == [("config", "<none>")]
    assert parameters("GPT") == [("config", "<none>"), ("tie_weights", True)]


def test_gpt_conflicts_hold_exactly_the_two_overridden_names(gpt: tuple[Path, ScanResult]) -> None:
    root, result = gpt
    conflicts = {conflict.name: conflict for conflict in result.code.conflicts}
    assert sorted(conflicts) == ["dropout", "n_layer"]

    def model_line(name: str) -> int:
        return line_of(root, "model.py", f"    {name}: ")

    def train_line(name: str) -> int:
        return line_of(root, "train.py", f"{name} = ")

    assert [where(hp) for hp in conflicts["n_layer"].values] == [
        ("model.py", model_line("n_layer"), 12, "dataclass"),
        ("train.py", train_line("n_layer"), 4, "assignment"),
    ]
    assert [where(hp) for hp in conflicts["dropout"].values] == [
        ("model.py", model_line("dropout"), 0.0, "dataclass"),
        ("train.py", train_line("dropout"), 0.1, "assignment"),
    ]
    assert [hp.key for hp in conflicts["n_layer"].values] == ["GPTConfig.n_layer", "n_layer"]

    # Same value in both places (block_size, n_head) or only one place: no conflict.
    by_name: dict[str, list[Hyperparameter]] = {}
    for hp in result.code.hyperparameters:
        by_name.setdefault(hp.name, []).append(hp)
    assert [where(hp) for hp in by_name["block_size"]] == [
        ("model.py", model_line("block_size"), 1024, "dataclass"),
        ("train.py", train_line("block_size"), 1024, "assignment"),
    ]
    assert len(by_name["n_head"]) == 2
    for name in ("block_size", "n_head", "vocab_size", "n_embd", "bias", "learning_rate"):
        assert name not in conflicts
    (learning_rate,) = by_name["learning_rate"]
    assert where(learning_rate) == ("train.py", train_line("learning_rate"), 6e-4, "assignment")
    assert learning_rate.value.text == "6e-4"
    # Non-literal settings (`lr=learning_rate`) are not hyperparameter values.
    assert "lr" not in by_name
    (betas,) = by_name["betas"]
    assert (betas.value.value, betas.origin) == ([0.9, 0.95], "call")
    assert betas.source.line == line_of(root, "train.py", "torch.optim.AdamW(")


def test_the_same_number_written_as_int_and_float_is_no_conflict(tmp_path: Path) -> None:
    write(
        tmp_path,
        "config.py",
        """
        from dataclasses import dataclass


        @dataclass
        class TrainConfig:
            dropout: float = 0.0
            weight_decay: float = 0.1
        """,
    )
    write(tmp_path, "configs/base.yaml", "dropout: 0\nweight_decay: 0.2\n")
    result = scan_repository(tmp_path)
    # 0 and 0.0 are one value (`TrainConfig(dropout=0).dropout == 0.0`); 0.1 and 0.2 are two.
    assert [conflict.name for conflict in result.code.conflicts] == ["weight_decay"]


def test_gpt_script_optimizer_data_and_artefact(gpt: tuple[Path, ScanResult]) -> None:
    root, result = gpt
    code = result.code
    (script,) = code.scripts
    assert script.file == "train.py"
    (role,) = script.roles
    assert (role.role, role.evidence, role.source.file, role.source.line) == (
        "training",
        "loss.backward()",
        "train.py",
        line_of(root, "train.py", "loss.backward()"),
    )

    (optimizer,) = code.instantiations
    assert (optimizer.role, optimizer.qualified, optimizer.source.line) == (
        "optimizer",
        "torch.optim.AdamW",
        line_of(root, "train.py", "torch.optim.AdamW("),
    )
    assert args(optimizer) == [
        (None, "model.parameters()"),
        ("lr", "learning_rate"),
        ("betas", [0.9, 0.95]),
    ]

    (data,) = code.data_sources
    assert (data.qualified, data.source.file, data.source.line) == (
        "numpy.memmap",
        "train.py",
        line_of(root, "train.py", "np.memmap("),
    )
    assert data.args[0].value.value == "data/train.bin"

    (artefact,) = code.artifacts
    assert artefact.qualified == "torch.save"
    assert artefact.path is not None
    assert artefact.path.value == "out/ckpt.pt"
    assert artefact.source.line == line_of(root, "train.py", "torch.save(")
    assert code.splits == []


def test_gpt_symbols_include_every_class_and_function(gpt: tuple[Path, ScanResult]) -> None:
    root, result = gpt
    for path in ("model.py", "train.py"):
        found = {
            (s.qualname, s.kind, s.source.line, s.end_line)
            for s in result.code.symbols
            if s.source.file == path
        }
        assert found == python_symbols(root, path), path
    names = {(s.name, s.qualname) for s in result.code.symbols}
    assert ("generate", "GPT.generate") in names
    assert ("get_batch", "get_batch") in names
    assert result.code.languages == {"python": 2}
    assert result.code.issues == []
    assert result.repo.name == "gpt-small"


# --- 2. Keras ----------------------------------------------------------------------------


def test_keras_builder_function_and_compile_fit_settings(tmp_path: Path) -> None:
    write(
        tmp_path,
        "model.py",
        '''
        """A small classifier for MNIST digits."""

        from tensorflow import keras
        from tensorflow.keras import layers


        def build_model(num_classes=10):
            model = keras.Sequential(
                [
                    keras.Input(shape=(28, 28)),
                    layers.Flatten(),
                    layers.Dense(128, activation="relu"),
                    layers.Dropout(0.2),
                    layers.Dense(num_classes, activation="softmax"),
                ]
            )
            return model
        ''',
    )
    write(
        tmp_path,
        "train.py",
        '''
        """Train the digit classifier and save it to mnist.keras."""

        from tensorflow import keras

        from model import build_model

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        x_train, x_test = x_train / 255.0, x_test / 255.0

        model = build_model(num_classes=10)
        model.compile(
            optimizer="adam",
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        model.fit(x_train, y_train, epochs=5, batch_size=32, validation_split=0.1)
        model.evaluate(x_test, y_test, verbose=2)
        model.save("mnist.keras")
        ''',
    )
    result = scan_repository(tmp_path)
    code = result.code

    (builder,) = code.models
    assert (builder.name, builder.kind, builder.framework.value) == (
        "build_model",
        "builder_function",
        "keras",
    )
    assert (builder.source.file, builder.source.line) == (
        "model.py",
        line_of(tmp_path, "model.py", "def build_model"),
    )
    assert builder.bases == ["keras.Sequential"]
    assert [(p.name, p.default.value if p.default else None) for p in builder.parameters] == [
        ("num_classes", 10)
    ]
    assert [(layer.callee, layer.source.line, args(layer)) for layer in builder.layers] == [
        ("layers.Flatten", line_of(tmp_path, "model.py", "layers.Flatten()"), []),
        (
            "layers.Dense",
            line_of(tmp_path, "model.py", "layers.Dense(128"),
            [(None, 128), ("activation", "relu")],
        ),
        ("layers.Dropout", line_of(tmp_path, "model.py", "layers.Dropout("), [(None, 0.2)]),
        (
            "layers.Dense",
            line_of(tmp_path, "model.py", "layers.Dense(num_classes"),
            [(None, "num_classes"), ("activation", "softmax")],
        ),
    ]
    assert builder.layers[0].qualified == "tensorflow.keras.layers.Flatten"

    compile_line = line_of(tmp_path, "train.py", "model.compile(")
    fit_line = line_of(tmp_path, "train.py", "model.fit(")
    settings = {
        hp.key: (hp.value.value, hp.source.file, hp.source.line, hp.origin)
        for hp in code.hyperparameters
    }
    assert settings == {
        "compile.optimizer": ("adam", "train.py", compile_line, "call"),
        "compile.loss": ("sparse_categorical_crossentropy", "train.py", compile_line, "call"),
        "compile.metrics": (["accuracy"], "train.py", compile_line, "call"),
        "fit.epochs": (5, "train.py", fit_line, "call"),
        "fit.batch_size": (32, "train.py", fit_line, "call"),
        "fit.validation_split": (0.1, "train.py", fit_line, "call"),
    }
    assert code.conflicts == []

    (script,) = code.scripts
    assert [(r.role, r.evidence, r.source.line) for r in script.roles] == [
        ("training", "model.fit()", fit_line),
        ("evaluation", "model.evaluate()", line_of(tmp_path, "train.py", "model.evaluate(")),
    ]
    (data,) = code.data_sources
    assert data.callee == "keras.datasets.mnist.load_data"
    (artefact,) = code.artifacts
    assert artefact.path is not None
    assert (artefact.path.value, artefact.source.line) == (
        "mnist.keras",
        line_of(tmp_path, "train.py", "model.save("),
    )


# --- 3. scikit-learn ---------------------------------------------------------------------


CHURN_TRAIN = '''
    """Train the churn classifier on data/churn.csv and save it to model.joblib."""

    import joblib
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    NUMERIC = ["tenure", "monthly_charges"]
    CATEGORICAL = ["contract", "payment_method"]

    df = pd.read_csv("data/churn.csv")
    X = df.drop(columns=["churned"])
    y = df["churned"]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=42, stratify=y
    )

    preprocess = ColumnTransformer(
        [
            ("num", StandardScaler(), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ]
    )
    model = Pipeline(
        [
            ("preprocess", preprocess),
            ("classifier", RandomForestClassifier(n_estimators=200, max_depth=8)),
        ]
    )
    model.fit(X_train, y_train)
    print("accuracy:", accuracy_score(y_test, model.predict(X_test)))
    joblib.dump(model, "model.joblib")
'''


def test_sklearn_pipeline_split_data_artefact_and_repository_facts(tmp_path: Path) -> None:
    root = tmp_path / "churn"
    write(root, "train.py", CHURN_TRAIN)
    write(root, "requirements.txt", "scikit-learn==1.5.2\npandas>=2.0  # data frames\njoblib\n")
    write(root, "LICENSE", MIT)
    write(
        root,
        "README.md",
        """
        # Churn prediction

        Predicts which customers will cancel their contract,
        from account and billing data.

        ## Usage

        Run `python train.py`.
        """,
    )
    write(
        root,
        "configs/train.yaml",
        """
        # Experiment settings
        model:
          n_estimators: 300
          max_depth: 8
        """,
    )
    result = scan_repository(root)
    code, repo = result.code, result.repo

    def at(needle: str) -> int:
        return line_of(root, "train.py", needle)

    assert [(i.role, i.callee, i.source.line) for i in code.instantiations] == [
        ("pipeline", "ColumnTransformer", at("ColumnTransformer(")),
        ("preprocessor", "StandardScaler", at("StandardScaler()")),
        ("preprocessor", "OneHotEncoder", at("OneHotEncoder(")),
        ("pipeline", "Pipeline", at("Pipeline(")),
        ("estimator", "RandomForestClassifier", at("RandomForestClassifier(")),
    ]
    forest = code.instantiations[-1]
    assert forest.qualified == "sklearn.ensemble.RandomForestClassifier"
    assert args(forest) == [("n_estimators", 200), ("max_depth", 8)]

    (split,) = code.splits
    assert split.qualified == "sklearn.model_selection.train_test_split"
    assert split.source.line == at("train_test_split(")
    assert split.test_size is not None and split.seed is not None
    assert (split.test_size.value, split.seed.value, split.train_size) == (0.25, 42, None)

    (data,) = code.data_sources
    assert (data.qualified, data.args[0].value.value, data.source.line) == (
        "pandas.read_csv",
        "data/churn.csv",
        at("pd.read_csv("),
    )
    (artefact,) = code.artifacts
    assert artefact.path is not None
    assert (artefact.qualified, artefact.path.value, artefact.source.line) == (
        "joblib.dump",
        "model.joblib",
        at("joblib.dump("),
    )
    (script,) = code.scripts
    assert [(r.role, r.evidence, r.source.line) for r in script.roles] == [
        ("training", "model.fit()", at("model.fit(")),
        ("evaluation", "accuracy_score()", at("accuracy_score(y_test")),
    ]

    # The YAML file and the code disagree on n_estimators and agree on max_depth.
    (conflict,) = code.conflicts
    assert conflict.name == "n_estimators"
    assert [(hp.key, *where(hp)) for hp in conflict.values] == [
        ("model.n_estimators", "configs/train.yaml", 3, 300, "config_file"),
        (
            "RandomForestClassifier.n_estimators",
            "train.py",
            at("RandomForestClassifier("),
            200,
            "call",
        ),
    ]
    max_depth = [hp for hp in code.hyperparameters if hp.name == "max_depth"]
    assert [hp.source.file for hp in max_depth] == ["configs/train.yaml", "train.py"]

    assert [(d.name, d.specifier, d.source.file, d.source.line) for d in repo.dependencies] == [
        ("scikit-learn", "==1.5.2", "requirements.txt", 1),
        ("pandas", ">=2.0", "requirements.txt", 2),
        ("joblib", "", "requirements.txt", 3),
    ]
    (licence,) = repo.licenses
    assert (licence.spdx, licence.source.file, licence.method) == ("MIT", "LICENSE", "text")
    assert repo.readme is not None
    assert (repo.readme.file, repo.readme.title, repo.readme.title_line) == (
        "README.md",
        "Churn prediction",
        1,
    )
    assert repo.readme.summary == (
        "Predicts which customers will cancel their contract, from account and billing data."
    )
    assert repo.readme.summary_line == 3
    assert repo.name == "churn"
    assert code.issues == []


# --- 4. a notebook -----------------------------------------------------------------------


def notebook(*cells: tuple[str, str]) -> str:
    """nbformat 4 JSON with (cell type, source) cells; sources stored as lists of lines."""
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            },
            "cells": [
                {
                    "cell_type": kind,
                    "id": f"cell-{index}",
                    "metadata": {},
                    "source": textwrap.dedent(source).strip("\n").splitlines(keepends=True),
                    **({"outputs": [], "execution_count": None} if kind == "code" else {}),
                }
                for index, (kind, source) in enumerate(cells)
            ],
        },
        indent=1,
    )


def test_notebook_facts_carry_cell_and_line_inside_the_cell(tmp_path: Path) -> None:
    write(
        tmp_path,
        "notebooks/iris.ipynb",
        notebook(
            ("markdown", "# Iris experiments\n\nA network and a forest on the iris data."),
            (
                "code",
                """
                %matplotlib inline
                import torch
                from torch import nn
                from sklearn.ensemble import RandomForestClassifier
                """,
            ),
            (
                "code",
                """
                class IrisNet(nn.Module):
                    def __init__(self, hidden=16):
                        super().__init__()
                        self.fc1 = nn.Linear(4, hidden)
                        self.fc2 = nn.Linear(hidden, 3)

                    def forward(self, x):
                        return self.fc2(torch.relu(self.fc1(x)))
                """,
            ),
            ("markdown", "## A baseline"),
            (
                "code",
                """
                clf = RandomForestClassifier(n_estimators=50)
                clf.fit(X_train, y_train)
                """,
            ),
        ),
    )
    result = scan_repository(tmp_path)
    code = result.code
    path = "notebooks/iris.ipynb"

    (net,) = code.models
    assert (net.name, net.framework.value) == ("IrisNet", "pytorch")
    assert (net.source.file, net.source.cell, net.source.line) == (path, 2, 1)
    assert str(net.source) == "notebooks/iris.ipynb[cell 2]:1"
    assert [(layer.callee, layer.source.cell, layer.source.line) for layer in net.layers] == [
        ("nn.Linear", 2, 4),
        ("nn.Linear", 2, 5),
    ]
    assert [(p.name, p.default.value if p.default else None) for p in net.parameters] == [
        ("hidden", 16)
    ]

    (forest,) = code.instantiations
    assert (forest.role, forest.qualified, forest.source.cell, forest.source.line) == (
        "estimator",
        "sklearn.ensemble.RandomForestClassifier",
        4,
        1,
    )
    (n_estimators,) = code.hyperparameters
    assert (n_estimators.name, n_estimators.value.value) == ("n_estimators", 50)
    assert (n_estimators.source.cell, n_estimators.source.line) == (4, 1)

    (script,) = code.scripts
    assert script.file == path
    assert [(r.role, r.evidence, r.source.cell, r.source.line) for r in script.roles] == [
        ("training", "clf.fit()", 4, 2)
    ]
    symbols = {(s.qualname, s.kind, s.source.cell, s.source.line, s.end_line) for s in code.symbols}
    assert symbols == {
        ("IrisNet", "class", 2, 1, 8),
        ("IrisNet.__init__", "method", 2, 2, 5),
        ("IrisNet.forward", "method", 2, 7, 8),
    }
    # The magic line is IPython syntax, not a Python syntax error.
    assert code.issues == []
    assert json.loads(result.model_dump_json())["code"]["models"][0]["source"] == {
        "file": path,
        "line": 1,
        "cell": 2,
    }
    assert code.languages == {"python": 1}


# --- 5. hostile repositories -------------------------------------------------------------

GOOD_MODEL = """
    import torch.nn as nn


    class Classifier(nn.Module):
        def __init__(self, features=20, classes=2):
            super().__init__()
            self.head = nn.Linear(features, classes)

        def forward(self, x):
            return self.head(x)
"""


def legit_repo(root: Path) -> Path:
    """A repository with one genuine model, so each test can check the facts are kept."""
    write(root, "model.py", GOOD_MODEL)
    return root


def assert_legit_facts_kept(result: ScanResult) -> None:
    classifier = model(result, "Classifier")
    assert (classifier.source.file, classifier.source.line) == ("model.py", 4)
    assert [layer.callee for layer in classifier.layers] == ["nn.Linear"]


def test_utf16_readme_title_is_read(tmp_path: Path) -> None:
    root = legit_repo(tmp_path / "repo")
    readme = "# Modèle de tri\r\n\r\nClasse les e-mails en « urgent » ou non.\r\n"
    (root / "README.md").write_bytes(readme.encode("utf-16"))  # with a byte order mark
    assert (root / "README.md").read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    result = scan_repository(root)
    assert result.repo.readme is not None
    assert (result.repo.readme.title, result.repo.readme.title_line) == ("Modèle de tri", 1)
    assert result.repo.readme.summary == "Classe les e-mails en « urgent » ou non."
    assert not issues(result, "binary")
    assert_legit_facts_kept(result)


def test_non_utf8_python_file_is_decoded_with_a_warning(tmp_path: Path) -> None:
    root = legit_repo(tmp_path / "repo")
    source = (
        "import torch.nn as nn\n\n# Réseau écrit sous Windows\nclass Net(nn.Module):\n    pass\n"
    )
    (root / "legacy.py").write_bytes(source.encode("cp1252"))
    result = scan_repository(root)
    (warning,) = issues(result, "decoding")
    assert warning.file == "legacy.py"
    assert model(result, "Net").source.line == 4
    assert_legit_facts_kept(result)


BROKEN = """
    import torch.nn as nn


    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(32, 16)


    def train(model, loader{error}
        for batch in loader:
            model(batch)


    class Decoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(16, 32)
"""


def test_syntax_error_keeps_the_facts_around_it_and_records_the_line(tmp_path: Path) -> None:
    root = legit_repo(tmp_path / "repo")
    write(root, "broken.py", BROKEN.replace("loader{error}", "loader batch_size):"))
    result = scan_repository(root)
    (syntax,) = issues(result, "syntax")
    assert (syntax.file, syntax.line) == ("broken.py", line_of(root, "broken.py", "def train("))
    encoder = model(result, "Encoder")
    assert (encoder.source.file, encoder.source.line) == ("broken.py", 4)
    assert [args(layer) for layer in encoder.layers] == [[(None, 32), (None, 16)]]
    # The code after the error is read too.
    decoder = model(result, "Decoder")
    assert decoder.source.line == line_of(root, "broken.py", "class Decoder")
    assert [args(layer) for layer in decoder.layers] == [[(None, 16), (None, 32)]]
    assert "train" in {s.qualname for s in result.code.symbols if s.source.file == "broken.py"}
    assert_legit_facts_kept(result)


def test_unclosed_bracket_keeps_the_facts_before_it(tmp_path: Path) -> None:
    root = legit_repo(tmp_path / "repo")
    # An unclosed bracket runs to the end of the file: only what precedes it is sure.
    write(root, "broken.py", BROKEN.replace("{error}", ":"))
    result = scan_repository(root)
    (syntax,) = issues(result, "syntax")
    assert (syntax.file, syntax.line) == ("broken.py", line_of(root, "broken.py", "def train("))
    assert model(result, "Encoder").source.line == 4
    assert_legit_facts_kept(result)


def test_symlinks_leaving_the_repository_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(
        outside,
        "stolen_model.py",
        """
        import torch.nn as nn


        class StolenNet(nn.Module):
            pass
        """,
    )
    write(outside, "stolen.yaml", "learning_rate: 0.123456\n")
    write(outside, "README.md", "# Outside title\n")
    root = legit_repo(tmp_path / "repo")
    (root / "vendor").symlink_to(outside, target_is_directory=True)
    (root / "stolen_model.py").symlink_to(outside / "stolen_model.py")
    (root / "config.yaml").symlink_to(outside / "stolen.yaml")
    (root / "README.md").symlink_to(outside / "README.md")

    result = scan_repository(root)
    text = facts_text(result)
    assert "StolenNet" not in text
    assert "0.123456" not in text
    assert "Outside title" not in text
    assert result.repo.readme is None
    symlinks = issues(result, "symlink")
    assert {issue.file for issue in symlinks} == {
        "README.md",
        "config.yaml",
        "stolen_model.py",
        "vendor",
    }
    assert all("outside the repository" in issue.message for issue in symlinks)
    assert result.code.files_scanned == 1
    assert_legit_facts_kept(result)


def test_symlink_loops_end(tmp_path: Path) -> None:
    root = legit_repo(tmp_path / "repo")
    write(root, "pkg/layers.py", "import torch.nn as nn\n\n\nclass Head(nn.Module):\n    pass\n")
    (root / "self.py").symlink_to("self.py")  # a link to itself
    (root / "a.py").symlink_to("b.py")
    (root / "b.py").symlink_to("a.py")
    (root / "pkg" / "again").symlink_to("..", target_is_directory=True)  # back to the root
    (root / "pkg" / "same").symlink_to(".", target_is_directory=True)

    started = time.perf_counter()
    result = scan_repository(root)
    assert time.perf_counter() - started < 5
    assert {issue.file for issue in issues(result, "symlink")} == {"a.py", "b.py", "self.py"}
    # Each model once, under its real path.
    assert [(m.name, m.source.file) for m in result.code.models] == [
        ("Classifier", "model.py"),
        ("Head", "pkg/layers.py"),
    ]
    assert result.code.files_scanned == 2
    assert_legit_facts_kept(result)


def test_committed_virtualenv_and_node_modules_are_skipped(tmp_path: Path) -> None:
    root = legit_repo(tmp_path / "repo")
    vendored = """
        import torch.nn as nn


        class {name}(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(1, 1)
    """
    write(root, "venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.7\n")
    write(root, "venv/lib/python3.11/site-packages/torch/nn/x.py", vendored.format(name="TorchX"))
    write(root, "venv/bin/helper.py", vendored.format(name="VenvHelper"))
    write(root, "venv/config.yaml", "lr: 0.777\n")
    # A virtual environment under any name is recognised by its pyvenv.cfg.
    write(root, "py311/pyvenv.cfg", "home = /usr/bin\n")
    write(root, "py311/share/tool.py", vendored.format(name="EnvTool"))
    write(root, "node_modules/some-lib/model.py", vendored.format(name="NodeNet"))
    write(root, "node_modules/some-lib/config.json", '{"lr": 0.888}\n')

    result = scan_repository(root)
    text = facts_text(result)
    for name in ("TorchX", "VenvHelper", "EnvTool", "NodeNet", "0.777", "0.888"):
        assert name not in text
    assert not any(
        s.source.file.startswith(("venv/", "py311/", "node_modules/")) for s in result.code.symbols
    )
    assert result.code.files_scanned == 1
    assert result.code.hyperparameters == []
    assert_legit_facts_kept(result)


def test_binary_python_file_is_skipped_with_a_warning(tmp_path: Path) -> None:
    root = legit_repo(tmp_path / "repo")
    (root / "weights.py").write_bytes(b"\x80\x04\x95" + bytes(range(256)) * 64 + b"\x00\x00")
    result = scan_repository(root)
    (binary,) = issues(result, "binary")
    assert binary.file == "weights.py"
    assert result.code.files_scanned == 1
    assert "weights.py" not in {s.source.file for s in result.code.symbols}
    assert_legit_facts_kept(result)


def test_huge_python_file_is_skipped_with_a_size_warning_quickly(tmp_path: Path) -> None:
    root = legit_repo(tmp_path / "repo")
    line = b"x = nn.Linear(1024, 1024)  # generated\n"
    (root / "generated.py").write_bytes(line * (20_000_000 // len(line) + 1))
    assert (root / "generated.py").stat().st_size > 20_000_000

    started = time.perf_counter()
    result = scan_repository(root)
    assert time.perf_counter() - started < 2
    (size,) = issues(result, "size")
    assert size.file == "generated.py"
    assert result.code.files_scanned == 1
    assert result.code.bytes_scanned < 1_000_000
    assert_legit_facts_kept(result)


def test_gitignored_folder_is_not_read(tmp_path: Path) -> None:
    root = legit_repo(tmp_path / "repo")
    write(root, ".gitignore", "# scratch work\nexperiments/\n*.ckpt\n")
    write(
        root,
        "experiments/run1/model.py",
        """
        import torch.nn as nn


        class Scratch(nn.Module):
            pass
        """,
    )
    write(root, "experiments/run1/config.yaml", "lr: 0.4242\n")
    write(root, "experiments/train_old.py", "import joblib\njoblib.dump(m, 'old.joblib')\n")
    result = scan_repository(root)
    text = facts_text(result)
    for leaked in ("Scratch", "0.4242", "old.joblib", "experiments/"):
        assert leaked not in text
    assert result.code.issues == []
    assert_legit_facts_kept(result)


SECRET = "sk-proj-Zx9TestOnlyNotARealKey0000000000000000"


def test_env_file_is_never_read(tmp_path: Path) -> None:
    root = legit_repo(tmp_path / "repo")
    write(root, ".env", f"OPENAI_API_KEY={SECRET}\n")
    write(root, ".env.production", f"OPENAI_API_KEY={SECRET}\n")
    # A link to the .env file under an innocent name is not followed either.
    (root / "settings.yaml").symlink_to(".env")
    result = scan_repository(root)
    text = facts_text(result)
    assert SECRET not in text
    assert "OPENAI_API_KEY" not in text
    (link,) = issues(result, "symlink")
    assert link.file == "settings.yaml"
    assert result.code.hyperparameters == []
    assert_legit_facts_kept(result)

    completed = modeldoc("scan", "--json", str(root))
    assert completed.returncode == 0, completed.stderr
    assert SECRET not in completed.stdout
    assert SECRET not in completed.stderr


def test_all_hostile_inputs_in_one_repository(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "secret.py", "class OutsideNet:\n    pass\n")
    root = write_gpt_repo(tmp_path / "repo")
    (root / "README.md").write_bytes("# Mixed bag\n\nStill readable.\n".encode("utf-16"))
    write(root, "broken.py", "def f(:\n    pass\n")
    (root / "weights.py").write_bytes(b"PK\x03\x04\x00\x00binary")
    (root / "big.py").write_bytes(b"a = 1\n" * 3_500_000)
    (root / "outside_dir").symlink_to(outside, target_is_directory=True)
    (root / "outside.py").symlink_to(outside / "secret.py")
    (root / "loop.py").symlink_to("loop.py")
    write(root, "venv/pyvenv.cfg", "home = /usr/bin\n")
    write(root, "venv/lib/python3.11/site-packages/torch/nn/x.py", "class VenvNet: pass\n")
    write(root, "node_modules/x/index.py", "class NodeNet: pass\n")
    write(root, ".gitignore", "experiments/\n")
    write(root, "experiments/x.py", "class ExperimentNet: pass\n")
    write(root, ".env", f"OPENAI_API_KEY={SECRET}\n")

    result = scan_repository(root)
    text = facts_text(result)
    for leaked in ("OutsideNet", "VenvNet", "NodeNet", "ExperimentNet", SECRET):
        assert leaked not in text
    kinds = {(issue.kind, issue.file) for issue in result.code.issues}
    assert kinds == {
        ("syntax", "broken.py"),
        ("binary", "weights.py"),
        ("size", "big.py"),
        ("symlink", "outside_dir"),
        ("symlink", "outside.py"),
        ("symlink", "loop.py"),
    }
    # Everything else is as in the clean repository.
    assert result.repo.readme is not None
    assert result.repo.readme.title == "Mixed bag"
    assert [m.name for m in result.code.models] == ["CausalSelfAttention", "MLP", "Block", "GPT"]
    assert [c.name for c in result.code.conflicts] == ["dropout", "n_layer"]


# --- 6. the command line -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_cli_bad_path_is_one_error_line_and_status_2(tmp_path: Path, kind: str) -> None:
    # Long enough that a message wrapped at a terminal's width would take two lines.
    target = tmp_path / ("a-repository-path-long-enough-to-wrap-" * 3)
    if kind == "file":
        target.write_text("print('not a folder')\n", encoding="utf-8")
    completed = modeldoc("scan", str(target))
    assert completed.returncode == 2
    assert completed.stdout == ""
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("modeldoc: error: ")
    assert str(target) in lines[0]
    assert "Traceback" not in completed.stderr


def test_cli_error_prints_the_path_as_written(tmp_path: Path) -> None:
    # Folder names are data: `:fire:` is no emoji code and `[bold]` no markup.
    # A short relative path, so that the line fits any terminal.
    completed = modeldoc("scan", "runs:fire:[bold]", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr.splitlines() == [
        "modeldoc: error: runs:fire:[bold]: no such file or directory"
    ]


def test_cli_json_output_parses(tmp_path: Path) -> None:
    root = write_gpt_repo(tmp_path / "gpt-small")
    completed = modeldoc("scan", "--json", str(root))
    assert completed.returncode == 0, completed.stderr
    facts = json.loads(completed.stdout)
    assert set(facts) == {"repo", "code"}
    assert facts["repo"]["name"] == "gpt-small"
    assert [m["name"] for m in facts["code"]["models"]] == [
        "CausalSelfAttention",
        "MLP",
        "Block",
        "GPT",
    ]
    assert [c["name"] for c in facts["code"]["conflicts"]] == ["dropout", "n_layer"]
    # The JSON is the library's result, unchanged.
    assert facts == json.loads(scan_repository(root).model_dump_json())


def test_cli_summary_names_models_and_conflicts(tmp_path: Path) -> None:
    root = write_gpt_repo(tmp_path / "gpt-small")
    completed = modeldoc("scan", str(root))
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    for name in ("CausalSelfAttention", "MLP", "Block", "GPT (pytorch, class)"):
        assert name in out
    conflicts = out[out.index("Conflicting values") :]
    assert "n_layer" in conflicts
    assert "dropout" in conflicts
    assert f"4  train.py:{line_of(root, 'train.py', 'n_layer = ')}" in conflicts
    assert f"12  model.py:{line_of(root, 'model.py', '    n_layer: ')}" in conflicts
    assert "block_size" not in conflicts
    assert completed.stderr == ""


def test_cli_json_ignores_the_working_directory_and_terminal_width(tmp_path: Path) -> None:
    # The scan reads the path given, not the working directory; JSON is never wrapped.
    root = legit_repo(tmp_path / "repo")
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere, "model.py", "import torch.nn as nn\n\nclass Elsewhere(nn.Module):\n    pass\n")
    completed = modeldoc(
        "scan", "--json", str(root), cwd=elsewhere, env={**os.environ, "COLUMNS": "40"}
    )
    assert completed.returncode == 0, completed.stderr
    facts = json.loads(completed.stdout)
    assert [m["name"] for m in facts["code"]["models"]] == ["Classifier"]


# --- secrets ------------------------------------------------------------------------------

AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
OPENAI_KEY = "sk-proj-" + "Zq3" * 12
PLAIN_PASSWORD = "hunter2-but-longer"


def test_secrets_never_reach_the_facts(tmp_path: Path) -> None:
    write(
        tmp_path,
        "train.py",
        f"""
        import torch
        from openai import OpenAI

        # Temporary credentials, remove before committing: {AWS_KEY}
        learning_rate = 3e-4
        db_password = "{PLAIN_PASSWORD}"
        client = OpenAI(api_key="{OPENAI_KEY}")
        optimizer = torch.optim.AdamW(params, lr=learning_rate)
        loss.backward()
        """,
    )
    write(
        tmp_path,
        "configs/train.yaml",
        f"""
        optimizer:
          lr: 0.001
        logging:
          wandb_api_key: plain-looking-value
          upload_key_id: {AWS_KEY}
        """,
    )
    write(tmp_path, "README.md", f"# Model\n\nUse the token {OPENAI_KEY} to download the data.\n")
    result = scan_repository(tmp_path)
    dumped = result.model_dump_json()
    for secret in (AWS_KEY, OPENAI_KEY, PLAIN_PASSWORD, "plain-looking-value"):
        assert secret not in dumped
    values = {hp.key: hp.value for hp in result.code.hyperparameters}
    assert values["db_password"].text == "[REDACTED]"
    assert values["logging.wandb_api_key"].text == "[REDACTED]"
    assert values["logging.upload_key_id"].text == "[REDACTED]"
    assert values["learning_rate"].value == 3e-4
    assert values["optimizer.lr"].value == 0.001
    assert result.repo.readme is not None
    assert result.repo.readme.summary == "Use the token [REDACTED] to download the data."
