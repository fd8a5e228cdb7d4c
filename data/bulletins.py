"""The bulletin archive: bulletins and their tasks, newest first by conference month then by insertion."""

from __future__ import annotations

import hashlib

from aiosqlite import Connection

from bot.domain.records import ArchivedBulletin, Bulletin, Task
from bot.domain.textnorm import fold
from data.store import Row, Store, utcnow

FIND_BY_HASH = "SELECT id FROM bulletins WHERE source_sha256 = ?"
INSERT_BULLETIN = """
INSERT INTO bulletins (title, month, published, organizer, intro, source_sha256, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
INSERT_TASK = "INSERT INTO tasks (bulletin_id, number, enumerator, text, folded) VALUES (?, ?, ?, ?, ?)"
GET_BULLETIN = "SELECT * FROM bulletins WHERE id = ?"
GET_TASKS = "SELECT bulletin_id, number, enumerator, text FROM tasks WHERE bulletin_id = ? ORDER BY number"
# "Newest" = the latest conference month; within a month, the one added last.
NEWEST_ORDER = "ORDER BY month DESC, id DESC"
LATEST_ID = f"SELECT id FROM bulletins {NEWEST_ORDER} LIMIT 1"
IDS_BY_MONTH = "SELECT id FROM bulletins WHERE month = ? ORDER BY id DESC"
LATEST_MONTH_OF = "SELECT max(month) FROM bulletins WHERE substr(month, 6, 2) = ?"
PAGE = f"SELECT id FROM bulletins {NEWEST_ORDER} LIMIT ? OFFSET ?"
COUNT = "SELECT count(*) FROM bulletins"
MONTHS = "SELECT month, count(*) AS n FROM bulletins GROUP BY month ORDER BY month DESC LIMIT ?"
# Neighbours in the same newest-first order: "older" follows, "newer" precedes.
OLDER = """
SELECT id FROM bulletins WHERE month < :month OR (month = :month AND id < :id)
ORDER BY month DESC, id DESC LIMIT 1
"""
NEWER = """
SELECT id FROM bulletins WHERE month > :month OR (month = :month AND id > :id)
ORDER BY month ASC, id ASC LIMIT 1
"""


def source_digest(bulletin: Bulletin) -> str:
    """Identity of a bulletin's content: importing the same text twice adds it once."""
    h = hashlib.sha256()
    for part in (bulletin.title, bulletin.month, *(t.text for t in bulletin.tasks)):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


async def add(store: Store, bulletin: Bulletin) -> tuple[int, bool]:
    """Add a parsed bulletin and its tasks in one transaction. Returns (id, created)."""
    async with store.transaction() as conn:
        return await insert(conn, bulletin)


async def insert(conn: Connection, bulletin: Bulletin) -> tuple[int, bool]:
    """``add`` inside a transaction the caller holds (``store.transaction()``), so that archiving a
    bulletin can be one step of a larger change (publishing a draft). Returns (id, created)."""
    digest = source_digest(bulletin)
    async with conn.execute(FIND_BY_HASH, (digest,)) as cur:
        existing = await cur.fetchone()
    if existing is not None:
        return int(existing[0]), False
    cursor = await conn.execute(
        INSERT_BULLETIN,
        (
            bulletin.title,
            bulletin.month,
            bulletin.published,
            bulletin.organizer,
            bulletin.intro,
            digest,
            utcnow(),
        ),
    )
    bulletin_id = cursor.lastrowid
    assert bulletin_id is not None
    await conn.executemany(
        INSERT_TASK,
        [(bulletin_id, t.number, t.enumerator, t.text, fold(t.text)) for t in bulletin.tasks],
    )
    return bulletin_id, True


def _archived(row: Row, tasks: list[Row]) -> ArchivedBulletin:
    return ArchivedBulletin(
        id=row["id"],
        title=row["title"],
        month=row["month"],
        published=row["published"],
        organizer=row["organizer"],
        intro=row["intro"],
        tasks=tuple(Task(number=t["number"], text=t["text"], enumerator=t["enumerator"]) for t in tasks),
        created_at=row["created_at"],
    )


async def get(store: Store, bulletin_id: int) -> ArchivedBulletin | None:
    row = await store.fetchone(GET_BULLETIN, (bulletin_id,))
    if row is None:
        return None
    return _archived(row, await store.fetchall(GET_TASKS, (bulletin_id,)))


async def _get_many(store: Store, ids: list[int]) -> list[ArchivedBulletin]:
    found = [await get(store, i) for i in ids]
    return [b for b in found if b is not None]


async def latest(store: Store) -> ArchivedBulletin | None:
    bulletin_id = await store.fetchval(LATEST_ID)
    return None if bulletin_id is None else await get(store, int(bulletin_id))


async def by_month(store: Store, month: str) -> list[ArchivedBulletin]:
    """Every bulletin labelled ``YYYY-MM``, newest first (several organizers may share a month)."""
    return await _get_many(store, [r[0] for r in await store.fetchall(IDS_BY_MONTH, (month,))])


async def latest_month_numbered(store: Store, month_number: int) -> str | None:
    """The most recent ``YYYY-MM`` in the archive whose month is ``month_number`` ("tháng 9")."""
    value = await store.fetchval(LATEST_MONTH_OF, (f"{month_number:02d}",))
    return None if value is None else str(value)


async def page(store: Store, offset: int, limit: int) -> list[ArchivedBulletin]:
    return await _get_many(store, [r[0] for r in await store.fetchall(PAGE, (limit, offset))])


async def count(store: Store) -> int:
    return int(await store.fetchval(COUNT))


async def months(store: Store, limit: int = 24) -> list[tuple[str, int]]:
    return [(r["month"], r["n"]) for r in await store.fetchall(MONTHS, (limit,))]


async def older(store: Store, bulletin: ArchivedBulletin) -> int | None:
    value = await store.fetchval(OLDER, {"month": bulletin.month, "id": bulletin.id})
    return None if value is None else int(value)


async def newer(store: Store, bulletin: ArchivedBulletin) -> int | None:
    value = await store.fetchval(NEWER, {"month": bulletin.month, "id": bulletin.id})
    return None if value is None else int(value)
