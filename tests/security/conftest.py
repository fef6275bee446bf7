"""The attack tests: each reproduces an attack whose payload, if it ran, would only write a
marker file; the test asserts the marker is absent (and that modeldoc said why in one line)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def marker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a payload would write if it ran: a path outside every repository and output."""
    return tmp_path_factory.mktemp("attack") / "PWNED"
