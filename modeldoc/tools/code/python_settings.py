"""Settings written as Python: `argparse` defaults and module-level assignments."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tree_sitter import Node

from modeldoc.facts import Hyperparameter, Source, Value
from modeldoc.tools.code.python_nodes import value_of
from modeldoc.tools.code.scopes import node_text

SourceOf = Callable[[Node], Source]

_CONFIG_FILE_WORDS = ("config", "conf", "cfg", "hparam", "settings", "params")
_CONFIG_FOLDERS = ("config", "configs", "conf")


def argparse_default(call: Node, parser: str, source_of: SourceOf) -> Hyperparameter | None:
    """`parser.add_argument("--lr", default=1e-3)` -> `lr = 1e-3`; None without a default."""
    arguments = call.child_by_field_name("arguments")
    options: list[str] = []
    keywords: dict[str, Node] = {}
    for argument in arguments.named_children if arguments else []:
        if argument.type == "keyword_argument":
            value_node = argument.child_by_field_name("value")
            if value_node is not None:
                keywords[node_text(argument.child_by_field_name("name"))] = value_node
        elif argument.type == "string":
            literal = value_of(argument)
            if isinstance(literal.value, str):
                options.append(literal.value)
    if not options:
        return None
    dest_node = keywords.get("dest")
    dest = value_of(dest_node).value if dest_node is not None else None
    if not isinstance(dest, str):
        longs = [option for option in options if option.startswith("--")]
        dest = (longs[0] if longs else options[0]).lstrip("-").replace("-", "_")
    if "default" in keywords:
        value = value_of(keywords["default"])
        where = keywords["default"]
    else:
        action = value_of(keywords["action"]).value if "action" in keywords else None
        if action not in ("store_true", "store_false"):
            return None
        # A flag's implicit default is the opposite of what giving it stores.
        value = Value(text=str(action == "store_false"), literal=True, value=action != "store_true")
        where = call
    return Hyperparameter(
        name=dest, key=dest, value=value, origin="argparse", scope=parser, source=source_of(where)
    )


def holds_settings(path: str) -> bool:
    """A configuration module by its name or folder (`config/small.py`, `hparams.py`)."""
    stem = path.rsplit("/", 1)[-1].lower()
    folders = path.lower().split("/")[:-1]
    return any(word in stem for word in _CONFIG_FILE_WORDS) or any(
        folder in _CONFIG_FOLDERS for folder in folders
    )


def module_constants(assignments: list[Node]) -> dict[str, Value]:
    """Names bound to one literal at module level (`TEST_SIZE = 0.25`); a name bound to
    different values is left out, since which one a use sees depends on the order."""
    constants: dict[str, Value] = {}
    ambiguous: set[str] = set()
    for assignment in assignments:
        left = assignment.child_by_field_name("left")
        right = assignment.child_by_field_name("right")
        if left is None or right is None or left.type != "identifier":
            continue
        name, value = node_text(left), value_of(right)
        if not value.literal or (name in constants and constants[name].value != value.value):
            ambiguous.add(name)
        else:
            constants[name] = value
    return {name: value for name, value in constants.items() if name not in ambiguous}


def module_assignments(
    path: str, assignments: list[Node], source_of: SourceOf
) -> Iterator[Hyperparameter]:
    """Module-level literal settings: `learning_rate = 6e-4`, and dicts flattened by key."""
    for assignment in assignments:
        left = assignment.child_by_field_name("left")
        right = assignment.child_by_field_name("right")
        if left is None or right is None or left.type != "identifier":
            continue
        name = node_text(left)
        if name.startswith("__"):
            continue
        value = value_of(right)
        if not value.literal:
            continue
        if right.type == "dictionary" and isinstance(value.value, dict):
            yield from _flatten_dict(path, name, right, source_of)
            continue
        yield Hyperparameter(
            name=name,
            key=name,
            value=value,
            origin="assignment",
            scope=path,
            source=source_of(assignment),
        )


def _flatten_dict(
    path: str, prefix: str, dictionary: Node, source_of: SourceOf
) -> Iterator[Hyperparameter]:
    """`params = {"max_depth": 6}` -> `params.max_depth`, each with its own line."""
    for pair in dictionary.named_children:
        if pair.type != "pair":
            continue
        key = value_of(pair.child_by_field_name("key")).value
        value_node = pair.child_by_field_name("value")
        if not isinstance(key, str) or value_node is None:
            continue
        if value_node.type == "dictionary":
            yield from _flatten_dict(path, f"{prefix}.{key}", value_node, source_of)
            continue
        yield Hyperparameter(
            name=key,
            key=f"{prefix}.{key}",
            value=value_of(value_node),
            origin="assignment",
            scope=path,
            source=source_of(pair),
        )
