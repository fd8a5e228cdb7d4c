"""What is never task text, and where an article ends.

Captions ("Ảnh:", a line printed twice), related-news blocks ("Tin liên quan" and the links under it)
and page furniture are masked wherever they are (``junk_mask``). Footers, share and comment widgets,
tags, hashtags, the "Nơi nhận:" block of an official document, bylines and ALL-CAPS agency lines end
the article (``ends_article``); a paragraph that reports on the conference instead of directing
("Hội nghị cũng đã…", "Phát biểu kết luận, …") ends a list of tasks (``reports``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.domain.parser.units import Unit

# Folded openings of a directive paragraph.
DIRECTIVES = (
    "tuyen truyen",
    "tiep tuc",
    "tap trung",
    "day manh",
    "day nhanh",
    "chu dong",
    "tang cuong",
    "lam tot",
    "nang cao",
    "quan triet",
    "trien khai",
    "phat huy",
    "kip thoi",
    "doi moi",
    "bam sat",
    "thong tin",
    "phan bac",
    "dau tranh",
    "theo doi",
    "nam bat",
    "chuan bi",
    "phoi hop",
    "can ",
    "cac cap",
    "de nghi",
    "yeu cau",
    "huong dan",
    "to chuc",
    "thuc hien",
    "gioi thieu",
    "lan toa",
    "cung co",
    "xay dung",
    "bao ve",
    "uu tien",
    "coi trong",
    "chu trong",
    "quan tam",
    "pho bien",
    "ky niem",
    "ra soat",
    "kien quyet",
    "thuong xuyen",
    "ve ",
)

# A byline or caption is short; a continuation paragraph is longer or ends like a sentence.
BYLINE_MAX_WORDS = 10

# "Ảnh: …" opens the line or follows a sentence, a bracket, a semicolon, a dash or a bar ("… hội nghị.
# Ảnh: PV", "hội nghị.Ảnh: PV", "(Ảnh: TTXVN)", "…;Ảnh: …", "Tin, ảnh: …"); "quảng bá hình ảnh: con
# người, …" inside a task is no caption. A semicolon counts because a task is split at semicolons, and
# the piece after one would then open with the caption.
_CAPTION_RE = re.compile(r"(?:^|[(\[|;.!?…]\s?|[,–—\-]\s)ảnh\s?:|ảnh minh họa|ảnh minh hoạ", re.IGNORECASE)
_FINAL_PUNCT = frozenset(".!?;:…")
CLOSERS = "\"'”’»)]*"

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
    "cac tin da dua",
    "van ban lien quan",
    "tai lieu lien quan",
    "tin moi",
    "tin noi bat",
    "tin xem nhieu",
    "doc nhieu",
)
_LINK_BULLET = frozenset("»•-–—*+·>▪■►")
_LINK_DATE_RE = re.compile(r"\(\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?\)$")
# Any enumerator at the start of a line (a link list stops at the next task's heading, "III. …").
_ENUM_START_RE = re.compile(
    r"(?:thứ\s\w+\s?(?:là\s?)?[,:;.]|\w+\slà\s?[,:]|(?:[IVX]{1,4}|\d{1,2}|[a-zđ])[.)/]\s|\d{1,2}[-–]\s|\(\d{1,2}\)|\d\ufe0f?\u20e3)",
    re.IGNORECASE,
)

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
    "tag:",
    "powered by",
    "xem co chu",
    "chia se bai viet",
    "chia se:",
    "noi nhan",
    "van ban lien quan:",
    "tai lieu lien quan:",
    "#",
)
_FOOTER_EXACT = frozenset({"lien he", "chia se", "in", "top", "print", "nguon"})


def ends_sentence(text: str) -> bool:
    stripped = text.rstrip(CLOSERS + " ")
    return bool(stripped) and stripped[-1] in _FINAL_PUNCT


def is_caption(unit: Unit) -> bool:
    return _CAPTION_RE.search(unit.text) is not None


def is_all_caps(unit: Unit) -> bool:
    return unit.text == unit.text.upper() and unit.text != unit.text.lower() and unit.words >= 2


def is_related_head(unit: Unit) -> bool:
    return unit.words <= 6 and unit.folded.lstrip("»•-*# ").startswith(_RELATED_HEADS)


def is_recipients_head(unit: Unit) -> bool:
    """ "Nơi nhận:" (alone, or with the first recipient after it) of an official document."""
    return unit.words <= 12 and unit.folded.startswith("noi nhan")


def is_footer(unit: Unit) -> bool:
    folded = unit.folded
    return folded.startswith(_FOOTER_HEADS) or folded.rstrip(" :") in _FOOTER_EXACT


def looks_enumerated(unit: Unit) -> bool:
    return bool(unit.label) or _ENUM_START_RE.match(unit.text) is not None


def _is_link_like(unit: Unit, first: Unit | None) -> bool:
    """A link title of a related-news list; ``first`` is the list's first link, if any yet.

    One list keeps one form: after "» title (date)" links, a line without "»" (the article's own
    headline, a "- " task ending in a full stop) ends the list.
    """
    text = unit.text
    dated = _LINK_DATE_RE.search(text) is not None
    bullet = text[0] in _LINK_BULLET
    if first is not None and first.text[0] in _LINK_BULLET:
        return text[0] == first.text[0] and (dated or not ends_sentence(text))
    if first is not None and _LINK_DATE_RE.search(first.text) is not None:
        return dated
    if dated:
        return True
    if bullet:
        return not ends_sentence(text)
    # A short unpunctuated line is a link title, unless it is the next task's heading ("III. …").
    return unit.words <= 25 and not ends_sentence(text) and not looks_enumerated(unit)


# "Lữ Nhiên Hương - Đảng ủy Khối CCQ và DN tỉnh": a name, a dash, where the writer works.
CREDIT_MAX_WORDS = 16


def _name_then_agency(text: str) -> bool:
    for dash in (" - ", " – ", " — "):
        if dash in text:
            name = text.split(dash, 1)[0].split()
            return 2 <= len(name) <= 4 and all(word[:1].isupper() for word in name)
    return False


def is_byline(unit: Unit) -> bool:
    if ends_sentence(unit.text):
        return False
    return unit.words < BYLINE_MAX_WORDS or (unit.words <= CREDIT_MAX_WORDS and _name_then_agency(unit.text))


def is_nav(unit: Unit) -> bool:
    """Breadcrumbs and menus: "Trang chủ > Chính trị", "A- A A+ | In bài | Chia sẻ"."""
    text = unit.text
    return " | " in text or "»" in text or " > " in text or " / " in text or unit.folded.startswith("trang chu")


_CREDIT_RE = re.compile(r"\(?(?:ảnh|nguồn ảnh|video)\s?:", re.IGNORECASE)
# A caption above a photo credit ("Quang cảnh hội nghị." / "Ảnh: PV") is a line, not a paragraph.
CAPTION_MAX_WORDS = 25


def is_credit(unit: Unit) -> bool:
    """A photo credit on its own line: "Ảnh: Thu Trang", "(Ảnh: PV)"."""
    return unit.words <= 8 and _CREDIT_RE.match(unit.text) is not None


# A page number left by a PDF copy: "1", "- 2 -", "Trang 2", "Trang 1/2", "2/3".
_PAGE_NUMBER_RE = re.compile(r"(?:trang\s?)?[-–—]?\s?\d{1,3}(?:\s?/\s?\d{1,3})?\s?[-–—]?")


def is_page_number(unit: Unit) -> bool:
    last = unit.folded[-1:]
    return unit.words <= 4 and (last.isdigit() or last in "-–—") and _PAGE_NUMBER_RE.fullmatch(unit.folded) is not None


def junk_mask(units: Sequence[Unit]) -> list[bool]:
    """True for units that never belong to a task: captions, duplicated lines, related-news blocks,
    furniture and page numbers."""
    junk = [unit.furniture or is_page_number(unit) for unit in units]
    for i, unit in enumerate(units):
        if is_caption(unit):
            junk[i] = True
            # The caption line above its credit line (a page footer may sit between them).
            j = i - 1
            while j >= 0 and units[j].furniture:
                j -= 1
            before = units[j] if j >= 0 else None
            if (
                before is not None
                and is_credit(unit)
                and before.words <= CAPTION_MAX_WORDS
                and not looks_enumerated(before)
                and not before.folded.startswith(DIRECTIVES)  # a task above a photo's credit
            ):
                junk[j] = True
        # A caption printed twice ("… kết luận hội nghị." / same again): drop both copies.
        if unit.furniture:
            continue
        k = i + 1
        while k < len(units) and units[k].furniture:
            k += 1
        if k < len(units) and unit.text == units[k].text:
            junk[i] = junk[k] = True
    # An official document's "Nơi nhận:" (distribution list: "- Như trên, - Lưu VP.") and the signature
    # under it close the document: nothing after it is a task, not even its "- " lines.
    closing = next((i for i, unit in enumerate(units) if is_recipients_head(unit)), None)
    if closing is not None:
        for i in range(closing, len(units)):
            junk[i] = True
    i = 0
    while i < len(units):
        if is_related_head(units[i]):
            junk[i] = True
            i += 1
            first: Unit | None = None
            while i < len(units) and (
                units[i].furniture or (_is_link_like(units[i], first) and not is_footer(units[i]))
            ):
                if not units[i].furniture:  # a page break inside the list
                    first = first or units[i]
                junk[i] = True
                i += 1
        else:
            i += 1
    return junk


_SUB_ITEM_RE = re.compile(r"(?:[-–—•+*]\s|[a-zđ][.)/]\s|\d{1,2}[.)/\-–]\s|\d{1,2}\.\d{1,2}\.?\s|\(\w{1,2}\)\s?)")

# Folded openings of a paragraph that reports on the conference rather than saying what to do. Each
# needs a word a directive does not start with ("cũng", "đã", "tại", "phát biểu"…).
_REPORT_RE = re.compile(
    r"(?:hoi nghi (?:cung|da|duoc|ket thuc|dien ra|thong nhat|danh gia|nghe|la dip|nham|co su|co su tham du)"
    r"|duoc biet,|theo ke hoach,|ket thuc,"
    r"|(?:cung )?tai (?:hoi nghi|buoi|day|dip|diem cau)"
    r"|(?:nhan )?dip nay|truoc do,|cung ngay|chieu cung ngay|sau do,|ket thuc hoi nghi|be mac hoi nghi"
    r"|phat bieu (?:ket luan|be mac|chi dao|tai|khai mac)|ket luan hoi nghi|trong khuon kho hoi nghi"
    r"|dong chi [^,.;:]{0,60}(?:phat bieu|cho biet|ket luan|nhan manh|khang dinh)"
    r"|(?:cac )?dai bieu (?:da|cung|duoc)|bao cao vien [^,.;:]{0,40}(?:da|cung) "
    r"|(?:tham )?du hoi nghi (?:co|con co|tai|tren)|cung du hoi nghi|tham du hoi nghi)"
)


def reports(unit: Unit) -> bool:
    """The paragraph tells what happened at the conference ("Hội nghị cũng đã nghe…"), not a task."""
    return _REPORT_RE.match(unit.folded) is not None


def is_sub_item(unit: Unit) -> bool:
    return bool(unit.label) or _SUB_ITEM_RE.match(unit.text) is not None


def ends_article(unit: Unit, next_unit: Unit | None) -> bool:
    """True for the first unit after the last task that cannot continue it."""
    if unit.furniture:
        return False  # a page footer inside a task: masked, the task goes on
    if is_footer(unit) or is_related_head(unit) or is_caption(unit):
        return True
    if next_unit is not None and next_unit.text == unit.text:
        return True
    if is_sub_item(unit):
        return False  # "- …", "+ …", "a) …": sub-points of the last task
    return is_all_caps(unit) or is_byline(unit) or reports(unit)


# No task runs over more paragraphs than this (a bulletin has a few dozen); the bound also keeps the
# chooser linear when it asks where many candidate runs would end.
MAX_TASK_UNITS = 300


def last_task_end(units: Sequence[Unit], start: int, limit: int | None = None) -> int:
    """Index one past the last unit of the last task, which starts at ``start`` (at most ``limit``)."""
    stop = min(len(units) if limit is None else limit, len(units), start + 1 + MAX_TASK_UNITS)
    for i in range(start + 1, stop):
        if ends_article(units[i], units[i + 1] if i + 1 < len(units) else None):
            return i
    return stop
