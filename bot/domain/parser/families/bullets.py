"""Bullets: ``- `` / ``+ `` / ``* `` dashes, and symbol or emoji bullets (🔹 ▪️ ✅ 👉 ➡️ 📌 • …).

Bullets carry no number, so a run is a stretch of bullets of one kind close to each other. Dashes are
the usual sub-point marker, so a dash list is trusted less than a list of emoji bullets.
"""

from __future__ import annotations

import unicodedata

from bot.domain.parser.families.base import Family, Hit
from bot.domain.parser.units import Unit

DASHES = frozenset("-–—+*")
# Symbols that are not category So but are used as bullets.
_EXTRA_BULLETS = frozenset("•·◦‣⁃→⇒➔➜➝➞➟➠➤➥➦➧➨∙")
# Symbols that open a line without being a bullet.
_NOT_BULLETS = frozenset("©®™°№")
# Variation selectors, skin tones and joiners that may follow an emoji.
_EMOJI_TAIL = frozenset("\ufe0e\ufe0f\u200d\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")


def _is_symbol(ch: str) -> bool:
    return ch in _EXTRA_BULLETS or (unicodedata.category(ch) == "So" and ch not in _NOT_BULLETS)


def _match(unit: Unit, dashes: bool) -> Hit | None:
    head = unit.head
    first = head[:1]
    if not first:
        return None
    if (first in DASHES) != dashes or not (dashes or _is_symbol(first)):
        return None
    end = 1
    while end < len(head) and head[end] in _EMOJI_TAIL:
        end += 1
    if end >= len(head) or head[end] != " ":
        return None  # "-5 độ", "+84": no space, not a bullet
    rest = head[end:].lstrip()
    if not rest:
        return None
    group = "-" if first in "-–—" else first
    return Hit(0, head[:end], rest, group)


def match_dash(unit: Unit) -> Hit | None:
    return _match(unit, dashes=True)


def match_symbol(unit: Unit) -> Hit | None:
    return _match(unit, dashes=False)


DASH_FAMILY = Family("dash", numbered=False, rank=0, confidence=0.55, match=match_dash)
SYMBOL_FAMILY = Family("bullet", numbered=False, rank=0, confidence=0.72, match=match_symbol)
