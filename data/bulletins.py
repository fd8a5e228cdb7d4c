"""The bulletin archive: bulletins and their tasks, newest first by conference month then by insertion.

Listings can be narrowed by a ``SearchFilter`` (months and an organizer phrase, matched as search
matches it: ``data.search.filter_clause``), and the archive says what it holds (``organizers``,
``holdings``) so an answer can name it when a period or organizer is missing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from aiosqlite import Connection

from bot.domain.records import ArchivedBulletin, Bulletin, Task
from bot.domain.textnorm import exact_text, fold
from data.search import SearchFilter, filter_clause, organizer_expression
from data.store import Row, Store, utcnow

FIND_BY_HASH = "SELECT id FROM bulletins WHERE source_sha256 = ?"
INSERT_BULLETIN = """
INSERT INTO bulletins (title, month, published, organizer, intro, source_sha256, created_at,
                       organizer_folded, title_folded)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
INSERT_TASK = "INSERT INTO tasks (bulletin_id, number, enumerator, text, folded, exact) VALUES (?, ?, ?, ?, ?, ?)"
GET_BULLETIN = "SELECT * FROM bulletins WHERE id = ?"
GET_TASKS = "SELECT bulletin_id, number, enumerator, text FROM tasks WHERE bulletin_id = ? ORDER BY number"
GET_MANY = "SELECT * FROM bulletins WHERE id IN (SELECT value FROM json_each(?))"
GET_TASKS_MANY = """
SELECT bulletin_id, number, enumerator, text FROM tasks WHERE bulletin_id IN (SELECT value FROM json_each(?))
ORDER BY bulletin_id, number
"""
# "Newest" = the latest conference month; within a month, the one added last.
NEWEST_ORDER = "ORDER BY month DESC, id DESC"
# {where} is data.search.filter_clause over the alias b: constant SQL text, values bound. Newest
# first is the order of bulletins_month: walking it, with an organizer's bulletins as a list to
# look up, stops at the LIMIT; left to itself the planner sorts every bulletin of the organizer
# (17 ms instead of 4 for "trung ương" among 36,000 bulletins).
LATEST_ID = (
    "SELECT id FROM bulletins AS b INDEXED BY bulletins_month WHERE {where} ORDER BY month DESC, id DESC LIMIT 1"
)
IDS_BY_MONTH = "SELECT id FROM bulletins AS b WHERE month = ? ORDER BY id DESC"
# A month holds a few bulletins: each is checked against the organizer on its own (rowid = b.id)
# rather than listing every bulletin of the organizer ("trung ương" among 36,000: 7.3 → 1.0 ms).
IDS_BY_MONTH_OF = """
SELECT id FROM bulletins AS b WHERE month = ?
AND EXISTS (SELECT 1 FROM bulletins_fts WHERE bulletins_fts MATCH ? AND rowid = b.id) ORDER BY id DESC
"""
# Newest first on the month index, stopping at the first: max() over an organizer's every bulletin
# read them all ("trung ương tháng 9" among 36,000: 12.5 → 4.3 ms).
LATEST_MONTH_OF = (
    "SELECT month FROM bulletins AS b INDEXED BY bulletins_month WHERE substr(month, 6, 2) = ? AND {where}"
    " ORDER BY month DESC LIMIT 1"
)
LISTING = """
SELECT id FROM bulletins AS b INDEXED BY bulletins_month WHERE {where}
ORDER BY month DESC, id DESC LIMIT ? OFFSET ?
"""
LISTING_COUNT = "SELECT count(*) FROM bulletins AS b WHERE {where}"
# An organizer alone is counted on its index (2 ms rather than 11 for "trung ương" among 36,000).
ORGANIZER_COUNT = "SELECT count(*) FROM bulletins_fts WHERE bulletins_fts MATCH ?"
ORGANIZER_HELD = "SELECT 1 FROM bulletins_fts WHERE bulletins_fts MATCH ? LIMIT 1"
ANY_OF = "SELECT 1 FROM bulletins AS b WHERE {where} LIMIT 1"
# Each spelling of each organizer: spellings that fold alike ("Tỉnh ủy"/"Tỉnh uỷ") are one organizer.
ORGANIZERS = """
SELECT organizer_folded AS folded, organizer, count(*) AS n, max(id) AS newest FROM bulletins
WHERE organizer != '' GROUP BY organizer_folded, organizer
"""
HOLDINGS = """
SELECT substr(month, 1, 4) AS year, count(*) AS n, min(month) AS first, max(month) AS last
FROM bulletins GROUP BY year ORDER BY year
"""
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
            fold(bulletin.organizer),
            fold(bulletin.title),
        ),
    )
    bulletin_id = cursor.lastrowid
    assert bulletin_id is not None
    await conn.executemany(
        INSERT_TASK,
        [(bulletin_id, t.number, t.enumerator, t.text, fold(t.text), exact_text(t.text)) for t in bulletin.tasks],
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
    """The bulletins of ``ids``, in that order, in two queries whatever their number."""
    if not ids:
        return []
    wanted = json.dumps(ids)
    rows = {int(r["id"]): r for r in await store.fetchall(GET_MANY, (wanted,))}
    tasks: dict[int, list[Row]] = {}
    for t in await store.fetchall(GET_TASKS_MANY, (wanted,)):
        tasks.setdefault(int(t["bulletin_id"]), []).append(t)
    return [_archived(rows[i], tasks.get(i, [])) for i in ids if i in rows]


@dataclass(frozen=True, slots=True)
class Holdings:
    """What the archive holds: its first and last month (``YYYY-MM``, None when empty), the number of
    bulletins, and how many each year has, oldest year first."""

    first_month: str | None
    last_month: str | None
    count: int
    per_year: tuple[tuple[int, int], ...]


def _of(organizer: str | None) -> tuple[str, list[object]]:
    return filter_clause(SearchFilter(organizer=organizer) if organizer else None)


async def latest(store: Store, *, organizer: str | None = None) -> ArchivedBulletin | None:
    """The newest bulletin, of ``organizer`` (a phrase of its organizer or title) when given."""
    where, params = _of(organizer)
    bulletin_id = await store.fetchval(LATEST_ID.format(where=where), params)
    return None if bulletin_id is None else await get(store, int(bulletin_id))


async def by_month(store: Store, month: str, *, organizer: str | None = None) -> list[ArchivedBulletin]:
    """Every bulletin labelled ``YYYY-MM``, newest first (several organizers may share a month)."""
    expression = organizer_expression(organizer) if organizer else None
    if expression is None:
        rows = await store.fetchall(IDS_BY_MONTH, [month])
    else:
        rows = await store.fetchall(IDS_BY_MONTH_OF, [month, expression])
    return await _get_many(store, [r[0] for r in rows])


async def latest_month_numbered(store: Store, month_number: int, *, organizer: str | None = None) -> str | None:
    """The most recent ``YYYY-MM`` in the archive whose month is ``month_number`` ("tháng 9")."""
    where, params = _of(organizer)
    value = await store.fetchval(LATEST_MONTH_OF.format(where=where), [f"{month_number:02d}", *params])
    return None if value is None else str(value)


async def listing(
    store: Store, where: SearchFilter | None = None, offset: int = 0, limit: int = 10
) -> tuple[list[ArchivedBulletin], int]:
    """The bulletins ``where`` lets through (months, organizer), newest first, one page of them, and
    how many there are in all."""
    clause, params = filter_clause(where)
    if where is not None and not where.start and not where.end and len(params) == 1:
        total = int(await store.fetchval(ORGANIZER_COUNT, params))
    else:
        total = int(await store.fetchval(LISTING_COUNT.format(where=clause), params))
    if total == 0 or limit <= 0:
        return [], total
    rows = await store.fetchall(LISTING.format(where=clause), [*params, limit, max(0, offset)])
    return await _get_many(store, [r[0] for r in rows]), total


async def any_of(store: Store, where: SearchFilter | None = None) -> bool:
    """Whether the archive holds a bulletin ``where`` lets through; cheaper than counting them (an
    organizer alone is looked up once in its index, "trung ương" among 36,000: 2.3 → 0.1 ms)."""
    clause, params = filter_clause(where)
    if where is not None and not where.start and not where.end and len(params) == 1:
        return await store.fetchval(ORGANIZER_HELD, params) is not None
    return await store.fetchval(ANY_OF.format(where=clause), params) is not None


async def organizers(store: Store, limit: int = 50) -> list[tuple[str, int]]:
    """The organizers the archive holds with their bulletin counts, most bulletins first (ties in
    alphabetical order). Spellings that fold alike ("Tỉnh ủy" and "Tỉnh uỷ", any case) are one
    organizer, named as most of its bulletins write it (ties: as the newest does)."""
    merged: dict[str, tuple[int, tuple[int, int], str]] = {}  # folded -> (total, best key, spelling)
    for r in await store.fetchall(ORGANIZERS):
        key = (int(r["n"]), int(r["newest"]))
        total, best, spelling = merged.get(r["folded"], (0, (-1, -1), ""))
        if key > best:
            best, spelling = key, str(r["organizer"])
        merged[r["folded"]] = (total + int(r["n"]), best, spelling)
    ranked = sorted(((total, spelling) for total, _, spelling in merged.values()), key=lambda x: (-x[0], x[1]))
    return [(spelling, total) for total, spelling in ranked[: max(0, limit)]]


async def holdings(store: Store) -> Holdings:
    """The first and last month held and the bulletins of each year."""
    rows = await store.fetchall(HOLDINGS)
    if not rows:
        return Holdings(None, None, 0, ())
    return Holdings(
        first_month=str(rows[0]["first"]),
        last_month=str(rows[-1]["last"]),
        count=sum(int(r["n"]) for r in rows),
        per_year=tuple((int(r["year"]), int(r["n"])) for r in rows),
    )


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
