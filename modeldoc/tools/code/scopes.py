"""Nesting of definitions from byte ranges, for any tree-sitter grammar.

`Node.parent` is not used: tree-sitter answers it by descending from the root each time,
which made a scan quadratic in the depth of the file. One sweep over nodes sorted by start
finds every enclosing definition instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tree_sitter import Node

ScopeKind = Literal["class", "function"]


def node_text(node: Node | None) -> str:
    """The source text of a node ('' for none)."""
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


@dataclass
class Scope:
    """A class or function definition and the definitions around it."""

    node: Node
    kind: ScopeKind
    qualname: str
    parent: Scope | None
    end: int

    def innermost(self, kind: ScopeKind) -> Scope | None:
        """This scope or the nearest enclosing one of `kind`."""
        scope: Scope | None = self
        while scope is not None and scope.kind != kind:
            scope = scope.parent
        return scope

    @property
    def is_method(self) -> bool:
        """A function defined directly in a class body."""
        return self.kind == "function" and self.parent is not None and self.parent.kind == "class"


def nest(definitions: list[Node], class_type: str) -> list[Scope]:
    """Scopes for definitions sorted by start, each knowing its parent.

    A node of type `class_type` is a class; every other definition is a function.
    """
    scopes: list[Scope] = []
    stack: list[Scope] = []
    for node in definitions:
        while stack and stack[-1].end <= node.start_byte:
            stack.pop()
        parent = stack[-1] if stack else None
        name = node_text(node.child_by_field_name("name"))
        kind: ScopeKind = "class" if node.type == class_type else "function"
        qualname = f"{parent.qualname}.{name}" if parent else name
        scope = Scope(node=node, kind=kind, qualname=qualname, parent=parent, end=node.end_byte)
        scopes.append(scope)
        stack.append(scope)
    return scopes


def innermost_scopes(scopes: list[Scope], nodes: list[Node]) -> list[Scope | None]:
    """For nodes sorted by start, the innermost scope around each (one sweep)."""
    result: list[Scope | None] = []
    stack: list[Scope] = []
    index = 0
    for node in nodes:
        position = node.start_byte
        while index < len(scopes) and scopes[index].node.start_byte <= position:
            stack.append(scopes[index])
            index += 1
        # Drop scopes that closed before this node, including siblings above an open parent.
        while stack and not (stack[-1].node.start_byte <= position < stack[-1].end):
            stack.pop()
        result.append(stack[-1] if stack else None)
    return result
