"""The Pacer with a fake clock: overall spacing, rolling second, per-chat and per-group limits, 429 pauses."""

from __future__ import annotations

import itertools
import random
from collections import Counter

from bot.delivery.pacing import Pacer, SlotClock
from tests.delivery_helpers import FakeClock


def test_slots_are_evenly_spaced_at_the_rate() -> None:
    clock = FakeClock()
    slots = SlotClock(25, clock, guard=0.025)
    times = [slots.reserve() for _ in range(50)]
    gaps = {round(b - a, 6) for a, b in itertools.pairwise(times)}
    assert gaps == {0.041}  # 25/s less the jitter guard: 24.4/s


def test_rolling_second_holds_back_a_late_burst() -> None:
    clock = FakeClock()
    slots = SlotClock(10, clock, guard=0.02)
    for i in range(10):
        slots.record(1000.0 + i * 0.01)  # ten sends bunched into 0.1 s (a late event loop)
    clock.now = 1000.5
    assert slots.window_wait(clock.now) == 1000.0 + 1.0 + 0.02 - 1000.5


def test_private_chat_waits_a_second_and_groups_twenty_a_minute() -> None:
    clock = FakeClock()
    pacer = Pacer(1000, clock=clock, chat_interval=1.05, group_per_minute=20)
    first = pacer.reserve(42)
    assert pacer.reserve(42) >= first + 1.05
    group_times = [pacer.reserve(-7) for _ in range(21)]
    gaps = [b - a for a, b in itertools.pairwise(group_times)]
    assert min(gaps) >= 3.0  # spread evenly: 20 a minute, never a burst
    assert group_times[20] - group_times[0] >= 60.0  # the 21st is a minute after the 1st


def test_a_429_pause_only_moves_later() -> None:
    clock = FakeClock()
    pacer = Pacer(30, clock=clock, pause_margin=0.5)
    long_pause = pacer.pause(10)
    short_pause = pacer.pause(1)  # a later, shorter 429 must not release the first one early
    assert short_pause == long_pause == 1010.5
    assert pacer.reserve(5) >= 1010.5
    assert pacer.reserve(None) >= 1010.5


def test_paid_broadcasts_use_their_own_budget() -> None:
    clock = FakeClock()
    pacer = Pacer(30, paid_rate=1000, clock=clock)
    paid = [pacer.reserve(i, paid=True) for i in range(1, 101)]
    assert paid[-1] - paid[0] < 0.11  # 100 paid sends in about 0.1 s
    free = [pacer.reserve(i) for i in range(1000, 1010)]
    assert free[-1] - free[0] >= 9 / 30


def test_grouped_slots_keep_the_rate_when_the_loop_is_slow() -> None:
    clock = FakeClock()
    slots = SlotClock(1000, clock, burst=4)
    start = clock.now
    times = []
    for _ in range(3000):
        at = slots.reserve()
        times.append(at)
        clock.now = max(clock.now, at) + 0.0008  # each dispatch costs the loop 0.8 ms
    in_first_second = sum(1 for t in times if t < start + 1.0)
    assert 950 <= in_first_second <= 1000
    # never more than `burst` slots at one instant, never more than the rate in a rolling second
    assert max(Counter(times).values()) <= 4
    assert all(b - a >= 1.0 for a, b in zip(times, times[1000:], strict=False))


def test_a_chat_waiting_its_gap_does_not_delay_other_chats() -> None:
    clock = FakeClock()
    pacer = Pacer(25, clock=clock, chat_interval=1.05)
    first = pacer.reserve(1)
    second = pacer.reserve(1)
    assert second >= first + 1.05  # chat 1 waits its own second
    other = pacer.reserve(2)
    assert other < first + 0.1  # chat 2 is not pushed behind chat 1's wait
    # and the whole budget before chat 1's second slot stays usable by everyone else
    more = [pacer.reserve(c) for c in range(3, 40)]
    in_gap = sum(1 for t in [other, *more] if t < second)
    assert in_gap >= 22  # 24.4/s less at most one group lost next to chat 1's slot


def test_future_slots_keep_the_rate() -> None:
    rng = random.Random(7)
    for rate in (10, 25, 30, 1000):
        clock = FakeClock()
        slots = SlotClock(rate, clock, burst=4 if rate >= 40 else 2)
        times = []
        for _ in range(3000):
            not_before = clock.now + rng.choice([0.0, 0.0, 0.0, rng.uniform(0, 2.0), 1.05, 3.15])
            at = slots.reserve(not_before)
            assert at >= not_before
            times.append(at)
            clock.now += rng.uniform(0, 1.5 / rate)
        # as strict as without future slots: at most ``burst`` at one instant, instants a group apart
        assert max(Counter(times).values()) <= slots._burst
        instants = sorted(set(times))
        assert min(b - a for a, b in itertools.pairwise(instants)) >= slots.interval * slots._burst - 1e-9
