"""One delivering bot per database: an exclusive OS lock on ``<database>.lock``.

``python -m bot run`` and ``console --database`` hold it for as long as they live, because they poll
Telegram and deliver the outbox; two of them on one database would send every part twice and fight
over ``getUpdates`` (409 Conflict). ``import`` and ``publish`` only write to the store and do not take
it: SQLite's own locking keeps them safe beside a running bot.

The lock is ``fcntl.flock(LOCK_EX | LOCK_NB)`` on an open file descriptor, so the kernel drops it when
the process ends in any way, ``kill -9`` included: a stale lock file never blocks a restart. The file
holds the pid of the holder, only so the refusal can name it. On a platform without ``fcntl``
(Windows) no lock is taken and :func:`hold` does nothing: running two bots there is not prevented.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, so no protection (documented above)
    fcntl = None  # type: ignore[assignment]


class InstanceLocked(RuntimeError):
    """Another process holds the database's lock. The message is one line for the person starting it."""

    def __init__(self, database: Path, pid: int | None) -> None:
        self.database = database
        self.pid = pid
        holder = f"process {pid}" if pid is not None else "another process"
        super().__init__(
            f"another bot is already running on {database} ({holder} holds {lock_path(database)}); "
            "stop it first, or use another DATABASE_PATH"
        )


def lock_path(database: Path | str) -> Path:
    """The lock file beside the database: ``bot.db`` → ``bot.db.lock``."""
    database = Path(database)
    return database.with_name(database.name + ".lock")


def _holder(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).decode("ascii").strip())
    return None


@contextlib.contextmanager
def hold(database: Path | str) -> Iterator[None]:
    """Hold the exclusive lock for ``database`` inside the block; raise :class:`InstanceLocked` at once
    (never waiting) when another process holds it. Released on exit, and by the kernel on any death."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    database = Path(database)
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InstanceLocked(database, _holder(fd)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            # Empty the file before letting go, so a reader never sees a pid that no longer holds it.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class Probe:
    """Whether a process holds a database's lock at the moment it was probed, and its pid if it said."""

    running: bool
    pid: int | None = None


def probe(database: Path | str) -> Probe:
    """Try the lock without keeping it (``python -m bot doctor``). Creates neither the lock file nor its
    folder: a lock file that is not there is held by no one, since a holder creates it. The shared lock
    is held for a moment only; a bot starting in that very moment is refused once and says so."""
    if fcntl is None:  # pragma: no cover
        return Probe(False)
    try:
        fd = os.open(lock_path(database), os.O_RDONLY)
    except FileNotFoundError:
        return Probe(False)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return Probe(True, _holder(fd))
        fcntl.flock(fd, fcntl.LOCK_UN)
        return Probe(False)
    finally:
        os.close(fd)
