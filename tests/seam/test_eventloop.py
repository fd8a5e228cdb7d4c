"""The bot runs on ``bot.eventloop.run`` (uvloop where installed): the delivery chain works on it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot import eventloop
from bot.offline.localtg import LocalTelegram
from data.store import Store
from tests.delivery_helpers import add_subscribers, drained, engine_on, queue

CHATS = list(range(75_001, 75_031))


def test_a_broadcast_is_delivered_on_the_loop_the_bot_runs_on(tmp_path: Path) -> None:
    async def scenario() -> tuple[dict[int, int], str]:
        async with LocalTelegram() as tg, await Store.open(tmp_path / "loop.db") as store:
            await add_subscribers(store, CHATS)
            await queue(store, n=3)
            async with engine_on(store, tg, rate=100.0) as engine:
                await drained(store, tg, engine, timeout=60)
            counts = {chat: len(tg.messages_for(chat)) for chat in CHATS}
        return counts, type(asyncio.get_running_loop()).__module__

    counts, loop_module = eventloop.run(scenario())
    assert loop_module.split(".")[0] == eventloop.name()  # uvloop.Loop, or asyncio's own loop
    assert counts == dict.fromkeys(CHATS, 3)
