"""The writer interface: one section at a time, from the fact sheet only.

The offline writer implements it now; the LLM writer implements it later, drafting with
read-only look-ups and revising from the verifier's findings (`feedback`).
"""

from __future__ import annotations

from typing import Protocol

from modeldoc.facts import FactSheet, Finding, Section
from modeldoc.writing.sections import SectionSpec


class Writer(Protocol):
    """Writes one card section from facts."""

    name: str
    """Recorded on each section: `offline`, or the model that drafted it."""

    def write(
        self, spec: SectionSpec, facts: FactSheet, feedback: list[Finding] | None = None
    ) -> Section:
        """The section `spec` describes; `feedback` lists what the verifier could not match
        in the previous draft (the offline writer never needs it)."""
        ...
