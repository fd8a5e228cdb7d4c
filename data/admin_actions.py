"""What the admins did (migration 0009): every action on a broadcast (send, schedule, pause, resume,
cancel, send now, remind, correct...) or on the bot's settings (units, sources), with who did it.

Several admins share one bot and see the same broadcasts and controls, so a report says who did
what: ``for_broadcast`` lists a broadcast's actions in order. Recording is one small insert; it
runs in the caller's transaction when given a connection, so an action and its record land
together.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiosqlite import Connection

from data.store import Row, Store, utcnow

# The action codes, one place. The texts that name them for people are in bot/texts/admin_actions.py.
SEND = "send"  # a broadcast queued from a preview or the CLI
SCHEDULE = "schedule"  # a broadcast scheduled for later (detail: when)
SEND_NOW = "send_now"  # a scheduled broadcast started by hand
PAUSE = "pause"
RESUME = "resume"
CANCEL = "cancel"
REMIND = "remind"  # a "Đã nhận" reminder queued (on the original broadcast)
TARGET = "target"  # the audience chosen (detail: which)
EDIT = "edit"  # a task's text corrected for every recipient (detail: the task)
RETRACT = "retract"  # a task withdrawn
NOTICE = "notice"  # a correction notice sent as a reply to a task
EXPORT = "export"  # a CSV export of the recipients
UNIT_ADD = "unit_add"
UNIT_REMOVE = "unit_remove"
SOURCE_ADD = "source_add"
SOURCE_REMOVE = "source_remove"
CODES = (
    SEND, SCHEDULE, SEND_NOW, PAUSE, RESUME, CANCEL, REMIND, TARGET,
    EDIT, RETRACT, NOTICE, EXPORT, UNIT_ADD, UNIT_REMOVE, SOURCE_ADD, SOURCE_REMOVE,
)  # fmt: skip
BY_BOT = "bot"  # admin_name of the bot's own actions (admin_user_id None); None there means the CLI

RECORD = """
INSERT INTO admin_actions (at, admin_user_id, admin_name, action, broadcast_id, detail)
VALUES (?, ?, ?, ?, ?, ?)
"""
FOR_BROADCAST = """
SELECT at, admin_user_id, admin_name, action, broadcast_id, detail FROM admin_actions
WHERE broadcast_id = ? ORDER BY id
"""
RECENT = """
SELECT at, admin_user_id, admin_name, action, broadcast_id, detail FROM admin_actions
ORDER BY id DESC LIMIT ?
"""


@dataclass(frozen=True, slots=True)
class AdminAction:
    at: str  # UTC ISO text
    admin_user_id: int | None  # None: the CLI or the bot itself
    admin_name: str | None
    action: str
    broadcast_id: int | None
    detail: str


async def record(
    db: Store | Connection,
    action: str,
    *,
    admin_user_id: int | None,
    admin_name: str | None = None,
    broadcast_id: int | None = None,
    detail: str = "",
) -> None:
    """Record one action; inside the caller's transaction when ``db`` is its connection."""
    params = (utcnow(), admin_user_id, admin_name, action, broadcast_id, detail)
    await db.execute(RECORD, params)


def _action(row: Row) -> AdminAction:
    return AdminAction(str(row[0]), row[1], row[2], str(row[3]), row[4], str(row[5]))


async def for_broadcast(store: Store, broadcast_id: int) -> list[AdminAction]:
    """A broadcast's actions, oldest first."""
    return [_action(r) for r in await store.fetchall(FOR_BROADCAST, (broadcast_id,))]


async def recent(store: Store, limit: int = 20) -> list[AdminAction]:
    """The latest actions on anything, newest first."""
    return [_action(r) for r in await store.fetchall(RECENT, (limit,))]
