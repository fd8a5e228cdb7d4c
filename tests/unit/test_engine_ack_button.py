"""The engine sends the "Đã nhận" button where the outbox says: a bulletin's last part, a reminder's
one part (naming the original broadcast), and again on a resend after a restart."""

from __future__ import annotations

from data import acks, outbox
from data.store import Store
from tests.delivery_helpers import FakeSender, add_subscribers, drained, fake_engine, queue, until

TEXTS = ["một", "hai", "ba"]


async def test_only_the_last_part_goes_with_the_button(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    info = await queue(store, TEXTS)
    sender = FakeSender()
    async with fake_engine(store, sender) as engine:
        await drained(store, None, engine)
    for chat in (1, 2):
        assert [(s.html, s.ack_for) for s in sender.sends if s.chat_id == chat] == [
            ("một", None),
            ("hai", None),
            ("ba", info.id),
        ]


async def test_a_last_part_resent_after_a_restart_still_carries_it(store: Store) -> None:
    await add_subscribers(store, [1])
    info = await queue(store, TEXTS)
    first = FakeSender()
    first.hold(1, after=2)  # the last part is in flight when the bot stops: it stays pending
    async with fake_engine(store, first):
        await until(lambda: 1 in first.waiting)
    assert (await outbox.counts(store, info.id)).sent == 2
    second = FakeSender()
    async with fake_engine(store, second) as engine:
        await drained(store, None, engine)
    assert [(s.html, s.ack_for) for s in second.sends] == [("ba", info.id)]


async def test_a_reminder_carries_the_originals_button(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    info = await queue(store, TEXTS)
    sender = FakeSender()
    async with fake_engine(store, sender) as engine:
        await drained(store, None, engine)
        await acks.record(store, info.id, 1)
        reminder = await acks.queue_reminder(store, info.id, "nhắc", requested_by=None, admin_chat_id=None)
        assert reminder is not None and reminder.queued
        engine.wake()
        await drained(store, None, engine)
    sends = [(s.chat_id, s.html, s.ack_for, s.notify) for s in sender.sends if s.html == "nhắc"]
    assert sends == [(2, "nhắc", info.id, True)]
