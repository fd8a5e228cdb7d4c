"""Lane scheduling: which chat's message goes next, and when the dispatcher must wake.

- Each chat is a *lane*: its pending items in (broadcast, seq) order. Only a lane's head is ever in
  flight, so parts reach a chat strictly in order, and broadcasts queue up behind each other.
- Lanes waiting for their per-chat spacing sit in a heap by ready time. Lanes that are due move to
  a second heap, longest queue first, so chats progress together and a broadcast does not end on a
  long tail of chats that still have several parts left (each part needs a second per chat).
- Heap entries carry the lane's version; every reschedule bumps it, so older entries are skipped.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.delivery.pacing import Clock


@dataclass(slots=True)
class Item:
    """One outbox row: a part of a broadcast for one chat."""

    row_id: int
    broadcast_id: int
    seq: int
    attempts: int


@dataclass(slots=True)
class Lane:
    chat_id: int
    items: deque[Item]
    ready_at: float = 0.0
    busy: bool = False  # its head is being sent
    version: int = 0

    def pop(self, item: Item) -> None:
        """Done with ``item``: drop it if it is still the head."""
        if self.items and self.items[0] is item:
            self.items.popleft()


@dataclass(slots=True)
class Controls:
    """Broadcasts the engine must not send: stopped (cancelled or aborted, with the reason) or paused."""

    stopped: dict[int, str] = field(default_factory=dict)
    paused: set[int] = field(default_factory=set)

    def holds_back(self, broadcast_id: int) -> bool:
        return broadcast_id in self.stopped or broadcast_id in self.paused


class LaneScheduler:
    """The lanes in memory, ordered by when each may send; wakes the dispatcher when one is due."""

    def __init__(self, controls: Controls, chat_ready_at: Callable[[int], float], clock: Clock) -> None:
        self.lanes: dict[int, Lane] = {}
        self._controls = controls
        self._chat_ready_at = chat_ready_at
        self._clock = clock
        self._waiting: list[tuple[float, int, int, int]] = []  # (ready_at, tie, chat_id, version)
        self._ready: list[tuple[int, int, int, int]] = []  # (-items left, tie, chat_id, version)
        self._tie = itertools.count()
        self._alarm = asyncio.Event()
        self._sleeping_until: float | None = None

    def add(self, lane: Lane) -> None:
        self.lanes[lane.chat_id] = lane
        self.schedule(lane)

    def schedule(self, lane: Lane) -> None:
        """(Re)queue ``lane`` for its ready time, and no earlier than its chat's spacing allows."""
        lane.ready_at = max(lane.ready_at, self._chat_ready_at(lane.chat_id))
        lane.version += 1
        heapq.heappush(self._waiting, (lane.ready_at, next(self._tie), lane.chat_id, lane.version))
        # Wake the dispatcher only if this lane is due before it would wake anyway: at slow rates
        # most lanes are rescheduled a second ahead, and a wake-up per message is measurable CPU.
        if self._sleeping_until is None or lane.ready_at < self._sleeping_until:
            self._alarm.set()

    def release(self, lane: Lane) -> bool:
        """``lane``'s send is over: requeue it, or forget it when it is empty. True if forgotten."""
        lane.busy = False
        if self.lanes.get(lane.chat_id) is not lane:
            return False
        if lane.items:
            self.schedule(lane)
            return False
        del self.lanes[lane.chat_id]
        return True

    def pop_ready(self) -> Lane | None:
        """The due lane with the most parts left whose head may be sent now, or None."""
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

    def _current(self, chat_id: int, version: int) -> Lane | None:
        lane = self.lanes.get(chat_id)
        if lane is None or lane.busy or lane.version != version:
            return None
        return lane

    def _trim_head(self, lane: Lane) -> bool:
        """Drop stopped items at the head; forget the lane if it is empty or its head is paused."""
        while lane.items and lane.items[0].broadcast_id in self._controls.stopped:
            lane.items.popleft()
        if not lane.items or lane.items[0].broadcast_id in self._controls.paused:
            # Its rows stay pending in the outbox and come back on resume.
            del self.lanes[lane.chat_id]
            return False
        return True

    # -- waking the dispatcher ------------------------------------------------------------------
    def wake(self) -> None:
        self._alarm.set()

    async def sleep(self, at_most: float) -> None:
        """Sleep until the next lane is due, something is scheduled sooner, or ``at_most`` seconds."""
        timeout = at_most
        if self._waiting:
            timeout = min(timeout, max(0.0, self._waiting[0][0] - self._clock()))
        self._alarm.clear()
        self._sleeping_until = self._clock() + timeout
        # A timer that sets the event is much cheaper than wait_for, which wraps the wait in a task
        # every time; this runs about once per message.
        timer = asyncio.get_running_loop().call_later(timeout, self._alarm.set)
        try:
            await self._alarm.wait()
        finally:
            timer.cancel()
            self._sleeping_until = None
