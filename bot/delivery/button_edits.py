"""Edits that can wait their turn, made one at a time: the "Đã nhận" button turning into "Đã nhận lúc
08:12" after a press.

Telegram counts an edit against the same flood limits as a send (tdlib/td#2592), so each edit takes
a slot of the Pacer that replies and broadcasts share. Made from the press's handler, 1,000 presses
in 10 s put hundreds of edits in the Pacer's queue at once, and a reply to anyone else waits behind
all of them (seconds: benchmarks/campaign_acks.py), while the handlers holding them fill PTB's
concurrent-update slots. Here the press's handler answers the callback (answerCallbackQuery is not
rate-limited) and hands the edit over; one worker makes the edits in order, each waiting for its
own slot, so at most one edit is ever queued in the Pacer; the caller makes each edit a background
request (``bot.ptb.rate_limiter``), which takes a slot only when no reply is waiting for one. A
second press of the same button before its edit replaces the first edit (the newest wins).

Nothing here is kept across a restart: the acknowledgement is on disk before the edit is queued,
and a press after a restart edits the button again (``handlers.acks``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)

Edit = Callable[[], Awaitable[None]]


class ButtonEdits:
    """A queue of edits by key (e.g. (chat id, message id)), made in order by one task that starts
    at the first ``put`` and ends when the queue is empty. ``close`` drops what is left."""

    def __init__(self) -> None:
        self._queue: dict[Hashable, Edit] = {}  # insertion-ordered: the oldest first
        self._worker: asyncio.Task[None] | None = None
        self._closed = False
        self._idle = asyncio.Event()
        self._idle.set()
        self.done = 0  # edits made (or failed and logged) so far

    def put(self, key: Hashable, edit: Edit) -> None:
        """Queue ``edit`` for ``key``, replacing one still queued for it; after ``close``, dropped."""
        if self._closed:
            return
        self._queue.pop(key, None)
        self._queue[key] = edit
        self._idle.clear()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="button-edits")

    @property
    def pending(self) -> int:
        return len(self._queue)

    async def drained(self) -> None:
        """Return once every edit queued so far is made."""
        await self._idle.wait()

    async def _run(self) -> None:
        while self._queue:
            key = next(iter(self._queue))
            edit = self._queue.pop(key)
            try:
                await edit()
            except asyncio.CancelledError:
                raise
            except Exception:  # one failed edit must not stop the others; the record stands
                log.exception("button edit %s failed", key)
            self.done += 1
        self._idle.set()

    async def close(self) -> int:
        """Stop: the edit under way is cancelled and the queued ones are dropped; how many were."""
        self._closed = True
        dropped = len(self._queue)
        self._queue.clear()
        if self._worker is not None and not self._worker.done():
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        self._idle.set()
        if dropped:
            log.info("%s button edits dropped at stop (their acknowledgements are recorded)", dropped)
        return dropped
