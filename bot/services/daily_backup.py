"""The optional daily backup of a running bot (BACKUP_DIR, BACKUP_KEEP): ``bulletin-YYYYMMDD-HHMM.db``
(in TIMEZONE) at start when there is none of today yet, then every 24 hours, keeping the newest
BACKUP_KEEP. The copy runs in a worker thread (data/backup.py is blocking ``sqlite3``), never on the
event loop; a failed backup is logged and tried again at the next turn."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from data import backup

log = logging.getLogger(__name__)

DAY = 24 * 3600.0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DailyBackups:
    """A background task; ``start`` once, ``stop`` on shutdown."""

    def __init__(
        self,
        database: Path,
        folder: Path,
        keep: int,
        zone: dt.tzinfo,
        *,
        interval: float = DAY,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        self.database, self.folder, self.keep, self.zone = database, folder, keep, zone
        self.interval = interval
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self.written: list[Path] = []

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="daily-backup")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_once(self) -> Path | None:
        """Back up now unless today already has one; then apply the retention. The file written, if any."""
        local = self._clock().astimezone(self.zone)
        if backup.has_backup_on(self.folder, local.date()):
            return None
        try:
            info = await asyncio.to_thread(backup.daily_backup, self.database, self.folder, self.keep, local)
        except (backup.BackupError, OSError) as exc:
            log.warning("daily backup failed: %s", exc)
            return None
        log.info("daily backup written: %s (%s bytes)", info.path, info.size)
        self.written.append(info.path)
        return info.path

    async def _run(self) -> None:
        while True:
            await self.run_once()
            await asyncio.sleep(self.interval)
