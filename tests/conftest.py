"""Fixtures for every test."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.llm_server import isolate_llm_environment


@pytest.fixture(autouse=True)
def llm_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The LLM answer cache folder (`MODELDOC_CACHE_DIR`); no key, base URL, proxy or tracing
    from the machine's environment, so no build in a test can call a real model."""
    cache = tmp_path / "llm-cache"
    isolate_llm_environment(monkeypatch, cache)
    return cache
