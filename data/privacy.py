"""Forgetting a subscriber (``/forget``, ``python -m bot forget``): their profile and subscription
deleted, their delivery and acknowledgement history kept for the reports under an anonymous marker,
their pending messages cancelled, all in one transaction.

The marker replaces the chat id everywhere the history needs a value (``deliveries.chat_id`` and
``acknowledgements.chat_id`` are NOT NULL and part of UNIQUE (broadcast_id, chat_id, seq) and the
PRIMARY KEY (broadcast_id, chat_id)). One random marker per forgotten chat keeps the counts (distinct
recipients, acknowledged ones) exactly as they were, yet says nothing about who it was, not even in
which order people asked. Markers are ``2**60`` or more: Telegram's chat ids have at most 52
significant bits (https://core.telegram.org/bots/api#chat), so a marker is never a real chat and
never collides with one; they are positive, where negative ids are groups.

An anonymised delivery loses its message ids too: a correction (data/corrections.py) reaches only
rows with a message id, so nothing is ever edited, deleted or replied to in a forgotten chat.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from dataclasses import dataclass

from aiosqlite import Connection

from data.store import Store, utcnow

ANON_BASE = 2**60
ANON_SPAN = 2**62 - ANON_BASE  # markers stay below 2**62, well inside SQLite's signed 64-bit integers
ERASED = "[đã xóa]"  # what replaces the chat id where free text named it (an error, an action's detail)
CANCEL_REASON = "forgotten at the subscriber's request"

SUBSCRIBER = "SELECT chat_id, user_id, active FROM subscribers WHERE chat_id = ?"
# Pending rows first, so that no part is sent after this (the engine sees 'cancelled').
CANCEL_PENDING = """
UPDATE deliveries SET status = 'cancelled', error = :reason, updated_at = :now
WHERE chat_id = :chat AND status = 'pending'
"""
# A full scan of deliveries (only pending rows are indexed by chat): forgetting is rare, and one
# scan of a million rows takes well under a second.
ANON_DELIVERIES = """
UPDATE deliveries SET chat_id = :marker, message_id = NULL, target_message_id = NULL
WHERE chat_id = :chat
"""
ANON_ACKS = "UPDATE acknowledgements SET chat_id = :marker WHERE chat_id = :chat"
ANON_EVENTS = "UPDATE subscriber_events SET chat_id = :marker WHERE chat_id = :chat"
# The subscriber count over time (data/stats.py) sees the forgotten chat leave now, as it would
# have seen a /stop: deleting the row fires no trigger (migration 0012 has none on DELETE).
LEAVE_EVENT = "INSERT INTO subscriber_events (chat_id, at, kind) VALUES (:marker, :now, 'leave')"
DELETE_SUBSCRIBER = "DELETE FROM subscribers WHERE chat_id = :chat"
# An admin who asks: what names them as the one who acted. draft_parts go with their drafts (ON
# DELETE CASCADE, migration 0004); nothing refers to a draft.
DELETE_DRAFTS = "DELETE FROM drafts WHERE chat_id = :chat OR admin_user_id = :user"
ANON_ACTIONS = """
UPDATE admin_actions SET admin_user_id = NULL, admin_name = :erased
WHERE admin_user_id = :user OR admin_user_id = :chat
"""
ANON_BROADCASTS = """
UPDATE broadcasts SET
    requested_by = CASE WHEN requested_by IN (:user, :chat) THEN NULL ELSE requested_by END,
    admin_chat_id = CASE WHEN admin_chat_id IN (:user, :chat) THEN NULL ELSE admin_chat_id END
WHERE requested_by IN (:user, :chat) OR admin_chat_id IN (:user, :chat)
"""
ANON_SOURCES = "UPDATE watch_sources SET added_by = NULL WHERE added_by IN (:user, :chat)"
ANON_OFFERS = "UPDATE watch_offers SET decided_by = NULL WHERE decided_by IN (:user, :chat)"
# Free text that may quote the id (a Telegram error about a migrated group, an action's detail).
ERRORS_NAMING = "SELECT id, error FROM deliveries WHERE error LIKE '%' || :text || '%'"
SET_ERROR = "UPDATE deliveries SET error = ? WHERE id = ?"
DETAILS_NAMING = "SELECT id, detail FROM admin_actions WHERE detail LIKE '%' || :text || '%'"
SET_DETAIL = "UPDATE admin_actions SET detail = ? WHERE id = ?"


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What one forget removed or anonymised, counted for the answer."""

    subscriber: bool  # the profile and subscription were deleted
    was_active: bool
    deliveries: int  # delivery rows anonymised (the counts in reports keep them)
    cancelled: int  # of which were still pending and are now cancelled
    acknowledgements: int
    events: int  # subscription history rows anonymised
    drafts: int  # an admin's drafts deleted
    admin_actions: int  # actions that named them, now anonymous
    other: int  # broadcasts, watched sources, offers that named them as who asked

    @property
    def anything(self) -> bool:
        return bool(
            self.subscriber
            or self.deliveries
            or self.acknowledgements
            or self.events
            or self.drafts
            or self.admin_actions
            or self.other
        )


def new_marker() -> int:
    return ANON_BASE + secrets.randbelow(ANON_SPAN)


def is_marker(chat_id: int) -> bool:
    return chat_id >= ANON_BASE


async def forget(store: Store, chat_id: int, *, user_id: int | None = None) -> Forgotten:
    """Forget ``chat_id`` (and ``user_id``, the person, where they acted as an admin; in a private
    chat both are the same number). One transaction: all of it, or nothing on an error. Forgetting
    an unknown chat, or one already forgotten, changes nothing and returns ``anything`` False."""
    if is_marker(chat_id):
        raise ValueError("that is an anonymous marker, not a chat")
    for _ in range(3):  # a marker already in use (chance 2**-61 per forgotten chat): draw again
        try:
            async with store.transaction() as conn:
                return await _forget(conn, chat_id, user_id, new_marker())
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" not in str(exc):  # anything but a marker in use is a real error
                raise
            continue
    raise RuntimeError("could not draw an unused anonymous marker")


async def _rowcount(conn: Connection, sql: str, params: dict[str, object]) -> int:
    cursor = await conn.execute(sql, params)
    return max(cursor.rowcount, 0)


async def _forget(conn: Connection, chat_id: int, user_id: int | None, marker: int) -> Forgotten:
    async with conn.execute(SUBSCRIBER, (chat_id,)) as cur:
        row = await cur.fetchone()
    if user_id is None and chat_id > 0:
        # A private chat's id is its user's id (https://core.telegram.org/bots/api#chat); a group's
        # stored user_id is whoever subscribed it, who is not being forgotten.
        user_id = chat_id
    was_active = row is not None and bool(row["active"])
    now = utcnow()
    p: dict[str, object] = {
        "chat": chat_id,
        "user": user_id,
        "marker": marker,
        "now": now,
        "reason": CANCEL_REASON,
        "erased": ERASED,
    }
    cancelled = await _rowcount(conn, CANCEL_PENDING, p)
    deliveries = await _rowcount(conn, ANON_DELIVERIES, p)
    acks = await _rowcount(conn, ANON_ACKS, p)
    events = await _rowcount(conn, ANON_EVENTS, p)
    if was_active:
        await conn.execute(LEAVE_EVENT, p)
    subscriber = await _rowcount(conn, DELETE_SUBSCRIBER, p) > 0
    drafts = await _rowcount(conn, DELETE_DRAFTS, p)
    actions = await _rowcount(conn, ANON_ACTIONS, p)
    other = 0
    for sql in (ANON_BROADCASTS, ANON_SOURCES, ANON_OFFERS):
        other += await _rowcount(conn, sql, p)
    for ident in {chat_id} if user_id is None else {chat_id, user_id}:
        await _scrub(conn, ERRORS_NAMING, SET_ERROR, ident)
        actions += await _scrub(conn, DETAILS_NAMING, SET_DETAIL, ident)
    return Forgotten(subscriber, was_active, deliveries, cancelled, acks, events, drafts, actions, other)


async def _scrub(conn: Connection, find: str, update: str, ident: int) -> int:
    """Replace ``ident`` where it stands as a whole number in free text; the rows changed."""
    text = str(ident)
    whole = re.compile(rf"(?<![0-9]){re.escape(text)}(?![0-9])")
    async with conn.execute(find, {"text": text}) as cur:
        rows = [(int(r[0]), str(r[1])) for r in await cur.fetchall()]
    changed = [(whole.sub(ERASED, value), row_id) for row_id, value in rows if whole.search(value)]
    if changed:
        await conn.executemany(update, changed)
    return len(changed)


# Whether anything names the chat (or, for a private chat, the person): the CLI's "unknown id".
KNOWN = """
SELECT EXISTS (SELECT 1 FROM subscribers WHERE chat_id = :chat)
    OR EXISTS (SELECT 1 FROM deliveries WHERE chat_id = :chat)
    OR EXISTS (SELECT 1 FROM acknowledgements WHERE chat_id = :chat)
    OR EXISTS (SELECT 1 FROM subscriber_events WHERE chat_id = :chat)
    OR EXISTS (SELECT 1 FROM drafts WHERE chat_id = :chat OR admin_user_id = :user)
    OR EXISTS (SELECT 1 FROM admin_actions WHERE admin_user_id = :user)
"""


async def known(store: Store, chat_id: int) -> bool:
    """True when the database holds something about ``chat_id`` that ``forget`` would remove."""
    user = chat_id if chat_id > 0 else None
    return bool(await store.fetchval(KNOWN, {"chat": chat_id, "user": user}))
