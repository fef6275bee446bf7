from collections.abc import Iterator

import pytest
from pydantic import JsonValue

from modeldoc.facts import Hyperparameter, ScanIssue
from modeldoc.tools import config_files
from modeldoc.tools.config_files import MAX_LEAVES, config_hyperparameters, is_config_file


@pytest.fixture(params=["libyaml", "pure-python"], autouse=True)
def yaml_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test runs with and without libyaml: both must give the same answers."""
    if request.param == "pure-python":
        monkeypatch.setattr(config_files, "_FAST_LOADER", None)
    elif config_files._FAST_LOADER is None:
        pytest.skip("PyYAML was built without libyaml")
    yield


def read(path: str, text: str) -> dict[str, tuple[int, str, JsonValue]]:
    params, issues = config_hyperparameters(path, text)
    assert issues == []
    return table(params)


def table(params: list[Hyperparameter]) -> dict[str, tuple[int, str, JsonValue]]:
    for param in params:
        assert param.origin == "config_file"
        assert param.value.literal
        assert param.scope == param.source.file
        assert param.name in param.key
    return {p.key: (p.source.line, p.value.text, p.value.value) for p in params}


YAML = """\
# experiment defaults
base: &base
  optimizer:
    name: adam
    lr: &lr 3e-4
  dropout: 0.1
  layers: [64, 32]

small: &small
  dropout: 0.2
  width: 128

run:
  <<: [*base, *small]  # the first mapping wins
  dropout: 0.3
  seed: *lr
  started: 2024-01-01
  label: !!str 1e-3
  blocks:
    - kind: conv
      channels: 16
    - kind: pool
  note: |
    two
    lines
  empty:
"""


def test_yaml_anchors_merge_keys_and_lines() -> None:
    params, issues = config_hyperparameters("configs/exp.yaml", YAML)
    assert issues == []
    assert table(params) == {
        "base.optimizer.name": (4, "adam", "adam"),
        "base.optimizer.lr": (5, "3e-4", 3e-4),
        "base.dropout": (6, "0.1", 0.1),
        "base.layers": (7, "[64, 32]", [64, 32]),
        "small.dropout": (10, "0.2", 0.2),
        "small.width": (11, "128", 128),
        # Merged keys keep the line where they are written, in the anchored mapping.
        "run.dropout": (15, "0.3", 0.3),
        "run.width": (11, "128", 128),
        "run.optimizer.name": (4, "adam", "adam"),
        "run.optimizer.lr": (5, "3e-4", 3e-4),
        "run.layers": (7, "[64, 32]", [64, 32]),
        "run.seed": (16, "3e-4", 3e-4),
        "run.started": (17, "2024-01-01", "2024-01-01"),
        "run.label": (18, "1e-3", "1e-3"),
        "run.blocks[0].kind": (20, "conv", "conv"),
        "run.blocks[0].channels": (21, "16", 16),
        "run.blocks[1].kind": (22, "pool", "pool"),
        "run.note": (23, "|\ntwo\nlines", "two\nlines\n"),
        "run.empty": (26, "", None),
    }
    by_key = {p.key: p for p in params}
    assert by_key["run.blocks[0].channels"].name == "channels"
    assert str(by_key["run.dropout"].source) == "configs/exp.yaml:15"


def test_merge_key_precedence_follows_pyyaml() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n  y: 3\n"
    values = {key: value for key, (_, _, value) in read("c.yaml", text).items()}
    assert {k: v for k, v in values.items() if k.startswith("c.")} == {
        "c.x": 1,
        "c.y": 3,
        "c.z": 2,
    }


def test_hydra_config_keeps_defaults_as_one_setting() -> None:
    text = """\
defaults:
  - model: resnet
  - override hydra/launcher: joblib
  - _self_

trainer:
  max_epochs: 10
  devices: ${oc.env:DEVICES,1}
seed: 42
"""
    assert read("conf/config.yaml", text) == {
        "defaults": (
            1,
            "- model: resnet\n- override hydra/launcher: joblib\n- _self_",
            [{"model": "resnet"}, {"override hydra/launcher": "joblib"}, "_self_"],
        ),
        "trainer.max_epochs": (7, "10", 10),
        "trainer.devices": (8, "${oc.env:DEVICES,1}", "${oc.env:DEVICES,1}"),
        "seed": (9, "42", 42),
    }


def test_multiple_yaml_documents_are_prefixed() -> None:
    text = "lr: 0.1\n---\nlr: 0.2\n---\n- a list\n"
    assert read("sweep.yaml", text) == {
        "doc0.lr": (1, "0.1", 0.1),
        "doc1.lr": (3, "0.2", 0.2),
    }


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("a.yaml", "- 1\n- 2\n"),
        ("a.yaml", "just text\n"),
        ("a.yaml", ""),
        ("a.yaml", "{}\n"),
        ("a.json", "[1, 2]"),
        ("a.json", "{}"),
        ("a.toml", "# nothing\n"),
    ],
)
def test_top_level_scalars_and_lists_give_nothing(path: str, text: str) -> None:
    assert config_hyperparameters(path, text) == ([], [])


def test_recursive_alias_does_not_hang() -> None:
    params, issues = config_hyperparameters("a.yaml", "a: &a [*a]\nb: &b {c: *b}\nd: 1\n")
    assert table(params) == {"a": (1, "[*a]", None), "d": (3, "1", 1)}
    assert issues and all(issue.kind == "config" for issue in issues)


def test_alias_bomb_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config_files, "_MAX_NODES", 1000)
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    text += "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    params, issues = config_hyperparameters("a.yaml", text)
    assert [p.key for p in params] == ["a", "b", "c"]
    assert params[2].value.value is None
    assert [i.message for i in issues] == ["A value expands to too many items through aliases."]


JSON = """\
{
  "model": {
    "hidden_sizes": [256, 128],
    "activation": "relu",
    "blocks": [
      {"type": "conv", "channels": 32},
      {
        "type": "pool",
        "size": 2
      }
    ]
  },
  "lr": 1e-3,
  "tags": [],
  "extra": {}
}
"""

JSON_TABLE: dict[str, tuple[int, str, JsonValue]] = {
    "model.hidden_sizes": (3, "[256, 128]", [256, 128]),
    "model.activation": (4, '"relu"', "relu"),
    "model.blocks[0].type": (6, '"conv"', "conv"),
    "model.blocks[0].channels": (6, "32", 32),
    "model.blocks[1].type": (8, '"pool"', "pool"),
    "model.blocks[1].size": (9, "2", 2),
    "lr": (13, "1e-3", 0.001),
    "tags": (14, "[]", []),
    "extra": (15, "{}", {}),
}


def test_json_nested_objects_and_arrays() -> None:
    assert read("config.json", JSON) == JSON_TABLE


def test_json_that_yaml_reads_differently_falls_back_to_scanning() -> None:
    # Tab indentation and NaN: not YAML (or not the same data), so keys are found by scanning.
    text = JSON.replace("  ", "\t").replace('"size": 2', '"size": NaN')
    expected = dict(JSON_TABLE, **{"model.blocks[1].size": (9, "NaN", "NaN")})
    assert read("config.json", text) == expected


def test_json_fallback_handles_keys_inside_strings_and_duplicates() -> None:
    text = '{\n\t"note": "say \\"lr\\": 5",\n\t"lr": 1,\n\t"lr": 2,\n\t"x": NaN\n}'
    assert read("train.json", text) == {
        "note": (2, '"say \\"lr\\": 5"', 'say "lr": 5'),
        "lr": (3, "2", 2),
        "x": (5, "NaN", "NaN"),
    }


TOML = """\
# training
title = "exp"

[model]
name = "resnet"
layers.depth = 50
layers.width = 64  # comment
dims = [
  64,  # [fake.header]
  128,
]
doc = \"\"\"
fake = "key"
\"\"\"

[optimizer]
kind = 'adam'
params = { lr = 1e-3, betas = [0.9, 0.999] }
"weird.key" = 1979-05-27 07:32:00

[[stages]]
epochs = 5

[[stages]]
epochs = 10
[stages.schedule]
warmup = inf

[[stages.callbacks]]
name = "early_stop"

[empty]
"""


def test_toml_tables_dotted_keys_and_arrays_of_tables() -> None:
    assert read("pyproject-like/train.toml", TOML) == {
        "title": (2, '"exp"', "exp"),
        "model.name": (5, '"resnet"', "resnet"),
        "model.layers.depth": (6, "50", 50),
        "model.layers.width": (7, "64", 64),
        "model.dims": (8, "[\n  64,  # [fake.header]\n  128,\n]", [64, 128]),
        "model.doc": (12, '"""\nfake = "key"\n"""', 'fake = "key"\n'),
        "optimizer.kind": (17, "'adam'", "adam"),
        "optimizer.params.lr": (18, "1e-3", 0.001),
        "optimizer.params.betas": (18, "[0.9, 0.999]", [0.9, 0.999]),
        "optimizer.weird.key": (19, "1979-05-27 07:32:00", "1979-05-27 07:32:00"),
        "stages[0].epochs": (22, "5", 5),
        "stages[1].epochs": (25, "10", 10),
        "stages[1].schedule.warmup": (27, "inf", "inf"),
        "stages[1].callbacks[0].name": (30, '"early_stop"', "early_stop"),
        "empty": (32, "{}", {}),
    }


@pytest.mark.parametrize(
    ("path", "text", "line", "start"),
    [
        ("c.yaml", "a: [1, 2\nb: 2\n", 2, "Could not parse the YAML: "),
        ("c.yml", "a: 1\n  b: 2\n", 2, "Could not parse the YAML: "),
        ("c.yaml", "a: *missing\n", 1, "Could not parse the YAML: "),
        ("c.json", '{\n  "a": 1,\n}\n', 3, "Could not parse the JSON: "),
        ("c.json", "", 1, "Could not parse the JSON: "),
        ("c.yaml", "a: 1\nb: \udcff\n", 2, "Could not parse the YAML: "),
        ("c.toml", "a = 1\nb = \n", 2, "Could not parse the TOML: "),
        ("c.toml", "[a]\nx = 1\n[a]\n", 3, "Could not parse the TOML: "),
    ],
)
def test_parse_errors_become_issues(path: str, text: str, line: int, start: str) -> None:
    params, issues = config_hyperparameters(path, text)
    assert params == []
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.kind, issue.file, issue.line) == ("config", path, line)
    assert issue.message.startswith(start)
    assert issue.message.endswith(".")
    assert "\n" not in issue.message


def test_leaf_cap() -> None:
    text = "".join(f"k{i}: {i}\n" for i in range(MAX_LEAVES + 5))
    params, issues = config_hyperparameters("big.yaml", text)
    assert len(params) == MAX_LEAVES
    assert params[-1].key == f"k{MAX_LEAVES - 1}"
    assert params[-1].source.line == MAX_LEAVES
    assert issues == [
        ScanIssue(
            kind="config",
            file="big.yaml",
            message="The file has more than 2,000 settings; only the first 2,000 were kept.",
        )
    ]


def test_large_file_is_skipped() -> None:
    params, issues = config_hyperparameters("big.json", '{"a": "' + "x" * 600_000 + '"}')
    assert params == []
    assert [(i.kind, i.line) for i in issues] == [("config", None)]


def test_other_suffixes_give_nothing() -> None:
    assert config_hyperparameters("setup.cfg", "[x]\na = 1\n") == ([], [])


@pytest.mark.parametrize(
    "path",
    [
        "configs/model/resnet.yaml",
        "conf/db/mysql.yml",
        "cfg/base.toml",
        "hparams/small.json",
        "experiments/exp1.yaml",
        "config.json",
        "train.yaml",
        "model_config.JSON",
        "hparams.yml",
        "hyperparameters.toml",
        "sweep.yaml",
        "training_args.json",
        "settings.toml",
        "src/params.yaml",
    ],
)
def test_is_config_file_positives(path: str) -> None:
    assert is_config_file(path)


@pytest.mark.parametrize(
    "path",
    [
        "package.json",
        "web/package-lock.json",
        "tsconfig.json",
        "tsconfig.build.json",
        ".pre-commit-config.yaml",
        "mkdocs.yml",
        "environment.yml",
        "configs/environment.yaml",
        "pyproject.toml",
        "Cargo.toml",
        ".readthedocs.yaml",
        ".readthedocs.yml",
        "codecov.yml",
        ".github/workflows/train.yml",
        ".github/dependabot.yml",
        "model/tokenizer_config.json",
        "configs/tokenizer.json",
        "vocab.json",
        "configs/merges.txt",
        "poetry.lock",
        "train.ipynb",
        "configs/train.py",
        "data/values.yaml",
        "README.md",
        "",
    ],
)
def test_is_config_file_negatives(path: str) -> None:
    assert not is_config_file(path)
