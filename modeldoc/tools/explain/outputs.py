"""The model output SHAP values add up to, computed by the model's own library.

Tree and Linear explainers explain a model's raw output (log-odds for boosted classifiers,
class probabilities for forests, the value for regressors). The additivity check compares
base value + sum of SHAP values with this output, computed independently of shap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

Array = NDArray[Any]
OutputScale = Literal["log-odds", "probability", "value", "raw score"]

# Boosting objectives whose raw margin is the log-odds of the positive class (or per class).
_LOGISTIC = ("binary:logistic", "binary:logitraw", "binary", "cross_entropy", "xentropy")
_SOFTMAX = ("multi:softprob", "multi:softmax", "multiclass", "softmax", "multiclassova")
# Regression objectives whose raw margin is the predicted value itself.
_IDENTITY_LINK = ("reg:squarederror", "reg:absoluteerror", "reg:pseudohuber", "regression",
                  "huber", "fair", "quantile", "l1", "l2", "mape")  # fmt: skip


@dataclass(frozen=True)
class RawOutput:
    """The explained output for each row (n, or n x classes) and what it measures."""

    values: Array
    scale: OutputScale
    compared_with: str


def booster_of(model: Any) -> Any:
    """The native booster behind an XGBoost/LightGBM scikit-learn wrapper, else the model."""
    if hasattr(model, "get_booster"):
        return model.get_booster()
    if type(model).__module__.startswith("lightgbm.") and hasattr(model, "booster_"):
        return model.booster_
    return model


def raw_output(model: Any, features: pd.DataFrame) -> RawOutput:
    """The output that Tree and Linear SHAP values of `model` add up to."""
    module = type(model).__module__
    if module.startswith("xgboost."):
        import xgboost

        objective = _xgboost_objective(model)
        margin = model.predict(xgboost.DMatrix(features), output_margin=True)
        return RawOutput(np.asarray(margin, dtype=float), _boosting_scale(objective),
                         "XGBoost predict(output_margin=True)")  # fmt: skip
    if module.startswith("lightgbm."):
        objective = str(model.params.get("objective") or model.dump_model(0)["objective"])
        margin = model.predict(features, raw_score=True)
        return RawOutput(np.asarray(margin, dtype=float), _boosting_scale(objective.split()[0]),
                         "LightGBM predict(raw_score=True)")  # fmt: skip
    name = type(model).__name__
    if not hasattr(model, "classes_"):
        predicted = np.asarray(model.predict(features), dtype=float)
        if _log_link(model):
            # The model predicts exp(raw score): a GLM exp(X @ coef + intercept), a boosted
            # Poisson/Gamma regressor exp(sum of trees). SHAP explains the raw score.
            return RawOutput(np.log(predicted), "raw score", "log of predict")
        return RawOutput(predicted, "value", "predict")
    if name.startswith(("RandomForest", "ExtraTree", "DecisionTree")):
        # shap explains a forest classifier's averaged class probabilities.
        proba = np.asarray(model.predict_proba(features), dtype=float)
        return RawOutput(proba, "probability", "predict_proba")
    scores = np.asarray(model.decision_function(features), dtype=float)
    return RawOutput(scores, _decision_scale(model), "decision_function")


def _log_link(model: Any) -> bool:
    """Whether a scikit-learn regressor predicts through a log link."""
    name = type(model).__name__
    if name in ("PoissonRegressor", "GammaRegressor"):
        return True
    if name == "HistGradientBoostingRegressor":
        return getattr(model, "loss", None) in ("poisson", "gamma")
    if name == "TweedieRegressor":
        # link="auto" is the identity for power <= 0 (normal) and the log otherwise.
        link = getattr(model, "link", "auto")
        return link == "log" or (link == "auto" and float(getattr(model, "power", 0.0)) > 0)
    return False


def _decision_scale(model: Any) -> OutputScale:
    """A decision function is the log-odds only for a model fitted with the logistic loss;
    a hinge, squared or perceptron loss gives a margin on no probability scale."""
    if type(model).__name__.startswith("LogisticRegression"):
        return "log-odds"
    return "log-odds" if getattr(model, "loss", None) == "log_loss" else "raw score"


def _xgboost_objective(booster: Any) -> str:
    import json

    return str(json.loads(booster.save_config())["learner"]["objective"]["name"])


def _boosting_scale(objective: str) -> OutputScale:
    if objective in _LOGISTIC or objective in _SOFTMAX:
        return "log-odds"
    if objective.startswith(_IDENTITY_LINK):
        return "value"
    # Poisson, gamma, Tweedie, reg:logistic: the margin is on the link scale.
    return "raw score"
