"""Loading from the outbox: a bounded window of chats, and never a row whose message already went out."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.delivery.acks import Acknowledgements
from bot.delivery.lanes import Controls, LaneScheduler
from bot.delivery.loader import OutboxLoader
from bot.delivery.pacing import Pacer
from data import outbox
from data.outbox import PendingRow
from data.store import Store
from tests.delivery_helpers import FakeClock, add_subscribers, queue


class Parts:
    def __init__(self, store: Store, window: int, *, rate: float = 0.0) -> None:
        """``rate`` 0: the window of chats only, without the rule on parts in memory."""
        self.clock = FakeClock()
        self.controls = Controls()
        self.acks = Acknowledgements(store, interval=60.0)
        self.lanes = LaneScheduler(self.controls, Pacer(30, clock=self.clock).chat_ready_at, self.clock)
        self.loader = OutboxLoader(
            store,
            self.lanes,
            self.controls,
            self.acks,
            window=window,
            idle_poll=2.0,
            clock=self.clock,
            rate=rate,
            chat_interval=1.0,
        )

    def loaded(self) -> dict[int, list[int]]:
        return {chat: [i.seq for i in lane.items] for chat, lane in self.lanes.lanes.items()}


async def row_ids(store: Store, chat_id: int) -> list[int]:
    return [
        int(r[0]) for r in await store.fetchall("SELECT id FROM deliveries WHERE chat_id = ? ORDER BY seq", (chat_id,))
    ]


async def test_a_window_of_chats_at_a_time_walking_on_from_a_cursor(store: Store) -> None:
    await add_subscribers(store, [1, 2, 3, 4, 5])
    await queue(store, n=2)
    parts = Parts(store, window=2)
    await parts.loader.refill()
    assert parts.loaded() == {1: [1, 2], 2: [1, 2]}
    await parts.loader.refill()  # the window is full: nothing more
    assert set(parts.loaded()) == {1, 2}
    del parts.lanes.lanes[1], parts.lanes.lanes[2]  # both chats done
    await parts.loader.refill()
    assert set(parts.loaded()) == {3, 4}


async def test_more_chats_are_loaded_when_the_parts_in_memory_would_run_out_first(store: Store) -> None:
    """Regression (the tail): with only a window of chats, the last ones were loaded when the others
    were nearly done, and their six parts went out one a second each, at a fraction of the rate
    (100 chats at 30/s: 0.86 of the limit). Now chats are loaded while the parts in memory cover
    what a new chat needs at its own pace: rate × ((6 − 1) × 1 s + 1 s) = 10 × 6 = 60 parts."""
    await add_subscribers(store, list(range(1, 13)))
    await queue(store, n=6)
    parts = Parts(store, window=4, rate=10)
    await parts.loader.refill()
    assert sorted(parts.loaded()) == [1, 2, 3, 4]  # a window first: 24 parts
    await parts.loader.refill()  # 36 parts short: six chats of six parts more
    assert sorted(parts.loaded()) == list(range(1, 11))
    await parts.loader.refill()  # 60 parts: enough, although the window of 4 is long passed
    assert sorted(parts.loaded()) == list(range(1, 11))
    for lane in parts.lanes.lanes.values():  # three parts of each went out: 30 left
        for _ in range(3):
            lane.items.popleft()
    await parts.loader.refill()
    assert sorted(parts.loaded()) == list(range(1, 11))  # not counted again within COUNT_EVERY
    parts.clock.now += OutboxLoader.COUNT_EVERY
    await parts.loader.refill()
    assert sorted(parts.loaded()) == list(range(1, 13))  # the last two, early enough to finish


async def test_the_parts_rule_stops_at_four_windows_of_chats(store: Store) -> None:
    await add_subscribers(store, list(range(1, 31)))
    await queue(store, n=6)
    parts = Parts(store, window=3, rate=1000)  # 6,000 parts wanted: far more than 30 chats have
    for _ in range(5):
        await parts.loader.refill()
    assert sorted(parts.loaded()) == list(range(1, 13))  # 4 × 3 chats, the memory bound
    assert parts.loader.wants_more is False


async def test_rows_sent_but_unwritten_and_rows_of_stopped_broadcasts_are_not_loaded(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    first = await queue(store, n=2)
    second = await queue(store, n=1)
    sent = (await row_ids(store, 1))[0]
    parts = Parts(store, window=10)
    parts.acks.add(sent, 777, first.id)
    parts.controls.stopped[second.id] = "cancelled by admin"
    await parts.loader.refill()
    assert parts.loaded() == {1: [2], 2: [1, 2]}


async def test_a_row_written_while_the_read_was_under_way_is_not_sent_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the read could see a row still pending, the batch acknowledging it be written
    (and the row forgotten as unwritten) before the read returned, and the row be sent twice."""
    await add_subscribers(store, [1])
    info = await queue(store, n=1)
    [row_id] = await row_ids(store, 1)
    parts = Parts(store, window=10)
    parts.acks.add(row_id, 777, info.id)
    read = outbox.pending_between

    async def read_then_write(store: Store, first: int, last: int) -> Sequence[PendingRow]:
        rows = await read(store, first, last)  # sees the row pending
        await parts.acks.flush()  # the batch lands before the read's answer is used
        return rows

    monkeypatch.setattr(outbox, "pending_between", read_then_write)
    await parts.loader.refill()
    assert parts.loaded() == {}
    assert await store.fetchval("SELECT status FROM deliveries WHERE id = ?", (row_id,)) == "sent"


async def test_a_paused_broadcast_does_not_hold_back_a_later_one(store: Store) -> None:
    """Regression: a chat whose earliest pending broadcast was paused was not loaded at all, so every
    later broadcast sat at "queued, 0 sent". Now it is loaded with all its rows, the paused ones
    skipped, and a chat with nothing but paused rows is left in the outbox."""
    await add_subscribers(store, [1, 2])
    first = await queue(store, n=2)
    await add_subscribers(store, [3])  # subscribed after the first broadcast: only the second
    second = await queue(store, n=1)
    await add_subscribers(store, [4])
    assert await outbox.set_status(store, first.id, "paused", allowed=("queued",))
    parts = Parts(store, window=10)
    parts.controls.paused.add(first.id)
    await parts.loader.refill()
    assert parts.loaded() == {1: [1, 2, 1], 2: [1, 2, 1], 3: [1]}
    head = parts.controls.sendable(parts.lanes.lanes[1].items)
    assert head is not None and (head.broadcast_id, head.seq) == (second.id, 1)
    parts.lanes.lanes.clear()  # the second broadcast went out: only paused rows are left
    await outbox.mark_sent(store, [(i, 900 + i) for i in await row_ids_of(store, second.id)])
    parts.loader.wake()
    await parts.loader.refill()
    assert parts.loaded() == {}
    parts.controls.paused.discard(first.id)  # resumed
    assert await outbox.set_status(store, first.id, "running", allowed=("paused",))
    parts.loader.wake()
    await parts.loader.refill()
    assert parts.loaded() == {1: [1, 2], 2: [1, 2]}


async def row_ids_of(store: Store, broadcast_id: int) -> list[int]:
    rows = await store.fetchall("SELECT id FROM deliveries WHERE broadcast_id = ?", (broadcast_id,))
    return [int(r[0]) for r in rows]


async def test_a_moved_chat_is_loaded_at_once_whatever_the_cursor(store: Store) -> None:
    """A group that migrated gets its lane under the new id at once (one query for that chat), not
    when the cursor comes round to the new id, which sorts before every chat already passed."""
    await add_subscribers(store, [-500, 1, 2, 3])
    await queue(store, n=3)
    parts = Parts(store, window=2)
    await parts.loader.refill()
    assert set(parts.loaded()) == {-500, 1}
    group = parts.lanes.lanes[-500]
    sent = group.items[0]  # its part 1 went out before the group migrated (id not written yet)
    parts.acks.add(sent.row_id, 801, sent.broadcast_id)
    await parts.acks.flush()
    await outbox.move_chat(store, -500, -1000000000500)
    del parts.lanes.lanes[-500]
    assert await parts.loader.load_chat(-1000000000500)
    assert parts.loaded() == {1: [1, 2, 3], -1000000000500: [2, 3]}
    assert not await parts.loader.load_chat(-1000000000500)  # it has a lane already: never loaded twice
    assert parts.loaded()[-1000000000500] == [2, 3]


async def test_a_lane_given_while_the_window_was_read_is_kept(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """``refill`` and ``load_chat`` can read at the same time; whichever adds a chat's lane first keeps
    it (its part may be in flight), the other does not replace it."""
    await add_subscribers(store, [1, 2])
    await queue(store, n=2)
    parts = Parts(store, window=10)
    read = outbox.pending_between
    kept: list[object] = []

    async def read_while_loading(store: Store, first: int, last: int) -> Sequence[PendingRow]:
        rows = await read(store, first, last)
        if first != last:  # the window's read: chat 2 is given its lane meanwhile
            assert await parts.loader.load_chat(2)
            lane = parts.lanes.lanes[2]
            lane.busy = True  # and its part 1 is in flight
            kept.append(lane)
        return rows

    monkeypatch.setattr(outbox, "pending_between", read_while_loading)
    await parts.loader.refill()
    assert parts.lanes.lanes[2] is kept[0]
    assert parts.loaded() == {1: [1, 2], 2: [1, 2]}
