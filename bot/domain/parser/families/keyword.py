"""``Nội dung 1:``, ``Nhiệm vụ 1.``, ``Vấn đề thứ hai:`` …: a task word and its number at the start."""

from __future__ import annotations

import re

from bot.domain.parser.families.base import Family, Hit, ordinal_value
from bot.domain.parser.units import Unit, ffold

_ORDINAL_WORDS = r"mười\smột|mười\shai|nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười"
_KEYWORD_RE = re.compile(
    r"((nội\sdung|nhiệm\svụ|vấn\sđề|chủ\sđề|định\shướng|nhóm(?:\s(?:nhiệm\svụ|vấn\sđề|nội\sdung))?)"
    rf"\s(?:số\s)?(\d{{1,2}}|thứ\s(?:{_ORDINAL_WORDS})))(?!\w)"
    r"\s?(?:([.)])|[:\-–—,]|\slà(?=\s))\s*",
    re.IGNORECASE,
)


def match(unit: Unit) -> Hit | None:
    found = _KEYWORD_RE.match(unit.head)
    if found is None:
        return None
    number_text = found.group(3)
    number = int(number_text) if number_text.isdigit() else ordinal_value(number_text[4:])
    if not number:
        return None
    group = " ".join(ffold(found.group(2)).split())
    # Like a numeral, "Nhiệm vụ 1." keeps its dot; like a word, "Nội dung 1:" loses its colon.
    enumerator = " ".join(found.group(1).split()) + (found.group(4) or "")
    return Hit(number, enumerator, unit.head[found.end() :], group)


FAMILY = Family("keyword", numbered=True, rank=4, confidence=0.9, match=match, starts="NnVvCcĐđÐ")
