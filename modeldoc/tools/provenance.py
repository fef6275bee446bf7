"""Provenance: when the facts were computed, and with which versions of what."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from modeldoc.facts import Provenance

# The libraries whose versions decide what the scan finds.
SCAN_LIBRARIES = ("tree-sitter", "tree-sitter-python", "pathspec", "pyyaml")


def library_versions(names: tuple[str, ...]) -> dict[str, str]:
    """Installed version of each named distribution (missing ones are left out)."""
    versions: dict[str, str] = {}
    for name in names:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return versions


def current_provenance(libraries: tuple[str, ...] = SCAN_LIBRARIES) -> Provenance:
    """Provenance for facts computed now, in this interpreter."""
    return Provenance(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        python=platform.python_version(),
        libraries=library_versions(("modeldoc", *libraries)),
    )
