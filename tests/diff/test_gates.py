"""Gates: configured in modeldoc.yml, recorded by the build, held against the head with the
base's gates (never the head's own), failing with the numbers, exit status 3."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from diff.pairs import GATES, WEAK_GATES, Builds, modeldoc, weakened, write_facts

from modeldoc.diff.compare import compare
from modeldoc.diff.gates import evaluate, load_gates_file, parse_gates
from modeldoc.diff.markdown import render_markdown
from modeldoc.errors import InputError
from modeldoc.facts import Evaluation, FactSheet, Gates, Metric
from modeldoc.present.numbers import number
from modeldoc.settings import load_settings


def gates(text: str) -> Gates:
    return Gates.model_validate(yaml.safe_load(text)["gates"])


def metric(facts: FactSheet, name: str) -> float:
    assert facts.evaluation is not None
    found = facts.evaluation.metric(name)
    assert found is not None and found.value is not None
    return found.value


def test_the_build_records_the_configured_gates(builds: Builds) -> None:
    assert builds.facts("base").gates == gates(GATES)


def test_gates_that_hold_exit_0(builds: Builds) -> None:
    result = modeldoc("diff", builds.out("base"), builds.out("layer"), "--check")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("**modeldoc diff:** 5 gates passed · 1 model definition")


def test_a_failed_gate_exits_3_and_says_which_with_the_numbers(builds: Builds) -> None:
    base, head = builds.facts("base"), builds.facts("hyperparameters")
    result = modeldoc("diff", builds.out("base"), builds.out("hyperparameters"), "--check")
    assert result.returncode == 3
    accuracy = metric(base, "accuracy"), metric(head, "accuracy")
    log_loss = metric(base, "log_loss"), metric(head, "log_loss")
    assert result.stderr.splitlines() == [
        "modeldoc: gate failed: metrics.accuracy.max_drop: accuracy fell by "
        f"{number(accuracy[0] - accuracy[1])} ({number(accuracy[0])} → {number(accuracy[1])}); "
        "at most 0.020 allowed",
        "modeldoc: gate failed: metrics.log_loss.max_rise: log_loss rose by "
        f"{number(log_loss[1] - log_loss[0])} ({number(log_loss[0])} → {number(log_loss[1])}); "
        "at most 0.100 allowed",
    ]
    summary = result.stdout.splitlines()[0]
    assert summary.startswith("**modeldoc diff:** **2 of 5 gates failed**")
    assert f"accuracy fell by {number(accuracy[0] - accuracy[1])}" in result.stdout
    # Without --check the diff is the same and the status is 0.
    unchecked = modeldoc("diff", builds.out("base"), builds.out("hyperparameters"))
    assert (unchecked.returncode, unchecked.stdout, unchecked.stderr) == (0, result.stdout, "")


def test_the_head_cannot_weaken_its_gates(builds: Builds, tmp_path: Path) -> None:
    # The head's modeldoc.yml allows a drop of 0.5; the base's gates still apply.
    head = write_facts(weakened(builds), tmp_path / "facts.json")
    result = modeldoc("diff", builds.out("base"), head, "--check")
    assert result.returncode == 3
    assert "metrics.accuracy.max_drop: accuracy fell by" in result.stderr
    assert "**The head records other gates than the ones applied.**" in result.stdout
    assert "in the head, not applied: <code>metrics.accuracy.max\\_drop: 0.5</code>" in (
        result.stdout
    )
    assert "the head records other gates (not applied)" in result.stdout.splitlines()[0]
    report = compare(builds.facts("base"), weakened(builds)).gates
    assert (report.source, report.head_differs, report.passed) == ("base", True, False)
    assert report.applied == gates(GATES) and report.head_gates == gates(WEAK_GATES)
    assert report.only_head == ["metrics.accuracy.max_drop: 0.5"]


def test_a_head_without_gates_is_said_to_record_none(builds: Builds) -> None:
    # Even when the head was built from a repository with no gates at all, the base's apply.
    bare = weakened(builds).model_copy(update={"gates": None})
    result = compare(builds.facts("base"), bare)
    assert result.gates.passed is False and result.gates.head_differs
    text = render_markdown(result)
    assert "the head records no gates (the base's apply)" in text.splitlines()[0]
    assert "**The head records no gates.** Gates come from the base" in text
    assert "other gates" not in text
    # A head whose gates match the base's says nothing about them.
    same = compare(builds.facts("base"), builds.facts("hyperparameters"))
    assert not same.gates.head_differs
    assert "records" not in render_markdown(same)


def test_a_gates_file_replaces_the_base_gates(builds: Builds, tmp_path: Path) -> None:
    base = builds.out("base")
    weak = write_facts(weakened(builds), tmp_path / "facts.json")
    # The trusted branch's modeldoc.yml gives the same verdict as the base's facts.json.
    same = modeldoc("diff", base, weak, "--check", "--gates", builds.repo("base") / "modeldoc.yml")
    assert same.returncode == 3 and "From <code>" in same.stdout
    # A file given on the command line is the caller's choice, looser or not.
    loose = tmp_path / "loose.yml"
    loose.write_text(WEAK_GATES)
    assert modeldoc("diff", base, weak, "--check", "--gates", loose).returncode == 0
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.modeldoc.gates.metrics.accuracy]\nmin = 0.99\n")
    strict = modeldoc("diff", base, builds.out("layer"), "--check", "--gates", pyproject)
    assert strict.returncode == 3
    assert strict.stderr.startswith("modeldoc: gate failed: metrics.accuracy.min: accuracy is ")
    none = tmp_path / "none.yml"
    none.write_text("data: test.csv\n")
    result = modeldoc("diff", base, weak, "--check", "--gates", none)
    assert result.returncode == 0 and "No gates are set in <code>" in result.stdout
    assert result.stdout.splitlines()[0].endswith("the head records gates (not applied)")
    assert "**The head records gates, which are not applied.**" in result.stdout


def test_a_gate_that_cannot_be_checked_fails(builds: Builds) -> None:
    base, head = builds.facts("base"), builds.facts("layer")
    checked = gates(
        "gates:\n"
        "  metrics: {r2: {min: 0.5}, accuracy: {max_drop: 0.1}}\n"
        "  slice_gaps: {mae: {max: 1}}\n"
        "  shap_additivity: true\n"
    )
    assert base.evaluation is not None
    without_accuracy = base.evaluation.model_copy(
        update={"metrics": [m for m in base.evaluation.metrics if m.name != "accuracy"]}
    )
    no_accuracy_base = base.model_copy(update={"evaluation": without_accuracy})
    unexplained = head.model_copy(update={"explanations": None})
    results = {r.gate: r for r in evaluate(checked, no_accuracy_base, unexplained)}
    assert not any(result.passed for result in results.values())
    assert results["metrics.r2.min"].message.startswith(
        "r2 cannot be checked (on the head: no metric named r2 (metrics: accuracy, "
    )
    assert results["metrics.accuracy.max_drop"].message.startswith(
        "accuracy cannot be checked (on the base: no metric named accuracy"
    )
    assert results["slice_gaps.mae.max"].message == (
        "the largest slice gap in mae cannot be checked (on the head: no slice gap named mae)"
    )
    assert results["shap_additivity"].message == (
        "the SHAP additivity check cannot be checked (on the head: no explanations)"
    )
    # A metric that was tried but not computed gives its reason.
    not_computed = Evaluation(
        task="classification", rows=3,
        metrics=[Metric(name="roc_auc", not_computed="the true labels hold one class only")],
    )  # fmt: skip
    one_class = head.model_copy(update={"evaluation": not_computed})
    (result,) = evaluate(gates("gates: {metrics: {roc_auc: {min: 0.5}}}"), base, one_class)
    assert result.message == (
        "roc_auc cannot be checked (on the head: the true labels hold one class only)"
    )


def test_limits_are_compared_without_float_noise(builds: Builds) -> None:
    base = builds.facts("base")
    assert base.evaluation is not None

    def with_accuracy(value: float) -> FactSheet:
        metrics = [Metric(name="accuracy", value=value)]
        evaluation = base.evaluation.model_copy(update={"metrics": metrics})  # type: ignore[union-attr]
        return base.model_copy(update={"evaluation": evaluation})

    # 0.958 - 0.948 is 0.010000000000000009 in floating point: still a drop of 0.01.
    limit = gates("gates: {metrics: {accuracy: {max_drop: 0.01, min: 0.948}}}")
    results = evaluate(limit, with_accuracy(0.958), with_accuracy(0.948))
    assert [result.passed for result in results] == [True, True]
    results = evaluate(limit, with_accuracy(0.958), with_accuracy(0.947))
    assert [result.passed for result in results] == [False, False]
    assert results[1].message == "accuracy fell by 0.011 (0.958 → 0.947); at most 0.010 allowed"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gates: {metrics: {accuracy: {max_drop: -1}}}",
         "setting gates.metrics.accuracy.max_drop: Input should be greater than or equal to 0"),
        ("gates: {metrics: {accuracy: {}}}",
         "setting gates.metrics.accuracy: give at least one of min, max, max_drop, max_rise"),
        ("gates: {metrics: {accuracy: {min: 0.9, max: 0.8}}}",
         "setting gates.metrics.accuracy: min is above max"),
        ("gates: {metric: {accuracy: {min: 0.9}}}",
         "setting gates.metric: Extra inputs are not permitted"),
        ("gates: {metrics: {accuracy: {max_dorp: 0.1}}}",
         "setting gates.metrics.accuracy.max_dorp: Extra inputs are not permitted"),
        ("gates: {metrics: {accuracy: 0.1}}",
         "setting gates.metrics.accuracy: Input should be a valid dictionary or instance of "
         "GateBounds"),
        ("gates: {shap_additivity: maybe}",
         "setting gates.shap_additivity: Input should be a valid boolean, unable to interpret "
         "input"),
        ("gates: {metrics: {accuracy: {min: .nan}}}",
         "setting gates.metrics.accuracy.min: Input should be a finite number"),
        ("gate: {metrics: {accuracy: {min: 0.9}}}", "unknown modeldoc settings: gate"),
    ],
)  # fmt: skip
def test_a_mistake_in_the_gates_is_one_line(text: str, message: str, tmp_path: Path) -> None:
    config = tmp_path / "modeldoc.yml"
    config.write_text(text)
    with pytest.raises(InputError) as raised:
        load_gates_file(config)
    assert str(raised.value) == f"{config}: {message}"
    # The build reads the same settings and stops on the same mistake.
    with pytest.raises(InputError) as at_build:
        load_settings(tmp_path, {})
    assert str(at_build.value).replace("Value error, ", "") == message


def test_a_bad_gates_file_on_the_command_line_is_exit_2(builds: Builds, tmp_path: Path) -> None:
    config = tmp_path / "gates.yml"
    config.write_text("gates: {metrics: {accuracy: {max_drop: -1}}}\n")
    result = modeldoc("diff", builds.out("base"), builds.out("layer"), "--gates", config)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"modeldoc: error: {config}: setting gates.metrics.accuracy.max_drop: Input should be "
        "greater than or equal to 0\n"
    )
    missing = modeldoc("diff", builds.out("base"), builds.out("layer"), "--gates", tmp_path / "x")
    assert missing.returncode == 2 and "cannot be read" in missing.stderr


def test_the_documented_gates_are_valid() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "diff.md").read_text()
    example = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    documented = parse_gates(yaml.safe_load(example)["gates"], where="docs/diff.md")
    assert documented.metrics["accuracy"].max_drop == 0.01
    assert set(documented.slice_gaps) == {"accuracy", "demographic_parity_difference"}
    assert documented.shap_additivity is True
