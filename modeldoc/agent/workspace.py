"""What the nodes of one run share in memory but never checkpoint: the loaded model, the
evaluation table, predictions and SHAP values. Each is computed once, on first use, so a
resumed run rebuilds what it needs instead of reading it from the checkpoint."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from modeldoc.agent.reuse import ResultsCache, StoredResults
from modeldoc.progress import Progress
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
    results: ResultsCache | None = None
    """Model results of earlier builds; None: compute everything."""
    scan_cache: Path | None = None
    """The scan cache folder; None: parse every code file."""
    progress: Progress = field(default_factory=Progress)
    """Where the SHAP step reports the rows it has explained."""

    # One lock per result: plots of the metrics need not wait for SHAP.
    _model_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _shap_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _model: ModelFacts | None = field(default=None, repr=False)
    _shap: ShapResult | None = field(default=None, repr=False)
    _reuse_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _reuse_key: str | None = field(default=None, repr=False)
    _reused: StoredResults | None = field(default=None, repr=False)
    _looked_up: bool = field(default=False, repr=False)

    def reused(self) -> StoredResults | None:
        """An earlier build's results for the same model, data and settings (looked up once);
        None when there are none and this build computes its own."""
        with self._reuse_lock:
            if not self._looked_up:
                self._looked_up = True
                if self.results is not None:
                    self._reuse_key = self.results.key(self.repo, self.settings)
                    if self._reuse_key is not None:
                        self._reused = self.results.get(self._reuse_key)
            return self._reused

    @property
    def keeps_results(self) -> bool:
        """Whether this build's model results are to be kept: it computed them itself, and
        a cache can key them."""
        return (self.results is not None and self._reused is None
                and self._reuse_key is not None and self.computed_model)  # fmt: skip

    def remember(self, results: StoredResults | None) -> None:
        """Keep this build's results for later builds (see `keeps_results`)."""
        cache, key = self.results, self._reuse_key
        if results is not None and cache is not None and key is not None and self.keeps_results:
            cache.put(key, results)

    @property
    def computed_model(self) -> bool:
        """Whether this process loaded and evaluated the model."""
        return self._model is not None

    @property
    def computed_shap(self) -> bool:
        """Whether this process computed SHAP values."""
        return self._shap is not None

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
                self._shap = explain_model(
                    evaluated.loaded, evaluated.features, evaluated.y_true,
                    evaluated.predictions, evaluated.task,
                    ExplainBudget.from_settings(self.settings),
                    on_rows=self.progress.rows_explained,
                )  # fmt: skip
            return self._shap
