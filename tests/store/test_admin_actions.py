"""The admin action log (data/admin_actions.py): who did what, per broadcast, in order."""

from __future__ import annotations

from data import acks, admin_actions, outbox
from data.store import Store
from tests.delivery_helpers import add_subscribers, queue


async def _broadcast(store: Store) -> int:
    async with store.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO bulletins (title, month, source_sha256, created_at)"
            " VALUES ('T', '2026-11', hex(randomblob(8)), 'now')"
        )
        bulletin = cur.lastrowid
        cur = await conn.execute(
            "INSERT INTO broadcasts (bulletin_id, created_at) VALUES (?, '2026-12-01T00:00:00Z')", (bulletin,)
        )
        assert cur.lastrowid is not None
        return cur.lastrowid


async def test_actions_are_listed_per_broadcast_in_order_with_who(store: Store) -> None:
    first, second = await _broadcast(store), await _broadcast(store)
    await admin_actions.record(store, admin_actions.SEND, admin_user_id=7, admin_name="Lan", broadcast_id=first)
    await admin_actions.record(store, admin_actions.UNIT_ADD, admin_user_id=8, admin_name="Minh", detail="Xã A")
    async with store.transaction() as conn:  # inside a caller's transaction
        await admin_actions.record(conn, admin_actions.PAUSE, admin_user_id=8, admin_name="Minh", broadcast_id=first)
    await admin_actions.record(store, admin_actions.CANCEL, admin_user_id=None, broadcast_id=second)

    listed = await admin_actions.for_broadcast(store, first)
    assert [(a.action, a.admin_user_id, a.admin_name) for a in listed] == [("send", 7, "Lan"), ("pause", 8, "Minh")]
    assert [a.action for a in await admin_actions.for_broadcast(store, second)] == ["cancel"]
    recent = await admin_actions.recent(store, 2)
    assert [a.action for a in recent] == ["cancel", "pause"]
    assert (await admin_actions.recent(store, 10))[2].detail == "Xã A"


async def test_a_rolled_back_transaction_records_nothing(store: Store) -> None:
    broadcast = await _broadcast(store)
    try:
        async with store.transaction() as conn:
            await admin_actions.record(conn, admin_actions.RETRACT, admin_user_id=1, broadcast_id=broadcast)
            raise RuntimeError("the action failed")
    except RuntimeError:
        pass
    assert await admin_actions.for_broadcast(store, broadcast) == []


async def test_a_reminder_is_recorded_with_who_asked_in_its_own_transaction(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    info = await queue(store, n=1)
    rows = await store.fetchall("SELECT id FROM deliveries WHERE broadcast_id = ?", (info.id,))
    await outbox.mark_sent(store, [(int(r[0]), 100 + i) for i, r in enumerate(rows)])
    reminder = await acks.queue_reminder(
        store, info.id, "nhắc", requested_by=8, admin_chat_id=8, requested_name="Trần Minh"
    )
    assert reminder is not None and reminder.queued
    [remind] = await admin_actions.for_broadcast(store, info.id)
    assert (remind.action, remind.admin_user_id, remind.admin_name, remind.detail) == (
        "remind",
        8,
        "Trần Minh",
        f"#{reminder.id}",
    )
    [sent] = await admin_actions.for_broadcast(store, reminder.id)
    assert (sent.action, sent.admin_user_id, sent.admin_name) == ("send", 8, "Trần Minh")
    # Nothing queued (one is still going out): nothing recorded.
    again = await acks.queue_reminder(store, info.id, "x", requested_by=9, admin_chat_id=9, requested_name="An")
    assert again is not None and not again.queued
    assert len(await admin_actions.for_broadcast(store, info.id)) == 1
