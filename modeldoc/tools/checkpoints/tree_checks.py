"""Check the node arrays of scikit-learn trees loaded from a skops file before anything
predicts with them.

`sklearn.tree._tree.Tree`, HistGradientBoosting's `TreePredictor` and the neighbours'
`KDTree`/`BallTree` hold raw child, feature and row indices that scikit-learn follows
without bounds checks: a crafted file loads, then crashes the process or reads memory it
should not when the model predicts (skops' own warning). The checks: every child lies
inside the array (after its parent, so a walk ends), every split feature is a column the
model is given, every categorical split has its bitsets, every row index is a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from modeldoc.tools.checkpoints.errors import CheckpointUnreadable

# Objects visited at most: a fitted forest of 1,000 trees holds a few thousand.
_MAX_OBJECTS = 5_000_000
# Estimators that hand each part a different set of columns: their parts' widths are theirs.
_COMPOSITE_ATTRIBUTES = ("steps", "transformers", "transformer_list")


def check_trees(model: object, name: str) -> None:
    """Raise `CheckpointUnreadable` when a tree inside `model` has indices out of range."""
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
    from sklearn.neighbors import BallTree, KDTree
    from sklearn.tree._tree import Tree

    for found, width, owner in _objects(model, name):
        if isinstance(found, Tree):
            problem = _tree_problem(found, width)
        elif isinstance(found, TreePredictor):
            problem = _predictor_problem(found, width, owner)
        elif isinstance(found, KDTree | BallTree):
            problem = _neighbors_problem(found)
        else:
            continue
        if problem:
            raise CheckpointUnreadable(f"{name}: a tree in it is malformed ({problem})")


def _objects(model: object, name: str) -> Iterator[tuple[object, int | None, object]]:
    """Every object reachable from `model` through attributes, lists, tuples, dicts and
    object arrays, with the fewest columns any estimator on its path takes (the columns a
    tree inside it is given), and the nearest object with attributes that holds it."""
    seen: set[int] = set()
    stack: list[tuple[object, int | None, object]] = [(model, None, None)]
    while stack:
        found, width, owner = stack.pop()
        if id(found) in seen:
            continue
        if len(seen) >= _MAX_OBJECTS:  # a tree past the cap would go unchecked: refuse
            raise CheckpointUnreadable(f"{name}: more than {_MAX_OBJECTS:,} objects to check")
        seen.add(id(found))
        yield found, width, owner
        columns = getattr(found, "n_features_in_", None) if hasattr(found, "__dict__") else None
        if isinstance(columns, int | np.integer):
            width = int(columns) if width is None else min(width, int(columns))
        if any(hasattr(found, attribute) for attribute in _COMPOSITE_ATTRIBUTES):
            width = None
        holder = found if hasattr(found, "__dict__") else owner
        stack.extend((part, width, holder) for part in _parts(found))


def _parts(found: object) -> list[object]:
    if isinstance(found, np.ndarray):
        return list(found.ravel()) if found.dtype == object else []
    if isinstance(found, dict):
        return list(found.values())
    if isinstance(found, list | tuple | set | frozenset):
        return list(found)
    attributes = getattr(found, "__dict__", None)
    return list(attributes.values()) if isinstance(attributes, dict) else []


def _children_problem(left: np.ndarray, right: np.ndarray, is_leaf: np.ndarray) -> str | None:
    """Split nodes' children must come after them and lie inside the array."""
    count = len(left)
    positions = np.arange(count)
    splits = ~is_leaf
    for children in (left, right):
        inside = (children[splits] > positions[splits]) & (children[splits] < count)
        if not bool(np.all(inside)):
            return "a child index is out of range"
    return None


def _tree_problem(tree: Any, width: int | None) -> str | None:
    state = tree.__getstate__()
    nodes, count = state["nodes"], int(state["node_count"])
    if count < 1 or count > len(nodes):
        return "its node count does not match its nodes"
    nodes = nodes[:count]
    left = nodes["left_child"].astype(np.int64)
    right = nodes["right_child"].astype(np.int64)
    is_leaf = (left == -1) & (right == -1)
    problem = _children_problem(left, right, is_leaf)
    if problem:
        return problem
    columns = min(int(tree.n_features), width) if width is not None else int(tree.n_features)
    feature = nodes["feature"][~is_leaf]
    if feature.size and (feature.min() < 0 or feature.max() >= columns):
        return "a split uses a column the model is not given"
    return None


def _predictor_problem(predictor: Any, width: int | None, owner: object) -> str | None:
    nodes = predictor.nodes
    if len(nodes) < 1:
        return "it has no nodes"
    is_leaf = nodes["is_leaf"].astype(bool)
    left = nodes["left"].astype(np.int64)
    right = nodes["right"].astype(np.int64)
    problem = _children_problem(left, right, is_leaf)
    if problem:
        return problem
    feature = nodes["feature_idx"][~is_leaf]
    if width is None:
        width = int(getattr(owner, "n_features_in_", 0) or 0)
    if feature.size and (feature.min() < 0 or feature.max() >= width):
        return "a split uses a column the model is not given"
    categorical = ~is_leaf & nodes["is_categorical"].astype(bool)
    if bool(categorical.any()):
        bitsets = min(len(predictor.raw_left_cat_bitsets), len(predictor.binned_left_cat_bitsets))
        if int(nodes["bitset_idx"][categorical].max()) >= bitsets:
            return "a categorical split has no bitset"
        return _categories_problem(owner, nodes["feature_idx"][categorical])
    return None


def _neighbors_problem(tree: Any) -> str | None:
    """A KDTree or BallTree: its index points at rows it holds, each node's range lies in
    the index, and a node that is not a leaf has both children (2i+1 and 2i+2)."""
    data, index, nodes, bounds = tree.get_arrays()
    rows, count = len(data), len(nodes)
    if len(index) != rows or (rows and (index.min() < 0 or index.max() >= rows)):
        return "its index points outside its rows"
    start, end = nodes["idx_start"], nodes["idx_end"]
    if count and (start.min() < 0 or end.max() > rows or bool(np.any(start > end))):
        return "a node's rows lie outside its index"
    inner = np.flatnonzero(nodes["is_leaf"] == 0)
    if inner.size and 2 * int(inner.max()) + 2 >= count:
        return "a child index is out of range"
    if bounds.ndim != 3 or bounds.shape[1] < count or bounds.shape[2] != data.shape[1]:
        return "its node bounds do not match its nodes"
    return None


def _categories_problem(owner: object, features: np.ndarray) -> str | None:
    """A categorical split's column must be one the model knows the categories of."""
    mapper = getattr(owner, "_bin_mapper", None)
    if mapper is None:
        return "a categorical split has no known categories"
    known, index = mapper.make_known_categories_bitsets()
    if int(features.max()) >= len(index) or int(index[features].max()) >= len(known):
        return "a categorical split has no known categories"
    return None
