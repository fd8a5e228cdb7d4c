"""What /broadcasts lists, read from a real SQLite store: the active broadcasts first, oldest first,
then at most ``finished`` finished ones, newest first, a page at a time; and what a queued
broadcast waits for (earlier queued or sending broadcasts with parts pending in the same chats)."""

from __future__ import annotations

from data import outbox, subscribers
from data.store import Store
from tests.delivery_helpers import add_subscribers, queue


async def _finish(store: Store, broadcast_id: int) -> None:
    assert await outbox.stop_broadcast(store, broadcast_id, status="cancelled", reason="test")


async def test_active_first_then_the_most_recent_finished_paged_and_clamped(store: Store) -> None:
    await add_subscribers(store, [1])
    ids = [(await queue(store, n=1)).id for _ in range(12)]
    for broadcast_id in ids[1:5] + ids[6:11]:  # active: ids[0], ids[5], ids[11]
        await _finish(store, broadcast_id)
    assert await outbox.set_status(store, ids[5], "paused", allowed=("queued",))

    pages = [await outbox.broadcast_page(store, n, size=4, finished=6) for n in (1, 2, 3)]
    listed = [info.id for p in pages for info in p.items]
    finished = list(reversed(ids[1:5] + ids[6:11]))[:6]  # newest first, six of the nine
    assert listed == [ids[0], ids[5], ids[11], *finished]
    assert [(p.page, p.pages, p.total, p.active) for p in pages] == [(n, 3, 9, 3) for n in (1, 2, 3)]
    # A page past the end is the last one, one before the start the first.
    assert (await outbox.broadcast_page(store, 7, size=4, finished=6)).items == pages[2].items
    assert (await outbox.broadcast_page(store, 0, size=4, finished=6)).items == pages[0].items


async def test_an_empty_listing_has_one_empty_page(store: Store) -> None:
    empty = await outbox.broadcast_page(store, 3)
    assert (empty.items, empty.page, empty.pages, empty.total, empty.active) == ((), 1, 1, 0, 0)


async def test_a_queued_broadcast_waits_only_for_earlier_ones_sharing_its_chats(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    first = await queue(store, n=2)  # chats 1 and 2
    await subscribers.leave(store, 1, "test")
    second = await queue(store, n=2)  # chat 2 only
    await subscribers.leave(store, 2, "test")
    await add_subscribers(store, [3])
    third = await queue(store, n=2)  # chat 3 only: nothing ahead of it there
    assert await outbox.waiting_for(store, second.id) == [first.id]
    assert await outbox.waiting_for(store, third.id) == []
    assert await outbox.waiting_for(store, first.id) == []
    # A paused broadcast lets the later ones go: they do not wait for it.
    assert await outbox.set_status(store, first.id, "paused", allowed=("queued",))
    assert await outbox.waiting_for(store, second.id) == []
    # Nor for one whose parts in their chats are all out.
    assert await outbox.set_status(store, first.id, "running", allowed=("paused",))
    rows = [r for r in await outbox.pending_between(store, 2, 2) if r.broadcast_id == first.id]
    await outbox.mark_sent(store, [(r.id, 100 + r.seq) for r in rows])
    assert await outbox.waiting_for(store, second.id) == []
