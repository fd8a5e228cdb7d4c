"""Watching the database file under a running bot: deleted, replaced or read-only is noticed.

Every ``interval`` seconds, and at once when a write fails with SQLITE_READONLY or SQLITE_IOERR,
``Store.check_file`` looks at the file. On a problem: one ERROR line, a copy of what the open
connections still hold when the file was deleted or replaced (a deleted file lives on while it is
open), one message to every admin, then ``halt``: the caller stops the delivery engine and makes the
process exit non-zero, so that a supervisor restarts it into start-up's refusal to run on a missing
database (data/store.lost_database) instead of the bot carrying on writing into a file nobody will
see again. Never recreates the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from bot.delivery.outcomes import Notifier
from bot.texts import database as texts
from data.store import Store

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 30.0  # seconds; the DATABASE_CHECK_SECONDS setting


class DatabaseGuard:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        admin_ids: Iterable[int],
        *,
        interval: float = DEFAULT_INTERVAL,
        stop_work: Callable[[], Awaitable[None]] | None = None,
        halt: Callable[[str], None],
    ) -> None:
        self._store = store
        self._notifier = notifier
        self._admins = sorted(set(admin_ids))
        self._interval = interval
        self._stop_work = stop_work
        self._halt = halt
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.problem: str | None = None

    def start(self) -> None:
        self._store.on_write_failure = self._wake.set
        self._task = asyncio.get_running_loop().create_task(self._run(), name="database-guard")

    async def stop(self) -> None:
        self._store.on_write_failure = None
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            try:
                problem = await self._store.check_file()
            except Exception:  # the check itself must not kill the guard
                log.exception("checking the database file failed")
                continue
            if problem is not None:
                await self.report(problem)
                return

    async def report(self, problem: str) -> None:
        """Once: log, stop the work, save a copy if the file is gone, tell the admins, halt."""
        if self.problem is not None:
            return
        self.problem = problem
        path = self._store.path
        log.error("database %s: %s; stopping (the bot does not recreate it)", path, problem)
        if self._stop_work is not None:
            try:
                await self._stop_work()
            except Exception:
                log.exception("stopping the delivery engine failed")
        rescued: Path | None = None
        if "deleted" in problem or "replaced" in problem:
            try:
                rescued = await self._store.rescue_copy()
            except Exception as exc:
                log.warning("could not save a copy of the open database: %s", exc)
            else:
                log.error("saved a copy of the open database to %s; restore it with `python -m bot restore`", rescued)
        text = texts.problem_alert(path, problem, rescued)
        for chat_id in self._admins:
            try:
                await asyncio.wait_for(self._notifier.post(chat_id, text), 10.0)
            except Exception as exc:
                log.warning("could not tell admin %s about the database: %s", chat_id, type(exc).__name__)
        self._halt(f"database {path}: {problem}")
