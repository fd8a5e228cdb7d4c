"""Subscribers: who receives bulletins, how they want to be addressed, and who has left."""

from __future__ import annotations

from bot.domain.audience import UnitNameError, clean_unit_name, role_kind_of
from bot.domain.records import Subscriber
from data import units
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
# Audience (migration 0010): role_kind and unit_id are what targeting reads; role and unit stay the
# readable text greetings and reports show. The typed /profile form sets all four.
SET_PROFILE_FULL = """
UPDATE subscribers SET role = :role, role_kind = :kind, unit = :unit, unit_id = :unit_id, updated_at = :now
WHERE chat_id = :chat
"""
SET_ROLE = "UPDATE subscribers SET role = ?, role_kind = ?, updated_at = ? WHERE chat_id = ?"
SET_UNIT = "UPDATE subscribers SET unit = ?, unit_id = ?, asked_unit_at = NULL, updated_at = ? WHERE chat_id = ?"
ASK_UNIT = "UPDATE subscribers SET asked_unit_at = ? WHERE chat_id = ?"
CLEAR_ASK = "UPDATE subscribers SET asked_unit_at = NULL WHERE chat_id = ? AND asked_unit_at IS NOT NULL"
ASKED_AT = "SELECT asked_unit_at FROM subscribers WHERE chat_id = ? AND active = 1"
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
        role_kind=row["role_kind"],
        unit_id=row["unit_id"],
        asked_unit_at=row["asked_unit_at"],
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
    """The typed form (``/profile Role | Unit``): the texts as given, the role read into its kind
    and the unit found (or created unlisted) by its folded name, in one transaction."""
    kind = role_kind_of(role)
    async with store.transaction() as conn:
        unit_id = None
        if unit is not None:
            try:
                unit_id = (await units.find_or_create(conn, clean_unit_name(unit))).id
            except UnitNameError:
                unit_id = None
        params = {"role": role, "kind": kind, "unit": unit, "unit_id": unit_id, "now": utcnow(), "chat": chat_id}
        cursor = await conn.execute(SET_PROFILE_FULL, params)
        return cursor.rowcount > 0


async def set_role(store: Store, chat_id: int, kind: str, name: str) -> bool:
    """A role chosen with a button: its kind (``bot.domain.audience.ROLE_KINDS``) and its name."""
    return await store.execute(SET_ROLE, (name, kind, utcnow(), chat_id)) > 0


async def set_unit(store: Store, chat_id: int, unit_id: int, name: str) -> bool:
    """A unit chosen (a button) or typed: the unit's id and its name; the question is answered."""
    return await store.execute(SET_UNIT, (name, unit_id, utcnow(), chat_id)) > 0


async def ask_unit(store: Store, chat_id: int) -> None:
    """The bot asked this chat to type its unit: the next text is the answer (across a restart)."""
    await store.execute(ASK_UNIT, (utcnow(), chat_id))


async def clear_ask(store: Store, chat_id: int) -> bool:
    return await store.execute(CLEAR_ASK, (chat_id,)) > 0


async def asked_unit_at(store: Store, chat_id: int) -> str | None:
    """When the bot asked this (active) chat to type its unit, or None when it waits for nothing."""
    value = await store.fetchval(ASKED_AT, (chat_id,))
    return None if value is None else str(value)


async def get(store: Store, chat_id: int) -> Subscriber | None:
    row = await store.fetchone(GET, (chat_id,))
    return None if row is None else _subscriber(row)


async def count_active(store: Store) -> int:
    return int(await store.fetchval(COUNT_ACTIVE))
