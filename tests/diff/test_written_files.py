"""The files a build writes get the permissions the umask gives (0644 under 022, so a web
server can serve them): the card, the facts, the MCT JSON and the plots, also plots restored
from the results cache. Cache entries stay the user's alone (0600, in 0700 folders)."""

from __future__ import annotations

import stat
from pathlib import Path

from diff.pairs import UMASK, Builds


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_outputs_get_the_umask_permissions(builds: Builds) -> None:
    assert UMASK == 0o022
    # The layer's build took its model results and plots from the base's cache entry.
    assert builds.facts("layer").provenance.reuse.model_results == "reused"
    for name in ("base", "layer"):
        out = builds.out(name)
        plots = sorted((out / "plots").glob("*.png"))
        assert len(plots) > 5
        files = [out / "MODEL_CARD.md", out / "facts.json", out / "model_card.json", *plots]
        assert {file.name: oct(mode(file)) for file in files} == {
            file.name: "0o644" for file in files
        }, name


def test_cache_entries_stay_private(builds: Builds) -> None:
    entries = [path for path in (builds.root / "cache").rglob("*") if path.is_file()]
    assert entries
    assert {oct(mode(entry)) for entry in entries} == {"0o600"}
    assert {oct(mode(entry.parent)) for entry in entries} == {"0o700"}
