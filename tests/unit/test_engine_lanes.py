"""Lane scheduling with a fake clock: which chat goes next, per-chat spacing, stopped and paused heads."""

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
    return LaneScheduler(controls or Controls(), pacer.chat_ready_at, clock), pacer


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


def test_stopped_heads_are_dropped_and_a_paused_head_parks_the_lane() -> None:
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
    assert 2 not in lanes.lanes  # parked: its rows stay pending in the outbox until resumed


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
