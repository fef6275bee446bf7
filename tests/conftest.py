"""Fixtures for every test."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.llm_server import isolate_llm_environment


@pytest.fixture(autouse=True)
def llm_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """modeldoc's cache folder (`MODELDOC_CACHE_DIR`, fresh for each test and outside its
    `tmp_path`); no key, base URL, proxy or tracing from the machine's environment, so no
    build in a test can call a real model or reuse another test's results."""
    cache = tmp_path_factory.mktemp("modeldoc-cache")
    isolate_llm_environment(monkeypatch, cache)
    return cache
