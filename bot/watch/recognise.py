"""Tell a reporters' conference bulletin from the rest of a portal's news, for the watcher.

    recognise(document, title=..., summary=...) -> Recognition(verdict, bulletin, reasons)

``document`` is the article page as ``bot.ingest.load`` read it (its ``.title`` the page title);
``title`` and ``summary`` are what the listing said about it (a feed item's title and description, a
list page's anchor and sapo). The rule:

- BULLETIN: a title or lead names the conference (``names_conference``), the parser found its month in
  the text (a "tháng 10/2024" label, not just the published date) and at least two tasks, and it is
  confident (``is_low_confidence`` false, no warning that the text is cut off or a task empty, and the
  list is not introduced as the talks the conference heard).
- UNCERTAIN (offered to the admins marked so, rather than dropped):
  - a title or lead names the conference and the parser found tasks, but it is not confident or found
    no month label; and the text shows it reports one conference: a month label or an organizer
    ("Ban Tuyên giáo … tổ chức Hội nghị …"). An article *about* the conferences ("Nâng cao chất lượng
    hội nghị báo cáo viên", with its "Thứ nhất, … Thứ hai, …" of remedies) has neither, and is NOT.
    A list introduced as the talks heard ("… được nghe … ba chuyên đề:") is a report of the
    conference, for the admins to judge;
  - or nothing the listing gave names the conference, but the body's first paragraphs name it together
    with a month ("Hội nghị báo cáo viên Thành ủy tháng 4/2023") and the parse is confident.
- NOT: everything else, including a conference page whose tasks cannot be found (a photo report, a
  training course, a talk on the East Sea) and ordinary news with numbered lists ("Thứ nhất, … Thứ
  hai, …", "5 nhiệm vụ trọng tâm", a decree's articles): nothing there names the conference.

The aim, measured on a thousand portal items: no ordinary news offered (BULLETIN or UNCERTAIN), no real
bulletin missed (each BULLETIN, at worst UNCERTAIN). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.blocks import BlockKind, Document
from bot.domain.parser import is_low_confidence, parse_document
from bot.domain.records import Bulletin, BulletinParseError, ParseWarningCode
from bot.domain.textnorm import fold


class Verdict(StrEnum):
    BULLETIN = "bulletin"
    UNCERTAIN = "uncertain"
    NOT = "not"


@dataclass(frozen=True, slots=True)
class Recognition:
    """The verdict, the parsed bulletin for BULLETIN and UNCERTAIN (else None), and short English
    reasons for the log and the admins' offer ("the title names a reporters' conference", "6 tasks,
    confidence 0.93")."""

    verdict: Verdict
    bulletin: Bulletin | None
    reasons: tuple[str, ...]


# --------------------------------------------------------------------------------------------------
# names_conference
# --------------------------------------------------------------------------------------------------

# All on folded text (bot.domain.textnorm.fold: lower case, no diacritics, đ → d), spaces collapsed.
_MONTH = (
    r"(?:thang\s?(?:\d{1,2}(?!\d)|(?:gieng|chap|muoi mot|muoi hai|muoi|mot|hai|ba|tu|bon|nam|sau|bay|tam|chin)\b)"
    r"|quy\s(?:[ivx]{1,4}|[1-4])\b)"
)
_CONFERENCE = re.compile(
    r"\bhoi nghi (?:truc tuyen |dinh ky |thong tin )?(?:bao cao vien|bcv|tuyen truyen vien|tuyen truyen mieng)\b"
    r"|\bhn ?bcv\b"
)
# "Báo cáo viên … tháng 10", "Định hướng tuyên truyền tháng 5", "định hướng công tác tuyên truyền trong tháng 3".
_REPORTERS_MONTH = re.compile(r"\bbao cao vien\b(?:\s\S+){0,6}?\s" + _MONTH)
_ORIENTATION_MONTH = re.compile(
    r"\bdinh huong (?:cong tac |noi dung |thong tin )?tuyen truyen(?: mieng)?\b(?:\s\S+){0,4}?\s" + _MONTH
)
_ORAL = re.compile(r"\btuyen truyen mieng\b")
_FOLLOWED_BY_MONTH = re.compile(r"(?:\s\S+){0,10}?\s" + _MONTH)
# What the reporters are there for when it is not the monthly conference: a training course, a
# contest, an appointment, a list of members. Looked for among the eight words before the mention, in
# its own sentence ("lớp tập huấn nghiệp vụ công tác tuyên truyền miệng cho …").
_NOT_BEFORE = re.compile(
    r"\b(?:tap huan|boi duong|huan luyen|dao tao|lop|hoi thi|cuoc thi|ky thi|thi tuyen|cong nhan|bo nhiem|"
    r"danh sach|kien toan|tuyen chon|bo sung)\b"
)
_BEFORE_WORDS = 8
_CLAUSE_END = re.compile(r"[.;:!?]\s")
_NOT_AFTER = re.compile(r"^(?:\W*\w+){0,4}?\W*\bgioi\b")  # "báo cáo viên, tuyên truyền viên giỏi": a contest


def _folded(text: str) -> str:
    return " ".join(fold(text).split())


def _mentions(folded: str) -> Iterable[re.Match[str]]:
    """Each place a folded text names the conference or the month's orientation, training courses and
    contests left out."""
    for pattern in (_CONFERENCE, _REPORTERS_MONTH, _ORIENTATION_MONTH, _ORAL):
        for match in pattern.finditer(folded):
            clause = _CLAUSE_END.split(folded[: match.start()])[-1]
            before = " ".join(clause.split()[-_BEFORE_WORDS:])
            if _NOT_BEFORE.search(before) or _NOT_AFTER.search(folded[match.end() : match.end() + 60]):
                continue
            yield match


def names_conference(*texts: str) -> bool:
    """A title or lead names a reporters' conference or a monthly orientation: "Hội nghị báo cáo viên",
    "HN BCV", "báo cáo viên … tháng 10", "định hướng tuyên truyền tháng 5", "hội nghị tuyên truyền
    viên", "tuyên truyền miệng"; with or without diacritics, any case. Not a training course or
    contest for reporters ("tập huấn báo cáo viên", "hội thi báo cáo viên giỏi"), another body's
    "hội nghị tổng kết", or "báo cáo" alone."""
    return any(True for text in texts for _ in _mentions(_folded(text)))


def _names_conference_with_month(texts: Iterable[str]) -> bool:
    """Stricter, for body text (where "hội nghị báo cáo viên định kỳ hằng tháng" is routine): a
    mention followed by a month ("Hội nghị báo cáo viên Thành ủy tháng 4/2023")."""
    for text in texts:
        folded = _folded(text)
        for match in _mentions(folded):
            # Two patterns end in a month themselves; the others need one after them.
            if match.re in (_REPORTERS_MONTH, _ORIENTATION_MONTH) or _FOLLOWED_BY_MONTH.match(folded, match.end()):
                return True
    return False


# --------------------------------------------------------------------------------------------------
# recognise
# --------------------------------------------------------------------------------------------------

_BODY_PARAGRAPHS = 8
_NO_MONTH = frozenset(
    {ParseWarningCode.MONTH_FROM_PUBLISHED, ParseWarningCode.MONTH_UNKNOWN, ParseWarningCode.MONTH_WITHOUT_YEAR}
)


def recognise(document: Document, *, title: str = "", summary: str = "") -> Recognition:
    """BULLETIN, UNCERTAIN or NOT for an article page, with the parsed bulletin and the reasons (the
    rule is the module's docstring)."""
    named = _named_by(title=title, summary=summary, page_title=document.title or "")
    in_body = not named and _names_conference_with_month(_first_paragraphs(document))
    if not named and not in_body:
        return Recognition(Verdict.NOT, None, ("nothing names a reporters' conference",))
    reasons = [named or "the body's first paragraphs name a reporters' conference with its month"]
    try:
        bulletin = parse_document(document)
    except BulletinParseError as exc:
        reasons.append(f"no tasks found ({exc.code.value}: {exc.reason})")
        return Recognition(Verdict.NOT, None, tuple(reasons))
    codes = {w.code for w in bulletin.parse_warnings}
    month = bool(bulletin.month) and not codes & _NO_MONTH
    doubts = _doubts(bulletin, codes)
    reasons.append(f"{len(bulletin.tasks)} tasks, confidence {bulletin.confidence:.2f}")
    reasons.append(f"month {bulletin.month} from the text" if month else _month_reason(bulletin, codes))
    reasons.extend(doubts)
    if in_body:
        if doubts:
            return Recognition(Verdict.NOT, None, tuple(reasons))
        return Recognition(Verdict.UNCERTAIN, bulletin, (*reasons, "nothing the listing gave names it"))
    if month and not doubts:
        return Recognition(Verdict.BULLETIN, bulletin, tuple(reasons))
    if not month and not bulletin.organizer:
        reasons.append("neither a month label nor an organizer: an article about the conferences, not a report of one")
        return Recognition(Verdict.NOT, None, tuple(reasons))
    return Recognition(Verdict.UNCERTAIN, bulletin, tuple(reasons))


def _named_by(*, title: str, summary: str, page_title: str) -> str:
    """Which of the listing's title, its lead or the page's title names the conference, as a reason."""
    for text, where in ((title, "the title"), (summary, "the lead"), (page_title, "the page title")):
        if text and names_conference(text):
            return f"{where} names a reporters' conference"
    return ""


def _first_paragraphs(document: Document) -> list[str]:
    blocks = [b.text for b in document.blocks if b.kind is not BlockKind.FURNITURE and len(b.text.split()) >= 3]
    return blocks[:_BODY_PARAGRAPHS]


# The line before the list says what it lists. "… được nghe các báo cáo viên trình bày ba chuyên đề:"
# lists the talks the conference heard, not what to propagate: a report of the conference, for the
# admins to judge rather than a bulletin to send.
_TALKS = re.compile(r"\bchuyen de\b")
_HEARD = re.compile(r"\b(?:nghe|trinh bay|thong tin)\b")
_GUIDANCE = re.compile(
    r"\b(?:tuyen truyen|nhiem vu|noi dung|dinh huong|trong tam|quan triet|trien khai|tap trung|de nghi|yeu cau)\b"
)


def _lists_talks(bulletin: Bulletin) -> bool:
    lead_in = _folded(bulletin.intro.rsplit("\n", 1)[-1])
    return bool(_TALKS.search(lead_in) and _HEARD.search(lead_in) and not _GUIDANCE.search(lead_in))


def _doubts(bulletin: Bulletin, codes: set[ParseWarningCode]) -> list[str]:
    out = []
    if _lists_talks(bulletin):
        out.append("the list follows the talks the conference heard ('nghe … chuyên đề'), not what to propagate")
    if is_low_confidence(bulletin):
        out.append(f"confidence {bulletin.confidence:.2f} is low")
    if ParseWarningCode.UNFINISHED_TASK in codes:
        out.append("the last task ends mid-sentence: the text may be cut off")
    if ParseWarningCode.EMPTY_TASK in codes:
        out.append("a task is empty")
    return out


def _month_reason(bulletin: Bulletin, codes: set[ParseWarningCode]) -> str:
    if ParseWarningCode.MONTH_FROM_PUBLISHED in codes:
        return f"no month label: {bulletin.month} is only the published date"
    if ParseWarningCode.MONTH_WITHOUT_YEAR in codes:
        return "a month label without a year and no published date"
    return "no month found"
