"""Python code facts with tree-sitter: one parse and one query per file.

The query hands back only the nodes that can carry facts (imports, classes, functions,
calls, module-level assignments, returns, parse errors); everything else stays in C.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import attrgetter

import tree_sitter_python
from tree_sitter import Language, Node, Parser, Query, QueryCursor

from modeldoc.facts import (
    Call,
    DataSource,
    Hyperparameter,
    Instantiation,
    ModelDefinition,
    Parameter,
    ScanIssue,
    ScriptRole,
    Source,
    Symbol,
    Value,
)
from modeldoc.tools.code import catalog
from modeldoc.tools.code.base import ClassInfo, ConfigClassKind, FileFacts, LineMap
from modeldoc.tools.code.call_facts import artifact_of, split_of
from modeldoc.tools.code.imports import ImportMap
from modeldoc.tools.code.module_models import ModuleModels
from modeldoc.tools.code.python_nodes import (
    call_arguments,
    field_default,
    first_missing,
    has_keywords,
    parameters,
)
from modeldoc.tools.code.python_settings import (
    argparse_default,
    holds_settings,
    module_assignments,
    module_constants,
)
from modeldoc.tools.code.scopes import Scope, innermost_scopes, nest, node_text
from modeldoc.tools.hyperparameters import call_settings
from modeldoc.tools.secrets import redact_value

LANGUAGE = Language(tree_sitter_python.language())

_QUERY = Query(
    LANGUAGE,
    """
    (import_statement) @import
    (import_from_statement) @import
    (class_definition) @class
    (function_definition) @function
    (call function: [(identifier) (attribute)] @callee) @call
    (module (expression_statement (assignment) @assignment))
    (module (if_statement consequence: (block (expression_statement (assignment) @assignment))))
    (return_statement) @return
    (decorated_definition) @decorated
    (assignment left: (identifier) right: (call)) @call_assignment
    (ERROR) @error
    """,
)

_INTERESTING_NAME = re.compile(catalog.CALL_NAME_PATTERN)
_START = attrgetter("start_byte")


def _outer_first(node: Node) -> tuple[int, int]:
    return node.start_byte, -node.end_byte


# Method names whose call is evidence that a file trains or evaluates a model.
_TRAINING_METHODS = {"fit", "partial_fit", "fit_generator", "backward"}
_EVALUATION_METHODS = {"evaluate", "score"}
_EVALUATION_PREFIXES = ("sklearn.metrics.", "torchmetrics.", "evaluate.load")
_EVALUATION_FUNCTIONS = {
    "sklearn.model_selection.cross_val_score",
    "sklearn.model_selection.cross_validate",
}
_TRAINING_FUNCTIONS = {"xgboost.train", "lightgbm.train", "xgboost.cv", "lightgbm.cv"}
# Keyword arguments of these methods are training settings (Keras `compile`/`fit`).
_SETTING_METHODS = {"compile", "fit"}
_DATACLASS_DECORATORS = {"dataclasses.dataclass", "dataclass", "attr.s", "attrs.define", "define"}
_PYDANTIC_BASES = {"pydantic.BaseModel", "pydantic_settings.BaseSettings", "pydantic.BaseSettings"}
_NAMEDTUPLE_BASES = {"typing.NamedTuple", "NamedTuple", "typing_extensions.NamedTuple"}


@dataclass
class _FunctionScope:
    """Calls and returns seen inside one function, to recognise model builders."""

    node: Node
    layers: list[Call] = field(default_factory=list)
    containers: dict[int, tuple[Call, str | None]] = field(default_factory=dict)
    returns: list[Node] = field(default_factory=list)


class PythonExtractor:
    """The `LanguageExtractor` for Python source and notebook code cells."""

    language: str = "python"
    extensions: tuple[str, ...] = (".py", ".pyi", ".ipynb")

    def __init__(self) -> None:
        self._parser = Parser(LANGUAGE)

    def extract(self, path: str, text: str, locate: LineMap | None = None) -> FileFacts:
        """The facts of one Python file."""
        tree = self._parser.parse(text.encode("utf-8"))
        return _FileVisitor(path, locate).visit(tree.root_node)


class _FileVisitor:
    """Turns one parsed file into `FileFacts`. Used once per file."""

    def __init__(self, path: str, locate: LineMap | None) -> None:
        self.path = path
        self.locate = locate
        self.imports = ImportMap()
        self.facts = FileFacts(path=path, language="python")
        self.classes: dict[int, ClassInfo] = {}
        self.functions: dict[int, _FunctionScope] = {}
        self.optimizer_names: set[str] = set()
        self.decorators: dict[int, list[Node]] = {}
        self.call_targets: dict[int, str] = {}
        self.scopes: list[Scope] = []
        self.method_starts: set[int] = set()
        self.class_names: set[str] = set()
        self.constants: dict[str, Value] = {}
        self.module_models = ModuleModels()
        self.sources: dict[int, Source] = {}

    # --- entry -------------------------------------------------------------------------

    def visit(self, root: Node) -> FileFacts:
        captures = QueryCursor(_QUERY).captures(root)
        for name, nodes in captures.items():
            if name not in ("call", "callee"):  # those two are paired and sorted below
                nodes.sort(key=_START)  # facts in reading order
        for node in captures.get("import", []):
            self._import(node)
        self.constants = module_constants(captures.get("assignment", []))
        self.decorators = {
            definition.start_byte: [child for child in node.children if child.type == "decorator"]
            for node in captures.get("decorated", [])
            if (definition := node.child_by_field_name("definition")) is not None
        }
        self.call_targets = {
            right.start_byte: node_text(assignment.child_by_field_name("left"))
            for assignment in captures.get("call_assignment", [])
            if (right := assignment.child_by_field_name("right")) is not None
        }
        definitions = sorted(captures.get("class", []) + captures.get("function", []), key=_START)
        self.scopes = nest(definitions, class_type="class_definition")
        for scope in self.scopes:
            self._symbol(scope)
            if scope.kind == "class":
                self._class(scope.node)
            else:
                self.functions[scope.node.start_byte] = _FunctionScope(scope.node)
        self.method_starts = {scope.node.start_byte for scope in self.scopes if scope.is_method}
        self.class_names = {info.name for info in self.classes.values()}
        returns = captures.get("return", [])
        for node, around in zip(returns, innermost_scopes(self.scopes, returns), strict=True):
            function = around.innermost("function") if around else None
            if function is not None:
                self.functions[function.node.start_byte].returns.append(node)
        calls = self._interesting_calls(captures.get("call", []), captures.get("callee", []))
        for node, around in zip(calls, innermost_scopes(self.scopes, calls), strict=True):
            self._call(node, around)
        self._builders()
        self.facts.builders.extend(self.module_models.models())
        trains = any(role.role == "training" for role in self.facts.script_roles)
        if trains or holds_settings(self.path):
            self.facts.hyperparameters.extend(
                module_assignments(self.path, captures.get("assignment", []), self.source)
            )
        self.facts.classes = sorted(self.classes.values(), key=lambda info: info.source.line)
        if root.has_error:
            self._syntax_error(captures.get("error", []), root)
        return self.facts

    def _interesting_calls(self, calls: list[Node], callees: list[Node]) -> list[Node]:
        """Calls whose last name a catalog table may accept (`print`, `x.view` drop out).

        Each call starts where its callee starts, so the two sorted lists pair one to one;
        for chained calls (`a.b().c()`) the outer call, and its longer callee, come first.
        """
        calls.sort(key=_outer_first)
        callees.sort(key=_outer_first)
        kept: list[Node] = []
        for call, callee in zip(calls, callees, strict=True):
            if _INTERESTING_NAME.match(node_text(callee).rpartition(".")[2]):
                kept.append(call)
        return kept

    def source(self, node: Node) -> Source:
        line = node.start_point.row + 1
        known = self.sources.get(line)
        if known is not None:
            return known
        if self.locate is None:
            source = Source(file=self.path, line=line)
        else:
            cell, cell_line = self.locate(line)
            source = Source(file=self.path, line=cell_line, cell=cell)
        self.sources[line] = source
        return source

    # --- imports, symbols, classes -----------------------------------------------------

    def _import(self, node: Node) -> None:
        if node.type == "import_statement":
            for child in node.named_children:
                if child.type == "aliased_import":
                    alias = node_text(child.child_by_field_name("alias"))
                    self.imports.add_import(node_text(child.child_by_field_name("name")), alias)
                elif child.type == "dotted_name":
                    self.imports.add_import(node_text(child), None)
            return
        module_node = node.child_by_field_name("module_name")
        module = node_text(module_node)
        for child in node.children_by_field_name("name"):
            if child.type == "aliased_import":
                name = node_text(child.child_by_field_name("name"))
                alias = node_text(child.child_by_field_name("alias"))
                self.imports.add_from(module, name, alias)
            else:
                self.imports.add_from(module, node_text(child), None)

    def _symbol(self, scope: Scope) -> None:
        """Record a class or function in the symbol table."""
        node = scope.node
        source = self.source(node)
        self.facts.symbols.append(
            Symbol(
                name=scope.qualname.rsplit(".", 1)[-1],
                qualname=scope.qualname,
                kind="method" if scope.is_method else scope.kind,
                source=source,
                end_line=source.line + node.end_point.row - node.start_point.row,
            )
        )

    def _class(self, node: Node) -> None:
        bases: list[str] = []
        superclasses = node.child_by_field_name("superclasses")
        if superclasses is not None:
            bases = [
                node_text(child)
                for child in superclasses.named_children
                if child.type in ("identifier", "attribute")
            ]
        qualified = [self.imports.resolve(base) for base in bases]
        info = ClassInfo(
            name=node_text(node.child_by_field_name("name")),
            source=self.source(node),
            bases=bases,
            qualified_bases=qualified,
            config_kind=self._config_kind(node, qualified),
        )
        body = node.child_by_field_name("body")
        if body is not None:
            self._class_body(info, body)
        self.classes[node.start_byte] = info

    def _config_kind(self, node: Node, qualified_bases: list[str]) -> ConfigClassKind | None:
        if any(base in _PYDANTIC_BASES for base in qualified_bases):
            return "pydantic"
        if any(base in _NAMEDTUPLE_BASES for base in qualified_bases):
            return "namedtuple"
        for decorator in self.decorators.get(node.start_byte, []):
            expression = decorator.named_children[0] if decorator.named_children else None
            if expression is not None and expression.type == "call":
                expression = expression.child_by_field_name("function")
            if self.imports.resolve(node_text(expression)) in _DATACLASS_DECORATORS:
                return "dataclass"
        return None

    def _class_body(self, info: ClassInfo, body: Node) -> None:
        """Constructor parameters and annotated fields (dataclass-style settings)."""
        field_parameters: list[Parameter] = []
        has_init = False
        for statement in body.named_children:
            definition = statement
            if definition.type == "decorated_definition":
                definition = definition.child_by_field_name("definition") or definition
            if definition.type == "function_definition":
                if node_text(definition.child_by_field_name("name")) == "__init__":
                    info.parameters = parameters(definition, skip_self=True)
                    has_init = True
                continue
            if statement.type != "expression_statement" or not statement.named_children:
                continue
            assignment = statement.named_children[0]
            if assignment.type != "assignment" or assignment.child_by_field_name("type") is None:
                continue
            left = assignment.child_by_field_name("left")
            right = assignment.child_by_field_name("right")
            if left is None or left.type != "identifier" or right is None:
                continue
            value = field_default(right, self.imports.resolve)
            if value is None:
                continue
            name = node_text(left)
            if info.config_kind is not None:
                info.fields.append(
                    Hyperparameter(
                        name=name,
                        key=f"{info.name}.{name}",
                        value=value,
                        origin=info.config_kind,
                        scope=info.name,
                        source=self.source(right),
                    )
                )
            annotation = node_text(assignment.child_by_field_name("type"))
            field_parameters.append(
                Parameter(
                    name=name,
                    kind="keyword_only",
                    annotation=annotation,
                    default=redact_value(name, value),
                )
            )
        if not has_init:
            # Dataclass-style modules (Flax, Equinox, configs): the fields are the constructor.
            info.parameters = field_parameters

    # --- calls ------------------------------------------------------------------------

    def _enclosing(self, scope: Scope | None) -> tuple[ClassInfo | None, _FunctionScope | None]:
        """The innermost class around a node and the function inside that class, if any."""
        function: _FunctionScope | None = None
        while scope is not None:
            if scope.kind == "class":
                return self.classes.get(scope.node.start_byte), function
            if function is None:
                function = self.functions.get(scope.node.start_byte)
            scope = scope.parent
        return None, function

    def _call(self, node: Node, scope: Scope | None) -> None:
        callee = node_text(node.child_by_field_name("function"))
        receiver, _, last = callee.rpartition(".")
        receiver_or_none = receiver or None
        qualified = self.imports.resolve(callee)
        self._script_evidence(node, callee, qualified, last, receiver_or_none)
        if last == "add_argument" and receiver:
            setting = argparse_default(node, receiver, self.source)
            if setting is not None:
                self.facts.hyperparameters.append(setting)
            return
        if last == "add" and receiver and scope is None:
            self.module_models.add(receiver, node.start_byte, node.end_byte)
        role = catalog.instantiation_role(qualified)
        if role is None and self._unimported_estimator(callee, qualified):
            role = "estimator"
        is_layer = catalog.is_layer(qualified)
        is_container = catalog.is_model_container(qualified)
        is_data = catalog.is_data_source(qualified)
        is_split = catalog.is_split(qualified)
        path_index = catalog.saver_path_index(qualified, receiver_or_none)
        is_setting = last in _SETTING_METHODS and bool(receiver)
        wanted = role or is_layer or is_container or is_data or is_split or is_setting
        capitalised = last[:1].isupper()
        if not (wanted or capitalised or path_index is not None):
            return
        cls, function = self._enclosing(scope)
        if cls is not None and scope is not None and self._is_alternate_constructor(scope):
            cls = None  # `from_pretrained` builds another model; it is not this one's layer
        # Other capitalised calls matter in a class body (the repository's own layers) or
        # with keyword arguments (`GPTConfig(n_layer=4)` overriding a config default).
        is_constructor = capitalised and (cls is not None or has_keywords(node))
        if not (wanted or is_constructor or path_index is not None):
            return
        call = Call(
            callee=callee,
            qualified=qualified,
            args=call_arguments(node),
            source=self.source(node),
        )
        if cls is not None and (is_constructor or is_layer):
            cls.calls.append(call)
        elif is_constructor:
            self.facts.constructor_calls.append(call)
        if function is not None:
            if is_container:
                function.containers[node.start_byte] = (call, self._assigned_name(node))
            elif is_layer:
                function.layers.append(call)
        elif scope is None:
            name = self._assigned_name(node)
            if is_container and name:
                self.module_models.container(name, call, node.start_byte, node.end_byte)
            elif is_layer:
                self.module_models.layer(call, node.start_byte)
        if role == "optimizer":
            self.optimizer_names.add(self._assigned_name(node) or "")
        if role is not None:
            self.facts.instantiations.append(Instantiation(role=role, **dict(call)))
            self.facts.hyperparameters.extend(call_settings(call, scope=callee))
        elif is_setting:
            self.facts.hyperparameters.extend(call_settings(call, scope=last))
        if is_data:
            self.facts.data_sources.append(DataSource(**dict(call)))
        if is_split:
            self.facts.splits.append(split_of(call, self.constants))
        if path_index is not None:
            self.facts.artifacts.append(artifact_of(call, path_index))

    def _unimported_estimator(self, callee: str, qualified: str) -> bool:
        """`LogisticRegression(...)` with no import behind it (a star import, a fragment);
        never a class the file defines or imports from elsewhere."""
        if qualified != callee or callee in self.class_names:
            return False
        return catalog.unimported_estimator(callee)

    def _is_alternate_constructor(self, scope: Scope) -> bool:
        """A classmethod or staticmethod: what it constructs is not a layer of its class."""
        function = scope.innermost("function")
        if function is None:
            return False
        for decorator in self.decorators.get(function.node.start_byte, []):
            if node_text(decorator).lstrip("@").strip() in ("classmethod", "staticmethod"):
                return True
        return False

    def _assigned_name(self, call: Node) -> str | None:
        """`name` in `name = call(...)`."""
        return self.call_targets.get(call.start_byte)

    def _script_evidence(
        self, node: Node, callee: str, qualified: str, last: str, receiver: str | None
    ) -> None:
        """Record the first sign that this file trains or evaluates a model."""
        roles = {role.role for role in self.facts.script_roles}
        lowered = (receiver or "").lower()
        training = (
            (receiver is not None and last in _TRAINING_METHODS)
            or (last == "step" and self._is_optimizer(receiver))
            or (last == "train" and "trainer" in lowered)
            or catalog.canonical(qualified) in _TRAINING_FUNCTIONS
        )
        evaluation = (
            (receiver is not None and last in _EVALUATION_METHODS)
            or qualified.startswith(_EVALUATION_PREFIXES)
            or qualified in _EVALUATION_FUNCTIONS
        )
        for role, happened in (("training", training), ("evaluation", evaluation)):
            if happened and role not in roles:
                self.facts.script_roles.append(
                    ScriptRole(role=role, evidence=f"{callee}()", source=self.source(node))
                )

    def _is_optimizer(self, receiver: str | None) -> bool:
        if receiver is None:
            return False
        lowered = receiver.lower()
        return receiver in self.optimizer_names or "optim" in lowered or "scaler" in lowered

    # --- builders and module-level settings -------------------------------------------

    def _builders(self) -> None:
        """Functions that build and return a whole model (Keras `Sequential`, `nn.Sequential`)."""
        for scope in self.functions.values():
            if not scope.containers or scope.node.start_byte in self.method_starts:
                continue
            returned = self._returned_container(scope)
            if returned is None:
                continue
            name = node_text(scope.node.child_by_field_name("name"))
            self.facts.builders.append(
                ModelDefinition(
                    name=name,
                    kind="builder_function",
                    bases=[returned.callee],
                    framework=catalog.container_framework(returned.qualified),
                    layers=scope.layers,
                    parameters=parameters(scope.node, skip_self=False),
                    source=self.source(scope.node),
                )
            )

    def _returned_container(self, scope: _FunctionScope) -> Call | None:
        names = {name: call for call, name in scope.containers.values() if name}
        for node in scope.returns:
            value = node.named_children[0] if node.named_children else None
            if value is None:
                continue
            if value.start_byte in scope.containers:
                return scope.containers[value.start_byte][0]
            if value.type == "identifier" and node_text(value) in names:
                return names[node_text(value)]
        return None

    def _syntax_error(self, errors: list[Node], root: Node) -> None:
        first = errors[0] if errors else first_missing(root)
        line = self.source(first).line if first is not None else None
        self.facts.issues.append(
            ScanIssue(
                kind="syntax",
                file=self.path,
                line=line,
                message="Python syntax error; facts before and after it were kept",
            )
        )
