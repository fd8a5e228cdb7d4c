"""A 429 lowers the rate the bot paces at for a while, and the admin's progress message says so."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Coroutine
from typing import Any

from bot.offline.localtg import LocalTelegram
from data.store import Store
from tests.conftest import ADMIN
from tests.delivery_helpers import add_subscribers, drained, engine_on, queue

PACING = re.compile(r"pacing at (\d+\.\d)/(\d+(?:\.\d+)?)")


async def test_a_429_storm_lowers_the_rate_in_use_shown_to_the_admin(
    tg: LocalTelegram, bot_factory: Callable[..., Any]
) -> None:
    tg.configure(flood_ban=True)  # a send during the pause would be counted as ignoring it
    chats = list(range(72_001, 72_041))
    async with bot_factory(tg) as bot:
        await add_subscribers(bot.store, chats)

        def paces() -> list[tuple[float, float]]:
            """(rate in use, limit) of every edit of the admin's progress message, in order."""
            found = []
            for edit in tg.edits:
                match = PACING.search(edit.text or "") if edit.chat_id == ADMIN else None
                if match and "Đã gửi · sent: <b>" in (edit.text or ""):
                    found.append((float(match[1]), float(match[2])))
            return found

        await bot.publish("seed-2021-10-haiphong.txt")
        await bot.until(paces, timeout=30)  # the broadcast is running and the progress shows the pacing
        before, limit = paces()[0]
        assert limit == bot.settings.send_rate
        assert 0.9 * limit <= before <= limit  # unloaded: the limit less a small guard
        seen = len(paces())
        tg.storm(retry_after=1, requests=3)

        def lowered() -> bool:
            return any(rate <= 0.85 * before for rate, _ in paces()[seen:])

        await bot.until(lowered, timeout=30)
        # every subscriber still gets every part, and nothing exceeded a limit or ignored the pause
        await bot.until(lambda: all(len(tg.messages_for(c)) == 6 for c in chats), timeout=60)
        limited = tg.stats()["rate_limited"]
        assert limited["storm"] == 3
        assert {k: v for k, v in limited.items() if k not in ("storm", "in_flight")} == dict.fromkeys(
            ("global", "paid", "per_chat", "group", "ignored_retry_after"), 0
        )


async def test_a_stalling_event_loop_does_not_push_arrivals_over_the_limits(store: Store, tg: LocalTelegram) -> None:
    # The imitation runs in the same event loop: a stall right after requests were written delays
    # their arrival, and they arrive together with the ones sent after it. That is what a loaded
    # machine does to a bot's requests on their way to Telegram, which counts arrivals.
    chats = list(range(73_001, 73_061))
    await add_subscribers(store, chats)
    await queue(store, n=3)
    async with engine_on(store, tg, rate=30.0) as engine:
        slots = engine._pacer.free
        gated = asyncio.Event()
        start = slots.start

        def started() -> None:
            start()
            gated.set()

        slots.start = started  # type: ignore[method-assign]

        async def stalls() -> None:
            while True:
                gated.clear()
                await gated.wait()  # requests just passed the gate and were written
                time.sleep(0.3)  # noqa: ASYNC251 - the stimulus: the loop is blocked (a CPU hog)
                await asyncio.sleep(1.7)

        await drained_beside(store, tg, engine, stalls())
    assert_all_got_three_within_limits(tg, chats)


async def test_a_receiver_that_stalls_does_not_see_more_than_the_limit(store: Store, tg: LocalTelegram) -> None:
    # Telegram counts arrivals. A server that stops handling requests for a while (a garbage
    # collection, a busy front end) and then handles what arrived meanwhile stamps those requests
    # together with the ones that follow: counted by when they left, a second of sends plus the
    # stall land in one second there. Counted by when their answers came, they cannot.
    chats = list(range(74_001, 74_061))
    await add_subscribers(store, chats)
    await queue(store, n=3)
    async with engine_on(store, tg, rate=30.0) as engine:

        async def stalls() -> None:
            while True:
                await asyncio.sleep(0.7)
                tg.stall(0.12)

        await drained_beside(store, tg, engine, stalls())
    assert_all_got_three_within_limits(tg, chats)


async def drained_beside(store: Store, tg: LocalTelegram, engine: Any, stimulus: Coroutine[Any, Any, None]) -> None:
    """Drain the outbox while ``stimulus`` runs beside the engine; stop it after."""
    task = asyncio.create_task(stimulus)
    try:
        await drained(store, tg, engine, timeout=120)
    finally:
        task.cancel()


def assert_all_got_three_within_limits(tg: LocalTelegram, chats: list[int]) -> None:
    assert all(len(tg.messages_for(c)) == 3 for c in chats)
    limited = tg.stats()["rate_limited"]
    assert {k: limited[k] for k in ("global", "per_chat", "ignored_retry_after")} == dict.fromkeys(
        ("global", "per_chat", "ignored_retry_after"), 0
    )
