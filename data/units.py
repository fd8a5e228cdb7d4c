"""Units (migration 0010): the list the admins keep (/units), offered to subscribers as buttons, and
the units subscribers typed themselves (kept unlisted, so a broadcast can still target them).

A unit is known by its folded name (``bot.domain.audience.unit_key``), so "Phường Đông Hải" and
"phuong dong hai" are one unit. Removing a unit only unlists it: subscribers keep it, and targets
naming it keep working.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aiosqlite import Connection

from bot.domain.audience import unit_key
from data.store import Row, Store, utcnow

# Adding a unit that a subscriber typed (or an admin removed) lists it under this admin's spelling;
# one listed already keeps its name.
ADD = """
INSERT INTO units (name, folded, listed, created_at) VALUES (:name, :folded, 1, :now)
ON CONFLICT (folded) DO UPDATE SET listed = 1, name = CASE WHEN units.listed = 1 THEN units.name ELSE excluded.name END
"""
# A typed unit: created unlisted when new, an existing one (listed or not) reused as it is.
CREATE_UNLISTED = "INSERT OR IGNORE INTO units (name, folded, listed, created_at) VALUES (?, ?, 0, ?)"
BY_KEY = "SELECT id, name, folded, listed, created_at FROM units WHERE folded = ?"
BY_ID = "SELECT id, name, folded, listed, created_at FROM units WHERE id = ?"
UNLIST = "UPDATE units SET listed = 0 WHERE folded = ? AND listed = 1"
WAS_LISTED = "SELECT listed FROM units WHERE folded = ?"
LISTED = "SELECT id, name, folded, listed, created_at FROM units WHERE listed = 1 ORDER BY folded, id"
# /units: the listed units and the typed ones someone still has, each with its active subscribers.
WITH_COUNTS = """
SELECT u.id, u.name, u.folded, u.listed, u.created_at,
    (SELECT count(*) FROM subscribers AS s WHERE s.unit_id = u.id AND s.active = 1) AS subscribers
FROM units AS u
WHERE u.listed = 1 OR EXISTS (SELECT 1 FROM subscribers AS s WHERE s.unit_id = u.id AND s.active = 1)
ORDER BY u.listed DESC, u.folded, u.id
"""
NAMES = "SELECT id, name FROM units WHERE id IN (SELECT value FROM json_each(?)) ORDER BY folded, id"


@dataclass(frozen=True, slots=True)
class Unit:
    id: int
    name: str
    folded: str
    listed: bool
    created_at: str
    subscribers: int = 0  # active subscribers in it, where the query counts them


def _unit(row: Row) -> Unit:
    # sqlite3.Row: ``in`` looks at the values, ``keys()`` at the column names.
    count = row["subscribers"] if "subscribers" in row.keys() else 0  # noqa: SIM118
    return Unit(row["id"], row["name"], row["folded"], bool(row["listed"]), row["created_at"], int(count))


async def _one(db: Store | Connection, sql: str, params: tuple[object, ...]) -> Row | None:
    if isinstance(db, Store):
        return await db.fetchone(sql, params)
    async with db.execute(sql, params) as cursor:
        row: Row | None = await cursor.fetchone()
        return row


async def add(store: Store, name: str) -> tuple[Unit, bool]:
    """List a unit (``name`` already cleaned: ``bot.domain.audience.clean_unit_name``). Returns the
    unit and whether it was not listed before (new, or typed by a subscriber until now)."""
    key = unit_key(name)
    async with store.transaction() as conn:
        before = await _one(conn, WAS_LISTED, (key,))
        await conn.execute(ADD, {"name": name, "folded": key, "now": utcnow()})
        row = await _one(conn, BY_KEY, (key,))
    assert row is not None
    return _unit(row), before is None or not before[0]


async def find_or_create(db: Store | Connection, name: str) -> Unit:
    """The unit called ``name`` (cleaned), created unlisted when there is none: what a subscriber
    typed. Inside the caller's transaction when ``db`` is its connection."""
    key = unit_key(name)
    await db.execute(CREATE_UNLISTED, (name, key, utcnow()))
    row = await _one(db, BY_KEY, (key,))
    assert row is not None
    return _unit(row)


async def find(store: Store, name: str) -> Unit | None:
    """The unit (listed or not) whose folded name is ``name``'s."""
    row = await store.fetchone(BY_KEY, (unit_key(name),))
    return None if row is None else _unit(row)


async def get(db: Store | Connection, unit_id: int) -> Unit | None:
    row = await _one(db, BY_ID, (unit_id,))
    return None if row is None else _unit(row)


async def unlist(store: Store, name: str) -> Unit | None:
    """Stop offering the unit called ``name``; None when no listed unit has that name. Subscribers
    in it keep it."""
    key = unit_key(name)
    if await store.execute(UNLIST, (key,)) == 0:
        return None
    row = await store.fetchone(BY_KEY, (key,))
    return None if row is None else _unit(row)


async def listed(store: Store) -> list[Unit]:
    """The units offered as buttons, by name."""
    return [_unit(r) for r in await store.fetchall(LISTED)]


async def with_counts(store: Store) -> list[Unit]:
    """Listed units, then typed ones with active subscribers, each with its count."""
    return [_unit(r) for r in await store.fetchall(WITH_COUNTS)]


async def names(store: Store, unit_ids: tuple[int, ...]) -> dict[int, str]:
    """{id: name} of the given units (unknown ids are left out)."""
    rows = await store.fetchall(NAMES, (json.dumps(list(unit_ids)),))
    return {int(r[0]): str(r[1]) for r in rows}
