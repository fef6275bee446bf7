"""What loading a model file can raise: refused (stops the build) or unreadable (a fact)."""

from __future__ import annotations

from modeldoc.errors import ModeldocError


class CheckpointRefused(ModeldocError):
    """The file could run code when loaded, needs types outside the allowlist, or is a
    booster over the tree cap: the build stops (exit 2)."""


class CheckpointUnreadable(ModeldocError):
    """The file is of a loadable format but does not load (corrupt, truncated, too old)."""
