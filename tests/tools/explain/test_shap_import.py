"""shap's numba kernels: cached on disk when a cached entry can ever be reused."""

from __future__ import annotations

import sys

from numba.core.caching import NullCache

from modeldoc.tools.explain.shap_import import _cacheable, import_shap


def test_kernels_taking_a_link_function_are_not_cached() -> None:
    """Their compiled code is keyed on the link function's identity, new in each process:
    caching them only grows the cache folder by one unused entry per run."""
    import_shap()
    masked_model = sys.modules["shap.utils._masked_model"]
    tabular = sys.modules["shap.maskers._tabular"]
    for name in ("_build_fixed_single_output", "_build_fixed_multi_output"):
        kernel = getattr(masked_model, name)
        assert not _cacheable(kernel)
        assert isinstance(kernel._cache, NullCache)  # numba's "no cache"
    assert _cacheable(tabular._delta_masking)


def test_import_is_idempotent() -> None:
    assert import_shap() is import_shap() is sys.modules["shap"]
