"""A model's computed results kept between builds: a build whose model file, data and model
settings an earlier build saw loads nothing, evaluates nothing and computes no SHAP value.

An entry holds the facts the model stage, the SHAP stage and the plots produced (checkpoints,
data profiles, evaluation, explanations, plots) and the plot files themselves. Its key
(`modeldoc.caching.content_key`) covers the model file's and the data file's bytes and paths
and every other setting declared to change the results (`Setting.changes_results`); the
output folder, the card and the writer do not enter it. Entries live in `results/` under
modeldoc's cache root.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, ValidationError

from modeldoc.atomic import write_atomically
from modeldoc.caching import KeyedStore, content_key
from modeldoc.facts import Checkpoint, DataProfile, Evaluation, Explanations, Plot
from modeldoc.settings import PATH_KEYS, RESULT_KEYS, BuildSettings

_CHUNK = 1 << 20
# The settings the results depend on enter the key by value, except the files, which enter
# by their bytes and their place in the repository (the same file named two ways is one).
_KEYED_BY_FILE = [key for key in PATH_KEYS if key in RESULT_KEYS]
_KEYED_BY_VALUE = RESULT_KEYS - set(_KEYED_BY_FILE)


class StoredResults(BaseModel):
    """One build's model results, as kept on disk."""

    model_config = ConfigDict(extra="forbid")

    checkpoints: list[Checkpoint]
    data: list[DataProfile]
    evaluation: Evaluation | None
    explanations: Explanations | None
    plots: list[Plot]
    plot_files: dict[str, str]
    """Plot file (relative to the output folder) -> its bytes, base64."""

    def write_plots(self, out_dir: Path) -> list[Plot]:
        """Write the plot files into `out_dir`; the plots whose file was kept."""
        written = []
        for plot in self.plots:
            encoded = self.plot_files.get(plot.file)
            relative = PurePosixPath(plot.file)
            if encoded is None or relative.is_absolute() or ".." in relative.parts:
                continue
            write_atomically(out_dir / relative, base64.b64decode(encoded))
            written.append(plot)
        return written


@dataclass(frozen=True)
class ResultsCache:
    """Model results by what produced them (see the module docstring)."""

    folder: Path

    def key(self, repo: Path, settings: BuildSettings) -> str | None:
        """The entry's key; None when the build names no model or data file to key it by."""
        named = [getattr(settings, key) for key in _KEYED_BY_FILE]
        files: list[Path] = [path for path in named if path is not None]
        if not files or not all(path.is_file() for path in files):
            return None
        root = repo.resolve()
        identity = [{"path": _relative(path, root), "sha256": _file_digest(path)} for path in files]
        chosen = settings.model_dump(mode="json", include=set(_KEYED_BY_VALUE))
        return content_key("results", identity, chosen)

    def get(self, key: str) -> StoredResults | None:
        """The entry; None when there is none or it cannot be read."""
        blob = KeyedStore(self.folder).get(key)
        if blob is None:
            return None
        try:
            return StoredResults.model_validate_json(blob)
        except ValidationError:
            return None

    def put(self, key: str, results: StoredResults) -> bool:
        """Keep an entry; False when the folder cannot be written."""
        return KeyedStore(self.folder).put(key, results.model_dump_json().encode("utf-8"))


def stored_results(
    checkpoints: list[Checkpoint],
    data: list[DataProfile],
    evaluation: Evaluation | None,
    explanations: Explanations | None,
    plots: list[Plot],
    out_dir: Path,
) -> StoredResults | None:
    """An entry of these results with the plot files read from `out_dir`; None when a plot
    file is missing (an entry must give back every plot)."""
    files = {}
    for plot in plots:
        path = out_dir / plot.file
        if not path.is_file():
            return None
        files[plot.file] = base64.b64encode(path.read_bytes()).decode("ascii")
    return StoredResults(checkpoints=checkpoints, data=data, evaluation=evaluation,
                         explanations=explanations, plots=plots, plot_files=files)  # fmt: skip


def _relative(path: Path, root: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(resolved)


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
