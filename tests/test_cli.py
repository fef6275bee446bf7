"""The command line on the bundled examples, as `make demo` runs it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from modeldoc import __version__
from modeldoc.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"modeldoc {__version__}"


def test_gpt_mini_summary_shows_models_layers_and_every_conflicting_value() -> None:
    result = runner.invoke(app, ["scan", str(EXAMPLES / "gpt-mini")])
    assert result.exit_code == 0, result.output
    out = result.output
    for name in ("CausalSelfAttention", "MLP", "Block", "GPT (pytorch, class) model.py:68"):
        assert name in out
    assert "nn.Linear(config.n_embd, config.vocab_size, bias=False)" in out
    # n_layer: 6 in the config dataclass, 4 in train.py, the notebook and the YAML file.
    conflicts = out[out.index("Conflicting values") :]
    assert "6  model.py:15" in conflicts
    assert "4  train.py:17" in conflicts
    assert "4  config/train_small.yaml:9" in conflicts
    assert "notebooks/sample.ipynb[cell 2]:2" in conflicts
    assert "Licence: MIT" in out


def test_churn_json_has_the_pipeline_and_split() -> None:
    result = runner.invoke(app, ["scan", "--json", str(EXAMPLES / "churn-sklearn")])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    code = facts["code"]
    estimators = [i for i in code["instantiations"] if i["role"] == "estimator"]
    assert [e["qualified"] for e in estimators] == [
        "sklearn.ensemble.HistGradientBoostingClassifier"
    ]
    (split,) = code["splits"]
    assert (split["test_size"]["value"], split["seed"]["value"]) == (0.25, 42)
    assert split["source"] == {"file": "train.py", "line": 18, "cell": None}
    assert [a["path"]["value"] for a in code["artifacts"]] == ["model.skops"]
    assert {d["name"] for d in facts["repo"]["dependencies"]} == {
        "scikit-learn",
        "pandas",
        "skops",
    }


def test_summary_prints_no_control_characters(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        'title = "\x1b]0;pwned\x07\x1b[31mRED\u202eevil\\nfake"\nloss.backward()\n'
    )
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "run.yaml").write_text('"a\\nb": 1\n')
    result = runner.invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "\ufffd" in result.output
    assert not any(ch in result.output for ch in ("\x1b", "\x07", "\u202e"))
    assert "\nb = 1" not in result.output


def test_build_help_keeps_brackets_and_shows_no_type_of_a_flag() -> None:
    result = runner.invoke(app, ["build", "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    help_text = " ".join(result.output.split())  # as one line: help text wraps
    assert "settings also from modeldoc.yml or [tool.modeldoc]; the command line wins" in help_text
    assert "<bool>" not in result.output
    # Values are named in words, flags come in pairs, defaults are the settings'.
    assert "--explain-rows N" in help_text and "[default: 200; x>=1]" in help_text
    assert "--cache / --no-cache" in help_text and "--trust-pickle " in help_text
    assert "--no-trust-pickle" not in help_text
