"""Answers from the bulletin archive: turn an ``Intent`` into a plain answer object (no Telegram types).

Every path ends in an answer: when nothing matches, ``NothingFound`` says what was understood and
what the archive holds (its months, years or organizers), so the user is never met with silence.
``bot.texts.archive`` renders these.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Literal

from bot.domain.intents import (
    Bulletins,
    DocumentRef,
    Greeting,
    Help,
    History,
    Intent,
    Latest,
    Month,
    Period,
    Search,
    TaskQuery,
    Unknown,
    Usage,
)
from bot.domain.records import ArchivedBulletin, SearchHit, Task
from bot.domain.textnorm import fold, fold_query
from data import bulletins
from data.search import TIER_ALL, TIER_PHRASE, Quality, SearchFilter, SearchPage, match_spans, query_terms, search_tasks
from data.store import Store

HISTORY_PAGE_SIZE = 8
LIST_PAGE_SIZE = 8
SEARCH_PAGE_SIZE = 5
INLINE_LIMIT = 10
# A month rarely has more than a few bulletins; past this many, the list would not fit a message.
MONTH_CHOICES = 10
RECENT_MONTHS = 6
# Organizers named when the one asked for is not in the archive, and offered when a phrase is ambiguous.
ORGANIZER_CHOICES = 10
# Organizers read to match a phrase against (most bulletins first); an archive rarely has more.
ORGANIZERS_READ = 1000
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class BulletinAnswer:
    """One bulletin, with its neighbours in newest-first order (for ◀ older / newer ▶)."""

    bulletin: ArchivedBulletin
    older_id: int | None
    newer_id: int | None


@dataclass(frozen=True, slots=True)
class TaskAnswer:
    bulletin: ArchivedBulletin
    task: Task


@dataclass(frozen=True, slots=True)
class TaskOutOfRange:
    """Task ``number`` was asked for, but the bulletin has only ``count`` tasks."""

    bulletin: ArchivedBulletin
    number: int
    count: int


@dataclass(frozen=True, slots=True)
class MonthAnswer:
    """Several bulletins share the month ``YYYY-MM``: all are offered; ``task_number`` if one was asked."""

    month: str
    bulletins: tuple[ArchivedBulletin, ...]
    task_number: int | None = None
    total: int = 0  # bulletins that month (``bulletins`` holds the newest ``MONTH_CHOICES``)


@dataclass(frozen=True, slots=True)
class HistoryPage:
    items: tuple[ArchivedBulletin, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class BulletinList:
    """One page of the bulletins of a period and/or an organizer, newest first; ``intent`` (what was
    listed, the organizer as it matched) gives the page buttons."""

    items: tuple[ArchivedBulletin, ...]
    page: int
    pages: int
    total: int
    intent: Bulletins


@dataclass(frozen=True, slots=True)
class OrganizerChoice:
    """The organizer asked for (``organizer``) matches several different organizers: the newest bulletin
    of each is offered, to open or (``task_number``) to read that task of; ``total`` organizers matched."""

    organizer: str
    bulletins: tuple[ArchivedBulletin, ...]
    task_number: int | None = None
    total: int = 0


@dataclass(frozen=True, slots=True)
class HighlightedHit:
    """A search hit and where it matches the question in its (NFC) text."""

    hit: SearchHit
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class SearchResults:
    """One page of search hits and what they are.

    ``quality`` and ``corrected`` as ``data.search.SearchPage`` gives them; ``period``, ``organizer``
    and ``document`` what the search was limited to; ``phrase`` is True when every hit holds the
    words as one phrase and ``apart`` when none does (so the count can say which); ``intent`` the
    search as answered (for the page buttons) and ``alternative`` the other reading of the question,
    offered with a button.
    """

    query: str
    terms: tuple[str, ...]
    hits: tuple[HighlightedHit, ...]
    page: int
    pages: int
    total: int
    quality: Quality = "exact"
    corrected: str | None = None
    period: Period | None = None
    organizer: str | None = None
    document: DocumentRef | None = None
    phrase: bool = False
    apart: bool = False
    intent: Search | None = None
    alternative: Intent | None = None


@dataclass(frozen=True, slots=True)
class HelpAnswer:
    """How to ask (the examples live in ``bot.texts.archive``)."""


@dataclass(frozen=True, slots=True)
class GreetingAnswer:
    """A greeting back, with example questions; ``name`` and ``subscribed`` when the caller knows them."""

    name: str | None = None
    subscribed: bool | None = None


@dataclass(frozen=True, slots=True)
class UsageAnswer:
    """How to use a command that came with a missing or unusable argument, shown with what the
    archive holds: the ``latest`` bulletin (its task count) and the ``recent_months``."""

    usage: Usage
    latest: ArchivedBulletin | None
    recent_months: tuple[tuple[str, int], ...]


NothingReason = Literal["empty_archive", "no_month", "no_match", "unknown", "gone", "no_period", "no_organizer"]


@dataclass(frozen=True, slots=True)
class NothingFound:
    """Nothing to show: what was understood (``intent``), why, and what the archive does hold.

    ``first_month``/``last_month`` and ``years`` (year, bulletins) are filled for ``no_month`` and
    ``no_period``; ``organizers`` (organizer, bulletins), those nearest the one asked for first, for
    ``no_organizer``.
    """

    intent: Intent | None
    reason: NothingReason
    count: int
    recent_months: tuple[tuple[str, int], ...]
    first_month: str | None = None
    last_month: str | None = None
    years: tuple[tuple[int, int], ...] = ()
    organizers: tuple[tuple[str, int], ...] = ()


Answer = (
    BulletinAnswer
    | TaskAnswer
    | TaskOutOfRange
    | MonthAnswer
    | HistoryPage
    | BulletinList
    | OrganizerChoice
    | SearchResults
    | HelpAnswer
    | GreetingAnswer
    | UsageAnswer
    | NothingFound
)


async def answer(store: Store, intent: Intent, *, page: int = 1) -> Answer:
    """The answer to one understood question (``page`` applies to search results and lists)."""
    match intent:
        case Help():
            return HelpAnswer()
        case Greeting():
            return GreetingAnswer()
        case Usage():
            return await usage(store, intent)
        case Unknown():
            return await nothing_found(store, intent, "unknown")
        case Latest(organizer=None):
            latest = await bulletins.latest(store)
            if latest is None:
                return await nothing_found(store, intent, "empty_archive")
            return await _bulletin_answer(store, latest)
        case Latest(organizer=str(organizer)):
            return await _of_organizer(store, intent, organizer, None, page)
        case Month(organizer=str(organizer)):
            return await _of_organizer(store, intent, organizer, intent, page)
        case Month():
            found = await _bulletins_of(store, intent)
            if not found:
                return await nothing_found(store, intent, "no_month")
            if len(found) == 1:
                return await _bulletin_answer(store, found[0])
            return MonthAnswer(found[0].month, tuple(found[:MONTH_CHOICES]), total=len(found))
        case TaskQuery(organizer=str(organizer), month=month):
            return await _of_organizer(store, intent, organizer, month, page)
        case TaskQuery(number=number, month=month):
            if month is None:
                latest = await bulletins.latest(store)
                found = [] if latest is None else [latest]
            else:
                found = await _bulletins_of(store, month)
            if not found:
                return await nothing_found(store, intent, "no_month" if month else "empty_archive")
            if len(found) > 1:
                return MonthAnswer(found[0].month, tuple(found[:MONTH_CHOICES]), task_number=number, total=len(found))
            return _task_answer(found[0], number)
        case Bulletins():
            return await bulletin_list(store, intent, page=page)
        case History(page=wanted):
            return await history_page(store, wanted)
        case Search():
            return await search_intent(store, intent, page=page)
    return await nothing_found(store, intent, "unknown")  # pragma: no cover - the match is exhaustive


async def usage(store: Store, intent: Usage) -> Answer:
    """A task number out of range is answered like ``/task 9``: with the bulletin's real range."""
    if intent.command == "task" and intent.problem == "out_of_range" and intent.number is not None:
        found = await _bulletins_of(store, intent.month) if intent.month is not None else None
        if found is None:
            latest = await bulletins.latest(store)
            found = [] if latest is None else [latest]
        if len(found) == 1:
            return TaskOutOfRange(found[0], intent.number, len(found[0].tasks))
    latest = await bulletins.latest(store)
    if latest is None:
        return await nothing_found(store, intent, "empty_archive")
    return UsageAnswer(intent, latest, tuple(await bulletins.months(store, RECENT_MONTHS)))


async def bulletin_view(store: Store, bulletin_id: int) -> Answer:
    """One bulletin by id (a button press); ``NothingFound("gone")`` if it no longer exists."""
    found = await bulletins.get(store, bulletin_id)
    if found is None:
        return await nothing_found(store, None, "gone")
    return await _bulletin_answer(store, found)


async def task_view(store: Store, bulletin_id: int, number: int) -> Answer:
    found = await bulletins.get(store, bulletin_id)
    if found is None:
        return await nothing_found(store, None, "gone")
    return _task_answer(found, number)


async def history_page(store: Store, page: int) -> Answer:
    """One page of the archive, newest first; a page past the end shows the last one."""
    total = await bulletins.count(store)
    if total == 0:
        return await nothing_found(store, History(page), "empty_archive")
    pages = -(-total // HISTORY_PAGE_SIZE)
    page = min(max(1, page), pages)
    items = await bulletins.page(store, (page - 1) * HISTORY_PAGE_SIZE, HISTORY_PAGE_SIZE)
    return HistoryPage(tuple(items), page, pages, total)


# --- lists and organizers ---------------------------------------------------------------------------


async def bulletin_list(store: Store, intent: Bulletins, *, page: int = 1) -> Answer:
    """The bulletins of a period and/or an organizer, newest first, one page of them; a single one is
    answered as that bulletin. An organizer that matches nothing is shortened from the end, the words
    dropped searched for instead ("tỉnh ủy bắc ninh tham nhũng")."""
    if await bulletins.count(store) == 0:
        return await nothing_found(store, intent, "empty_archive")
    if intent.organizer is not None and not await _organizer_held(store, intent.organizer):
        return await _organizer_not_held(store, intent, intent.organizer, page)
    where = _where(intent.period, intent.organizer)
    page = max(1, page)
    items, total = await bulletins.listing(store, where, (page - 1) * LIST_PAGE_SIZE, LIST_PAGE_SIZE)
    if total == 0:
        return await nothing_found(store, intent, "no_period")
    if total == 1:
        return await _bulletin_answer(store, items[0])
    pages = -(-total // LIST_PAGE_SIZE)
    if page > pages:  # a page past the end (an old button): the last one
        page = pages
        items, total = await bulletins.listing(store, where, (page - 1) * LIST_PAGE_SIZE, LIST_PAGE_SIZE)
    return BulletinList(tuple(items), page, pages, total, intent)


async def _of_organizer(
    store: Store, intent: Latest | Month | TaskQuery, organizer: str, month: Month | None, page: int
) -> Answer:
    """Latest/Month/TaskQuery of one organizer: its newest bulletin (or that month's), asked back when
    the phrase names several different organizers and none of them exactly."""
    if await bulletins.count(store) == 0:
        return await nothing_found(store, intent, "empty_archive")
    if not await _organizer_held(store, organizer):
        return await _organizer_not_held(store, intent, organizer, page)
    number = intent.number if isinstance(intent, TaskQuery) else None
    if month is not None:
        key = month.key or await bulletins.latest_month_numbered(store, month.month, organizer=organizer)
        found = [] if key is None else await bulletins.by_month(store, key, organizer=organizer)
        if not found:
            return await nothing_found(store, intent, "no_month")
        if len(found) > 1:
            return MonthAnswer(found[0].month, tuple(found[:MONTH_CHOICES]), task_number=number, total=len(found))
        chosen: ArchivedBulletin | None = found[0]
    else:
        newest = await _newest_of_each_body(store, organizer)
        if len(newest) > 1:
            return OrganizerChoice(organizer, tuple(newest[:ORGANIZER_CHOICES]), number, len(newest))
        chosen = newest[0] if newest else await bulletins.latest(store, organizer=organizer)
    if chosen is None:  # pragma: no cover - the organizer is held, so it has a newest bulletin
        return await nothing_found(store, intent, "no_organizer")
    if number is not None:
        return _task_answer(chosen, number)
    return await _bulletin_answer(store, chosen)


async def _organizer_not_held(store: Store, intent: Intent, organizer: str, page: int) -> Answer:
    """No bulletin's organizer or title holds ``organizer``: if a shorter head of it does and the words
    dropped are found in that organizer's tasks, they were keywords ("tỉnh ủy bắc ninh tham nhũng");
    otherwise the answer names the organizers the archive holds."""
    words = organizer.split()
    for n in range(len(words) - 1, 1, -1):  # a head of two words at least: "tỉnh ủy", "đảng ủy khối"
        head, dropped = " ".join(words[:n]), " ".join(words[n:])
        if not await _organizer_held(store, head):
            continue
        query = " ".join(p for p in (dropped, intent.query if isinstance(intent, Search) else "") if p)
        period = intent.period if isinstance(intent, Search | Bulletins) else None
        if isinstance(intent, Month | TaskQuery):
            month = intent if isinstance(intent, Month) else intent.month
            period = _month_period(month) if month is not None and month.key else None
        document = intent.document if isinstance(intent, Search) else None
        search = Search(query, period=period, organizer=head, document=document)
        found = await search_intent(store, search, page=page)
        if isinstance(found, SearchResults) and found.quality != "partial":
            return found
        # Nothing of theirs, but words the archive does hold elsewhere are still keywords ("tỉnh ủy bắc
        # ninh tham nhũng": no such task there); words it holds nowhere were part of the name ("tỉnh ủy
        # yên bái"), so the organizer is what is missing.
        elsewhere = await search_tasks(store, dropped, 1)
        if elsewhere.hits and elsewhere.quality in ("exact", "folded"):
            return found
        break
    return await nothing_found(store, intent, "no_organizer")


def _month_period(month: Month) -> Period:
    key = month.key or ""
    return Period(key, key, f"tháng {month.label}", f"{_EN_MONTHS[month.month - 1]} {month.year}")


# --- search ---------------------------------------------------------------------------------------


async def search(store: Store, query: str, *, page: int = 1, intent: Intent | None = None) -> Answer:
    """One page of tasks matching ``query`` (an old ``ar:s:`` button, or a bare Search)."""
    return await search_intent(store, intent if isinstance(intent, Search) else Search(query), page=page)


async def search_intent(store: Store, intent: Search, *, page: int = 1) -> Answer:
    """One page of the tasks a Search finds, within its period, organizer and document.

    A question with two readings (``alternative``) is answered as the topic when the archive holds it
    (every word of it in one task), with the other reading offered; otherwise as the other reading.
    """
    if await bulletins.count(store) == 0:
        return await nothing_found(store, intent, "empty_archive")
    if intent.organizer is not None and not await _organizer_held(store, intent.organizer):
        return await _organizer_not_held(store, intent, intent.organizer, page)
    if intent.period is not None and not await bulletins.any_of(store, _where(intent.period, intent.organizer)):
        return await nothing_found(store, intent, "no_period")
    page = max(1, page)
    found = await _search_page(store, intent, page)
    if found.total and not found.hits:  # a page past the end (e.g. an old button): show the last one
        page = -(-found.total // SEARCH_PAGE_SIZE)
        found = await _search_page(store, intent, page)
    alternative = intent.alternative
    if alternative is not None and not _found_as_topic(found):
        return await answer(store, alternative)
    if not found.hits:
        return await nothing_found(store, intent, "no_match")
    terms = found.terms or tuple(query_terms(intent.query))
    highlighted = tuple(
        HighlightedHit(h, h.spans or tuple(match_spans(h.text, list(terms), h.folded))) for h in found.hits
    )
    pages = -(-found.total // SEARCH_PAGE_SIZE)
    # Only the best tier that matched is kept (``data.search``): when the phrase is found, every hit
    # on every page holds it, and when it is not, none does.
    several = len(terms) > 1 and found.quality in ("exact", "folded")
    phrase = several and found.hits[0].tier == TIER_PHRASE
    apart = several and found.hits[0].tier != TIER_PHRASE
    return SearchResults(
        intent.query,
        terms,
        highlighted,
        page,
        pages,
        found.total,
        quality=found.quality,
        corrected=found.corrected,
        period=intent.period,
        organizer=intent.organizer,
        document=intent.document,
        phrase=phrase,
        apart=apart,
        intent=intent,
        alternative=alternative,
    )


async def _search_page(store: Store, intent: Search, page: int, limit: int = SEARCH_PAGE_SIZE) -> SearchPage:
    where = _where(intent.period, intent.organizer)
    return await search_tasks(store, intent.query, limit, (page - 1) * limit, where=where, document=intent.document)


def _found_as_topic(found: SearchPage) -> bool:
    """The topic reading holds: the best hit has every word of it ("kỷ niệm Cách mạng Tháng Mười Nga"
    has "107 năm" inside), diacritics as typed or folded. A corrected or partial match is not the
    topic the question named; month words beside a topic's other words are no month."""
    return bool(found.hits) and found.quality in ("exact", "folded") and found.hits[0].tier in (TIER_PHRASE, TIER_ALL)


async def inline_tasks(store: Store, intent: Intent | None) -> list[TaskAnswer]:
    """Up to ``INLINE_LIMIT`` tasks for an inline query: the latest bulletin's for an empty query,
    a month's, one task, or the tasks a search finds (the same hits as in a chat)."""
    chosen: list[ArchivedBulletin] = []
    match intent:
        case None | Latest(organizer=None) | Help() | Greeting() | Usage() | History() | Unknown():
            latest = await bulletins.latest(store)
            chosen = [] if latest is None else [latest]
        case Search():
            return await _inline_search(store, intent)
        case _:
            found = await answer(store, intent)
            match found:
                case TaskAnswer():
                    return [found]
                case BulletinAnswer(bulletin=bulletin):
                    chosen = [bulletin]
                case (
                    MonthAnswer(bulletins=several, task_number=number)
                    | OrganizerChoice(bulletins=several, task_number=number)
                ):
                    if number is not None:
                        return [TaskAnswer(b, t) for b in several if (t := b.task(number)) is not None][:INLINE_LIMIT]
                    chosen = list(several)
                case BulletinList(items=items):
                    chosen = list(items)
                case SearchResults(intent=Search() as search_intent_):
                    return await _inline_search(store, search_intent_)
    return [TaskAnswer(b, t) for b in chosen for t in b.tasks][:INLINE_LIMIT]


async def _inline_search(store: Store, intent: Search) -> list[TaskAnswer]:
    found = await search_intent(store, intent)
    if not isinstance(found, SearchResults):
        return [] if isinstance(found, NothingFound) else await inline_tasks(store, intent.alternative)
    hits = (await _search_page(store, intent, 1, INLINE_LIMIT)).hits
    cache: dict[int, ArchivedBulletin | None] = {}
    out: list[TaskAnswer] = []
    for hit in hits:
        if hit.bulletin_id not in cache:
            cache[hit.bulletin_id] = await bulletins.get(store, hit.bulletin_id)
        owner = cache[hit.bulletin_id]
        task = owner.task(hit.task_number) if owner else None
        if owner is not None and task is not None:
            out.append(TaskAnswer(owner, task))
    return out


# --- nothing found --------------------------------------------------------------------------------


async def nothing_found(store: Store, intent: Intent | None, reason: NothingReason) -> NothingFound:
    count = await bulletins.count(store)
    if count == 0:
        return NothingFound(intent, "empty_archive", 0, ())
    recent = tuple(await bulletins.months(store, RECENT_MONTHS))
    found = NothingFound(intent, reason, count, recent)
    if reason in ("no_month", "no_period"):
        held = await bulletins.holdings(store)
        found = dataclasses.replace(
            found, first_month=held.first_month, last_month=held.last_month, years=held.per_year
        )
    if reason == "no_organizer":
        asked = _organizer_of(intent) or ""
        found = dataclasses.replace(found, organizers=await _nearest_organizers(store, asked))
    return found


def _organizer_of(intent: Intent | None) -> str | None:
    return intent.organizer if isinstance(intent, Latest | Month | TaskQuery | Bulletins | Search) else None


async def _nearest_organizers(store: Store, asked: str) -> tuple[tuple[str, int], ...]:
    """The organizers the archive holds, those sharing most words with ``asked`` first, then the
    busiest; at most ``ORGANIZER_CHOICES``."""
    wanted = set(_words(fold_query(asked)))
    held = await bulletins.organizers(store, ORGANIZERS_READ)
    ranked = sorted(held, key=lambda item: (-len(wanted & set(_words(fold(item[0])))), -item[1], item[0]))
    return tuple(ranked[:ORGANIZER_CHOICES])


# --- helpers --------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
# The office inside a Party committee that organizes the conference; "Ban Tuyên giáo Tỉnh ủy Hà Giang"
# is the body "Tỉnh ủy Hà Giang", and "Ban Tuyên giáo và Dân vận" is its name since 2025.
_OFFICE = re.compile(r"^ban tuyen giao(?: va dan van)?\s+")


def _words(folded: str) -> list[str]:
    return _WORD.findall(folded)


def _holds(haystack: str, phrase: list[str]) -> bool:
    """``phrase`` (folded words) occurs as consecutive words of ``haystack`` (folded)."""
    words = _words(haystack)
    n = len(phrase)
    return n > 0 and any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _body(organizer: str) -> str:
    """The body an organizer belongs to: "Ban Tuyên giáo Tỉnh ủy Hà Giang" → "tinh uy ha giang"."""
    return _OFFICE.sub("", " ".join(_words(fold(organizer))))


async def _newest_of_each_body(store: Store, organizer: str) -> list[ArchivedBulletin]:
    """The newest bulletin of each body whose organizer holds the phrase ``organizer``, newest first.

    When some bodies are named exactly by it ("trung ương" is the body of "Ban Tuyên giáo Trung
    ương" and of "Ban Tuyên giáo và Dân vận Trung ương"), only those count: the phrase names them,
    not the others that merely contain it ("Đảng ủy Khối các cơ quan Trung ương"). Empty when the
    phrase matched titles only.
    """
    phrase = _words(fold_query(organizer))
    asked = " ".join(phrase)
    bodies: dict[str, list[str]] = {}
    for name, _ in await bulletins.organizers(store, ORGANIZERS_READ):
        if _holds(fold(name), phrase):
            bodies.setdefault(_body(name), []).append(name)
    if asked in bodies:
        bodies = {asked: bodies[asked]}
    newest: list[ArchivedBulletin] = []
    for names in bodies.values():
        found = [b for name in names if (b := await bulletins.latest(store, organizer=name)) is not None]
        if found:
            newest.append(max(found, key=lambda b: (b.month, b.id)))
    return sorted(newest, key=lambda b: (b.month, b.id), reverse=True)


def _where(period: Period | None, organizer: str | None) -> SearchFilter | None:
    if period is None and organizer is None:
        return None
    return SearchFilter(period.start if period else None, period.end if period else None, organizer)


async def _count(store: Store, where: SearchFilter | None) -> int:
    return (await bulletins.listing(store, where, 0, 0))[1]


async def _organizer_held(store: Store, organizer: str) -> bool:
    return await bulletins.any_of(store, SearchFilter(organizer=organizer))


async def _bulletins_of(store: Store, month: Month) -> list[ArchivedBulletin]:
    """The bulletins of a month; an open year means the latest such month the archive holds."""
    key = month.key or await bulletins.latest_month_numbered(store, month.month)
    return [] if key is None else await bulletins.by_month(store, key)


async def _bulletin_answer(store: Store, bulletin: ArchivedBulletin) -> BulletinAnswer:
    return BulletinAnswer(bulletin, await bulletins.older(store, bulletin), await bulletins.newer(store, bulletin))


def _task_answer(bulletin: ArchivedBulletin, number: int) -> TaskAnswer | TaskOutOfRange:
    task = bulletin.task(number)
    if task is None:
        return TaskOutOfRange(bulletin, number, len(bulletin.tasks))
    return TaskAnswer(bulletin, task)
