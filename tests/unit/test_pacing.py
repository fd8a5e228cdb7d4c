"""The Pacer with a fake clock: overall spacing, rolling second, per-chat and per-group limits, 429 pauses."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter

import pytest

from bot.delivery.pacing import ANSWERED_WINDOW, Pacer, SlotClock
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
        slots.answered(1000.0 + i * 0.01)  # ten answers bunched into 0.1 s (a late event loop)
    clock.now = 1000.5
    assert slots.window_wait(clock.now) == pytest.approx(1000.0 + ANSWERED_WINDOW - 1000.5)


def test_the_rolling_second_counts_answers_and_what_is_unanswered() -> None:
    clock = FakeClock()
    slots = SlotClock(10, clock, guard=0.02)
    for _ in range(10):
        slots.start()  # ten requests passed the gate; none answered yet
    assert slots.window_wait(clock.now) == slots.interval  # a wait for an answer, not for a time
    # the receiver held them 0.3 s (a pause of its own): they may all have arrived just now
    clock.now += 0.3
    for _ in range(10):
        slots.answered(clock.now)
    assert slots.unanswered == 0
    assert slots.window_wait(clock.now) == pytest.approx(ANSWERED_WINDOW)  # counted from the answers
    assert slots.window_wait(clock.now + ANSWERED_WINDOW) == 0.0


def test_an_unanswered_request_takes_the_place_of_the_oldest_answer() -> None:
    clock = FakeClock()
    slots = SlotClock(4, clock, guard=0.0)
    for i in range(4):
        slots.answered(1000.0 + i * 0.1)  # answers at 1000.0, .1, .2, .3
    slots.start()  # one still on its way
    # room for one more only once two answers are over a second old (one for the unanswered)
    assert slots.window_wait(1000.5) == pytest.approx(1000.1 + ANSWERED_WINDOW - 1000.5)


async def test_sending_pairs_the_gate_with_the_answer_even_on_error() -> None:
    clock = FakeClock()
    pacer = Pacer(30, clock=clock)
    async with pacer.sending(5):
        assert pacer.free.unanswered == 1
    assert pacer.free.unanswered == 0
    with pytest.raises(RuntimeError):
        async with pacer.sending(6):
            clock.now += 0.5
            raise RuntimeError("connection reset")
    assert pacer.free.unanswered == 0
    # the chat's last message counts from the answer, the latest it can have arrived
    assert pacer.chat_ready_at(6) == pytest.approx(clock.now + pacer.chat_interval)


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
    free = [pacer.reserve(i) for i in range(1000, 1031)]
    assert free[-1] - free[0] >= 1.0  # the 31st free send is a second after the first


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


# -- the margin against jitter and the congestion backoff (issue 9) ----------------------------


def _spans(times: list[float], n: int) -> float:
    """The shortest time any ``n`` consecutive slots span."""
    return min(b - a for a, b in zip(times, times[n - 1 :], strict=False))


def test_an_unloaded_pacer_paces_at_the_limit_less_the_guard() -> None:
    clock = FakeClock()
    pacer = Pacer(30, clock=clock)
    assert pacer.margin == 0.0
    assert pacer.rate_in_use() == pacer.free.rate_in_use == 30 / (1 + 0.025)
    times = [pacer.reserve(c) for c in range(1, 301)]
    # no rolling second holds more than the limit, and the slots are the full rate: nothing given away
    assert _spans(times, 31) >= 1.0
    assert times[-1] - times[0] <= 300 / (30 / 1.025)


def test_late_wakeups_widen_the_margin_at_once_and_it_decays_back() -> None:
    clock = FakeClock()
    pacer = Pacer(30, clock=clock, margin_half_life=10.0)
    unloaded = pacer.rate_in_use()
    pacer.woke(0.004, clock.now)
    pacer.woke(0.040, clock.now)  # 40 ms late: the next sends may bunch by that much
    pacer.woke(0.010, clock.now)  # a smaller lateness does not lower the peak
    assert pacer.margin == 0.040
    loaded = pacer.rate_in_use()
    assert loaded < unloaded
    # the spacing is widened by the margin: any 30 slots span the widened second
    times = [pacer.reserve(c) for c in range(1, 121)]
    assert _spans(times, 31) >= 1.0 + 0.040
    # without further late wake-ups the margin halves every half-life and the rate comes back
    margins = []
    for _ in range(60):
        clock.now += 1.0
        pacer.woke(0.0, clock.now)
        margins.append(pacer.margin)
    assert margins == sorted(margins, reverse=True)
    assert margins[9] <= 0.040 / 2 + 1e-9 and margins[19] <= 0.040 / 4 + 1e-9
    assert pacer.margin <= 0.040 / 32 + 1e-9  # six half-lives
    assert pacer.rate_in_use() >= 0.999 * unloaded


async def test_a_stall_counts_from_the_last_request_through_the_gate() -> None:
    clock = FakeClock()
    pacer = Pacer(30, clock=clock)
    await pacer.gate(1)  # a request passed the gate; the loop stalls before it is written
    clock.now += 0.2
    pacer.woke(0.12, clock.now)  # the next wake-up was due 0.08 s into the stall
    assert pacer.margin == pytest.approx(0.2)  # that request arrives 0.2 s late, with the next ones
    clock.now += 60.0
    pacer.woke(0.0, clock.now)
    pacer.woke(0.01, clock.now)  # ordinary jitter counts as itself
    assert pacer.margin == pytest.approx(0.01, abs=0.005)


def test_the_margin_has_a_ceiling() -> None:
    clock = FakeClock()
    pacer = Pacer(30, clock=clock, max_margin=0.25)
    pacer.woke(5.0, clock.now)  # a machine suspended for 5 s is not a reason to crawl for minutes
    assert pacer.margin == 0.25


async def test_a_blocked_event_loop_is_measured() -> None:
    pacer = Pacer(5)  # one slot per wake-up, 0.2 s apart
    pacer.reserve(1)
    waiter = asyncio.create_task(pacer.acquire(2))  # the next slot: 0.2 s ahead
    await asyncio.sleep(0)  # the waiter is asleep until its slot
    # The stimulus, not a wait: the loop is blocked well past the slot (a CPU hog, a stall).
    time.sleep(0.45)  # noqa: ASYNC251
    await asyncio.wait_for(waiter, timeout=10)
    assert pacer.margin >= 0.2  # a lower bound: a slower machine only wakes it later


def test_a_429_shrinks_the_rate_once_per_pause_and_it_recovers() -> None:
    clock = FakeClock()
    pacer = Pacer(30, clock=clock, pause_margin=0.5)
    full = pacer.rate_in_use()
    until = pacer.congested(2)
    assert until == clock.now + 2.5
    assert pacer.rate_in_use() == pytest.approx(full * 0.8)
    # sends in flight answer 429 too: the same episode, no further decrease
    clock.now += 0.3
    pacer.congested(2)
    assert pacer.rate_in_use() == pytest.approx(full * 0.8)
    # slots after the pause come at the lowered rate
    times = [pacer.reserve(c) for c in range(1, 201)]
    assert min(times) >= until
    in_five_seconds = sum(1 for t in times if t < until + 5.0)
    assert in_five_seconds <= full * 0.8 * 5 + pacer.free._burst  # whole groups: at most one more
    # no recovery while paused; then additive increase, a step a second, up to the limit and no higher
    clock.now = until - 0.1
    assert pacer.rate_in_use() == pytest.approx(full * 0.8)
    seen = []
    for _ in range(40):
        clock.now += 1.0
        seen.append(pacer.rate_in_use())
    assert seen == sorted(seen)
    assert seen[2] < full  # gradual, not at once
    assert max(seen) == seen[-1] == full


def test_repeated_429s_back_off_multiplicatively_down_to_the_floor() -> None:
    clock = FakeClock()
    pacer = Pacer(30, clock=clock, pause_margin=0.5)
    full = pacer.rate_in_use()
    rates = []
    for _ in range(6):
        until = pacer.congested(1)
        rates.append(pacer.rate_in_use())
        clock.now = until + 0.01  # the retry after the pause is answered 429 again
    assert rates[:3] == pytest.approx([full * 0.8, full * 0.8**2, full * 0.8**3])
    assert rates[-1] == pytest.approx(full * 0.5)  # the floor: half the limit
    assert all(r >= full * 0.5 - 1e-9 for r in rates)


def test_a_paid_429_shrinks_the_paid_budget_only() -> None:
    clock = FakeClock()
    pacer = Pacer(30, paid_rate=1000, clock=clock)
    free, paid = pacer.rate_in_use(), pacer.rate_in_use(paid=True)
    pacer.congested(1, paid=True)
    assert pacer.rate_in_use(paid=True) == pytest.approx(paid * 0.8)
    assert pacer.rate_in_use() == free
    assert pacer.limit() == 30 and pacer.limit(paid=True) == 1000


async def test_the_rate_limiter_backs_off_on_a_429_to_a_reply_or_a_broadcast() -> None:
    from telegram.error import RetryAfter

    from bot.ptb.rate_limiter import PacedRateLimiter

    clock = FakeClock()
    pacer = Pacer(30, paid_rate=1000, clock=clock)
    free, paid = pacer.rate_in_use(), pacer.rate_in_use(paid=True)
    limiter = PacedRateLimiter(pacer, interactive_retries=0)

    async def refused() -> bool:
        raise RetryAfter(3)

    with pytest.raises(RetryAfter):
        await limiter.process_request(refused, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert pacer.rate_in_use() < free and pacer.rate_in_use(paid=True) == paid
    clock.now += 60.0  # recovered
    assert pacer.rate_in_use() == free
    broadcast = {"chat_id": 6, "allow_paid_broadcast": True}
    with pytest.raises(RetryAfter):
        await limiter.process_request(refused, (), {}, "sendMessage", broadcast, {"broadcast": True})
    assert pacer.rate_in_use(paid=True) < paid and pacer.rate_in_use() == free


def test_the_margin_widens_each_chats_own_spacing_too() -> None:
    clock = FakeClock()
    pacer = Pacer(1000, clock=clock, chat_interval=1.05, group_per_minute=20)
    pacer.woke(0.04, clock.now)
    first = pacer.reserve(42)
    assert pacer.reserve(42) >= first + 1.05 + 0.04
    group = [pacer.reserve(-7) for _ in range(21)]
    assert min(b - a for a, b in itertools.pairwise(group)) >= 3.15 + 0.04 - 1e-9
    assert group[20] - group[0] >= 60.0 + 0.04
