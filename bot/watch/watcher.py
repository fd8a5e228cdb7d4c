"""The poller: each watched source on its own schedule, new items read and judged, bulletins archived
and offered to the admins. Telegram-free: what an offer looks like in chat is the ``OfferSink``'s
business (``bot.ptb.watch_wiring``).

**Schedule.** Every source has a task of its own, so a slow or hanging source delays nothing else;
the HTTP client allows one request at a time per host, so sources on one host take turns and sources
on different hosts run at the same time. A source is polled at a fixed phase of ``interval`` (from
a hash of its URL), so two hundred sources are spread over the interval rather than polled at once;
its first poll comes within ``min(interval, FIRST_SPREAD)`` of start. After a failure it backs off
(``interval × 2^failures``, at most ``max(interval, MAX_BACKOFF)``, or longer if the server said
Retry-After); the error is kept for ``/sources``.

**A poll.** A conditional GET (``ETag``/``Last-Modified``): a 304 costs no parsing. Otherwise the
listing is read (``bot.watch.feeds``, in a worker thread) and its items recorded as seen in one
transaction. At a source's first successful poll they are the *backfill*: bulletins among them (the
uncertain ones too, when they have their month) are archived, nothing is offered. Then every
``new`` item, oldest first, is read: its page fetched, loaded by ``bot.ingest`` and judged by
``bot.watch.recognise``:

- not a bulletin: recorded and logged, never offered;
- the same bulletin as one in the archive (the conference month, the organizer and the task texts;
  ``same_key``): a duplicate, not offered again, so a bulletin on two portals is offered once;
- otherwise archived (when it has its month) and offered: an offer row first, then the sink shows
  it to the admins; an offer whose previews did not all go out (a restart, Telegram down) is shown
  again at the next poll. A source set to send without asking queues the broadcast at once (only a
  sure bulletin; an uncertain one is still offered).

An item whose page cannot be read stays ``new`` and is tried again at the next polls (a 304 too),
``MAX_ATTEMPTS`` times in all. Nothing here raises out of a poll: every failure is recorded on the source or item.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote, urlsplit

from bot import ingest
from bot.domain.blocks import Document
from bot.domain.records import ArchivedBulletin, Bulletin
from bot.domain.textnorm import fold
from bot.services import drafts as model
from bot.services import publishing
from bot.watch.feeds import ListingError, read_listing
from bot.watch.http import FetchError, PoliteClient
from bot.watch.recognise import Recognition, Verdict, recognise
from data import bulletins, watch
from data.store import Store
from data.watch import NewItem, Offer, Source, WatchItem

log = logging.getLogger(__name__)

FIRST_SPREAD = 30.0  # seconds over which the first polls after start are spread
MAX_BACKOFF = 6 * 3600.0
MAX_ATTEMPTS = 3  # reads of an item's page before it is given up
ITEMS_PER_POLL = 50  # pages read per poll of one source; the rest wait for the next
PAGE_ACCEPT = (
    "text/html,application/xhtml+xml,application/pdf,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain;q=0.9,*/*;q=0.5"
)


class OfferSink(Protocol):
    """Where offers go: the admins' chats. ``offer`` raises if the previews could not all be shown
    (the offer is shown again later); ``auto_sent`` tells the admins a broadcast was queued."""

    async def offer(self, offer: Offer, link: str, source_url: str) -> None: ...

    async def auto_sent(self, offer: Offer, link: str, source_url: str, queued: publishing.Queued) -> None: ...


@dataclass(frozen=True, slots=True)
class PollReport:
    """What one poll of a source did, for ``/sources add`` and the logs."""

    source_id: int
    ok: bool
    status: str  # "200", "304", "HTTP 503", "timeout", "malformed"…
    error: str | None = None
    kind: str | None = None  # rss, atom, html
    listed: int = 0
    new: int = 0
    backfill: bool = False
    archived: int = 0  # bulletins added to the archive (backfill or offered)
    offered: int = 0
    duplicates: int = 0
    not_bulletins: int = 0
    unread: int = 0  # pages that could not be read this time


def same_key(bulletin: Bulletin | ArchivedBulletin) -> str:
    """What makes a found bulletin one already known: its month, organizer and tasks (the tasks as
    ``publishing.content_key`` normalises them, the organizer folded)."""
    tasks = publishing.content_key(bulletin.month, (t.text for t in bulletin.tasks))
    return f"{fold(bulletin.organizer).strip()}\x00{tasks}"


def content_hash(bulletin: Bulletin) -> str:
    """A short, fixed-size identity of "the same bulletin" for the offers table."""
    return hashlib.sha256(same_key(bulletin).encode("utf-8")).hexdigest()


def iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return None


def phase(url: str, interval: float) -> float:
    """Where in each interval a source is polled: spread evenly by a hash of its URL."""
    return (zlib.crc32(url.encode("utf-8")) / 2**32) * interval


def next_due(url: str, interval: float, now: float) -> float:
    """The first moment after ``now`` at the source's phase of the interval."""
    offset = phase(url, interval)
    periods = float((now - offset) // interval + 1)
    return periods * interval + offset


def backoff(interval: float, failures: int, retry_after: float | None = None) -> float:
    delay: float = min(interval * float(2 ** min(failures, 16)), max(interval, MAX_BACKOFF))
    return max(delay, retry_after or 0.0)


def _filename(url: str) -> str | None:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return name or None


class Watcher:
    """Polls the active sources of ``store`` until stopped; see the module docstring."""

    def __init__(
        self,
        store: Store,
        client: PoliteClient,
        sink: OfferSink,
        *,
        interval: float,
        clock: Callable[[], float] = time.time,
        items_per_poll: int = ITEMS_PER_POLL,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self._store = store
        self.client = client
        self._sink = sink
        self.interval = interval
        self._clock = clock
        self._items_per_poll = items_per_poll
        self._max_attempts = max_attempts
        self._loops: dict[int, asyncio.Task[None]] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._offer_lock = asyncio.Lock()
        self._supervisor: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[int] | None = None
        self._flush_wanted = False
        self._reload = asyncio.Event()
        self._started = self._clock()
        self.polls = 0

    # --- lifecycle ---------------------------------------------------------------------------------

    async def start(self, settings_sources: tuple[str, ...] = ()) -> None:
        """Take the ``WATCH_SOURCES`` list into the database and start polling every active source."""
        await watch.sync_settings(self._store, settings_sources)
        self._started = self._clock()
        self._supervisor = asyncio.create_task(self._supervise(), name="watch-supervisor")

    async def stop(self, timeout: float = 1.0) -> None:
        tasks = [t for t in (self._supervisor, self._flusher, *self._loops.values()) if t is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        self._loops.clear()
        self._supervisor = None

    def reload(self) -> None:
        """The sources changed (``/sources add``/``remove``): start and stop their loops."""
        self._reload.set()

    async def _supervise(self) -> None:
        while True:
            try:
                await self._sync_loops()
            except Exception:  # a database error: logged, tried again at the next reload or minute
                log.exception("watch: could not read the sources")
            self._reload.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reload.wait(), timeout=60.0)

    async def _sync_loops(self) -> None:
        active = {s.id: s for s in await watch.active_sources(self._store)}
        for source_id in list(self._loops):
            if source_id not in active or self._loops[source_id].done():
                self._loops.pop(source_id).cancel()
        for source_id, source in active.items():
            if source_id not in self._loops:
                self._loops[source_id] = asyncio.create_task(self._loop(source), name=f"watch-{source_id}")

    # --- schedule ----------------------------------------------------------------------------------

    def _first_delay(self, source: Source) -> float:
        now = self._clock()
        due = parse_iso(source.next_check_at)
        if due is not None and due > now:
            return due - now
        # Due (or never polled): soon after start, spread by the URL's hash.
        spread = min(self.interval, FIRST_SPREAD)
        return phase(source.url, spread)

    async def _loop(self, source: Source) -> None:
        delay = self._first_delay(source)
        while True:
            await asyncio.sleep(max(0.0, delay))
            report = await self._check(source.id)
            if report is None:  # removed meanwhile
                return
            self._flush_soon()
            current = await watch.get_source(self._store, source.id)
            due = parse_iso(current.next_check_at if current else None)
            delay = (due - self._clock()) if due is not None else self.interval

    def _next_ok(self, url: str) -> str:
        return iso(next_due(url, self.interval, self._clock()))

    # --- a poll ------------------------------------------------------------------------------------

    async def check(self, source_id: int) -> PollReport | None:
        """Poll one source now (``/sources add``, tests), then show what it found. None when the
        source is not active. Never raises for what the portal does."""
        report = await self._check(source_id)
        await self.flush_offers()
        return report

    async def _check(self, source_id: int) -> PollReport | None:
        lock = self._locks.setdefault(source_id, asyncio.Lock())
        async with lock:
            source = await watch.get_source(self._store, source_id)
            if source is None or not source.active:
                return None
            self.polls += 1
            return await self._poll(source)

    def _flush_soon(self) -> None:
        """Show open offers in the background: previews to every admin take seconds (Telegram's
        per-chat pace), and no source's next poll waits for them."""
        self._flush_wanted = True
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_while_wanted(), name="watch-offers")

    async def _flush_while_wanted(self) -> int:
        done = 0
        while self._flush_wanted:  # an offer found while a flush ran is shown right after it
            self._flush_wanted = False
            done += await self.flush_offers()
        return done

    async def _poll(self, source: Source) -> PollReport:
        try:
            response = await self.client.get(source.url, etag=source.etag, last_modified=source.last_modified)
        except FetchError as exc:
            return await self._failed(source, exc.detail, exc.reason, exc.retry_after)
        if response.status == 304:
            await watch.record_not_modified(self._store, source.id, "304", self._next_ok(source.url))
            # Nothing to parse; items whose page could not be read last time are tried again.
            return await self._read_new(source, PollReport(source.id, True, "304", kind=source.kind))
        try:
            listing = await asyncio.to_thread(read_listing, response.body, response.url, response.content_type)
        except ListingError as exc:
            return await self._failed(source, exc.detail, exc.reason)
        items = [NewItem(i.key, i.link, i.title, i.summary) for i in listing.items]
        backfill = source.first_ok_at is None
        new = await watch.record_poll(
            self._store,
            source.id,
            items,
            kind=listing.kind,
            etag=response.etag,
            last_modified=response.last_modified,
            status=f"{response.status} · {len(items)}",
            next_at=self._next_ok(source.url),
        )
        report = PollReport(
            source.id, True, str(response.status), kind=listing.kind, listed=len(items), new=new, backfill=backfill
        )
        return await self._read_new(source, report)

    async def _failed(self, source: Source, detail: str, reason: str, retry_after: float | None = None) -> PollReport:
        delay = backoff(self.interval, source.failures + 1, retry_after)
        log.warning("watch: source %s failed (%s): %s; next try in %.0f s", source.id, reason, detail, delay)
        await watch.record_failure(self._store, source.id, reason, detail, iso(self._clock() + delay))
        return PollReport(source.id, False, reason, error=detail)

    # --- items -------------------------------------------------------------------------------------

    async def _read_new(self, source: Source, report: PollReport) -> PollReport:
        outcomes = [await self._read_item(source, item) for item in await watch.new_items(
            self._store, source.id, self._items_per_poll
        )]  # fmt: skip
        return dataclasses.replace(
            report,
            archived=outcomes.count("archived") + outcomes.count("offered"),
            offered=outcomes.count("offered"),
            duplicates=outcomes.count("duplicates"),
            not_bulletins=outcomes.count("not_bulletins"),
            unread=outcomes.count("unread"),
        )

    async def _read_item(self, source: Source, item: WatchItem) -> str:
        """Fetch, load and judge one item's page; returns what became of it."""
        try:
            response = await self.client.get(item.link, accept=PAGE_ACCEPT)
            if response.status == 304:  # never asked conditionally; a broken server
                raise FetchError("http", "304 without a condition", status=304)
            document = await asyncio.to_thread(
                ingest.load, response.body, filename=_filename(response.url), content_type=response.content_type
            )
        except FetchError as exc:
            state = await watch.item_attempt_failed(self._store, item.id, exc.detail, self._max_attempts)
            log.info("watch: item %s not read (%s), %s", item.link, exc.detail, state)
            return "unread"
        except ingest.UnsupportedDocument as exc:
            await watch.settle_item(self._store, item.id, "not_bulletin", f"unreadable: {exc}")
            return "not_bulletins"
        document = dataclasses.replace(document, url=response.url)
        recognition = await asyncio.to_thread(recognise, document, title=item.title, summary=item.summary)
        return await self._judged(source, item, document, recognition)

    async def _judged(self, source: Source, item: WatchItem, document: Document, found: Recognition) -> str:
        reasons = "; ".join(found.reasons)
        if found.verdict is Verdict.NOT or found.bulletin is None:
            log.info("watch: not a bulletin: %s (%s)", item.link, reasons)
            await watch.settle_item(self._store, item.id, "not_bulletin", reasons)
            return "not_bulletins"
        bulletin = found.bulletin
        uncertain = found.verdict is Verdict.UNCERTAIN
        same = await self._archived_same(bulletin)
        if same is not None:
            await watch.settle_item(self._store, item.id, "duplicate", reasons, same)
            return "duplicates"
        state = "uncertain" if uncertain else "bulletin"
        if item.backfill:
            # Backfill: bulletins with their month are archived (an uncertain one too: the archive is
            # only searched, nothing is sent), nothing is offered.
            bulletin_id = None
            if bulletin.month:
                bulletin_id, _ = await bulletins.add(self._store, bulletin)
            await watch.settle_item(self._store, item.id, state, reasons, bulletin_id)
            return "archived" if bulletin_id is not None else "not_bulletins"
        bulletin_id = (await bulletins.add(self._store, bulletin))[0] if bulletin.month else None
        key = content_hash(bulletin)
        auto = source.auto_send and not uncertain and bulletin_id is not None
        offer_id = await watch.create_offer(
            self._store,
            item_id=item.id,
            content_hash=key,
            bulletin_id=bulletin_id,
            uncertain=uncertain,
            reasons=reasons,
            bulletin_json=model.state_to_json(model.from_bulletin(bulletin, document)),
            document_json=model.document_to_json(document),
            status="auto_sent" if auto else "new",
        )
        await watch.settle_item(self._store, item.id, state, reasons, bulletin_id)
        if offer_id is None:  # the same bulletin was offered already, from another item
            return "duplicates"
        log.info("watch: %s bulletin found at %s (%s)", "uncertain" if uncertain else "a", item.link, reasons)
        if auto:
            await self._auto_send(offer_id, bulletin, item.link, source.url)
        return "offered"

    async def _archived_same(self, bulletin: Bulletin) -> int | None:
        """An archived bulletin that is the same as ``bulletin`` (month, organizer, tasks), if any."""
        if not bulletin.month:
            return None
        key = same_key(bulletin)
        for other in await bulletins.by_month(self._store, bulletin.month):
            if same_key(other) == key:
                return other.id
        return None

    async def _auto_send(self, offer_id: int, bulletin: Bulletin, link: str, source_url: str) -> None:
        queued = await publishing.queue_broadcast(
            self._store, publishing.prepare(bulletin), requested_by=None, admin_chat_id=None, by=publishing.BOT
        )
        broadcast_id = queued.info.id if queued.info is not None else None
        await watch.set_offer_broadcast(self._store, offer_id, broadcast_id)
        offer = await watch.get_offer(self._store, offer_id)
        if offer is None:  # pragma: no cover - just written
            return
        try:
            await self._sink.auto_sent(offer, link, source_url, queued)
        except Exception:
            log.exception("watch: could not tell the admins about broadcast %s", broadcast_id)

    # --- offers ------------------------------------------------------------------------------------

    async def flush_offers(self) -> int:
        """Show every offer whose previews are not all out; returns how many went out now."""
        done = 0
        async with self._offer_lock:
            for offer in await watch.open_offers(self._store):
                where = await watch.offer_link(self._store, offer)
                link, source_url = where if where is not None else ("", "")
                try:
                    await self._sink.offer(offer, link, source_url)
                except Exception:
                    log.exception("watch: offer %s not shown yet; tried again at the next poll", offer.id)
                    continue
                await watch.offer_out(self._store, offer.id)
                done += 1
        return done
