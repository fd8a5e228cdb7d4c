"""``Một là,`` … ``Mười hai là,`` (optionally without the comma)."""

from __future__ import annotations

import re

from bot.domain.parser.families.base import Family, Hit, ordinal_value
from bot.domain.parser.units import Unit

_LA_RE = re.compile(
    r"((?:mười\smột|mười\shai|một|hai|ba|bốn|tư|năm|sáu|bảy|tám|chín|mười)\slà)(?!\w)\s?[,:.]?\s*",
    re.IGNORECASE,
)


def match(unit: Unit) -> Hit | None:
    found = _LA_RE.match(unit.head)
    if found is None:
        return None
    number = ordinal_value(found.group(1)[:-3])
    if number is None:
        return None
    return Hit(number, " ".join(found.group(1).split()), unit.head[found.end() :])


FAMILY = Family("la", numbered=True, rank=4, confidence=0.92, match=match, starts="MmHhBbTtNnSsCc")
