"""The delivery engine: drains the outbox at Telegram's limits, in order per chat, surviving restarts.

How it works
- A *window* of chats with pending rows is loaded from the database, walking chat ids from a
  cursor, so memory grows with the send rate, not with subscribers × messages.
- Each chat is a *lane*: its pending rows in (broadcast, seq) order. Only a lane's head is ever in
  flight, so parts reach a chat strictly in order, and broadcasts queue up behind each other.
- One dispatcher picks the lane that is ready soonest (per-chat spacing from the Pacer), takes a
  global slot from the Pacer and starts the send; up to ``concurrency`` sends are in flight.
- A row is marked ``sent`` only after Telegram returned a message id. Acknowledgements are written
  in small batches every ``flush_interval`` seconds; a row that is sent but not yet written is never
  reloaded. After a crash the only rows sent twice are those in flight or acknowledged within the
  last flush interval (the in-flight window); nothing pending is ever skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.delivery.outcomes import Outcome, Sender, SendResult
from bot.delivery.pacing import Clock, Pacer
from data import outbox
from data.store import Store

log = logging.getLogger(__name__)

_NO_CHAT = -(2**63)
AbortHandler = Callable[[int, str], Awaitable[None]]


@dataclass(slots=True)
class _Item:
    row_id: int
    broadcast_id: int
    seq: int
    attempts: int


@dataclass(slots=True)
class _Lane:
    chat_id: int
    items: deque[_Item]
    ready_at: float = 0.0
    busy: bool = False
    version: int = 0  # bumped on every reschedule; older heap entries are stale


@dataclass(slots=True)
class EngineStats:
    """Counters since start, for logs, tests and benchmarks."""

    sent: int = 0
    retry_after: int = 0
    gone: int = 0
    migrated: int = 0
    not_found: int = 0
    transient: int = 0
    ambiguous: int = 0
    failed: int = 0
    aborted: int = 0
    max_in_flight: int = 0
    sent_by_broadcast: dict[int, int] = field(default_factory=lambda: defaultdict(int))


class DeliveryEngine:
    """Sends every pending outbox row exactly once per chat, in order, at the Pacer's limits."""

    def __init__(
        self,
        store: Store,
        sender: Sender,
        pacer: Pacer,
        *,
        rate: float,
        paid: bool = False,
        concurrency: int | None = None,
        window: int | None = None,
        max_attempts: int = 5,
        flush_interval: float | None = None,
        idle_poll: float = 2.0,
        on_abort: AbortHandler | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self._store = store
        self._sender = sender
        self._pacer = pacer
        self._paid = paid
        # Enough lanes that the per-chat second (three for groups) never starves the global rate.
        self._window = window or max(64, int(rate * 3))
        self._low_water = max(1, self._window * 3 // 4)
        self._slots = asyncio.Semaphore(concurrency or max(8, min(256, int(rate // 4))))
        self._max_attempts = max_attempts
        # Acknowledgements are written about every 25 messages (25 ms at 1,000/s, 0.25 s at 30/s):
        # the crash window stays ~25 messages at any rate, and slow broadcasts don't pay a
        # transaction per message.
        self._flush_interval = flush_interval if flush_interval is not None else min(0.25, max(0.025, 25 / rate))
        self._restart_gate = pacer.chat_interval
        self._idle_poll = idle_poll
        self._on_abort = on_abort
        self._clock = clock

        self._lanes: dict[int, _Lane] = {}
        # Lanes waiting for their per-chat spacing, by ready time; and lanes ready now, longest
        # queue first, so chats progress together and the broadcast does not end on a long tail of
        # chats that still have several parts left (each part needs a second per chat).
        self._waiting: list[tuple[float, int, int, int]] = []
        self._ready: list[tuple[int, int, int, int]] = []
        self._tie = itertools.count()
        self._cursor = _NO_CHAT
        self._exhausted_at: float | None = None
        self._wake = asyncio.Event()
        self._sleeping_until: float | None = None
        self._html: dict[tuple[int, int], str] = {}
        self._stopped_broadcasts: set[int] = set()
        self._paused: set[int] = set()
        self._unflushed: list[tuple[int, int]] = []
        self._has_unflushed = asyncio.Event()
        self._unflushed_ids: set[int] = set()
        self._running_marked: set[int] = set()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._runner: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self.stats = EngineStats()
        self.fatal_error: str | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        for broadcast_id in await outbox.active_broadcast_ids(self._store):
            info = await outbox.get_broadcast(self._store, broadcast_id)
            if info is not None and info.status == "paused":
                self._paused.add(broadcast_id)
        self._runner = asyncio.create_task(self._run(), name="delivery-dispatcher")
        self._flusher = asyncio.create_task(self._flush_loop(), name="delivery-flusher")

    async def stop(self, timeout: float = 1.0) -> None:
        """Stop within about ``timeout`` seconds: let in-flight sends finish, then save state."""
        self._stopping = True
        self._wake.set()
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        if self._in_flight:
            _, pending = await asyncio.wait(set(self._in_flight), timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=0.2)
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self._flush()

    def wake(self) -> None:
        """New work may be in the outbox (a broadcast was queued or resumed)."""
        self._exhausted_at = None
        self._wake.set()

    @property
    def idle(self) -> bool:
        return not self._lanes and not self._in_flight and not self._unflushed

    # -- admin controls -------------------------------------------------------------------------
    async def pause(self, broadcast_id: int) -> bool:
        ok = await outbox.set_status(self._store, broadcast_id, "paused", allowed=("queued", "running"))
        if ok:
            self._paused.add(broadcast_id)
        return ok

    async def resume(self, broadcast_id: int) -> bool:
        ok = await outbox.set_status(self._store, broadcast_id, "running", allowed=("paused",))
        if ok:
            self._paused.discard(broadcast_id)
            self.wake()
        return ok

    async def cancel(self, broadcast_id: int, reason: str = "cancelled by admin") -> bool:
        ok = await outbox.stop_broadcast(self._store, broadcast_id, status="cancelled", reason=reason)
        if ok:
            self._stopped_broadcasts.add(broadcast_id)
            self._paused.discard(broadcast_id)
        return ok

    # -- the dispatcher -------------------------------------------------------------------------
    async def _run(self) -> None:
        if await outbox.any_pending(self._store):
            # Resuming after a restart: the last message to a chat may have gone out a moment ago,
            # and this process cannot know; one per-chat interval avoids a per-chat 429.
            await asyncio.sleep(self._restart_gate)
        while not self._stopping:
            await self._refill()
            lane = self._pop_ready_lane()
            if lane is None:
                await self._sleep_until_work()
                continue
            await self._slots.acquire()
            if self._stopping:
                self._slots.release()
                break
            lane.busy = True
            item = lane.items[0]
            # The slot only: the sender passes the Pacer's gate right before writing the request.
            await self._pacer.acquire(lane.chat_id, paid=self._paid, gate=False)
            if item.broadcast_id in self._stopped_broadcasts or item.broadcast_id in self._paused:
                # Cancelled or paused while we waited for the slot: do not send it.
                self._slots.release()
                lane.busy = False
                self._schedule(lane)
                continue
            task = asyncio.create_task(self._deliver(lane, item))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
            self.stats.max_in_flight = max(self.stats.max_in_flight, len(self._in_flight))

    async def _sleep_until_work(self) -> None:
        timeout = self._idle_poll
        if self._waiting:
            timeout = min(timeout, max(0.0, self._waiting[0][0] - self._clock()))
        self._wake.clear()
        self._sleeping_until = self._clock() + timeout
        # A timer that sets the event is much cheaper than wait_for, which wraps the wait in a task
        # every time; this runs about once per message.
        timer = asyncio.get_running_loop().call_later(timeout, self._wake.set)
        try:
            await self._wake.wait()
        finally:
            timer.cancel()
            self._sleeping_until = None

    def _schedule(self, lane: _Lane) -> None:
        lane.ready_at = max(lane.ready_at, self._pacer.chat_ready_at(lane.chat_id))
        lane.version += 1
        heapq.heappush(self._waiting, (lane.ready_at, next(self._tie), lane.chat_id, lane.version))
        # Wake the dispatcher only if this lane is due before it would wake anyway: at slow rates
        # most lanes are rescheduled a second ahead, and a wake-up per message is measurable CPU.
        if self._sleeping_until is None or lane.ready_at < self._sleeping_until:
            self._wake.set()

    def _current(self, chat_id: int, version: int) -> _Lane | None:
        lane = self._lanes.get(chat_id)
        if lane is None or lane.busy or lane.version != version:
            return None
        return lane

    def _pop_ready_lane(self) -> _Lane | None:
        now = self._clock()
        waiting, ready = self._waiting, self._ready
        while waiting and waiting[0][0] <= now:
            _, tie, chat_id, version = heapq.heappop(waiting)
            lane = self._current(chat_id, version)
            if lane is not None:
                heapq.heappush(ready, (-len(lane.items), tie, chat_id, version))
        while ready:
            _, _, chat_id, version = heapq.heappop(ready)
            lane = self._current(chat_id, version)
            if lane is not None and self._trim_head(lane):
                return lane
        return None

    def _trim_head(self, lane: _Lane) -> bool:
        """Drop cancelled items at the head; park the lane if its head broadcast is paused."""
        while lane.items and lane.items[0].broadcast_id in self._stopped_broadcasts:
            lane.items.popleft()
        if not lane.items or lane.items[0].broadcast_id in self._paused:
            # Paused or empty: forget the lane; its rows stay pending and come back on resume.
            del self._lanes[lane.chat_id]
            return False
        return True

    # -- loading work ---------------------------------------------------------------------------
    async def _refill(self) -> None:
        if self._exhausted_at is not None and self._clock() - self._exhausted_at >= self._idle_poll:
            self._exhausted_at = None  # look again: another process (the CLI) may have queued work
        if len(self._lanes) >= self._low_water or self._exhausted_at is not None:
            return
        want = self._window - len(self._lanes)
        chats = await outbox.next_chats(self._store, self._cursor, want)
        if not chats and self._cursor != _NO_CHAT:
            self._cursor = _NO_CHAT  # reached the end: wrap around once
            chats = await outbox.next_chats(self._store, self._cursor, want)
        if len(chats) < want:
            self._cursor = _NO_CHAT
        elif chats:
            self._cursor = chats[-1]
        fresh = {c for c in chats if c not in self._lanes}
        if not fresh:
            self._exhausted_at = self._clock()
            return
        rows = await outbox.pending_between(self._store, min(fresh), max(fresh))
        added: dict[int, _Lane] = {}
        for row in rows:
            if (
                row.chat_id not in fresh
                or row.id in self._unflushed_ids
                or row.broadcast_id in self._stopped_broadcasts
            ):
                continue
            lane = added.get(row.chat_id)
            if lane is None:
                lane = added[row.chat_id] = _Lane(row.chat_id, deque())
            lane.items.append(_Item(row.id, row.broadcast_id, row.seq, row.attempts))
        for chat_id, lane in added.items():
            self._lanes[chat_id] = lane
            self._schedule(lane)
        if not added:
            self._exhausted_at = self._clock()

    async def _html_for(self, broadcast_id: int, seq: int) -> str:
        key = (broadcast_id, seq)
        text = self._html.get(key)
        if text is None:
            for s, _, html in await outbox.messages(self._store, broadcast_id):
                self._html[(broadcast_id, s)] = html
            text = self._html[key]
        return text

    # -- one send -------------------------------------------------------------------------------
    async def _deliver(self, lane: _Lane, item: _Item) -> None:
        try:
            try:
                html = await self._html_for(item.broadcast_id, item.seq)
                result = await self._sender.send(lane.chat_id, html, notify=item.seq == 1)
            except Exception as exc:  # a bug or an unexpected transport error: retry later
                log.exception("send to chat %s failed unexpectedly", lane.chat_id)
                result = SendResult(Outcome.TRANSIENT, error=type(exc).__name__)
            finally:
                self._slots.release()
            await self._handle(lane, item, result)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not record the outcome for chat %s", lane.chat_id)
            lane.ready_at = self._clock() + 5.0
        finally:
            lane.busy = False
            if lane.chat_id in self._lanes and self._lanes[lane.chat_id] is lane:
                if lane.items:
                    self._schedule(lane)
                else:
                    del self._lanes[lane.chat_id]
                    if len(self._lanes) < self._low_water:
                        self._wake.set()  # time to load more chats

    async def _handle(self, lane: _Lane, item: _Item, result: SendResult) -> None:
        outcome = result.outcome
        if outcome is Outcome.SENT:
            assert result.message_id is not None
            self._unflushed.append((item.row_id, result.message_id))
            self._has_unflushed.set()
            self._unflushed_ids.add(item.row_id)
            self._pop(lane, item)
            self.stats.sent += 1
            self.stats.sent_by_broadcast[item.broadcast_id] += 1
        elif outcome is Outcome.RETRY_AFTER:
            self.stats.retry_after += 1
            until = self._pacer.pause(result.retry_after)
            lane.ready_at = until
            log.warning("429 from Telegram: all sending paused for %.1f s", result.retry_after)
        elif outcome is Outcome.GONE:
            self.stats.gone += 1
            await outbox.drop_chat(self._store, lane.chat_id, reason=f"blocked: {result.error}", deactivate=True)
            lane.items.clear()
        elif outcome is Outcome.NOT_FOUND:
            self.stats.not_found += 1
            await outbox.drop_chat(self._store, lane.chat_id, reason=result.error, deactivate=False)
            lane.items.clear()
        elif outcome is Outcome.MIGRATED and result.new_chat_id is not None:
            self.stats.migrated += 1
            await outbox.move_chat(self._store, lane.chat_id, result.new_chat_id)
            log.info("chat %s moved to %s", lane.chat_id, result.new_chat_id)
            lane.items.clear()  # its rows now belong to the new id and are reloaded from there
            self.wake()
        elif outcome is Outcome.CONTENT:
            await self._abort(item.broadcast_id, result.error)
        elif outcome is Outcome.FATAL:
            self.fatal_error = result.error
            log.critical("Telegram refused the bot (%s): delivery stopped", result.error)
            self._stopping = True
            self._wake.set()
        else:  # TRANSIENT, AMBIGUOUS (and a MIGRATED without a new id)
            await self._retry_later(lane, item, result)

    def _pop(self, lane: _Lane, item: _Item) -> None:
        if lane.items and lane.items[0] is item:
            lane.items.popleft()

    async def _retry_later(self, lane: _Lane, item: _Item, result: SendResult) -> None:
        # Ambiguous timeouts are retried like transient errors: the request may have been delivered,
        # but a missing task is worse for a reporter than a repeated one (README: delivery policy).
        if result.outcome is Outcome.AMBIGUOUS:
            self.stats.ambiguous += 1
        else:
            self.stats.transient += 1
        item.attempts += 1
        error = result.error or result.outcome.value
        if item.attempts >= self._max_attempts:
            self.stats.failed += 1
            await outbox.mark_failed(self._store, item.row_id, error)
            self._pop(lane, item)
            return
        await outbox.note_attempt(self._store, item.row_id, error)
        lane.ready_at = self._clock() + min(30.0, 0.5 * 2**item.attempts)

    async def _abort(self, broadcast_id: int, reason: str) -> None:
        if broadcast_id in self._stopped_broadcasts:
            return
        self._stopped_broadcasts.add(broadcast_id)
        self.stats.aborted += 1
        await outbox.stop_broadcast(self._store, broadcast_id, status="aborted", reason=reason)
        log.error("broadcast %s aborted: %s", broadcast_id, reason)
        if self._on_abort is not None:
            try:
                await self._on_abort(broadcast_id, reason)
            except Exception:
                log.exception("could not tell admins that broadcast %s was aborted", broadcast_id)

    # -- writing acknowledgements ---------------------------------------------------------------
    async def _flush_loop(self) -> None:
        while True:
            await self._has_unflushed.wait()
            await asyncio.sleep(self._flush_interval)
            self._has_unflushed.clear()
            try:
                await self._flush()
            except Exception:
                log.exception("could not record sent messages; will retry")

    async def _flush(self) -> None:
        if not self._unflushed:
            return
        batch, self._unflushed = self._unflushed, []
        try:
            await outbox.mark_sent(self._store, batch)
        except BaseException:
            self._unflushed[:0] = batch  # keep them for the next attempt
            self._has_unflushed.set()
            raise
        for row_id, _ in batch:
            self._unflushed_ids.discard(row_id)
        for broadcast_id in {b for b, n in self.stats.sent_by_broadcast.items() if n} - self._running_marked:
            self._running_marked.add(broadcast_id)
            await outbox.mark_running(self._store, broadcast_id)
