"""What ``python -m bot doctor`` reads from the database file, without ever writing or creating it.

Plain blocking ``sqlite3`` on purpose, as in data/backup.py: the doctor is a short synchronous CLI
command, never code on a running bot's event loop. The file is opened with ``mode=ro``, so a
missing file is an error rather than a new empty database (https://sqlite.org/uri.html), and
nothing here changes it; beside a running bot in WAL mode a reader neither waits for nor blocks the
writer (https://sqlite.org/wal.html). One trace it may leave: a read-only connection to a WAL
database creates the -wal and -shm files when they are missing and, being read-only, cannot remove
them at close (https://sqlite.org/wal.html#readonly); they are empty and the bot uses them as usual.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BUSY_TIMEOUT_MS = 5_000
# The bot's own tables; without them the file is not this bot's database (as data/backup.py checks).
REQUIRED_TABLES = ("subscribers", "bulletins", "broadcasts", "deliveries")
TABLE_NAMES = "SELECT name FROM sqlite_master WHERE type = 'table'"

# Pending rows by the status of their broadcast.
PENDING_BY_STATUS = """
SELECT b.status, count(*) FROM deliveries AS d JOIN broadcasts AS b ON b.id = d.broadcast_id
WHERE d.status = 'pending' GROUP BY b.status
"""
# A queued or running broadcast with pending rows, and the last time anything of it moved: the
# latest change of one of its rows, else when it started, was due or was queued. Timestamps are the
# fixed-width UTC text of data.store.utcnow(), so max() and comparisons are by time.
STUCK = """
SELECT b.id, b.status, count(*) AS pending,
       max(coalesce(b.started_at, ''), coalesce(b.scheduled_at, ''), b.created_at,
           coalesce((SELECT max(updated_at) FROM deliveries WHERE broadcast_id = b.id), '')) AS moved
FROM broadcasts AS b JOIN deliveries AS d ON d.broadcast_id = b.id AND d.status = 'pending'
WHERE b.status IN ('queued', 'running')
GROUP BY b.id
HAVING moved < :before
ORDER BY b.id
"""
FAILED_SINCE = """
SELECT coalesce(error, ''), count(*) FROM deliveries
WHERE status = 'failed' AND updated_at >= ? GROUP BY 1 ORDER BY 2 DESC, 1
"""
OVERDUE = """
SELECT id, scheduled_at FROM broadcasts WHERE status = 'scheduled' AND scheduled_at < ? ORDER BY scheduled_at
"""


@dataclass(frozen=True, slots=True)
class FileFacts:
    """The database file and what is beside it, as the file system says."""

    path: Path
    exists: bool
    is_file: bool
    size: int
    wal_size: int | None  # None: no -wal file
    read_only: bool  # no write permission bit, or this user may not write it
    folder_exists: bool
    folder_writable: bool  # SQLite writes -wal and -shm files beside the database
    free_bytes: int | None


@dataclass(frozen=True, slots=True)
class SchemaFacts:
    version: int
    tables: frozenset[str]

    @property
    def missing_tables(self) -> list[str]:
        return [name for name in REQUIRED_TABLES if name not in self.tables]


@dataclass(frozen=True, slots=True)
class Stuck:
    broadcast_id: int
    status: str
    pending: int
    last_moved: str  # UTC text


@dataclass(frozen=True, slots=True)
class OutboxFacts:
    pending: dict[str, int]  # broadcast status -> pending rows
    stuck: list[Stuck]
    failed: list[tuple[str, int]]  # (error, rows), the commonest first
    overdue: list[tuple[int, str]]  # (broadcast id, scheduled_at UTC text)

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())

    @property
    def failed_total(self) -> int:
        return sum(n for _, n in self.failed)


@dataclass(frozen=True, slots=True)
class Integrity:
    method: str  # "integrity_check" or "quick_check"
    problems: list[str] = field(default_factory=list)  # empty: ok


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def inspect_file(path: Path) -> FileFacts:
    """Facts about ``path`` from the file system alone (nothing is opened or created)."""
    folder = path.parent
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    is_file = st is not None and stat.S_ISREG(st.st_mode)
    # os.access alone is not enough: root may write anything, yet a file made read-only (no write
    # bit) is a setting someone chose and the bot must not be started on it.
    read_only = is_file and st is not None and (not st.st_mode & 0o222 or not os.access(path, os.W_OK))
    free: int | None = None
    with contextlib.suppress(OSError):
        free = shutil.disk_usage(folder).free
    return FileFacts(
        path=path,
        exists=st is not None,
        is_file=is_file,
        size=st.st_size if st is not None else 0,
        wal_size=_size(path.with_name(path.name + "-wal")),
        read_only=read_only,
        folder_exists=folder.is_dir(),
        folder_writable=folder.is_dir() and os.access(folder, os.W_OK | os.X_OK),
        free_bytes=free,
    )


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to an existing database file; ``sqlite3.Error`` when it cannot be
    opened (``mode=ro`` never creates the file)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        yield conn
    finally:
        conn.close()


def schema(conn: sqlite3.Connection) -> SchemaFacts:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    return SchemaFacts(version, frozenset(str(row[0]) for row in conn.execute(TABLE_NAMES)))


def integrity(conn: sqlite3.Connection, *, quick: bool, limit: int = 5) -> Integrity:
    """``PRAGMA integrity_check`` or, for a big file, ``quick_check`` (which skips the index contents
    check and runs in O(N) rather than O(N log N): https://sqlite.org/pragma.html#pragma_quick_check),
    with at most ``limit`` complaints."""
    method = "quick_check" if quick else "integrity_check"
    rows = conn.execute(f"PRAGMA {method}({int(limit)})").fetchall()
    answers = [str(row[0]) for row in rows] or ["no answer"]
    return Integrity(method, [] if answers == ["ok"] else answers)


def outbox(conn: sqlite3.Connection, *, stuck_before: str, failed_since: str, overdue_before: str) -> OutboxFacts:
    """The outbox's figures; the arguments are UTC texts in data.store.utcnow()'s format."""
    pending = {str(status): int(n) for status, n in conn.execute(PENDING_BY_STATUS)}
    stuck = [Stuck(int(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in conn.execute(STUCK, {"before": stuck_before})]
    failed = [(str(error), int(n)) for error, n in conn.execute(FAILED_SINCE, (failed_since,))]
    overdue = [(int(i), str(at)) for i, at in conn.execute(OVERDUE, (overdue_before,))]
    return OutboxFacts(pending, stuck, failed, overdue)
