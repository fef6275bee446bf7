"""Hyperparameters read from experiment configuration files (YAML, JSON, TOML), with lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from modeldoc.facts import Hyperparameter, ScanIssue
from modeldoc.tools.config_files.json_reader import read_json
from modeldoc.tools.config_files.leaves import MAX_BYTES, MAX_LEAVES, CapReached, Collector
from modeldoc.tools.config_files.selection import is_config_file
from modeldoc.tools.config_files.toml_reader import read_toml
from modeldoc.tools.config_files.yaml_reader import read_yaml

__all__ = ["MAX_BYTES", "MAX_LEAVES", "config_hyperparameters", "is_config_file"]


def config_hyperparameters(path: str, text: str) -> tuple[list[Hyperparameter], list[ScanIssue]]:
    """Every leaf setting of a YAML, JSON or TOML file, keyed by its dotted path.

    Never raises: parse errors, oversized files and the leaf cap become `ScanIssue`s.
    Files with another suffix give nothing.
    """
    out = Collector(path)
    # len(text) is a lower bound of the byte size, so huge files skip the encoding.
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        out.issue("The file is larger than 512 KB, so its settings were not read.")
        return [], out.issues
    readers: dict[str, Callable[[str, Collector], None]] = {
        ".yaml": read_yaml,
        ".yml": read_yaml,
        ".json": read_json,
        ".toml": read_toml,
    }
    reader = readers.get(PurePosixPath(path).suffix.lower())
    if reader is None:
        return [], []
    try:
        reader(text, out)
    except CapReached:
        out.issue(
            f"The file has more than {MAX_LEAVES:,} settings; only the first {MAX_LEAVES:,} "
            "were kept."
        )
    except RecursionError:
        out.issue("The file is nested too deeply to read.")
    return out.params, out.issues
