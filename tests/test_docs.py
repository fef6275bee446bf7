"""modeldoc's own documentation builds strictly, offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environment)
    assert result.returncode == 0, result.stderr
    index = (tmp_path / "index.html").read_text()
    assert "fonts.googleapis.com" not in index
    assert (tmp_path / "cli" / "index.html").exists()


def test_the_documented_settings_file_is_valid(tmp_path: Path) -> None:
    """The example in configuration.md is what load_settings accepts (docs cannot drift)."""
    from modeldoc.settings import load_settings

    page = (ROOT / "docs" / "configuration.md").read_text()
    example = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "modeldoc.yml").write_text(example)
    settings = load_settings(tmp_path, {})
    assert settings.card.owners == ["Model risk team"]
    assert settings.explain_rows == 200 and settings.sensitive == ["sex", "region"]
