"""``(1)`` ``(2)`` … at the start of a paragraph (inline "(1) (2)" clause numbers are never task starts)."""

from __future__ import annotations

import re

from bot.domain.parser.families.base import Family, Hit
from bot.domain.parser.units import Unit

_PAREN_RE = re.compile(r"\((\d{1,2})\)\s*")


def match(unit: Unit) -> Hit | None:
    found = _PAREN_RE.match(unit.head)
    if found is None or int(found.group(1)) == 0:
        return None
    return Hit(int(found.group(1)), f"({found.group(1)})", unit.head[found.end() :])


FAMILY = Family("paren", numbered=True, rank=2, confidence=0.9, match=match, starts="(")
