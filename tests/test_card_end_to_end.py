"""`modeldoc build` end to end on both examples: the card reads back with huggingface_hub
with every computed metric, the toolkit JSON validates, every written statement matched a
fact, every image a page shows exists; and repository text cannot inject script anywhere."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import skops.io as sio
from helpers.examples import build_example
from huggingface_hub import ModelCard
from jsonschema import Draft7Validator
from markdown_it import MarkdownIt
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

SCHEMA = Path(__file__).resolve().parent / "fixtures" / "mct" / "model_card.schema.v0.0.2.json"
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))"


@pytest.mark.parametrize("example", ["cancer-xgboost", "diabetes-skops"])
def test_example_outputs(example: str, tmp_path: Path) -> None:
    out = build_example(example, tmp_path / "out")
    facts = json.loads((out / "facts.json").read_text())
    computed = {m["name"]: m["value"] for m in facts["evaluation"]["metrics"] if m["value"]}
    card = ModelCard.load(out / "MODEL_CARD.md")
    results = {result.metric_type: result.metric_value for result in card.data.eval_results}
    assert results == computed
    Draft7Validator(json.loads(SCHEMA.read_text())).validate(
        json.loads((out / "model_card.json").read_text())
    )
    narrative = facts["narrative"]
    assert narrative["writer"] == "offline"
    for section in narrative["sections"]:
        assert [f for f in section["findings"] if not f["matched"]] == [], section["id"]
        assert f"## {section['title']}" in card.content
    for page in (out / "site").glob("*.html"):
        for source in re.findall(r'<img[^>]* src="([^"]+)"', page.read_text()):
            assert (page.parent / source).is_file(), (page.name, source)
    assert (out / "docs" / "index.md").is_file() and (out / "mkdocs.yml").is_file()


def _repo(root: Path, readme: str, feature: str) -> Path:
    data = load_diabetes(as_frame=True, scaled=False).frame.rename(columns={"bmi": feature})
    features = [c for c in data.columns if c != "target"]
    sio.dump(Ridge().fit(data[features].iloc[:300], data["target"].iloc[:300]), root / "m.skops")
    data.iloc[300:].to_csv(root / "test.csv", index=False)
    (root / "README.md").write_text(f"# Model\n\n{readme}\n")
    (root / "modeldoc.yml").write_text("model: m.skops\ndata: test.csv\ntarget: target\n")
    return root


def _build(repo: Path, out: Path) -> Path:
    command = [sys.executable, "-m", "modeldoc", "build", str(repo), "--out", str(out),
               "--explain-rows", "8"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out


def _scripts(site: Path) -> dict[str, int]:
    return {page.name: page.read_text().count("<script") for page in sorted(site.glob("*.html"))}


def test_repository_text_cannot_inject_script(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "hostile").mkdir()
    plain = _build(_repo(tmp_path / "plain", "A plain model.", "body mass"), tmp_path / "o1")
    hostile = _build(_repo(tmp_path / "hostile", HOSTILE, HOSTILE), tmp_path / "o2")
    assert _scripts(hostile / "site") == _scripts(plain / "site")
    for page in (hostile / "site").glob("*.html"):
        text = page.read_text()
        assert "javascript:" not in text and "onerror=" not in text.replace("onerror=alert", "")
        assert "<img src=x" not in text
    # The card as the Hub renders it (CommonMark, raw HTML allowed): no script, no live link.
    card = MarkdownIt("commonmark", {"html": True}).render((hostile / "MODEL_CARD.md").read_text())
    assert "<script" not in card and "<img src=x" not in card
    assert not re.search(r"href=\"\s*javascript:", card, re.IGNORECASE)
    facts = json.loads((hostile / "facts.json").read_text())
    # Still truthful: the hostile feature is a fact, quoted as text.
    assert HOSTILE in facts["checkpoints"][0]["feature_names"]
