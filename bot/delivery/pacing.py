"""Pacing at Telegram's limits, shared by broadcasts and interactive replies (one token budget).

- overall: evenly spaced slots at the configured rate (no bursts: aiolimiter-style buckets burst a
  full second's worth at once; Telegram's bulk limit is about 30 messages a second and it asks for
  notifications to be spread out: https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this);
- per private chat: at least ``chat_interval`` between two messages;
- per group: at most ``group_per_minute`` in any 60 s, spread evenly;
- a 429 pauses *all* sending until a deadline that only moves later, so nothing can release it
  early (the failure of PTB's AIORateLimiter, #5338).
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]


def is_group(chat_id: int) -> bool:
    """Telegram gives groups, supergroups and channels negative ids."""
    return chat_id < 0


def burst_for(rate: float) -> int:
    """Slots per wake-up: 1 below 20/s, 2-3 around Telegram's 30/s, 4 at most."""
    return max(1, min(4, int(rate // 10)))


class SlotClock:
    """Send times at ``rate`` per second: evenly spaced, and never more than ``rate`` in any
    rolling second of *actual* dispatch times. Telegram (and the local imitation) count a rolling
    window of arrivals, so a late wake-up of the event loop must not bunch requests together:
    ``window_wait`` holds a send back until the oldest of the last ``rate`` sends is over a second
    (plus ``guard`` for network jitter) old."""

    def __init__(self, rate: float, clock: Clock = time.monotonic, *, guard: float = 0.025, burst: int = 1) -> None:
        # Slots come exactly as fast as the rolling-second check lets them through, so sends do not
        # queue up at the gate (where a growing delay would eat into the per-chat spacing).
        self.interval = (1.0 + guard) / rate
        self._clock = clock
        self._guard = guard
        # Slots are handed out ``burst`` at a time (groups ``burst`` intervals apart): the same
        # rate and the same rolling second, with a fraction of the event-loop wake-ups, which is
        # most of the CPU a message costs at slow rates.
        self._burst = max(1, burst)
        self._span = self.interval * self._burst
        # The calendar of reserved groups, sorted by start: each spans ``_span`` seconds, none
        # overlap, and each holds at most ``burst`` slots, all at its start (``_left`` counts what
        # is still free). So ``rate`` slots always span at least ``1 + guard`` seconds.
        # A slot reserved for later (a chat that must wait its own gap) takes a group at that
        # moment and leaves the slots before it to other chats.
        self._starts: list[float] = []
        self._left: list[int] = []
        self._sent: deque[float] = deque(maxlen=max(1, int(rate)))

    def reserve(self, not_before: float = 0.0) -> float:
        """Reserve the earliest free slot at or after ``not_before``; returns its time.

        Only the group that slot belongs to is taken: a slot far ahead (a chat waiting its own gap)
        does not move the next free slot of every other caller past it."""
        now = self._clock()
        start = max(now, not_before)
        starts, left, span = self._starts, self._left, self._span
        # Groups over before now can never be given out again.
        if starts and starts[0] + span <= now:
            drop = bisect.bisect_right(starts, now - span)
            del starts[:drop], left[:drop]
        # The group that contains ``start`` (if any) or the first one after it.
        i = bisect.bisect_right(starts, start) - 1
        if i < 0 or starts[i] + span <= start:
            i += 1
        candidate = start
        while i < len(starts):
            g = starts[i]
            if g <= candidate:  # ``candidate`` falls inside this group
                if left[i] > 0 and g >= not_before:
                    left[i] -= 1
                    return g
                candidate = g + span
                i += 1
                continue
            if candidate + span <= g:
                break  # a whole group fits in the gap before it
            if left[i] > 0:  # too small a gap: share the next group instead
                left[i] -= 1
                return g
            candidate = g + span
            i += 1
        starts.insert(i, candidate)
        left.insert(i, self._burst - 1)
        return candidate

    def window_wait(self, now: float) -> float:
        """Seconds to wait before a send at ``now`` keeps the rolling second within ``rate``."""
        sent = self._sent
        if sent.maxlen is not None and len(sent) == sent.maxlen:
            return max(0.0, sent[0] + 1.0 + self._guard - now)
        return 0.0

    def record(self, at: float) -> None:
        self._sent.append(at)


class Pacer:
    """Decides when a message to a chat may go out."""

    def __init__(
        self,
        rate: float,
        *,
        paid_rate: float | None = None,
        chat_interval: float = 1.05,
        group_per_minute: int = 20,
        pause_margin: float = 0.5,
        clock: Clock = time.monotonic,
    ) -> None:
        self._clock = clock
        self.free = SlotClock(rate, clock, burst=burst_for(rate))
        self.paid = SlotClock(paid_rate, clock, burst=burst_for(paid_rate)) if paid_rate else None
        self.chat_interval = chat_interval
        self.group_interval = 60.0 / group_per_minute * 1.05
        self._group_per_minute = group_per_minute
        self.pause_margin = pause_margin
        self._paused_until = 0.0
        self._last: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._last_prune = 0.0

    # -- global pause ---------------------------------------------------------------------------
    def pause(self, seconds: float) -> float:
        """Stop all sending for ``seconds`` (+ margin). The deadline never moves earlier."""
        until = self._clock() + seconds + self.pause_margin
        if until > self._paused_until:
            self._paused_until = until
        return self._paused_until

    # -- per chat -------------------------------------------------------------------------------
    def chat_ready_at(self, chat_id: int) -> float:
        """Earliest time the next message to ``chat_id`` may go, by the per-chat limits alone."""
        last = self._last.get(chat_id)
        if last is None:
            return 0.0
        if not is_group(chat_id):
            return last + self.chat_interval
        ready = last + self.group_interval
        sends = self._group_sends.get(chat_id)
        if sends is not None and len(sends) >= self._group_per_minute:
            ready = max(ready, sends[0] + 60.0)
        return ready

    def _record(self, chat_id: int, at: float) -> None:
        self._last[chat_id] = at
        if is_group(chat_id):
            sends = self._group_sends.setdefault(chat_id, deque(maxlen=self._group_per_minute))
            sends.append(at)
        if at - self._last_prune > 30.0:
            self._prune(at)

    def _prune(self, now: float) -> None:
        """Forget chats idle for over a minute: memory stays bounded by recent activity."""
        self._last_prune = now
        stale = [c for c, t in self._last.items() if now - t > 61.0]
        for chat_id in stale:
            del self._last[chat_id]
            self._group_sends.pop(chat_id, None)

    # -- acquiring a slot -----------------------------------------------------------------------
    def reserve(self, chat_id: int | None, *, paid: bool = False) -> float:
        """Reserve a send time for a message to ``chat_id`` and record it; returns the time."""
        not_before = self._paused_until
        if chat_id is not None:
            not_before = max(not_before, self.chat_ready_at(chat_id))
        slots = self.paid if paid and self.paid is not None else self.free
        at = slots.reserve(not_before)
        if chat_id is not None:
            self._record(chat_id, at)
        return at

    async def acquire(self, chat_id: int | None, *, paid: bool = False, gate: bool = True) -> None:
        """Wait until a message to ``chat_id`` may go.

        With ``gate=False`` only the slot is waited for; the caller must then pass ``gate()`` right
        before the request is written (the delivery engine does this inside the send task, so an
        event-loop stall between the two cannot bunch requests together).
        """
        at = self.reserve(chat_id, paid=paid)
        while True:
            delay = at - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            if self._clock() < self._paused_until:
                # A 429 arrived while we waited: take a fresh slot after the pause.
                at = self.reserve(chat_id, paid=paid)
                continue
            break
        if gate:
            await self.gate(chat_id, paid=paid)

    async def gate(self, chat_id: int | None = None, *, paid: bool = False) -> None:
        """The last check before a request is written: no 429 pause in force, and the rolling
        second of actual sends has room. Counts the send (and, for the chat, when it really went)."""
        slots = self.paid if paid and self.paid is not None else self.free
        while True:
            now = self._clock()
            wait = max(self._paused_until - now, slots.window_wait(now))
            if wait <= 0:
                slots.record(now)
                if chat_id is not None and now > self._last.get(chat_id, 0.0):
                    self._last[chat_id] = now
                return
            await asyncio.sleep(wait)
