"""`modeldoc diff` on the command line: bad input is one line and exit status 2; `--out`
writes the file in one step and prints nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from diff.pairs import Builds, modeldoc, write_facts

from modeldoc.facts import GateBounds, Gates


def test_out_writes_the_file_and_nothing_else(builds: Builds, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "diff.md"
    result = modeldoc("diff", builds.out("base"), builds.out("layer"), "--check", "--out", out)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    printed = modeldoc("diff", builds.out("base"), builds.out("layer"))
    assert out.read_text(encoding="utf-8") == printed.stdout
    assert [path.name for path in out.parent.iterdir()] == ["diff.md"]  # no temporary file left
    as_json = tmp_path / "diff.json"
    result = modeldoc("diff", builds.out("base"), builds.out("hyperparameters"), "--check",
                      "--format", "json", "--out", as_json)  # fmt: skip
    assert result.returncode == 3 and result.stdout == ""
    assert as_json.read_text(encoding="utf-8").startswith('{\n  "schema_version": "1",')


def test_a_failed_gate_still_writes_the_diff(builds: Builds, tmp_path: Path) -> None:
    out = tmp_path / "diff.md"
    result = modeldoc("diff", builds.out("base"), builds.out("hyperparameters"), "--check",
                      "--out", out)  # fmt: skip
    assert result.returncode == 3
    assert out.read_text(encoding="utf-8").startswith("**modeldoc diff:** **2 of 5 gates failed**")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing", "{path}: no such file or folder"),
        (lambda tmp: tmp, "{path}: holds no facts.json; give a facts.json or a build's folder"),
        (lambda tmp: _write(tmp / "facts.json", "{not json"),
         "{path}: not a modeldoc facts.json (Invalid JSON: key must be a string at line 1 "
         "column 2)"),
        (lambda tmp: _write(tmp / "facts.json", '{"schema_version": "1"}'),
         "{path}: not a modeldoc facts.json (generator: Field required)"),
        (lambda tmp: _write(tmp / "facts.json", "[]"),
         "{path}: not a modeldoc facts.json (Input should be an object)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(
    builds: Builds, tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)
    for args in ((path, builds.out("base")), (builds.out("base"), path)):
        result = modeldoc("diff", *args)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == f"modeldoc: error: {message.format(path=path)}\n"


def test_a_fact_sheet_of_another_schema_version_is_refused(builds: Builds, tmp_path: Path) -> None:
    text = (builds.out("base") / "facts.json").read_text(encoding="utf-8")
    future = _write(
        tmp_path / "facts.json", text.replace('"schema_version": "1"', '"schema_version": "9"', 1)
    )
    result = modeldoc("diff", builds.out("base"), future)
    assert result.returncode == 2
    assert result.stderr == (
        f"modeldoc: error: {future}: facts schema version 9; this modeldoc reads version 1\n"
    )


def test_bad_options_are_exit_2(builds: Builds, tmp_path: Path) -> None:
    result = modeldoc("diff", builds.out("base"), builds.out("layer"), "--format", "html")
    assert result.returncode == 2
    assert result.stderr == "modeldoc: error: --format html: give markdown or json\n"
    folder = tmp_path / "taken"
    folder.mkdir()
    result = modeldoc("diff", builds.out("base"), builds.out("layer"), "--out", folder)
    assert result.returncode == 2
    assert result.stderr.startswith(f"modeldoc: error: {folder}: cannot be written (")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_without_gates_on_the_base_none_apply(builds: Builds, tmp_path: Path) -> None:
    ungated = builds.facts("base").model_copy(update={"gates": None})
    base = write_facts(ungated, tmp_path / "base.json")
    result = modeldoc("diff", base, base, "--check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("**modeldoc diff:** no gates · no change in the model's facts")
    assert "No gates: the base records none, and no `--gates` file was given." in result.stdout
    # A head that brings its own gates does not bring them into force.
    gated = ungated.model_copy(update={"gates": Gates(metrics={"accuracy": GateBounds(min=0.99)})})
    head = write_facts(gated, tmp_path / "head.json")
    result = modeldoc("diff", base, head, "--check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("**modeldoc diff:** no gates · the head records gates (not ")
    assert "in the head, not applied: <code>metrics.accuracy.min: 0.99</code>" in result.stdout
