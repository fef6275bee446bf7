"""JSON settings: lines from the YAML composer when it reads the same data, else a key scan."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import yaml

from modeldoc.tools.config_files.leaves import (
    Collector,
    KeyPath,
    LineIndex,
    parse_failure,
    source_text,
    walk_data,
    without_bom,
)
from modeldoc.tools.config_files.yaml_reader import Unrecordable, YamlReader, compose_all


def read_json(text: str, out: Collector) -> None:
    """The settings of a JSON object, into `out`."""
    text = without_bom(text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        out.issue(f"Could not parse the JSON: {error.msg}.", error.lineno)
        return
    except RecursionError:
        raise  # reported for every format alike
    except Exception as error:  # e.g. ValueError for an integer of more than 4,300 digits
        out.issue(parse_failure("JSON", error))
        return
    if not isinstance(data, dict):
        return
    # JSON is nearly YAML, and the composer gives exact positions; trust it only when it
    # read the same data as json.loads (tabs, long one-line keys and NaN can differ).
    reader = YamlReader(text, out)
    try:
        documents = compose_all(text)
        node = documents[0] if len(documents) == 1 else None
        same = isinstance(node, yaml.MappingNode) and _same(reader.to_json(node, set()), data)
    except (yaml.YAMLError, Unrecordable):
        node, same = None, False
    if node is not None and same:
        reader.reset_budget()
        reader.walk(node, (), 1, set())
    else:
        walk_data(data, out, _JsonLocator(text))


class _JsonLocator:
    """Finds keys by scanning forward in document order, the order the walk asks for them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines = LineIndex(text)
        self.decoder = json.JSONDecoder()

    def __call__(self, path: KeyPath, value: Any, leaf: bool) -> tuple[int | None, str | None]:
        key = path[-1]
        if isinstance(key, int):
            return None, None
        match = None
        for spelling in dict.fromkeys([json.dumps(key, ensure_ascii=False), json.dumps(key)]):
            # A backslash before the quote means it sits inside another string.
            pattern = re.compile(r"(?<!\\)" + re.escape(spelling) + r"\s*:\s*")
            match = pattern.search(self.text, self.pos)
            if match:
                break
        if match is None:
            return None, None
        self.pos = match.end()
        line = self.lines.line(match.start())
        if not leaf:
            return line, None
        try:
            decoded, end = self.decoder.raw_decode(self.text, match.end())
        except ValueError:
            return line, None
        self.pos = end
        # A duplicated key keeps the last value but is found first: do not pair them.
        return line, source_text(self.text, match.end(), end) if _same(decoded, value) else None


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (`1 == 1.0 == True` in Python)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)
