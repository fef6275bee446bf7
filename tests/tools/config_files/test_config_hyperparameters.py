"""Tests for `modeldoc.tools.config_files.config_hyperparameters`: any format, any file."""

import json

import pytest

from modeldoc.tools.config_files import config_hyperparameters, json_reader, toml_reader
from modeldoc.tools.config_files.leaves import MAX_VALUE_CHARS


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


_DIGITS = "1" * 5_000  # more than Python converts from decimal text (4,300 by default)
_HEX = "0x" + "f" * 5_000  # hexadecimal has no limit, but the integer has ~6,000 digits


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("configs/a.json", f'{{"lr": 0.1, "big": {_DIGITS}}}'),
        ("configs/b.toml", f"lr = 0.1\nbig = {_DIGITS}\n"),
        ("configs/b.toml", f"lr = 0.1\nbig = {_HEX}\nlist = [1, {_HEX}]\n"),
        ("configs/c.yaml", f"lr: 0.1\nbig: {_DIGITS}\n"),
        ("configs/c.yaml", f"lr: 0.1\nbig: !!int {_DIGITS}\nhex: {_HEX}\nlist: [1, {_DIGITS}]\n"),
        ("configs/c.yaml", f"lr: 0.1\nbig: -{_DIGITS}\nrows:\n  - x: {_DIGITS}\n"),
    ],
)
def test_integers_too_long_for_json_never_escape(path: str, text: str) -> None:
    params, issues = config_hyperparameters(path, text)
    for param in params:
        json.dumps(param.value.value)
        param.model_dump_json()
    too_long = [p for p in params if p.key != "lr"]
    for param in too_long:
        assert (param.value.literal, param.value.value) == (False, None)
        assert param.value.text
    for issue in issues:
        assert (issue.kind, issue.file) == ("config", path)
        assert issue.message.endswith(".")
        assert "\n" not in issue.message
        issue.model_dump_json()
    assert issues or too_long


@pytest.mark.parametrize(
    ("path", "text", "language"),
    [
        ("configs/a.json", f'{{"big": {_DIGITS}}}', "JSON"),
        ("configs/b.toml", f"big = {_DIGITS}\n", "TOML"),
    ],
)
def test_unparsable_long_integer_is_an_issue(path: str, text: str, language: str) -> None:
    params, issues = config_hyperparameters(path, text)
    assert params == []
    assert [(i.kind, i.message) for i in issues] == [
        ("config", f"Could not parse the {language}: a number has more than 4,300 digits.")
    ]


def test_yaml_long_integer_is_kept_as_text() -> None:
    params, issues = config_hyperparameters("configs/c.yaml", f"lr: 0.1\nbig: {_DIGITS}\n")
    assert issues == []
    assert [(p.key, p.source.line, p.value.literal, p.value.text) for p in params] == [
        ("lr", 1, True, "0.1"),
        ("big", 2, False, _DIGITS[:MAX_VALUE_CHARS] + "…"),  # long text is capped too
    ]


def test_any_parser_failure_becomes_an_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(text: str) -> object:
        raise MemoryError

    monkeypatch.setattr(json_reader.json, "loads", fail)
    monkeypatch.setattr(toml_reader.tomllib, "loads", fail)
    for path, language in [("a.json", "JSON"), ("a.toml", "TOML")]:
        params, issues = config_hyperparameters(path, "{}")
        assert params == []
        assert [i.message for i in issues] == [
            f"Could not parse the {language}: the parser failed (MemoryError)."
        ]
