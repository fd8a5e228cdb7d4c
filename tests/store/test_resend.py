"""The same bulletin is not queued twice for a chat (issue 9): the fan-out leaves out the active
subscribers who already have it, decided in the transaction that creates the broadcast; "the
same bulletin" is the same month and task texts after normalisation; resending to everyone is
explicit."""

from __future__ import annotations

import dataclasses

from bot.domain.records import Bulletin, Task
from bot.services import publishing
from bot.services.publishing import Audience, Queued
from data import outbox, subscribers
from data.store import Store
from tests.conftest import sample_bulletin
from tests.delivery_helpers import add_subscribers


async def _queue(store: Store, bulletin: Bulletin, audience: Audience = Audience.WITHOUT_IT) -> Queued:
    return await publishing.queue_broadcast(
        store, publishing.prepare(bulletin), requested_by=None, admin_chat_id=None, audience=audience
    )


async def _chats(store: Store, broadcast_id: int) -> list[int]:
    rows = await store.fetchall(
        "SELECT DISTINCT chat_id FROM deliveries WHERE broadcast_id = ? ORDER BY chat_id", (broadcast_id,)
    )
    return [int(r[0]) for r in rows]


async def _deliver(store: Store, broadcast_id: int, chat_id: int, *, fail_last: bool = False) -> None:
    """Record every pending part of ``broadcast_id`` for ``chat_id`` as sent (the last one failed)."""
    rows = [r for r in await outbox.pending_between(store, chat_id, chat_id) if r.broadcast_id == broadcast_id]
    assert rows
    last = rows.pop() if fail_last else None
    await outbox.mark_sent(store, [(r.id, 1000 + r.seq) for r in rows])
    if last is not None:
        await outbox.mark_failed(store, last.id, "chat not found")


async def test_a_second_send_goes_only_to_those_without_it(store: Store) -> None:
    await add_subscribers(store, [1, 2, 3, 4])
    bulletin = sample_bulletin()
    first = await _queue(store, bulletin)
    assert first.info is not None and first.left_out == 0 and not first.history.sent_before
    assert await _chats(store, first.info.id) == [1, 2, 3, 4]
    await _deliver(store, first.info.id, 1)
    await _deliver(store, first.info.id, 2, fail_last=True)  # got only part of it
    await outbox.drop_chat(store, 3, reason="blocked by the user", deactivate=True)  # rows cancelled
    # 4 still has its rows pending: it will get it. 5 subscribed afterwards; 3 came back.
    await add_subscribers(store, [5])
    await subscribers.subscribe(store, 3, user_id=None, chat_type="private", display_name=None)

    second = await _queue(store, bulletin)
    assert second.info is not None
    assert await _chats(store, second.info.id) == [2, 3, 5]
    assert second.info.recipients == 3 and second.left_out == 2
    assert [b.id for b in second.history.earlier] == [first.info.id]
    assert second.history.earlier[0].received == 1  # chat 1 alone got every part


async def test_nobody_left_creates_no_broadcast(store: Store) -> None:
    await add_subscribers(store, [11, 12])
    bulletin = sample_bulletin()
    first = await _queue(store, bulletin)
    assert first.info is not None
    again = await _queue(store, bulletin)  # everyone has it pending
    assert again.info is None and again.history.without == 0 and again.history.have_it == 2
    assert [b.id for b in await outbox.recent_broadcasts(store)] == [first.info.id]
    assert await store.fetchval("SELECT count(*) FROM deliveries") == 2 * len(publishing.prepare(bulletin).messages)


async def test_resend_to_everyone_is_explicit(store: Store) -> None:
    await add_subscribers(store, [21, 22])
    bulletin = sample_bulletin()
    first = await _queue(store, bulletin)
    assert first.info is not None
    for chat in (21, 22):
        await _deliver(store, first.info.id, chat)
    again = await _queue(store, bulletin, Audience.EVERYONE)
    assert again.info is not None and again.left_out == 0
    assert await _chats(store, again.info.id) == [21, 22]
    assert again.history.earlier[0].received == 2


async def test_the_same_bulletin_in_another_form_is_recognised_and_another_is_not(store: Store) -> None:
    await add_subscribers(store, [31, 32])
    bulletin = sample_bulletin()
    first = await _queue(store, bulletin)
    assert first.info is not None
    tasks = bulletin.tasks
    # Another title, other white space and case, the first two tasks merged: another bulletin row,
    # the same bulletin.
    merged = Task(number=1, text=f"{tasks[0].text}\n\n  {tasks[1].text.upper()}", enumerator=tasks[0].enumerator)
    renumbered = tuple(dataclasses.replace(t, number=i) for i, t in enumerate(tasks[2:], start=2))
    variant = dataclasses.replace(bulletin, title=bulletin.title + " (bản sửa)", tasks=(merged, *renumbered))
    same = await _queue(store, variant)
    assert same.info is None and same.history.bulletin_ids == (first.info.bulletin_id,)
    # A changed word in a task, or another month, is a new bulletin: everyone gets it.
    changed = dataclasses.replace(tasks[-1], text=tasks[-1].text + " Bổ sung.")
    different = await _queue(store, dataclasses.replace(bulletin, tasks=(*tasks[:-1], changed)))
    assert different.info is not None and different.info.recipients == 2 and not different.history.sent_before
    other_month = await _queue(store, dataclasses.replace(bulletin, month="2021-12"))
    assert other_month.info is not None and other_month.info.recipients == 2


async def test_history_counts_only_active_subscribers(store: Store) -> None:
    await add_subscribers(store, [41, 42, 43])
    bulletin = sample_bulletin()
    first = await _queue(store, bulletin)
    assert first.info is not None
    await _deliver(store, first.info.id, 41)
    await subscribers.leave(store, 43, "stop")
    found = await publishing.history(store, bulletin)
    # 43 left; 41 got it and 42 will (pending): nobody active is without it.
    assert (found.subscribers, found.without, found.have_it) == (2, 0, 2)
    [earlier] = found.earlier
    assert (earlier.id, earlier.status, earlier.recipients, earlier.received) == (first.info.id, "queued", 3, 1)
