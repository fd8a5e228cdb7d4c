"""bot/ptb/rate_limiter.py: a background request (a "Đã nhận" button's edit) takes a slot only when
no other interactive request is waiting for one, so replies go first; without waiters it goes at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from bot.delivery.pacing import Pacer
from bot.ptb.rate_limiter import PacedRateLimiter


def _request(done: list[str], name: str) -> Callable[[], Coroutine[Any, Any, bool]]:
    async def call() -> bool:
        done.append(name)
        return True

    return call


async def test_a_background_edit_waits_for_the_replies_already_waiting() -> None:
    limiter = PacedRateLimiter(Pacer(20, chat_interval=0.0, pause_margin=0.0))
    done: list[str] = []

    def send(name: str, chat_id: int, background: bool = False) -> asyncio.Task[object]:
        endpoint = "editMessageReplyMarkup" if background else "sendMessage"
        args = {"background": True} if background else None
        call = _request(done, name)
        return asyncio.create_task(limiter.process_request(call, (), {}, endpoint, {"chat_id": chat_id}, args))

    replies = [send(f"reply {i}", 100 + i) for i in range(6)]
    await asyncio.sleep(0)  # every reply is waiting for its slot
    edit = send("edit", 200, background=True)
    later = send("late reply", 300)  # arrives after the edit, while the others still wait
    await asyncio.wait_for(asyncio.gather(*replies, edit, later), 10)
    assert done[-1] == "edit" and set(done[:-1]) == {f"reply {i}" for i in range(6)} | {"late reply"}

    # With nobody waiting, a background request goes at once.
    done.clear()
    await asyncio.wait_for(send("alone", 201, background=True), 5)
    assert done == ["alone"]
