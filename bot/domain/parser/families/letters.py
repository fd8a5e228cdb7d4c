"""Letters in Vietnamese alphabetical order: ``a) b) c) d) đ) e) g) h)`` … (no f, j, w, z; đ after d),
also ``a.`` ``a/`` and ``(a)``."""

from __future__ import annotations

import re

from bot.domain.parser.families.base import Family, Hit
from bot.domain.parser.units import Unit

VIETNAMESE_ORDER = "abcdđeghiklmnopqrstuvxy"
_POSITION = {letter: i for i, letter in enumerate(VIETNAMESE_ORDER, start=1)}
_SEPARATORS = frozenset(".)/")
_LETTER_RE = re.compile(r"([a-zđA-ZĐ])([.)/])(?:\s|$)\s*")


# "(a) … (b) …": a letter in brackets, its own list.
_PAREN_LETTER_RE = re.compile(r"\(([a-zđA-ZĐ])\)\s*")


def match(unit: Unit) -> Hit | None:
    head = unit.head
    if head[:1] == "(" and head[2:3] == ")":
        bracketed = _PAREN_LETTER_RE.match(head)
        number = _POSITION.get(bracketed.group(1).lower()) if bracketed else None
        if bracketed is None or number is None:
            return None
        letter = bracketed.group(1)
        return Hit(number, f"({letter})", head[bracketed.end() :], ("(A)" if letter.isupper() else "(a)"))
    if head[1:2] not in _SEPARATORS:
        return None  # most paragraphs open with a word: skip the regex
    found = _LETTER_RE.match(head)
    if found is None:
        return None
    letter = found.group(1)
    number = _POSITION.get(letter.lower())
    if number is None:
        return None
    # Lower- and upper-case lists are different lists, as are "a)" and "a.".
    group = ("A" if letter.isupper() else "a") + found.group(2)
    return Hit(number, letter + found.group(2), unit.head[found.end() :], group)


FAMILY = Family("letters", numbered=True, rank=1, confidence=0.86, match=match)
