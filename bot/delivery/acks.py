"""Acknowledgement writing: the message ids Telegram returned, written to the outbox.

A row becomes ``sent`` only here, after Telegram answered with a message id. At the rates most bots
run at (up to ``IMMEDIATE_UP_TO`` a second) each id is written as soon as it arrives, in a short
transaction shared with the ids of the same pass of the event loop (ids that arrive while one is
being written go in the next), through ``Store.write_small``, which does it on the event loop's
thread when the database is free, about 20 µs, where a hop to the writer's thread and back costs
wake-ups worth 0.1–0.3 ms. The policy
awaits ``write_now`` before the chat's lane is released, so a chat's next part is never sent before
its last one is on disk. Only at hundreds a second, where a transaction per message would cost more
than the send, are ids batched about every ``interval`` seconds. Until it is written a row is still
``pending`` in the outbox but *unwritten* here: the loader never reloads it, a cancel keeps it, and
the engine is not idle. After a crash the only rows sent twice are those in flight (and, when
batching, those acknowledged within the last interval).
"""

from __future__ import annotations

import asyncio
import logging

from data import outbox
from data.store import Store

log = logging.getLogger(__name__)

# Up to this rate every acknowledgement is written at once; above it they are batched.
IMMEDIATE_UP_TO = 100.0


def flush_interval_for(rate: float) -> float:
    """0 (each id written at once) up to ``IMMEDIATE_UP_TO`` a second; above, about 10 messages'
    worth, 25 ms at least (25 ms at 1,000/s, 50 ms at 200/s)."""
    if rate <= IMMEDIATE_UP_TO:
        return 0.0
    return max(0.025, min(0.1, 10 / rate))


class Acknowledgements:
    # After a failed write, the next attempt waits this long (a database that is locked or full
    # is not retried in a tight loop).
    RETRY_AFTER = 0.5

    def __init__(self, store: Store, *, interval: float) -> None:
        """``interval`` 0 writes each acknowledgement at once (see ``write_now``); above 0 they are
        written in batches that often."""
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
        if not self.immediate:
            # Writing at once, the caller's ``write_now`` writes it: waking ``run`` as well would
            # only cost a task switch a message to find the batch empty.
            self._new.set()

    def __contains__(self, row_id: int) -> bool:
        """True while ``row_id`` was sent but its message id is not yet in the outbox."""
        return row_id in self._unwritten

    @property
    def immediate(self) -> bool:
        return self.interval <= 0

    async def write_now(self) -> None:
        """When writing at once: return once every acknowledgement so far is stored (one short
        transaction; concurrent callers share it). When batching: nothing, the batch writes it.

        It first lets the event loop finish the pass it is in: answers that came back together
        (a group of requests is written together, and their answers often arrive in one read of
        the sockets) are then written in one transaction, not one each. That delays the write by
        no wake-up at all, only by the other answers' processing."""
        if self.immediate:
            await asyncio.sleep(0)
            await self.flush()

    @property
    def unwritten(self) -> frozenset[int]:
        return frozenset(self._unwritten)

    @property
    def all_written(self) -> bool:
        return not self._unwritten

    async def run(self) -> None:
        """Write a batch ``interval`` after the first acknowledgement of it arrived; forever. When
        writing at once, this only retries a write that failed (``RETRY_AFTER`` later)."""
        while True:
            await self._new.wait()
            if not self.immediate:
                await asyncio.sleep(self.interval)
            self._new.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("could not record sent messages; will retry")
                await asyncio.sleep(max(self.interval, self.RETRY_AFTER))

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
