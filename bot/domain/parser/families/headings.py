"""Heading lines: a bold paragraph or a sub-heading (HTML ``<strong>``/``<h2>``, a Word heading style)
followed by its body. Only documents that say what is bold give hits; plain text never does."""

from __future__ import annotations

from bot.domain.parser.families.base import Family, Hit
from bot.domain.parser.units import Unit

# A heading is a line, not the bold lead paragraph that many portals print under the title.
MAX_HEADING_WORDS = 35


def match(unit: Unit) -> Hit | None:
    if not (unit.bold or unit.heading) or unit.words > MAX_HEADING_WORDS:
        return None
    if unit.folded.rstrip().endswith(("sau:", "sau day:", "nhu sau:", "cu the:", "gom:")):
        return None  # a bold lead-in to the list is not the first task
    return Hit(0, "", unit.text)


FAMILY = Family("headings", numbered=False, rank=1, confidence=0.75, match=match)
