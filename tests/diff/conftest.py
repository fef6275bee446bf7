"""The builds every test of `modeldoc diff` compares, made once per session."""

from __future__ import annotations

import pytest
from diff.pairs import Builds, build_all


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """Every variant of `diff.pairs.VARIANTS`, built."""
    return build_all(tmp_path_factory.mktemp("diff-builds"))
