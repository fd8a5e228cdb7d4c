"""Lane scheduling: which chat's message goes next, and when the dispatcher must wake.

- Each chat is a *lane*: its pending items in (broadcast, seq) order. Only one item of a lane is
  ever in flight, so parts reach a chat strictly in order, and broadcasts queue up behind each other.
- The item a lane sends next is its first one whose broadcast is not paused: a paused broadcast
  keeps its items (and its rows stay pending in the outbox) while a later broadcast's parts go on;
  on resume its items are first again. Items of a stopped broadcast are dropped. A lane with
  nothing it may send is forgotten (the loader brings it back when there is).
- Lanes waiting for their per-chat spacing (or a retry's back-off, or a 429 pause) sit in a heap by
  ready time. Lanes that are due move to a second heap ordered by the wall time the lane still
  needs at its own pace: ``(parts it may send - 1) × its spacing``, the spacing being the Pacer's
  ``chat_interval`` (1.05 s) for a private chat and ``group_interval`` (3.15 s, which also keeps a
  group under 20 a minute) for a group. The due lane needing the most time goes first (longest
  processing time first), so groups and chats held back by retries start early and the broadcast
  ends when the limits allow, not on a tail of groups sending one part every 3 s after everyone else.
  Ties keep the order in which lanes became due.
- Heap entries carry the lane's version; every reschedule bumps it, so older entries are skipped.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.delivery.pacing import Clock, is_group


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
    busy: bool = False  # ``head`` is being sent
    version: int = 0
    head: Item | None = None  # the item the scheduler handed out last (see ``LaneScheduler.pop_ready``)

    def pop(self, item: Item) -> None:
        """Done with ``item``: drop it from the lane (it is the first item unless a paused
        broadcast's items are before it)."""
        items = self.items
        if items and items[0] is item:
            items.popleft()
            return
        for i, queued in enumerate(items):
            if queued is item:
                del items[i]
                return


@dataclass(slots=True)
class Controls:
    """Broadcasts the engine must not send: stopped (cancelled or aborted, with the reason) or paused."""

    stopped: dict[int, str] = field(default_factory=dict)
    paused: set[int] = field(default_factory=set)

    def holds_back(self, broadcast_id: int) -> bool:
        return broadcast_id in self.stopped or broadcast_id in self.paused

    def sendable(self, items: deque[Item]) -> Item | None:
        """The first of ``items`` that may be sent now (stopped and paused broadcasts are skipped)."""
        stopped, paused = self.stopped, self.paused
        if not stopped and not paused:
            return items[0] if items else None
        for item in items:
            if item.broadcast_id not in stopped and item.broadcast_id not in paused:
                return item
        return None


class LaneScheduler:
    """The lanes in memory, ordered by when each may send; wakes the dispatcher when one is due."""

    def __init__(
        self,
        controls: Controls,
        chat_ready_at: Callable[[int], float],
        clock: Clock,
        *,
        chat_interval: float = 1.05,
        group_interval: float = 3.15,
    ) -> None:
        self.lanes: dict[int, Lane] = {}
        self._controls = controls
        self._chat_ready_at = chat_ready_at
        self._clock = clock
        self._chat_interval = chat_interval
        self._group_interval = group_interval
        self._waiting: list[tuple[float, int, int, int]] = []  # (ready_at, tie, chat_id, version)
        self._ready: list[tuple[float, int, int, int]] = []  # (-time still needed, tie, chat_id, version)
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

    def time_needed(self, lane: Lane, now: float) -> float:
        """Seconds from ``now`` until ``lane`` could be done at its own pace: what is left of its
        wait (its spacing, a retry's back-off; nothing once it is due), then one spacing (1.05 s, a
        group's 3.15 s) per further part it may send."""
        paused = self._controls.paused
        parts = len(lane.items)
        if paused:
            parts -= sum(1 for item in lane.items if item.broadcast_id in paused)
        spacing = self._group_interval if is_group(lane.chat_id) else self._chat_interval
        return max(0.0, lane.ready_at - now) + max(0, parts - 1) * spacing

    def pop_ready(self) -> Lane | None:
        """The due lane that needs the most time still and has a part it may send now, or None.
        Its ``head`` is set to that part."""
        now = self._clock()
        waiting, ready = self._waiting, self._ready
        while waiting and waiting[0][0] <= now:
            _, tie, chat_id, version = heapq.heappop(waiting)
            lane = self._current(chat_id, version)
            if lane is not None:
                heapq.heappush(ready, (-self.time_needed(lane, now), tie, chat_id, version))
        while ready:
            _, _, chat_id, version = heapq.heappop(ready)
            lane = self._current(chat_id, version)
            if lane is not None and (head := self._trim_head(lane)) is not None:
                lane.head = head
                return lane
        return None

    def _current(self, chat_id: int, version: int) -> Lane | None:
        lane = self.lanes.get(chat_id)
        if lane is None or lane.busy or lane.version != version:
            return None
        return lane

    def _trim_head(self, lane: Lane) -> Item | None:
        """Drop stopped items at the head; return the first item that may be sent (skipping paused
        broadcasts), or forget the lane if there is none."""
        stopped = self._controls.stopped
        items = lane.items
        while items and items[0].broadcast_id in stopped:
            items.popleft()
        head = self._controls.sendable(items)
        if head is None:
            # Its rows stay pending in the outbox; the loader brings the chat back when it has
            # something to send (a broadcast resumed, or a new one queued).
            del self.lanes[lane.chat_id]
        return head

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
