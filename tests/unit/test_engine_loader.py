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
    def __init__(self, store: Store, window: int) -> None:
        self.clock = FakeClock()
        self.controls = Controls()
        self.acks = Acknowledgements(store, interval=60.0)
        self.lanes = LaneScheduler(self.controls, Pacer(30, clock=self.clock).chat_ready_at, self.clock)
        self.loader = OutboxLoader(
            store, self.lanes, self.controls, self.acks, window=window, idle_poll=2.0, clock=self.clock
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
