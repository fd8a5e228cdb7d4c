"""Plain domain types shared by the parser, the store and the services (no Telegram, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Task:
    """One task of a bulletin: its 1-based number, the enumerator removed from it, and its text."""

    number: int
    text: str
    enumerator: str = ""


@dataclass(frozen=True, slots=True)
class Bulletin:
    """A parsed bulletin.

    ``month`` is ``YYYY-MM`` of the conference label (not the date it was held);
    ``published`` is ``YYYY-MM-DD`` of the article's own date line, or ``None``.
    ``warnings`` are English one-liners; ``parse_warnings`` are the same warnings, typed, for texts in
    other languages (``bot.texts.parsing``). ``method`` names the rule that found the tasks
    (``bot.domain.parser.METHODS``), ``confidence`` (0-1) how sure the parser is of the split, and
    ``stated_count`` the number of tasks the text announces ("sáu nội dung"), if it does.
    """

    title: str
    month: str
    published: str | None
    organizer: str
    intro: str
    tasks: tuple[Task, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    method: str = ""
    confidence: float = 1.0
    stated_count: int | None = None
    parse_warnings: tuple[ParseWarning, ...] = field(default_factory=tuple)


class ParseErrorCode(StrEnum):
    """Why a text was refused; ``bot.texts.parsing`` has the Vietnamese and English text for each."""

    NOT_TEXT = "not_text"  # neither str nor bytes
    TOO_LARGE = "too_large"  # over the input or text size cap
    NOT_UTF8 = "not_utf8"
    EMPTY = "empty"
    BINARY = "binary"
    ONE_TASK = "one_task"  # one enumerator and no second one
    BROKEN_LIST = "broken_list"  # enumerators that do not start at 1
    NO_TASKS = "no_tasks"  # nothing that splits into two or more tasks
    NOT_A_BULLETIN = "not_a_bulletin"  # no conference month and fewer than two candidate tasks
    NO_MONTH = "no_month"  # parsed, but no conference month to file it under
    OTHER = "other"


class ParseWarningCode(StrEnum):
    """A softer problem with a parsed bulletin; ``bot.texts.parsing`` has the texts."""

    NO_TITLE = "no_title"
    NO_PUBLISHED = "no_published"
    NO_ORGANIZER = "no_organizer"
    MONTH_FROM_PUBLISHED = "month_from_published"
    MONTH_UNKNOWN = "month_unknown"
    MONTH_WITHOUT_YEAR = "month_without_year"
    COUNT_MISMATCH = "count_mismatch"
    UNUSUAL_COUNT = "unusual_count"
    UNNUMBERED = "unnumbered"  # tasks taken from bullets
    NO_ENUMERATOR = "no_enumerator"  # tasks taken from paragraphs or clauses
    EMPTY_TASK = "empty_task"
    UNFINISHED_TASK = "unfinished_task"  # the last task ends mid-sentence


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """One typed warning: its code, the English message of ``Bulletin.warnings``, and its values."""

    code: ParseWarningCode
    message: str
    params: tuple[tuple[str, str | int], ...] = ()

    def get(self, name: str) -> str | int | None:
        return next((value for key, value in self.params if key == name), None)


class BulletinParseError(ValueError):
    """The text cannot be split into tasks; ``reason`` says why, ``line`` where (1-based) if known.

    ``code`` is the typed reason and ``details`` what was found (for ``bot.texts.parsing``).
    """

    def __init__(
        self,
        reason: str,
        line: int | None = None,
        *,
        code: ParseErrorCode = ParseErrorCode.OTHER,
        details: tuple[tuple[str, str | int], ...] = (),
    ) -> None:
        self.reason = reason
        self.line = line
        self.code = code
        self.details = details
        super().__init__(reason if line is None else f"{reason} (line {line})")

    def detail(self, name: str) -> str | int | None:
        return next((value for key, value in self.details if key == name), None)


@dataclass(frozen=True, slots=True)
class ArchivedBulletin:
    """A bulletin as stored in the archive, with its id and the time it was added."""

    id: int
    title: str
    month: str
    published: str | None
    organizer: str
    intro: str
    tasks: tuple[Task, ...]
    created_at: str

    def task(self, number: int) -> Task | None:
        return next((t for t in self.tasks if t.number == number), None)


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A chat that receives bulletins (or did: ``active`` False after ``/stop`` or a block), and how
    its reader wants to be addressed (``role``, ``unit``)."""

    chat_id: int
    user_id: int | None
    chat_type: str
    display_name: str | None
    role: str | None
    unit: str | None
    active: bool
    subscribed_at: str
    updated_at: str
    # Audience (migration 0010): what targeting reads; None when not chosen.
    role_kind: str | None = None  # "bcv", "ttv", "other"
    unit_id: int | None = None
    asked_unit_at: str | None = None  # the bot waits for this chat to type its unit


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One task found by a search, with the bulletin it belongs to; ``text`` is NFC, as highlighting
    expects, and ``tier`` says how it matched (``data.search``: whole phrase, every word, any word)."""

    task_id: int
    bulletin_id: int
    title: str
    month: str
    organizer: str
    task_number: int
    task_count: int
    text: str
    folded: str  # fold(text): the same length, so offsets found in it point into ``text``
    tier: int
    # Where the hit really matches the question, as (start, end) offsets into ``text``, merged.
    spans: tuple[tuple[int, int], ...] = ()
