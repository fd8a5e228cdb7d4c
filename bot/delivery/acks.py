"""Acknowledgement flushing: the message ids Telegram returned, written to the outbox in batches.

A row becomes ``sent`` only here, after Telegram answered with a message id. Writing one
transaction per message would cost more than the send itself at slow rates, so ids are written
about every ``interval`` seconds. Until then the row is still ``pending`` in the outbox but is
*unwritten* here: the loader never reloads it, a cancel keeps it, and the engine is not idle.
After a crash the only rows sent twice are those in flight or acknowledged within the last interval.
"""

from __future__ import annotations

import asyncio
import logging

from data import outbox
from data.store import Store

log = logging.getLogger(__name__)


class Acknowledgements:
    def __init__(self, store: Store, *, interval: float) -> None:
        self._store = store
        self.interval = interval
        self._batch: list[tuple[int, int]] = []  # (row id, message id) not yet handed to the store
        self._unwritten: set[int] = set()  # row ids in the batch or in a write still under way
        self._new = asyncio.Event()
        self._writing = asyncio.Lock()
        self._sent_in: set[int] = set()  # broadcasts with at least one message sent
        self._marked_running: set[int] = set()

    def add(self, row_id: int, message_id: int, broadcast_id: int) -> None:
        self._batch.append((row_id, message_id))
        self._unwritten.add(row_id)
        self._sent_in.add(broadcast_id)
        self._new.set()

    def __contains__(self, row_id: int) -> bool:
        """True while ``row_id`` was sent but its message id is not yet in the outbox."""
        return row_id in self._unwritten

    @property
    def unwritten(self) -> frozenset[int]:
        return frozenset(self._unwritten)

    @property
    def all_written(self) -> bool:
        return not self._unwritten

    async def run(self) -> None:
        """Write a batch ``interval`` after the first acknowledgement of it arrived; forever."""
        while True:
            await self._new.wait()
            await asyncio.sleep(self.interval)
            self._new.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("could not record sent messages; will retry")

    async def flush(self) -> None:
        """Write every acknowledgement so far; returns once they, and any write under way, are stored."""
        async with self._writing:
            if not self._batch:
                return
            batch, self._batch = self._batch, []
            try:
                await outbox.mark_sent(self._store, batch)
            except BaseException:
                self._batch[:0] = batch  # keep them for the next attempt
                self._new.set()
                raise
            for row_id, _ in batch:
                self._unwritten.discard(row_id)
            for broadcast_id in self._sent_in - self._marked_running:
                self._marked_running.add(broadcast_id)
                await outbox.mark_running(self._store, broadcast_id)
