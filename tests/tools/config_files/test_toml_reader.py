"""Tests for `modeldoc.tools.config_files.toml_reader`."""

from helpers.config_files import read

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
