"""Tests for `modeldoc.tools.config_files.selection`: which files are configuration."""

import pytest

from modeldoc.tools.config_files import is_config_file


@pytest.mark.parametrize(
    "path",
    [
        "configs/model/resnet.yaml",
        "conf/db/mysql.yml",
        "cfg/base.toml",
        "hparams/small.json",
        "experiments/exp1.yaml",
        "config.json",
        "train.yaml",
        "model_config.JSON",
        "hparams.yml",
        "hyperparameters.toml",
        "sweep.yaml",
        "training_args.json",
        "settings.toml",
        "src/params.yaml",
    ],
)
def test_is_config_file_positives(path: str) -> None:
    assert is_config_file(path)


@pytest.mark.parametrize(
    "path",
    [
        "package.json",
        "web/package-lock.json",
        "tsconfig.json",
        "tsconfig.build.json",
        ".pre-commit-config.yaml",
        "mkdocs.yml",
        "environment.yml",
        "configs/environment.yaml",
        "pyproject.toml",
        "Cargo.toml",
        ".readthedocs.yaml",
        ".readthedocs.yml",
        "codecov.yml",
        ".github/workflows/train.yml",
        ".github/dependabot.yml",
        "model/tokenizer_config.json",
        "configs/tokenizer.json",
        "vocab.json",
        "configs/merges.txt",
        "poetry.lock",
        "train.ipynb",
        "configs/train.py",
        "data/values.yaml",
        "README.md",
        "",
    ],
)
def test_is_config_file_negatives(path: str) -> None:
    assert not is_config_file(path)
