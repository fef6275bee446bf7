"""Tests for `modeldoc.tools.config_files.leaves`: the cap on settings per file."""

from modeldoc.facts import ScanIssue
from modeldoc.tools.config_files import MAX_LEAVES, config_hyperparameters


def test_leaf_cap() -> None:
    text = "".join(f"k{i}: {i}\n" for i in range(MAX_LEAVES + 5))
    params, issues = config_hyperparameters("big.yaml", text)
    assert len(params) == MAX_LEAVES
    assert params[-1].key == f"k{MAX_LEAVES - 1}"
    assert params[-1].source.line == MAX_LEAVES
    assert issues == [
        ScanIssue(
            kind="config",
            file="big.yaml",
            message="The file has more than 2,000 settings; only the first 2,000 were kept.",
        )
    ]
