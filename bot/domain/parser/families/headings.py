"""Heading lines: a bold paragraph or a sub-heading (HTML ``<strong>``/``<h2>``, a Word heading style),
or in plain text an ALL-CAPS line, followed by its body (``bot.domain.parser.runs.heading_run``)."""

from __future__ import annotations

from bot.domain.parser import noise
from bot.domain.parser.families.base import Family, Hit
from bot.domain.parser.units import Unit

# A heading is a line, not the bold lead paragraph that many portals print under the title.
MAX_HEADING_WORDS = 35


def match(unit: Unit) -> Hit | None:
    marked = unit.bold or unit.heading or (noise.is_all_caps(unit) and unit.words >= 3)
    if not marked or unit.words > MAX_HEADING_WORDS or noise.is_footer(unit):
        return None
    if unit.folded.rstrip().endswith(("sau:", "sau day:", "nhu sau:", "cu the:", "gom:")):
        return None  # a bold lead-in to the list is not the first task
    return Hit(0, "", unit.text)


FAMILY = Family("headings", numbered=False, rank=1, confidence=0.75, match=match)
