"""Answers from the bulletin archive: turn an ``Intent`` into a plain answer object (no Telegram types).

Every path ends in an answer: when nothing matches, ``NothingFound`` says what was understood and
what the archive holds, so the user is never met with silence. ``bot.texts.archive`` renders these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.domain.intents import Greeting, Help, History, Intent, Latest, Month, Search, TaskQuery, Unknown, Usage
from bot.domain.records import ArchivedBulletin, SearchHit, Task
from data import bulletins
from data.search import match_spans, query_terms, search_tasks
from data.store import Store

HISTORY_PAGE_SIZE = 8
SEARCH_PAGE_SIZE = 5
INLINE_LIMIT = 10
# A month rarely has more than a few bulletins; past this many, the list would not fit a message.
MONTH_CHOICES = 10
RECENT_MONTHS = 6


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
class HighlightedHit:
    """A search hit and where the query words occur in its (NFC) text."""

    hit: SearchHit
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: str
    terms: tuple[str, ...]
    hits: tuple[HighlightedHit, ...]
    page: int
    pages: int
    total: int


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


NothingReason = Literal["empty_archive", "no_month", "no_match", "unknown", "gone"]


@dataclass(frozen=True, slots=True)
class NothingFound:
    """Nothing to show: what was understood (``intent``), why, and what the archive does hold."""

    intent: Intent | None
    reason: NothingReason
    count: int
    recent_months: tuple[tuple[str, int], ...]


Answer = (
    BulletinAnswer
    | TaskAnswer
    | TaskOutOfRange
    | MonthAnswer
    | HistoryPage
    | SearchResults
    | HelpAnswer
    | GreetingAnswer
    | UsageAnswer
    | NothingFound
)


async def answer(store: Store, intent: Intent, *, page: int = 1) -> Answer:
    """The answer to one understood question (``page`` applies to search results)."""
    match intent:
        case Help():
            return HelpAnswer()
        case Greeting():
            return GreetingAnswer()
        case Usage():
            return await usage(store, intent)
        case Unknown():
            return await nothing_found(store, intent, "unknown")
        case Latest():
            latest = await bulletins.latest(store)
            if latest is None:
                return await nothing_found(store, intent, "empty_archive")
            return await _bulletin_answer(store, latest)
        case Month():
            found = await _bulletins_of(store, intent)
            if not found:
                return await nothing_found(store, intent, "no_month")
            if len(found) == 1:
                return await _bulletin_answer(store, found[0])
            return MonthAnswer(found[0].month, tuple(found[:MONTH_CHOICES]), total=len(found))
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
        case History(page=wanted):
            return await history_page(store, wanted)
        case Search(query=query):
            return await search(store, query, page=page, intent=intent)
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


async def search(store: Store, query: str, *, page: int = 1, intent: Intent | None = None) -> Answer:
    """One page of tasks matching ``query``, each with the spans to highlight."""
    terms = query_terms(query)
    page = max(1, page)
    found = await search_tasks(store, query, SEARCH_PAGE_SIZE, (page - 1) * SEARCH_PAGE_SIZE)
    if found.total and not found.hits:  # a page past the end (e.g. an old button): show the last one
        page = -(-found.total // SEARCH_PAGE_SIZE)
        found = await search_tasks(store, query, SEARCH_PAGE_SIZE, (page - 1) * SEARCH_PAGE_SIZE)
    hits, total = found.hits, found.total
    if not hits:
        return await nothing_found(store, intent or Search(query), "no_match")
    highlighted = tuple(HighlightedHit(h, tuple(match_spans(h.text, terms, h.folded))) for h in hits)
    return SearchResults(query, tuple(terms), highlighted, page, -(-total // SEARCH_PAGE_SIZE), total)


async def inline_tasks(store: Store, intent: Intent | None) -> list[TaskAnswer]:
    """Up to ``INLINE_LIMIT`` tasks for an inline query: the latest bulletin's for an empty query,
    a month's, one task, or the tasks matching the words."""
    chosen: list[ArchivedBulletin] = []
    match intent:
        case None | Latest() | Help() | Greeting() | Usage() | History() | Unknown():
            latest = await bulletins.latest(store)
            chosen = [] if latest is None else [latest]
        case Month():
            chosen = await _bulletins_of(store, intent)
        case TaskQuery(number=number, month=month):
            if month is None:
                latest = await bulletins.latest(store)
                found = [] if latest is None else [latest]
            else:
                found = await _bulletins_of(store, month)
            return [TaskAnswer(b, t) for b in found if (t := b.task(number)) is not None][:INLINE_LIMIT]
        case Search(query=query):
            hits = (await search_tasks(store, query, INLINE_LIMIT, 0)).hits
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
    return [TaskAnswer(b, t) for b in chosen for t in b.tasks][:INLINE_LIMIT]


async def nothing_found(store: Store, intent: Intent | None, reason: NothingReason) -> NothingFound:
    count = await bulletins.count(store)
    if count == 0:
        reason = "empty_archive"
    return NothingFound(intent, reason, count, tuple(await bulletins.months(store, RECENT_MONTHS)))


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
