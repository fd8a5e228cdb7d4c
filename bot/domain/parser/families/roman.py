"""Roman numerals ``I.`` … ``XII.`` (also ``I)`` and ``I/``): tasks themselves, or sections holding them."""

from __future__ import annotations

import re

from bot.domain.parser.families.base import Family, Hit
from bot.domain.parser.units import Unit

_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ROMAN = {numeral: value for value, numeral in enumerate(_NUMERALS, start=1)}
_ROMAN_RE = re.compile(r"(XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)([.)/])(?:\s|$)\s*")


def match(unit: Unit) -> Hit | None:
    found = _ROMAN_RE.match(unit.head)
    if found is None:
        return None
    return Hit(_ROMAN[found.group(1)], found.group(1) + found.group(2), unit.head[found.end() :], found.group(2))


FAMILY = Family("roman", numbered=True, rank=5, confidence=0.9, match=match, starts="IVX")
