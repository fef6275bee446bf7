"""Hostile repository settings: paths that leave the repository, an output folder of another
project, a settings file linked to a system file, and settings files too large to parse."""

from __future__ import annotations

from pathlib import Path

from hostile_cases import Case


def _repository(workdir: Path, settings: str) -> Path:
    repo = workdir / "repo"
    repo.mkdir()
    (repo / "train.py").write_text("from sklearn.linear_model import Ridge\n")
    (repo / "test.csv").write_text("x,target\n1,2\n3,4\n")
    (repo / "modeldoc.yml").write_text(settings)
    return repo


def data_outside(workdir: Path) -> list[str]:
    """`data: ../secret.csv`: would publish another file's values in the card."""
    (workdir / "secret.csv").write_text("x,target\n918273645,1\n")
    repo = _repository(workdir, "data: ../secret.csv\ntarget: target\n")
    return ["build", str(repo), "--out", str(workdir / "out")]


def out_outside(workdir: Path) -> list[str]:
    """`out: ../victim`: would replace another project's folder that holds a facts.json."""
    victim = workdir / "victim"
    victim.mkdir()
    (victim / "facts.json").write_text("{}")
    (victim / "thesis.tex").write_text("years of work")
    repo = _repository(workdir, "out: ../victim\n")
    return ["build", str(repo)]


def settings_linked_to_system_file(workdir: Path) -> list[str]:
    """`modeldoc.yml` linked to a passwd-like file: its lines would reach the error."""
    passwd = workdir / "passwd"
    passwd.write_text("root: x: 0: 0: root: /root: /bin/bash\n" * 40)
    repo = _repository(workdir, "")
    (repo / "modeldoc.yml").unlink()
    (repo / "modeldoc.yml").symlink_to(passwd)
    return ["build", str(repo), "--out", str(workdir / "out")]


def huge_settings(workdir: Path) -> list[str]:
    """A 15 MB `modeldoc.yml` of card text: took 96 s, 1.3 GB and wrote a 29 MB card."""
    item = "    - " + "lorem ipsum dolor sit amet " * 40 + "\n"
    repo = _repository(workdir, "card:\n  intended_uses:\n" + item * 14_000)
    return ["build", str(repo), "--out", str(workdir / "out")]


def settings_at_the_cap(workdir: Path) -> list[str]:
    """Just under the 1 MB cap, the costliest YAML to parse: 120,000 one-letter list items."""
    repo = _repository(workdir, "card:\n  intended_uses:\n" + "    - a\n" * 120_000)
    return ["build", str(repo), "--out", str(workdir / "out")]


def aliases_multiplying_card_text(workdir: Path) -> list[str]:
    """YAML aliases repeating a 9,000-character text 100 times in each card list."""
    lists = "".join(
        f"  {name}: [{', '.join(['*t'] * 100)}]\n"
        for name in ("intended_uses", "intended_users", "out_of_scope_uses", "references")
    )
    repo = _repository(workdir, f"card:\n  description: &t {'z' * 9_000}\n{lists}")
    return ["build", str(repo), "--out", str(workdir / "out")]


CASES = [
    Case("paths: data ../secret.csv", data_outside, exit_codes=(2,)),
    Case("paths: out ../victim (holds facts.json)", out_outside, exit_codes=(2,)),
    Case("paths: modeldoc.yml -> passwd-like file", settings_linked_to_system_file, (2,)),
    Case("paths: 15 MB modeldoc.yml", huge_settings, exit_codes=(2,)),
    Case("paths: 1 MB modeldoc.yml, 120k items", settings_at_the_cap, exit_codes=(2,)),
    Case("paths: aliases x100 of card text", aliases_multiplying_card_text, exit_codes=(2,)),
]
