"""Emoji keycaps ``1️⃣ 2️⃣ … 🔟``, with or without the U+FE0F variation selector."""

from __future__ import annotations

import re

from bot.domain.parser.families.base import Family, Hit
from bot.domain.parser.units import Unit

# A keycap is a digit, an optional U+FE0F and U+20E3; "1️⃣2️⃣" is twelve; U+1F51F is the keycap ten.
_KEYCAP_RE = re.compile("((?:[0-9]\ufe0f?\u20e3){1,2}|\U0001f51f)\ufe0f?\\s?(?:[.:)\\-–—](?=\\s))?\\s*")


def match(unit: Unit) -> Hit | None:
    found = _KEYCAP_RE.match(unit.head)
    if found is None:
        return None
    caps = found.group(1)
    digits = "".join(ch for ch in caps if ch.isdigit())
    number = 10 if caps == "\U0001f51f" else int(digits)
    if number == 0:
        return None
    return Hit(number, caps, unit.head[found.end() :])


FAMILY = Family("keycaps", numbered=True, rank=3, confidence=0.9, match=match, starts="0123456789\U0001f51f")
