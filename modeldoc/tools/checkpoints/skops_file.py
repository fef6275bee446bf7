"""Load a skops file: only reviewed types without `--trust-pickle`, never a callable.

skops' `get_untrusted_types` names what skops itself does not trust; modeldoc trusts only
the exact classes of `skops_types.trusted_types()` among them. The schema is read as well,
because skops trusts some callables by default (numpy functions) and `FunctionTransformer`
is a scikit-learn estimator: whatever calls a function the file names needs the user's
trust. A file that needs trust loads with exactly the types it names.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from modeldoc.errors import first_line
from modeldoc.llm.sanitize import clean_text
from modeldoc.tools.checkpoints.child_load import probe_skops
from modeldoc.tools.checkpoints.errors import CheckpointRefused, CheckpointUnreadable
from modeldoc.tools.checkpoints.skops_types import (
    CALLABLE_LOADERS,
    HOLDS_CALLABLE,
    NATIVE_PARSERS,
    trusted_types,
)
from modeldoc.tools.checkpoints.tree_checks import check_trees
from modeldoc.tools.secrets import redact_text

# A fitted forest's schema is a few MB; a larger one is not a model modeldoc documents.
MAX_SCHEMA_BYTES = 64_000_000
_MAX_LISTED = 8
_MAX_NAME = 120


def load_skops(path: Path, *, trust_pickle: bool) -> tuple[object, bool]:
    """The model in the skops file at `path`, and whether it needed the user's trust."""
    import skops.io

    try:
        schema = _schema(path)
        needed = skops.io.get_untrusted_types(file=path)
    except CheckpointUnreadable:
        raise
    except Exception as error:  # any failure to read the archive: not loadable
        raise CheckpointUnreadable(
            f"{path.name}: skops could not read it ({first_line(error)})"
        ) from error
    allowed = trusted_types()
    refused = sorted({name for name in needed if name not in allowed} | callables_in(schema))
    if refused and not trust_pickle:
        raise CheckpointRefused(
            f"{path.name} needs types modeldoc does not trust ({_listing(refused)}): they can "
            "run code when the model is loaded or used; pass --trust-pickle on the command "
            "line to load it anyway (a config file cannot)"
        )
    if NATIVE_PARSERS.intersection(needed):
        probe_skops(path, needed)
    try:
        model = skops.io.load(path, trusted=needed)
    except Exception as error:  # a version mismatch or a damaged member
        raise CheckpointUnreadable(
            f"{path.name}: skops could not load it ({first_line(error)})"
        ) from error
    check_trees(model, path.name)
    return model, bool(refused)


def callables_in(schema: object) -> set[str]:
    """Names of the callables a skops schema rebuilds, and of the classes given a function
    to call (a `FunctionTransformer` with a `func`; without one it passes columns through,
    as ColumnTransformer's remainder does)."""
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        name = f"{node.get('__module__')}.{node.get('__class__')}"
        rebuilds_callable = node.get("__loader__") in CALLABLE_LOADERS
        if rebuilds_callable or (name in HOLDS_CALLABLE and _given_a_function(node)):
            found.add(name)
        stack.extend(node.values())
    return found


def _given_a_function(node: dict[str, Any]) -> bool:
    """Whether an object node's attributes hold anything but null where a function goes."""
    attributes = node.get("content")
    if isinstance(attributes, dict) and attributes.get("__loader__") == "DictNode":
        attributes = attributes.get("content")
    if not isinstance(attributes, dict):
        return True  # a state skops did not write itself: assume the worst
    return any(not _is_null(attributes.get(key)) for key in ("func", "inverse_func"))


def _is_null(value: object) -> bool:
    """An absent attribute, or skops' JSON null."""
    return value is None or (
        isinstance(value, dict)
        and value.get("__loader__") == "JsonNode"
        and value.get("content") == "null"
    )


def _schema(path: Path) -> object:
    """The parsed `schema.json` of a skops archive, refused when it is too large."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("schema.json")
        if info.file_size > MAX_SCHEMA_BYTES:
            raise CheckpointUnreadable(
                f"{path.name}: its schema is larger than {MAX_SCHEMA_BYTES:,} bytes"
            )
        # zipfile stops reading at the declared size: a bomb cannot expand past it.
        return json.loads(archive.read(info))


def _listing(names: list[str]) -> str:
    """The refused names for a one-line message: the file wrote them, so each is cleaned of
    control characters, redacted and cut short."""
    cleaned = (redact_text(" ".join(clean_text(name).split())) for name in names[:_MAX_LISTED])
    shown = ", ".join(name[:_MAX_NAME] for name in cleaned)
    more = len(names) - _MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown
