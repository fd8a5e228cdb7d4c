"""The figures of /stats and of the CSV export (issue 12, point 5): subscribers over time, a
broadcast's outcome per recipient, and how fast it was delivered and acknowledged.

Plain SQL, one function per question, nothing Telegram-typed. Every count is of recipients (chats),
not of outbox rows: a bulletin of six parts sent to one chat is one recipient. A recipient's state
is decided from its rows in this order: blocked (a row cancelled because the chat blocked the bot),
failed (a row Telegram refused), pending (a row still to go), cancelled (an admin's cancel, or the
chat left first), delivered (every part sent).

Days are local days of the ``TIMEZONE`` setting: the day boundaries are computed in Python (so a
zone with daylight saving time gets days of 23 or 25 hours) and passed to SQL as UTC text, which
compares in time order because every stamp is ``data.store.utcnow()``'s fixed-width format.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.delivery.when import from_utc_text, to_utc_text
from data.store import Store

# --- subscribers over time --------------------------------------------------------------------------------
# A subscriber's events (migration 0012) as moves in or out: a join or rejoin counts when the chat was
# not in just before, a leave or block when it was (an inactive row inserted by /stop from a chat that
# never subscribed records a 'leave' that moves nobody). The window orders each chat's events in time.
_MOVES = """
WITH events AS (
    SELECT at, kind, lag(kind) OVER (PARTITION BY chat_id ORDER BY at, id) AS before
    FROM subscriber_events WHERE at < :end
),
moves AS (
    SELECT at, CASE
        WHEN kind IN ('join', 'rejoin') AND coalesce(before, 'leave') NOT IN ('join', 'rejoin') THEN 'in'
        WHEN kind IN ('leave', 'blocked') AND before IN ('join', 'rejoin') THEN kind
    END AS move
    FROM events
)
"""
# :days is a JSON array of [day, start, end] (local date, its UTC start and end), in order.
SUBSCRIBER_DAYS = (
    _MOVES
    + """,
days AS (
    SELECT json_extract(value, '$[0]') AS day, json_extract(value, '$[1]') AS start,
        json_extract(value, '$[2]') AS finish
    FROM json_each(:days)
),
per_day AS (
    SELECT d.day,
        coalesce(sum(m.move = 'in'), 0) AS joins,
        coalesce(sum(m.move = 'leave'), 0) AS leaves,
        coalesce(sum(m.move = 'blocked'), 0) AS blocked
    FROM days AS d LEFT JOIN moves AS m ON m.at >= d.start AND m.at < d.finish AND m.move IS NOT NULL
    GROUP BY d.day
)
SELECT day, joins, leaves, blocked,
    (SELECT coalesce(sum(CASE move WHEN 'in' THEN 1 ELSE -1 END), 0) FROM moves
     WHERE move IS NOT NULL AND at < :start)
    + sum(joins - leaves - blocked) OVER (ORDER BY day) AS active
FROM per_day ORDER BY day
"""
)
COUNT_ACTIVE = "SELECT count(*) FROM subscribers WHERE active = 1"

# --- one broadcast ------------------------------------------------------------------------------------------
# Each recipient of a broadcast with its state (see the module docstring), when its last part was
# sent (NULL until every part was), and the first error among its rows that did not go.
_PER_CHAT = """
SELECT chat_id,
    CASE
        WHEN sum(status = 'cancelled' AND coalesce(error, '') LIKE 'blocked%') > 0 THEN 'blocked'
        WHEN sum(status = 'failed') > 0 THEN 'failed'
        WHEN sum(status = 'pending') > 0 THEN 'pending'
        WHEN sum(status = 'cancelled') > 0 THEN 'cancelled'
        ELSE 'delivered'
    END AS state,
    CASE WHEN sum(status <> 'sent') = 0 THEN max(updated_at) END AS delivered_at,
    max(CASE WHEN status = 'sent' THEN updated_at END) AS last_sent_at,
    (SELECT e.error FROM deliveries AS e
     WHERE e.broadcast_id = d.broadcast_id AND e.chat_id = d.chat_id AND e.status IN ('failed', 'cancelled')
     ORDER BY e.seq LIMIT 1) AS error
FROM deliveries AS d
WHERE broadcast_id = :broadcast
GROUP BY chat_id
"""
OUTCOME = f"""
SELECT count(*) AS recipients,
    coalesce(sum(state = 'delivered'), 0), coalesce(sum(state = 'failed'), 0),
    coalesce(sum(state = 'blocked'), 0), coalesce(sum(state = 'pending'), 0),
    coalesce(sum(state = 'cancelled'), 0)
FROM ({_PER_CHAT})
"""
# The broadcast a row's button acknowledges: a reminder's acknowledgements are its original's.
ACK_TARGET = "SELECT coalesce(reminder_of, id), started_at FROM broadcasts WHERE id = ?"
HAS_BUTTON = "SELECT EXISTS (SELECT 1 FROM broadcast_messages WHERE broadcast_id = ? AND ack_for IS NOT NULL)"
# Acknowledged by its recipients (a chat that pressed the button of the original counts for it).
ACKED = """
SELECT count(*) FROM acknowledgements
WHERE broadcast_id = :target
    AND chat_id IN (SELECT chat_id FROM deliveries WHERE broadcast_id = :broadcast)
"""
FIRST_SENT = "SELECT min(updated_at) FROM deliveries WHERE broadcast_id = ? AND status = 'sent'"
# The moment the n-th recipient had every part (``:n`` is 1-based).
NTH_DELIVERED = f"""
SELECT delivered_at FROM ({_PER_CHAT}) WHERE delivered_at IS NOT NULL
ORDER BY delivered_at LIMIT 1 OFFSET :n - 1
"""
NTH_ACKED = """
SELECT at FROM acknowledgements
WHERE broadcast_id = :target
    AND chat_id IN (SELECT chat_id FROM deliveries WHERE broadcast_id = :broadcast)
ORDER BY at LIMIT 1 OFFSET :n - 1
"""
# The last broadcasts of bulletins (reminders and corrections are told under their original).
RECENT = """
SELECT id FROM broadcasts
WHERE reminder_of IS NULL AND correction_of IS NULL AND status <> 'scheduled'
ORDER BY id DESC LIMIT ?
"""
EXISTS = "SELECT EXISTS (SELECT 1 FROM broadcasts WHERE id = ?)"

# --- the per-recipient record (CSV) -------------------------------------------------------------------------
# One page of recipients after chat ``:after``, in chat order: keyset paging, so each page is one
# short read on the index (broadcast_id, chat_id, seq) and memory holds one page, whatever the size.
# The page's last chat bounds the range: with ``chat_id IN (the page)`` alone, SQLite walked the
# index from ``:after`` to the end of the broadcast for every page (quadratic: 2.3 s for 100,000).
RECIPIENTS_PAGE = """
SELECT p.chat_id, s.display_name, s.role, s.unit, p.state, p.last_sent_at, a.at AS acked_at, p.error
FROM (
    SELECT chat_id,
        CASE
            WHEN sum(status = 'cancelled' AND coalesce(error, '') LIKE 'blocked%') > 0 THEN 'blocked'
            WHEN sum(status = 'failed') > 0 THEN 'failed'
            WHEN sum(status = 'pending') > 0 THEN 'pending'
            WHEN sum(status = 'cancelled') > 0 THEN 'cancelled'
            ELSE 'delivered'
        END AS state,
        max(CASE WHEN status = 'sent' THEN updated_at END) AS last_sent_at,
        -- Looked up only for the few recipients with a row that did not go.
        CASE WHEN sum(status IN ('failed', 'cancelled')) > 0 THEN (
            SELECT e.error FROM deliveries AS e
            WHERE e.broadcast_id = d.broadcast_id AND e.chat_id = d.chat_id AND e.status IN ('failed', 'cancelled')
            ORDER BY e.seq LIMIT 1
        ) END AS error
    FROM deliveries AS d
    WHERE broadcast_id = :broadcast AND chat_id > :after
        AND chat_id <= (
            SELECT max(chat_id) FROM (
                SELECT DISTINCT chat_id FROM deliveries
                WHERE broadcast_id = :broadcast AND chat_id > :after
                ORDER BY chat_id LIMIT :limit
            )
        )
    GROUP BY chat_id
) AS p
LEFT JOIN subscribers AS s ON s.chat_id = p.chat_id
LEFT JOIN acknowledgements AS a ON a.broadcast_id = :target AND a.chat_id = p.chat_id
ORDER BY p.chat_id
"""

DELIVERED_SHARE = 0.9
ACKED_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class SubscriberDay:
    """One local day: who came in (joins and rejoins), left (/stop), blocked the bot, and how many
    were subscribed at the end of it."""

    day: dt.date
    joins: int
    leaves: int
    blocked: int
    active: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """A broadcast's recipients by state (they add up to ``recipients``)."""

    recipients: int
    delivered: int
    failed: int
    blocked: int
    pending: int
    cancelled: int


@dataclass(frozen=True, slots=True)
class BroadcastStats:
    """A broadcast's figures in /stats: its outcome, the acknowledgements (None: its messages carry no
    "Đã nhận" button), and the times from its start until 90% of its recipients had every part and
    until 50% of them acknowledged (None: not reached, yet or ever)."""

    broadcast_id: int
    outcome: Outcome
    acknowledged: int | None
    to_90_delivered: dt.timedelta | None
    to_50_acknowledged: dt.timedelta | None

    @property
    def ack_share(self) -> float | None:
        if self.acknowledged is None or self.outcome.recipients == 0:
            return None
        return self.acknowledged / self.outcome.recipients


@dataclass(frozen=True, slots=True)
class RecipientRecord:
    """One line of the CSV export. Times are UTC text as stored; the exporter shows them local."""

    chat_id: int
    name: str
    role: str
    unit: str
    status: str  # delivered | pending | failed | blocked | cancelled
    sent_at: str | None  # when its last part sent so far went
    acknowledged_at: str | None
    error: str


def _needed(share: float, total: int) -> int:
    """How many of ``total`` make ``share`` (90% of 11 is 10): the smallest n with n ≥ share × total."""
    return -(-round(share * total * 1000) // 1000)


def local_days(zone: dt.tzinfo, today: dt.date, days: int) -> list[tuple[str, str, str]]:
    """[(date, UTC start, UTC end)] of the ``days`` local days ending with ``today``, oldest first."""
    found = []
    for back in range(days - 1, -1, -1):
        day = today - dt.timedelta(days=back)
        start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        found.append((day.isoformat(), to_utc_text(start), to_utc_text(end)))
    return found


async def subscribers_over_time(
    store: Store, zone: dt.tzinfo, *, days: int = 30, now: dt.datetime | None = None
) -> list[SubscriberDay]:
    """The last ``days`` local days (today last): joins, leaves, blocks, and active at each day's end."""
    now = now or dt.datetime.now(dt.UTC)
    bounds = local_days(zone, now.astimezone(zone).date(), max(1, days))
    params = {"days": json.dumps(bounds), "start": bounds[0][1], "end": bounds[-1][2]}
    rows = await store.fetchall(SUBSCRIBER_DAYS, params)
    return [SubscriberDay(dt.date.fromisoformat(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows]


async def active_subscribers(store: Store) -> int:
    return int(await store.fetchval(COUNT_ACTIVE))


async def exists(store: Store, broadcast_id: int) -> bool:
    return bool(await store.fetchval(EXISTS, (broadcast_id,)))


async def outcome(store: Store, broadcast_id: int) -> Outcome:
    """A broadcast's recipients by state."""
    row = await store.fetchone(OUTCOME, {"broadcast": broadcast_id})
    assert row is not None
    return Outcome(*(int(row[i]) for i in range(6)))


async def acknowledged(store: Store, broadcast_id: int) -> int | None:
    """How many of its recipients acknowledged it; None when its messages carry no button."""
    if not await store.fetchval(HAS_BUTTON, (broadcast_id,)):
        return None
    target = await _ack_target(store, broadcast_id)
    return int(await store.fetchval(ACKED, {"target": target, "broadcast": broadcast_id}))


async def _ack_target(store: Store, broadcast_id: int) -> int:
    row = await store.fetchone(ACK_TARGET, (broadcast_id,))
    return broadcast_id if row is None else int(row[0])


async def started_at(store: Store, broadcast_id: int) -> dt.datetime | None:
    """When it started: ``started_at``, else its first row sent (a broadcast from before that was
    recorded), else None (it has not started)."""
    row = await store.fetchone(ACK_TARGET, (broadcast_id,))
    stamp = row[1] if row is not None else None
    if stamp is None:
        stamp = await store.fetchval(FIRST_SENT, (broadcast_id,))
    return None if stamp is None else from_utc_text(str(stamp))


async def time_to_delivered(
    store: Store, broadcast_id: int, share: float = DELIVERED_SHARE, *, recipients: int | None = None
) -> dt.timedelta | None:
    """From its start to the moment ``share`` of its recipients had every part; None if not reached."""
    if recipients is None:
        recipients = (await outcome(store, broadcast_id)).recipients
    start = await started_at(store, broadcast_id)
    if recipients == 0 or start is None:
        return None
    at = await store.fetchval(NTH_DELIVERED, {"broadcast": broadcast_id, "n": _needed(share, recipients)})
    return None if at is None else max(dt.timedelta(0), from_utc_text(str(at)) - start)


async def time_to_acknowledged(
    store: Store, broadcast_id: int, share: float = ACKED_SHARE, *, recipients: int | None = None
) -> dt.timedelta | None:
    """From its start to the moment ``share`` of its recipients had acknowledged; None if not reached."""
    if recipients is None:
        recipients = (await outcome(store, broadcast_id)).recipients
    start = await started_at(store, broadcast_id)
    if recipients == 0 or start is None:
        return None
    target = await _ack_target(store, broadcast_id)
    params = {"target": target, "broadcast": broadcast_id, "n": _needed(share, recipients)}
    at = await store.fetchval(NTH_ACKED, params)
    return None if at is None else max(dt.timedelta(0), from_utc_text(str(at)) - start)


async def broadcast_stats(store: Store, broadcast_id: int) -> BroadcastStats:
    figures = await outcome(store, broadcast_id)
    acked = await acknowledged(store, broadcast_id)
    return BroadcastStats(
        broadcast_id,
        figures,
        acked,
        await time_to_delivered(store, broadcast_id, recipients=figures.recipients),
        None if acked is None else await time_to_acknowledged(store, broadcast_id, recipients=figures.recipients),
    )


async def recent_broadcast_ids(store: Store, limit: int = 5) -> list[int]:
    """The last ``limit`` broadcasts of bulletins that started or are queued, newest first."""
    return [int(r[0]) for r in await store.fetchall(RECENT, (limit,))]


async def recipient_records(store: Store, broadcast_id: int, *, page: int = 1000) -> AsyncIterator[RecipientRecord]:
    """Every recipient of a broadcast, in chat order, read ``page`` recipients at a time (memory holds
    one page). Pages are separate reads: while the broadcast still runs, a later page may be newer than
    an earlier one, which a record of per-recipient states tolerates."""
    target = await _ack_target(store, broadcast_id)
    after = -(2**63)
    while True:
        params = {"broadcast": broadcast_id, "target": target, "after": after, "limit": page}
        rows = await store.fetchall(RECIPIENTS_PAGE, params)
        for r in rows:
            yield RecipientRecord(
                chat_id=int(r[0]),
                name=r[1] or "",
                role=r[2] or "",
                unit=r[3] or "",
                status=str(r[4]),
                sent_at=r[5],
                acknowledged_at=r[6],
                error=r[7] or "",
            )
        if len(rows) < page:
            return
        after = int(rows[-1][0])
