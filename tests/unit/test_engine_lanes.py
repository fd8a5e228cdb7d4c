"""Lane scheduling with a fake clock: which chat goes next (the one that still needs the most time),
per-chat spacing, retries, stopped and paused broadcasts."""

from __future__ import annotations

import asyncio
from collections import deque

from bot.delivery.lanes import Controls, Item, Lane, LaneScheduler
from bot.delivery.pacing import Pacer
from tests.delivery_helpers import FakeClock


def lane(chat_id: int, parts: int, broadcast_id: int = 1, ready_at: float = 0.0) -> Lane:
    items = deque(Item(chat_id * 100 + s, broadcast_id, s, attempts=0) for s in range(1, parts + 1))
    return Lane(chat_id, items, ready_at=ready_at)


def scheduler(clock: FakeClock, controls: Controls | None = None) -> tuple[LaneScheduler, Pacer]:
    pacer = Pacer(1000, clock=clock, chat_interval=1.05)
    lanes = LaneScheduler(
        controls or Controls(),
        pacer.chat_ready_at,
        clock,
        chat_interval=pacer.chat_interval,
        group_interval=pacer.group_interval,
    )
    return lanes, pacer


def drain(lanes: LaneScheduler) -> list[int]:
    """Chat ids in the order the scheduler hands them out now (each taken once)."""
    order = []
    while (got := lanes.pop_ready()) is not None:
        got.busy = True
        order.append(got.chat_id)
    return order


def test_ready_lanes_with_most_parts_left_go_first() -> None:
    clock = FakeClock()
    lanes, _ = scheduler(clock)
    for chat_id, parts in [(1, 2), (2, 6), (3, 4), (4, 6)]:
        lanes.add(lane(chat_id, parts))
    assert drain(lanes) == [2, 4, 3, 1]  # ties keep the order they were scheduled in


def test_a_lane_waits_for_its_ready_time_and_its_chats_spacing() -> None:
    clock = FakeClock()
    lanes, pacer = scheduler(clock)
    pacer.reserve(7)  # a message to chat 7 goes out now
    lanes.add(lane(7, 3))
    lanes.add(lane(8, 3, ready_at=clock.now + 0.5))
    assert lanes.pop_ready() is None
    clock.now += 0.5
    assert drain(lanes) == [8]
    clock.now += 0.6  # past 1.05 s after chat 7's last send
    assert drain(lanes) == [7]


def test_a_busy_lane_is_not_handed_out_again_and_a_reschedule_replaces_the_old_entry() -> None:
    clock = FakeClock()
    lanes, _ = scheduler(clock)
    chat = lane(5, 3)
    lanes.add(chat)
    lanes.schedule(chat)  # rescheduled before it was taken: one entry counts, not two
    taken = lanes.pop_ready()
    assert taken is chat
    taken.busy = True
    assert lanes.pop_ready() is None
    chat.items.popleft()  # its head was sent
    chat.ready_at = clock.now + 1.0
    assert lanes.release(chat) is False  # still has parts: requeued, not forgotten
    assert lanes.pop_ready() is None
    clock.now += 1.0
    assert lanes.pop_ready() is chat


def test_an_emptied_lane_is_forgotten_on_release() -> None:
    clock = FakeClock()
    lanes, _ = scheduler(clock)
    chat = lane(5, 1)
    lanes.add(chat)
    taken = lanes.pop_ready()
    assert taken is chat
    chat.items.clear()
    assert lanes.release(chat) is True
    assert lanes.lanes == {}


def test_due_lanes_that_need_the_most_time_go_first_so_a_group_starts_before_private_chats() -> None:
    """A group's part needs 3.15 s (20 a minute), a private chat's 1.05 s: a group with three parts
    left needs 6.3 s more and goes before a private chat with six (5.25 s), which the old rule, most
    parts left first, sent after every private chat with more parts."""
    clock = FakeClock()
    lanes, pacer = scheduler(clock)
    for chat_id, parts in [(1, 6), (2, 2), (-500, 3), (3, 6), (-600, 1)]:
        lanes.add(lane(chat_id, parts))
    assert lanes.time_needed(lanes.lanes[-500], clock.now) == 2 * pacer.group_interval
    assert lanes.time_needed(lanes.lanes[1], clock.now) == 5 * pacer.chat_interval
    assert drain(lanes) == [-500, 1, 3, 2, -600]  # ties keep the order they became due in


def test_a_lane_back_from_a_retry_competes_by_the_time_it_needs() -> None:
    """Chat 1's part 1 failed and waits its back-off; chats 2-4 went on. Once the back-off is over
    chat 1, now the furthest behind, goes before the chats that were due before it."""
    clock = FakeClock()
    lanes, _ = scheduler(clock)
    retrying = lane(1, 3, ready_at=clock.now + 1.0)
    lanes.add(retrying)
    assert lanes.time_needed(retrying, clock.now) == 1.0 + 2 * 1.05  # its back-off counts while pending
    for chat_id in (2, 3, 4):
        lanes.add(lane(chat_id, 2))
    assert lanes.pop_ready() is not None  # one of them goes now; the other two wait for a slot
    clock.now += 1.0
    taken = lanes.pop_ready()
    assert taken is retrying and taken.head is retrying.items[0]


def test_stopped_heads_are_dropped_and_a_lane_with_only_paused_parts_is_forgotten() -> None:
    clock = FakeClock()
    controls = Controls()
    lanes, _ = scheduler(clock, controls)
    first = lane(1, 2, broadcast_id=10)
    first.items.extend(lane(1, 2, broadcast_id=11).items)  # a correction queued behind broadcast 10
    lanes.add(first)
    lanes.add(lane(2, 2, broadcast_id=12))
    controls.stopped[10] = "cancelled by admin"
    controls.paused.add(12)
    taken = lanes.pop_ready()
    assert taken is first and [i.broadcast_id for i in first.items] == [11, 11]
    taken.busy = True
    assert lanes.pop_ready() is None
    assert 2 not in lanes.lanes  # nothing it may send: its rows stay pending in the outbox until resumed


def test_a_paused_broadcast_lets_the_next_one_go_and_is_first_again_on_resume() -> None:
    clock = FakeClock()
    controls = Controls()
    lanes, pacer = scheduler(clock, controls)
    chat = lane(1, 3, broadcast_id=10)
    chat.items.extend(lane(1, 2, broadcast_id=11).items)
    lanes.add(chat)
    controls.paused.add(10)
    assert lanes.time_needed(chat, clock.now) == 1 * pacer.chat_interval  # only broadcast 11's two parts count
    taken = lanes.pop_ready()
    assert taken is chat and taken.head is not None
    assert (taken.head.broadcast_id, taken.head.seq) == (11, 1)
    chat.busy = True
    chat.pop(taken.head)  # sent
    assert [(i.broadcast_id, i.seq) for i in chat.items] == [(10, 1), (10, 2), (10, 3), (11, 2)]
    controls.paused.discard(10)  # resumed
    chat.ready_at = clock.now + 1.05
    lanes.release(chat)
    clock.now += 1.05
    again = lanes.pop_ready()
    assert again is chat and again.head is chat.items[0]
    assert (chat.items[0].broadcast_id, chat.items[0].seq) == (10, 1)  # in seq order, before the rest of 11


async def test_a_lane_due_sooner_wakes_the_sleeping_dispatcher() -> None:
    clock = FakeClock()
    lanes, _ = scheduler(clock)
    lanes.add(lane(1, 1, ready_at=clock.now + 60.0))
    async with asyncio.timeout(5):
        sleeper = asyncio.create_task(lanes.sleep(at_most=60.0))
        for _ in range(5):
            await asyncio.sleep(0)
        lanes.add(lane(2, 1, ready_at=clock.now + 120.0))  # later than it sleeps anyway: no wake-up
        for _ in range(5):
            await asyncio.sleep(0)
        assert not sleeper.done()
        lanes.add(lane(3, 1))  # due now
        await sleeper
    assert drain(lanes) == [3]
