"""Tests for `modeldoc.tools.config_files.json_reader`."""

from helpers.config_files import read
from pydantic import JsonValue

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
