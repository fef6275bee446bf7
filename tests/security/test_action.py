"""Attacks on the GitHub Action by module shadowing. `python -m NAME` puts its working folder
first on `sys.path`, and a composite action's steps start in the checkout of the pull request:
a module the change commits at the checkout's root would stand in for one the Action runs.
Each head commit here adds one such module, whose code, if it ran, writes the marker:

- `yaml.py`, which modeldoc's build imports;
- `modeldoc/` with `modeldoc/action/pr.py`, the Action's entry point;
- `venv/` and `pip/` with a `__main__.py`, which the install step runs.

The steps run as action.yml says: their `run:` scripts are read from action.yml and run with
bash as the runner runs them (`bash --noprofile --norc -eo pipefail`, the checkout as the
working folder, the step's `env:` evaluated with the inputs' defaults), with `RUNNER_TEMP` a
temporary folder and `GITHUB_ACTION_PATH` a copy of this repository's files. A regression in
action.yml is caught here, not only one in modeldoc/action/pr.py."""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from action.runs import github_environment, parse_outputs, repository

from modeldoc.action.pr import modeldoc_command

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
INSTALL, ANALYSE = "Install modeldoc", "Analyse the change"
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")
STEP_TIMEOUT = 1800


def action_steps() -> list[dict[str, Any]]:
    return list(yaml.safe_load(ACTION.read_text())["runs"]["steps"])


def step_environment(step: Mapping[str, Any], python: str) -> dict[str, str]:
    """The step's `env:` as GitHub evaluates it: each input its default, `PYTHON` `python`."""
    action = yaml.safe_load(ACTION.read_text())
    values = {f"inputs.{name}": str(spec.get("default", ""))
              for name, spec in action["inputs"].items()}  # fmt: skip
    values["steps.python.outputs.python-path"] = python
    return {name: EXPRESSION.sub(lambda match: values[match[1].strip()], str(value))
            for name, value in step.get("env", {}).items()}  # fmt: skip


def action_files(folder: Path) -> Path:
    """This repository's files in `folder`, as the runner fetches an action: those git tracks
    (or would), without an earlier install's `build/` (pip builds in the action's folder)."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    for name in filter(None, listed.decode().split("\0")):
        if (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    return folder


def run_step(name: str, checkout: Path, github: Mapping[str, str], action_path: Path,
             **extra: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """The step `name` of action.yml, run by bash in `checkout` as the runner runs it."""
    [step] = [step for step in action_steps() if step.get("name") == name]
    assert step.get("shell") == "bash"
    script = Path(github["RUNNER_TEMP"]) / f"{name.replace(' ', '-')}.sh"
    script.write_text(step["run"])
    environment = {
        **os.environ,
        **github,
        "GITHUB_ACTION_PATH": str(action_path),
        **step_environment(step, python=sys.executable),
        **extra,
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=checkout,
        env=environment, capture_output=True, text=True, timeout=STEP_TIMEOUT,
    )  # fmt: skip


def payload(marker: Path, name: str) -> str:
    """Python that records in `marker` that the pull request's `name` ran."""
    return f"with open({str(marker)!r}, 'a') as marker:\n    marker.write({name!r} + '\\n')\n"


def shadows(marker: Path) -> dict[str, dict[str, str]]:
    """The files each attack commits at the checkout's root."""
    return {
        "yaml": {"yaml.py": payload(marker, "yaml.py")},
        "modeldoc": {
            "modeldoc/__init__.py": payload(marker, "modeldoc/__init__.py"),
            "modeldoc/action/__init__.py": "",
            "modeldoc/action/pr.py": payload(marker, "modeldoc/action/pr.py"),
        },
        # With an __init__.py: a bare folder is a namespace package, which the real one beats.
        "venv": {"venv/__init__.py": "", "venv/__main__.py": payload(marker, "venv")},
        "pip": {"pip/__init__.py": "", "pip/__main__.py": payload(marker, "pip")},
    }


def committing(files: Mapping[str, str]) -> Callable[[Path], None]:
    """The change of a head commit that adds `files`."""

    def change(path: Path) -> None:
        for name, text in files.items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_text(text)

    return change


def ran(marker: Path) -> str:
    """Which of the pull request's modules ran (none: empty)."""
    return marker.read_text().strip().replace("\n", ", ") if marker.exists() else ""


def installed_modeldoc(venv: Path) -> list[Path]:
    return list(venv.glob("lib/python*/site-packages/modeldoc-*.dist-info"))


def test_a_pull_request_that_shadows_modules_runs_none_of_them(
    tmp_path: Path, marker: Path
) -> None:
    """The install and the analysis steps on a pull request that commits all four shadows:
    none runs (the marker would name it), not even with the checkout on PYTHONPATH, as a step
    before modeldoc's might have put it (`-I` ignores it), and the build still works."""
    files = {name: text for shadow in shadows(marker).values() for name, text in shadow.items()}
    repo = repository(tmp_path, committing(files))
    github = github_environment(tmp_path / "github", repo)
    venv = Path(github["RUNNER_TEMP"]) / "modeldoc-venv"
    action_path = action_files(tmp_path / "action")

    # The install step installs modeldoc alone (PIP_NO_DEPS): its libraries are this test
    # environment's already, and installing them again would take minutes.
    install = run_step(INSTALL, repo.path, github, action_path, PIP_NO_DEPS="1",
                       PYTHONPATH=str(repo.path))  # fmt: skip
    assert ran(marker) == "", f"the install step ran the pull request's {ran(marker)}"
    assert install.returncode == 0, install.stdout + install.stderr
    [dist_info] = installed_modeldoc(venv)
    # The libraries: a `.pth` naming our site-packages, whose own `.pth` files it leaves
    # unread, so modeldoc is the copy the step installed, not an editable one of this
    # repository (whose import hook would hide a shadowing `modeldoc/`).
    (dist_info.parent / "test-libraries.pth").write_text("\n".join(site.getsitepackages()))

    analysis = run_step(ANALYSE, repo.path, github, action_path, PYTHONPATH=str(repo.path))
    assert ran(marker) == "", f"the analysis ran the pull request's {ran(marker)}"
    assert analysis.returncode == 0, analysis.stdout + analysis.stderr
    outputs = parse_outputs(Path(github["GITHUB_OUTPUT"]).read_text())
    assert outputs["gates-passed"] == "true"
    assert (Path(outputs["site-path"]) / "index.html").is_file()


PYTHON_CALL = re.compile(r'^"(\$PYTHON|\$RUNNER_TEMP/modeldoc-venv/bin/python)" (.*)$')


def test_every_python_the_action_starts_is_isolated_and_outside_the_checkout() -> None:
    """What the attacks above show, for every step (the comment mode's too) and every build."""
    calls = 0
    for step in action_steps():
        lines = [line.strip() for line in str(step.get("run", "")).splitlines() if line.strip()]
        python = [line for line in lines if "python" in line.lower()]
        if not python:
            continue
        assert lines[0] == 'cd "$RUNNER_TEMP"', step["name"]
        for line in python:
            match = PYTHON_CALL.match(line)
            assert match and match[2].startswith("-I "), (step["name"], line)
            calls += 1
    assert calls == 4  # venv, pip, the analysis, the comment
    assert modeldoc_command("build")[:4] == [sys.executable, "-I", "-m", "modeldoc"]
