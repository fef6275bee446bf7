"""What the nodes of one run share in memory but never checkpoint: the loaded model, the
evaluation table, predictions and SHAP values. Each is computed once, on first use, so a
resumed run rebuilds what it needs instead of reading it from the checkpoint."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from modeldoc.settings import BuildSettings
from modeldoc.tools.evaluate.run import ModelFacts, model_facts
from modeldoc.tools.explain.raw import ExplainBudget
from modeldoc.tools.explain.run import ShapResult, explain_model


@dataclass
class Workspace:
    """One run's in-memory results; safe to use from parallel nodes."""

    repo: Path
    settings: BuildSettings
    out_dir: Path | None = None
    """Where plots are written (a staging folder the caller publishes); None: no plots."""

    # One lock per result: plots of the metrics need not wait for SHAP.
    _model_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _shap_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _model: ModelFacts | None = field(default=None, repr=False)
    _shap: ShapResult | None = field(default=None, repr=False)

    def model(self) -> ModelFacts:
        """The checkpoint, data profile and evaluation (computed on first call)."""
        with self._model_lock:
            if self._model is None:
                self._model = model_facts(self.repo, self.settings)
            return self._model

    def shap(self) -> ShapResult | None:
        """SHAP explanations of the evaluated model, or None when nothing was evaluated."""
        evaluated = self.model().evaluated
        if evaluated is None or not self.settings.explain:
            return None
        with self._shap_lock:
            if self._shap is None:
                budget = ExplainBudget(
                    rows=self.settings.explain_rows,
                    seconds=self.settings.explain_seconds,
                    background=self.settings.explain_background,
                    seed=self.settings.seed,
                )
                self._shap = explain_model(
                    evaluated.loaded, evaluated.features, evaluated.y_true,
                    evaluated.predictions, evaluated.task, budget,
                )  # fmt: skip
            return self._shap
