"""The engine on an in-process fake sender: order, cancel and abort while sends are under way, what
"idle" means, and rows a stop left behind at a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import pytest

from bot.delivery.engine import DeliveryEngine, default_flush_interval
from bot.delivery.outcomes import Outcome, SendResult
from bot.delivery.pacing import Pacer
from data import outbox
from data.store import Store
from tests.delivery_helpers import FakeSender, add_subscribers, drained, fake_engine, queue, until

TEXTS = ["một", "hai", "ba"]


async def sent_ids(store: Store) -> set[tuple[int, int]]:
    rows = await store.fetchall("SELECT chat_id, message_id FROM deliveries WHERE status = 'sent'")
    return {(r[0], r[1]) for r in rows}


def has_status(store: Store, broadcast_id: int, status: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        info = await outbox.get_broadcast(store, broadcast_id)
        return info is not None and info.status == status

    return check


async def test_every_chat_gets_every_part_in_order_once(store: Store) -> None:
    chats = list(range(1, 21))
    await add_subscribers(store, chats)
    info = await queue(store, TEXTS)
    sender = FakeSender()
    async with fake_engine(store, sender) as engine:
        await drained(store, None, engine)
    for chat in chats:
        assert sender.delivered(chat) == TEXTS
    assert [s.notify for s in sender.sends if s.chat_id == 1] == [True, False, False]  # the first part only
    assert await sent_ids(store) == sender.message_ids()  # each row has the id Telegram gave it
    counts = await outbox.counts(store, info.id)
    assert (counts.sent, counts.pending) == (60, 0)


async def test_an_unrecognised_400_skips_that_part_and_the_chat_goes_on(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    info = await queue(store, TEXTS)
    sender = FakeSender()
    sender.script(1, SendResult(Outcome.SENT, message_id=900), SendResult(Outcome.REJECTED, error="Bad Request: ?"))
    async with fake_engine(store, sender) as engine:
        await drained(store, None, engine)
    assert sender.delivered(1) == ["một", "ba"] and sender.delivered(2) == TEXTS
    counts = await outbox.counts(store, info.id)
    assert (counts.sent, counts.failed, counts.errors) == (5, 1, (("Bad Request: ?", 1),))


async def test_cancel_keeps_what_was_sent_and_what_was_in_flight(store: Store) -> None:
    """Regression: a cancel used to mark rows cancelled whose message had gone out (sent, id not yet
    written; or in flight), so their message ids were dropped and the report undercounted."""
    await add_subscribers(store, [1, 2, 3])
    info = await queue(store, TEXTS)
    sender = FakeSender()
    sender.hold(1, after=1)  # part 1 goes out; part 2 is in flight when the admin cancels
    sender.hold(3, after=1)
    sender.hold(2)  # part 1 in flight, and it will fail
    sender.script(2, SendResult(Outcome.TRANSIENT, error="502"))
    async with fake_engine(store, sender, flush_interval=60.0) as engine:  # nothing written on its own
        await sender.until(lambda: sender.waiting == {1, 2, 3})
        cancelling = asyncio.create_task(engine.cancel(info.id))
        await until(has_status(store, info.id, "cancelled"))
        for chat in (1, 2, 3):
            sender.release(chat)
        assert await cancelling
        # Right after cancel returns, as the admin's report reads it:
        counts = await outbox.counts(store, info.id)
        assert (counts.sent, counts.pending, counts.cancelled) == (4, 0, 5)
        assert await sent_ids(store) == sender.message_ids()
        await drained(store, None, engine)
    assert sender.delivered(1) == sender.delivered(3) == ["một", "hai"]
    assert len(sender.sends) == 5  # nothing went out after the cancel but what was already under way
    failed_in_flight = await store.fetchval("SELECT status FROM deliveries WHERE chat_id = 2 AND seq = 1")
    assert failed_in_flight == "cancelled"  # not left pending, not retried


async def test_abort_waits_for_sends_in_flight_before_telling_admins(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    info = await queue(store, TEXTS)
    sender = FakeSender()
    sender.hold(2)
    sender.script(1, SendResult(Outcome.CONTENT, error="Bad Request: can't parse entities"))
    reported: list[tuple[int, int, int]] = []

    async def on_abort(broadcast_id: int, reason: str) -> None:
        counts = await outbox.counts(store, broadcast_id)
        reported.append((counts.sent, counts.pending, counts.cancelled))

    async with fake_engine(store, sender, on_abort=on_abort, flush_interval=60.0) as engine:
        await sender.until(lambda: 2 in sender.waiting)
        await until(has_status(store, info.id, "aborted"))
        sender.release(2)
        await until(lambda: bool(reported))
        await drained(store, None, engine)
    assert reported == [(1, 0, 5)]  # chat 2's part 1 was in flight and is counted as sent
    assert sender.delivered(2) == ["một"] and sender.delivered(1) == []
    assert engine.stats.aborted == 1


async def test_not_idle_while_message_ids_are_being_written(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: ``idle`` was true while the last batch of message ids was still being written, so
    a caller saw a row pending after the engine said it was done."""
    await add_subscribers(store, [1])
    info = await queue(store, ["một"])
    writing, may_write = asyncio.Event(), asyncio.Event()
    mark_sent = outbox.mark_sent

    async def slow_mark_sent(store: Store, sent: Sequence[tuple[int, int]]) -> None:
        writing.set()
        await may_write.wait()
        await mark_sent(store, sent)

    monkeypatch.setattr(outbox, "mark_sent", slow_mark_sent)
    sender = FakeSender()
    async with fake_engine(store, sender) as engine:
        try:
            async with asyncio.timeout(10):
                await writing.wait()
            idle_while_writing = engine.idle
        finally:
            may_write.set()
        assert not idle_while_writing
        await until(lambda: engine.idle)
        counts = await outbox.counts(store, info.id)
        assert (counts.sent, counts.pending) == (1, 0)


async def test_rows_a_stop_left_pending_are_cancelled_at_start_not_sent(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    info = await queue(store, TEXTS)
    # As a process that died while these were in flight during a cancel leaves them:
    in_flight = {int(r[0]) for r in await store.fetchall("SELECT id FROM deliveries WHERE seq = 1")}
    assert await outbox.stop_broadcast(store, info.id, status="cancelled", reason="cancelled by admin", keep=in_flight)
    assert (await outbox.counts(store, info.id)).pending == 2
    sender = FakeSender()
    async with fake_engine(store, sender) as engine:
        await drained(store, None, engine)
    assert sender.sends == []
    counts = await outbox.counts(store, info.id)
    assert (counts.pending, counts.cancelled, counts.errors) == (0, 6, (("cancelled by admin", 6),))


async def test_stop_gives_up_on_a_send_that_never_lands_and_it_is_sent_after_a_restart(store: Store) -> None:
    """What bounds a SIGTERM: ``stop(timeout)`` waits that long for sends in flight, then cancels
    them; the row of a cancelled send stays pending, so the next start sends it."""
    await add_subscribers(store, [1, 2])
    info = await queue(store, TEXTS)
    sender = FakeSender()
    sender.hold(1, after=1)  # chat 1's second part never gets an answer
    async with fake_engine(store, sender) as engine:
        await sender.until(lambda: 1 in sender.waiting and sender.delivered(2) == TEXTS)
        async with asyncio.timeout(10):  # only if stop waited for the held send
            await engine.stop(timeout=0.05)
    assert sender.delivered(1) == ["một"]
    counts = await outbox.counts(store, info.id)
    assert (counts.sent, counts.pending) == (4, 2)  # every answered send written, the held one pending
    again = FakeSender()
    async with fake_engine(store, again) as engine:
        await drained(store, None, engine)
    assert again.delivered(1) == ["hai", "ba"] and again.delivered(2) == []


def test_acknowledgements_are_written_at_once_up_to_100_a_second_and_batched_above() -> None:
    assert default_flush_interval(25) == default_flush_interval(100) == 0.0
    assert 0.0 < default_flush_interval(1000) <= 0.025 and default_flush_interval(300) > 0.0


async def test_at_slow_rates_each_message_id_is_written_before_that_chats_next_send(store: Store) -> None:
    """Writing at once (as below 100/s): when a chat's next part is sent, its last one is already
    ``sent`` with its message id in the outbox, so a ``kill -9`` then can repeat only what was in flight."""
    chats = [1, 2, 3]
    await add_subscribers(store, chats)
    await queue(store, TEXTS)
    checked: list[tuple[int, int, int]] = []

    class CheckingSender(FakeSender):
        async def send(self, chat_id: int, html: str, *, notify: bool, ack_for: int | None = None) -> SendResult:
            answered = sum(1 for s in self.sends if s.chat_id == chat_id)
            written = await store.fetchval(
                "SELECT count(*) FROM deliveries WHERE chat_id = ? AND status = 'sent' AND message_id IS NOT NULL",
                (chat_id,),
            )
            checked.append((chat_id, answered, written))
            return await super().send(chat_id, html, notify=notify, ack_for=ack_for)

    sender = CheckingSender()
    async with fake_engine(store, sender, flush_interval=0.0) as engine:
        await drained(store, None, engine)
    assert len(checked) == 9
    assert all(answered == written for _, answered, written in checked), checked
    assert len(await sent_ids(store)) == 9


async def test_a_paused_broadcast_lets_a_later_one_go_and_resumes_in_order(store: Store) -> None:
    """Regression: a paused broadcast held back every later one for the chats it had not finished
    (they sat at "queued, 0 sent" with no reason). Paused as at a restart: the later one goes, the
    paused one waits, and on resume each chat gets the rest of it in order, nothing twice."""
    chats = [1, 2, 3]
    await add_subscribers(store, chats)
    first = await queue(store, TEXTS)
    second = await queue(store, ["đính chính 1", "đính chính 2"])
    assert await outbox.set_status(store, first.id, "paused", allowed=("queued",))
    sender = FakeSender()
    async with fake_engine(store, sender) as engine:
        await sender.until(lambda: all(sender.delivered(c) == ["đính chính 1", "đính chính 2"] for c in chats))
        await until(lambda: engine.idle)
        assert (await outbox.counts(store, second.id)).pending == 0
        assert (await outbox.counts(store, first.id)).pending == 9
        assert await engine.resume(first.id)
        await drained(store, None, engine)
    for chat in chats:
        assert sender.delivered(chat) == ["đính chính 1", "đính chính 2", *TEXTS]
    assert await sent_ids(store) == sender.message_ids()


async def test_a_migrated_group_is_loaded_under_its_new_id_at_once(store: Store) -> None:
    """Regression: the moved rows were found only when the loader's cursor came round to the new
    id (it sorts before every chat), so the group's parts, 3 s apart, came after everyone else's."""
    private = list(range(1, 21))
    await add_subscribers(store, [-500, *private])
    await queue(store, TEXTS)
    sender = FakeSender()
    sender.script(-500, SendResult(Outcome.MIGRATED, new_chat_id=-100500, error="migrated"))
    # A small window (4 chats), so the cursor is far from the new id when the group migrates.
    pacer = Pacer(1000, chat_interval=0.1, group_per_minute=200, pause_margin=0.0)
    engine = DeliveryEngine(store, sender, pacer, rate=1000, window=4, idle_poll=0.05)
    await engine.start()
    try:
        await drained(store, None, engine)
    finally:
        await engine.stop()
    assert sender.delivered(-100500) == TEXTS
    assert all(sender.delivered(c) == TEXTS for c in private)
    first_moved = next(i for i, s in enumerate(sender.sends) if s.chat_id == -100500)
    before = sum(1 for s in sender.sends[:first_moved] if s.chat_id > 0)
    # Under the old loader the new id waited for the cursor to pass all 20 chats (58 sends first).
    assert before <= 20, before
