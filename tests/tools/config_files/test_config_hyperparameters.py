"""Tests for `modeldoc.tools.config_files.config_hyperparameters`: any format, any file."""

import pytest

from modeldoc.tools.config_files import config_hyperparameters


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("a.yaml", "- 1\n- 2\n"),
        ("a.yaml", "just text\n"),
        ("a.yaml", ""),
        ("a.yaml", "{}\n"),
        ("a.json", "[1, 2]"),
        ("a.json", "{}"),
        ("a.toml", "# nothing\n"),
    ],
)
def test_top_level_scalars_and_lists_give_nothing(path: str, text: str) -> None:
    assert config_hyperparameters(path, text) == ([], [])


@pytest.mark.parametrize(
    ("path", "text", "line", "start"),
    [
        ("c.yaml", "a: [1, 2\nb: 2\n", 2, "Could not parse the YAML: "),
        ("c.yml", "a: 1\n  b: 2\n", 2, "Could not parse the YAML: "),
        ("c.yaml", "a: *missing\n", 1, "Could not parse the YAML: "),
        ("c.json", '{\n  "a": 1,\n}\n', 3, "Could not parse the JSON: "),
        ("c.json", "", 1, "Could not parse the JSON: "),
        ("c.yaml", "a: 1\nb: \udcff\n", 2, "Could not parse the YAML: "),
        ("c.toml", "a = 1\nb = \n", 2, "Could not parse the TOML: "),
        ("c.toml", "[a]\nx = 1\n[a]\n", 3, "Could not parse the TOML: "),
    ],
)
def test_parse_errors_become_issues(path: str, text: str, line: int, start: str) -> None:
    params, issues = config_hyperparameters(path, text)
    assert params == []
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.kind, issue.file, issue.line) == ("config", path, line)
    assert issue.message.startswith(start)
    assert issue.message.endswith(".")
    assert "\n" not in issue.message


def test_large_file_is_skipped() -> None:
    params, issues = config_hyperparameters("big.json", '{"a": "' + "x" * 600_000 + '"}')
    assert params == []
    assert [(i.kind, i.line) for i in issues] == [("config", None)]


def test_other_suffixes_give_nothing() -> None:
    assert config_hyperparameters("setup.cfg", "[x]\na = 1\n") == ([], [])
