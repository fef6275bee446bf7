"""Attacks through a repository's own settings (`modeldoc.yml`, `[tool.modeldoc]`): paths that
leave the repository by `..`, an absolute path or a symbolic link are refused, a settings file
linked to a file outside is never read, error messages quote no file, and oversized settings
stop at a cap. Only the command line may point outside the repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import skops.io as sio
from helpers.progress_lines import without_progress
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

from modeldoc.errors import InputError
from modeldoc.settings import (
    MAX_CARD_TEXT,
    MAX_LIST_ITEMS,
    MAX_SETTINGS_BYTES,
    load_settings,
)

# Values only the file outside the repository holds: none may reach an output or a message.
SECRET_VALUE = "918273645.5"
SECRET_LINE = "root: x: 0: SECRET-PASSWD-LINE"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "modeldoc", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single `modeldoc: error:` line a refused build printed."""
    assert result.returncode == 2, result.stderr
    lines = without_progress(result.stderr).splitlines()
    assert len(lines) == 1 and lines[0].startswith("modeldoc: error: "), result.stderr
    return lines[0]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A model repository beside a folder that holds what an attacker wants out of it."""
    root = tmp_path / "repo"
    root.mkdir()
    data = load_diabetes(as_frame=True, scaled=False).frame
    features = [c for c in data.columns if c != "target"]
    sio.dump(Ridge().fit(data[features], data["target"]), root / "model.skops")
    data.iloc[300:].to_csv(root / "test.csv", index=False)
    secret = data.iloc[300:320].copy()
    secret["bmi"] = float(SECRET_VALUE)
    secret.to_csv(tmp_path / "secret.csv", index=False)
    (tmp_path / "passwd").write_text(SECRET_LINE + "\n")
    return root


def settings_file(repo: Path, text: str) -> None:
    (repo / "modeldoc.yml").write_text(text)


@pytest.mark.parametrize(
    "data",
    ["../secret.csv", "sub/../../secret.csv", "{outside}/secret.csv", "linked.csv",
     "folder/secret.csv"],
)  # fmt: skip
def test_a_data_path_leaving_the_repository_is_refused(
    repo: Path, tmp_path: Path, data: str
) -> None:
    (repo / "linked.csv").symlink_to(tmp_path / "secret.csv")
    (repo / "folder").symlink_to(tmp_path, target_is_directory=True)
    settings_file(repo, f"model: model.skops\ndata: {data.format(outside=tmp_path)}\n"
                        "target: target\n")  # fmt: skip
    result = run("build", repo, "--out", tmp_path / "out", "--no-site", "--no-explain")
    line = one_line_error(result)
    assert "setting data" in line and "inside the repository" in line
    assert SECRET_VALUE not in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("model", ["../outside.skops", "/tmp/../{outside}/outside.skops"])
def test_a_model_path_leaving_the_repository_is_refused(
    repo: Path, tmp_path: Path, model: str, marker: Path
) -> None:
    (tmp_path / "outside.skops").write_bytes((repo / "model.skops").read_bytes())
    settings_file(repo, f"model: {model.format(outside=tmp_path)}\n")
    line = one_line_error(run("build", repo, "--out", tmp_path / "out"))
    assert "setting model" in line
    assert not (tmp_path / "out").exists()


def test_a_path_that_stays_inside_through_a_link_is_kept(repo: Path, tmp_path: Path) -> None:
    (repo / "eval").mkdir()
    (repo / "eval" / "current.csv").symlink_to(repo / "test.csv")
    settings_file(repo, "model: ./sub/../model.skops\ndata: eval/current.csv\nout: docs/card\n")
    settings = load_settings(repo, {})
    assert settings.model == repo / "sub/../model.skops"
    assert settings.data == repo / "eval/current.csv"
    assert settings.out == repo / "docs/card"


def test_the_command_line_may_point_outside(repo: Path, tmp_path: Path) -> None:
    settings_file(repo, "data: test.csv\nout: ../elsewhere\n")
    settings = load_settings(repo, {"data": tmp_path / "secret.csv", "out": tmp_path / "o"})
    assert (settings.data, settings.out) == (tmp_path / "secret.csv", tmp_path / "o")


@pytest.mark.parametrize("value", ['"a\\0b"', "[a, b]", "{a: 1}"])
def test_a_path_that_is_not_a_plain_path_is_refused(repo: Path, value: str) -> None:
    with pytest.raises(InputError, match=r"^setting data: "):
        _load(repo, f"data: {value}\n")


def test_an_out_setting_leaving_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^setting out: \.\./victim/docs"):
        _load(repo, "out: ../victim/docs\n")
    with pytest.raises(InputError, match="setting out: /"):
        _load(repo, f"out: {tmp_path / 'victim'}\n")


@pytest.mark.parametrize("name", ["modeldoc.yml", "pyproject.toml"])
def test_a_settings_file_linked_outside_is_never_read(
    repo: Path, tmp_path: Path, name: str
) -> None:
    (repo / name).symlink_to(tmp_path / "passwd")
    result = run("build", repo, "--out", tmp_path / "out")
    line = one_line_error(result)
    assert f"{name}: a link to a file outside the repository" in line
    assert "SECRET-PASSWD-LINE" not in result.stderr + result.stdout


def test_a_settings_file_linked_inside_is_read(repo: Path) -> None:
    (repo / "config").mkdir()
    (repo / "config" / "modeldoc.yml").write_text("target: target\n")
    (repo / "modeldoc.yml").symlink_to(Path("config") / "modeldoc.yml")
    assert load_settings(repo, {}).target == "target"


def test_a_yaml_error_names_the_place_not_the_text(repo: Path, tmp_path: Path) -> None:
    key = "ghp_" + "A1b2C3d4" * 5
    settings_file(repo, f"target: target\ncard:\n  description: {key}: x: SECRET-TEXT\n")
    result = run("build", repo, "--out", tmp_path / "out")
    line = one_line_error(result)
    assert line.startswith(
        "modeldoc: error: modeldoc.yml: not valid YAML: line 3, column 60: mapping values"
    )
    assert "SECRET-TEXT" not in line and "A1b2" not in line


def test_a_huge_settings_file_stops_at_the_cap(repo: Path, tmp_path: Path) -> None:
    words = "lorem ipsum dolor sit amet " * 40
    settings_file(repo, "card:\n  intended_uses:\n" + f"    - {words}\n" * 15_000)
    assert (repo / "modeldoc.yml").stat().st_size > 15_000_000
    result = run("build", repo, "--out", tmp_path / "out")
    assert one_line_error(result) == (
        f"modeldoc: error: modeldoc.yml: {(repo / 'modeldoc.yml').stat().st_size:,} bytes, "
        f"over the cap of {MAX_SETTINGS_BYTES:,} bytes for a settings file"
    )


def test_a_long_card_text_stops_at_its_cap(repo: Path) -> None:
    with pytest.raises(InputError) as caught:
        _load(repo, "card:\n  description: " + "x" * (MAX_CARD_TEXT + 1) + "\n")
    assert str(caught.value) == (
        f"setting card.description: {MAX_CARD_TEXT + 1:,} characters, "
        f"over the cap of {MAX_CARD_TEXT:,}"
    )
    with pytest.raises(InputError, match=r"^setting card\.owners\[2\]: "):
        _load(repo, 'card:\n  owners: [a, b, "' + "y" * (MAX_CARD_TEXT + 1) + '"]\n')


def test_a_long_card_list_stops_at_its_cap(repo: Path) -> None:
    # Aliases make a small file expand: the cap counts items, not bytes.
    items = ", ".join(["*u"] * (MAX_LIST_ITEMS + 1))
    with pytest.raises(InputError) as caught:
        _load(repo, f"card:\n  name: &u use\n  intended_uses: [{items}]\n")
    assert str(caught.value) == (
        f"setting card.intended_uses: {MAX_LIST_ITEMS + 1:,} items, "
        f"over the cap of {MAX_LIST_ITEMS:,}"
    )


def test_aliases_cannot_multiply_card_text_past_the_cap(repo: Path) -> None:
    text = "z" * (MAX_CARD_TEXT // 2)
    lists = "\n".join(
        f"  {name}: [{', '.join(['*t'] * MAX_LIST_ITEMS)}]"
        for name in ("intended_uses", "intended_users", "out_of_scope_uses", "references")
    )
    with pytest.raises(InputError, match=r"^setting card: .* characters in all, over the cap"):
        _load(repo, f"card:\n  description: &t {text}\n{lists}\n")


def test_secrets_in_a_settings_error_are_redacted(repo: Path, tmp_path: Path) -> None:
    key = "sk-proj-" + "Q" * 30
    settings_file(repo, f"model: model.skops\ndata: test.csv\ntarget: {key}\n")
    result = run("build", repo, "--out", tmp_path / "out", "--no-site", "--no-explain")
    line = one_line_error(result)
    assert key not in line and "[REDACTED]" in line


def test_unknown_keys_are_named_briefly(repo: Path) -> None:
    with pytest.raises(InputError) as caught:
        _load(repo, f"1: a\n{'k' * 1000}: b\nzz: c\n")
    message = str(caught.value)
    assert message.startswith("unknown modeldoc settings: 1, kkk") and len(message) < 300


def test_a_settings_file_that_is_not_text_is_one_line(repo: Path) -> None:
    (repo / "modeldoc.yml").write_bytes(b"target: \xff\xfe\n")
    with pytest.raises(InputError, match=r"^modeldoc\.yml: not UTF-8 text$"):
        load_settings(repo, {})


def test_deeply_nested_settings_are_one_line(repo: Path) -> None:
    with pytest.raises(InputError, match=r"^modeldoc\.yml: "):
        _load(repo, "card: " + "[" * 50_000 + "]" * 50_000 + "\n")


def test_build_records_nothing_from_outside(repo: Path, tmp_path: Path) -> None:
    """The same repository builds once its settings stay inside it."""
    settings_file(repo, "model: model.skops\ndata: test.csv\ntarget: target\n")
    out = tmp_path / "out"
    result = run("build", repo, "--out", out, "--no-site", "--no-explain", "--no-cache")
    assert result.returncode == 0, result.stderr
    facts = json.loads((out / "facts.json").read_text())
    assert facts["data"][0]["file"] == "test.csv"


def _load(repo: Path, text: str) -> object:
    settings_file(repo, text)
    return load_settings(repo, {})
