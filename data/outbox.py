"""Broadcasts and the outbox (``deliveries``): what must reach whom, and what already did.

Every state change is one small ``UPDATE … WHERE id = ? AND status = 'pending'``, so a row
can move out of ``pending`` once only, whatever runs twice.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, fields

from aiosqlite import Connection

from bot.domain.audience import Target
from data.store import Row, Store, utcnow

# --- the audience (issue 12, point 1) ---------------------------------------------------------------------
# One condition on ``subscribers AS s`` says who a target takes: roles and units are JSON lists of
# role kinds and unit ids, NULL for "any"; both given, both must match. Every fan-out (a send, one
# for those without the bulletin, a scheduled start, a late joiner) and the preview's count use this
# one text, so the count a preview states is by construction the number of chats a send reaches.
# ``json_each`` over a bound JSON text: https://sqlite.org/json1.html#jeach


def _targeted(roles: str, units: str) -> str:
    """The condition for the SQL expressions ``roles`` and ``units`` (each a JSON list or NULL)."""
    return (
        f"({roles} IS NULL OR s.role_kind IN (SELECT value FROM json_each({roles}))) "
        f"AND ({units} IS NULL OR s.unit_id IN (SELECT value FROM json_each({units})))"
    )


# The target a broadcast was sent with (its own columns), for the fan-outs.
_OF_BROADCAST = _targeted(
    "(SELECT target_roles FROM broadcasts WHERE id = :broadcast)",
    "(SELECT target_units FROM broadcasts WHERE id = :broadcast)",
)
# A target given as parameters ``:roles`` and ``:units``, for the count before anything is stored.
_OF_PARAMS = _targeted(":roles", ":units")
SET_TARGET = "UPDATE broadcasts SET target_roles = ?, target_units = ?, late_joiners = ? WHERE id = ?"

CREATE_BROADCAST = """
INSERT INTO broadcasts (bulletin_id, status, requested_by, admin_chat_id, created_at)
VALUES (?, 'queued', ?, ?, ?)
"""
# A broadcast that waits until ``scheduled_at`` (migration 0007): its rows are written now, and who
# joins before that time is added when it starts (``RELEASE_JOINERS_*``).
CREATE_SCHEDULED = """
INSERT INTO broadcasts (bulletin_id, status, requested_by, admin_chat_id, created_at, scheduled_at, audience,
    same_bulletins)
VALUES (:bulletin, 'scheduled', :by, :chat, :now, :at, :audience, :same)
"""
INSERT_MESSAGE = "INSERT INTO broadcast_messages (broadcast_id, seq, task_number, html) VALUES (?, ?, ?, ?)"
# One statement fans the broadcast out to every active subscriber: chat-major order keeps the
# insert append-only on the unique index.
FAN_OUT = f"""
INSERT INTO deliveries (broadcast_id, seq, chat_id)
SELECT m.broadcast_id, m.seq, s.chat_id
FROM subscribers AS s CROSS JOIN broadcast_messages AS m
WHERE s.active = 1 AND m.broadcast_id = :broadcast AND {_OF_BROADCAST}
ORDER BY s.chat_id, m.seq
"""
SET_TOTALS = """
UPDATE broadcasts SET message_count = ?,
    recipients = (SELECT count(DISTINCT chat_id) FROM deliveries WHERE broadcast_id = ?)
WHERE id = ?
"""
GET_BROADCAST = """
SELECT b.*, u.title, u.month FROM broadcasts AS b JOIN bulletins AS u ON u.id = b.bulletin_id WHERE b.id = ?
"""
RECENT_BROADCASTS = """
SELECT b.*, u.title, u.month FROM broadcasts AS b JOIN bulletins AS u ON u.id = b.bulletin_id
ORDER BY b.id DESC LIMIT ?
"""
# /broadcasts (issue 9): every active broadcast, oldest first (the order they reach each chat in, so
# each waits only for those above it, and a paused one stays at the top), then the ``:finished``
# most recent finished ones, newest first; read a page at a time. ``ACTIVE_STATUSES`` is the one list
# of the states in which a broadcast can still act.
ACTIVE_STATUSES = ("running", "paused", "queued", "scheduled")
_ACTIVE_SQL = ", ".join(f"'{status}'" for status in ACTIVE_STATUSES)
_LISTED = f"""
WITH listed (id, part, rank) AS (
    SELECT id, 0, id FROM broadcasts WHERE status IN ({_ACTIVE_SQL})
    UNION ALL
    SELECT id, 1, -id FROM (
        SELECT id FROM broadcasts WHERE status NOT IN ({_ACTIVE_SQL}) ORDER BY id DESC LIMIT :finished
    )
)
"""
LISTING_COUNT = _LISTED + "SELECT count(*), coalesce(sum(part = 0), 0) FROM listed"
LISTING_PAGE = (
    _LISTED
    + """
SELECT b.*, u.title, u.month
FROM listed AS l JOIN broadcasts AS b ON b.id = l.id JOIN bulletins AS u ON u.id = b.bulletin_id
ORDER BY l.part, l.rank
LIMIT :limit OFFSET :offset
"""
)
# The earlier broadcasts a queued one waits for: queued or sending ones with a part still pending in
# a chat where it has one (a chat gets broadcasts in order; a paused one lets later ones go).
WAITING_FOR = """
SELECT a.id FROM broadcasts AS a
WHERE a.id < :broadcast AND a.status IN ('queued', 'running')
    AND EXISTS (
        SELECT 1 FROM deliveries AS o
        WHERE o.broadcast_id = a.id AND o.status = 'pending' AND EXISTS (
            SELECT 1 FROM deliveries AS d
            WHERE d.status = 'pending' AND d.chat_id = o.chat_id AND d.broadcast_id = :broadcast
        )
    )
ORDER BY a.id
"""
ACTIVE_BROADCAST_IDS = "SELECT id FROM broadcasts WHERE status IN ('queued', 'running', 'paused') ORDER BY id"
MESSAGES = "SELECT seq, task_number, html FROM broadcast_messages WHERE broadcast_id = ? ORDER BY seq"
# What the engine sends of each part: its text and the broadcast its "Đã nhận" button acknowledges
# (migration 0008; NULL: no button).
PARTS = "SELECT seq, html, ack_for FROM broadcast_messages WHERE broadcast_id = ? ORDER BY seq"
# A bulletin's last part carries the "Đã nhận" button for its own broadcast.
ACK_ON_LAST = "UPDATE broadcast_messages SET ack_for = broadcast_id WHERE broadcast_id = ? AND seq = ?"
SET_PROGRESS_MESSAGE = "UPDATE broadcasts SET progress_message_id = ? WHERE id = ?"
MARK_RUNNING = "UPDATE broadcasts SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'"
SET_STATUS = "UPDATE broadcasts SET status = ? WHERE id = ? AND status IN ({allowed})"
FINISH = "UPDATE broadcasts SET status = 'done', finished_at = ? WHERE id = ? AND status IN ('queued', 'running')"
ABORT = "UPDATE broadcasts SET status = ?, abort_reason = ?, finished_at = ? WHERE id = ? AND status IN ({allowed})"
# Rows in ``keep`` (a JSON array of row ids) are in flight or sent and not yet recorded: their
# outcome is still to come, so they stay pending until it does.
CANCEL_BROADCAST_ROWS = """
UPDATE deliveries SET status = 'cancelled', error = ?, updated_at = ?
WHERE broadcast_id = ? AND status = 'pending' AND id NOT IN (SELECT value FROM json_each(?))
"""
CANCEL_ROW = "UPDATE deliveries SET status = 'cancelled', error = ?, updated_at = ? WHERE id = ? AND status = 'pending'"
# Rows left pending by a stop that did not live to see their outcome (the process ended first).
CANCEL_ROWS_OF_STOPPED = """
UPDATE deliveries SET status = 'cancelled', updated_at = ?,
    error = (SELECT abort_reason FROM broadcasts AS b WHERE b.id = deliveries.broadcast_id)
WHERE status = 'pending' AND broadcast_id IN (SELECT id FROM broadcasts WHERE status IN ('cancelled', 'aborted'))
"""
COUNT_BY_STATUS = "SELECT status, count(*) AS n FROM deliveries WHERE broadcast_id = ? GROUP BY status"
ANY_PENDING = "SELECT EXISTS (SELECT 1 FROM deliveries WHERE status = 'pending')"
PENDING_LEFT = "SELECT EXISTS (SELECT 1 FROM deliveries WHERE broadcast_id = ? AND status = 'pending')"
ERRORS = """
SELECT error, count(*) AS n FROM deliveries
WHERE broadcast_id = ? AND status IN ('failed', 'cancelled') AND error IS NOT NULL
GROUP BY error ORDER BY n DESC LIMIT 5
"""
BLOCKED_CHATS = """
SELECT count(DISTINCT chat_id) FROM deliveries WHERE broadcast_id = ? AND status = 'cancelled' AND error LIKE 'blocked%'
"""

# The engine's view: chats with pending work, walked in chat_id order from a cursor. A chat counts
# when it has a pending row of a broadcast that is not paused or scheduled: a paused broadcast does
# not hold back a later one (its rows stay pending and go, in seq order, on resume). Rows of a
# scheduled broadcast are not even loaded: nothing of it may go before its time, whichever process
# scheduled it, and the engine learns that it started only when it is 'queued'.
NEXT_CHATS = """
SELECT DISTINCT d.chat_id
FROM deliveries AS d
WHERE d.status = 'pending' AND d.chat_id > ?
    AND d.broadcast_id NOT IN (SELECT id FROM broadcasts WHERE status IN ('paused', 'scheduled'))
ORDER BY d.chat_id
LIMIT ?
"""
PENDING_IN_RANGE = """
SELECT id, chat_id, broadcast_id, seq, attempts FROM deliveries
WHERE status = 'pending' AND chat_id BETWEEN ? AND ?
    AND broadcast_id NOT IN (SELECT id FROM broadcasts WHERE status = 'scheduled')
ORDER BY chat_id, broadcast_id, seq
"""
MARK_SENT = """
UPDATE deliveries SET status = 'sent', message_id = ?, attempts = attempts + 1, updated_at = ?
WHERE id = ? AND status = 'pending'
"""
MARK_FAILED = """
UPDATE deliveries SET status = 'failed', error = ?, attempts = attempts + 1, updated_at = ?
WHERE id = ? AND status = 'pending'
"""
BUMP_ATTEMPTS = (
    "UPDATE deliveries SET attempts = attempts + 1, error = ?, updated_at = ? WHERE id = ? AND status = 'pending'"
)
CANCEL_CHAT_ROWS = """
UPDATE deliveries SET status = ?, error = ?, updated_at = ? WHERE chat_id = ? AND status = 'pending'
"""
DEACTIVATE_SUBSCRIBER = """
UPDATE subscribers SET active = 0, left_at = ?, left_reason = ?, updated_at = ? WHERE chat_id = ? AND active = 1
"""
# A group that became a supergroup keeps its subscription and its queue under the new id.
MOVE_SUBSCRIBER = """
UPDATE OR REPLACE subscribers SET chat_id = ?, chat_type = 'supergroup', updated_at = ? WHERE chat_id = ?
"""
MOVE_PENDING = "UPDATE OR IGNORE deliveries SET chat_id = ?, updated_at = ? WHERE chat_id = ? AND status = 'pending'"
DROP_UNMOVED = """
UPDATE deliveries SET status = 'cancelled', error = 'migrated (duplicate)' WHERE chat_id = ? AND status = 'pending'
"""


@dataclass(frozen=True, slots=True)
class BroadcastInfo:
    id: int
    bulletin_id: int
    title: str
    month: str
    status: str
    admin_chat_id: int | None
    progress_message_id: int | None
    recipients: int
    message_count: int
    abort_reason: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    scheduled_at: str | None  # when it was (or is) to start; None: queued at once


@dataclass(frozen=True, slots=True)
class BroadcastCounts:
    total: int
    pending: int
    sent: int
    failed: int
    cancelled: int
    blocked_chats: int
    errors: tuple[tuple[str, int], ...]

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.cancelled


@dataclass(frozen=True, slots=True)
class PendingRow:
    id: int
    chat_id: int
    broadcast_id: int
    seq: int
    attempts: int


def _info(r: Row) -> BroadcastInfo:
    return BroadcastInfo(**{f.name: r[f.name] for f in fields(BroadcastInfo)})


async def create_broadcast(
    store: Store,
    bulletin_id: int,
    messages: Sequence[tuple[int, str]],
    *,
    requested_by: int | None,
    admin_chat_id: int | None,
) -> BroadcastInfo:
    """Queue ``messages`` ((task_number, html) in order) for every active subscriber, atomically."""
    async with store.transaction() as conn:
        broadcast_id = await insert_broadcast(
            conn, bulletin_id, messages, requested_by=requested_by, admin_chat_id=admin_chat_id
        )
    info = await get_broadcast(store, broadcast_id)
    assert info is not None
    return info


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a broadcast starts, and who is added then (subscribers who joined since it was
    scheduled): ``audience`` "everyone" or "without" (those with no broadcast of ``same_bulletins``)."""

    at: str  # UTC, ``utcnow()``'s format
    audience: str
    same_bulletins: tuple[int, ...] = ()


async def _create(
    conn: Connection,
    bulletin_id: int,
    requested_by: int | None,
    admin_chat_id: int | None,
    schedule: Schedule | None,
    target: Target | None = None,
) -> int:
    if schedule is None:
        cursor = await conn.execute(CREATE_BROADCAST, (bulletin_id, requested_by, admin_chat_id, utcnow()))
    else:
        values = {
            "bulletin": bulletin_id,
            "by": requested_by,
            "chat": admin_chat_id,
            "now": utcnow(),
            "at": schedule.at,
            "audience": schedule.audience,
            "same": json.dumps(sorted({*schedule.same_bulletins, bulletin_id})),
        }
        cursor = await conn.execute(CREATE_SCHEDULED, values)
    broadcast_id = cursor.lastrowid
    assert broadcast_id is not None
    if target is not None:  # before the fan-out, which reads it
        await conn.execute(SET_TARGET, (target.roles_json, target.units_json, int(target.late_joiners), broadcast_id))
    return broadcast_id


async def insert_broadcast(
    conn: Connection,
    bulletin_id: int,
    messages: Sequence[tuple[int, str]],
    *,
    requested_by: int | None,
    admin_chat_id: int | None,
    schedule: Schedule | None = None,
    target: Target | None = None,
) -> int:
    """``create_broadcast`` inside a transaction the caller holds; returns the broadcast's id. With
    ``schedule`` it waits, 'scheduled', until its time (its rows are written now). ``target``: who
    it is for (None: every active subscriber, and no late joiners)."""
    broadcast_id = await _create(conn, bulletin_id, requested_by, admin_chat_id, schedule, target)
    await conn.executemany(
        INSERT_MESSAGE, [(broadcast_id, seq, num, text) for seq, (num, text) in enumerate(messages, 1)]
    )
    await conn.execute(ACK_ON_LAST, (broadcast_id, len(messages)))
    await conn.execute(FAN_OUT, {"broadcast": broadcast_id})
    await conn.execute(SET_TOTALS, (len(messages), broadcast_id, broadcast_id))
    return broadcast_id


async def get_broadcast(store: Store, broadcast_id: int) -> BroadcastInfo | None:
    row = await store.fetchone(GET_BROADCAST, (broadcast_id,))
    return None if row is None else _info(row)


async def recent_broadcasts(store: Store, limit: int = 10) -> list[BroadcastInfo]:
    return [_info(r) for r in await store.fetchall(RECENT_BROADCASTS, (limit,))]


@dataclass(frozen=True, slots=True)
class BroadcastPage:
    """One page of the /broadcasts listing (``LISTING_PAGE``)."""

    items: tuple[BroadcastInfo, ...]
    page: int  # 1-based, clamped to the pages there are now
    pages: int  # at least 1
    total: int  # broadcasts listed over all pages
    active: int  # of them, active ones (``ACTIVE_STATUSES``)


async def broadcast_page(store: Store, page: int, *, size: int = 5, finished: int = 20) -> BroadcastPage:
    """Page ``page`` of every active broadcast (oldest first) then the ``finished`` most recent
    finished ones (newest first), ``size`` a page. A page past the end (the listing shrank since it
    was shown) is the last page; one before the start is the first."""
    row = await store.fetchone(LISTING_COUNT, {"finished": finished})
    total, active = (int(row[0]), int(row[1])) if row is not None else (0, 0)
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    params = {"finished": finished, "limit": size, "offset": (page - 1) * size}
    items = tuple(_info(r) for r in await store.fetchall(LISTING_PAGE, params))
    return BroadcastPage(items, page, pages, total, active)


async def waiting_for(store: Store, broadcast_id: int) -> list[int]:
    """The earlier broadcasts, in order, that still have parts to send in a chat where
    ``broadcast_id`` has parts pending: what a queued broadcast waits for (none: it starts now)."""
    return [int(r[0]) for r in await store.fetchall(WAITING_FOR, {"broadcast": broadcast_id})]


async def any_pending(store: Store) -> bool:
    return bool(await store.fetchval(ANY_PENDING))


async def active_broadcast_ids(store: Store) -> list[int]:
    return [int(r[0]) for r in await store.fetchall(ACTIVE_BROADCAST_IDS)]


async def messages(store: Store, broadcast_id: int) -> list[tuple[int, int, str]]:
    """(seq, task_number, html) of a broadcast, in order."""
    return [(r[0], r[1], r[2]) for r in await store.fetchall(MESSAGES, (broadcast_id,))]


async def parts(store: Store, broadcast_id: int) -> list[tuple[int, str, int | None]]:
    """(seq, html, ack_for) of a broadcast, in order: ``ack_for`` is the broadcast a part's
    "Đã nhận" button acknowledges, None for a part without one."""
    return [(r[0], r[1], r[2]) for r in await store.fetchall(PARTS, (broadcast_id,))]


async def set_progress_message(store: Store, broadcast_id: int, message_id: int) -> None:
    await store.execute(SET_PROGRESS_MESSAGE, (message_id, broadcast_id))


async def mark_running(store: Store, broadcast_id: int) -> bool:
    return await store.execute(MARK_RUNNING, (utcnow(), broadcast_id)) > 0


async def set_status(store: Store, broadcast_id: int, status: str, *, allowed: Iterable[str]) -> bool:
    allowed = tuple(allowed)
    sql = SET_STATUS.format(allowed=", ".join("?" for _ in allowed))
    return await store.execute(sql, (status, broadcast_id, *allowed)) > 0


async def finish_if_complete(store: Store, broadcast_id: int) -> bool:
    """Mark a broadcast done once no row is pending. True when this call finished it."""
    if await store.fetchval(PENDING_LEFT, (broadcast_id,)):
        return False
    return await store.execute(FINISH, (utcnow(), broadcast_id)) > 0


async def stop_broadcast(
    store: Store, broadcast_id: int, *, status: str, reason: str, keep: Collection[int] = ()
) -> bool:
    """Cancel (admin) or abort (content error) a broadcast and every row still pending, except the
    rows in ``keep``, whose outcome the caller will record (``mark_sent`` or ``cancel_row``)."""
    allowed = ("scheduled", "queued", "running", "paused")
    sql = ABORT.format(allowed=", ".join("?" for _ in allowed))
    now = utcnow()
    async with store.transaction() as conn:
        cursor = await conn.execute(sql, (status, reason, now, broadcast_id, *allowed))
        if cursor.rowcount == 0:
            return False
        await conn.execute(CANCEL_BROADCAST_ROWS, (reason, now, broadcast_id, json.dumps(sorted(keep))))
    return True


async def cancel_row(store: Store, row_id: int, reason: str) -> None:
    await store.execute(CANCEL_ROW, (reason, utcnow(), row_id))


async def cancel_rows_of_stopped_broadcasts(store: Store) -> int:
    """Cancel rows still pending in cancelled or aborted broadcasts; returns how many."""
    return await store.execute(CANCEL_ROWS_OF_STOPPED, (utcnow(),))


async def counts(store: Store, broadcast_id: int) -> BroadcastCounts:
    by_status = {r["status"]: r["n"] for r in await store.fetchall(COUNT_BY_STATUS, (broadcast_id,))}
    errors = tuple((r["error"], r["n"]) for r in await store.fetchall(ERRORS, (broadcast_id,)))
    blocked = int(await store.fetchval(BLOCKED_CHATS, (broadcast_id,)) or 0)
    return BroadcastCounts(
        total=sum(by_status.values()),
        pending=by_status.get("pending", 0),
        sent=by_status.get("sent", 0),
        failed=by_status.get("failed", 0),
        cancelled=by_status.get("cancelled", 0),
        blocked_chats=blocked,
        errors=errors,
    )


async def next_chats(store: Store, after_chat_id: int, limit: int) -> list[int]:
    return [int(r[0]) for r in await store.fetchall(NEXT_CHATS, (after_chat_id, limit))]


async def pending_between(store: Store, first_chat: int, last_chat: int) -> list[PendingRow]:
    rows = await store.fetchall(PENDING_IN_RANGE, (first_chat, last_chat))
    return [PendingRow(r[0], r[1], r[2], r[3], r[4]) for r in rows]


async def mark_sent(store: Store, sent: Sequence[tuple[int, int]]) -> None:
    """Record (row id, Telegram message id) pairs in one transaction (``write_small``: once a
    message, so at once on the loop's thread when the database is free)."""
    now = utcnow()
    await store.write_small(MARK_SENT, [(message_id, now, row_id) for row_id, message_id in sent])


async def mark_failed(store: Store, row_id: int, error: str) -> None:
    await store.execute(MARK_FAILED, (error, utcnow(), row_id))


async def note_attempt(store: Store, row_id: int, error: str) -> None:
    await store.execute(BUMP_ATTEMPTS, (error, utcnow(), row_id))


async def drop_chat(store: Store, chat_id: int, *, reason: str, deactivate: bool) -> None:
    """Cancel everything pending for a chat (and unsubscribe it when Telegram said it is gone)."""
    now = utcnow()
    async with store.transaction() as conn:
        await conn.execute(CANCEL_CHAT_ROWS, ("cancelled" if deactivate else "failed", reason, now, chat_id))
        if deactivate:
            await conn.execute(DEACTIVATE_SUBSCRIBER, (now, reason, now, chat_id))


async def move_chat(store: Store, old_chat_id: int, new_chat_id: int) -> None:
    now = utcnow()
    async with store.transaction() as conn:
        await conn.execute(MOVE_SUBSCRIBER, (new_chat_id, now, old_chat_id))
        await conn.execute(MOVE_PENDING, (new_chat_id, now, old_chat_id))
        await conn.execute(DROP_UNMOVED, (old_chat_id,))


# --- the same bulletin again (issue 9): who already has it ---------------------------------------------------
# A bulletin's identity across uploads is decided by ``bot.services.publishing.content_key`` from a
# bulletin's month and task texts; these read what it needs and restrict a fan-out by it. ``:ids`` is
# a JSON array of bulletin ids that are all "the same bulletin".

# Bulletins of one month that were ever broadcast, with their task texts in order.
BROADCAST_BULLETIN_TASKS = """
SELECT u.id, t.text FROM bulletins AS u JOIN tasks AS t ON t.bulletin_id = u.id
WHERE u.month = ? AND EXISTS (SELECT 1 FROM broadcasts AS b WHERE b.bulletin_id = u.id)
ORDER BY u.id, t.number
"""
# A chat "has" a broadcast when every row it was given is sent or still pending (none failed or
# cancelled): a chat that got every part, or will (queued, running, paused). A group that migrated
# mid-broadcast has its remaining rows under the new id, all sent, so it has it under that id.
_HAS_IT = """
SELECT d.chat_id FROM deliveries AS d JOIN broadcasts AS b ON b.id = d.broadcast_id
WHERE b.bulletin_id IN (SELECT value FROM json_each(:ids))
GROUP BY d.broadcast_id, d.chat_id
HAVING sum(d.status IN ('failed', 'cancelled')) = 0
"""
COUNT_WITHOUT_IT = f"""
SELECT count(*) FROM subscribers AS s WHERE s.active = 1 AND s.chat_id NOT IN ({_HAS_IT})
"""
COUNT_ACTIVE = "SELECT count(*) FROM subscribers WHERE active = 1"
# Every broadcast of the bulletin, with how many chats got every part of it so far.
EARLIER_BROADCASTS = """
SELECT b.id, b.status, b.created_at, b.started_at, b.finished_at, b.recipients, b.message_count,
    (SELECT count(*) FROM (
        SELECT d.chat_id FROM deliveries AS d WHERE d.broadcast_id = b.id
        GROUP BY d.chat_id HAVING sum(d.status <> 'sent') = 0
    )) AS received
FROM broadcasts AS b
WHERE b.bulletin_id IN (SELECT value FROM json_each(:ids))
ORDER BY b.id
"""
# FAN_OUT for the subscribers who do not have the bulletin yet (the others are left out).
FAN_OUT_WITHOUT_IT = f"""
INSERT INTO deliveries (broadcast_id, seq, chat_id)
SELECT m.broadcast_id, m.seq, s.chat_id
FROM subscribers AS s CROSS JOIN broadcast_messages AS m
WHERE s.active = 1 AND m.broadcast_id = :broadcast AND s.chat_id NOT IN ({_HAS_IT}) AND {_OF_BROADCAST}
ORDER BY s.chat_id, m.seq
"""
# The preview's count (issue 12): who a send with a target would reach, everyone or those without it.
COUNT_TARGETED = f"SELECT count(*) FROM subscribers AS s WHERE s.active = 1 AND {_OF_PARAMS}"
COUNT_TARGETED_WITHOUT_IT = f"""
SELECT count(*) FROM subscribers AS s WHERE s.active = 1 AND s.chat_id NOT IN ({_HAS_IT}) AND {_OF_PARAMS}
"""


@dataclass(frozen=True, slots=True)
class EarlierBroadcast:
    """A broadcast of a bulletin, as the preview of the same bulletin again tells it."""

    id: int
    status: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    recipients: int
    message_count: int
    received: int  # chats that got every part so far


async def _read(db: Store | Connection, sql: str, params: Sequence[object] | dict[str, object]) -> list[Row]:
    """Rows of a read, on the store's reader or inside a transaction the caller holds."""
    if isinstance(db, Store):
        return await db.fetchall(sql, params)
    async with db.execute(sql, params) as cursor:
        return list(await cursor.fetchall())


async def broadcast_bulletin_tasks(db: Store | Connection, month: str) -> dict[int, list[str]]:
    """{bulletin id: its task texts in order} of the bulletins of ``month`` that were ever broadcast."""
    found: dict[int, list[str]] = {}
    for row in await _read(db, BROADCAST_BULLETIN_TASKS, (month,)):
        found.setdefault(int(row[0]), []).append(str(row[1]))
    return found


async def earlier_broadcasts(db: Store | Connection, bulletin_ids: Collection[int]) -> list[EarlierBroadcast]:
    rows = await _read(db, EARLIER_BROADCASTS, {"ids": json.dumps(sorted(bulletin_ids))})
    return [EarlierBroadcast(*(r[i] for i in range(8))) for r in rows]


async def count_without(db: Store | Connection, bulletin_ids: Collection[int]) -> int:
    """Active subscribers who do not have any broadcast of ``bulletin_ids`` (see ``_HAS_IT``)."""
    rows = await _read(db, COUNT_WITHOUT_IT, {"ids": json.dumps(sorted(bulletin_ids))})
    return int(rows[0][0])


async def count_active(db: Store | Connection) -> int:
    return int((await _read(db, COUNT_ACTIVE, ()))[0][0])


async def count_targeted(db: Store | Connection, target: Target, without: Collection[int] | None = None) -> int:
    """Active subscribers ``target`` takes (``_targeted``), and with ``without`` only those who have
    no broadcast of those bulletins: exactly the chats a send with this target fans out to."""
    params: dict[str, object] = {"roles": target.roles_json, "units": target.units_json}
    if without is None:
        return int((await _read(db, COUNT_TARGETED, params))[0][0])
    params["ids"] = json.dumps(sorted(without))
    return int((await _read(db, COUNT_TARGETED_WITHOUT_IT, params))[0][0])


async def insert_broadcast_without(
    conn: Connection,
    bulletin_id: int,
    messages: Sequence[tuple[int, str]],
    *,
    requested_by: int | None,
    admin_chat_id: int | None,
    have_it: Collection[int],
    schedule: Schedule | None = None,
    target: Target | None = None,
) -> int:
    """``insert_broadcast`` for the active subscribers who have no broadcast of any bulletin in
    ``have_it`` (the same bulletin, maybe other rows of it), decided in the caller's transaction, so
    two sends of one bulletin one after the other cannot both reach everyone. Returns the id; its
    ``recipients`` may be 0."""
    broadcast_id = await _create(conn, bulletin_id, requested_by, admin_chat_id, schedule, target)
    await conn.executemany(
        INSERT_MESSAGE, [(broadcast_id, seq, num, text) for seq, (num, text) in enumerate(messages, 1)]
    )
    await conn.execute(ACK_ON_LAST, (broadcast_id, len(messages)))
    await conn.execute(FAN_OUT_WITHOUT_IT, {"broadcast": broadcast_id, "ids": json.dumps(sorted(have_it))})
    await conn.execute(SET_TOTALS, (len(messages), broadcast_id, broadcast_id))
    return broadcast_id


# --- scheduled broadcasts (issue 12) ------------------------------------------------------------------------
NEXT_DUE = "SELECT min(scheduled_at) FROM broadcasts WHERE status = 'scheduled'"
DUE = "SELECT id FROM broadcasts WHERE status = 'scheduled' AND scheduled_at <= ? ORDER BY scheduled_at, id"
RELEASE = "UPDATE broadcasts SET status = 'queued' WHERE id = ? AND status = 'scheduled'"
# Who joined while it waited: active subscribers without a row in it (a chat given rows that a 403 or
# "chat not found" in another broadcast cancelled has rows: it is not added again).
RELEASE_JOINERS_EVERYONE = f"""
INSERT OR IGNORE INTO deliveries (broadcast_id, seq, chat_id)
SELECT m.broadcast_id, m.seq, s.chat_id
FROM subscribers AS s CROSS JOIN broadcast_messages AS m
WHERE s.active = 1 AND m.broadcast_id = :broadcast
    AND s.chat_id NOT IN (SELECT chat_id FROM deliveries WHERE broadcast_id = :broadcast)
    AND {_OF_BROADCAST}
ORDER BY s.chat_id, m.seq
"""
RELEASE_JOINERS_WITHOUT = f"""
INSERT OR IGNORE INTO deliveries (broadcast_id, seq, chat_id)
SELECT m.broadcast_id, m.seq, s.chat_id
FROM subscribers AS s CROSS JOIN broadcast_messages AS m
WHERE s.active = 1 AND m.broadcast_id = :broadcast
    AND s.chat_id NOT IN (SELECT chat_id FROM deliveries WHERE broadcast_id = :broadcast)
    AND s.chat_id NOT IN ({_HAS_IT})
    AND {_OF_BROADCAST}
ORDER BY s.chat_id, m.seq
"""
# Who left while it waited (/stop) does not get it.
RELEASE_DROP_LEFT = """
UPDATE deliveries SET status = 'cancelled', error = 'unsubscribed before it started', updated_at = ?
WHERE broadcast_id = ? AND status = 'pending'
    AND chat_id NOT IN (SELECT chat_id FROM subscribers WHERE active = 1)
"""
SCHEDULE_OF = "SELECT audience, same_bulletins, message_count FROM broadcasts WHERE id = ?"
COUNT_RECIPIENTS = "SELECT count(DISTINCT chat_id) FROM deliveries WHERE broadcast_id = ?"


async def next_due(store: Store) -> str | None:
    """When the next scheduled broadcast is due (UTC text), or None when none is scheduled."""
    value = await store.fetchval(NEXT_DUE)
    return None if value is None else str(value)


async def due(store: Store, now: str) -> list[int]:
    """Scheduled broadcasts whose time is ``now`` or earlier, the earliest first."""
    return [int(r[0]) for r in await store.fetchall(DUE, (now,))]


async def release(store: Store, broadcast_id: int) -> tuple[int, int] | None:
    """Start a scheduled broadcast now: it becomes 'queued' (the engine may load its rows), with the
    subscribers who joined since it was scheduled added and those who left dropped, in one transaction.
    Returns (recipients before, recipients now), or None when it is not scheduled (any more: cancelled,
    already started)."""
    async with store.transaction() as conn:
        cursor = await conn.execute(RELEASE, (broadcast_id,))
        if cursor.rowcount == 0:
            return None
        async with conn.execute(SCHEDULE_OF, (broadcast_id,)) as cur:
            row = await cur.fetchone()
        assert row is not None
        audience, same, message_count = row[0], row[1], int(row[2])
        async with conn.execute(COUNT_RECIPIENTS, (broadcast_id,)) as cur:
            counted = await cur.fetchone()
        before = int(counted[0]) if counted else 0
        await conn.execute(RELEASE_DROP_LEFT, (utcnow(), broadcast_id))
        if audience == "everyone":
            await conn.execute(RELEASE_JOINERS_EVERYONE, {"broadcast": broadcast_id})
        elif audience == "without":
            await conn.execute(RELEASE_JOINERS_WITHOUT, {"broadcast": broadcast_id, "ids": same or "[]"})
        await conn.execute(SET_TOTALS, (message_count, broadcast_id, broadcast_id))
        async with conn.execute(COUNT_RECIPIENTS, (broadcast_id,)) as cur:
            counted = await cur.fetchone()
    return before, int(counted[0]) if counted else 0


# --- late joiners (issue 12, point 1) -------------------------------------------------------------------------
# A chat that subscribes, or sets a role or unit, while a broadcast runs gets it too when the
# broadcast allows it (``late_joiners``; never a reminder or a correction, which are for the chats
# of their original) and its target takes the chat. "Runs": it still has a part to send somewhere
# (one whose last part went out is over, even before the engine marks it done). Never twice: not
# when the chat has any row of that broadcast, nor a sent or pending row of another broadcast of the
# same bulletin; and rows are UNIQUE (broadcast_id, chat_id, seq), hence INSERT OR IGNORE.
LATE_CANDIDATES = """
SELECT id FROM broadcasts
WHERE status IN ('queued', 'running', 'paused') AND late_joiners = 1
    AND reminder_of IS NULL AND correction_of IS NULL
ORDER BY id
"""
LATE_FAN_OUT = f"""
INSERT OR IGNORE INTO deliveries (broadcast_id, seq, chat_id)
SELECT m.broadcast_id, m.seq, s.chat_id
FROM subscribers AS s CROSS JOIN broadcast_messages AS m
WHERE s.chat_id = :chat AND s.active = 1 AND m.broadcast_id = :broadcast AND {_OF_BROADCAST}
    AND (SELECT status FROM broadcasts WHERE id = :broadcast) IN ('queued', 'running', 'paused')
    AND EXISTS (SELECT 1 FROM deliveries WHERE broadcast_id = :broadcast AND status = 'pending')
    AND NOT EXISTS (SELECT 1 FROM deliveries WHERE broadcast_id = :broadcast AND chat_id = :chat)
    AND NOT EXISTS (
        SELECT 1 FROM deliveries AS d JOIN broadcasts AS b ON b.id = d.broadcast_id
        WHERE d.chat_id = :chat AND d.status IN ('pending', 'sent')
            AND b.bulletin_id = (SELECT bulletin_id FROM broadcasts WHERE id = :broadcast)
    )
ORDER BY m.seq
"""
SET_RECIPIENTS = """
UPDATE broadcasts SET recipients = (SELECT count(DISTINCT chat_id) FROM deliveries WHERE broadcast_id = :broadcast)
WHERE id = :broadcast
"""


async def add_late_joiner(store: Store, chat_id: int) -> list[int]:
    """Give ``chat_id`` the rows of every running broadcast that takes it as a late joiner (see
    ``LATE_FAN_OUT``), in one transaction; returns the broadcasts it was added to."""
    added: list[int] = []
    async with store.transaction() as conn:
        async with conn.execute(LATE_CANDIDATES) as cursor:
            candidates = [int(r[0]) for r in await cursor.fetchall()]
        for broadcast_id in candidates:
            params = {"chat": chat_id, "broadcast": broadcast_id}
            inserted = await conn.execute(LATE_FAN_OUT, params)
            if inserted.rowcount > 0:
                await conn.execute(SET_RECIPIENTS, {"broadcast": broadcast_id})
                added.append(broadcast_id)
    return added
