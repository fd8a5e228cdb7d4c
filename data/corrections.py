"""Corrections (migration 0011): an edit, retract or notice of a task of a sent broadcast, queued in
the outbox as a broadcast of its own, and what became of it.

A correction's ``broadcast_messages`` rows say what each does in a chat (``action``: edit, delete or
reply) to the original's part ``target_seq``; its fan-out gives a row only to the chats where that
part was sent, with ``target_message_id`` and ``target_sent_at`` copied from the original's sent row.
Edits and retracts go to every chat the original reached (the message is in that chat whether or
not it is still subscribed); a notice is a new message, so only to active subscribers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiosqlite import Connection

from bot.domain.textnorm import exact_text, fold
from data.store import Store, utcnow

KINDS = ("edit", "retract", "notice")
# What each kind's rows do in a chat.
ACTION_OF = {"edit": "edit", "retract": "delete", "notice": "reply"}

# The original's parts, grouped by task: each part's seq and the broadcast its "Đã nhận" button
# acknowledges (NULL: no button).
TASK_PARTS = """
SELECT task_number, seq, ack_for FROM broadcast_messages WHERE broadcast_id = ? AND action = 'send' ORDER BY seq
"""
# The chats a correction of ``seq`` would reach: where that part was sent (and, for a notice, that
# are still subscribed).
COUNT_REACHED = """
SELECT count(*) FROM deliveries AS o
WHERE o.broadcast_id = :original AND o.seq = :seq AND o.status = 'sent' AND o.message_id IS NOT NULL
    AND (:everyone OR o.chat_id IN (SELECT chat_id FROM subscribers WHERE active = 1))
"""
CREATE = """
INSERT INTO broadcasts (bulletin_id, status, requested_by, admin_chat_id, created_at, correction_of, correction_kind)
SELECT bulletin_id, 'queued', :by, :chat, :now, id, :kind FROM broadcasts WHERE id = :original
"""
INSERT_MESSAGE = """
INSERT INTO broadcast_messages (broadcast_id, seq, task_number, html, action, target_seq, ack_for)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
# Chat-major, as FAN_OUT (data/outbox.py): a chat's rows go in seq order.
FAN_OUT = """
INSERT INTO deliveries (broadcast_id, seq, chat_id, target_message_id, target_sent_at)
SELECT m.broadcast_id, m.seq, o.chat_id, o.message_id, o.updated_at
FROM broadcast_messages AS m
JOIN deliveries AS o ON o.broadcast_id = :original AND o.seq = m.target_seq
WHERE m.broadcast_id = :broadcast AND o.status = 'sent' AND o.message_id IS NOT NULL
    AND (:everyone OR o.chat_id IN (SELECT chat_id FROM subscribers WHERE active = 1))
ORDER BY o.chat_id, m.seq
"""
SET_TOTALS = """
UPDATE broadcasts SET message_count = :parts,
    recipients = (SELECT count(DISTINCT chat_id) FROM deliveries WHERE broadcast_id = :broadcast)
WHERE id = :broadcast
"""
DROP_EMPTY = "DELETE FROM broadcasts WHERE id = ? AND NOT EXISTS (SELECT 1 FROM deliveries WHERE broadcast_id = ?)"
DROP_EMPTY_MESSAGES = "DELETE FROM broadcast_messages WHERE broadcast_id = ?"
# The archive follows the correction (see migration 0011): the text and its search columns as
# data/bulletins.py writes them; the FTS index follows by its triggers (migration 0005).
EDIT_TASK = """
UPDATE tasks SET original_text = coalesce(original_text, text), text = :text, folded = :folded, exact = :exact
WHERE bulletin_id = :bulletin AND number = :number
"""
WITHDRAW_TASK = """
UPDATE tasks SET original_text = coalesce(original_text, text), text = :text, folded = :folded, exact = :exact,
    withdrawn_at = :now
WHERE bulletin_id = :bulletin AND number = :number
"""
# A broadcast's parts that are not plain sends, for the engine (``bot.delivery.loader``).
ACTIONS = "SELECT seq, action FROM broadcast_messages WHERE broadcast_id = ? AND action <> 'send'"
# What a correction's row acts on in its chat (read when it is sent: rows are few).
TARGET = "SELECT target_message_id, target_sent_at FROM deliveries WHERE id = ?"
SET_OUTCOME = "UPDATE deliveries SET outcome = ? WHERE id = ?"
# A correction's rows by what became of them: status, and for sent rows the outcome when it
# differed from the plan (NULL: done as planned).
TALLY = "SELECT status, outcome, count(*) FROM deliveries WHERE broadcast_id = ? GROUP BY status, outcome"
CORRECTIONS_OF = """
SELECT id, correction_kind, status FROM broadcasts WHERE correction_of = ? ORDER BY id
"""
CORRECTION_OF = "SELECT correction_of, correction_kind FROM broadcasts WHERE id = ?"
REMINDER_OF = "SELECT reminder_of FROM broadcasts WHERE id = ?"
TASK_OF = "SELECT task_number FROM broadcast_messages WHERE broadcast_id = ? ORDER BY seq LIMIT 1"


@dataclass(frozen=True, slots=True)
class TaskParts:
    """A task of a broadcast: its number, its parts' seqs in order, and the "Đã nhận" button of each."""

    number: int
    seqs: tuple[int, ...]
    ack_for: tuple[int | None, ...]


@dataclass(frozen=True, slots=True)
class Part:
    """One row of a correction, for every chat it reaches: ``html`` is the new text (edit), the
    withdrawn notice a retract edits into where it cannot delete, or the notice (reply)."""

    task_number: int
    html: str
    action: str  # 'edit' | 'delete' | 'reply'
    target_seq: int
    ack_for: int | None = None


@dataclass(frozen=True, slots=True)
class Tally:
    """A correction's rows: done as planned, not modified (an edit Telegram called "not modified"),
    edited instead of deleted (a retract too late to delete), failed, cancelled, pending."""

    done: int = 0
    not_modified: int = 0
    edited_instead: int = 0
    failed: int = 0
    cancelled: int = 0
    pending: int = 0


@dataclass(frozen=True, slots=True)
class CorrectionInfo:
    id: int
    kind: str
    status: str


async def task_parts(store: Store, broadcast_id: int) -> list[TaskParts]:
    """The tasks of a broadcast in order, each with its parts."""
    found: dict[int, tuple[list[int], list[int | None]]] = {}
    for row in await store.fetchall(TASK_PARTS, (broadcast_id,)):
        seqs, acks = found.setdefault(int(row[0]), ([], []))
        seqs.append(int(row[1]))
        acks.append(None if row[2] is None else int(row[2]))
    return [TaskParts(n, tuple(s), tuple(a)) for n, (s, a) in found.items()]


async def reached(store: Store, original: int, seq: int, kind: str) -> int:
    """How many chats a correction of kind ``kind`` of part ``seq`` would reach now."""
    params = {"original": original, "seq": seq, "everyone": kind != "notice"}
    return int(await store.fetchval(COUNT_REACHED, params))


async def insert_correction(
    conn: Connection,
    original: int,
    kind: str,
    parts: Sequence[Part],
    *,
    requested_by: int | None,
    admin_chat_id: int | None,
) -> tuple[int, int]:
    """Queue a correction of ``original`` in the caller's transaction: (its broadcast id, the chats it
    reaches). Nobody to reach: nothing is left behind, and (0, 0) is returned."""
    assert kind in KINDS
    values = {"by": requested_by, "chat": admin_chat_id, "now": utcnow(), "kind": kind, "original": original}
    cursor = await conn.execute(CREATE, values)
    broadcast_id = cursor.lastrowid
    assert broadcast_id is not None and cursor.rowcount == 1
    await conn.executemany(
        INSERT_MESSAGE,
        [
            (broadcast_id, seq, p.task_number, p.html, p.action, p.target_seq, p.ack_for)
            for seq, p in enumerate(parts, 1)
        ],
    )
    params = {"original": original, "broadcast": broadcast_id, "everyone": kind != "notice"}
    cursor = await conn.execute(FAN_OUT, params)
    if cursor.rowcount <= 0:
        await conn.execute(DROP_EMPTY_MESSAGES, (broadcast_id,))
        await conn.execute(DROP_EMPTY, (broadcast_id, broadcast_id))
        return 0, 0
    await conn.execute(SET_TOTALS, {"parts": len(parts), "broadcast": broadcast_id})
    async with conn.execute("SELECT recipients FROM broadcasts WHERE id = ?", (broadcast_id,)) as rows:
        row = await rows.fetchone()
    return broadcast_id, int(row[0]) if row else 0


async def edit_task(conn: Connection, bulletin_id: int, number: int, text: str) -> None:
    """The archived task's text becomes ``text`` (its search columns too), in the caller's transaction."""
    values = {"text": text, "folded": fold(text), "exact": exact_text(text), "bulletin": bulletin_id, "number": number}
    await conn.execute(EDIT_TASK, values)


async def withdraw_task(conn: Connection, bulletin_id: int, number: int, notice: str) -> None:
    """The archived task is withdrawn: its text becomes ``notice`` (the original is kept aside)."""
    values = {
        "text": notice,
        "folded": fold(notice),
        "exact": exact_text(notice),
        "bulletin": bulletin_id,
        "number": number,
        "now": utcnow(),
    }
    await conn.execute(WITHDRAW_TASK, values)


async def actions(store: Store, broadcast_id: int) -> list[tuple[int, str]]:
    """(seq, action) of a broadcast's parts that are not plain sends (none for a bulletin)."""
    return [(int(r[0]), str(r[1])) for r in await store.fetchall(ACTIONS, (broadcast_id,))]


async def target(store: Store, row_id: int) -> tuple[int | None, str | None]:
    """(target_message_id, target_sent_at) of a correction's row."""
    row = await store.fetchone(TARGET, (row_id,))
    if row is None:
        return None, None
    return (None if row[0] is None else int(row[0])), (None if row[1] is None else str(row[1]))


async def set_outcome(store: Store, row_id: int, outcome: str) -> None:
    await store.execute(SET_OUTCOME, (outcome, row_id))


async def tally(store: Store, broadcast_id: int) -> Tally:
    counts: dict[str, int] = {}
    for status, outcome, n in await store.fetchall(TALLY, (broadcast_id,)):
        key = status
        if status == "sent":
            key = outcome if outcome in ("not_modified", "edited_instead") else "done"
        counts[key] = counts.get(key, 0) + int(n)
    return Tally(
        done=counts.get("done", 0),
        not_modified=counts.get("not_modified", 0),
        edited_instead=counts.get("edited_instead", 0),
        failed=counts.get("failed", 0),
        cancelled=counts.get("cancelled", 0),
        pending=counts.get("pending", 0),
    )


async def corrections_of(store: Store, broadcast_id: int) -> list[CorrectionInfo]:
    """The corrections of a broadcast, oldest first."""
    rows = await store.fetchall(CORRECTIONS_OF, (broadcast_id,))
    return [CorrectionInfo(int(r[0]), str(r[1]), str(r[2])) for r in rows]


async def task_of(store: Store, broadcast_id: int) -> int | None:
    """The task a correction corrects."""
    value = await store.fetchval(TASK_OF, (broadcast_id,))
    return None if value is None else int(value)


async def is_reminder(store: Store, broadcast_id: int) -> bool:
    return await store.fetchval(REMINDER_OF, (broadcast_id,)) is not None


async def correction_of(store: Store, broadcast_id: int) -> tuple[int, str] | None:
    """(original, kind) when ``broadcast_id`` is a correction, None otherwise."""
    row = await store.fetchone(CORRECTION_OF, (broadcast_id,))
    if row is None or row[0] is None:
        return None
    return int(row[0]), str(row[1])
