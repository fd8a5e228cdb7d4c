"""The "Đã nhận" acknowledgements (migration 0008): who pressed the button under a bulletin, when,
who has not yet, and a reminder to those only, queued through the outbox like any broadcast.

A chat is a recipient of a broadcast when it has a row in the outbox for it or for a reminder of it;
it has *received* it once one of those rows is sent (the rate's denominator).
"""

from __future__ import annotations

from dataclasses import dataclass

from data import admin_actions
from data.store import Store, utcnow

# One row per (broadcast, chat): a second press changes nothing (the first time is kept).
RECORD = "INSERT OR IGNORE INTO acknowledgements (broadcast_id, chat_id, at) VALUES (?, ?, ?)"
ACKED_AT = "SELECT at FROM acknowledgements WHERE broadcast_id = ? AND chat_id = ?"
IS_RECIPIENT = """
SELECT EXISTS (
    SELECT 1 FROM deliveries AS d JOIN broadcasts AS b ON b.id = d.broadcast_id
    WHERE d.chat_id = :chat AND (b.id = :broadcast OR b.reminder_of = :broadcast)
)
"""
# The original broadcast a button names: a reminder's button names its original already.
ORIGINAL = "SELECT coalesce(reminder_of, id) FROM broadcasts WHERE id = ?"
RECEIVED = """
SELECT count(DISTINCT d.chat_id) FROM deliveries AS d JOIN broadcasts AS b ON b.id = d.broadcast_id
WHERE d.status = 'sent' AND (b.id = :broadcast OR b.reminder_of = :broadcast)
"""
COUNT_ACKED = "SELECT count(*) FROM acknowledgements WHERE broadcast_id = ?"
# Active subscribers who received it and have not pressed the button, by unit ('' when none), name.
NOT_ACKED = """
SELECT s.chat_id, coalesce(trim(s.unit), ''), coalesce(s.display_name, '')
FROM subscribers AS s
WHERE s.active = 1
    AND s.chat_id IN (
        SELECT d.chat_id FROM deliveries AS d JOIN broadcasts AS b ON b.id = d.broadcast_id
        WHERE d.status = 'sent' AND (b.id = :broadcast OR b.reminder_of = :broadcast)
    )
    AND s.chat_id NOT IN (SELECT chat_id FROM acknowledgements WHERE broadcast_id = :broadcast)
ORDER BY coalesce(trim(s.unit), '') = '', coalesce(trim(s.unit), ''), coalesce(s.display_name, ''), s.chat_id
"""
BULLETIN_OF = "SELECT bulletin_id FROM broadcasts WHERE id = ?"
# A reminder still going out: a second press of "Nhắc" does not queue another one.
ACTIVE_REMINDER = """
SELECT id FROM broadcasts WHERE reminder_of = ? AND status IN ('scheduled', 'queued', 'running', 'paused')
ORDER BY id LIMIT 1
"""
CREATE_REMINDER = """
INSERT INTO broadcasts (bulletin_id, status, requested_by, admin_chat_id, created_at, reminder_of)
VALUES (?, 'queued', ?, ?, ?, ?)
"""
INSERT_REMINDER_MESSAGE = """
INSERT INTO broadcast_messages (broadcast_id, seq, task_number, html, ack_for) VALUES (?, 1, 0, ?, ?)
"""
FAN_OUT_REMINDER = f"""
INSERT INTO deliveries (broadcast_id, seq, chat_id)
SELECT :reminder, 1, chat_id FROM ({NOT_ACKED})
ORDER BY chat_id
"""
SET_REMINDER_TOTALS = """
UPDATE broadcasts SET message_count = 1,
    recipients = (SELECT count(*) FROM deliveries WHERE broadcast_id = :reminder)
WHERE id = :reminder
"""


@dataclass(frozen=True, slots=True)
class Rate:
    acked: int
    received: int


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int  # the reminder's broadcast id (0 when nobody needed one, and none was queued)
    recipients: int
    queued: bool  # False: ``id`` is a reminder still going out, and nothing new was queued


@dataclass(frozen=True, slots=True)
class Unacked:
    chat_id: int
    unit: str  # '' when the subscriber gave none
    name: str


async def original(store: Store, broadcast_id: int) -> int | None:
    """The broadcast a button naming ``broadcast_id`` acknowledges, None if there is no such broadcast."""
    value = await store.fetchval(ORIGINAL, (broadcast_id,))
    return None if value is None else int(value)


async def is_recipient(store: Store, broadcast_id: int, chat_id: int) -> bool:
    return bool(await store.fetchval(IS_RECIPIENT, {"chat": chat_id, "broadcast": broadcast_id}))


async def record(store: Store, broadcast_id: int, chat_id: int) -> tuple[bool, str]:
    """Record that ``chat_id`` acknowledged ``broadcast_id``: (True, now) the first time, (False, the
    first time's ``at``) after that. The caller checks it is a recipient."""
    async with store.transaction() as conn:
        now = utcnow()
        cursor = await conn.execute(RECORD, (broadcast_id, chat_id, now))
        if cursor.rowcount == 1:
            return True, now
        async with conn.execute(ACKED_AT, (broadcast_id, chat_id)) as rows:
            row = await rows.fetchone()
    assert row is not None
    return False, str(row[0])


async def acked_at(store: Store, broadcast_id: int, chat_id: int) -> str | None:
    value = await store.fetchval(ACKED_AT, (broadcast_id, chat_id))
    return None if value is None else str(value)


async def rate(store: Store, broadcast_id: int) -> Rate:
    acked = int(await store.fetchval(COUNT_ACKED, (broadcast_id,)))
    received = int(await store.fetchval(RECEIVED, {"broadcast": broadcast_id}))
    return Rate(acked, received)


async def not_acked(store: Store, broadcast_id: int) -> list[Unacked]:
    """Who received ``broadcast_id`` (or a reminder of it) and has not acknowledged: by unit (units
    first, those without one last), then name."""
    rows = await store.fetchall(NOT_ACKED, {"broadcast": broadcast_id})
    return [Unacked(int(r[0]), str(r[1]), str(r[2])) for r in rows]


async def queue_reminder(
    store: Store,
    broadcast_id: int,
    html: str,
    *,
    requested_by: int | None,
    admin_chat_id: int | None,
    requested_name: str | None = None,
) -> Reminder | None:
    """Queue ``html`` as a reminder of ``broadcast_id`` to those who have not acknowledged it, in one
    transaction: a broadcast of its own (``reminder_of``), one part whose button acknowledges the
    original, sent by the engine and its pacer like any other. Nothing is queued while an earlier
    reminder of it is still going out, or when nobody needs one. None when there is no such broadcast.
    In the same transaction, who asked for it (``requested_by``, ``requested_name``) is recorded:
    REMIND on the original, SEND on the reminder (``data.admin_actions``)."""
    async with store.transaction() as conn:
        async with conn.execute(BULLETIN_OF, (broadcast_id,)) as rows:
            row = await rows.fetchone()
        if row is None:
            return None
        async with conn.execute(ACTIVE_REMINDER, (broadcast_id,)) as rows:
            active = await rows.fetchone()
        if active is not None:
            return Reminder(int(active[0]), 0, queued=False)
        cursor = await conn.execute(CREATE_REMINDER, (row[0], requested_by, admin_chat_id, utcnow(), broadcast_id))
        reminder = cursor.lastrowid
        assert reminder is not None
        await conn.execute(INSERT_REMINDER_MESSAGE, (reminder, html, broadcast_id))
        cursor = await conn.execute(FAN_OUT_REMINDER, {"reminder": reminder, "broadcast": broadcast_id})
        if cursor.rowcount <= 0:  # everyone acknowledged: no empty broadcast left behind
            await conn.execute("DELETE FROM broadcast_messages WHERE broadcast_id = ?", (reminder,))
            await conn.execute("DELETE FROM broadcasts WHERE id = ?", (reminder,))
            return Reminder(0, 0, queued=False)
        recipients = cursor.rowcount
        await conn.execute(SET_REMINDER_TOTALS, {"reminder": reminder})
        for action, on, detail in (
            (admin_actions.REMIND, broadcast_id, f"#{reminder}"),
            (admin_actions.SEND, reminder, ""),
        ):
            await admin_actions.record(
                conn, action, admin_user_id=requested_by, admin_name=requested_name, broadcast_id=on, detail=detail
            )
        return Reminder(reminder, recipients, queued=True)
