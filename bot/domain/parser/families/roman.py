"""Roman numerals ``I.`` … ``XII.`` (also ``I)`` and ``I/``, and lower-case ``i.`` ``ii.`` as Word's
``lowerRoman`` renders them): tasks themselves, or sections holding them."""

from __future__ import annotations

import re

from bot.domain.parser.families.base import Family, Hit
from bot.domain.parser.units import Unit

_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ROMAN = {numeral: value for value, numeral in enumerate(_NUMERALS, start=1)}
_ROMAN_RE = re.compile(r"(XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)([.)/])(?:\s|$)\s*")
_LOWER_RE = re.compile(r"(xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i)([.)/])(?:\s|$)\s*")


def match(unit: Unit) -> Hit | None:
    found = _ROMAN_RE.match(unit.head)
    lower = found is None
    if lower:
        found = _LOWER_RE.match(unit.head)
    if found is None:
        return None
    numeral = found.group(1)
    # Upper- and lower-case numerals are different lists, as are "I." and "I)".
    group = ("i" if lower else "I") + found.group(2)
    return Hit(_ROMAN[numeral.upper()], numeral + found.group(2), unit.head[found.end() :], group)


FAMILY = Family("roman", numbered=True, rank=5, confidence=0.9, match=match, starts="IVXivx")
