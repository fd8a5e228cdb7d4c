"""Backups of the bot's SQLite database: an online copy, the checks before a restore, the restore
itself, and the retention of daily backups.

Plain blocking ``sqlite3`` on purpose: these run in the CLI's synchronous path or, in a running bot,
in a worker thread (``asyncio.to_thread``), never on the event loop's thread.

The copy uses SQLite's online backup API (https://sqlite.org/backup.html, Python's
``sqlite3.Connection.backup``) in one step (``pages=-1``): one read transaction over the whole copy,
so it is a consistent snapshot, and in WAL mode a running bot keeps writing meanwhile
(https://sqlite.org/wal.html: readers do not block the writer, nor the writer readers).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from data.store import migrations

# The first 16 bytes of every SQLite 3 database file (https://sqlite.org/fileformat.html#the_database_header).
SQLITE_HEADER = b"SQLite format 3\x00"
# Without these the file is not this bot's database.
REQUIRED_TABLES = ("subscribers", "bulletins", "broadcasts", "deliveries")
COUNT_SQL = {
    "subscribers": "SELECT count(*) FROM subscribers",
    "bulletins": "SELECT count(*) FROM bulletins",
    "broadcasts": "SELECT count(*) FROM broadcasts",
}
COUNTED = tuple(COUNT_SQL)
TABLE_NAMES = "SELECT name FROM sqlite_master WHERE type = 'table'"
# A WAL database comes with these beside it (https://sqlite.org/tempfiles.html#write_ahead_log_wal_files).
COMPANIONS = ("-wal", "-shm")

DAILY_NAME = re.compile(r"^bulletin-(\d{8})-(\d{4})\.db$")
BUSY_TIMEOUT_MS = 10_000


class BackupError(RuntimeError):
    """A backup or restore cannot be done; the message is one line for the person running it."""


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    """What a database file holds, as the one-line summaries say it."""

    path: Path
    size: int
    schema_version: int
    counts: dict[str, int]

    def summary(self) -> str:
        counts = ", ".join(f"{self.counts[name]} {name}" for name in COUNTED)
        return f"{self.size:,} bytes, schema version {self.schema_version}, {counts}"


@dataclass(frozen=True, slots=True)
class Restored:
    info: DatabaseInfo  # the database now at DATABASE_PATH (before migrating it)
    source: Path
    kept_aside: Path | None  # the previous database, or None when there was none


def head_version() -> int:
    """The schema version this bot's migrations bring a database to."""
    return len(migrations())


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    # mode=ro / mode=rw: never create a file that is not there (https://sqlite.org/uri.html).
    mode = "ro" if readonly else "rw"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _integrity(conn: sqlite3.Connection) -> str | None:
    """None when ``PRAGMA integrity_check`` says ok, else its first complaint
    (https://sqlite.org/pragma.html#pragma_integrity_check)."""
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    first = str(rows[0][0]) if rows else "no answer"
    return None if first == "ok" else first


def _describe(conn: sqlite3.Connection, path: Path) -> DatabaseInfo:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    counts = {name: int(conn.execute(sql).fetchone()[0]) for name, sql in COUNT_SQL.items()}
    return DatabaseInfo(path, path.stat().st_size, version, counts)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX: the directory entry is synced with the directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _temp_beside(target: Path, tag: str) -> Path:
    return target.with_name(f".{target.name}.{tag}-{os.getpid()}.tmp")


def _copy(source: sqlite3.Connection, temp: Path) -> None:
    """The online copy of ``source`` into ``temp``, made a self-contained file (rollback journal,
    not WAL, so it is one file that can be moved or mailed alone)."""
    dest = sqlite3.connect(temp, isolation_level=None)
    try:
        source.backup(dest, pages=-1)
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()


def backup(database: Path, target: Path) -> DatabaseInfo:
    """Copy ``database`` to ``target`` while it may be in use; the copy is checked
    (``integrity_check``) and renamed into place only when whole and sound, so a failure leaves no
    file at ``target`` (nor a temporary one)."""
    database, target = Path(database), Path(target)
    if not database.is_file():
        raise BackupError(f"there is no database at {database}; nothing backed up")
    if target.exists() and target.is_dir():
        raise BackupError(f"{target} is a folder; give the backup's file name")
    if target.exists() and target.resolve() == database.resolve():
        raise BackupError(f"{target} is the database itself; give another file")
    if not target.parent.is_dir():
        raise BackupError(f"cannot write {target}: the folder {target.parent} does not exist; nothing backed up")
    try:
        is_sqlite = _read_header(database) == SQLITE_HEADER
    except OSError as exc:
        raise BackupError(f"cannot read the database {database}: {exc.strerror or exc}; nothing backed up") from exc
    if not is_sqlite:
        raise BackupError(f"{database} is not an SQLite database; nothing backed up")
    temp = _temp_beside(target, "backup")
    try:
        try:
            source = _connect(database, readonly=False)
        except sqlite3.Error as exc:
            raise BackupError(f"cannot open the database {database}: {exc}; nothing backed up") from exc
        try:
            _copy(source, temp)
        except sqlite3.Error as exc:
            raise BackupError(f"cannot back up {database} to {target}: {exc}; nothing backed up") from exc
        except OSError as exc:
            raise BackupError(f"cannot write {target}: {exc.strerror or exc}; nothing backed up") from exc
        finally:
            source.close()
        copy = _connect(temp, readonly=True)
        try:
            problem = _integrity(copy)
            if problem is not None:
                raise BackupError(f"the copy of {database} fails integrity_check ({problem}); nothing backed up")
            info = _describe(copy, temp)
        finally:
            copy.close()
        _fsync(temp)
        os.replace(temp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}; nothing backed up") from exc
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        for suffix in ("-journal", *COMPANIONS):
            with contextlib.suppress(OSError):
                Path(f"{temp}{suffix}").unlink(missing_ok=True)
    return DatabaseInfo(target, info.size, info.schema_version, info.counts)


def _read_header(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(len(SQLITE_HEADER))


def check(file: Path) -> DatabaseInfo:
    """What a backup file holds, or :class:`BackupError` saying why it cannot be restored: not a file,
    not SQLite, damaged, written by a newer bot, or not this bot's database."""
    file = Path(file)
    if not file.is_file():
        raise BackupError(f"there is no file {file}")
    try:
        header = _read_header(file)
    except OSError as exc:
        raise BackupError(f"cannot read {file}: {exc.strerror or exc}") from exc
    if header != SQLITE_HEADER:
        raise BackupError(f"{file} is not an SQLite database")
    try:
        conn = _connect(file, readonly=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{file} cannot be opened: {exc}") from exc
    try:
        problem = _integrity(conn)
        if problem is not None:
            raise BackupError(f"{file} is damaged (integrity_check: {problem})")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        head = head_version()
        if version > head:
            raise BackupError(
                f"{file} is at schema version {version}, newer than this bot knows ({head}); upgrade the bot first"
            )
        tables = {row[0] for row in conn.execute(TABLE_NAMES)}
        missing = [name for name in REQUIRED_TABLES if name not in tables]
        if missing:
            raise BackupError(f"{file} is not a backup of this bot (no table {', '.join(missing)})")
        return _describe(conn, file)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{file} is damaged: {exc}") from exc
    finally:
        conn.close()


def aside_path(database: Path, now: dt.datetime) -> Path:
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return database.with_name(f"{database.name}.before-restore-{stamp}")


def _settle(database: Path) -> None:
    """Fold the current database's WAL into the file and leave WAL mode, so the file is whole alone
    and no ``-wal`` left behind could be replayed onto the restored one
    (https://sqlite.org/wal.html#the_wal_file; https://sqlite.org/pragma.html#pragma_journal_mode).
    Best effort: a database that cannot be opened keeps its companions, moved aside with it."""
    with contextlib.suppress(sqlite3.Error):
        conn = _connect(database, readonly=False)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()


def restore(database: Path, file: Path, *, now: dt.datetime | None = None) -> Restored:
    """Put the backup ``file`` at ``database``. The caller holds the instance lock (no bot runs).

    ``file`` is checked first; a bad one raises :class:`BackupError` with nothing touched. Then it is
    copied beside the database (so the last step is a rename on one file system), the current database
    and any ``-wal``/``-shm`` are moved to ``<database>.before-restore-<UTC time>`` (and its ``-wal``/
    ``-shm``, kept together so they still pair), and the copy is renamed into place. Migrating it to
    the current schema is the caller's next step (``Store.open``)."""
    database, file = Path(database), Path(file)
    info = check(file)
    if database.exists() and file.resolve() == database.resolve():
        raise BackupError(f"{file} is the database itself; nothing to restore")
    if not database.parent.is_dir():
        raise BackupError(f"the folder of DATABASE_PATH {database.parent} does not exist")
    now = now or dt.datetime.now(dt.UTC)
    temp = _temp_beside(database, "restore")
    try:
        source = _connect(file, readonly=True)
        try:
            _copy(source, temp)
        finally:
            source.close()
        _fsync(temp)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise BackupError(f"cannot copy {file} beside {database}: {exc}; the database is untouched") from exc

    aside: Path | None = None
    moved: list[tuple[Path, Path]] = []
    try:
        if database.exists():
            _settle(database)
        present = [s for s in ("", *COMPANIONS) if Path(f"{database}{s}").exists()]
        if present:
            aside = aside_path(database, now)
            for suffix in present:
                src, dst = Path(f"{database}{suffix}"), Path(f"{aside}{suffix}")
                os.replace(src, dst)
                moved.append((src, dst))
            if "" not in present:  # only orphan companions: nothing of a database to keep aside
                aside = None
        os.replace(temp, database)
        _fsync_dir(database.parent)
    except OSError as exc:
        for src, dst in reversed(moved):  # put the previous database back as it was
            with contextlib.suppress(OSError):
                os.replace(dst, src)
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise BackupError(f"cannot put {file} in place of {database}: {exc.strerror or exc}") from exc
    return Restored(DatabaseInfo(database, info.size, info.schema_version, info.counts), file, aside)


def daily_name(moment: dt.datetime) -> str:
    return f"bulletin-{moment:%Y%m%d-%H%M}.db"


def daily_backups(folder: Path) -> list[Path]:
    """The daily backups in ``folder``, oldest first (their names sort by time); other files ignored."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if DAILY_NAME.match(p.name) and p.is_file())


def has_backup_on(folder: Path, day: dt.date) -> bool:
    prefix = f"bulletin-{day:%Y%m%d}-"
    return any(p.name.startswith(prefix) for p in daily_backups(folder))


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest daily backups beyond the newest ``keep``; returns those deleted."""
    found = daily_backups(folder)
    doomed = found[: max(0, len(found) - max(keep, 1))]
    for path in doomed:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return doomed


def daily_backup(database: Path, folder: Path, keep: int, now: dt.datetime) -> DatabaseInfo:
    """One daily backup into ``folder`` (created if needed), then the retention."""
    folder.mkdir(parents=True, exist_ok=True)
    info = backup(database, folder / daily_name(now))
    prune(folder, keep)
    return info
