"""Split a reporters' conference bulletin ("Hội nghị Báo cáo viên tháng N") into its tasks.

``parse_bulletin`` is a pure function: text (or UTF-8 bytes, or an HTML page) in, ``Bulletin`` out, or
``BulletinParseError`` with a reason and, where it can tell, the line it gave up on.

How it works, in order:

1. Normalise (``bot.domain.textnorm.normalize_text``) and cut the text into non-empty lines.
2. Mark the lines that are never task text: captions ("Ảnh:", a line printed twice) and
   related-news blocks ("Tin liên quan", "Các tin khác", … and the links under them).
3. Find enumerator candidates on every other line, one family at a time (``Thứ nhất,``, ``Một là,``,
   ``1.``/``1)``/``1/``, ``I.``, ``(1)``), and keep the family with the longest run 1, 2, 3, …
   ``- `` bullets are the last resort. A Roman run wins over Arabic items nested inside it.
4. Each task runs from its enumerator to the next one; the last one stops at the first line that
   cannot be a continuation (byline, caption, ALL-CAPS agency line, footer or widget line).
5. The header (title, date line), the intro, the month label, the organizer and the stated task count
   come from the lines before the first task.

All regular expressions are anchored or use a single quantifier per character class, and runs are
found in one pass, so the parser stays linear on hostile input; oversized input is rejected up front.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.records import Bulletin, BulletinParseError, Task
from bot.domain.textnorm import VI_NUMBER_WORDS, fold_char, normalize_text

# Raw input above this is refused before any work (a saved portal page with scripts is ~300 KB).
MAX_INPUT_CHARS = 2_000_000
# Normalised text above this is not a bulletin (real ones are 3–15 KB).
MAX_TEXT_CHARS = 200_000
# A task list shorter than this cannot be told apart from prose that happens to start with "1.".
MIN_TASKS = 2
USUAL_TASKS = range(3, 11)
# A byline or caption is short; a continuation paragraph is longer or ends like a sentence.
BYLINE_MAX_WORDS = 10

__all__ = ["MAX_INPUT_CHARS", "MAX_TEXT_CHARS", "parse_bulletin"]


# --------------------------------------------------------------------------------------------------
# Fast folding for keyword tests (bot.domain.textnorm.fold is exact but calls unicodedata per character).
# --------------------------------------------------------------------------------------------------


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    ranges = (range(0x41, 0x5B), range(0xC0, 0x250), range(0x1E00, 0x1F00))
    for block in ranges:
        for code in block:
            folded = fold_char(chr(code))
            if folded != chr(code):
                table[code] = folded
    return table


_FOLD_TABLE = _build_fold_table()


def _ffold(text: str) -> str:
    """Lower-case, diacritic-free form of NFC text, for keyword tests only."""
    return text.translate(_FOLD_TABLE)


# --------------------------------------------------------------------------------------------------
# Lines
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    no: int  # 1-based line number in the normalised text
    text: str
    folded: str

    @property
    def words(self) -> int:
        return self.text.count(" ") + 1


_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _prepare(raw: str | bytes) -> list[_Line]:
    if not isinstance(raw, str | bytes | bytearray):
        raise BulletinParseError(f"expected text or bytes, got {type(raw).__name__}")
    if len(raw) > MAX_INPUT_CHARS:
        raise BulletinParseError(f"input too large ({len(raw)} characters; limit {MAX_INPUT_CHARS})")
    text = normalize_text(raw)
    if len(text) > MAX_TEXT_CHARS:
        raise BulletinParseError(
            f"text too long for a bulletin ({len(text)} characters after normalisation; limit {MAX_TEXT_CHARS})"
        )
    if not text.strip():
        raise BulletinParseError("empty text")
    controls = len(_CONTROL_RE.findall(text))
    if "\x00" in text or controls > max(8, len(text) // 100):
        raise BulletinParseError(f"text looks like binary data ({controls} control characters)")
    return [_Line(no, line, _ffold(line)) for no, line in enumerate(text.split("\n"), start=1) if line]


# --------------------------------------------------------------------------------------------------
# Line classes
# --------------------------------------------------------------------------------------------------

_CAPTION_RE = re.compile(r"(?<!\w)ảnh\s?:|ảnh minh họa|ảnh minh hoạ", re.IGNORECASE)
_FINAL_PUNCT = frozenset(".!?;:…")
_CLOSERS = "\"'”’»)]*"

# Folded prefixes of a related-news heading; the heading is short, so prose is not mistaken for one.
_RELATED_HEADS = (
    "tin lien quan",
    "tin cung chuyen muc",
    "cac tin khac",
    "tin khac",
    "bai lien quan",
    "bai viet lien quan",
    "cac bai viet khac",
    "doc them",
    "xem them",
    "tin moi hon",
    "tin cu hon",
    "tin da dua",
    "tin moi",
)
_LINK_BULLET = frozenset("»•-–—*+·>▪■►")
_LINK_DATE_RE = re.compile(r"\(\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?\)$")

# Folded prefixes of lines that close an article: footers, share and comment widgets, tags.
_FOOTER_HEADS = (
    "dia chi",
    "dien thoai",
    "dt:",
    "email",
    "e-mail",
    "fax",
    "tu khoa",
    "binh luan",
    "ban quyen",
    "©",
    "(c) ",
    "ghi ro nguon",
    "co quan chu quan",
    "co quan thuong truc",
    "co quan quan ly",
    "chiu trach nhiem",
    "giay phep",
    "luot xem",
    "luot truy cap",
    "dang truy cap",
    "tong luot truy cap",
    "truong ban bien tap",
    "ve dau trang",
    "nguon:",
    "in bai",
    "gui email",
    "tags:",
    "powered by",
    "xem co chu",
    "chia se bai viet",
    "chia se:",
)
_FOOTER_EXACT = frozenset({"lien he", "chia se", "in", "top", "print"})


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS + " ")
    return bool(stripped) and stripped[-1] in _FINAL_PUNCT


def _is_caption(line: _Line) -> bool:
    return _CAPTION_RE.search(line.text) is not None


def _is_all_caps(line: _Line) -> bool:
    return line.text == line.text.upper() and line.text != line.text.lower() and line.words >= 2


def _is_related_head(line: _Line) -> bool:
    return line.words <= 6 and line.folded.lstrip("»•-*# ").startswith(_RELATED_HEADS)


def _is_footer(line: _Line) -> bool:
    folded = line.folded
    return folded.startswith(_FOOTER_HEADS) or folded.rstrip(" :") in _FOOTER_EXACT


def _is_link_like(line: _Line) -> bool:
    if line.text[0] in _LINK_BULLET or _LINK_DATE_RE.search(line.text) is not None:
        return True
    # A short unpunctuated line is a link title, unless it is the next task's heading ("III. …").
    return line.words <= 25 and not _ends_sentence(line.text) and not _looks_numbered(line)


def _is_byline(line: _Line) -> bool:
    return line.words < BYLINE_MAX_WORDS and not _ends_sentence(line.text)


def _looks_numbered(line: _Line) -> bool:
    return any(p.match(line.text) for p in (_THU_RE, _LA_RE, _ROMAN_RE, _PAREN_RE, _ARABIC_RE))


def _is_nav(line: _Line) -> bool:
    """Breadcrumbs and menus: "Trang chủ > Chính trị", "A- A A+ | In bài | Chia sẻ"."""
    return (
        " | " in line.text
        or "»" in line.text
        or " > " in line.text
        or " / " in line.text
        or line.folded.startswith("trang chu")
    )


def _junk_mask(lines: Sequence[_Line]) -> list[bool]:
    """True for lines that never belong to a task: captions, duplicated lines, related-news blocks."""
    junk = [False] * len(lines)
    for i, line in enumerate(lines):
        if _is_caption(line):
            junk[i] = True
        # A caption printed twice ("… kết luận hội nghị." / same again): drop both copies.
        if i + 1 < len(lines) and line.text == lines[i + 1].text:
            junk[i] = junk[i + 1] = True
    i = 0
    while i < len(lines):
        if _is_related_head(lines[i]):
            junk[i] = True
            i += 1
            while i < len(lines) and _is_link_like(lines[i]) and not _is_footer(lines[i]):
                junk[i] = True
                i += 1
        else:
            i += 1
    return junk


# --------------------------------------------------------------------------------------------------
# Enumerators
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Marker:
    pos: int  # index into the line list
    number: int
    enumerator: str  # as written, without the trailing comma/colon: "Thứ nhất", "1.", "(1)", "-"
    rest: str  # the line after the enumerator


# "Thứ nhất … Thứ mười", "Một là … Mười là": the number words up to ten, plus "nhất" (first).
_ORDINALS = {"nhat": 1, **{word: n for word, n in VI_NUMBER_WORDS.items() if n <= 10}}
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}

# "Thứ nhất," … "Thứ mười:" — a separator is required, which already rules out "Thứ trưởng" and
# "Thứ ba 22/10/2019"; weekday lines with a separator are caught by _WEEKDAY_REST_RE.
_THU_RE = re.compile(
    r"(thứ\s(?:nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười))(?!\w)\s?(?:[,:;.]|[-–—](?=\s))\s*",
    re.IGNORECASE,
)
# A date right after the ordinal: "15/10/2021", "6/9", "ngày 15/10/2021" (but not "1.052 điểm cầu").
_WEEKDAY_REST_RE = re.compile(r"(?:ngày\s)?\d{1,2}\s?([/.\-])\s?\d{1,2}(?:\1\d{2,4})?(?!\d)", re.IGNORECASE)
_LA_RE = re.compile(r"((?:một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\slà)(?!\w)\s?[,:.]?\s*", re.IGNORECASE)
# "1." "1)" "1/" followed by a space or the end of the line: "1.052 điểm cầu" is a number.
_ARABIC_RE = re.compile(r"(\d{1,2}[.)/])(?:\s|$)\s*")
_ROMAN_RE = re.compile(r"((?:X|IX|VIII|VII|VI|V|IV|III|II|I)[.)/])(?:\s|$)\s*")
_PAREN_RE = re.compile(r"(\(\d{1,2}\))\s*")
_DASH_RE = re.compile(r"([-–—•+*])\s+")


def _number_of(family: str, enumerator: str) -> int | None:
    if family in {"thu", "la"}:
        words = _ffold(enumerator).split()
        return _ORDINALS.get(words[1] if family == "thu" else words[0])
    if family == "roman":
        return _ROMAN.get(enumerator[:-1])
    digits = enumerator.strip("()./")
    return int(digits) if digits.isdigit() and int(digits) > 0 else None


def _match_marker(family: str, line: _Line, pos: int) -> _Marker | None:
    pattern = {
        "thu": _THU_RE,
        "la": _LA_RE,
        "roman": _ROMAN_RE,
        "paren": _PAREN_RE,
        "dash": _DASH_RE,
    }.get(family, _ARABIC_RE)
    match = pattern.match(line.text)
    if match is None:
        return None
    rest = line.text[match.end() :]
    enumerator = " ".join(match.group(1).split())
    if family == "thu" and _WEEKDAY_REST_RE.match(rest):
        return None  # "Thứ Sáu, 15/10/2021" is a weekday, not the sixth task
    if family.startswith("arabic") and family[-1] != enumerator[-1]:
        return None  # "1." and "1)" lists are different lists (one may nest in the other)
    number = 1 if family == "dash" else _number_of(family, enumerator)
    if number is None:
        return None
    return _Marker(pos, number, enumerator, rest)


_NUMBERED_FAMILIES = ("thu", "la", "roman", "paren", "arabic.", "arabic)", "arabic/")


def _longest_run(markers: Sequence[_Marker]) -> list[_Marker]:
    """Longest chain 1, 2, …, k in document order (other numbers in between are skipped).

    One pass: ``ends[n]`` is the latest marker seen so far that ends a valid chain 1..n, and each
    marker remembers its predecessor, so the chain is rebuilt backwards. Using the *latest* "1"
    before the "2" keeps stray header items ("1. Trang chủ") out of the run.
    """
    ends: dict[int, int] = {}
    prev: list[int | None] = [None] * len(markers)
    best: int | None = None
    for i, marker in enumerate(markers):
        n = marker.number
        if n == 1:
            ends[1] = i
        elif n - 1 in ends:
            prev[i] = ends[n - 1]
            ends[n] = i
        else:
            continue
        if best is None or n > markers[best].number:
            best = i
    chain: list[_Marker] = []
    cursor = best
    while cursor is not None:
        chain.append(markers[cursor])
        cursor = prev[cursor]
    chain.reverse()
    return chain


def _dash_run(lines: Sequence[_Line], junk: Sequence[bool]) -> list[_Marker]:
    """Longest block of consecutive "- " lines, numbered by position."""
    best: list[_Marker] = []
    block: list[_Marker] = []
    for pos, line in enumerate(lines):
        marker = None if junk[pos] else _match_marker("dash", line, pos)
        if marker is not None and marker.rest:
            block.append(_Marker(pos, len(block) + 1, marker.enumerator, marker.rest))
            continue
        if len(block) > len(best):
            best = block
        block = []
    return block if len(block) > len(best) else best


def _choose_run(lines: Sequence[_Line], junk: Sequence[bool]) -> tuple[str, list[_Marker]]:
    runs: dict[str, list[_Marker]] = {}
    for family in _NUMBERED_FAMILIES:
        found: list[_Marker] = []
        for pos, line in enumerate(lines):
            marker = None if junk[pos] else _match_marker(family, line, pos)
            if marker is not None:
                found.append(marker)
        runs[family] = _longest_run(found)
    # Longest run wins; on a tie the one that starts first (the outer list) wins.
    family = max(runs, key=lambda f: (len(runs[f]), -runs[f][0].pos if runs[f] else 0))
    chosen = runs[family]
    roman = runs["roman"]
    nests = family.startswith("arabic") or family == "paren"
    if nests and len(roman) >= 3 and chosen and roman[0].pos < chosen[0].pos:
        # Arabic items nested inside Roman sections are sub-points of those sections.
        family, chosen = "roman", roman
    if len(chosen) < MIN_TASKS:
        dashes = _dash_run(lines, junk)
        if len(dashes) >= MIN_TASKS:
            return "dash", dashes
    return family, chosen


# --------------------------------------------------------------------------------------------------
# Tasks
# --------------------------------------------------------------------------------------------------

_SUB_ITEM_RE = re.compile(r"(?:[-–—•+*]\s|[a-zđ][.)]\s|\d{1,2}[.)]\s|\(\w{1,2}\)\s?)")


def _ends_article(line: _Line, next_line: _Line | None) -> bool:
    """True for the first line after the last task that cannot continue it."""
    if _is_footer(line) or _is_related_head(line) or _is_caption(line):
        return True
    if next_line is not None and next_line.text == line.text:
        return True
    if _SUB_ITEM_RE.match(line.text):
        return False  # "- …", "+ …", "a) …": sub-points of the last task
    return _is_all_caps(line) or _is_byline(line)


def _last_task_end(lines: Sequence[_Line], start: int) -> int:
    """Index one past the last line of the last task, which starts at ``start``."""
    for i in range(start + 1, len(lines)):
        if _ends_article(lines[i], lines[i + 1] if i + 1 < len(lines) else None):
            return i
    return len(lines)


def _build_tasks(lines: Sequence[_Line], junk: Sequence[bool], run: Sequence[_Marker]) -> tuple[tuple[Task, ...], int]:
    """Cut the tasks; also return the index one past the last task line."""
    ends = [m.pos for m in run[1:]] + [_last_task_end(lines, run[-1].pos)]
    tasks: list[Task] = []
    for number, (marker, end) in enumerate(zip(run, ends, strict=True), start=1):
        parts = [marker.rest] if marker.rest else []
        parts += [lines[i].text for i in range(marker.pos + 1, end) if not junk[i]]
        tasks.append(Task(number=number, text="\n".join(parts), enumerator=marker.enumerator))
    return tuple(tasks), ends[-1]


# --------------------------------------------------------------------------------------------------
# Header: title, published date, intro
# --------------------------------------------------------------------------------------------------

_DATE_RES = (
    re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?!\d)"),
    re.compile(r"(?<!\d)(\d{1,2}) tháng (\d{1,2}),? (?:năm )?(\d{4})(?!\d)", re.IGNORECASE),
)
_ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TIME_RE = re.compile(r"(?<!\d)\d{1,2}(?::|h)\d{2}(?!\d)")
_MONTH_HINT_RE = re.compile(r"thang \d")


def _date_in(text: str) -> str | None:
    """First valid calendar date in the text as YYYY-MM-DD."""
    found: list[tuple[int, int, int, int]] = []  # (offset, year, month, day)
    for pattern in _DATE_RES:
        dmy = pattern.search(text)
        if dmy is not None:
            day, month, year = (int(g) for g in dmy.groups())
            found.append((dmy.start(), year, month, day))
    iso = _ISO_DATE_RE.search(text)
    if iso is not None:
        year, month, day = (int(g) for g in iso.groups())
        found.append((iso.start(), year, month, day))
    for _, year, month, day in sorted(found):
        if 1990 <= year <= 2100:
            try:
                return _dt.date(year, month, day).isoformat()
            except ValueError:
                continue
    return None


def _title_score(line: _Line) -> int:
    folded = line.folded
    score = 0
    if "bao cao vien" in folded:
        score += 4
    if "hoi nghi" in folded:
        score += 2
    if "tuyen truyen" in folded or "dinh huong" in folded:
        score += 1
    if _MONTH_HINT_RE.search(folded):
        score += 2
    if _is_all_caps(line):
        score -= 1
    return score


def _could_be_title(line: _Line) -> bool:
    text = line.text
    return (
        3 <= line.words <= 45
        and not text.endswith((".", ";", ":"))
        and not _is_nav(line)
        and not _is_caption(line)
        and not (_date_in(text) and line.words <= 12)
    )


def _find_title(lines: Sequence[_Line], junk: Sequence[bool], first_task: int) -> int | None:
    best: int | None = None
    best_score = 0
    for i in range(first_task):
        if junk[i] or not _could_be_title(lines[i]):
            continue
        score = _title_score(lines[i])
        if score > best_score:
            best, best_score = i, score
    if best is not None:
        return best
    # No headline mentions the conference: take the first plausible heading that is not a sentence.
    for i in range(first_task):
        if not junk[i] and _could_be_title(lines[i]) and not _is_all_caps(lines[i]):
            return i
    return None


def _is_meta(line: _Line) -> bool:
    """Header lines around the title: date lines, view counters, menus, site names (not sentences)."""
    if _is_nav(line) or _is_all_caps(line):
        return True
    if line.words <= 12 and _date_in(line.text) is not None:
        return True
    return line.words <= 15 and not _ends_sentence(line.text)


def _header_after_title(lines: Sequence[_Line], title: int, first_task: int) -> int:
    """Index of the first line after the title's meta lines (at most 4 of them)."""
    i = title + 1
    while i < first_task and i <= title + 4 and _is_meta(lines[i]):
        i += 1
    return i


def _published(lines: Sequence[_Line], title: int | None, body_start: int) -> str | None:
    """The article's own date: from header lines only, a date with a time first, nearest the title."""
    anchor = title if title is not None else body_start
    candidates: list[tuple[bool, bool, int, str]] = []
    for i in range(body_start):
        line = lines[i]
        if line.words > 30 or i == title:
            continue
        date = _date_in(line.text)
        if date is None:
            continue
        after_title = i > anchor
        candidates.append((_TIME_RE.search(line.text) is not None, after_title, -abs(i - anchor), date))
    if not candidates:
        return None
    return max(candidates)[3]


def _intro_lines(lines: Sequence[_Line], junk: Sequence[bool], start: int, first_task: int) -> list[str]:
    """Prose between the header and the first task; captions, menus and bylines are left out."""
    out: list[str] = []
    for i in range(start, first_task):
        line = lines[i]
        if junk[i] or _is_nav(line) or _is_all_caps(line) or _is_footer(line):
            continue
        if _ends_sentence(line.text) or line.words >= 12:
            out.append(line.text)
    return out


# --------------------------------------------------------------------------------------------------
# Month label, organizer, stated count
# --------------------------------------------------------------------------------------------------

# "tháng Mười", "tháng Giêng" (first month), "tháng Chạp" (twelfth).
_MONTH_WORDS = {**VI_NUMBER_WORDS, "gieng": 1, "chap": 12}
_YEAR_TAIL = r"(?:\s?[/.\-]\s?(\d{4})|\snăm\s(\d{4}))?(?!\d)"
_MONTH_NUM_RE = re.compile(r"(?<!\w)tháng\s(\d{1,2})(?!\d)" + _YEAR_TAIL, re.IGNORECASE)
_MONTH_WORD_RE = re.compile(
    r"(?<!\w)tháng\s(mười\smột|mười\shai|mười|một|giêng|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|chạp)(?!\w)" + _YEAR_TAIL,
    re.IGNORECASE,
)
_BEFORE_NUMBER_RE = re.compile(r"\d\s?$")


@dataclass(frozen=True, slots=True)
class _Label:
    month: int
    year: int | None


def _month_labels(text: str) -> Iterable[_Label]:
    """Month labels in order: "tháng 10/2021", "tháng 9 năm 2023", "tháng 3", "tháng Mười năm 2021"."""
    hits: list[tuple[int, _Label]] = []
    for match in _MONTH_NUM_RE.finditer(text):
        label = _label_from(text, match, int(match.group(1)))
        if label is not None:
            hits.append((match.start(), label))
    for match in _MONTH_WORD_RE.finditer(text):
        word = match.group(1)
        has_year = match.group(2) is not None or match.group(3) is not None
        # "tháng Mười" is a label; lower-case "tháng năm" usually means "months of the year".
        if not (word[0].isupper() or (has_year and _ffold(word) != "nam")):
            continue
        label = _label_from(text, match, _MONTH_WORDS[" ".join(_ffold(word).split())])
        if label is not None:
            hits.append((match.start(), label))
    return [label for _, label in sorted(hits, key=lambda hit: hit[0])]


def _label_from(text: str, match: re.Match[str], month: int) -> _Label | None:
    before = text[max(0, match.start() - 12) : match.start()]
    if _BEFORE_NUMBER_RE.search(before):
        return None  # "6 tháng đầu năm", "ngày 15 tháng 10": a duration or a date, not a label
    if _ffold(before).rstrip().endswith("cach mang"):
        return None  # "Cách mạng Tháng Mười Nga"
    year_text = match.group(2) or match.group(3)
    year = int(year_text) if year_text else None
    if not 1 <= month <= 12 or (year is not None and not 1990 <= year <= 2100):
        return None
    return _Label(month, year)


def _resolve_month(texts: Sequence[str], published: str | None) -> tuple[str, list[str]]:
    labels = [label for text in texts for label in _month_labels(text)]
    if not labels:
        if published is not None:
            return published[:7], ["no month label found; month taken from the published date"]
        return "", ["no month label and no published date found; month unknown"]
    first = labels[0]
    if first.year is not None:
        return f"{first.year:04d}-{first.month:02d}", []
    # "tháng 3" alone: the same month with a year elsewhere in the title or intro, else the dateline.
    for label in labels[1:]:
        if label.month == first.month and label.year is not None:
            return f"{label.year:04d}-{first.month:02d}", []
    if published is None:
        return "", [f"month label 'tháng {first.month}' has no year and there is no published date"]
    year, pub_month = int(published[:4]), int(published[5:7])
    # A "tháng 12" conference written up in January belongs to the previous year, and vice versa.
    if first.month - pub_month > 6:
        year -= 1
    elif pub_month - first.month > 6:
        year += 1
    return f"{year:04d}-{first.month:02d}", []


_HOLD_RE = re.compile(r"(?<!\w)tổ\schức\s(?:thành\scông\s)?hội\snghị", re.IGNORECASE)
_HOLD_LOOSE_RE = re.compile(r"(?<!\w)(?<!các\s)(?<!những\s)tổ\schức(?!\w)", re.IGNORECASE)
_CLAUSE_BREAK_RE = re.compile(r"[,;:]\s|\.\s|\s[-–—]\s|[()]")
_ORG_START_RE = re.compile(
    r"(?:^|\s)((?:Ban|[ĐÐ]ảng\s(?:ủy|uỷ|bộ)|Thành\s(?:ủy|uỷ)|Tỉnh\s(?:ủy|uỷ)|Huyện\s(?:ủy|uỷ)|Quận\s(?:ủy|uỷ)"
    r"|Thị\s(?:ủy|uỷ)|Hội\sđồng|Sở|(?:Ủy|Uỷ)\sban|Văn\sphòng|Trung\stâm|Bộ|Học\sviện"
    r"|Cục|Hội|Liên\sđoàn|[ĐÐ]oàn|Mặt\strận|Công\sđoàn|Trường)(?!\w).*)$"
)
# Words between the organizer and "tổ chức" ("Ban … đã long trọng tổ chức"); stripped repeatedly.
_TRAILING_VERBS = ("đã", "vừa", "sẽ", "chính thức", "long trọng", "phối hợp")


def _organizer_in(text: str, pattern: re.Pattern[str]) -> str | None:
    for match in pattern.finditer(text):
        # A bounded window: an organizer name is short, and hostile lines must stay linear.
        prefix = text[max(0, match.start() - 200) : match.start()].rstrip()
        breaks = list(_CLAUSE_BREAK_RE.finditer(prefix))
        clause = prefix[breaks[-1].end() :] if breaks else prefix
        clause = clause.strip()
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


def _find_organizer(texts: Sequence[str]) -> str | None:
    for pattern in (_HOLD_RE, _HOLD_LOOSE_RE):
        for text in texts:
            found = _organizer_in(text, pattern)
            if found:
                return found
    return None


_COUNT_RE = re.compile(
    r"(?<![\w.,])(\d{1,2}|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\s(?:nhóm\s)?"
    r"(nhiệm\svụ|nội\sdung|vấn\sđề|việc|nhóm|giải\spháp|định\shướng|chủ\sđề|điều)(?!\w)",
    re.IGNORECASE,
)


def _stated_count(texts_nearest_first: Sequence[str]) -> tuple[int, str] | None:
    """A stated "6 nhiệm vụ" / "sáu nội dung" in the lead-in, used only to cross-check."""
    for text in texts_nearest_first:
        matches = list(_COUNT_RE.finditer(text))
        if not matches:
            continue
        match = matches[-1]
        word = match.group(1)
        value = int(word) if word.isdigit() else _ORDINALS.get(_ffold(word))
        if value is not None and value >= 2:
            return value, " ".join(match.group(0).split())
    return None


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


def parse_bulletin(text: str | bytes) -> Bulletin:
    """Parse a bulletin into title, month, published date, organizer, intro and tasks.

    Raises BulletinParseError (with ``reason`` and, when known, ``line``) when the text cannot be
    split into at least two tasks: empty or binary input, no enumerated task list, oversized input.
    Softer problems (no month label, no date, stated count ≠ parsed count) become ``warnings``.
    """
    lines = _prepare(text)
    junk = _junk_mask(lines)
    family, run = _choose_run(lines, junk)
    _require_tasks(lines, run)
    tasks, _ = _build_tasks(lines, junk, run)

    first_task = run[0].pos
    title_pos = _find_title(lines, junk, first_task)
    body_start = _header_after_title(lines, title_pos, first_task) if title_pos is not None else 0
    if title_pos is None:
        while body_start < first_task and _is_meta(lines[body_start]):
            body_start += 1
    title = lines[title_pos].text if title_pos is not None else ""
    published = _published(lines, title_pos, body_start)
    intro = _intro_lines(lines, junk, body_start, first_task)

    month, warnings = _resolve_month([title, *intro], published)
    organizer = _find_organizer([*intro, title]) or ""
    warnings += _warnings(title, published, organizer, intro, tasks, family)
    return Bulletin(
        title=title,
        month=month,
        published=published,
        organizer=organizer,
        intro="\n".join(intro),
        tasks=tasks,
        warnings=tuple(warnings),
    )


def _require_tasks(lines: Sequence[_Line], run: Sequence[_Marker]) -> None:
    if len(run) >= MIN_TASKS:
        return
    if run:
        marker = run[0]
        raise BulletinParseError(
            f"found only one task enumerator ({marker.enumerator!r}) and no second one; cannot split into tasks",
            line=lines[marker.pos].no,
        )
    stray = _first_stray_marker(lines)
    if stray is not None:
        raise BulletinParseError(
            f"no task list found: enumerator {stray.enumerator!r} is not part of a run that starts at 1",
            line=lines[stray.pos].no,
        )
    raise BulletinParseError(
        f"no task list found in {len(lines)} lines: no run of enumerators such as 'Thứ nhất,', "
        f"'Một là,', '1.', 'I.', '(1)' or '- ' bullets",
        line=lines[-1].no,
    )


def _first_stray_marker(lines: Sequence[_Line]) -> _Marker | None:
    """The first numbered enumerator in the text, to point the editor at a broken list."""
    for pos, line in enumerate(lines):
        for family in _NUMBERED_FAMILIES:
            marker = _match_marker(family, line, pos)
            if marker is not None:
                return marker
    return None


def _warnings(
    title: str,
    published: str | None,
    organizer: str,
    intro: Sequence[str],
    tasks: Sequence[Task],
    family: str,
) -> list[str]:
    warnings: list[str] = []
    if not title:
        warnings.append("no title line found before the first task")
    if published is None:
        warnings.append("no published date found near the title")
    if not organizer:
        warnings.append("no organizer found in the intro")
    stated = _stated_count([*reversed(intro), title])
    if stated is not None and stated[0] != len(tasks):
        warnings.append(f"stated count '{stated[1]}' disagrees with {len(tasks)} parsed tasks")
    if len(tasks) not in USUAL_TASKS:
        warnings.append(f"{len(tasks)} tasks parsed; bulletins usually have 3 to 10")
    if family == "dash":
        warnings.append("tasks taken from '- ' bullets (no numbered list found); check the split")
    warnings.extend(f"task {task.number} is empty" for task in tasks if not task.text.strip())
    return warnings
