"""Subscribers: who receives bulletins, how they want to be addressed, and who has left."""

from __future__ import annotations

from bot.domain.records import Subscriber
from data.store import Row, Store, utcnow

SUBSCRIBE = """
INSERT INTO subscribers (chat_id, user_id, chat_type, display_name, active, subscribed_at, updated_at)
VALUES (:chat_id, :user_id, :chat_type, :display_name, 1, :now, :now)
ON CONFLICT (chat_id) DO UPDATE SET
    active = 1,
    user_id = coalesce(excluded.user_id, subscribers.user_id),
    chat_type = excluded.chat_type,
    display_name = coalesce(excluded.display_name, subscribers.display_name),
    subscribed_at = CASE WHEN subscribers.active = 1 THEN subscribers.subscribed_at ELSE excluded.subscribed_at END,
    updated_at = excluded.updated_at,
    left_at = NULL,
    left_reason = NULL
"""
WAS_ACTIVE = "SELECT active FROM subscribers WHERE chat_id = ?"
LEAVE = """
UPDATE subscribers SET active = 0, left_at = ?, left_reason = ?, updated_at = ?
WHERE chat_id = ? AND active = 1
"""
SET_PROFILE = "UPDATE subscribers SET role = ?, unit = ?, updated_at = ? WHERE chat_id = ?"
GET = "SELECT * FROM subscribers WHERE chat_id = ?"
COUNT_ACTIVE = "SELECT count(*) FROM subscribers WHERE active = 1"


def _subscriber(row: Row) -> Subscriber:
    return Subscriber(
        chat_id=row["chat_id"],
        user_id=row["user_id"],
        chat_type=row["chat_type"],
        display_name=row["display_name"],
        role=row["role"],
        unit=row["unit"],
        active=bool(row["active"]),
        subscribed_at=row["subscribed_at"],
        updated_at=row["updated_at"],
    )


async def subscribe(
    store: Store, chat_id: int, *, user_id: int | None, chat_type: str, display_name: str | None
) -> bool:
    """Subscribe (or re-subscribe) a chat. Returns True when it was not already active."""
    async with store.transaction() as conn:
        async with conn.execute(WAS_ACTIVE, (chat_id,)) as cur:
            row = await cur.fetchone()
        params = {
            "chat_id": chat_id,
            "user_id": user_id,
            "chat_type": chat_type,
            "display_name": display_name,
            "now": utcnow(),
        }
        await conn.execute(SUBSCRIBE, params)
    return row is None or not row[0]


async def leave(store: Store, chat_id: int, reason: str) -> bool:
    """Deactivate a chat (``/stop``, or Telegram said it is blocked). True when it was active."""
    now = utcnow()
    return await store.execute(LEAVE, (now, reason, now, chat_id)) > 0


async def set_profile(store: Store, chat_id: int, *, role: str | None, unit: str | None) -> bool:
    return await store.execute(SET_PROFILE, (role, unit, utcnow(), chat_id)) > 0


async def get(store: Store, chat_id: int) -> Subscriber | None:
    row = await store.fetchone(GET, (chat_id,))
    return None if row is None else _subscriber(row)


async def count_active(store: Store) -> int:
    return int(await store.fetchval(COUNT_ACTIVE))
