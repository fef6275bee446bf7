"""The card's sections as the writers see them, defined once in `modeldoc.present.sections`
(the renderers show them in the same order)."""

from __future__ import annotations

from modeldoc.present.sections import SECTION_IDS as SECTION_IDS
from modeldoc.present.sections import SECTIONS as SECTIONS
from modeldoc.present.sections import SECTIONS_BY_ID as SECTIONS_BY_ID
from modeldoc.present.sections import SectionSpec as SectionSpec
