"""Secrets (issue 11, item 5): every text that leaves goes through the redaction patterns, so
text dense with what those patterns look for must not make a build slow."""

from __future__ import annotations

from pathlib import Path

from hostile_cases import Case

_COLUMNS = 5_000
_ROWS = 50
_DESCRIPTION_BYTES = 400_000


def _dense_repository(folder: Path) -> list[str]:
    """A card description made of secret-looking fragments (`pw=`, URLs with credentials,
    `sk-`, AWS-like words) and a CSV whose 5,000 column names each hold an AWS key id."""
    repo = folder / "repo"
    repo.mkdir()
    fragment = "pw=hunter2 http://u:p@h sk-short AKIA col_AKIAIOSFODNN7EXAMPLE token=x "
    description = (fragment * (_DESCRIPTION_BYTES // len(fragment))).strip()
    (repo / "modeldoc.yml").write_text(
        f'data: data.csv\ntarget: label\ncard:\n  description: "{description}"\n',
        encoding="utf-8",
    )
    columns = [f"col_AKIA{index:016d}" for index in range(_COLUMNS)]
    lines = [",".join([*columns, "label"])]
    lines += [",".join(["1"] * _COLUMNS + [f"pw=hunter{row % 2}"]) for row in range(_ROWS)]
    (repo / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["build", str(repo), "--out", str(folder / "out"), "--llm", "offline", "--no-site"]


CASES = [Case("secrets: card and columns dense with secret-shaped text", _dense_repository)]
