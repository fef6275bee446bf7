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


@pytest.mark.parametrize(
    "path",
    [
        # A Hugging Face Trainer's output: "trainer_state.json" matches the stem word "train".
        "checkpoint-500/trainer_state.json",
        "out/checkpoint-500/config.json",
        "out/checkpoint-500/training_args.json",
        "trainer_state.json",
        "all_results.json",
        "eval_results.json",
        "train_results.json",
        "configs/test_results.json",
        "train_metrics.json",
        "configs/metrics.json",
        "events.out.tfevents.1700000000.host.1.0",
        "checkpoints/config.yaml",
        "wandb/run-20240101_000000-abc/files/config.yaml",
        "mlruns/0/1/params.yaml",
        "lightning_logs/version_0/hparams.yaml",
        "runs/exp1/config.json",
        "outputs/2024-01-01/12-00-00/.hydra/config.yaml",
        ".hydra/config.yaml",
        ".hydra/hydra.yaml",
        "configs/.hydra/overrides.yaml",
        "logs/train/config.yaml",
        "Outputs/Config.yaml",
    ],
)
def test_run_outputs_are_not_config_files(path: str) -> None:
    assert not is_config_file(path)


@pytest.mark.parametrize(
    "path",
    [
        "configs/train.yaml",
        "config.json",
        "hparams.yaml",
        "configs/checkpoint.yaml",
        "checkpoint-config/train.yaml",
        "configs/logging.yaml",
        "configs/run.yaml",
    ],
)
def test_configs_near_run_output_names_are_kept(path: str) -> None:
    assert is_config_file(path)


def test_data_folders_are_not_configs() -> None:
    assert not is_config_file("data/train_squad.json")
    assert not is_config_file("datasets/train/config.yaml")
