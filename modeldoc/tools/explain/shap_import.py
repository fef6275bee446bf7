"""Import shap once, quietly, with its numba kernels cached on disk.

shap compiles its masking kernels with numba on first use in every process (about 10 s);
caching them in the user's cache folder makes every later build start warm. The kernels that
take shap's link function as an argument cannot be cached (see `_cacheable`): they still
compile once per process, a few seconds the first permutation explanation pays.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any


def numba_cache_dir() -> Path:
    """Where compiled kernels are kept: outside any repository and output folder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "modeldoc" / "numba"


def import_shap() -> ModuleType:
    """`shap`, imported with its matplotlib deprecation notices silenced (not ours to fix)."""
    if "shap" not in sys.modules:
        _choose_cache_dir()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            module = importlib.import_module("shap")
        _cache_kernels()
        return module
    return sys.modules["shap"]


def _choose_cache_dir() -> None:
    # numba reads its cache folder from the environment when it is first imported.
    if "NUMBA_CACHE_DIR" in os.environ or "numba" in sys.modules:
        return
    try:
        numba_cache_dir().mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # an unwritable home: kernels compile in every run, slower but correct
    os.environ["NUMBA_CACHE_DIR"] = str(numba_cache_dir())


def _cache_kernels() -> None:
    from numba.core import config
    from numba.core.registry import CPUDispatcher

    if not getattr(config, "CACHE_DIR", ""):
        return  # no cache folder numba can write to: leave shap's kernels as they are
    for name, module in list(sys.modules.items()):
        if not name.startswith("shap.") or module is None:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, CPUDispatcher) and _cacheable(value):
                value.enable_caching()


def _cacheable(kernel: Any) -> bool:
    """False for a kernel handed a jitted function (shap's `link`): numba keys its compiled
    code on that function's identity, new in every process, so a cached entry never matches
    and each run would only add another (about 100 KB) to the cache folder."""
    try:
        parameters = inspect.signature(kernel.py_func).parameters
    except (TypeError, ValueError):  # no Python signature to read: leave it uncached
        return False
    return "link" not in parameters
