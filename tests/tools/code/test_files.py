"""Extraction in worker processes gives exactly what extraction in this process gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldoc.tools.code import files
from modeldoc.tools.walk import walk_repository

MODEL = """\
import torch.nn as nn

class Net{index}(nn.Module):
    def __init__(self, width={index}):
        super().__init__()
        self.fc = nn.Linear(8, width, bias=False)

learning_rate = {index}e-4
loss.backward()
"""


def test_pool_matches_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(1, 120):
        (tmp_path / f"model_{index:03}.py").write_text(MODEL.format(index=index))
    (tmp_path / "broken.py").write_bytes(b"\x00\x01binary")
    listed = walk_repository(tmp_path).files
    serial = files.extract_code_files(listed, workers=1)
    # The pool itself, not its fallback: None would mean the workers failed.
    pooled = files._extract_in_pool([f for f in listed if f.path.endswith(".py")], workers=2)
    assert pooled == serial
    monkeypatch.setattr(files, "POOL_MIN_BYTES", 0)
    assert files.extract_code_files(listed, workers=2) == serial
    assert serial.files_read == 119
    assert [issue.kind for issue in serial.issues] == ["binary"]
    assert [f.path for f in pooled.facts][:2] == ["model_001.py", "model_002.py"]


def test_a_cached_scan_gives_the_same_facts_and_parses_nothing(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    for index in range(1, 6):
        (repo / f"model_{index}.py").write_text(MODEL.format(index=index))
    listed = [f for f in walk_repository(repo).files if f.path.endswith(".py")]
    cache = tmp_path / "scan"
    fresh = files.extract_code_files(listed, cache_folder=cache)
    again = files.extract_code_files(listed, cache_folder=cache)
    assert fresh.files_from_cache == 0 and fresh.files_read > 0
    assert again.files_from_cache == again.files_read == fresh.files_read
    assert again.facts == fresh.facts
    pooled = files._extract_in_pool(listed, workers=2, cache_folder=cache)
    assert pooled is not None and pooled.facts == fresh.facts
    assert pooled.files_from_cache == fresh.files_read
