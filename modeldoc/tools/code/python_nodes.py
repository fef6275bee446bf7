"""Python syntax nodes turned into fact pieces: values, arguments, parameters."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from pydantic import JsonValue
from tree_sitter import Node

from modeldoc.facts import Argument, Parameter, Value
from modeldoc.tools.code.literals import to_value
from modeldoc.tools.code.scopes import node_text
from modeldoc.tools.secrets import redact_text, redact_value

# Expressions that are never literals: decided from the node type alone, without parsing.
_NEVER_LITERAL = {
    "identifier", "attribute", "call", "subscript", "lambda", "list_comprehension",
    "dictionary_comprehension", "set_comprehension", "generator_expression",
    "conditional_expression", "await", "comparison_operator", "boolean_operator",
    "not_operator", "list_splat", "dictionary_splat",
}  # fmt: skip
_CONSTANTS: dict[str, JsonValue] = {"true": True, "false": False, "none": None}
_FIELD_FACTORIES = {
    "dataclasses.field",
    "field",
    "pydantic.Field",
    "Field",
    "attr.ib",
    "attrs.field",
}


def value_of(node: Node | None) -> Value:
    """The `Value` of an expression node."""
    return _value(node.type if node is not None else "", node_text(node))


@lru_cache(maxsize=65536)
def _value(kind: str, text: str) -> Value:
    """The common cases without a second parse; the same text recurs, so one frozen instance."""
    redacted = redact_text(text)
    if redacted != text:
        return to_value(redacted).model_copy(update={"literal": False, "value": None})
    if kind in _NEVER_LITERAL:
        return Value(text=text, literal=False)
    if kind in _CONSTANTS:
        return Value(text=text, literal=True, value=_CONSTANTS[kind])
    if kind == "integer" and text.isdigit() and len(text) < 19:
        return Value(text=text, literal=True, value=int(text))
    if kind == "string" and len(text) >= 2 and text[0] in "\"'" and text[0] == text[-1]:
        inner = text[1:-1]
        if "\\" not in inner and text[0] not in inner and not text.startswith(('"""', "'''")):
            return Value(text=text, literal=True, value=inner)
    return to_value(text)


@lru_cache(maxsize=65536)
def _argument(name: str | None, kind: str, text: str) -> Argument:
    """One frozen instance per distinct argument (`bias=False` recurs everywhere)."""
    return Argument(name=name, value=redact_value(name, _value(kind, text)))


def call_arguments(call: Node) -> list[Argument]:
    """The arguments of a call, positional and keyword, in order."""
    arguments = call.child_by_field_name("arguments")
    result: list[Argument] = []
    for argument in arguments.named_children if arguments else []:
        if argument.type == "comment":
            continue
        if argument.type == "keyword_argument":
            name = node_text(argument.child_by_field_name("name"))
            value = argument.child_by_field_name("value")
            result.append(_argument(name, value.type if value else "", node_text(value)))
        else:
            result.append(_argument(None, argument.type, node_text(argument)))
    return result


def has_keywords(call: Node) -> bool:
    """True when a call passes a keyword argument."""
    arguments = call.child_by_field_name("arguments")
    return arguments is not None and any(
        child.type == "keyword_argument" for child in arguments.named_children
    )


def parameters(function: Node, *, skip_self: bool) -> list[Parameter]:
    """A function's parameters with their kinds, annotations and defaults."""
    result: list[Parameter] = []
    node_list = function.child_by_field_name("parameters")
    keyword_only = False
    for index, node in enumerate(node_list.named_children if node_list else []):
        if skip_self and index == 0 and node.type == "identifier":
            continue
        if node.type == "keyword_separator":
            keyword_only = True
            continue
        if node.type in ("list_splat_pattern", "dictionary_splat_pattern"):
            kind = "var_positional" if node.type == "list_splat_pattern" else "var_keyword"
            name = node_text(node.named_children[0]) if node.named_children else ""
            result.append(Parameter(name=name, kind=kind))
            keyword_only = keyword_only or kind == "var_positional"
            continue
        name_node = node.child_by_field_name("name") if node.type != "identifier" else node
        if node.type == "typed_parameter":
            name_node = node.named_children[0] if node.named_children else None
        default_node = node.child_by_field_name("value")
        annotation = node.child_by_field_name("type")
        result.append(
            Parameter(
                name=node_text(name_node),
                kind="keyword_only" if keyword_only else "positional",
                annotation=node_text(annotation) or None,
                default=(
                    redact_value(node_text(name_node), value_of(default_node))
                    if default_node is not None
                    else None
                ),
            )
        )
    return result


def field_default(node: Node, resolve: Callable[[str], str]) -> Value | None:
    """The default of a class field: the value itself, or `default=` of `field()`/`Field()`.

    None when the field has no default (`field(default_factory=list)`).
    """
    if node.type == "call":
        callee = resolve(node_text(node.child_by_field_name("function")))
        if callee in _FIELD_FACTORIES:
            arguments = node.child_by_field_name("arguments")
            for argument in arguments.named_children if arguments else []:
                if argument.type == "keyword_argument":
                    if node_text(argument.child_by_field_name("name")) == "default":
                        return value_of(argument.child_by_field_name("value"))
                elif argument.type not in ("comment", "list_splat", "dictionary_splat"):
                    return value_of(argument)  # pydantic's Field(0.1, ...)
            return None
    return value_of(node)


def first_missing(root: Node) -> Node | None:
    """The first MISSING node (tree-sitter inserts one where a token is absent)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            return node
        if node.has_error:
            stack.extend(reversed(node.children))
    return None
