"""YAML settings, walked on composed nodes so each key keeps its line through anchors and merges."""

from __future__ import annotations

import math
import re
import sys
from typing import Any

import yaml
from pydantic import JsonValue

from modeldoc.tools.config_files.leaves import (
    Collector,
    KeyPath,
    LineIndex,
    json_value,
    source_text,
)

# Aliases can nest so that a small file expands exponentially ("billion laughs"); cap the
# nodes turned into values per file. A 512 KB file without aliases has far fewer.
_MAX_NODES = 100_000

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"
# PyYAML follows YAML 1.1, where `1e-3` (no dot) is a string; configs mean a float (OmegaConf
# and YAML 1.2 read it so), and JSON numbers like `1e5` must match json.loads.
_EXP_FLOAT = re.compile(r"[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)[eE][-+]?\d+")
# Node marks start at the anchor or tag; the value as written starts after them.
_PROPERTIES = re.compile(r"(?:(?:&\S+|!\S*)(?:\s+|$))*")


def read_yaml(text: str, out: Collector) -> None:
    """The settings of every mapping document in `text`, into `out`."""
    try:
        documents = compose_all(text)
    except yaml.YAMLError as error:
        out.issue(f"Could not parse the YAML: {_yaml_problem(error)}.", _yaml_line(text, error))
        return
    reader = YamlReader(text, out)
    for number, document in enumerate(documents):
        if isinstance(document, yaml.MappingNode):
            out.prefix = f"doc{number}." if len(documents) > 1 else ""
            reader.walk(document, (), document.start_mark.line + 1, set())


# libyaml composes about six times faster, with the same nodes and character offsets.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def compose_all(text: str) -> list[yaml.Node]:
    """The documents' nodes, from libyaml when present; errors come from PyYAML's SafeLoader."""
    if _FAST_LOADER is not None:
        try:
            return list(yaml.compose_all(text, Loader=_FAST_LOADER))
        except (yaml.YAMLError, UnicodeError):  # libyaml encodes to UTF-8: no lone surrogates
            pass  # Report (or accept) what the pure-Python loader says: same everywhere.
    return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


def _yaml_problem(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError):
        detail = error.problem or error.context or "invalid syntax"
    elif isinstance(error, yaml.reader.ReaderError):
        detail = str(error.reason)
    else:
        detail = str(error).splitlines()[0] if str(error) else "invalid syntax"
    return detail.rstrip(".")


def _yaml_line(text: str, error: yaml.YAMLError) -> int | None:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        return None if mark is None else mark.line + 1
    if isinstance(error, yaml.reader.ReaderError) and isinstance(error.position, int):
        return LineIndex(text).line(error.position)
    return None


def _too_long(text: str) -> bool:
    """Whether `int()` refuses `text` for its length (0 means no limit)."""
    limit = sys.get_int_max_str_digits()
    return limit > 0 and sum(char.isdigit() for char in text) > limit


class Unrecordable(Exception):
    """A value that cannot become JSON: recursive, or too large once aliases expand."""

    def __init__(self, message: str, per_file: bool) -> None:
        super().__init__(message)
        self.per_file = per_file  # reported once per file rather than at each leaf


class TooLong(Unrecordable):
    """An integer with more digits than Python converts from text (4,300): kept as text."""

    def __init__(self) -> None:
        super().__init__("A number is too long to read as a value.", False)


class YamlReader:
    """Walks composed YAML nodes, resolving merge keys, down to leaf settings."""

    def __init__(self, text: str, out: Collector) -> None:
        self.text = text
        self.out = out
        self.constructor = yaml.SafeLoader("")
        self.budget = _MAX_NODES
        self.memo: dict[int, list[tuple[yaml.Node, yaml.Node]]] = {}
        self.expanding: set[int] = set()

    def reset_budget(self) -> None:
        """Allow as many nodes again as a fresh reader, after a walk that only compared."""
        self.budget = _MAX_NODES

    def pairs(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """Key and value nodes after merges, with PyYAML's precedence; memoised per node."""
        known = self.memo.get(id(node))
        if known is not None:
            return known
        if id(node) in self.expanding:
            self.out.issue("A merge key (<<) refers to its own mapping and was ignored.")
            return []
        self.expanding.add(id(node))
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        explicit: list[tuple[yaml.Node, yaml.Node]] = []
        for key, value in node.value:
            if key.tag == _MERGE_TAG:
                merged += self._merged(key, value)
            elif isinstance(key, yaml.ScalarNode):
                explicit.append((key, value))
        self.expanding.discard(id(node))
        # Like a dict: later entries win but keep the first position, so explicit keys
        # override merged ones.
        table: dict[tuple[str, str], tuple[yaml.Node, yaml.Node]] = {}
        for key, value in merged + explicit:
            table[(key.tag, key.value)] = (key, value)
        result = list(table.values())
        self.memo[id(node)] = result
        return result

    def _merged(self, key: yaml.Node, value: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]]:
        if isinstance(value, yaml.MappingNode):
            return self.pairs(value)
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        # In `<<: [*a, *b]` the first mapping wins, so it goes last.
        for source in reversed(sources):
            if isinstance(source, yaml.MappingNode):
                pairs += self.pairs(source)
            else:
                self.out.issue(
                    "A merge key (<<) points to something other than a mapping and was ignored.",
                    key.start_mark.line + 1,
                )
        return pairs

    def walk(self, node: yaml.Node, path: KeyPath, line: int, active: set[int]) -> None:
        """Emit the leaves under `node`; `line` is the line of the key that holds it."""
        if isinstance(node, yaml.MappingNode):
            children = [
                (key.value, value, key.start_mark.line + 1) for key, value in self.pairs(node)
            ]
        elif (
            isinstance(node, yaml.SequenceNode)
            and path != ("defaults",)  # Hydra's defaults list stays one setting.
            and self._has_mapping(node, set())
        ):
            children = [
                (index, item, item.start_mark.line + 1) for index, item in enumerate(node.value)
            ]
        else:
            children = []
        if not children:
            if path:  # an empty top-level mapping holds no setting
                self._leaf(node, path, line)
            return
        if id(node) in active:
            self.out.issue("A recursive alias was skipped.", line)
            return
        active.add(id(node))
        for part, child, child_line in children:
            self.walk(child, (*path, part), child_line, active)
        active.discard(id(node))

    def _has_mapping(self, node: yaml.SequenceNode, seen: set[int]) -> bool:
        seen.add(id(node))
        for item in node.value:
            if isinstance(item, yaml.MappingNode):
                return True
            if (
                isinstance(item, yaml.SequenceNode)
                and id(item) not in seen
                and self._has_mapping(item, seen)
            ):
                return True
        return False

    def _leaf(self, node: yaml.Node, path: KeyPath, line: int) -> None:
        try:
            value = self.to_json(node, set())
        except TooLong:
            self.out.leaf(path, line, self.source(node), None, literal=False)
            return
        except Unrecordable as error:
            value = None
            self.out.issue(str(error), None if error.per_file else line)
        self.out.leaf(path, line, self.source(node), value)

    def source(self, node: yaml.Node) -> str:
        """The value as written, after any anchor or tag."""
        return source_text(self.text, self._value_start(node), node.end_mark.index)

    def _value_start(self, node: yaml.Node) -> int:
        start: int = node.start_mark.index
        match = _PROPERTIES.match(self.text, start, node.end_mark.index)
        return match.end() if match else start

    def _tagged(self, node: yaml.Node) -> bool:
        properties = self.text[node.start_mark.index : self._value_start(node)]
        return any(token.startswith("!") for token in properties.split())

    def to_json(self, node: yaml.Node, active: set[int]) -> JsonValue:
        """The value under `node`; `Unrecordable` when recursive or too large."""
        self.budget -= 1
        if self.budget < 0:
            raise Unrecordable("A value expands to too many items through aliases.", True)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in active:
            raise Unrecordable("A value that contains itself through an alias was skipped.", False)
        active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.to_json(item, active) for item in node.value]
            if isinstance(node, yaml.MappingNode):
                return {
                    str(key.value): self.to_json(value, active) for key, value in self.pairs(node)
                }
            return None
        finally:
            active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode) -> JsonValue:
        """A scalar's value, with `1e-3` read as a float; unknown tags keep the text."""
        if (
            node.tag == _STR_TAG
            and not node.style  # plain: PyYAML says None, libyaml ""
            and _EXP_FLOAT.fullmatch(node.value)
            and not self._tagged(node)  # `!!str 1e-3` stays a string
        ):
            try:
                number = float(node.value)
            except ValueError:
                return str(node.value)
            return number if math.isfinite(number) else str(node.value)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except ValueError:
            if node.tag == _INT_TAG and _too_long(str(node.value)):
                raise TooLong from None
            return str(node.value)  # a malformed typed scalar
        except (yaml.YAMLError, TypeError, ArithmeticError):
            # Unknown tags (`!include`, `!!python/...`) and malformed typed scalars.
            return str(node.value)
        return json_value(value, str(node.value))
