"""Tests for `modeldoc.tools.config_files.yaml_reader`."""

import pytest
from helpers.config_files import read, table

from modeldoc.tools.config_files import config_hyperparameters, yaml_reader

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


def test_recursive_alias_does_not_hang() -> None:
    params, issues = config_hyperparameters("a.yaml", "a: &a [*a]\nb: &b {c: *b}\nd: 1\n")
    assert table(params) == {"a": (1, "[*a]", None), "d": (3, "1", 1)}
    assert issues and all(issue.kind == "config" for issue in issues)


def test_alias_bomb_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_reader, "_MAX_NODES", 1000)
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    text += "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    params, issues = config_hyperparameters("a.yaml", text)
    assert [p.key for p in params] == ["a", "b", "c"]
    assert params[2].value.value is None
    assert [i.message for i in issues] == ["A value expands to too many items through aliases."]
