"""``Thứ nhất,`` … ``Thứ mười hai,``, also ``Thứ nhất là,`` and ``Thứ nhất:`` (never a weekday dateline)."""

from __future__ import annotations

import re

from bot.domain.parser.families.base import Family, Hit, ordinal_value
from bot.domain.parser.noise import DIRECTIVES
from bot.domain.parser.units import Unit, ffold

# A separator or "là" is required after the ordinal, which already rules out "Thứ trưởng" and
# "Thứ ba 22/10/2019"; a weekday with a separator ("Thứ Sáu, 15/10/2021") is caught by _DATE_AFTER_RE.
_THU_RE = re.compile(
    r"(thứ\s(?:mười\smột|mười\shai|nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười))(\slà)?(?!\w)"
    r"\s?([,:;.]|[-–—](?=\s))?\s*",
    re.IGNORECASE,
)
# A date right after the ordinal: "15/10/2021", "6/9", "ngày 15/10", "20 tháng 7" (not "1.052 điểm cầu").
_DATE_AFTER_RE = re.compile(
    r"(?:ngày\s)?\d{1,2}(?:\s?([/.\-])\s?\d{1,2}(?:\1\d{2,4})?(?!\d)|\stháng\s\d)", re.IGNORECASE
)


def match(unit: Unit) -> Hit | None:
    found = _THU_RE.match(unit.head)
    if found is None:
        return None
    rest = unit.head[found.end() :]
    if found.group(2) is None and found.group(3) is None and not _bare_ordinal(rest):
        return None
    if _DATE_AFTER_RE.match(rest):
        return None  # "Thứ Sáu, 15/10/2021" is a weekday, not the sixth task
    number = ordinal_value(found.group(1)[4:])
    if number is None:
        return None
    enumerator = " ".join(found.group(1).split()) + (" là" if found.group(2) else "")
    return Hit(number, enumerator, rest)


def _bare_ordinal(rest: str) -> bool:
    """ "Thứ tư tuyên truyền …": the comma left out, and a directive in lower case right after (never a
    weekday "Thứ tư 5/10" or "Thứ Hai tuần này")."""
    return rest[:1].islower() and ffold(rest[:40]).startswith(DIRECTIVES)


FAMILY = Family("thu", numbered=True, rank=4, confidence=0.92, match=match, starts="Tt")
