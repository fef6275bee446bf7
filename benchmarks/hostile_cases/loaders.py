"""Hostile model files: a skops file that runs a command, a truncated LightGBM text that
aborts its parser, an XGBoost tree 20,000 levels deep, a LightGBM model of 200,000 trees.

The large models are written as text (no training): a one-split tree taken from a tiny
trained model, then repeated or chained.
"""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import Case

ROWS = 2_000
FEATURES = ["f0", "f1", "f2", "f3"]
CHAIN_DEPTH = 20_000
MANY_TREES = 200_000


def _rows(count: int) -> pd.DataFrame:
    """Random features and a 0/1 target that depends on `f0`."""
    generator = np.random.default_rng(0)
    frame = pd.DataFrame(generator.normal(size=(count, len(FEATURES))), columns=FEATURES)
    frame["label"] = (frame["f0"] + generator.normal(size=count) > 0).astype(int)
    return frame


def evaluation_rows(folder: Path, count: int = ROWS) -> Path:
    """A CSV of `count` evaluation rows."""
    path = folder / "test.csv"
    _rows(count).to_csv(path, index=False)
    return path


def _tiny_lightgbm_text() -> str:
    import lightgbm

    data = _rows(200)
    booster = lightgbm.train(
        {"objective": "binary", "num_leaves": 2, "verbose": -1},
        lightgbm.Dataset(data[FEATURES], data["label"]),
        num_boost_round=1,
    )
    return str(booster.model_to_string())


def many_trees_lightgbm(path: Path, trees: int = MANY_TREES) -> None:
    """A LightGBM model text of `trees` copies of one small tree."""
    text = _tiny_lightgbm_text()
    head, rest = text.split("Tree=0\n", 1)
    body, tail = rest.split("end of trees", 1)
    body = body.rstrip("\n") + "\n\n\n"
    blocks = [f"Tree={i}\n{body}" for i in range(trees)]
    sizes = " ".join(str(len(block)) for block in blocks)
    lines = [
        f"tree_sizes={sizes}" if line.startswith("tree_sizes=") else line
        for line in head.split("\n")
    ]
    with path.open("w") as handle:
        handle.write("\n".join(lines))
        handle.writelines(blocks)
        handle.write("end of trees" + tail)


def truncated_lightgbm(path: Path) -> None:
    """A LightGBM model text cut inside its first tree: LightGBM aborts the process on it."""
    text = _tiny_lightgbm_text()
    path.write_text(text[: text.index("Tree=0") + 60])


def chain_xgboost(path: Path, depth: int = CHAIN_DEPTH) -> None:
    """An XGBoost JSON model of one tree `depth` levels deep: each split sends one side to a
    leaf and the other to the next split."""
    import xgboost

    data = _rows(200)
    model = xgboost.XGBClassifier(n_estimators=1, max_depth=1).fit(data[FEATURES], data["label"])
    document = json.loads(model.get_booster().save_raw("json"))
    trees = document["learner"]["gradient_booster"]["model"]["trees"]
    trees[0] = _chain_tree(trees[0], depth)
    path.write_text(json.dumps(document))


def _chain_tree(template: dict[str, Any], depth: int) -> dict[str, Any]:
    nodes = 2 * depth + 1
    tree = copy.deepcopy(template)
    left = [-1] * nodes
    right = [-1] * nodes
    parents = [2147483647] * nodes
    for level in range(depth):
        split = 2 * level
        left[split], right[split] = split + 1, split + 2
        parents[split + 1] = parents[split + 2] = split
    tree.update(
        left_children=left,
        right_children=right,
        parents=parents,
        split_indices=[(i // 2) % len(FEATURES) if i % 2 == 0 else 0 for i in range(nodes)],
        split_conditions=[0.001 * (i % 7) for i in range(nodes)],
        split_type=[0] * nodes,
        default_left=[1] * nodes,
        base_weights=[0.01] * nodes,
        loss_changes=[1.0] * nodes,
        sum_hessian=[float(nodes - i) for i in range(nodes)],
    )
    tree["tree_param"] = {**tree["tree_param"], "num_nodes": str(nodes)}
    return tree


def command_skops(path: Path, marker: Path) -> list[str]:
    """A skops pipeline whose first step is `sklearn.utils._testing.check_output` (that is,
    `subprocess.check_output`) called on the evaluation frame: its columns are the command."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer
    from skops.io import dump

    columns = ["sh", "-c", f"touch {marker}"]
    frame = pd.DataFrame(np.arange(12.0).reshape(4, 3), columns=columns)
    model = make_pipeline(FunctionTransformer(np.negative), LogisticRegression())
    dump(model.fit(frame, [0, 1, 0, 1]), path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(members["schema.json"])
    stack: list[Any] = [schema]
    while stack:  # every function the schema names becomes the helper
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("__loader__") == "FunctionNode":
                node["__module__"], node["__class__"] = "sklearn.utils._testing", "check_output"
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return columns


def _build(folder: Path, model: Path, data: Path, *options: str) -> list[str]:
    repo = folder / "repo"
    return ["build", str(repo), "--model", str(model), "--data", str(data), "--target", "label",
            "--out", str(folder / "out"), "--no-site", *options]  # fmt: skip


# The explain step may spend its whole time budget (60 s by default) by design: the tree
# cases give it 15 s, so that a build which respects its budget ends within the 60 s limit.
_EXPLAIN_BUDGET = ("--explain-seconds", "15")


def _repo(folder: Path) -> Path:
    repo = folder / "repo"
    repo.mkdir(exist_ok=True)
    return repo


def prepare_skops_command(folder: Path) -> list[str]:
    repo = _repo(folder)
    columns = command_skops(repo / "model.skops", folder / "PWNED")
    frame = pd.DataFrame({**{c: [1.0, 2.0] for c in columns}, "label": [0, 1]})
    frame.to_csv(repo / "test.csv", index=False)
    return _build(folder, repo / "model.skops", repo / "test.csv")


def prepare_truncated_lightgbm(folder: Path) -> list[str]:
    repo = _repo(folder)
    truncated_lightgbm(repo / "model.txt")
    return _build(folder, repo / "model.txt", evaluation_rows(repo))


def prepare_chain_xgboost(folder: Path) -> list[str]:
    repo = _repo(folder)
    chain_xgboost(repo / "model.json")
    return _build(folder, repo / "model.json", evaluation_rows(repo), *_EXPLAIN_BUDGET)


def prepare_many_trees(folder: Path) -> list[str]:
    repo = _repo(folder)
    many_trees_lightgbm(repo / "model.txt")
    return _build(folder, repo / "model.txt", evaluation_rows(repo), *_EXPLAIN_BUDGET)


CASES = [
    Case("loaders: skops runs check_output", prepare_skops_command, exit_codes=(2,)),
    Case("loaders: truncated LightGBM text", prepare_truncated_lightgbm, exit_codes=(0,)),
    Case("loaders: XGBoost tree 20,000 levels", prepare_chain_xgboost),
    Case("loaders: LightGBM of 200,000 trees", prepare_many_trees, exit_codes=(2,)),
]
