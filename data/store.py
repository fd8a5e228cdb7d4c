"""Opening the SQLite database, applying migrations, and the single-writer transaction helper.

One long-lived connection writes (every write inside ``transaction()``, which issues
``BEGIN IMMEDIATE``); a second connection reads, so queries never wait behind a broadcast's
writes (WAL lets readers and the writer work at once: https://sqlite.org/wal.html).

Migrations are ``migrations/NNNN_name.sql``, applied in order, each in one transaction with the
``PRAGMA user_version`` it brings the database to. A migration that has to carry data calls the
application's own functions from SQL (``MIGRATION_FUNCTIONS``, registered on the migrating
connection: https://sqlite.org/appfunc.html), e.g. ``UPDATE tasks SET folded = fold(text)``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain.textnorm import fold

log = logging.getLogger(__name__)

# Relative to this module, never to the working directory.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Row = aiosqlite.Row

# SQL functions a migration may call, registered as deterministic (same input, same output).
MIGRATION_FUNCTIONS: dict[str, Callable[[str], str]] = {"fold": fold}

# What an unusable database file means to the person who set DATABASE_PATH, by SQLite error name
# (https://sqlite.org/rescode.html).
_OPEN_PROBLEMS = {
    "SQLITE_READONLY": "it is read-only (the bot writes the file, and its -wal and -shm files beside it)",
    "SQLITE_CANTOPEN": "it cannot be opened or created (does the folder exist, and may the bot write to it?)",
    "SQLITE_NOTADB": "it is not an SQLite database",
    "SQLITE_CORRUPT": "it is damaged",
    "SQLITE_PERM": "permission denied",
    "SQLITE_FULL": "the disk is full",
}


class StoreError(RuntimeError):
    """The database cannot be used: it cannot be opened or written, or a newer bot wrote it.
    The message is one line meant for the person running the bot."""


def _unusable(path: Path, exc: BaseException) -> StoreError:
    if isinstance(exc, sqlite3.Error):
        reason = _OPEN_PROBLEMS.get(getattr(exc, "sqlite_errorname", ""), str(exc))
    else:  # OSError creating the folder
        reason = getattr(exc, "strerror", None) or str(exc)
    return StoreError(f"cannot use the database {path}: {reason}; fix it or set DATABASE_PATH to another file")


def utcnow() -> str:
    """The current time as ISO-8601 UTC text, the format every timestamp column uses."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped with the package, in order."""
    found: list[tuple[int, str, str]] = []
    for entry in MIGRATIONS_DIR.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    for expected, (version, name, _) in enumerate(found, start=1):
        if version != expected:
            raise StoreError(f"migration numbering has a gap or duplicate at {name}")
    return found


async def _configure(conn: aiosqlite.Connection) -> None:
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA synchronous = NORMAL")  # durable at checkpoints; safe with WAL
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA busy_timeout = 5000")


class Store:
    """The database: a writer connection, a reader connection, and the migration state."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        """Open (creating if needed) the database at ``path`` and bring it to the latest schema.

        Raises ``StoreError`` (one line, no SQL) when the file cannot be used.
        """
        path = Path(path).expanduser().resolve()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise _unusable(path, exc) from exc
        reader: aiosqlite.Connection | None = None
        try:
            await _configure(writer)
            await _migrate(writer)
            reader = await aiosqlite.connect(path, isolation_level=None)
            await _configure(reader)
            await reader.execute("PRAGMA query_only = ON")
        except BaseException as exc:
            if reader is not None:
                await reader.close()
            await writer.close()
            if isinstance(exc, sqlite3.Error):
                raise _unusable(path, exc) from exc
            raise
        return cls(path, writer, reader)

    async def close(self) -> None:
        await self._reader.close()
        await self._writer.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``): committed on success, rolled back on error."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise
            await self._writer.execute("COMMIT")

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one write statement in its own transaction; returns the number of changed rows."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        """Read rows through the reader connection (never blocked by a write transaction)."""
        async with self._reader.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        async with self._reader.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def user_version(self) -> int:
        return int(await self.fetchval("PRAGMA user_version"))


async def _migrate(conn: aiosqlite.Connection) -> None:
    """Apply every migration newer than ``PRAGMA user_version``, each in its own transaction."""
    known = migrations()
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    if current > len(known):
        raise StoreError(
            f"the database is at schema version {current}, newer than this bot knows ({len(known)}); "
            "upgrade the bot or use another DATABASE_PATH"
        )
    for name, function in MIGRATION_FUNCTIONS.items():
        await conn.create_function(name, 1, function, deterministic=True)
    for version, name, sql in known[current:]:
        log.info("applying migration %s", name)
        try:
            await conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;")
        except Exception:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
