"""modeldoc's caches on disk: where they live, and a store of blobs by content key.

Everything is under one root: `$MODELDOC_CACHE_DIR`, else `$XDG_CACHE_HOME/modeldoc`, else
`~/.cache/modeldoc`. Inside it:

    llm/      LLM answers (`modeldoc.llm.cache`)
    scan/     one code file's facts, by the file's path and text
    results/  a model's facts and plots, by the model file, the data and the settings

A key always includes `code_fingerprint()`, a hash of modeldoc's own source and the versions
of the libraries that compute facts: a new modeldoc, an edited extractor or another library
version never reuses an old result. Entries are written atomically and readable by the user
only; an entry that cannot be read is a miss, never an error. The root may not lie inside the
repository (it could be committed) or the output folder (replaced by every build).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from modeldoc.atomic import write_atomically
from modeldoc.errors import InputError, ModeldocError

CACHE_DIR_VARIABLE = "MODELDOC_CACHE_DIR"
# Libraries whose version can change a computed fact.
_COMPUTING_LIBRARIES = (
    "tree-sitter", "tree-sitter-python", "numpy", "pandas", "scikit-learn", "xgboost",
    "xgboost-cpu", "lightgbm", "onnxruntime", "skops", "shap", "fairlearn", "matplotlib",
)  # fmt: skip


def cache_root(env: Mapping[str, str] | None = None) -> Path:
    """The folder every cache lives under (see the module docstring)."""
    env = os.environ if env is None else env
    if env.get(CACHE_DIR_VARIABLE):
        return Path(env[CACHE_DIR_VARIABLE]).expanduser()
    xdg = env.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "modeldoc"


def ensure_outside(
    cache_folder: Path,
    *folders: Path,
    what: str = "cache",
    error: type[ModeldocError] = InputError,
) -> None:
    """Refuse a cache folder inside any of `folders` with `error` (one line naming the fix)."""
    mine = cache_folder.expanduser().resolve()
    for folder in folders:
        other = folder.expanduser().resolve()
        if mine == other or mine.is_relative_to(other):
            raise error(
                f"the {what} folder {mine} is inside {other}: set {CACHE_DIR_VARIABLE} to a "
                "folder outside it"
            )


@cache
def code_fingerprint() -> str:
    """A hash of modeldoc's source files and the computing libraries' versions."""
    digest = hashlib.sha256()
    package = resources.files("modeldoc")
    for path in sorted(_python_files(Path(str(package)))):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for name in _COMPUTING_LIBRARIES:
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=-".encode())
    return digest.hexdigest()


def _python_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*.py") if "__pycache__" not in path.parts]


def content_key(*parts: Any) -> str:
    """The sha256 (hex) of `code_fingerprint()` and `parts` (JSON-serialisable)."""
    material = json.dumps([code_fingerprint(), *parts], sort_keys=True, default=str)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class KeyedStore:
    """Blobs on disk by key, fanned out by the key's first two digits."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str) -> Path:
        """The entry's file."""
        return self.folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        """The blob stored under `key`; None when there is none or it cannot be read."""
        try:
            return self.path(key).read_bytes()
        except OSError:
            return None

    def put(self, key: str, data: bytes) -> bool:
        """Store a blob atomically; False (nothing stored) when the folder cannot be written."""
        return write_private(self.path(key), data)


def write_private(target: Path, data: bytes) -> bool:
    """Write a cache entry: atomically, readable by the user only, in a folder only the user
    can list; False (nothing stored) when the folder cannot be written."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomically(target, data, private=True, durable=False)
    except OSError:
        return False
    return True
