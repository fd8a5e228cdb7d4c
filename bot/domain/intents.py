"""Understand a free-text question about the archive: which bulletin, month, task or keywords it means.

Pure and total: ``understand`` never raises and never does I/O. It reads Vietnamese with or without
diacritics (folded by ``bot.domain.textnorm.fold_query``; Telex "dd" read as "d") and English, and resolves
relative months ("tháng trước", "last month") against the ``today`` it is given.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.domain.documents import DocumentKind, DocumentRef, take_document
from bot.domain.organizers import take_organizer
from bot.domain.periods import Period, find_span, find_year, one_month, question_words
from bot.domain.shorthand import expand
from bot.domain.textnorm import VI_NUMBER_WORDS, fold, fold_query

__all__ = [
    "Bulletins", "DocumentKind", "DocumentRef", "Greeting", "Help", "History", "Intent", "Latest", "Month",
    "Period", "Search", "TaskQuery", "Unknown", "Usage", "as_question", "understand",
]  # fmt: skip

# Beyond this, a message is a pasted article rather than a question: parse only its head.
MAX_INPUT = 400
MAX_SEARCH_WORDS = 12
MAX_TASK_NUMBER = 99


@dataclass(frozen=True, slots=True)
class Latest:
    """The newest bulletin in the archive (of ``organizer``, when the question names one).

    ``organizer`` everywhere below is the organizer or level as the question wrote it, shorthand
    expanded ("tỉnh ủy yên bái", "đảng ủy khối", "trung ương"); the archive matches its folded words,
    consecutive, against each bulletin's organizer and title.
    """

    organizer: str | None = None


@dataclass(frozen=True, slots=True)
class Month:
    """The bulletin(s) of one conference month; ``year`` None = the latest such month in the archive."""

    year: int | None
    month: int
    organizer: str | None = None

    @property
    def key(self) -> str | None:
        """``YYYY-MM`` as the archive stores it, or None when the year is open."""
        return None if self.year is None else f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.month}/{self.year}" if self.year is not None else str(self.month)


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """Task ``number`` of the bulletin of ``month`` (None = of the latest bulletin)."""

    number: int
    month: Month | None = None
    organizer: str | None = None


@dataclass(frozen=True, slots=True)
class Bulletins:
    """The bulletins of a period and/or an organizer, newest first ("quý IV/2025", "năm 2024", "tỉnh ủy
    hà giang", "bcv tw năm 2023"); at least one of the two is set."""

    period: Period | None = None
    organizer: str | None = None


@dataclass(frozen=True, slots=True)
class History:
    """The list of archived conferences, one page of it (1-based)."""

    page: int = 1


@dataclass(frozen=True, slots=True)
class Search:
    """Keywords to look for in task texts, as the user wrote them (diacritics kept) or translated.

    ``period`` and ``organizer`` narrow the search ("tham nhũng năm 2023", "chuyển đổi số tháng trước");
    ``document`` is set when the question cites a document by number (``query`` then holds its words).
    ``alternative`` is the other reading of a question that could mean two things: "cách mạng tháng
    mười" is the topic first, the bulletin of October second. The archive answers the topic when it
    holds the phrase and offers the alternative with a button; otherwise it answers the alternative.
    """

    query: str
    period: Period | None = None
    organizer: str | None = None
    document: DocumentRef | None = None
    alternative: Intent | None = None


@dataclass(frozen=True, slots=True)
class Help:
    """The user asks how to use the bot."""


@dataclass(frozen=True, slots=True)
class Greeting:
    """Only a greeting ("xin chào", "chào bot", "hello"): answered with a greeting, not a search."""


UsageCommand = Literal["task", "month", "search"]
UsageProblem = Literal["missing", "unreadable", "out_of_range"]


@dataclass(frozen=True, slots=True)
class Usage:
    """A command whose argument is missing or unusable: ``/task``, ``/task abc``, ``/task 0``,
    ``/month 13/2021``, a bare ``/search``.

    ``command`` is the canonical command, ``given`` the argument as typed; for ``out_of_range``,
    ``number`` is the task or month number asked for and ``month`` the month a task was asked of.
    """

    command: UsageCommand
    given: str
    problem: UsageProblem
    number: int | None = None
    month: Month | None = None


@dataclass(frozen=True, slots=True)
class Unknown:
    """Nothing usable (empty, only punctuation or symbols)."""

    text: str


Intent = Latest | Month | TaskQuery | Bulletins | History | Search | Help | Greeting | Usage | Unknown


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202f\u2060\ufeff]")
_SPACES = re.compile(r"\s+")

# Cardinal and ordinal words, folded. "tu"/"bon" are both four; "nam" is five (and also "year",
# which is why month-with-year patterns are matched before ordinals are read).
_VI_NUMBERS = {**VI_NUMBER_WORDS, "nhat": 1}
_EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
_EN_CARDINALS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_MONTH_WORDS = {**_VI_NUMBERS, "gieng": 1, "gieng mot": 1, "chap": 12}
_MONTH_WORDS.pop("nhat")  # "tháng nhất" is not Vietnamese
_EN_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip


def _alt(words: Iterable[str]) -> str:
    # Longest first, so "muoi mot" wins over "muoi".
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_VI_NUM = _alt(_VI_NUMBERS)
_MONTH_WORD = _alt(_MONTH_WORDS)
_EN_MONTH = _alt(_EN_MONTHS)
_YEAR = r"((?:19|20)\d\d)"

# --- months -------------------------------------------------------------------------------------
# Each pattern yields (year or None, month); they are tried in order and the first hit wins.
_DATE = re.compile(rf"\b(\d{{1,2}})\s*[/.-]\s*(\d{{1,2}})\s*[/.-]\s*{_YEAR}\b")  # 15/10/2021
_ISO = re.compile(rf"\b{_YEAR}\s*[-/.]\s*(\d{{1,2}})\b")  # 2021-09
_MONTH_NUM_YEAR = re.compile(
    rf"\b(?:thang|t|th)\s*\.?\s*(\d{{1,2}})\s*(?:[/.-]|,?\s*nam|,)?\s*{_YEAR}\b"  # tháng 9/2021, T9/2021
)
# Not after "quý": "quý 9/2024" is no quarter, and not September either.
_NUM_YEAR = re.compile(rf"(?<![\d/.-])(?<!quy )(?<!quy)(\d{{1,2}})\s*[/.-]\s*{_YEAR}\b")  # 9/2021, 09-2021
_MONTH_WORD_YEAR = re.compile(rf"\bthang\s+({_MONTH_WORD})\s*(?:[/.-]|,?\s*nam|,)?\s*{_YEAR}\b")
_EN_MONTH_YEAR = re.compile(rf"\b({_EN_MONTH})\.?\s*,?\s*(?:of\s+)?{_YEAR}\b")  # October 2021
_YEAR_EN_MONTH = re.compile(rf"\b{_YEAR}\s*,?\s*({_EN_MONTH})\b")
_END_OF_YEAR = re.compile(rf"\b(?:cuoi nam|end of)\s*{_YEAR}\b")
_MONTH_NUM = re.compile(r"\b(?:thang|t)\s*\.?\s*(\d{1,2})\b(?!\s*[/.-]?\s*\d)")  # tháng 9
_MONTH_WORD_ONLY = re.compile(rf"\bthang\s+({_MONTH_WORD})\b")
# English month names alone are only read as months when nothing else is in the way ("may" is a verb).
_EN_MONTH_ONLY = re.compile(rf"\b(?:in\s+)?({_EN_MONTH})\b")
_RELATIVE = (
    (re.compile(r"\b(?:thang nay|this month|thang hien tai|current month)\b"), 0),
    (re.compile(r"\b(?:hai|2) thang (?:truoc|trc)\b|\b(?:two|2) months? ago\b"), 2),
    (re.compile(r"\b(?:ba|3) thang (?:truoc|trc)\b|\b(?:three|3) months? ago\b"), 3),
    (
        re.compile(
            r"\bthang (?:truoc|trc|vua roi|vua qua|roi)\b|\bky truoc\b|\bdot truoc\b"
            r"|\blast month\b|\bprevious month\b|\bprevious (?:bulletin|conference)\b"
        ),
        1,
    ),
)

# --- tasks --------------------------------------------------------------------------------------
_TASK_NOUN = r"(?:nhiem vu|nhiem vu trong tam|nv|y|noi dung|van de|muc|phan|viec|diem)"
_TASK_VI = re.compile(
    rf"\b{_TASK_NOUN}\s*(?:thu|so|#|no\.?)?\s*(?:(\d{{1,2}})\b|({_VI_NUM})\b)"
)  # nhiệm vụ thứ ba, nv 3, ý thứ 3, nội dung số 3
_TASK_ORDINAL = re.compile(rf"\bthu\s*(?:(\d{{1,2}})\b|({_VI_NUM})\b)")  # thứ 3, thứ ba
_TASK_EN = re.compile(r"\b(?:task|item|point|topic)s?\s*(?:no\.?|number|#)?\s*(\d{1,2})\b")
_TASK_EN_WORD = re.compile(rf"\b(?:task|item|point)\s+({_alt(_EN_CARDINALS)})\b")
_TASK_EN_ORD = re.compile(
    rf"\b(?:the\s+)?(?:({_alt(_EN_ORDINALS)})|(\d{{1,2}})(?:st|nd|rd|th))\s+(?:task|item|point)\b"
)
# "Thứ ba, 15/10/2021" is Tuesday followed by a date, not the third task.
_WEEKDAY_DATE = re.compile(r"^\s*,?\s*(?:ngay\s*)?\d{1,2}\s*[/.-]\s*\d{1,2}")

# --- whole-message intents ----------------------------------------------------------------------
_LATEST = re.compile(
    r"\b(?:moi nhat|gan nhat|gan day nhat|moi ra|vua ra|ky nay|dot nay|dot moi|ky moi|lan nay"
    r"|co gi moi|gi moi|tin moi|ban tin moi|hoi nghi moi|thong bao moi|moi$"
    r"|latest|newest|most recent|recent|current|what'?s new|anything new|new bulletin|new conference)\b"
)
_HISTORY = re.compile(
    r"^(?:xem\s+)?(?:cac hoi nghi|cac ban tin|cac ky|lich su|danh sach|tat ca|luu tru|kho|archive"
    r"|history|list|all bulletins|all conferences|past bulletins|past conferences)\b"
)
_PAGE = re.compile(r"\b(?:trang|page|p)\s*(\d{1,3})\b")
_HELP = re.compile(
    r"^(?:help|tro giup|huong dan|giup|giup do|giup toi|can giup|how to use|how does this work"
    r"|lam sao|dung the nao|su dung the nao|bot lam duoc gi|\?+)$"
)

# Words that carry no meaning of their own in a question; stripped from the ends of a search query
# and ignored when deciding whether a "latest"/"history" message says anything more.
_LEAD_FILLERS = (
    "bot oi", "ban oi", "cho toi xem", "cho toi biet", "cho minh xem", "cho minh", "cho toi", "cho xem",
    "xin", "vui long", "hay", "tim kiem", "tim", "tra cuu", "xem", "gui lai", "gui", "doc", "hoi",
    "co", "nhung", "cac", "mot so", "tat ca", "nhiem vu", "noi dung", "ban tin", "hoi nghi bao cao vien",
    "hoi nghi", "thong tin", "lien quan den", "lien quan", "ve viec", "ve", "den", "toi", "trong",
    "please", "search for", "search", "find", "show me", "show", "give me", "tell me", "look for",
    "look up", "any", "anything", "something", "tasks", "task", "bulletins", "bulletin", "conference",
    "what", "about", "on", "regarding", "related to", "the", "a", "an", "with", "mentioning", "for",
    "is there", "are there", "co gi", "nao", "la", "gi",
)  # fmt: skip
_TRAIL_FILLERS = (
    "khong", "ko", "k", "a", "nhe", "nhi", "di", "voi", "nao", "vay", "the", "please", "pls", "nhat",
    "gi", "co", "duoc", "ha", "ah", "oi", "bot", "cua", "trong", "ve", "of", "by", "from",
)  # fmt: skip
_EXTRA_STOP = ("moi", "bao cao vien", "new", "hnbcv", "bcv", "tw", "thang")
_STOP_WORDS = frozenset(" ".join((*_LEAD_FILLERS, *_TRAIL_FILLERS, *_EXTRA_STOP)).split())
# A few English topics, translated to the Vietnamese the archive is written in.
_TRANSLATIONS = {
    "anti corruption": "phòng, chống tham nhũng",
    "corruption": "tham nhũng",
    "digital transformation": "chuyển đổi số",
    "digitalisation": "chuyển đổi số",
    "digitalization": "chuyển đổi số",
    "foreign affairs": "đối ngoại",
    "foreign relations": "đối ngoại",
    "diplomacy": "đối ngoại",
    "covid 19": "Covid-19",
    "covid": "Covid",
    "pandemic": "dịch bệnh",
    "seas and islands": "biển đảo",
    "sea and islands": "biển đảo",
    "sea islands": "biển đảo",
    "islands": "biển đảo",
    "elections": "bầu cử",
    "election": "bầu cử",
    "natural disasters": "thiên tai",
    "disasters": "thiên tai",
    "party congress": "đại hội Đảng",
    "congress": "đại hội",
    "national assembly": "Quốc hội",
    "law": "pháp luật",
    "economy": "kinh tế",
    "anniversaries": "kỷ niệm",
    "anniversary": "kỷ niệm",
    "border": "biên giới",
}
_TRANSLATION_RE = re.compile(rf"\b({_alt(_TRANSLATIONS)})\b")
_COMMAND = re.compile(r"^/(\w+)(?:@\w+)?\s*(.*)$", re.DOTALL)
# The whole message is a greeting, perhaps to someone ("chào bot", "xin chào mọi người", "hi there").
_GREETING = re.compile(
    r"^(?:(?:xin |kinh )?chao|alo|a lo|hi|hello|helo|hey|hallo|good (?:morning|afternoon|evening|day))"
    r"(?: (?:bot|ban|anh|chi|em|ad|admin|moi nguoi|ca nha|ca nhom|nhom|buoi sang|buoi trua|buoi chieu"
    r"|buoi toi|nhe|nha|a|oi|there|everyone|all|you))*$"
)
# A number where a month was expected, maybe with a year: "13/2021", "2021-13", "0", "tháng 13".
_MONTH_NUMBER = re.compile(r"^(?:(?:thang|t)\s*)?(\d{1,3})(?:\s*[/.-]\s*(?:19|20)\d\d)?$")
_ISO_MONTH_NUMBER = re.compile(r"^(?:19|20)\d\d\s*[/.-]\s*(\d{1,3})$")
# Digits in a command argument: at most this many are read (a task number has two at most).
_MAX_DIGITS = 6
_WORDY = re.compile(r"[^\W_]", re.UNICODE)


def understand(text: str, today: dt.date) -> Intent:
    """What the user wants. Never raises: anything unusable becomes ``Unknown``."""
    try:
        return _understand(text, today)
    except Exception:  # pragma: no cover - a safety net; every branch below is total by design
        return Unknown(text[:MAX_INPUT] if isinstance(text, str) else "")


def as_question(intent: Intent) -> str:
    """A short question that ``understand`` reads back as ``intent`` (for buttons: a page of results,
    the other reading of an ambiguous question). Buttons carry at most 64 bytes, so it is as short as
    the intent allows; ``understand(as_question(i), today) == i`` for the intents ``understand`` makes
    (relative periods are written as the absolute ones they were read as).
    """
    match intent:
        case Latest(organizer=organizer):
            return "/latest" if organizer is None else f"{organizer} mới nhất"
        case Month(year=year, month=month, organizer=organizer):
            words = f"tháng {month}/{year}" if year is not None else f"tháng {month}"
            return words if organizer is None else f"{organizer} {words}"
        case TaskQuery(number=number, month=month, organizer=organizer):
            words = f"nhiệm vụ {number}"
            if month is not None:
                words += f" tháng {month.month}/{month.year}" if month.year is not None else f" tháng {month.month}"
            return words if organizer is None else f"{words} của {organizer}"
        case Bulletins(period=period, organizer=organizer):
            return " ".join(w for w in (period and question_words(period), organizer) if w)
        case History(page=page):
            return "/history" if page == 1 else f"/history {page}"
        case Search(query=query, period=None, organizer=None, document=None, alternative=None):
            return f"/search {query}"
        case Search(query=query, period=period, organizer=organizer):
            return " ".join(w for w in (query, period and question_words(period), organizer) if w)
        case Help():
            return "/help"
        case Greeting():
            return "xin chào"
        case Usage(command=command, given=given):
            return f"/{command} {given}".strip()
        case Unknown(text=text):
            return text
    return ""  # pragma: no cover - the match is exhaustive


def _clean(text: str) -> str:
    """NFC, no control or zero-width characters, single spaces, bounded length."""
    text = unicodedata.normalize("NFC", text[: MAX_INPUT * 4])
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()[:MAX_INPUT]


def _understand(text: str, today: dt.date) -> Intent:
    original = _clean(text)
    if re.fullmatch(r"\?+", original):
        return Help()
    if not _WORDY.search(original):
        return Unknown(original)
    command = _COMMAND.match(original)
    if command:
        return _command(fold_query(command.group(1)), command.group(2), today)
    return _question(original, today)


# "Thứ Ba, 15/10/2021": a weekday before a date says nothing more than the date.
_WEEKDAY = re.compile(r"\b(?:thu (?:hai|ba|tu|nam|sau|bay)|chu nhat)\b")
_NOT_PATTERN_TEXT = re.compile(r"[^\w/.\-#'? ]")
_TELEX = re.compile(r"\b[dD][dD](?=[a-zA-Z])")


def _question(original: str, today: dt.date) -> Intent:
    """A free-text question: the document it cites and the organizer it names are taken out first
    (documents before shorthand is written out, so "57-NQ/TW" keeps its issuer), then the rest is read
    for periods, tasks, months and keywords."""
    document, rest = take_document(original)
    organizer, rest = take_organizer(expand(rest))
    # Punctuation other than date/number separators only gets in the way of the patterns below. The
    # rest keeps its case and marks (keywords are searched as typed); ``simple`` is its fold, with the
    # same length, so a span read in one is cut from both.
    rest = _SPACES.sub(" ", _NOT_PATTERN_TEXT.sub(" ", _TELEX.sub(lambda m: m.group()[0], rest))).strip(" .?")
    simple = fold(rest)
    if len(simple) != len(rest):  # pragma: no cover - fold keeps the length of NFC text
        simple = rest = fold_query(rest)
    return _free_text(rest, simple, today, organizer, document)


def _cut(rest: str, simple: str, span: tuple[int, int]) -> tuple[str, str]:
    """Both texts without ``span``, spaces tidied the same way, so they keep the same length."""
    start, end = span
    head_rest, head_simple = rest[:start].rstrip(), simple[:start].rstrip()
    tail_rest, tail_simple = rest[end:].lstrip(), simple[end:].lstrip()
    joiner = " " if head_rest and tail_rest else ""
    return head_rest + joiner + tail_rest, head_simple + joiner + tail_simple


def _command(name: str, rest: str, today: dt.date) -> Intent:
    """``/latest``, ``/task 3 10/2021``, ``/month 9/2021``, ``/search words``, ``/history 2``, ``/help``.

    A command with a missing or unusable argument becomes ``Usage``, so its answer can say what to type.
    """
    args = fold_query(rest).strip()
    given = " ".join(rest.split())
    if name in {"latest", "moinhat", "new", "last"}:
        return Latest()
    if name in {"history", "lichsu", "list", "danhsach", "archive"}:
        page = re.search(r"\d{1,3}", args)
        return History(max(1, int(page.group())) if page else 1)
    if name in {"help", "trogiup", "huongdan"}:
        return Help()
    if name in {"task", "nhiemvu", "nv"}:
        return _task_command(args, given, today)
    if name in {"month", "thang"}:
        return _month_command(args, given, today)
    if name in {"search", "timkiem", "tim", "find"}:
        found = _search(rest) if _WORDY.search(rest) else None
        return found if isinstance(found, Search) else Usage("search", given, "missing")
    return _question(_clean(rest), today) if _WORDY.search(rest) else Unknown(rest)


def _task_command(args: str, given: str, today: dt.date) -> Intent:
    """``/task 3``, ``/task 3 10/2021``, ``/task ba``, ``/task third``; else what was wrong with it."""
    simple = args.strip(" .?")
    if not simple:
        return Usage("task", given, "missing")
    number = re.match(r"#?(\d+)\b", simple)
    if number is not None:
        if _followed_by_year(simple, number.end(), False):
            # "/task 10/2021": a month without a task number; its bulletin lists the tasks to pick.
            month = _find_month(simple, today)
            return month if month is not None else Usage("task", given, "unreadable")
        n = int(number.group(1)[:_MAX_DIGITS])
        month = _find_month(simple[number.end() :], today)
        if not 1 <= n <= MAX_TASK_NUMBER:
            return Usage("task", given, "out_of_range", number=n, month=month)
        return TaskQuery(n, month)
    found = _find_task(simple)
    if found is not None:
        return TaskQuery(found[0], _find_month(_remove(simple, found[1]), today))
    word = re.match(rf"(?:thu\s+)?({_VI_NUM}|{_alt(_EN_CARDINALS)}|{_alt(_EN_ORDINALS)})\b", simple)
    if word is not None:
        value = {**_VI_NUMBERS, **_EN_CARDINALS, **_EN_ORDINALS}[word.group(1)]
        return TaskQuery(value, _find_month(simple[word.end() :], today))
    return Usage("task", given, "unreadable")


def _month_command(args: str, given: str, today: dt.date) -> Intent:
    """``/month 10/2021``, ``/month 10``, ``/month tháng trước``; else what was wrong with it."""
    simple = args.strip(" .?")
    if not simple:
        return Usage("month", given, "missing")
    month = _find_month(simple, today) or _find_month(f"thang {simple}", today)
    if month is not None:
        return month
    number = _MONTH_NUMBER.match(simple) or _ISO_MONTH_NUMBER.match(simple)
    if number is not None:
        return Usage("month", given, "out_of_range", number=int(number.group(1)))
    return Usage("month", given, "unreadable")


def _free_text(
    rest: str, simple: str, today: dt.date, organizer: str | None = None, document: DocumentRef | None = None
) -> Intent:
    """What ``rest`` (``simple`` its fold) asks, within ``organizer`` and about ``document`` if given.

    The order decides what wins: a period span ("quý IV/2025"), a task, a month, a year, then history,
    latest, and keywords. A month without a year that follows content words ("cách mạng tháng mười")
    is a topic first: a Search with the month as its ``alternative``.
    """
    plain = organizer is None and document is None
    if plain and _HELP.match(simple):
        return Help()
    if plain and _GREETING.match(simple):
        return Greeting()
    if plain and re.fullmatch(r"#?\d{1,2}", simple):  # a bare "3" after seeing a bulletin
        n = int(simple.lstrip("#"))
        return TaskQuery(n) if 1 <= n <= MAX_TASK_NUMBER else Unknown(rest)
    period: Period | None = None
    if (span := find_span(simple, today)) is not None:
        period, (rest, simple) = span[0], _cut(rest, simple, span[1])
    task = _find_task(simple) if document is None else None
    if task is not None:
        return TaskQuery(task[0], _find_month(_remove(simple, task[1]), today), organizer)
    if period is None and (month_span := _month_span(simple, today)) is not None:
        month, where = month_span
        cut_rest, cut_simple = _cut(rest, simple, where)
        if document is None and not _content_words(_WEEKDAY.sub(" ", cut_simple)):
            return Month(month.year, month.month, organizer)
        if month.year is not None:
            period, rest, simple = one_month(month.year, month.month), cut_rest, cut_simple
        elif document is None:
            # A month without a year beside other words: the topic as written first ("Cách mạng
            # Tháng Mười"), the month as the other reading.
            # Words after the month too ("Tháng Mười Nga") leave no month reading at all.
            topic = _search(rest)
            if isinstance(topic, Search):
                inside = bool(_content_words(simple[where[1] :]))
                other = None if inside else Month(None, month.month, organizer)
                return Search(topic.query, organizer=organizer, alternative=other)
    if period is None and (year := find_year(simple)) is not None:
        period, (rest, simple) = year[0], _cut(rest, simple, year[1])
    if document is not None:
        return Search(document.label, period=period, organizer=organizer, document=document)
    if plain and period is None:
        history = _HISTORY.match(simple)
        if history is not None:
            left = _remove(simple, history.span())
            page = _PAGE.search(left)
            if page is not None:
                left = _remove(left, page.span())
            if not _content_words(left):
                return History(max(1, int(page.group(1))) if page else 1)
    latest = _LATEST.search(simple)
    if latest is not None and not _content_words(_remove(simple, latest.span())):
        return Latest(organizer) if period is None else Bulletins(period, organizer)
    if not _content_words(simple):
        if period is not None or organizer is not None:
            return Bulletins(period, organizer)
        # "hội nghị", "bản tin": nothing but the subject itself, so the newest one is the answer.
        if re.search(r"\b(?:hoi nghi|ban tin|bulletin|conference|hnbcv|bcv)\b", simple):
            return Latest()
        if re.search(r"\b(?:bot|start|hi|hello|xin chao|chao)\b", simple):
            return Help()
    found = _search(rest)
    if period is None and organizer is None:
        return found
    if isinstance(found, Search):
        return Search(found.query, period=period, organizer=organizer)
    return Bulletins(period, organizer)


def _remove(text: str, span: tuple[int, int]) -> str:
    return _SPACES.sub(" ", f"{text[: span[0]]} {text[span[1] :]}").strip()


def _content_words(simple: str) -> list[str]:
    return [w for w in re.findall(r"[^\W_]+", simple) if w not in _STOP_WORDS]


def _number(digits: str | None, word: str | None, table: dict[str, int]) -> int | None:
    value = int(digits) if digits else table.get(word or "")
    return value if value is not None and 1 <= value <= MAX_TASK_NUMBER else None


def _find_task(simple: str) -> tuple[int, tuple[int, int]] | None:
    """(task number, span of the words that said so), or None."""
    for pattern in (_TASK_VI, _TASK_EN):
        for m in pattern.finditer(simple):
            groups = m.groups()
            n = _number(groups[0], groups[1] if len(groups) > 1 else None, _VI_NUMBERS)
            if n is not None and not _followed_by_year(simple, m.end(), groups[-1] == "nam"):
                return n, m.span()
    for m in _TASK_EN_WORD.finditer(simple):
        return _EN_CARDINALS[m.group(1)], m.span()
    for m in _TASK_EN_ORD.finditer(simple):
        n = _number(m.group(2), m.group(1), _EN_ORDINALS)
        if n is not None:
            return n, m.span()
    for m in _TASK_ORDINAL.finditer(simple):
        if _WEEKDAY_DATE.match(simple[m.end() :]) or _followed_by_year(simple, m.end(), m.group(2) == "nam"):
            continue
        if simple[m.end() :].lstrip().startswith(("truong", "tu ")) and not m.group(1):
            continue  # "thứ trưởng" (deputy minister)
        n = _number(m.group(1), m.group(2), _VI_NUMBERS)
        if n is not None:
            return n, m.span()
    return None


def _followed_by_year(simple: str, end: int, word_is_year: bool) -> bool:
    # "nhiệm vụ 10/2021" is not task 10; in "nhiệm vụ năm 2021" "năm" is "year", not "five".
    separator = r"\s*(?:[/.-]\s*)?" if word_is_year else r"\s*[/.-]\s*"
    return re.match(rf"{separator}(?:\d{{1,2}}\s*[/.-]\s*)?{_YEAR}", simple[end:]) is not None


def _month_ok(year: int | None, month: int) -> Month | None:
    return Month(year, month) if 1 <= month <= 12 else None


def _find_month(simple: str, today: dt.date) -> Month | None:
    """The month a message names, explicitly or relative to ``today``; None if it names none."""
    found = _month_span(simple, today)
    return None if found is None else found[0]


def _month_span(simple: str, today: dt.date) -> tuple[Month, tuple[int, int]] | None:
    """The month a message names and where; the first pattern that matches wins."""
    for pattern, back in _RELATIVE:
        if m := pattern.search(simple):
            index = today.year * 12 + today.month - 1 - back
            return Month(index // 12, index % 12 + 1), m.span()
    found: Month | None = None
    if m := _DATE.search(simple):
        found = _month_ok(int(m.group(3)), int(m.group(2)))
    elif m := _MONTH_NUM_YEAR.search(simple):
        found = _month_ok(int(m.group(2)), int(m.group(1)))
    elif m := _MONTH_WORD_YEAR.search(simple):
        found = _month_ok(int(m.group(2)), _MONTH_WORDS[m.group(1)])
    elif m := _ISO.search(simple):
        found = _month_ok(int(m.group(1)), int(m.group(2)))
    elif m := _NUM_YEAR.search(simple):
        found = _month_ok(int(m.group(2)), int(m.group(1)))
    elif m := _EN_MONTH_YEAR.search(simple):
        found = Month(int(m.group(2)), _EN_MONTHS[m.group(1)])
    elif m := _YEAR_EN_MONTH.search(simple):
        found = Month(int(m.group(1)), _EN_MONTHS[m.group(2)])
    elif m := _END_OF_YEAR.search(simple):
        found = Month(int(m.group(1)), 12)
    elif m := _MONTH_NUM.search(simple):
        found = _month_ok(None, int(m.group(1)))
    elif m := _MONTH_WORD_ONLY.search(simple):
        found = _month_ok(None, _MONTH_WORDS[m.group(1)])
    else:
        m = _EN_MONTH_ONLY.search(simple)
        if m and not _content_words(_remove(simple, m.span())) and (m.group(1) != "may" or m.group(0)[:2] == "in"):
            found = Month(None, _EN_MONTHS[m.group(1)])
    return None if found is None or m is None else (found, m.span())


def _search(original: str) -> Intent:
    """Keywords: fillers stripped from both ends, English topics translated, diacritics kept."""
    words = re.findall(r"[^\W_]+(?:[-'][^\W_]+)*", original)[: MAX_SEARCH_WORDS * 3]
    folded = [fold_query(w) for w in words]
    start, end = 0, len(words)
    changed = True
    while changed and start < end:
        changed = False
        for filler in sorted(_LEAD_FILLERS, key=len, reverse=True):
            parts = filler.split()
            if folded[start : start + len(parts)] == parts and start + len(parts) <= end:
                start += len(parts)
                changed = True
                break
        while start < end and folded[end - 1] in _TRAIL_FILLERS:
            end -= 1
            changed = True
    if start >= end:
        return Unknown(original)
    kept_words, kept_folded = words[start:end], " ".join(folded[start:end])
    query = " ".join(kept_words)
    if _TRANSLATION_RE.search(kept_folded) and all(ord(c) < 128 for c in query):
        # English keywords: swap the known topics for the Vietnamese the bulletins use.
        plain = kept_folded.replace("-", " ")
        translated = _TRANSLATION_RE.sub(lambda m: _TRANSLATIONS[m.group(1)], plain)
        if fold_query(translated).replace(",", "") != plain:
            query = translated
    return Search(" ".join(query.split()[:MAX_SEARCH_WORDS]))
