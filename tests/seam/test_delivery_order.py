"""The engine's order of work at the HTTP seam: a group that migrates keeps its place in the
broadcast, and a paused broadcast lets later ones go. Checked on the imitation's record of
deliveries (their order, and its clock), never on how fast this machine is."""

from __future__ import annotations

from bot.offline.localtg import LocalTelegram
from data import outbox
from data.store import Store
from tests.delivery_helpers import add_subscribers, drained, engine_on, parts_received, queue, until

PARTS = [f"Phần {i} nhiệm vụ số {i}" for i in range(1, 7)]
GROUP, SUPERGROUP = -500, -1000000000500
GROUP_INTERVAL = 60 / 20 * 1.05  # the Pacer's spacing for a group (20 a minute)


async def test_a_group_that_migrates_is_not_left_to_the_end(store: Store, tg: LocalTelegram) -> None:
    """Regression: the migrated group's rows were found only when the loader's chat-id cursor came
    round to the new id, so its parts, one every 3.15 s, went out after every private chat had
    all of its own (here: after about 180 private messages). 100 private chats × 3 parts at 30/s
    take about 10 s; the group's 3 parts need 6.3 s and fit inside them."""
    private = list(range(1, 101))  # more than the engine's window of 90 chats at 30/s
    await add_subscribers(store, [GROUP, *private])
    tg.migrate(GROUP, SUPERGROUP)
    await queue(store, n=3)
    async with engine_on(store, tg, rate=30) as engine:
        await drained(store, tg, engine, timeout=60)
    assert parts_received(tg, SUPERGROUP) == PARTS[:3] and parts_received(tg, GROUP) == []
    assert all(parts_received(tg, chat) == PARTS[:3] for chat in private)
    assert tg.stats()["rate_limited_total"] == 0, tg.stats()["rate_limited"]
    assert engine.stats.migrated == 1
    sent = tg.sent
    group = [i for i, m in enumerate(sent) if m.chat_id == SUPERGROUP]
    # Its first part goes out among the first two seconds' worth of messages, not after the others...
    private_before = sum(1 for m in sent[: group[0]] if m.chat_id > 0)
    assert private_before <= 60, private_before
    # ...and its last no later than one group interval after the private chats' last part.
    last_private = max(m.at for m in sent if m.chat_id > 0)
    assert sent[group[-1]].at <= last_private + GROUP_INTERVAL


async def test_a_paused_broadcast_lets_the_next_one_go_then_resumes_in_order(store: Store, tg: LocalTelegram) -> None:
    """Regression: with broadcast #1 paused, #2 sat at "queued, 0 sent" for every chat #1 had not
    finished. Now #2 reaches every chat while #1 stays paused; on resume each chat gets the rest of
    #1 in order, and nothing twice."""
    chats = [1, 2, 3, 4]
    await add_subscribers(store, chats)
    first = await queue(store, n=6)
    async with engine_on(store, tg, rate=30) as engine:
        await tg.wait_for(lambda: all(len(tg.messages_for(c)) >= 2 for c in chats), timeout=10)
        assert await engine.pause(first.id)
        await until(lambda: engine.idle)  # what was in flight landed; nothing of #1 is loaded any more
        frozen = {chat: parts_received(tg, chat) for chat in chats}
        assert all(parts == PARTS[: len(parts)] and len(parts) < 6 for parts in frozen.values()), frozen
        correction = ["B1 đính chính", "B2 đính chính"]
        second = await queue(store, correction)
        engine.wake()
        await tg.wait_for(lambda: all(parts_received(tg, c) == [*frozen[c], *correction] for c in chats), timeout=10)
        await until(lambda: engine.idle)
        assert {chat: parts_received(tg, chat) for chat in chats} == {c: [*frozen[c], *correction] for c in chats}
        assert (await outbox.counts(store, second.id)).pending == 0
        paused = await outbox.get_broadcast(store, first.id)
        assert paused is not None and paused.status == "paused"
        assert (await outbox.counts(store, first.id)).pending == 24 - sum(len(p) for p in frozen.values())
        assert await engine.resume(first.id)
        await drained(store, tg, engine)
    for chat in chats:
        assert parts_received(tg, chat) == [*frozen[chat], *correction, *PARTS[len(frozen[chat]) :]]
    counts = await outbox.counts(store, first.id)
    assert (counts.sent, counts.pending) == (24, 0)
    assert tg.stats()["rate_limited_total"] == 0, tg.stats()["rate_limited"]
