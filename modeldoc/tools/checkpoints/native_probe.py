"""Run a native model parser on a file in a child process, and report what it found.

LightGBM aborts the whole process (SIGABRT) on some truncated model files, and any native
parser can crash on a crafted one: the child takes that risk instead of the build. It loads
the file with the library's C API through ctypes (no import of the Python package, so it
starts in a fraction of a second), prints one JSON line of cheap facts about the trees, and
exits. The file also runs as a script in the child (`python -I -S native_probe.py ...`), so
the tree statistics need nothing but the standard library.
"""

from __future__ import annotations

import ctypes
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class TreeStats:
    """The shape of a tree ensemble: what Tree SHAP's cost grows with."""

    trees: int
    leaves: int  # summed over the trees
    max_depth: int
    # Sum over the trees of leaves x depth x depth: Tree SHAP's work per explained row.
    shap_work_per_row: int


def tree_stats(trees: Iterable[tuple[Sequence[int], Sequence[int]]]) -> TreeStats:
    """Statistics of trees given as LightGBM keeps them: the (left, right) children of each
    split node, node 0 the root, a negative child a leaf; no split nodes is a single leaf."""
    count = leaves_total = deepest = work = 0
    for left, right in trees:
        leaves, depth = _leaves_and_depth(left, right)
        count += 1
        leaves_total += leaves
        deepest = max(deepest, depth)
        work += leaves * max(depth, 1) ** 2
    return TreeStats(count, leaves_total, deepest, work)


def _leaves_and_depth(left: Sequence[int], right: Sequence[int]) -> tuple[int, int]:
    """Leaves and depth of one tree, walked without recursion (a tree may be a long chain).
    A child index out of range or seen before (a crafted cycle) counts as a leaf."""
    if not left:
        return 1, 0
    seen = {0}
    stack = [(0, 1)]  # a split node, and the depth of its children
    leaves = deepest = 0
    while stack:
        node, depth = stack.pop()
        for child in (left[node], right[node]):
            if child < 0 or child >= len(left) or child >= len(right) or child in seen:
                leaves += 1
                deepest = max(deepest, depth)
            else:
                seen.add(child)
                stack.append((child, depth + 1))
    return leaves, deepest


def lightgbm_trees(lines: Iterable[str]) -> Iterable[tuple[list[int], list[int]]]:
    """(left, right) children of each tree of a LightGBM model text, read line by line (a
    tree of one leaf has empty children lines)."""
    left: list[int] = []
    for line in lines:
        if line.startswith("Tree="):
            left = []
        elif line.startswith("left_child="):
            left = [int(v) for v in line[len("left_child=") :].split()]
        elif line.startswith("right_child="):
            yield left, [int(v) for v in line[len("right_child=") :].split()]
        elif line.startswith("end of trees"):
            return


def xgboost_trees(model: dict[str, object]) -> Iterable[tuple[list[int], list[int]]]:
    """(left, right) children of each tree of an XGBoost model as JSON (gbtree or dart)."""
    booster = _field(_field(model, "learner"), "gradient_booster")
    if isinstance(booster, dict) and "gbtree" in booster:
        booster = booster["gbtree"]
    trees = _field(_field(booster, "model"), "trees")
    for tree in trees if isinstance(trees, list) else []:
        left = _integers(_field(tree, "left_children"))
        right = _integers(_field(tree, "right_children"))
        yield _as_split_nodes(left, right)


def _as_split_nodes(left: list[int], right: list[int]) -> tuple[list[int], list[int]]:
    """XGBoost's children arrays (every node, -1 children on a leaf) in LightGBM's form:
    a child that is a leaf becomes -1, a tree that is one leaf has no split nodes."""
    if not left or left[0] == -1 or len(right) != len(left):
        return [], []

    def split_or_leaf(child: int) -> int:
        is_split = 0 <= child < len(left) and left[child] != -1
        return child if is_split else -1

    return [split_or_leaf(c) for c in left], [split_or_leaf(c) for c in right]


def _integers(value: object) -> list[int]:
    return [int(v) for v in value] if isinstance(value, list) else []


def _field(value: object, key: str) -> object:
    return value.get(key) if isinstance(value, dict) else None


def _probe_lightgbm(library: str, path: str) -> dict[str, object]:
    lib = ctypes.CDLL(library)
    lib.LGBM_GetLastError.restype = ctypes.c_char_p
    iterations = ctypes.c_int(0)
    handle = ctypes.c_void_p()
    status = lib.LGBM_BoosterCreateFromModelfile(
        path.encode(), ctypes.byref(iterations), ctypes.byref(handle)
    )
    if status != 0:
        raise RuntimeError(lib.LGBM_GetLastError().decode("utf-8", "replace"))
    lib.LGBM_BoosterFree(handle)
    with open(path, encoding="utf-8", errors="replace") as lines:
        return asdict(tree_stats(lightgbm_trees(lines)))


def _probe_xgboost(library: str, path: str) -> dict[str, object]:
    lib = ctypes.CDLL(library)
    lib.XGBGetLastError.restype = ctypes.c_char_p
    handle = ctypes.c_void_p()

    def check(status: int) -> None:
        if status != 0:
            raise RuntimeError(lib.XGBGetLastError().decode("utf-8", "replace"))

    check(lib.XGBoosterCreate(None, ctypes.c_uint64(0), ctypes.byref(handle)))
    check(lib.XGBoosterLoadModel(handle, path.encode()))
    length = ctypes.c_uint64(0)
    buffer = ctypes.c_char_p()
    config = json.dumps({"format": "json"}).encode()
    check(lib.XGBoosterSaveModelToBuffer(handle, config, ctypes.byref(length),
                                         ctypes.byref(buffer)))  # fmt: skip
    model = json.loads(ctypes.string_at(buffer, length.value))
    lib.XGBoosterFree(handle)
    return asdict(tree_stats(xgboost_trees(model)))


def _probe_onnx(path: str) -> dict[str, object]:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    options.add_session_config_entry("session.load_model_format", "ONNX")
    onnxruntime.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
    return {}


def _probe_skops(path: str, trusted: str) -> dict[str, object]:
    import skops.io

    skops.io.load(path, trusted=json.loads(trusted))
    return {}


def main(arguments: list[str]) -> int:
    """`KIND [LIBRARY] PATH`: load the file, print one JSON line (`error` when it failed)."""
    kind = arguments[0]
    try:
        if kind == "lightgbm":
            facts = _probe_lightgbm(arguments[1], arguments[2])
        elif kind == "xgboost":
            facts = _probe_xgboost(arguments[1], arguments[2])
        elif kind == "onnx":
            facts = _probe_onnx(arguments[1])
        else:
            facts = _probe_skops(arguments[1], arguments[2])
    except Exception as error:  # the library's own message goes back to the parent
        facts = {"error": (str(error).strip().splitlines() or [type(error).__name__])[0]}
    sys.stdout.write(json.dumps(facts) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
