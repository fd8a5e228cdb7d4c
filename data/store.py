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
import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain.textnorm import exact_text, fold

log = logging.getLogger(__name__)

# Relative to this module, never to the working directory.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Row = aiosqlite.Row

# SQL functions a migration may call, registered as deterministic (same input, same output).
MIGRATION_FUNCTIONS: dict[str, Callable[[str], str]] = {"fold": fold, "exact_text": exact_text}

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


# A write failing with one of these means the file itself is in trouble (read-only, gone, a disk
# error), not the statement: https://sqlite.org/rescode.html#readonly, #ioerr.
_FILE_TROUBLE = ("SQLITE_READONLY", "SQLITE_IOERR")


def created_marker(database: Path | str) -> Path:
    """The marker ``run`` writes beside a database it has opened: ``bot.db`` → ``bot.db.created``.

    It is the evidence that the database existed: a database missing while its marker is there was
    deleted or moved, and start-up refuses to put an empty one in its place (:func:`lost_database`).
    The instance lock's file is no such evidence (it is created before the database, by a start that
    may never get as far as opening it), nor are -wal/-shm (SQLite deletes them when the last
    connection closes: https://sqlite.org/wal.html#the_wal_file)."""
    database = Path(database)
    return database.with_name(database.name + ".created")


def rescued_copies(database: Path | str) -> list[Path]:
    """The copies a running bot saved when its database file disappeared (``Store.rescue_copy``)."""
    database = Path(database)
    return sorted(database.parent.glob(glob_escape(database.name) + ".rescued-*"))


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def lost_database(database: Path | str) -> str | None:
    """One line for the person starting the bot when ``database`` is missing but existed before (its
    :func:`created_marker` is there); None when it exists, or when nothing says it ever did."""
    database = Path(database).expanduser()
    marker = created_marker(database)
    if database.exists() or not marker.exists():
        return None
    rescued = rescued_copies(database)
    copy = f" (the bot saved a copy when it noticed: {rescued[-1]})" if rescued else ""
    return (
        f"the database {database} is missing but a bot ran on it before ({marker} is there): it was deleted "
        f"or moved; not starting with an empty one. Restore a backup with `python -m bot restore FILE`{copy}, "
        f"or remove {marker} to start with an empty database on purpose"
    )


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
    """The database: a writer connection, a reader connection, and the migration state.

    ``write_small`` also has a plain ``sqlite3`` connection of its own, used on the event loop's
    thread, for the one write that happens once a message (a message id Telegram returned).
    """

    # Commits of write_small's connection between two checkpoints (it never checkpoints itself: a
    # checkpoint syncs the file, which must not happen on the event loop's thread). About
    # SQLite's own 1,000-page autocheckpoint (https://sqlite.org/wal.html#ckpt): a commit of one
    # acknowledgement writes a few pages.
    QUICK_CHECKPOINT_EVERY = 250
    # At most this many rows are written on the loop's thread by ``write_small``.
    QUICK_ROWS = 16

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._quick: sqlite3.Connection | None = None
        self._quick_commits = 0
        self._checkpoint: asyncio.Task[None] | None = None
        # The file's identity when it was opened: the same path naming another inode later means it
        # was replaced; the connections still write to the old one (https://sqlite.org/howtocorrupt.html#unlink).
        stat = os.stat(path)
        self._identity = (stat.st_dev, stat.st_ino)
        # The last write that failed because of the file (read-only, I/O error), and who wants to know.
        self.write_failure: str | None = None
        self.on_write_failure: Callable[[], None] | None = None

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        """Open (creating if needed) the database at ``path`` and bring it to the latest schema.

        Raises ``StoreError`` (one line, no SQL) when the file cannot be used.
        """
        path = Path(path).expanduser().resolve()
        lost = lost_database(path)
        if lost is not None:  # never an empty database in place of one that was deleted
            raise StoreError(lost)
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

    def mark_created(self) -> None:
        """Write :func:`created_marker` beside the database, if it is not there yet (``run`` does, once
        the database is open), so that a later start notices the database going missing."""
        marker = created_marker(self.path)
        with contextlib.suppress(FileExistsError), marker.open("x", encoding="utf-8") as out:
            out.write(
                f"{self.path} was created or first opened by the bot at {utcnow()}.\n"
                "While this file is here the bot refuses to start without the database; remove it\n"
                "only to start with an empty database on purpose.\n"
            )

    async def check_file(self) -> str | None:
        """What is wrong with the database file, in a few words, or None when it is fine: still at its
        path, the same file as when it was opened, writable. Cheap: a ``stat``, an ``access`` and, when
        nothing is writing, ``BEGIN IMMEDIATE`` + ``ROLLBACK`` (takes the write lock, writes nothing)."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return "the database file was deleted or moved"
        except OSError as exc:
            return f"the database file cannot be reached ({exc.strerror or exc})"
        if (stat.st_dev, stat.st_ino) != self._identity:
            return "the database file was deleted or replaced by another file"
        if self.write_failure is not None:
            return self.write_failure
        if not os.access(self.path, os.W_OK):
            return "the database file is read-only"
        if not self._write_lock.locked():  # a write under way will tell by failing, if it does
            try:
                async with self._write_lock:
                    await self._writer.execute("BEGIN IMMEDIATE")
                    await self._writer.execute("ROLLBACK")
            except sqlite3.Error as exc:
                self._note_write_error(exc)
                return self.write_failure or f"the database cannot be written ({exc})"
        return None

    def _note_write_error(self, exc: BaseException) -> None:
        name = getattr(exc, "sqlite_errorname", "") if isinstance(exc, sqlite3.Error) else ""
        if not name.startswith(_FILE_TROUBLE):
            return
        what = "is read-only" if name.startswith("SQLITE_READONLY") else "has an I/O error"
        self.write_failure = f"a write failed: the database file {what} ({name})"
        if self.on_write_failure is not None:
            self.on_write_failure()

    async def rescue_copy(self) -> Path:
        """Copy what the open connections still see into ``<database>.rescued-<UTC time>`` beside it, with
        SQLite's backup API (https://sqlite.org/backup.html): a deleted file lives on while it is open, so
        this saves it. Never writes to the database's own path."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.rescued-{stamp}")
        async with self._write_lock, aiosqlite.connect(target) as copy:
            await self._writer.backup(copy)
        return target

    async def close(self) -> None:
        if self._checkpoint is not None:
            await asyncio.gather(self._checkpoint, return_exceptions=True)
        if self._quick is not None:
            self._quick.close()
            self._quick = None
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
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
                try:
                    yield self._writer
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already
                        await self._writer.execute("ROLLBACK")
                    raise
                await self._writer.execute("COMMIT")
            except sqlite3.Error as exc:
                self._note_write_error(exc)
                raise

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one write statement in its own transaction; returns the number of changed rows.

        The writer is in autocommit mode, where one statement is a transaction of its own
        (https://sqlite.org/lang_transaction.html): a single call to the writer's thread, where
        ``BEGIN IMMEDIATE`` … ``COMMIT`` would be three. A statement that writes takes the write
        lock when it starts, waiting ``busy_timeout`` as ``BEGIN IMMEDIATE`` would. Under the write
        lock, so it never lands inside another caller's open ``transaction()``.
        """
        async with self._write_lock:
            try:
                cursor = await self._writer.execute(sql, params)
            except sqlite3.Error as exc:
                self._note_write_error(exc)
                raise
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one write statement for each of ``rows``, all in one transaction (a single row: one
        statement, as ``execute``; none: nothing)."""
        batch = rows if isinstance(rows, list) else list(rows)
        if not batch:
            return
        if len(batch) == 1:
            await self.execute(sql, batch[0])
            return
        async with self.transaction() as conn:
            await conn.executemany(sql, batch)

    async def write_small(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """``executemany`` for a write that the caller waits for (a message id that must be on disk
        before the chat's next part goes), at a fraction of the cost when it is one row.

        Up to ``QUICK_ROWS`` rows, with nothing of this process writing and no other process holding
        the database's write lock, are written at once on the calling (event loop) thread, in one
        transaction, by a connection that
        never waits for a lock (``busy_timeout`` 0) and never checkpoints: a commit in WAL mode with
        ``synchronous = NORMAL`` appends to the log without syncing it
        (https://sqlite.org/pragma.html#pragma_synchronous), about 20 µs, where the writer's thread
        costs a wake-up of that thread and one of the event loop. Anything else (more rows, busy,
        any SQLite error) goes through ``executemany`` like any other write, so it waits its
        turn and raises there. Durable the same way: once it returns, the rows survive the process
        being killed.
        """
        batch = rows if isinstance(rows, list) else list(rows)
        if not batch:
            return
        # A few rows only (the acknowledgements of one pass of the event loop): a batch of hundreds
        # a second goes to the writer's thread, so the loop is not held for long.
        if len(batch) <= self.QUICK_ROWS and not self._write_lock.locked() and self._write_at_once(sql, batch):
            self._quick_commits += 1
            if self._quick_commits >= self.QUICK_CHECKPOINT_EVERY and self._checkpoint is None:
                self._quick_commits = 0
                self._checkpoint = asyncio.get_running_loop().create_task(self._run_checkpoint())
            return
        await self.executemany(sql, batch)

    def _write_at_once(self, sql: str, rows: list[Sequence[Any]]) -> bool:
        conn = self._quick_connection()
        try:
            if len(rows) == 1:
                conn.execute(sql, rows[0])  # autocommit: one statement, one transaction
                return True
            conn.execute("BEGIN IMMEDIATE")  # takes the write lock now, or fails at once (timeout 0)
        except sqlite3.Error:
            return False
        try:
            conn.executemany(sql, rows)
            conn.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            return False
        return True

    def _quick_connection(self) -> sqlite3.Connection:
        if self._quick is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=0.0)
            try:
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA wal_autocheckpoint = 0")
            except BaseException:
                conn.close()
                raise
            self._quick = conn
        return self._quick

    async def _run_checkpoint(self) -> None:
        """Copy the log written by ``write_small`` into the database, on the writer's thread."""
        try:
            async with self._write_lock:
                await self._writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            log.warning("WAL checkpoint failed: %s", exc)
        finally:
            self._checkpoint = None

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        """Read rows through the reader connection (never blocked by a write transaction).

        The query runs and its rows are fetched in one job on the reader's thread
        (``execute_fetchall``), so the statement is done before another coroutine's read starts. Run
        and fetched as two jobs, a statement of one read left open while others ran would keep the
        shared reader inside one read transaction, and every read in it would see the database as it
        was before writes committed since (https://sqlite.org/isolation.html: a read transaction
        lasts until its last statement is reset). Measured: 952 of 2,000 concurrent reads made just
        after a commit missed it before; none after.
        """
        return list(await self._reader.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        """The first row of a read (every caller asks for one row: a key, a ``LIMIT 1``, an aggregate)."""
        rows = await self._reader.execute_fetchall(sql, params)
        for row in rows:
            return row
        return None

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
