"""Scheduled broadcasts in the store (migration 0007, data/outbox.py): rows written when scheduled
but never loaded by the engine before the start; the start adds who joined and drops who left; the
scheduler with a moved wall clock."""

from __future__ import annotations

import datetime as dt

from bot.delivery.schedule import Scheduler
from bot.delivery.when import to_utc_text
from bot.services import publishing
from data import outbox, subscribers
from data.store import Store
from tests.conftest import sample_bulletin
from tests.delivery_helpers import add_subscribers

T = dt.datetime(2026, 12, 3, 0, 30, tzinfo=dt.UTC)


async def _schedule(store: Store, audience: publishing.Audience = publishing.Audience.WITHOUT_IT) -> int:
    queued = await publishing.queue_broadcast(
        store, publishing.prepare(sample_bulletin()), requested_by=None, admin_chat_id=None, audience=audience, at=T
    )
    assert queued.info is not None and queued.info.status == "scheduled"
    return queued.info.id


async def test_scheduled_rows_are_written_but_not_loaded_until_started(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    broadcast_id = await _schedule(store)
    info = await outbox.get_broadcast(store, broadcast_id)
    assert info is not None and info.scheduled_at == to_utc_text(T) and info.recipients == 2
    assert (await outbox.counts(store, broadcast_id)).pending == 12
    assert await outbox.next_chats(store, -1, 10) == []
    assert await outbox.pending_between(store, 0, 10) == []
    assert await outbox.next_due(store) == to_utc_text(T)
    assert await outbox.due(store, to_utc_text(T - dt.timedelta(seconds=1))) == []
    assert await outbox.due(store, to_utc_text(T)) == [broadcast_id]
    # Pause does not apply before it starts; the scheduled state survives it.
    assert not await outbox.set_status(store, broadcast_id, "paused", allowed=("queued", "running"))

    await add_subscribers(store, [3])  # joins while it waits
    await subscribers.leave(store, 2, "stop")  # leaves while it waits
    assert await outbox.release(store, broadcast_id) == (2, 3)
    assert await outbox.release(store, broadcast_id) is None  # once only
    assert await outbox.next_chats(store, -1, 10) == [1, 3]
    rows = await outbox.pending_between(store, 0, 10)
    assert sorted({r.chat_id for r in rows}) == [1, 3] and len(rows) == 12
    info = await outbox.get_broadcast(store, broadcast_id)
    assert info is not None and info.status == "queued" and info.recipients == 3


async def test_a_late_joiner_who_already_has_the_bulletin_is_not_added(store: Store) -> None:
    await add_subscribers(store, [1])
    first = await publishing.queue_broadcast(
        store, publishing.prepare(sample_bulletin()), requested_by=None, admin_chat_id=None
    )
    assert first.info is not None and first.info.status == "queued"
    await add_subscribers(store, [2])
    broadcast_id = await _schedule(store)  # the same bulletin again, for those without it: chat 2
    await add_subscribers(store, [3])
    assert await outbox.release(store, broadcast_id) == (1, 2)  # 3 joined and gets it; 1 had it
    everyone = await _schedule(store, publishing.Audience.EVERYONE)
    await add_subscribers(store, [4])
    assert await outbox.release(store, everyone) == (3, 4)


async def test_cancelling_a_scheduled_broadcast_cancels_its_rows(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    broadcast_id = await _schedule(store)
    assert await outbox.stop_broadcast(store, broadcast_id, status="cancelled", reason="cancelled by admin")
    counts = await outbox.counts(store, broadcast_id)
    assert counts.pending == 0 and counts.cancelled == 12
    assert await outbox.next_due(store) is None and await outbox.release(store, broadcast_id) is None


async def test_the_scheduler_starts_what_is_due_on_its_clock(store: Store) -> None:
    await add_subscribers(store, [1])
    broadcast_id = await _schedule(store)
    woken: list[int] = []
    now = [T - dt.timedelta(minutes=5)]
    scheduler = Scheduler(store, lambda: woken.append(1), now=lambda: now[0])
    assert await scheduler.run_due() == [] and woken == []
    now[0] = T + dt.timedelta(minutes=3)
    [started] = await scheduler.run_due()
    assert started.info.id == broadcast_id and started.late == dt.timedelta(minutes=3) and woken == [1]
    assert started.tell_late and not started.missed  # over a minute late while running: said too
    assert await scheduler.run_due() == []
