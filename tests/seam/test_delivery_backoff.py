"""A 429 lowers the rate the bot paces at for a while, and the admin's progress message says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.offline.localtg import LocalTelegram
from tests.conftest import ADMIN
from tests.delivery_helpers import add_subscribers

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
