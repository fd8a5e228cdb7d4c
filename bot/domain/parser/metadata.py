"""Title, published date, intro, month label, organizer and stated task count, from the units before the tasks.

- ``published`` only comes from header lines (near the title, short): a date with a time first, then
  the one nearest the title; then the document's metadata date; else ``None`` rather than a guess.
- ``month`` comes from the title, else the intro: ``tháng 9/2021``, ``tháng 9-2021``, ``tháng 9.2021``,
  ``tháng 9 năm 2021``, ``THÁNG 9 NĂM 2021``, ``tháng chín``, ``tháng Mười Một năm 2024``; a label
  without a year takes the year of the date line. Never "Cách mạng Tháng Mười", "6 tháng đầu năm", a
  related-news list (masked) or a date in the body (not read).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.parser import noise
from bot.domain.parser.families.base import ORDINALS
from bot.domain.parser.units import Unit, ffold
from bot.domain.textnorm import VI_NUMBER_WORDS

# --------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------

_DATE_RES = (
    re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?!\d)"),
    # "20 tháng 7 năm 2022", "7 tháng 3, 2024", "25 Tháng 1 2022"
    re.compile(r"(?<!\d)(\d{1,2}) tháng (\d{1,2}),? (?:năm )?(\d{4})(?!\d)", re.IGNORECASE),
    # "12/10/24 08:15": a two-digit year, taken only with a time after it (2000 + yy).
    re.compile(r"(?<![\d/.\-])(\d{1,2})/(\d{1,2})/(\d{2})(?=,?\s\d{1,2}[:h]\d{2}(?!\d))"),
)
_ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TIME_RE = re.compile(r"(?<!\d)\d{1,2}(?::|h)\d{2}(?!\d)")
_MONTH_HINT_RE = re.compile(r"thang \d")


def _valid(year: int, month: int, day: int) -> str | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def date_in(text: str) -> str | None:
    """First valid calendar date in the text as YYYY-MM-DD ("31/02" is skipped, not guessed)."""
    found: list[tuple[int, str]] = []  # (offset, date); the first valid date of each form
    for pattern in _DATE_RES:
        for dmy in pattern.finditer(text):
            day, month, year = (int(g) for g in dmy.groups())
            date = _valid(year + 2000 if year < 100 else year, month, day)
            if date is not None:
                found.append((dmy.start(), date))
                break
    for iso in _ISO_DATE_RE.finditer(text):
        year, month, day = (int(g) for g in iso.groups())
        date = _valid(year, month, day)
        if date is not None:
            found.append((iso.start(), date))
            break
    return min(found)[1] if found else None


def iso_date(value: str | None) -> str | None:
    """``YYYY-MM-DD`` from a metadata date ("2022-09-06T11:45:00+07:00", "2022-09-06"), else None."""
    if not value:
        return None
    match = _ISO_DATE_RE.match(value.strip())
    return date_in(match.group(0)) if match else None


# --------------------------------------------------------------------------------------------------
# Header: title, published date, intro
# --------------------------------------------------------------------------------------------------


def _title_score(unit: Unit) -> int:
    folded = unit.folded
    score = 0
    if "bao cao vien" in folded:
        score += 4
    if "hoi nghi" in folded:
        score += 2
    if "tuyen truyen" in folded or "dinh huong" in folded:
        score += 1
    if _MONTH_HINT_RE.search(folded) or _month_word_hint(unit.text):
        score += 2
    if unit.heading:
        score += 1
    if noise.is_all_caps(unit):
        score -= 1
    return score


def _month_word_hint(text: str) -> bool:
    return any(True for _ in _MONTH_WORD_RE.finditer(text))


# The lead's opening ("Chiều 6/5, Ban … tổ chức …", "🌸 Sáng 14/10, …"): a sentence, even when a post
# ends it with an emoji instead of a full stop; a headline never opens with the day it happened.
_LEAD_OPENING_RE = re.compile(
    r"[^\w]{0,12}(?:sang|chieu|toi|trua|dem|ngay|hom nay|hom qua),? \d{1,2}[/.\-]\d{1,2}(?!\d)"
)


def _could_be_title(unit: Unit) -> bool:
    text = unit.text
    return (
        3 <= unit.words <= 45
        and not text.endswith((".", ";", ":"))
        and not noise.is_nav(unit)
        and not noise.is_caption(unit)
        and not (date_in(text) and unit.words <= 12)
        and _LEAD_OPENING_RE.match(unit.folded) is None
    )


def find_title(units: Sequence[Unit], junk: Sequence[bool], first_task: int) -> int | None:
    best: int | None = None
    best_score = 0
    for i in range(first_task):
        if junk[i] or not _could_be_title(units[i]):
            continue
        score = _title_score(units[i])
        if score > best_score:
            best, best_score = i, score
    if best is not None:
        return best
    # No headline mentions the conference: take the first plausible heading that is not a sentence.
    for i in range(first_task):
        if not junk[i] and _could_be_title(units[i]) and not noise.is_all_caps(units[i]):
            return i
    return None


# Folded document-type lines of an official document, printed alone above its subject line.
_DOCUMENT_TYPES = frozenset({"thong bao", "huong dan", "ke hoach", "bao cao", "dinh huong", "cong van", "chuong trinh"})


def title_text(units: Sequence[Unit], junk: Sequence[bool], title: int) -> str:
    """The title line; under an official document's type line ("THÔNG BÁO" / "Kết quả Hội nghị …") the
    two read as one: "Thông báo kết quả Hội nghị …"."""
    text = units[title].text
    before = next((i for i in range(title - 1, -1, -1) if not junk[i]), None)
    if before is None or units[before].folded.strip(" .:") not in _DOCUMENT_TYPES or not text[:1].isupper():
        return text
    kind = units[before].text.strip(" .:")
    if text.isupper():
        return f"{kind} {text}"
    return f"{kind.capitalize()} {text[:1].lower()}{text[1:]}"


def is_meta(unit: Unit) -> bool:
    """Header lines around the title: date lines, view counters, menus, site names (not sentences)."""
    if noise.is_nav(unit) or noise.is_all_caps(unit):
        return True
    if unit.words <= 12 and date_in(unit.text) is not None:
        return True
    return unit.words <= 15 and not noise.ends_sentence(unit.text)


def body_start(units: Sequence[Unit], title: int | None, first_task: int) -> int:
    """Index of the first unit after the header: the title and its meta lines (at most 4 of them)."""
    if title is None:
        i = 0
        while i < first_task and is_meta(units[i]):
            i += 1
        return i
    i = title + 1
    while i < first_task and i <= title + 4 and is_meta(units[i]):
        i += 1
    return i


# An official document's header (agency, number, "ĐẢNG CỘNG SẢN VIỆT NAM", place and date, "THÔNG BÁO")
# can run this many lines past the headline before the first paragraph.
_HEADER_LINES = 12


def header_end(units: Sequence[Unit], title: int | None, first_task: int) -> int:
    """Index of the first paragraph after the title: the lines before it may carry the article's date."""
    start = 0 if title is None else title + 1
    stop = min(first_task, start + _HEADER_LINES)
    for i in range(start, stop):
        unit = units[i]
        if unit.words > 30 or (unit.words >= 8 and noise.ends_sentence(unit.text)):
            return i
    return stop


# Folded labels of a date line that gives when the page was printed or viewed, not the article's date.
_RENDER_DATE = ("ngay in", "in ngay", "in luc", "ngay truy cap", "truy cap", "hom nay", "ngay xem")
# Folded labels of a date line that says when the article was posted.
_POSTED_DATE = (
    "ngay dang",
    "dang ngay",
    "dang luc",
    "xuat ban",
    "thoi gian dang",
    "tin dang",
    "cap nhat",
    "thoi gian:",
)
# An official document's place-date line ("Hà Nội, ngày 5 tháng 6 năm 2023", "Lâm Đồng, ngày 8/11/2022"):
# the document's own date, even when a wrapped body line ("Ngày 7/11/2022, Ban …") is as short as a header.
_PLACE_DATE_RE = re.compile(r"[^\d,.:;]{2,40}, ngay \d{1,2}(?: thang |[/.\-])\d{1,2}")


def published(units: Sequence[Unit], junk: Sequence[bool], title: int | None, end: int) -> str | None:
    """The article's own date: from header lines before ``end`` only; a line labelled as the posting date
    first ("Ngày đăng:"), then a date with a time, then the one nearest the title. A print or visit date
    ("Ngày in:") is never it."""
    anchor = title if title is not None else end
    candidates: list[tuple[bool, bool, bool, int, str]] = []
    for i in range(end):
        unit = units[i]
        if unit.words > 30 or i == title or junk[i]:
            continue  # a related-news link "(15/10/2021)" is another article's date
        date = date_in(unit.text)
        if date is None:
            continue
        folded = unit.folded.lstrip("( ")
        if folded.startswith(_RENDER_DATE):
            continue
        posted = any(label in folded for label in _POSTED_DATE) or _PLACE_DATE_RE.match(folded) is not None
        has_time = _TIME_RE.search(unit.text) is not None
        candidates.append((posted, has_time, i > anchor, -abs(i - anchor), date))
    if not candidates:
        return None
    return max(candidates)[4]


def intro_lines(units: Sequence[Unit], junk: Sequence[bool], start: int, first_task: int) -> list[str]:
    """Prose between the header and the first task; captions, menus and bylines are left out."""
    out: list[str] = []
    for i in range(start, first_task):
        unit = units[i]
        if junk[i] or noise.is_nav(unit) or noise.is_all_caps(unit) or noise.is_footer(unit):
            continue
        if noise.ends_sentence(unit.text) or unit.words >= 12:
            out.append(unit.text)
    return out


# --------------------------------------------------------------------------------------------------
# Month label
# --------------------------------------------------------------------------------------------------

# "tháng Mười", "tháng Giêng" (first month), "tháng Chạp" (twelfth).
_MONTH_WORDS = {**VI_NUMBER_WORDS, "gieng": 1, "chap": 12}
_YEAR_TAIL = r"(?:\s?[/.\-–—]\s?(\d{4})|,?\snăm\s(\d{4}))?(?!\d)"
_MONTH_NUM_RE = re.compile(r"(?<!\w)tháng\s?(\d{1,2})(?!\d)" + _YEAR_TAIL, re.IGNORECASE)
_MONTH_WORD_RE = re.compile(
    r"(?<!\w)tháng\s(mười\smột|mười\shai|mười|một|giêng|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|chạp)(?!\w)" + _YEAR_TAIL,
    re.IGNORECASE,
)
_BEFORE_NUMBER_RE = re.compile(r"\d\s?$")
_YEAR_ONLY_RE = re.compile(r"(?<!\w)năm\s(\d{4})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Label:
    month: int
    year: int | None


def month_labels(text: str) -> list[Label]:
    """Month labels in order: "tháng 10/2021", "tháng 9 năm 2023", "tháng 3", "tháng Mười năm 2021"."""
    hits: list[tuple[int, Label]] = []
    for match in _MONTH_NUM_RE.finditer(text):
        label = _label_from(text, match, int(match.group(1)))
        if label is not None:
            hits.append((match.start(), label))
    for match in _MONTH_WORD_RE.finditer(text):
        word = match.group(1)
        has_year = match.group(2) is not None or match.group(3) is not None
        # "tháng Mười", "tháng chín" are labels; lower-case "tháng năm" ("months and years") and
        # "tháng một số…" are not, unless a year follows.
        if ffold(word) in {"nam", "mot"} and not (word[0].isupper() or has_year):
            continue
        label = _label_from(text, match, _MONTH_WORDS[" ".join(ffold(word).split())])
        if label is not None:
            hits.append((match.start(), label))
    return [label for _, label in sorted(hits, key=lambda hit: hit[0])]


def _label_from(text: str, match: re.Match[str], month: int) -> Label | None:
    before = text[max(0, match.start() - 12) : match.start()]
    if _BEFORE_NUMBER_RE.search(before):
        return None  # "6 tháng đầu năm", "ngày 15 tháng 10": a duration or a date, not a label
    folded_before = ffold(before).rstrip()
    if folded_before.endswith(("cach mang", "ngay", "moi", "hang", "tung", "nhieu")):
        return None  # "Cách mạng Tháng Mười Nga", "ngày … tháng", "mỗi tháng hai lần"
    year_text = match.group(2) or match.group(3)
    year = int(year_text) if year_text else None
    if not 1 <= month <= 12 or (year is not None and not 1990 <= year <= 2100):
        return None
    return Label(month, year)


@dataclass(frozen=True, slots=True)
class Month:
    value: str  # "YYYY-MM" or ""
    source: str  # "label", "label+published", "published", "none", "no-year"
    month: int | None = None  # the label's month when it has no year


# "Hội nghị báo cáo viên quý IV/2025": a quarterly conference is filed under the quarter's first month.
_QUARTER_RE = re.compile(r"(?<!\w)quý\s(IV|III|II|I|[1-4])(?:\s?[/.\-–—]\s?|,?\snăm\s)(\d{4})(?!\d)", re.IGNORECASE)
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def quarter_label(title: str) -> Label | None:
    """The quarter a title names ("quý IV/2025" → October 2025); only a title's, never the body's
    "kết quả quý I/2024"."""
    match = _QUARTER_RE.search(title)
    if match is None or not 1990 <= int(match.group(2)) <= 2100:
        return None
    return Label(3 * _QUARTERS[match.group(1).lower()] - 2, int(match.group(2)))


def resolve_month(texts: Sequence[str], published_date: str | None) -> Month:
    if texts and not month_labels(texts[0]) and (quarter := quarter_label(texts[0])) is not None:
        return Month(f"{quarter.year:04d}-{quarter.month:02d}", "label")
    labels = [label for text in texts for label in month_labels(text)]
    if not labels:
        if published_date is not None:
            return Month(published_date[:7], "published")
        return Month("", "none")
    first = labels[0]
    if first.year is not None:
        return Month(f"{first.year:04d}-{first.month:02d}", "label")
    # "tháng 3" alone: the same month with a year elsewhere in the title or intro, else the dateline.
    for label in labels[1:]:
        if label.month == first.month and label.year is not None:
            return Month(f"{label.year:04d}-{first.month:02d}", "label")
    if published_date is None:
        # "tháng 12 và tổng kết … năm 2023": the year the title itself names.
        year = next((m for text in texts[:1] for m in _YEAR_ONLY_RE.findall(text)), None)
        if year is not None and 1990 <= int(year) <= 2100:
            return Month(f"{int(year):04d}-{first.month:02d}", "label")
        return Month("", "no-year", first.month)
    year, pub_month = int(published_date[:4]), int(published_date[5:7])
    # A "tháng 12" conference written up in January belongs to the previous year, and vice versa.
    if first.month - pub_month > 6:
        year -= 1
    elif pub_month - first.month > 6:
        year += 1
    return Month(f"{year:04d}-{first.month:02d}", "label+published")


def has_month_label(units: Sequence[Unit], upto: int) -> bool:
    """A month label in the first lines (a quick test for "is this a bulletin at all")."""
    return any(month_labels(u.text) for u in units[: min(upto, 12)])


# --------------------------------------------------------------------------------------------------
# Organizer
# --------------------------------------------------------------------------------------------------

_HOLD_RE = re.compile(r"(?<!\w)tổ\schức\s(?:thành\scông\s)?hội\snghị", re.IGNORECASE)
_HOLD_LOOSE_RE = re.compile(r"(?<!\w)(?<!các\s)(?<!những\s)tổ\schức(?!\w)", re.IGNORECASE)
_CLAUSE_BREAK_RE = re.compile(r"[,;:]\s|\.\s|\s[-–—]\s|[()]")
_ORG_START_RE = re.compile(
    r"(?:^|\s)((?:Ban|[ĐÐ]ảng\s(?:ủy|uỷ|bộ)|Thành\s(?:ủy|uỷ)|Tỉnh\s(?:ủy|uỷ)|Huyện\s(?:ủy|uỷ)|Quận\s(?:ủy|uỷ)"
    r"|Thị\s(?:ủy|uỷ)|Hội\sđồng|Sở|(?:Ủy|Uỷ)\sban|Văn\sphòng|Trung\stâm|Bộ|Học\sviện"
    r"|Cục|Hội(?!\snghị)|Liên\sđoàn|[ĐÐ]oàn|Mặt\strận|Công\sđoàn|Trường)(?!\w).*)$"
)
_PARTNER_RE = re.compile(
    r"\s(?:chủ\strì,?\s)?(?:phối\shợp(?:\s(?:với|cùng))?|cùng\svới|kết\shợp\svới)\s", re.IGNORECASE
)
# Words between the organizer and "tổ chức" ("Ban … đã long trọng tổ chức"); stripped repeatedly.
_TRAILING_VERBS = ("đã", "vừa", "sẽ", "chính thức", "long trọng", "phối hợp")


def _organizer_in(text: str, pattern: re.Pattern[str]) -> str | None:
    for match in pattern.finditer(text):
        # A bounded window: an organizer name is short, and hostile lines must stay linear.
        prefix = text[max(0, match.start() - 200) : match.start()].rstrip()
        breaks = list(_CLAUSE_BREAK_RE.finditer(prefix))
        clause = prefix[breaks[-1].end() :] if breaks else prefix
        # "Ban Tuyên giáo Tỉnh ủy phối hợp với Sở … tổ chức": the first named is the organizer.
        clause = _PARTNER_RE.split(clause.strip(), maxsplit=1)[0].strip()
        # "Căn cứ nội dung Hội nghị … do Ban Tuyên giáo Tỉnh ủy tổ chức": the body after "do".
        clause = clause.rsplit(" do ", 1)[-1]
        changed = True
        while changed:
            changed = False
            for verb in _TRAILING_VERBS:
                if clause.endswith(" " + verb):
                    clause = clause[: -len(verb) - 1].rstrip()
                    changed = True
        org = _ORG_START_RE.search(clause)
        if org is not None and 2 <= org.group(1).count(" ") + 1 <= 15:
            return org.group(1).strip()
    return None


def find_organizer(texts: Sequence[str]) -> str | None:
    for pattern in (_HOLD_RE, _HOLD_LOOSE_RE):
        for text in texts:
            found = _organizer_in(text, pattern)
            if found:
                return found
    return None


# --------------------------------------------------------------------------------------------------
# Stated count
# --------------------------------------------------------------------------------------------------

_COUNT_RE = re.compile(
    r"(?<![\w.,])(\d{1,2}|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười\smột|mười\shai|mười)\s(?:nhóm\s)?"
    r"(nhiệm\svụ|nội\sdung|vấn\sđề|việc|nhóm|giải\spháp|định\shướng|chủ\sđề|điều)(?!\w)",
    re.IGNORECASE,
)


def stated_count(texts_nearest_first: Sequence[str]) -> tuple[int, str] | None:
    """A stated "6 nhiệm vụ" / "sáu nội dung" / "08 nội dung" in the lead-in, used only to cross-check."""
    for text in texts_nearest_first:
        matches = list(_COUNT_RE.finditer(text))
        if not matches:
            continue
        match = matches[-1]
        word = match.group(1)
        value = int(word) if word.isdigit() else ORDINALS.get(" ".join(ffold(word).split()))
        if value is not None and value >= 2:
            return value, " ".join(match.group(0).split())
    return None
