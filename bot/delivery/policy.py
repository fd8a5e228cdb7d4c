"""Outcome policy: what one send's outcome does to its row, its chat and the rest of the delivery.

- SENT: the message id is acknowledged (written at once, or in the next batch at hundreds a
  second, see ``acks``).
- RETRY_AFTER (429): *all* sending pauses until ``retry_after`` + margin (the Pacer's deadline only
  moves later); the message is resent after the pause.
- GONE (403 blocked, deactivated, kicked): the chat is unsubscribed and its remaining rows
  cancelled; no retries.
- NOT_FOUND (400 chat not found): the chat's remaining rows fail; the subscription is kept.
- MIGRATED: the chat's rows move to the new supergroup id; the engine loads them there at once
  (the group keeps its place in the broadcast) and resends.
- CONTENT (400 can't parse entities, too long): every chat would fail the same way, so the engine
  aborts the broadcast and tells the admins.
- REJECTED (any other 400): this row fails, with Telegram's description; the chat goes on.
- TRANSIENT (5xx, network) and AMBIGUOUS (timed out after sending): retried with exponential
  backoff, ``max_attempts`` in all. An ambiguous timeout may have been delivered; it is resent
  anyway, because a missing task hurts a reporter more than a repeated one (counted in
  ``stats.ambiguous``).
- FATAL (invalid token, conflict): the engine stops sending.

Before a chat's rows are cancelled, failed or moved, the acknowledgements are flushed, so a part
that chat already received is recorded as sent, not swept up with the rest.
"""

from __future__ import annotations

import enum
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from bot.delivery.acks import Acknowledgements
from bot.delivery.lanes import Item, Lane
from bot.delivery.outcomes import Outcome, SendResult
from bot.delivery.pacing import Clock, Pacer
from data import corrections, outbox
from data.store import Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class EngineStats:
    """Counters since start, for logs, tests and benchmarks."""

    sent: int = 0
    retry_after: int = 0
    gone: int = 0
    migrated: int = 0
    transient: int = 0
    ambiguous: int = 0
    failed: int = 0  # rows given up after max_attempts, or refused with an unrecognised 400
    aborted: int = 0
    max_in_flight: int = 0
    sent_by_broadcast: dict[int, int] = field(default_factory=lambda: defaultdict(int))


class Then(enum.Enum):
    """What the engine does next, beyond this row and this chat."""

    CARRY_ON = "carry_on"
    RELOAD = "reload"  # the chat's rows moved to another chat id: load that chat now
    ABORT = "abort"  # stop this broadcast for every chat
    HALT = "halt"  # stop sending altogether


class OutcomePolicy:
    def __init__(
        self,
        store: Store,
        pacer: Pacer,
        acks: Acknowledgements,
        stats: EngineStats,
        *,
        max_attempts: int,
        clock: Clock,
    ) -> None:
        self._store = store
        self._pacer = pacer
        self._acks = acks
        self._stats = stats
        self._max_attempts = max_attempts
        self._clock = clock

    async def apply(self, lane: Lane, item: Item, result: SendResult) -> Then:
        """Record ``result`` for ``item`` (the head of ``lane``) and set when the lane may go again."""
        outcome = result.outcome
        stats = self._stats
        if outcome is Outcome.SENT:
            assert result.message_id is not None
            if result.note is not None:  # a correction done otherwise than planned: say how
                await corrections.set_outcome(self._store, item.row_id, result.note)
            self._acks.add(item.row_id, result.message_id, item.broadcast_id)
            lane.pop(item)
            stats.sent += 1
            stats.sent_by_broadcast[item.broadcast_id] += 1
            # At slow rates the id is on disk before the lane (and its next part) may go on.
            await self._acks.write_now()
        elif outcome is Outcome.RETRY_AFTER:
            stats.retry_after += 1
            lane.ready_at = self._pacer.pause(result.retry_after)
            log.warning(
                "429 from Telegram: all sending paused for %.1f s",
                result.retry_after,
                extra={"chat_id": lane.chat_id, "broadcast_id": item.broadcast_id, "retry_after": result.retry_after},
            )
        elif outcome is Outcome.GONE:
            stats.gone += 1
            await self._drop_chat(lane, f"blocked: {result.error}", unsubscribe=True)
        elif outcome is Outcome.NOT_FOUND:
            await self._drop_chat(lane, result.error, unsubscribe=False)
        elif outcome is Outcome.MIGRATED and result.new_chat_id is not None:
            stats.migrated += 1
            await self._acks.flush()
            await outbox.move_chat(self._store, lane.chat_id, result.new_chat_id)
            log.info(
                "chat %s moved to %s",
                lane.chat_id,
                result.new_chat_id,
                extra={"chat_id": lane.chat_id, "new_chat_id": result.new_chat_id},
            )
            lane.items.clear()  # its rows now belong to the new id and are reloaded from there
            return Then.RELOAD
        elif outcome is Outcome.CONTENT:
            return Then.ABORT
        elif outcome is Outcome.REJECTED:
            stats.failed += 1
            await outbox.mark_failed(self._store, item.row_id, result.error)
            lane.pop(item)
            log.warning(
                "chat %s refused part %s of broadcast %s: %s",
                lane.chat_id,
                item.seq,
                item.broadcast_id,
                result.error,
                extra={
                    "chat_id": lane.chat_id,
                    "broadcast_id": item.broadcast_id,
                    "seq": item.seq,
                    "outcome": "rejected",
                },
            )
        elif outcome is Outcome.FATAL:
            return Then.HALT
        else:  # TRANSIENT, AMBIGUOUS (and a MIGRATED without a new id)
            await self._retry_later(lane, item, result)
        return Then.CARRY_ON

    async def cancel_stopped(self, lane: Lane, item: Item, reason: str) -> None:
        """``item``'s broadcast was stopped while it was being sent, and it did not go out: cancel
        its row, which the stop left pending because it was in flight."""
        await outbox.cancel_row(self._store, item.row_id, reason)
        lane.pop(item)

    async def _drop_chat(self, lane: Lane, reason: str, *, unsubscribe: bool) -> None:
        await self._acks.flush()
        await outbox.drop_chat(self._store, lane.chat_id, reason=reason, deactivate=unsubscribe)
        lane.items.clear()

    async def _retry_later(self, lane: Lane, item: Item, result: SendResult) -> None:
        if result.outcome is Outcome.AMBIGUOUS:
            self._stats.ambiguous += 1
        else:
            self._stats.transient += 1
        item.attempts += 1
        error = result.error or result.outcome.value
        if item.attempts >= self._max_attempts:
            self._stats.failed += 1
            await outbox.mark_failed(self._store, item.row_id, error)
            lane.pop(item)
            return
        await outbox.note_attempt(self._store, item.row_id, error)
        lane.ready_at = self._clock() + min(30.0, 0.5 * 2**item.attempts)
