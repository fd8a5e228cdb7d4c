"""The enumeration families, one small module each; ``NUMBERED`` and ``UNNUMBERED`` list them in the
order the chooser (``bot.domain.parser.chooser``) tries them.

To add a family: write a module with a ``match(unit) -> Hit | None`` and a ``FAMILY``, add it here,
and give it a test in ``tests/unit/test_parser_families.py``.
"""

from __future__ import annotations

from bot.domain.parser.families import (
    arabic,
    bullets,
    headings,
    keycaps,
    keyword,
    la,
    letters,
    outline,
    paren,
    roman,
    thu,
)
from bot.domain.parser.families.base import Family, Hit

NUMBERED: tuple[Family, ...] = (
    thu.FAMILY,
    la.FAMILY,
    keyword.FAMILY,
    roman.FAMILY,
    arabic.FAMILY,
    keycaps.FAMILY,
    paren.FAMILY,
    outline.FAMILY,
    letters.FAMILY,
)
UNNUMBERED: tuple[Family, ...] = (bullets.SYMBOL_FAMILY, headings.FAMILY, bullets.DASH_FAMILY)
ALL: tuple[Family, ...] = NUMBERED + UNNUMBERED
BY_NAME: dict[str, Family] = {family.name: family for family in ALL}

__all__ = ["ALL", "BY_NAME", "NUMBERED", "UNNUMBERED", "Family", "Hit"]
