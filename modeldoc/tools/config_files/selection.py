"""Which files are experiment configuration files: by folder, name and suffix."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".toml"})
_CONFIG_DIRS = frozenset({"config", "configs", "conf", "cfg", "hparams", "params", "experiments"})
_STEM_WORDS = (
    "config",
    "conf",
    "cfg",
    "hparam",
    "param",
    "hyper",
    "train",
    "sweep",
    "args",
    "settings",
)
_SKIP_DIRS = frozenset({".github", ".vscode", ".idea", ".devcontainer", "node_modules"})
# Data sets are records, not settings (`data/train_squad.json`).
_DATA_DIRS = frozenset({"data", "datasets", "dataset"})
# What training runs write: checkpoints, trackers' folders and logs. A `.hydra/` folder is a
# copy of one run's composed config, not the repository's own configuration.
_RUN_OUTPUT_DIRS = frozenset(
    {"checkpoints", "wandb", "mlruns", "lightning_logs", "runs", "outputs", "logs", ".hydra"}
)
_CHECKPOINT_DIR = re.compile(r"checkpoint-\d+")
_SKIP_NAMES = frozenset(
    {
        "package.json",
        "package-lock.json",
        "pnpm-lock.yaml",
        "composer.json",
        "jsconfig.json",
        "pyrightconfig.json",
        "pyproject.toml",
        "cargo.toml",
        "mkdocs.yml",
        "mkdocs.yaml",
        "codecov.yml",
        "codecov.yaml",
        ".codecov.yml",
        ".pre-commit-config.yaml",
        ".pre-commit-config.yml",
        ".pre-commit-hooks.yaml",
        "merges.txt",
    }
)
_SKIP_PATTERNS = (
    "tsconfig*.json",
    "environment*.yml",
    "environment*.yaml",
    ".readthedocs.y*ml",
    "readthedocs.y*ml",
    "tokenizer*.json",
    "vocab*.json",
    "*.lock",
    "*.ipynb",
    # Run outputs: trainer state, evaluation results and metrics, TensorBoard events.
    "trainer_state.json",
    "*_results.json",
    "*metrics*.json",
    "events.out.tfevents*",
)


def is_config_file(path: str) -> bool:
    """Whether `path` looks like an experiment configuration file (YAML, JSON or TOML)."""
    parts = PurePosixPath(path.lower()).parts
    if not parts:
        return False
    name, folders = parts[-1], parts[:-1]
    if _SKIP_DIRS.intersection(folders) or _DATA_DIRS.intersection(folders):
        return False
    if name in _SKIP_NAMES:
        return False
    if _RUN_OUTPUT_DIRS.intersection(folders) or any(map(_CHECKPOINT_DIR.fullmatch, folders)):
        return False
    if any(fnmatchcase(name, pattern) for pattern in _SKIP_PATTERNS):
        return False
    pure = PurePosixPath(name)
    if pure.suffix not in _SUFFIXES:
        return False
    if _CONFIG_DIRS.intersection(folders):
        return True
    return any(word in pure.stem for word in _STEM_WORDS)
