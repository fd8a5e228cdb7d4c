"""Watched portals: the sources, the items they listed, and the bulletins offered to the admins
(tables of migration 0006, whose header says what each holds).

Every change of state is one statement or one short transaction, so a poll interrupted anywhere
(a restart, ``kill -9``) leaves nothing half done: items are recorded as seen in the transaction
that records the poll, an item stays ``new`` until its page was read and judged, an offer stays
``new`` until every admin's preview is out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from data.store import Row, Store, utcnow

SOURCE_COLUMNS = """
s.*,
(SELECT count(*) FROM watch_items AS i WHERE i.source_id = s.id) AS items_seen,
(SELECT count(*) FROM watch_items AS i WHERE i.source_id = s.id AND i.state IN ('bulletin', 'uncertain'))
    AS bulletins_found
"""
ACTIVE = f"SELECT {SOURCE_COLUMNS} FROM watch_sources AS s WHERE active = 1 ORDER BY id"
GET_SOURCE = f"SELECT {SOURCE_COLUMNS} FROM watch_sources AS s WHERE id = ?"
BY_URL = "SELECT id, active FROM watch_sources WHERE url = ?"
INSERT_SOURCE = """
INSERT INTO watch_sources (url, from_settings, added_by, added_at, active) VALUES (?, ?, ?, ?, 1)
"""
REACTIVATE = "UPDATE watch_sources SET active = 1, from_settings = max(from_settings, ?) WHERE id = ?"
# A source that only the settings listed goes when the settings stop listing it; one an admin added
# too stays, no longer counted as from the settings.
DROP_UNLISTED = """
UPDATE watch_sources SET active = 0, from_settings = 0
WHERE from_settings = 1 AND added_by IS NULL AND url NOT IN (SELECT value FROM json_each(?))
"""
UNLIST_SETTINGS = """
UPDATE watch_sources SET from_settings = 0 WHERE from_settings = 1 AND url NOT IN (SELECT value FROM json_each(?))
"""
ADDED_BY = "UPDATE watch_sources SET added_by = coalesce(added_by, ?) WHERE id = ?"
REMOVE = "UPDATE watch_sources SET active = 0 WHERE id = ? AND active = 1"
SET_AUTO = "UPDATE watch_sources SET auto_send = ? WHERE id = ? AND active = 1"
NOT_MODIFIED = """
UPDATE watch_sources SET last_check_at = :now, last_ok_at = :now, last_status = :status, last_error = NULL,
    failures = 0, next_check_at = :next WHERE id = :id
"""
FIRST_OK = "SELECT first_ok_at FROM watch_sources WHERE id = ?"
POLLED = """
UPDATE watch_sources SET kind = :kind, etag = :etag, last_modified = :last_modified,
    first_ok_at = coalesce(first_ok_at, :now), last_check_at = :now, last_ok_at = :now,
    last_status = :status, last_error = NULL, failures = 0, next_check_at = :next
WHERE id = :id
"""
FAILED = """
UPDATE watch_sources SET last_check_at = :now, last_status = :status, last_error = :error,
    failures = failures + 1, next_check_at = :next WHERE id = :id
"""
INSERT_ITEM = """
INSERT OR IGNORE INTO watch_items (source_id, item_key, link, title, summary, seen_at, backfill)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
NEW_ITEMS = "SELECT * FROM watch_items WHERE source_id = ? AND state = 'new' ORDER BY id LIMIT ?"
SETTLE_ITEM = """
UPDATE watch_items SET state = ?, detail = ?, bulletin_id = ?, checked_at = ? WHERE id = ? AND state = 'new'
"""
ITEM_ATTEMPT = """
UPDATE watch_items SET attempts = attempts + 1, detail = ?, checked_at = ?,
    state = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'new' END
WHERE id = ? AND state = 'new' RETURNING state
"""
INSERT_OFFER = """
INSERT OR IGNORE INTO watch_offers (content_hash, bulletin_id, item_id, uncertain, reasons, bulletin_json,
                                    document_json, status, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
GET_OFFER = "SELECT * FROM watch_offers WHERE id = ?"
OPEN_OFFERS = "SELECT * FROM watch_offers WHERE status = 'new' ORDER BY id"
OFFER_OUT = "UPDATE watch_offers SET status = 'offered' WHERE id = ? AND status = 'new'"
DECIDE_OFFER = """
UPDATE watch_offers SET status = ?, decided_by = ?, decided_at = ?, broadcast_id = ?
WHERE id = ? AND status IN ('new', 'offered')
"""
OFFER_BROADCAST = "UPDATE watch_offers SET broadcast_id = ? WHERE id = ?"
OFFER_LINK = """
SELECT i.link, s.url AS source_url FROM watch_items AS i JOIN watch_sources AS s ON s.id = i.source_id
WHERE i.id = ?
"""


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    url: str
    from_settings: bool
    added_by: int | None
    active: bool
    auto_send: bool
    kind: str | None
    etag: str | None
    last_modified: str | None
    first_ok_at: str | None
    last_check_at: str | None
    last_ok_at: str | None
    last_status: str | None
    last_error: str | None
    failures: int
    next_check_at: str | None
    items_seen: int
    bulletins_found: int


@dataclass(frozen=True, slots=True)
class WatchItem:
    id: int
    source_id: int
    item_key: str
    link: str
    title: str
    summary: str
    backfill: bool
    state: str
    attempts: int


@dataclass(frozen=True, slots=True)
class Offer:
    id: int
    content_hash: str
    bulletin_id: int | None
    item_id: int
    uncertain: bool
    reasons: str
    bulletin_json: str
    document_json: str | None
    status: str
    decided_by: int | None
    broadcast_id: int | None


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item as a listing gave it, to be recorded as seen."""

    key: str
    link: str
    title: str
    summary: str


def _source(row: Row) -> Source:
    return Source(
        id=row["id"],
        url=row["url"],
        from_settings=bool(row["from_settings"]),
        added_by=row["added_by"],
        active=bool(row["active"]),
        auto_send=bool(row["auto_send"]),
        kind=row["kind"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        first_ok_at=row["first_ok_at"],
        last_check_at=row["last_check_at"],
        last_ok_at=row["last_ok_at"],
        last_status=row["last_status"],
        last_error=row["last_error"],
        failures=int(row["failures"]),
        next_check_at=row["next_check_at"],
        items_seen=int(row["items_seen"]),
        bulletins_found=int(row["bulletins_found"]),
    )


def _item(row: Row) -> WatchItem:
    return WatchItem(
        id=row["id"],
        source_id=row["source_id"],
        item_key=row["item_key"],
        link=row["link"],
        title=row["title"],
        summary=row["summary"],
        backfill=bool(row["backfill"]),
        state=row["state"],
        attempts=int(row["attempts"]),
    )


def _offer(row: Row) -> Offer:
    return Offer(
        id=row["id"],
        content_hash=row["content_hash"],
        bulletin_id=row["bulletin_id"],
        item_id=row["item_id"],
        uncertain=bool(row["uncertain"]),
        reasons=row["reasons"],
        bulletin_json=row["bulletin_json"],
        document_json=row["document_json"],
        status=row["status"],
        decided_by=row["decided_by"],
        broadcast_id=row["broadcast_id"],
    )


# --- sources ----------------------------------------------------------------------------------------


async def sync_settings(store: Store, urls: Sequence[str]) -> None:
    """Make the active sources include exactly the ``WATCH_SOURCES`` ones (plus those admins added)."""
    now = utcnow()
    async with store.transaction() as conn:
        for url in urls:
            async with conn.execute(BY_URL, (url,)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                await conn.execute(INSERT_SOURCE, (url, 1, None, now))
            else:
                await conn.execute(REACTIVATE, (1, row[0]))
        listed = json.dumps(list(urls))
        await conn.execute(DROP_UNLISTED, (listed,))
        await conn.execute(UNLIST_SETTINGS, (listed,))


async def add_source(store: Store, url: str, added_by: int | None) -> tuple[int, bool]:
    """A source an admin added (or added again); returns (id, whether it was not active before)."""
    async with store.transaction() as conn:
        async with conn.execute(BY_URL, (url,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            cursor = await conn.execute(INSERT_SOURCE, (url, 0, added_by, utcnow()))
            assert cursor.lastrowid is not None
            return cursor.lastrowid, True
        await conn.execute(REACTIVATE, (0, row[0]))
        await conn.execute(ADDED_BY, (added_by, row[0]))
        return int(row[0]), not row[1]


async def remove_source(store: Store, source_id: int) -> bool:
    return await store.execute(REMOVE, (source_id,)) > 0


async def set_auto_send(store: Store, source_id: int, on: bool) -> bool:
    return await store.execute(SET_AUTO, (int(on), source_id)) > 0


async def active_sources(store: Store) -> list[Source]:
    return [_source(r) for r in await store.fetchall(ACTIVE)]


async def get_source(store: Store, source_id: int) -> Source | None:
    row = await store.fetchone(GET_SOURCE, (source_id,))
    return None if row is None else _source(row)


# --- polls ------------------------------------------------------------------------------------------


async def record_not_modified(store: Store, source_id: int, status: str, next_at: str) -> None:
    await store.execute(NOT_MODIFIED, {"now": utcnow(), "status": status, "next": next_at, "id": source_id})


async def record_poll(
    store: Store,
    source_id: int,
    items: Sequence[NewItem],
    *,
    kind: str,
    etag: str | None,
    last_modified: str | None,
    status: str,
    next_at: str,
) -> int:
    """A successful poll and the items it listed, in one transaction; returns how many were new.
    At the source's first successful poll the items are the backfill (archived, never offered)."""
    now = utcnow()
    async with store.transaction() as conn:
        async with conn.execute(FIRST_OK, (source_id,)) as cursor:
            row = await cursor.fetchone()
        backfill = int(row is not None and row[0] is None)
        before = conn.total_changes
        await conn.executemany(
            INSERT_ITEM, [(source_id, i.key, i.link, i.title, i.summary, now, backfill) for i in items]
        )
        added = conn.total_changes - before
        await conn.execute(
            POLLED,
            {
                "kind": kind,
                "etag": etag,
                "last_modified": last_modified,
                "now": now,
                "status": status,
                "next": next_at,
                "id": source_id,
            },
        )
    return added


async def record_failure(store: Store, source_id: int, status: str, error: str, next_at: str) -> None:
    await store.execute(FAILED, {"now": utcnow(), "status": status, "error": error, "next": next_at, "id": source_id})


# --- items ------------------------------------------------------------------------------------------


async def new_items(store: Store, source_id: int, limit: int = 50) -> list[WatchItem]:
    return [_item(r) for r in await store.fetchall(NEW_ITEMS, (source_id, limit))]


async def settle_item(store: Store, item_id: int, state: str, detail: str = "", bulletin_id: int | None = None) -> bool:
    return await store.execute(SETTLE_ITEM, (state, detail, bulletin_id, utcnow(), item_id)) > 0


async def item_attempt_failed(store: Store, item_id: int, detail: str, max_attempts: int) -> str | None:
    """An item's page could not be read: counted; it is ``failed`` after ``max_attempts``, else still
    ``new`` (read again at the next poll). Returns the state, or None if it had moved on."""
    async with (
        store.transaction() as conn,
        conn.execute(ITEM_ATTEMPT, (detail, utcnow(), max_attempts, item_id)) as cursor,
    ):
        row = await cursor.fetchone()
    return None if row is None else str(row[0])


# --- offers -----------------------------------------------------------------------------------------


async def create_offer(
    store: Store,
    *,
    item_id: int,
    content_hash: str,
    bulletin_id: int | None,
    uncertain: bool,
    reasons: str,
    bulletin_json: str,
    document_json: str | None,
    status: str = "new",
) -> int | None:
    """The offer of a bulletin, or None when the same bulletin was offered already (from any source)."""
    async with store.transaction() as conn:
        cursor = await conn.execute(
            INSERT_OFFER,
            (
                content_hash,
                bulletin_id,
                item_id,
                int(uncertain),
                reasons,
                bulletin_json,
                document_json,
                status,
                utcnow(),
            ),
        )
        return cursor.lastrowid if cursor.rowcount else None


async def get_offer(store: Store, offer_id: int) -> Offer | None:
    row = await store.fetchone(GET_OFFER, (offer_id,))
    return None if row is None else _offer(row)


async def open_offers(store: Store) -> list[Offer]:
    """Offers whose previews are not all out yet (the bot stopped, or Telegram failed, on the way)."""
    return [_offer(r) for r in await store.fetchall(OPEN_OFFERS)]


async def offer_out(store: Store, offer_id: int) -> None:
    await store.execute(OFFER_OUT, (offer_id,))


async def decide_offer(
    store: Store, offer_id: int, status: str, decided_by: int | None, broadcast_id: int | None = None
) -> bool:
    """``sent`` or ``skipped`` (or ``auto_sent``), once: False if it was decided already."""
    return await store.execute(DECIDE_OFFER, (status, decided_by, utcnow(), broadcast_id, offer_id)) > 0


async def offer_link(store: Store, offer: Offer) -> tuple[str, str] | None:
    """(the article's link, the source's URL) an offer was found at."""
    row = await store.fetchone(OFFER_LINK, (offer.item_id,))
    return None if row is None else (str(row["link"]), str(row["source_url"]))


async def set_offer_broadcast(store: Store, offer_id: int, broadcast_id: int | None) -> None:
    await store.execute(OFFER_BROADCAST, (broadcast_id, offer_id))
