"""``1.`` ``1)`` ``1/`` ``1-`` with one or two digits; each separator is its own list (one may nest in another)."""

from __future__ import annotations

import re

from bot.domain.parser.families.base import Family, Hit
from bot.domain.parser.units import Unit

# A space or the end of the line after the separator: "1.052 điểm cầu" and "1.1." are not list items.
# "1- Tuyên truyền …" (a dash right after the number, then a space) is common in typed documents;
# "1-2 ngày" and "20 - 25" are not items.
_ARABIC_RE = re.compile(r"(\d{1,2})([.)/]|[-–](?=\s))(?:\s|$)\s*")


# Typed without the space: "1.Tuyên truyền …" (a capital right after the separator; "1.1." and
# "1.052" have a digit there, "3/9" too).
_TIGHT_RE = re.compile(r"(\d{1,2})([.)/])(?=[^\W\d_])")


def match(unit: Unit) -> Hit | None:
    found = _ARABIC_RE.match(unit.head)
    if found is None:
        found = _TIGHT_RE.match(unit.head)
        if found is None or not unit.head[found.end()].isupper():
            return None
    if found is None or int(found.group(1)) == 0:
        return None
    return Hit(int(found.group(1)), found.group(1) + found.group(2), unit.head[found.end() :], found.group(2))


FAMILY = Family("arabic", numbered=True, rank=3, confidence=0.9, match=match, starts="0123456789")
