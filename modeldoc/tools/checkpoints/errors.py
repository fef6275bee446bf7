"""What loading a model file can raise: refused (stops the build) or unreadable (a fact)."""

from __future__ import annotations

from modeldoc.errors import ModeldocError


class CheckpointRefused(ModeldocError):
    """The file could run code when loaded, or needs types outside the allowlist."""


class CheckpointUnreadable(ModeldocError):
    """The file is of a loadable format but does not load (corrupt, truncated, too old)."""
