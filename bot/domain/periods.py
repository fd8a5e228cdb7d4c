"""Spans of conference months a question can name: quarters, halves, years, ranges, one month.

Pure. ``find_span`` reads quarters ("quý IV/2025", "quý 1 năm 2024", "Q1 2024", "quý này"), halves
("6 tháng đầu năm 2024", "first half of 2024"), ranges ("từ tháng 3 đến tháng 6/2024", "tháng 3-6/2024")
and relative years ("năm nay", "năm ngoái", "last year"); ``find_year`` reads a year alone ("năm 2024",
"2024", "in 2024"), tried only after the months, so "tháng 9 năm 2021" stays a month. Both work on
folded text (``bot.domain.textnorm.fold_query``) and return the span they read, so the caller can
take it out. A range written backwards ("từ tháng 6 đến tháng 3/2024") is read in order (swapped).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

YEAR = r"((?:19|20)\d\d)"
_EN_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ROMAN_OUT = {1: "I", 2: "II", 3: "III", 4: "IV"}
_EN_ORDINAL_QUARTER = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive span of conference months, ``start``..``end`` as ``YYYY-MM``: a quarter, half a year,
    a year, "từ tháng 3 đến tháng 6/2024", or one month when a search is limited to it.

    ``label`` names it in Vietnamese ("quý IV/2025", "năm 2024", "6 tháng đầu năm 2024", "tháng
    3–6/2024", "tháng 9/2024"); ``label_en`` in English ("Q4 2025", "2024", "first half of 2024",
    "March–June 2024", "September 2024"). Build one with the functions below, so equal spans have
    equal labels.
    """

    start: str
    end: str
    label: str
    label_en: str


def _key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def quarter(year: int, number: int) -> Period:
    first = 3 * (number - 1) + 1
    return Period(_key(year, first), _key(year, first + 2), f"quý {_ROMAN_OUT[number]}/{year}", f"Q{number} {year}")


def whole_year(year: int) -> Period:
    return Period(_key(year, 1), _key(year, 12), f"năm {year}", str(year))


def half(year: int, first: bool) -> Period:
    if first:
        return Period(_key(year, 1), _key(year, 6), f"6 tháng đầu năm {year}", f"first half of {year}")
    return Period(_key(year, 7), _key(year, 12), f"6 tháng cuối năm {year}", f"second half of {year}")


def one_month(year: int, month: int) -> Period:
    return Period(_key(year, month), _key(year, month), f"tháng {month}/{year}", f"{_EN_MONTH_NAMES[month - 1]} {year}")


def months(year1: int, month1: int, year2: int, month2: int) -> Period:
    """Months from (year1, month1) to (year2, month2), in whichever order they were given."""
    (year1, month1), (year2, month2) = sorted([(year1, month1), (year2, month2)])
    if (year1, month1) == (year2, month2):
        return one_month(year1, month1)
    en1, en2 = _EN_MONTH_NAMES[month1 - 1], _EN_MONTH_NAMES[month2 - 1]
    if year1 == year2:
        return Period(
            _key(year1, month1), _key(year2, month2), f"tháng {month1}–{month2}/{year1}", f"{en1}–{en2} {year1}"
        )
    return Period(
        _key(year1, month1),
        _key(year2, month2),
        f"tháng {month1}/{year1}–{month2}/{year2}",
        f"{en1} {year1}–{en2} {year2}",
    )


def question_words(period: Period) -> str:
    """Words ``find_span``/``find_year`` read back as ``period`` (for buttons)."""
    y1, m1 = (int(x) for x in period.start.split("-"))
    y2, m2 = (int(x) for x in period.end.split("-"))
    if period == whole_year(y1):
        return f"năm {y1}"
    if y1 == y2 and m1 % 3 == 1 and m2 == m1 + 2:
        return f"quý {m1 // 3 + 1}/{y1}"
    if period == half(y1, True) or period == half(y1, False):
        return period.label
    if (y1, m1) == (y2, m2):
        return f"tháng {m1}/{y1}"
    return f"từ tháng {m1}/{y1} đến tháng {m2}/{y2}"


_QUARTER = re.compile(rf"\bquy\s*(iv|i{{1,3}}|[1-4])\s*(?:[/.-]|,?\s*(?:nam|of))?\s*{YEAR}\b")
_QUARTER_EN = re.compile(
    rf"\b(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+of)?)\s*[/.-]?\s*{YEAR}\b"
)
_QUARTER_RELATIVE = re.compile(r"\b(?:quy (nay|hien tai|truoc|vua roi|vua qua)|(this|current|last|previous) quarter)\b")
_QUARTER_NO_YEAR = re.compile(r"\bquy\s*(iv|i{1,3}|[1-4])\b(?!\s*[/.-]?\s*\d)")
_HALF = re.compile(
    rf"\b(?:(?:6|sau) thang|nua)\s+(dau|cuoi)(?:\s+nam)?\s*{YEAR}\b"
    rf"|\b(first|second) half(?:\s+of)?\s*{YEAR}\b"
)
_SEP = r"\s*(?:[/.-]|,?\s*nam)\s*"
_RANGE = re.compile(
    rf"\b(?:tu\s+)?thang\s*(\d{{1,2}})(?:{_SEP}{YEAR})?\s*(?:den|toi|-|–|—)\s*(?:het\s+)?thang\s*(\d{{1,2}}){_SEP}{YEAR}\b"
)
_RANGE_SHORT = re.compile(rf"\bthang\s*(\d{{1,2}})\s*(?:-|–|—)\s*(\d{{1,2}})\s*[/.]\s*{YEAR}\b")
_YEAR_RELATIVE = re.compile(
    r"\b(?:nam (nay|hien tai|ngoai|truoc|vua roi|vua qua|roi)|(this|current|last|previous) year)\b"
)
_YEAR = re.compile(rf"\b(?:nam|in|of|year)\s+{YEAR}\b|^{YEAR}$")


def _month_ok(month: int) -> bool:
    return 1 <= month <= 12


def find_span(simple: str, today: dt.date) -> tuple[Period, tuple[int, int]] | None:
    """A quarter, half, range or relative year in folded ``simple``, and where it was read."""
    if m := _QUARTER.search(simple):
        q = m.group(1)
        return quarter(int(m.group(2)), _ROMAN.get(q) or int(q)), m.span()
    if m := _QUARTER_EN.search(simple):
        number = int(m.group(1)) if m.group(1) else _EN_ORDINAL_QUARTER[m.group(2)]
        return quarter(int(m.group(3)), number), m.span()
    if m := _QUARTER_RELATIVE.search(simple):
        word = m.group(1) or m.group(2)
        index = today.year * 4 + (today.month - 1) // 3
        if word in {"truoc", "vua roi", "vua qua", "last", "previous"}:
            index -= 1
        return quarter(index // 4, index % 4 + 1), m.span()
    if m := _QUARTER_NO_YEAR.search(simple):
        # "quý 1" without a year: the latest such quarter that has begun.
        q = m.group(1)
        number = _ROMAN.get(q) or int(q)
        year = today.year if 3 * (number - 1) + 1 <= today.month else today.year - 1
        return quarter(year, number), m.span()
    if m := _HALF.search(simple):
        if m.group(2):
            return half(int(m.group(2)), m.group(1) == "dau"), m.span()
        return half(int(m.group(4)), m.group(3) == "first"), m.span()
    if m := _RANGE.search(simple):
        first, second, year2 = int(m.group(1)), int(m.group(3)), int(m.group(4))
        year1 = int(m.group(2)) if m.group(2) else year2
        if _month_ok(first) and _month_ok(second):
            return months(year1, first, year2, second), m.span()
    if m := _RANGE_SHORT.search(simple):
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if _month_ok(first) and _month_ok(second):
            return months(year, first, year, second), m.span()
    if m := _YEAR_RELATIVE.search(simple):
        word = m.group(1) or m.group(2)
        back = 0 if word in {"nay", "hien tai", "this", "current"} else 1
        return whole_year(today.year - back), m.span()
    return None


def find_year(simple: str) -> tuple[Period, tuple[int, int]] | None:
    """A year on its own ("năm 2024", "in 2024", or the whole question "2024")."""
    if m := _YEAR.search(simple):
        return whole_year(int(m.group(1) or m.group(2))), m.span()
    return None
