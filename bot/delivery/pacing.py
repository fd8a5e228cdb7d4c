"""Pacing at Telegram's limits, shared by broadcasts and interactive replies (one token budget).

- overall: evenly spaced slots at the configured rate (no bursts: aiolimiter-style buckets burst a
  full second's worth at once; Telegram's bulk limit is about 30 messages a second and it asks for
  notifications to be spread out: https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this);
- per private chat: at least ``chat_interval`` between two messages;
- per group: at most ``group_per_minute`` in any 60 s, spread evenly;
- a 429 pauses *all* sending until a deadline that only moves later, so nothing can release it
  early (the failure of PTB's AIORateLimiter, #5338).

The rate actually used is the configured limit less two allowances, both recomputed only when they
change (never per message), so a loaded machine does not push Telegram's count over the limit:

- **margin against jitter**: Telegram counts a rolling window of *arrivals*, and we only control
  when a request is handed to the event loop. A loop running late (CPU contention, a stall) holds
  requests back and then lets them out together, so N sends spaced over ``1 + guard`` seconds here
  may arrive closer together there. The Pacer measures how late its own sleeps wake up (the same
  queueing delay a request meets between the gate and the socket), keeps a decaying peak of it
  (a new peak is taken at once, it halves every ``margin_half_life`` seconds after; a stall counts
  from the last request through the gate, which it may have held back), and widens the rolling-second
  guard, the slot spacing and each chat's own spacing by that much:
  rate in use = limit / (1 + guard + margin), at most ``max_margin`` (0.25 s).
  Unloaded the margin is a few milliseconds, so the rate stays within 3% of the limit.
- **congestion backoff (AIMD)**: a 429 shrinks the rate in use by ``decrease`` (×0.8), at most once per
  pause (the sends already in flight answer 429 together), never below ``floor`` (half the limit);
  after the pause the rate grows back by ``increase`` of the limit per second without a 429 (0.8 → 1
  in about 10 s), as TCP does after a loss: multiplicative decrease, additive increase
  (RFC 5681, https://www.rfc-editor.org/rfc/rfc5681). The pause itself is unchanged.

The rolling second is counted by *answers*, not by departures. A request leaves at its gate, but
when it arrives is known only to Telegram: any time between the gate and its answer. So the window
holds the time each answer came back (the latest moment that request can have arrived), and a
request still unanswered counts as arriving now. A send passes the gate only if, so counted, the
last second holds fewer than ``rate``: whatever delays requests on their way (a loaded machine, the
network, the receiver's own pauses: a server that stops reading for 40 ms and then stamps 40
requests at once), the arrivals Telegram counts cannot exceed the limit. At a steady round trip
this costs nothing; it only holds sends back while answers are late. ``Pacer.sending`` wraps a
request: the gate on entry, the answer on exit.

``Pacer.rate_in_use(paid)`` says the rate being paced at; the admin's progress message shows it.
"""

from __future__ import annotations

import asyncio
import bisect
import math
import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]

# A wake-up this late is a stall of the event loop, not ordinary jitter (see ``Pacer.woke``).
STALL = 0.05
# The rolling second as the gate counts it, by answers: Telegram's second, plus 5 ms for how it
# may round its own stamps. Neither the guard nor the margin is needed here: an answer comes back
# after its request arrived, however late that was. The slots keep both, so at a steady round
# trip the gate finds room and does not hold sends back (each hold is one more wake-up).
ANSWERED_WINDOW = 1.005


def is_group(chat_id: int) -> bool:
    """Telegram gives groups, supergroups and channels negative ids."""
    return chat_id < 0


def burst_for(rate: float) -> int:
    """Slots per wake-up: about a third of a second's worth, 1 to 10 (10 at Telegram's 30/s).

    Each wake-up of the event loop costs about 0.2 ms of CPU on a small VM, as much as the rest of
    a send, and the answers to a group of requests written together come back together, so they
    share wake-ups too. In benchmark (a) (30/s, asyncio's loop), CPU per message: 0.91 ms with
    groups of 3, 0.67 with 6, 0.64 with 10. The cost: a reply queued behind a broadcast waits for the next group, at
    most a third of a second.

    A second holds whole groups only (see ``SlotClock``), so the size divides the rate when it can
    (28/s: 7, 25/s: 5); otherwise the largest size that keeps 96% of it."""
    whole = max(1, int(rate))
    target = max(1, min(10, whole // 3))
    for size in range(target, 0, -1):
        if whole % size == 0 and 2 * size >= target:
            return size
    return next(size for size in range(target, 0, -1) if size * (whole // size) >= 0.96 * whole)


class SlotClock:
    """Send times at ``rate`` per second: evenly spaced, and never more than ``rate`` arrivals in
    any rolling second at Telegram's side. Telegram (and the local imitation) count a rolling
    window of arrivals, which no delay on the way (a late event loop, the network, the receiver's
    own pauses) may bunch together: ``window_wait`` holds a send back until, counting unanswered
    requests as arriving now and answered ones at their answer, the last second has room.

    ``rate`` is the limit; the slots come at ``rate_in_use``: the limit less the guard (network
    jitter) and the measured margin (the loop's), times the congestion factor (see the module
    docstring), so that at a steady round trip the gate never has to hold a send back."""

    def __init__(
        self,
        rate: float,
        clock: Clock = time.monotonic,
        *,
        guard: float = 0.025,
        burst: int = 1,
        decrease: float = 0.8,
        floor: float = 0.5,
        increase: float = 0.02,
    ) -> None:
        self.limit = rate
        self._clock = clock
        self._guard = guard
        self._margin = 0.0
        # Congestion backoff: the share of the limit in use, in [floor, 1].
        self.factor = 1.0
        self._decrease, self._floor, self._increase = decrease, floor, increase
        self._held_until = 0.0  # 429s before this belong to the backoff already taken
        self._recover_at = math.inf  # next additive-increase step (inf: at the limit, nothing to do)
        # Slots are handed out ``burst`` at a time (groups ``burst`` intervals apart): the same
        # rate and the same rolling second, with a fraction of the event-loop wake-ups, which is
        # most of the CPU a message costs at slow rates.
        self._burst = max(1, burst)
        self._set_pace()
        # The calendar of reserved groups, sorted by start: each spans ``_span`` seconds, none
        # overlap, and each holds at most ``burst`` slots, all at its start (``_left`` counts what
        # is still free). So ``rate`` slots always span at least ``1 + guard`` seconds.
        # A slot reserved for later (a chat that must wait its own gap) takes a group at that
        # moment and leaves the slots before it to other chats.
        self._starts: list[float] = []
        self._left: list[int] = []
        # When the answers to the last ``rate`` requests came back, and how many requests are still
        # unanswered (see the module docstring: the rolling second is counted by answers).
        self._sent: deque[float] = deque(maxlen=max(1, int(rate)))
        self.unanswered = 0

    def _set_pace(self) -> None:
        # Slots come exactly as fast as the rolling-second check lets them through, so sends do not
        # queue up at the gate (where a growing delay would eat into the per-chat spacing).
        self._window = 1.0 + self._guard + self._margin
        # Whole groups per second: then any ``limit + 1`` slots span at least the window, wherever
        # the first of them falls in its group.
        groups = max(1, int(self.limit) // self._burst)
        self.rate_in_use = groups * self._burst * self.factor / self._window
        self.interval = 1.0 / self.rate_in_use
        self._span = self.interval * self._burst

    # -- the allowances -------------------------------------------------------------------------
    @property
    def margin(self) -> float:
        return self._margin

    def set_margin(self, margin: float) -> None:
        """Widen (or narrow back) the rolling second by ``margin`` seconds of measured lateness."""
        if margin != self._margin:
            self._margin = margin
            self._set_pace()

    def backoff(self) -> bool:
        """A 429: shrink the rate in use (once per pause). Returns whether it shrank."""
        now = self._clock()
        if now < self._held_until:
            return False
        self.factor = max(self._floor, self.factor * self._decrease)
        self._held_until = now + 1.0
        self._recover_at = now + 1.0
        self._set_pace()
        return True

    def hold(self, until: float) -> None:
        """The pause of the 429 just counted ends at ``until``: later 429s before it are the same
        episode, and recovery starts after it."""
        self._held_until = max(self._held_until, until)
        if self._recover_at != math.inf:
            self._recover_at = max(self._recover_at, until)

    def refresh(self, now: float) -> None:
        """Take the recovery steps due by ``now`` (``reserve`` does this itself)."""
        if now >= self._recover_at:
            self._recover(now)

    def _recover(self, now: float) -> None:
        steps = int(now - self._recover_at) + 1  # one step a second, however long since the last
        self.factor = min(1.0, self.factor + self._increase * steps)
        self._recover_at = math.inf if self.factor >= 1.0 else self._recover_at + steps
        self._set_pace()

    # -- slots ----------------------------------------------------------------------------------
    def reserve(self, not_before: float = 0.0) -> float:
        """Reserve the earliest free slot at or after ``not_before``; returns its time.

        Only the group that slot belongs to is taken: a slot far ahead (a chat waiting its own gap)
        does not move the next free slot of every other caller past it."""
        now = self._clock()
        if now >= self._recover_at:
            self._recover(now)
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
        """Seconds to wait before a send at ``now`` keeps the rolling second within ``rate``: the
        unanswered requests and the answers of the last second (``ANSWERED_WINDOW``) must leave
        room for one more. With every slot of the window taken by unanswered requests it
        returns a slot's interval: the wait is for an answer, not for a time."""
        sent = self._sent
        size = sent.maxlen or 1
        # Of the last ``size`` answers, the oldest ``unanswered + 1`` must be out of the window.
        i = self.unanswered - (size - len(sent))
        if i < 0:
            return 0.0
        if i >= len(sent):
            return self.interval
        return max(0.0, sent[i] + ANSWERED_WINDOW - now)

    def start(self) -> None:
        """A request passed the gate; its answer is still to come."""
        self.unanswered += 1

    def answered(self, at: float) -> None:
        """The answer to a request that passed the gate came back at ``at`` (or it failed then)."""
        if self.unanswered > 0:
            self.unanswered -= 1
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
        margin_half_life: float = 10.0,
        max_margin: float = 0.25,
        clock: Clock = time.monotonic,
    ) -> None:
        self._clock = clock
        self.free = SlotClock(rate, clock, burst=burst_for(rate))
        self.paid = SlotClock(paid_rate, clock, burst=burst_for(paid_rate)) if paid_rate else None
        self._clocks = (self.free,) if self.paid is None else (self.free, self.paid)
        # How late our own wake-ups fire: a decaying peak, the margin against jitter.
        self.margin_half_life = margin_half_life
        self.max_margin = max_margin
        self._late_peak = 0.0
        self._late_at = 0.0  # when the peak was last raised or decayed
        self._gated_at = 0.0  # when the last request passed the gate
        self._margin = 0.0  # the margin in force, which also widens each chat's own spacing
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

    def congested(self, seconds: float, *, paid: bool = False) -> float:
        """A 429: pause all sending (as ``pause``) and shrink the rate in use of the budget it was
        answered for (once per pause; it recovers on its own). Returns the pause's deadline."""
        until = self.pause(seconds)
        slots = self.paid if paid and self.paid is not None else self.free
        slots.backoff()
        slots.hold(until)
        return until

    # -- the rate in use ------------------------------------------------------------------------
    def limit(self, paid: bool = False) -> float:
        """The configured rate of the budget: the paid one for paid broadcasts."""
        return (self.paid if paid and self.paid is not None else self.free).limit

    def rate_in_use(self, paid: bool = False) -> float:
        """The rate actually paced at: the limit less the margin against jitter and any backoff."""
        slots = self.paid if paid and self.paid is not None else self.free
        now = self._clock()
        self.woke(0.0, now)  # an idle margin decays too
        slots.refresh(now)
        return slots.rate_in_use

    @property
    def margin(self) -> float:
        """Seconds the rolling second (and each chat's spacing) is widened by, against the event
        loop's lateness."""
        return self._margin

    def woke(self, late: float, now: float) -> None:
        """A sleep due ``late`` seconds ago woke now. Runs once per wake-up: a new peak is taken at
        once; otherwise, at most once a second, the peak decays by its half-life.

        A wake-up late by more than ``STALL`` means the loop was stuck, and the stall may have begun
        right after the last request passed the gate, before it was written: that request and the
        ones after the stall arrive together, so the lateness counted is from that gate."""
        if late > STALL:
            late = max(late, now - self._gated_at)
        if late > self._late_peak:
            self._late_peak = late
            self._late_at = now
        elif now - self._late_at >= 1.0 and self._late_peak > 0.0:
            peak = self._late_peak * 0.5 ** ((now - self._late_at) / self.margin_half_life)
            self._late_peak = peak if peak >= 1e-4 else 0.0
            self._late_at = now
        else:
            return
        margin = min(self.max_margin, self._late_peak)
        self._margin = margin
        for slots in self._clocks:
            slots.set_margin(margin)

    # -- per chat -------------------------------------------------------------------------------
    def chat_ready_at(self, chat_id: int) -> float:
        """Earliest time the next message to ``chat_id`` may go, by the per-chat limits alone."""
        last = self._last.get(chat_id)
        if last is None:
            return 0.0
        # A chat's own spacing is widened by the margin too: a stall bunches its parts as well.
        if not is_group(chat_id):
            return last + self.chat_interval + self._margin
        ready = last + self.group_interval + self._margin
        sends = self._group_sends.get(chat_id)
        if sends is not None and len(sends) >= self._group_per_minute:
            ready = max(ready, sends[0] + 60.0 + self._margin)
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

    async def acquire(self, chat_id: int | None, *, paid: bool = False) -> None:
        """Wait until the slot of a message to ``chat_id`` comes; the request then goes through
        ``sending()`` right before it is written (the delivery engine does this inside the send
        task, so an event-loop stall between the two cannot bunch requests together)."""
        at = self.reserve(chat_id, paid=paid)
        while True:
            now = self._clock()
            if at > now:
                await asyncio.sleep(at - now)
                now = self._clock()
                self.woke(now - at, now)
            if now < self._paused_until:
                # A 429 arrived while we waited: take a fresh slot after the pause.
                at = self.reserve(chat_id, paid=paid)
                continue
            break

    async def gate(self, chat_id: int | None = None, *, paid: bool = False) -> None:
        """The last check before a request is written: no 429 pause in force, and the rolling
        second has room. Counts the request as unanswered (and, for the chat, when it really went)
        until ``answered``; use ``sending()``, which pairs the two."""
        slots = self.paid if paid and self.paid is not None else self.free
        due = 0.0
        while True:
            now = self._clock()
            if due:
                self.woke(now - due, now)
            wait = max(self._paused_until - now, slots.window_wait(now))
            if wait <= 0:
                slots.start()
                self._gated_at = now
                if chat_id is not None and now > self._last.get(chat_id, 0.0):
                    self._last[chat_id] = now
                return
            due = now + wait
            await asyncio.sleep(wait)

    def answered(self, chat_id: int | None = None, *, paid: bool = False) -> None:
        """The answer to a request that passed ``gate`` came back now (or the request failed): it
        enters the rolling second at this time, the latest it can have arrived, and so does the
        chat's last message. Exactly once per ``gate``; ``sending`` pairs them."""
        slots = self.paid if paid and self.paid is not None else self.free
        now = self._clock()
        slots.answered(now)
        if chat_id is not None and now > self._last.get(chat_id, 0.0):
            self._last[chat_id] = now

    def sending(self, chat_id: int | None = None, *, paid: bool = False) -> Sending:
        """``async with pacer.sending(chat):`` the gate on entry, the answer on exit (whatever the
        outcome, an exception included)."""
        return Sending(self, chat_id, paid)


class Sending:
    """One request between the Pacer's gate and its answer (see ``Pacer.sending``)."""

    __slots__ = ("_chat_id", "_pacer", "_paid")

    def __init__(self, pacer: Pacer, chat_id: int | None, paid: bool) -> None:
        self._pacer, self._chat_id, self._paid = pacer, chat_id, paid

    async def __aenter__(self) -> None:
        await self._pacer.gate(self._chat_id, paid=self._paid)

    async def __aexit__(self, *exc: object) -> None:
        self._pacer.answered(self._chat_id, paid=self._paid)
