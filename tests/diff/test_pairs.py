"""`modeldoc diff` on pairs of real builds that differ in one way each reports that change,
and the changes that follow from it, and nothing else."""

from __future__ import annotations

import json

import pytest
from diff.pairs import Builds, modeldoc

from modeldoc.diff.compare import compare
from modeldoc.diff.report import (
    ArgumentChange,
    FactsDiff,
    FeatureChange,
    HyperparameterChange,
    LabelCount,
    LayerChange,
)
from modeldoc.facts import Source

# What follows from a retrained model: its numbers, and the card sections that state them.
# Its metrics count only when they move beyond their intervals.
MODEL_RESULTS = {"slices", "explanations", "checkpoints", "sections"}


def diff(builds: Builds, head: str, base: str = "base") -> FactsDiff:
    return compare(builds.facts(base), builds.facts(head))


def test_a_build_against_itself_changes_nothing(builds: Builds) -> None:
    result = diff(builds, "base", "base")
    assert result.changed == []
    assert not any(metric.changed for metric in result.metrics)
    assert len(result.metrics) == 8
    assert result.gates.passed is True and len(result.gates.results) == 5


def test_retrained_with_other_hyperparameters(builds: Builds) -> None:
    result = diff(builds, "hyperparameters")
    assert set(result.changed) == MODEL_RESULTS | {"metrics", "hyperparameters", "calls"}
    train = Source(file="train.py", line=7)
    assert result.hyperparameters == [
        HyperparameterChange(key="LEARNING_RATE", change="changed", base="0.3", head="0.1",
                             base_source=train, head_source=train)
    ]  # fmt: skip
    (call,) = result.calls
    assert (call.callee, call.role, call.change) == ("xgboost.XGBClassifier", "estimator",
                                                     "changed")  # fmt: skip
    assert call.arguments == [ArgumentChange(name="max_depth", base="2", head="1")]
    assert call.head_source == Source(file="train.py", line=12)
    (checkpoint,) = result.checkpoints
    assert checkpoint.base_sha256 != checkpoint.head_sha256
    assert (checkpoint.fields, checkpoint.parameters, checkpoint.tensors) == ([], [], [])
    assert result.features == result.models == result.data == []
    # The numbers are the two builds' own.
    base, head = builds.facts("base"), builds.facts("hyperparameters")
    assert base.evaluation is not None and head.evaluation is not None
    accuracy = next(metric for metric in result.metrics if metric.name == "accuracy")
    assert accuracy.base == base.evaluation.metric("accuracy").value  # type: ignore[union-attr]
    assert accuracy.head == head.evaluation.metric("accuracy").value  # type: ignore[union-attr]
    assert accuracy.delta == accuracy.head - accuracy.base  # type: ignore[operator]
    assert accuracy.intervals_overlap is False  # a much worse model: the intervals separate
    verdicts = {metric.name: metric.verdict for metric in result.metrics}
    assert verdicts == {
        "accuracy": "separated", "balanced_accuracy": "separated", "f1_macro": "separated",
        "roc_auc": "separated", "precision_macro": "no_interval", "recall_macro": "no_interval",
        "log_loss": "no_interval", "brier": "no_interval",
    }  # fmt: skip


def test_a_feature_dropped(builds: Builds) -> None:
    result = diff(builds, "feature")
    assert set(result.changed) == MODEL_RESULTS | {"features", "data"}
    # Four features on other data: the metrics move, but inside their intervals.
    assert {metric.verdict for metric in result.metrics} == {"within_uncertainty", "no_interval"}
    assert result.features == [
        FeatureChange(feature="f5", change="removed", where=["model", "data", "explanations"])
    ]
    (checkpoint,) = result.checkpoints
    assert [(v.name, v.base, v.head) for v in checkpoint.fields] == [("n_features", 5, 4)]
    (data,) = result.data
    # The same rows, one column fewer: only the content hash differs.
    assert (data.base_rows, data.head_rows, data.labels) == (200, 200, [])
    assert data.base_sha256 != data.head_sha256
    assert result.explanations is not None
    dropped = next(rank for rank in result.explanations.ranks if rank.feature == "f5")
    assert dropped.base_rank is not None and dropped.head_rank is None
    assert result.hyperparameters == result.calls == result.models == []


def test_a_layer_added_in_the_code(builds: Builds) -> None:
    result = diff(builds, "layer")
    assert result.changed == ["models", "sections"]
    (model,) = result.models
    assert (model.model, model.framework, model.change) == ("Scorer", "pytorch", "changed")
    assert model.layers == [
        LayerChange(change="added", layer="nn.Dropout(0.1)", source=Source(file="net.py", line=9))
    ]
    assert [section.id for section in result.sections] == ["architecture"]
    assert not any(metric.changed for metric in result.metrics)


def test_different_data(builds: Builds) -> None:
    result = diff(builds, "data")
    assert {"data", "slices"} <= set(result.changed) <= MODEL_RESULTS | {"data"}
    assert not any(metric.changed for metric in result.metrics)  # 50 more rows: noise
    assert all(metric.differs for metric in result.metrics)
    assert "checkpoints" not in result.changed  # the same model file
    (data,) = result.data
    assert (data.base_rows, data.head_rows, data.delta_rows) == (200, 250, 50)
    assert data.base_sha256 != data.head_sha256
    base_counts = builds.facts("base").data[0].label_counts or {}
    head_counts = builds.facts("data").data[0].label_counts or {}
    assert data.labels == [
        LabelCount(label=label, base=base_counts[label], head=head_counts[label],
                   delta=head_counts[label] - base_counts[label])
        for label in sorted(base_counts)
    ]  # fmt: skip
    (column,) = result.slices
    assert column.column == "group" and column.change is None
    assert {group.value for group in column.groups} == {"a", "b"}
    assert result.features == result.hyperparameters == result.calls == result.models == []


@pytest.mark.parametrize("head", ["hyperparameters", "feature", "layer", "data"])
def test_every_shown_number_is_a_fact_or_a_difference_of_two(builds: Builds, head: str) -> None:
    result = diff(builds, head)
    facts = {*_numbers(builds.facts("base").model_dump()),
             *_numbers(builds.facts(head).model_dump())}  # fmt: skip
    changes = [*result.metrics, *(gap for s in result.slices for gap in s.gaps),
               *(m for s in result.slices for g in s.groups for m in g.metrics)]  # fmt: skip
    for change in changes:
        assert change.base is None or change.base in facts
        assert change.head is None or change.head in facts
        if change.delta is not None:
            assert change.delta == change.head - change.base  # type: ignore[operator]
    for result_ in result.gates.results:
        assert {result_.base, result_.head} - {None} <= facts


def _numbers(value: object) -> list[float]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [float(value)]
    return []


def test_the_command_line_takes_files_or_folders_and_writes_json(builds: Builds) -> None:
    by_folder = modeldoc("diff", builds.out("base"), builds.out("layer"), "--format", "json")
    assert by_folder.returncode == 0, by_folder.stderr
    by_file = modeldoc("diff", builds.out("base") / "facts.json",
                       builds.out("layer") / "facts.json", "--format", "json")  # fmt: skip
    assert by_file.returncode == 0, by_file.stderr
    folder_json, file_json = json.loads(by_folder.stdout), json.loads(by_file.stdout)
    for side in ("base", "head"):
        folder_json[side].pop("facts"), file_json[side].pop("facts")
    assert folder_json == file_json
    assert list(folder_json) == [
        "schema_version", "base", "head", "changed", "notes", "gates", "metrics",
        "confidence_level", "slices", "explanations", "features", "hyperparameters", "calls",
        "models", "checkpoints", "data", "sections",
    ]  # fmt: skip
    assert folder_json["changed"] == ["models", "sections"]
    assert FactsDiff.model_validate_json(by_file.stdout).models[0].model == "Scorer"
