"""Which SHAP explainer fits a model: Tree for tree ensembles, Linear for linear models,
Permutation (model-agnostic) for everything else, pipelines included."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ExplainerKind = Literal["tree", "linear", "permutation"]

# scikit-learn's tree ensembles that shap's TreeExplainer reads natively.
_SKLEARN_TREES = frozenset(
    {
        "DecisionTreeClassifier",
        "DecisionTreeRegressor",
        "ExtraTreeClassifier",
        "ExtraTreeRegressor",
        "RandomForestClassifier",
        "RandomForestRegressor",
        "ExtraTreesClassifier",
        "ExtraTreesRegressor",
        "GradientBoostingClassifier",
        "GradientBoostingRegressor",
        "HistGradientBoostingClassifier",
        "HistGradientBoostingRegressor",
    }
)
_BOOSTER_MODULES = ("xgboost.", "lightgbm.")


@dataclass(frozen=True)
class ExplainerChoice:
    """The explainer for a model, and why (one phrase, recorded in the facts)."""

    kind: ExplainerKind
    reason: str


def choose_explainer(model: object) -> ExplainerChoice:
    """The explainer for `model`, decided from its class alone."""
    cls = type(model)
    name = f"{cls.__module__}.{cls.__qualname__}"
    if name.startswith(_BOOSTER_MODULES):
        return ExplainerChoice("tree", f"{_short(name)} is a gradient-boosted tree ensemble")
    if name.startswith("sklearn.") and cls.__qualname__ in _SKLEARN_TREES:
        return ExplainerChoice("tree", f"{cls.__qualname__} is a tree model")
    if name.startswith("sklearn.linear_model.") and hasattr(model, "coef_"):
        return ExplainerChoice("linear", f"{cls.__qualname__} is a linear model")
    if name == "sklearn.pipeline.Pipeline":
        reason = "a pipeline is explained as a whole, in terms of its input columns"
    else:
        reason = f"{cls.__qualname__} has no model-specific SHAP explainer"
    return ExplainerChoice("permutation", reason)


def _short(qualified: str) -> str:
    """`xgboost.core.Booster` -> `xgboost.Booster`: the library and the class."""
    parts = qualified.split(".")
    return f"{parts[0]}.{parts[-1]}"
