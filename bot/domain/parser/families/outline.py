"""``1.1.`` ``1.2.`` …: items numbered inside a numbered section; the section number is the group."""

from __future__ import annotations

import re

from bot.domain.parser.families.base import Family, Hit
from bot.domain.parser.units import Unit

_OUTLINE_RE = re.compile(r"(\d{1,2})\.(\d{1,2})(\.?)(?:\s|$)\s*")


def match(unit: Unit) -> Hit | None:
    found = _OUTLINE_RE.match(unit.head)
    if found is None or int(found.group(2)) == 0:
        return None
    enumerator = f"{found.group(1)}.{found.group(2)}{found.group(3)}"
    return Hit(int(found.group(2)), enumerator, unit.head[found.end() :], found.group(1))


FAMILY = Family("outline", numbered=True, rank=2, confidence=0.88, match=match, starts="0123456789")
