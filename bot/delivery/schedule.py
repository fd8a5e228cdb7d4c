"""Scheduled broadcasts: start each one at its time, and at start-up the ones whose time passed
while the bot was not running.

The schedule is in the database (``broadcasts.status = 'scheduled'``, ``scheduled_at``), not in an
in-memory job queue, which forgets it on a restart (PTB's JobQueue, on APScheduler, also skips a run
more than a second late by default: https://apscheduler.readthedocs.io/en/3.x/userguide.html#missed-job-executions-and-coalescing).
Until its time, the engine does not even load a scheduled broadcast's rows (``data.outbox``,
``NEXT_CHATS``); starting it is one transaction (``outbox.release``) that makes it 'queued' and adds
the subscribers who joined meanwhile, then the engine is woken.

One timer: the task sleeps until the next due time, and is woken early when this process changes a
schedule (``changed``). A broadcast scheduled by another process (``python -m bot publish --at``)
is seen at the next look, at most ``rescan`` seconds later: one indexed ``SELECT min(scheduled_at)``.
The wall clock is a function (``now``), so tests move time instead of sleeping until it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.delivery.when import from_utc_text, to_utc_text
from data import outbox
from data.outbox import BroadcastInfo
from data.store import Store

log = logging.getLogger(__name__)

WallClock = Callable[[], dt.datetime]
# A start later than this after its time is "late" (said to the admins) even while the bot ran: the
# machine was asleep, or the database busy.
LATE_AFTER = dt.timedelta(minutes=1)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Started:
    """A scheduled broadcast that just started."""

    info: BroadcastInfo
    late: dt.timedelta  # after its time (negative: "Send now" before it)
    missed: bool  # its time passed while the bot was not running (caught up at start-up)
    joined: int  # subscribers added because they joined after it was scheduled

    @property
    def tell_late(self) -> bool:
        """Whether the admins are told how late it started."""
        return self.missed or self.late >= LATE_AFTER


StartHandler = Callable[[Started], Awaitable[None]]


class Scheduler:
    def __init__(
        self,
        store: Store,
        wake: Callable[[], None],
        *,
        now: WallClock = utc_now,
        rescan: float = 1.0,
        on_start: StartHandler | None = None,
    ) -> None:
        self._store = store
        self._wake_engine = wake
        self.now = now
        self._rescan = rescan
        self.on_start = on_start
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._started_at: dt.datetime | None = None

    async def start(self) -> None:
        """Start the timer; its first look starts, at once, every broadcast whose time passed while
        the bot was not running."""
        self._started_at = self.now()
        self._task = asyncio.create_task(self._loop(), name="broadcast-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def changed(self) -> None:
        """A schedule was added, cancelled or moved in this process: look again now."""
        self._changed.set()

    async def send_now(self, broadcast_id: int) -> Started | None:
        """Start a scheduled broadcast now, before its time ("Send now"). None if it is not
        scheduled (any more)."""
        started = await self._start_one(broadcast_id, self.now(), missed=False)
        self.changed()
        return started

    async def run_due(self) -> list[Started]:
        """Start every broadcast that is due now (what the timer does when it fires)."""
        now = self.now()
        missed_before = self._started_at
        started = []
        for broadcast_id in await outbox.due(self._store, to_utc_text(now)):
            info = await outbox.get_broadcast(self._store, broadcast_id)
            at = from_utc_text(info.scheduled_at) if info is not None and info.scheduled_at else now
            missed = missed_before is not None and at < missed_before
            one = await self._start_one(broadcast_id, now, missed=missed)
            if one is not None:
                started.append(one)
        return started

    async def _start_one(self, broadcast_id: int, now: dt.datetime, *, missed: bool) -> Started | None:
        released = await outbox.release(self._store, broadcast_id)
        if released is None:
            return None
        before, after = released
        info = await outbox.get_broadcast(self._store, broadcast_id)
        assert info is not None
        at = from_utc_text(info.scheduled_at) if info.scheduled_at else now
        started = Started(info, now - at, missed, after - before)
        log.info(
            "scheduled broadcast %s started, %.0f s after its time%s; %s joined since",
            broadcast_id,
            started.late.total_seconds(),
            " (the bot was not running then)" if missed else "",
            started.joined,
            extra={"broadcast_id": broadcast_id, "status": "started"},
        )
        self._wake_engine()
        if self.on_start is not None:
            try:
                await self.on_start(started)
            except Exception:
                log.exception("could not tell the admins that broadcast %s started", broadcast_id)
        return started

    async def _loop(self) -> None:
        while True:
            self._changed.clear()  # before the look: a change made during it is seen next time
            try:
                await self.run_due()
                self._started_at = None  # later starts are not catch-ups
                wait = await self._until_next()
            except Exception:
                log.exception("scheduler look failed; trying again")
                wait = self._rescan * 5
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=wait)

    async def _until_next(self) -> float:
        """Seconds to sleep: until the next due time, or ``rescan`` if that is later (or none is
        scheduled), since another process may schedule one meanwhile."""
        due = await outbox.next_due(self._store)
        if due is None:
            return self._rescan
        left = (from_utc_text(due) - self.now()).total_seconds()
        return max(0.0, min(left, self._rescan))
