"""The delivery engine: drains the outbox at Telegram's limits, in order per chat, surviving restarts.

The parts, each in its own module:

- ``loader``: a bounded window of chats with pending rows, loaded from the outbox early enough;
- ``lanes``: one lane per chat, only its head in flight; which lane goes next;
- ``policy``: what each outcome of a send does (429 pause, 403 unsubscribe, retries, ...);
- ``acks``: the message ids Telegram returned, written to the outbox (at once, or batched at
  hundreds a second).

This module is the dispatcher that ties them together: it picks the next ready lane, takes a slot
from the Pacer and starts the send; up to ``concurrency`` sends are in flight. It also carries the
admin controls (pause, resume, cancel), which must not lose the outcome of a message already sent.

The order of work, so that a broadcast ends as early as Telegram's limits allow:

- A lane may send when its chat's own wait is over (1.05 s for a private chat, 3.15 s for a group,
  a retry's back-off, a 429 pause). Among the lanes that may send, the one that still needs the
  most wall time goes first: ``(parts left - 1) × its spacing``, the spacing being the Pacer's
  ``chat_interval`` or ``group_interval``. A group with six parts needs 15.75 s, a private chat
  5.25 s, so groups start first and finish within the broadcast instead of after it; a chat whose
  retry made it fall behind has more parts left than the others and catches up as soon as its
  back-off is over, while the rate has room for it.
- Chats are loaded a window at a time (memory grows with the rate, not the audience), and again
  whenever the parts in memory would be sent before a chat loaded now could send its own at its
  pace (``loader``): the last chats of a broadcast start while the others still fill the rate,
  instead of sending their parts one a second each on a tail after everyone else.
- A group that migrates to a supergroup is loaded under its new id at once and keeps its place (the
  time it needs), instead of waiting for the loader's cursor to come round to that id.
- Per chat, parts go in (broadcast, seq) order, one at a time. A paused broadcast does not hold back
  later ones: its parts are skipped while it is paused (its rows stay pending in the outbox) and
  are first again, in seq order, on resume.
- A scheduled broadcast is not loaded before its time; ``schedules`` (``bot.delivery.schedule``)
  starts it then, or at start-up if its time passed while the bot was not running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from bot.delivery.acks import Acknowledgements, flush_interval_for
from bot.delivery.corrections import Correction, deletable
from bot.delivery.lanes import Controls, Item, Lane, LaneScheduler
from bot.delivery.loader import OutboxLoader
from bot.delivery.outcomes import Outcome, Sender, SendResult
from bot.delivery.pacing import Clock, Pacer
from bot.delivery.policy import EngineStats, OutcomePolicy, Then
from bot.delivery.schedule import Scheduler, WallClock, utc_now
from data import acks, corrections, outbox
from data.store import Store

log = logging.getLogger(__name__)

AbortHandler = Callable[[int, str], Awaitable[None]]


def default_concurrency(rate: float) -> int:
    """Sends in flight at once: a quarter of a second's worth, 8 to 256."""
    return max(8, min(256, int(rate // 4)))


def default_flush_interval(rate: float) -> float:
    """0 up to 100/s (each message id written at once), batches only at hundreds a second: see
    ``acks.flush_interval_for``."""
    return flush_interval_for(rate)


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
        settle_timeout: float = 30.0,
        on_abort: AbortHandler | None = None,
        clock: Clock = time.monotonic,
        wall_clock: WallClock = utc_now,
    ) -> None:
        self._store = store
        self._sender = sender
        self._pacer = pacer
        self._paid = paid
        self.concurrency = concurrency or default_concurrency(rate)
        self._slots = asyncio.Semaphore(self.concurrency)
        self._restart_gate = pacer.chat_interval
        self._idle_poll = idle_poll
        self._settle_timeout = settle_timeout
        self._on_abort = on_abort
        self._clock = clock
        self._wall_clock = wall_clock

        self.stats = EngineStats()
        self.fatal_error: str | None = None
        self._controls = Controls()
        self._acks = Acknowledgements(
            store, interval=flush_interval if flush_interval is not None else default_flush_interval(rate)
        )
        self._scheduler = LaneScheduler(
            self._controls,
            pacer.chat_ready_at,
            clock,
            chat_interval=pacer.chat_interval,
            group_interval=pacer.group_interval,
        )
        # Enough lanes that the per-chat second (three for groups) never starves the global rate.
        self._loader = OutboxLoader(
            store,
            self._scheduler,
            self._controls,
            self._acks,
            window=window or max(64, int(rate * 3)),
            idle_poll=idle_poll,
            clock=clock,
            rate=rate,
            chat_interval=pacer.chat_interval,
        )
        self._policy = OutcomePolicy(store, pacer, self._acks, self.stats, max_attempts=max_attempts, clock=clock)
        self._in_flight: dict[asyncio.Task[None], Item] = {}
        self._stopping = False
        self._runner: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        # Starts scheduled broadcasts at their time; set ``schedules.on_start`` to tell the admins.
        self.schedules = Scheduler(store, self.wake, now=wall_clock)

    @property
    def flush_interval(self) -> float:
        return self._acks.interval

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        # Rows that a cancel or abort left pending while they were in flight, if the process ended
        # before their outcome came back.
        if leftovers := await outbox.cancel_rows_of_stopped_broadcasts(self._store):
            log.info("cancelled %s rows of stopped broadcasts left pending at the last stop", leftovers)
        for broadcast_id in await outbox.active_broadcast_ids(self._store):
            info = await outbox.get_broadcast(self._store, broadcast_id)
            if info is not None and info.status == "paused":
                self._controls.paused.add(broadcast_id)
        self._runner = asyncio.create_task(self._run(), name="delivery-dispatcher")
        self._flusher = asyncio.create_task(self._acks.run(), name="delivery-flusher")
        await self.schedules.start()

    async def stop(self, timeout: float = 1.0) -> None:
        """Stop within about ``timeout`` seconds: let in-flight sends finish, then save state."""
        self._stopping = True
        await self.schedules.stop()
        self._scheduler.wake()
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
        await self._acks.flush()

    def wake(self) -> None:
        """New work may be in the outbox (a broadcast was queued or resumed)."""
        self._loader.wake()
        self._scheduler.wake()

    def forget_chat(self, chat_id: int) -> None:
        """The chat was forgotten (``/forget``): its rows are cancelled in the outbox; what of them is
        loaded in memory goes too, so no further part is sent. A part already in flight lands, and
        its write finds the row no longer pending (``outbox.MARK_SENT``) and changes nothing."""
        lane = self._scheduler.lanes.pop(chat_id, None)
        if lane is not None:
            lane.items.clear()

    @property
    def idle(self) -> bool:
        """Nothing in memory: no lane loaded, no send in flight, every message id written to the
        outbox. Rows may still be pending in the outbox (not loaded yet, or paused); see
        ``outbox.any_pending`` for "drained"."""
        return not self._scheduler.lanes and not self._in_flight and self._acks.all_written

    # -- admin controls -------------------------------------------------------------------------
    async def pause(self, broadcast_id: int) -> bool:
        ok = await outbox.set_status(self._store, broadcast_id, "paused", allowed=("queued", "running"))
        if ok:
            self._controls.paused.add(broadcast_id)
        return ok

    async def resume(self, broadcast_id: int) -> bool:
        ok = await outbox.set_status(self._store, broadcast_id, "running", allowed=("paused",))
        if ok:
            self._controls.paused.discard(broadcast_id)
            self.wake()
        return ok

    async def cancel(self, broadcast_id: int, reason: str = "cancelled by admin") -> bool:
        """Cancel a broadcast. Returns once the sends already under way have landed and their
        message ids are written, so a report made right after counts them."""
        ok = await self._stop_broadcast(broadcast_id, "cancelled", reason)
        if ok:
            await self._settle(broadcast_id)
        return ok

    async def send_now(self, broadcast_id: int) -> bool:
        """Start a scheduled broadcast now instead of at its time."""
        return await self.schedules.send_now(broadcast_id) is not None

    async def _stop_broadcast(self, broadcast_id: int, status: str, reason: str) -> bool:
        """Stop sending ``broadcast_id`` and cancel its pending rows, except those in flight or sent
        and not yet written: their outcome is still to come and is recorded when it does."""
        if broadcast_id in self._controls.stopped:
            return False
        # No new send of it starts after this line, so the rows held back below are all there are.
        self._controls.stopped[broadcast_id] = reason
        held = self._acks.unwritten | {i.row_id for i in self._in_flight.values() if i.broadcast_id == broadcast_id}
        try:
            ok = await outbox.stop_broadcast(self._store, broadcast_id, status=status, reason=reason, keep=held)
        except BaseException:
            del self._controls.stopped[broadcast_id]
            raise
        # Not ok: it was already done, cancelled or aborted; nothing of it may be sent either way.
        self._controls.paused.discard(broadcast_id)
        self.schedules.changed()  # it may have been the next one due
        return ok

    async def _settle(self, broadcast_id: int) -> None:
        """Wait for the sends of a stopped broadcast still in flight, then write their message ids."""
        this = asyncio.current_task()
        landing = [t for t, i in self._in_flight.items() if i.broadcast_id == broadcast_id and t is not this]
        if landing:
            await asyncio.wait(landing, timeout=self._settle_timeout)
        try:
            await self._acks.flush()
        except Exception:
            log.exception(
                "could not record sent messages of broadcast %s; will retry",
                broadcast_id,
                extra={"broadcast_id": broadcast_id},
            )

    # -- the dispatcher -------------------------------------------------------------------------
    async def _run(self) -> None:
        if await outbox.any_pending(self._store):
            # Resuming after a restart: the last message to a chat may have gone out a moment ago,
            # and this process cannot know; one per-chat interval avoids a per-chat 429.
            await asyncio.sleep(self._restart_gate)
        while not self._stopping:
            await self._loader.refill()
            lane = self._scheduler.pop_ready()
            if lane is None:
                await self._scheduler.sleep(self._idle_poll)
                continue
            await self._slots.acquire()
            if self._stopping:
                self._slots.release()
                break
            lane.busy = True
            item = lane.head
            assert item is not None  # set by pop_ready
            # The slot only: the sender passes the Pacer's gate right before writing the request.
            await self._pacer.acquire(lane.chat_id, paid=self._paid)
            if self._controls.holds_back(item.broadcast_id):
                # Stopped or paused while we waited for the slot: do not send it.
                self._slots.release()
                lane.busy = False
                self._scheduler.schedule(lane)
                continue
            task = asyncio.create_task(self._deliver(lane, item))
            self._in_flight[task] = item
            task.add_done_callback(self._landed)
            self.stats.max_in_flight = max(self.stats.max_in_flight, len(self._in_flight))

    def _landed(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)

    # -- one send -------------------------------------------------------------------------------
    async def _deliver(self, lane: Lane, item: Item) -> None:
        try:
            try:
                html = await self._loader.html_for(item.broadcast_id, item.seq)
                ack_for = self._loader.ack_for(item.broadcast_id, item.seq)
                action = self._loader.action_for(item.broadcast_id, item.seq)
                if action == "send":
                    result = await self._sender.send(lane.chat_id, html, notify=item.seq == 1, ack_for=ack_for)
                else:
                    correction = await self._correction(lane.chat_id, item, action, ack_for)
                    if correction is None:
                        result = SendResult(Outcome.REJECTED, error="no message to correct in this chat")
                    else:
                        result = await self._sender.correct(lane.chat_id, html, correction)
            except Exception as exc:  # a bug or an unexpected transport error: retry later
                log.exception(
                    "send to chat %s failed unexpectedly",
                    lane.chat_id,
                    extra={"chat_id": lane.chat_id, "broadcast_id": item.broadcast_id, "seq": item.seq},
                )
                result = SendResult(Outcome.TRANSIENT, error=type(exc).__name__)
            finally:
                self._slots.release()
            then = await self._policy.apply(lane, item, result)
            if then is Then.ABORT:
                await self._abort(lane, item, result.error)
            elif then is Then.HALT:
                self._halt(result.error)
            elif then is Then.RELOAD:
                if result.new_chat_id is not None:
                    # The moved rows get a lane of their own now: the group keeps its place.
                    await self._loader.load_chat(result.new_chat_id)
                self.wake()
            reason = self._controls.stopped.get(item.broadcast_id)
            if reason is not None and result.outcome is not Outcome.SENT:
                await self._policy.cancel_stopped(lane, item, reason)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not record the outcome for chat %s", lane.chat_id, extra={"chat_id": lane.chat_id})
            lane.ready_at = self._clock() + 5.0
        finally:
            if self._scheduler.release(lane) and self._loader.wants_more:
                self._scheduler.wake()  # time to load more chats

    async def _correction(self, chat_id: int, item: Item, action: str, ack_for: int | None) -> Correction | None:
        """A correction's row as the sender carries it out: the original's message in this chat,
        whether it may still be deleted, and the state of its "Đã nhận" button."""
        message_id, sent_at = await corrections.target(self._store, item.row_id)
        if message_id is None:
            return None
        acked_at = None if ack_for is None else await acks.acked_at(self._store, ack_for, chat_id)
        return Correction(
            action,
            message_id,
            deletable=action == "delete" and deletable(sent_at, self._wall_clock()),
            ack_for=ack_for,
            acked_at=acked_at,
        )

    async def _abort(self, lane: Lane, item: Item, reason: str) -> None:
        """A content error: every chat would fail the same way, so stop the broadcast."""
        if not await self._stop_broadcast(item.broadcast_id, "aborted", reason):
            return
        self.stats.aborted += 1
        log.error(
            "broadcast %s aborted: %s",
            item.broadcast_id,
            reason,
            extra={"broadcast_id": item.broadcast_id, "chat_id": lane.chat_id, "outcome": "aborted"},
        )
        await self._policy.cancel_stopped(lane, item, reason)
        await self._settle(item.broadcast_id)
        if self._on_abort is not None:
            try:
                await self._on_abort(item.broadcast_id, reason)
            except Exception:
                log.exception(
                    "could not tell admins that broadcast %s was aborted",
                    item.broadcast_id,
                    extra={"broadcast_id": item.broadcast_id},
                )

    def _halt(self, error: str) -> None:
        self.fatal_error = error
        log.critical("Telegram refused the bot (%s): delivery stopped", error)
        self._stopping = True
        self._scheduler.wake()
