"""Drafts: a bulletin an admin is collecting or previewing, until it is sent, cancelled or replaced.

A draft moves ``collecting`` → ``pending`` → ``sent`` | ``cancelled``, or to ``replaced`` when the
same admin starts another in the same chat, or ``expired`` when a collection was left waiting. Each
move is one ``UPDATE … WHERE status = …``, so it happens once, whatever runs twice. The JSON columns
are written and read by ``bot.services.drafts``; this module only stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from aiosqlite import Connection

from data.store import Row, Store, utcnow

OPEN_STATUSES = ("collecting", "pending")

GET = "SELECT * FROM drafts WHERE id = ?"
# An offer of a bulletin found on a watched portal (offer_id) is a draft apart: it neither replaces
# the admin's own draft nor is replaced by it.
OPEN_OF = """
SELECT * FROM drafts WHERE chat_id = ? AND admin_user_id = ? AND status IN ('collecting', 'pending')
AND offer_id IS NULL ORDER BY id DESC
"""
PENDING_IN_CHAT = "SELECT * FROM drafts WHERE chat_id = ? AND status = 'pending' ORDER BY id DESC"
REPLACE_OPEN = """
UPDATE drafts SET status = 'replaced', updated_at = ?
WHERE chat_id = ? AND admin_user_id = ? AND status = ? AND offer_id IS NULL
"""
INSERT = """
INSERT INTO drafts (admin_user_id, chat_id, source_text, status, origin, source_name, document_json,
                    bulletin_json, version, created_at, updated_at, offer_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
"""
OF_OFFER = "SELECT * FROM drafts WHERE offer_id = ? ORDER BY id"
PROMOTE = """
UPDATE drafts SET status = 'pending', source_text = ?, document_json = ?, bulletin_json = ?,
    version = version + 1, updated_at = ?
WHERE id = ? AND status = 'collecting'
"""
SAVE_BULLETIN = """
UPDATE drafts SET bulletin_json = ?, version = version + 1, updated_at = ?
WHERE id = ? AND status = 'pending' AND version = ?
"""
SET_PREVIEW = "UPDATE drafts SET preview_json = ? WHERE id = ? AND status IN ('collecting', 'pending')"
TOUCH = "UPDATE drafts SET updated_at = ? WHERE id = ? AND status = 'collecting'"
CLAIM = "UPDATE drafts SET status = ?, updated_at = ? WHERE id = ? AND status = ?"
CLAIM_VERSION = "UPDATE drafts SET status = ?, updated_at = ? WHERE id = ? AND status = 'pending' AND version = ?"
LINK = "UPDATE drafts SET broadcast_id = ? WHERE id = ?"
# The audience is no part of the draft's version: choosing it changes no text a Send confirmed.
SET_TARGET = """
UPDATE drafts SET target_roles = ?, target_units = ?, late_joiners = ?, updated_at = ?
WHERE id = ? AND status = 'pending'
"""
ADD_PART = "INSERT OR IGNORE INTO draft_parts (draft_id, message_id, text) VALUES (?, ?, ?)"
PARTS = "SELECT message_id, text FROM draft_parts WHERE draft_id = ? ORDER BY message_id"
PART_STATS = "SELECT count(*), coalesce(sum(length(text)), 0) FROM draft_parts WHERE draft_id = ?"


@dataclass(frozen=True, slots=True)
class Draft:
    id: int
    admin_user_id: int
    chat_id: int
    status: str
    origin: str  # "text", "file", "url"
    source_name: str | None
    source_text: str
    document_json: str | None
    bulletin_json: str | None
    preview_json: str | None
    version: int
    broadcast_id: int | None
    created_at: str
    updated_at: str
    offer_id: int | None = None  # a bulletin found on a watched portal (data.watch), offered to this admin
    # The audience chosen in the preview (migration 0010; bot.domain.audience.Target reads them):
    # JSON lists of role kinds and unit ids, None for any; late joiners get it (1) or not (0).
    target_roles: str | None = None
    target_units: str | None = None
    late_joiners: int = 1

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def _draft(row: Row) -> Draft:
    return Draft(**{f.name: row[f.name] for f in fields(Draft)})


async def get(store: Store, draft_id: int) -> Draft | None:
    row = await store.fetchone(GET, (draft_id,))
    return None if row is None else _draft(row)


async def open_drafts(store: Store, chat_id: int, admin_user_id: int) -> list[Draft]:
    """The admin's open drafts in the chat, newest first: at most one collecting and one pending."""
    return [_draft(r) for r in await store.fetchall(OPEN_OF, (chat_id, admin_user_id))]


async def of_offer(store: Store, offer_id: int) -> list[Draft]:
    """Every admin's draft of one offer, oldest first."""
    return [_draft(r) for r in await store.fetchall(OF_OFFER, (offer_id,))]


async def pending_in_chat(store: Store, chat_id: int) -> list[Draft]:
    """Every admin's pending draft in a chat (to find the one a reply or a button belongs to)."""
    return [_draft(r) for r in await store.fetchall(PENDING_IN_CHAT, (chat_id,))]


async def _replace(conn: Connection, chat_id: int, admin_user_id: int, status: str) -> None:
    await conn.execute(REPLACE_OPEN, (utcnow(), chat_id, admin_user_id, status))


async def start_collecting(store: Store, admin_user_id: int, chat_id: int) -> int:
    """A new collection for the admin in the chat; one already collecting there is replaced (a
    pending preview stays until the collected bulletin becomes the new one)."""
    now = utcnow()
    async with store.transaction() as conn:
        await _replace(conn, chat_id, admin_user_id, "collecting")
        cursor = await conn.execute(
            INSERT, (admin_user_id, chat_id, "", "collecting", "text", None, None, None, now, now, None)
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def add_part(store: Store, draft_id: int, message_id: int, text: str) -> tuple[int, int]:
    """Keep one pasted message of a collection (once, whatever arrives twice); returns the parts and
    characters collected so far."""
    async with store.transaction() as conn:
        await conn.execute(ADD_PART, (draft_id, message_id, text))
        await conn.execute(TOUCH, (utcnow(), draft_id))
        async with conn.execute(PART_STATS, (draft_id,)) as cursor:
            row = await cursor.fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


async def parts(store: Store, draft_id: int) -> list[str]:
    """A collection's messages, in the order they were written."""
    return [r["text"] for r in await store.fetchall(PARTS, (draft_id,))]


async def part_stats(store: Store, draft_id: int) -> tuple[int, int]:
    row = await store.fetchone(PART_STATS, (draft_id,))
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


async def create_pending(
    store: Store,
    admin_user_id: int,
    chat_id: int,
    *,
    origin: str,
    source_name: str | None,
    source_text: str,
    document_json: str | None,
    bulletin_json: str,
    offer_id: int | None = None,
) -> int:
    """A new previewed draft. Any other open draft of the admin in the chat (collecting or
    pending) is marked replaced in the same transaction, unless this one is an offer
    (``offer_id``), which stands beside it."""
    now = utcnow()
    async with store.transaction() as conn:
        for status in OPEN_STATUSES if offer_id is None else ():
            await _replace(conn, chat_id, admin_user_id, status)
        cursor = await conn.execute(
            INSERT,
            (
                admin_user_id,
                chat_id,
                source_text,
                "pending",
                origin,
                source_name,
                document_json,
                bulletin_json,
                now,
                now,
                offer_id,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


class _NotCollecting(Exception):
    """Rolls back ``promote``'s transaction: the draft was no longer collecting."""


async def promote(store: Store, draft: Draft, *, source_text: str, document_json: str, bulletin_json: str) -> bool:
    """A collection becomes a previewed draft ("Done"), replacing the admin's pending one. False,
    with nothing changed, when it was no longer collecting (pressed twice, cancelled, replaced)."""
    now = utcnow()
    try:
        async with store.transaction() as conn:
            await _replace(conn, draft.chat_id, draft.admin_user_id, "pending")
            cursor = await conn.execute(PROMOTE, (source_text, document_json, bulletin_json, now, draft.id))
            if cursor.rowcount == 0:
                raise _NotCollecting
    except _NotCollecting:
        return False
    return True


async def save_bulletin(store: Store, draft_id: int, version: int, bulletin_json: str) -> bool:
    """Store an edited bulletin if the draft is still pending at ``version``; the version moves on."""
    return await store.execute(SAVE_BULLETIN, (bulletin_json, utcnow(), draft_id, version)) > 0


async def set_preview(store: Store, draft_id: int, preview_json: str) -> None:
    await store.execute(SET_PREVIEW, (preview_json, draft_id))


async def finish(store: Store, draft_id: int, status: str, *, was: str = "pending") -> bool:
    """Move an open draft to ``cancelled`` or ``expired``; False if it had moved on already."""
    return await store.execute(CLAIM, (status, utcnow(), draft_id, was)) > 0


async def claim(conn: Connection, draft_id: int, status: str, version: int | None = None) -> bool:
    """Inside the caller's transaction, move a pending draft (at ``version``, when given) to ``sent``
    or ``cancelled``. Sending claims, queues and links in that one transaction, so a draft is never
    ``sent`` without its broadcast (``bot.services.publishing.send_draft``)."""
    if version is None:
        cursor = await conn.execute(CLAIM, (status, utcnow(), draft_id, "pending"))
    else:
        cursor = await conn.execute(CLAIM_VERSION, (status, utcnow(), draft_id, version))
    return cursor.rowcount > 0


async def link(conn: Connection, draft_id: int, broadcast_id: int) -> None:
    """Inside the caller's transaction: the broadcast a sent draft became."""
    await conn.execute(LINK, (broadcast_id, draft_id))


async def set_target(store: Store, draft_id: int, *, roles: str | None, units: str | None, late_joiners: bool) -> bool:
    """Store the audience chosen in a pending draft's preview (JSON lists or None); False when the
    draft is no longer pending."""
    params = (roles, units, int(late_joiners), utcnow(), draft_id)
    return await store.execute(SET_TARGET, params) > 0
