"""Tests for `modeldoc.tools.repo.dependencies`: repositories built in tmp_path, texts passed in."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.repo import scan

from modeldoc.facts import Dependency, RepoFacts


def deps(facts: RepoFacts) -> dict[tuple[str, str], Dependency]:
    return {(d.group, d.name): d for d in facts.dependencies}


REQUIREMENTS = """\
# core
-r requirements-dev.txt
--index-url https://download.pytorch.org/whl/cu121
-e .
numpy>=1.2,<2  # pinned below 2
torch==2.1.0 ; python_version >= "3.10"
scipy \\
    >=1.10
pandas[excel]~=2.0 --hash=sha256:0123abcd
./local_pkg
lightgbm ===
Foo_Bar.baz @ https://example.com/foo.whl#egg=foo
"""


def test_requirements_files(tmp_path: Path) -> None:
    files = {
        "requirements.txt": REQUIREMENTS,
        "requirements-dev.txt": "pytest>=8\n",
        "requirements/docs.txt": "mkdocs\n",
        "examples/requirements.txt": "ignored\n",
    }
    facts, issues = scan(tmp_path, files)
    found = {key: (d.specifier, d.source.file, d.source.line) for key, d in deps(facts).items()}
    assert found == {
        ("main", "numpy"): (">=1.2,<2", "requirements.txt", 5),
        ("main", "torch"): ("==2.1.0", "requirements.txt", 6),
        ("main", "scipy"): (">=1.10", "requirements.txt", 7),
        ("main", "pandas"): ("~=2.0", "requirements.txt", 9),
        ("main", "foo-bar-baz"): ("", "requirements.txt", 12),
        ("dev", "pytest"): (">=8", "requirements-dev.txt", 1),
        ("docs", "mkdocs"): ("", "requirements/docs.txt", 1),
    }
    assert [(i.kind, i.file, i.line) for i in issues] == [
        ("config", "requirements.txt", 10),
        ("config", "requirements.txt", 11),
    ]


PYPROJECT = """\
[project]
name = "my-model"
dependencies = [
    "torch>=2.0",
    "torchvision",
    "numpy (>=1.24, <3)",
]

[project.optional-dependencies]
viz = ["matplotlib>=3.8", "seaborn"]
dev = [
    "pytest>=8",
    "not a requirement!",
]

[dependency-groups]
lint = ["ruff==0.5.0", {include-group = "viz"}]

[tool.poetry.dependencies]
python = "^3.10"
transformers = "^4.40"
datasets = { version = ">=2.18", extras = ["audio"] }
accelerate = "*"

[tool.poetry.group.test.dependencies]
hypothesis = "^6.0"
"""


def test_pyproject_dependencies(tmp_path: Path) -> None:
    facts, issues = scan(tmp_path, {"pyproject.toml": PYPROJECT})
    found = {key: (d.specifier, d.source.line) for key, d in deps(facts).items()}
    assert found == {
        ("main", "torch"): (">=2.0", 4),
        ("main", "torchvision"): ("", 5),
        ("main", "numpy"): (">=1.24,<3", 6),
        ("viz", "matplotlib"): (">=3.8", 10),
        ("viz", "seaborn"): ("", 10),
        ("dev", "pytest"): (">=8", 12),
        ("lint", "ruff"): ("==0.5.0", 17),
        ("main", "transformers"): ("^4.40", 21),
        ("main", "datasets"): (">=2.18", 22),
        ("main", "accelerate"): ("", 23),
        ("test", "hypothesis"): ("^6.0", 26),
    }
    assert [(i.kind, i.file, i.line) for i in issues] == [("config", "pyproject.toml", 13)]


SETUP_PY = """\
import setuptools

requirements = open("requirements.txt").read().splitlines()

setuptools.setup(
    name="my-model",
    install_requires=[
        "torch>=2.0",  # the framework
        'scikit-learn==1.4.2',
    ],
    extras_require={
        "dev": ["pytest", "ruff>=0.4"],
        "gpu": f"cupy",
    },
)

setup(install_requires=requirements)
"""


def test_setup_py_dependencies_are_read_not_run(tmp_path: Path) -> None:
    facts, issues = scan(tmp_path, {"setup.py": SETUP_PY})
    found = {key: (d.specifier, d.source.line) for key, d in deps(facts).items()}
    assert found == {
        ("main", "torch"): (">=2.0", 8),
        ("main", "scikit-learn"): ("==1.4.2", 9),
        ("dev", "pytest"): ("", 12),
        ("dev", "ruff"): (">=0.4", 12),
    }
    assert [(i.kind, i.line) for i in issues] == [("config", 17), ("config", 13)]
    assert "not a literal list" in issues[0].message


SETUP_CFG = """\
[metadata]
name = my-model

[options]
packages = find:
install_requires =
    numpy>=1.24
    torch>=2.0; platform_system != "Darwin"
    # a comment

[options.extras_require]
Docs =
    sphinx>=7
"""


def test_setup_cfg_dependencies(tmp_path: Path) -> None:
    facts, issues = scan(tmp_path, {"setup.cfg": SETUP_CFG})
    found = {key: (d.specifier, d.source.line) for key, d in deps(facts).items()}
    assert found == {
        ("main", "numpy"): (">=1.24", 7),
        ("main", "torch"): (">=2.0", 8),
        ("Docs", "sphinx"): (">=7", 13),
    }
    assert issues == []


ENVIRONMENT = """\
name: my-model
channels:
  - pytorch
  - conda-forge
dependencies:
  - python>=3.10
  - numpy=1.26
  - pytorch::pytorch>=2.1
  - cudatoolkit 11.8.*
  - pip
  - pip:
      - --extra-index-url https://example.com/simple
      - transformers==4.40.0
      - -e .
"""


def test_environment_yml_dependencies(tmp_path: Path) -> None:
    facts, issues = scan(tmp_path, {"environment.yml": ENVIRONMENT})
    found = {key: (d.specifier, d.source.line) for key, d in deps(facts).items()}
    assert found == {
        ("conda", "numpy"): ("=1.26", 7),
        ("conda", "pytorch"): (">=2.1", 8),
        ("conda", "cudatoolkit"): ("11.8.*", 9),
        ("conda", "pip"): ("", 10),
        ("pip", "transformers"): ("==4.40.0", 13),
    }
    assert issues == []


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("pyproject.toml", '[project]\nname = "m"\nname = "n"\n', 3),
        ("setup.cfg", "[options]\ninstall_requires = numpy\n[broken\n", None),
        ("setup.cfg", "install_requires = numpy\n", 1),
        ("environment.yml", "dependencies:\n  - numpy\n  - [unclosed\n", 4),
        ("environment.yaml", "dependencies: numpy\n", 1),
    ],
)
def test_malformed_config_is_an_issue(
    tmp_path: Path, name: str, text: str, line: int | None
) -> None:
    facts, issues = scan(tmp_path, {name: text})
    assert facts.dependencies == []
    assert [(i.kind, i.file) for i in issues] == [("config", name)]
    assert line is None or issues[0].line == line


def test_wrongly_typed_pyproject_fields_are_issues(tmp_path: Path) -> None:
    text = '[project]\nname = "m"\ndependencies = "numpy"\n\n[tool.poetry.dependencies]\nx = 3\n'
    facts, issues = scan(tmp_path, {"pyproject.toml": text})
    assert facts.dependencies == []
    assert [(i.kind, i.line) for i in issues] == [("config", 3), ("config", 6)]
