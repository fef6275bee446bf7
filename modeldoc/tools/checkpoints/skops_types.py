"""The types a skops file may hold for modeldoc to load it without `--trust-pickle`.

skops trusts primitives, containers, numpy and scipy types and scikit-learn's estimators by
default, and `get_untrusted_types` names everything else a file needs. modeldoc trusts, on
top of that, only the exact, reviewed classes below: never a prefix, never a function. A
library's module can hold a function under any name (`sklearn.utils._testing.check_output`
is `subprocess.check_output`), so a name is trusted only when it resolves to a class defined
in its library.
"""

from __future__ import annotations

import importlib
import inspect
from functools import cache

# skops loaders that rebuild a callable: whatever they name, calling it may run code.
CALLABLE_LOADERS = frozenset({"FunctionNode", "MethodNode", "PartialNode", "OperatorFuncNode"})
# Classes whose whole purpose is to call a function the file supplies (when given one).
HOLDS_CALLABLE = frozenset({"sklearn.preprocessing._function_transformer.FunctionTransformer"})
# Classes skops does not trust by default that fitted models of the three libraries hold.
# Tree, TreePredictor, KDTree and BallTree keep raw indices scikit-learn does not
# bounds-check: the loader checks them (tree_checks) before anything predicts. The distance
# metrics are the ones without parameter arrays (Mahalanobis reads a matrix of any size;
# PyFuncDistance calls a function).
_HELPER_CLASSES = (
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.EuclideanDistance32",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "sklearn.metrics._dist_metrics.ManhattanDistance32",
    "sklearn.metrics._dist_metrics.ChebyshevDistance64",
    "sklearn.metrics._dist_metrics.ChebyshevDistance32",
    "sklearn.compose._column_transformer.make_column_selector",
    "collections.OrderedDict",
)
# The scikit-learn interfaces of XGBoost and LightGBM, and the boosters they hold (a booster
# parses its model from bytes: the loader does that in a child process first).
_BOOSTING_CLASSES = (
    "xgboost.core.Booster",
    "xgboost.sklearn.XGBClassifier",
    "xgboost.sklearn.XGBRegressor",
    "xgboost.sklearn.XGBRanker",
    "xgboost.sklearn.XGBRFClassifier",
    "xgboost.sklearn.XGBRFRegressor",
    "lightgbm.basic.Booster",
    "lightgbm.sklearn.LGBMClassifier",
    "lightgbm.sklearn.LGBMRegressor",
    "lightgbm.sklearn.LGBMRanker",
)
# Names whose classes parse native model bytes when unpickled.
NATIVE_PARSERS = frozenset({"xgboost.core.Booster", "lightgbm.basic.Booster"})


@cache
def trusted_types() -> frozenset[str]:
    """Every type name modeldoc trusts in a skops file (computed once; imports scikit-learn)."""
    from sklearn.utils import all_estimators

    names = {
        _class_name(cls)
        for _, cls in all_estimators()
        if _defined_in(cls, "sklearn") and _class_name(cls) not in HOLDS_CALLABLE
    }
    for name in (*_HELPER_CLASSES, *_BOOSTING_CLASSES):
        cls = _resolve_class(name)
        if cls is not None:
            names.add(name)
    return frozenset(names)


def _class_name(cls: type) -> str:
    """A class as skops names it: its defining module, then its name."""
    return f"{cls.__module__}.{cls.__name__}"


def _defined_in(cls: object, library: str) -> bool:
    """Whether `cls` is a class its library defines (not a re-exported function or type)."""
    return inspect.isclass(cls) and (
        cls.__module__ == library or cls.__module__.startswith(library + ".")
    )


def _resolve_class(name: str) -> type | None:
    """The class `name` names, when it is installed and is a class defined where it says."""
    module_name, _, attribute = name.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:  # XGBoost or LightGBM not installed: nothing of it to trust
        return None
    cls = getattr(module, attribute, None)
    library = module_name.split(".")[0]
    if not isinstance(cls, type) or not _defined_in(cls, library) or _class_name(cls) != name:
        return None
    return cls
