"""The outcome policy with a fake clock, on a real outbox: what each outcome does to the row, the chat
and the rest of the delivery."""

from __future__ import annotations

from collections import deque

import pytest

from bot.delivery.acks import Acknowledgements
from bot.delivery.lanes import Item, Lane
from bot.delivery.outcomes import Outcome, SendResult
from bot.delivery.pacing import Pacer
from bot.delivery.policy import EngineStats, OutcomePolicy, Then
from data import outbox, subscribers
from data.store import Store
from tests.delivery_helpers import FakeClock, add_subscribers, queue


class Setup:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.clock = FakeClock()
        self.pacer = Pacer(30, clock=self.clock, pause_margin=0.5)
        self.acks = Acknowledgements(store, interval=60.0)  # written only when a test flushes
        self.stats = EngineStats()
        self.policy = OutcomePolicy(store, self.pacer, self.acks, self.stats, max_attempts=5, clock=self.clock)

    async def lane(self, chat_id: int) -> Lane:
        rows = await outbox.pending_between(self.store, chat_id, chat_id)
        return Lane(chat_id, deque(Item(r.id, r.broadcast_id, r.seq, r.attempts) for r in rows))

    async def rows(self, chat_id: int) -> list[tuple[int, str, int | None, str | None]]:
        """(seq, status, message id, error) of the chat's rows."""
        found = await self.store.fetchall(
            "SELECT seq, status, message_id, error FROM deliveries WHERE chat_id = ? ORDER BY broadcast_id, seq",
            (chat_id,),
        )
        return [(r[0], r[1], r[2], r[3]) for r in found]


@pytest.fixture
async def setup(store: Store) -> Setup:
    await add_subscribers(store, [1, 2, -500])
    await queue(store, n=3)
    return Setup(store)


async def test_sent_is_acknowledged_then_written_in_a_batch(setup: Setup) -> None:
    lane = await setup.lane(1)
    head = lane.items[0]
    assert await setup.policy.apply(lane, head, SendResult(Outcome.SENT, message_id=501)) is Then.CARRY_ON
    assert [i.seq for i in lane.items] == [2, 3]
    assert head.row_id in setup.acks and not setup.acks.all_written
    assert (await setup.rows(1))[0][1] == "pending"  # not written yet: a crash now resends it
    await setup.acks.flush()
    assert (await setup.rows(1))[0] == (1, "sent", 501, None)
    assert setup.acks.all_written
    info = await outbox.get_broadcast(setup.store, head.broadcast_id)
    assert info is not None and info.status == "running"


async def test_429_pauses_every_chat_and_resends_after_the_pause(setup: Setup) -> None:
    lane = await setup.lane(1)
    head = lane.items[0]
    result = SendResult(Outcome.RETRY_AFTER, retry_after=7.0)
    assert await setup.policy.apply(lane, head, result) is Then.CARRY_ON
    until = setup.clock.now + 7.0 + 0.5
    assert lane.ready_at == until and lane.items[0] is head  # the same part goes again
    assert setup.pacer.reserve(2) >= until  # every other chat waits too
    assert setup.pacer.reserve(None) >= until
    assert (await setup.rows(1))[0] == (1, "pending", None, None)  # not an attempt against it
    assert setup.stats.retry_after == 1


async def test_403_unsubscribes_and_cancels_the_chat_but_keeps_a_part_it_already_got(setup: Setup) -> None:
    lane = await setup.lane(1)
    first = lane.items[0]
    await setup.policy.apply(lane, first, SendResult(Outcome.SENT, message_id=601))  # not yet written
    second = lane.items[0]
    await setup.policy.apply(lane, second, SendResult(Outcome.GONE, error="Forbidden: bot was blocked by the user"))
    assert not lane.items
    assert await setup.rows(1) == [
        (1, "sent", 601, None),
        (2, "cancelled", None, "blocked: Forbidden: bot was blocked by the user"),
        (3, "cancelled", None, "blocked: Forbidden: bot was blocked by the user"),
    ]
    sub = await subscribers.get(setup.store, 1)
    assert sub is not None and not sub.active
    assert setup.stats.gone == 1


async def test_chat_not_found_fails_the_chat_and_keeps_the_subscription(setup: Setup) -> None:
    lane = await setup.lane(2)
    await setup.policy.apply(lane, lane.items[0], SendResult(Outcome.NOT_FOUND, error="Bad Request: chat not found"))
    assert not lane.items
    assert {status for _, status, _, _ in await setup.rows(2)} == {"failed"}
    sub = await subscribers.get(setup.store, 2)
    assert sub is not None and sub.active


async def test_migrated_group_moves_its_rows_and_reloads(setup: Setup) -> None:
    lane = await setup.lane(-500)
    result = SendResult(Outcome.MIGRATED, new_chat_id=-1000000000500)
    assert await setup.policy.apply(lane, lane.items[0], result) is Then.RELOAD
    assert not lane.items  # reloaded under the new id
    assert [seq for seq, status, _, _ in await setup.rows(-1000000000500) if status == "pending"] == [1, 2, 3]
    assert await setup.rows(-500) == []
    assert await subscribers.get(setup.store, -500) is None
    assert setup.stats.migrated == 1


async def test_content_error_asks_for_the_broadcast_to_be_aborted(setup: Setup) -> None:
    lane = await setup.lane(1)
    result = SendResult(Outcome.CONTENT, error="Bad Request: can't parse entities")
    assert await setup.policy.apply(lane, lane.items[0], result) is Then.ABORT
    assert (await setup.rows(1))[0][1] == "pending"  # the engine stops the broadcast, not the policy


async def test_an_unrecognised_400_fails_that_row_only_and_the_chat_goes_on(setup: Setup) -> None:
    lane = await setup.lane(1)
    error = "Bad Request: not enough rights to send text messages to the chat"
    assert await setup.policy.apply(lane, lane.items[0], SendResult(Outcome.REJECTED, error=error)) is Then.CARRY_ON
    assert [i.seq for i in lane.items] == [2, 3]
    assert await setup.rows(1) == [(1, "failed", None, error), (2, "pending", None, None), (3, "pending", None, None)]
    assert setup.stats.failed == 1


@pytest.mark.parametrize("outcome", [Outcome.TRANSIENT, Outcome.AMBIGUOUS])
async def test_retries_back_off_exponentially_then_fail(setup: Setup, outcome: Outcome) -> None:
    lane = await setup.lane(1)
    head = lane.items[0]
    waits = []
    for _ in range(4):
        assert await setup.policy.apply(lane, head, SendResult(outcome, error="boom")) is Then.CARRY_ON
        assert lane.items[0] is head  # resent: an ambiguous timeout too, at least once
        waits.append(lane.ready_at - setup.clock.now)
    assert waits == [1.0, 2.0, 4.0, 8.0]
    assert await setup.store.fetchval("SELECT attempts FROM deliveries WHERE id = ?", (head.row_id,)) == 4
    await setup.policy.apply(lane, head, SendResult(outcome, error="boom"))  # the fifth attempt
    assert [i.seq for i in lane.items] == [2, 3]
    assert (await setup.rows(1))[0] == (1, "failed", None, "boom")
    counted = setup.stats.ambiguous if outcome is Outcome.AMBIGUOUS else setup.stats.transient
    assert counted == 5 and setup.stats.failed == 1


async def test_fatal_halts_and_touches_nothing(setup: Setup) -> None:
    lane = await setup.lane(1)
    assert await setup.policy.apply(lane, lane.items[0], SendResult(Outcome.FATAL, error="InvalidToken")) is Then.HALT
    assert {status for _, status, _, _ in await setup.rows(1)} == {"pending"}


async def test_writing_at_once_stores_the_message_id_before_apply_returns(setup: Setup) -> None:
    acks = Acknowledgements(setup.store, interval=0.0)  # as at 100/s and below
    policy = OutcomePolicy(setup.store, setup.pacer, acks, setup.stats, max_attempts=5, clock=setup.clock)
    lane = await setup.lane(1)
    head = lane.items[0]
    assert await policy.apply(lane, head, SendResult(Outcome.SENT, message_id=777)) is Then.CARRY_ON
    assert (await setup.rows(1))[0] == (1, "sent", 777, None)
    assert acks.all_written and head.row_id not in acks
