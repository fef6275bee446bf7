"""Facts read from the arguments of a call: a split's ratio and seed, a saved file's path.

These work on `Call` facts (argument values as written), so any language's extractor can use
them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from modeldoc.facts import Artifact, Call, Split, Value
from modeldoc.tools.code.literals import to_value

_MANUAL_SEED = re.compile(r"manual_seed\(\s*(\d+)\s*\)")
_PATH_KEYWORDS = ("path", "f", "fname", "file", "filename", "filepath", "export_dir")


def split_of(call: Call, constants: Mapping[str, Value]) -> Split:
    """A split with its test/train size, number of folds and seed, constants resolved."""

    def keyword(*names: str) -> Value | None:
        value = next((v for name in names if (v := call.keyword(name)) is not None), None)
        return _resolved(value, constants)

    positional = [argument.value for argument in call.args if argument.name is None]
    last = call.qualified.rsplit(".", 1)[-1]
    test_size = keyword("test_size")
    train_size = keyword("train_size")
    n_splits = keyword("n_splits")
    seed = keyword("random_state", "seed")
    if last == "random_split" and len(positional) > 1:
        # random_split(dataset, [55000, 5000] or [0.9, 0.1], generator=...)
        lengths = _resolved(positional[1], constants)
        if lengths is not None and isinstance(lengths.value, list) and len(lengths.value) == 2:
            train_size = Value(text=lengths.text, literal=True, value=lengths.value[0])
            test_size = Value(text=lengths.text, literal=True, value=lengths.value[1])
        generator = call.keyword("generator")
        match = _MANUAL_SEED.search(generator.text) if generator else None
        if generator is not None and match:
            seed = Value(text=generator.text, literal=True, value=int(match.group(1)))
    elif last.endswith(("KFold", "Split")) and n_splits is None and positional:
        n_splits = _resolved(positional[0], constants)  # KFold(5)
    return Split(
        test_size=test_size, train_size=train_size, n_splits=n_splits, seed=seed, **dict(call)
    )


def _resolved(value: Value | None, constants: Mapping[str, Value]) -> Value | None:
    """`TEST_SIZE` bound to a literal at module level: its text, with the literal."""
    if value is None or value.literal or value.text not in constants:
        return value
    return Value(text=value.text, literal=True, value=constants[value.text].value)


def artifact_of(call: Call, path_index: int) -> Artifact:
    """A saving call with the path it writes to (as written when it is not a literal)."""
    path = next((v for name in _PATH_KEYWORDS if (v := call.keyword(name)) is not None), None)
    positional = [argument.value for argument in call.args if argument.name is None]
    if path is None and len(positional) > path_index:
        path = positional[path_index]
    if path is not None and not path.literal:
        path = _opened(path)
    return Artifact(path=path, **dict(call))


def _opened(value: Value) -> Value:
    """`open("model.pkl", "wb")` -> its first argument (pickle.dump writes to a file object)."""
    try:
        expression = ast.parse(value.text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return value
    if (
        isinstance(expression, ast.Call)
        and isinstance(expression.func, ast.Name)
        and expression.func.id == "open"
        and expression.args
    ):
        return to_value(ast.get_source_segment(value.text, expression.args[0]) or value.text)
    return value
