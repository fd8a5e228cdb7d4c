"""bot/delivery/button_edits.py: edits made one at a time in order, the newest per key, a failed edit
does not stop the rest, and close drops what is left."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bot.delivery.button_edits import ButtonEdits


async def test_edits_are_made_one_at_a_time_in_order_and_the_newest_per_key_wins() -> None:
    edits = ButtonEdits()
    made: list[str] = []
    running = 0
    most = 0

    def edit(name: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            nonlocal running, most
            running += 1
            most = max(most, running)
            await asyncio.sleep(0)
            made.append(name)
            running -= 1

        return run

    edits.put((1, 10), edit("a1"))
    edits.put((2, 20), edit("b"))
    edits.put((1, 10), edit("a2"))  # replaces a1, still queued
    edits.put((3, 30), edit("c"))
    assert edits.pending == 3
    await asyncio.wait_for(edits.drained(), 1)
    assert made == ["b", "a2", "c"] and most == 1 and edits.done == 3
    # The worker ended with the queue; a later put starts another.
    edits.put((4, 40), edit("d"))
    await asyncio.wait_for(edits.drained(), 1)
    assert made[-1] == "d"


async def test_a_failed_edit_is_logged_and_the_next_ones_are_made(caplog: pytest.LogCaptureFixture) -> None:
    edits = ButtonEdits()
    made: list[int] = []

    async def broken() -> None:
        raise RuntimeError("400 message to edit not found")

    async def fine() -> None:
        made.append(2)

    edits.put(1, broken)
    edits.put(2, fine)
    await asyncio.wait_for(edits.drained(), 1)
    assert made == [2]
    assert "button edit 1 failed" in caplog.text


async def test_close_cancels_the_edit_under_way_and_drops_the_queued_ones() -> None:
    edits = ButtonEdits()
    started, made = asyncio.Event(), []

    async def slow() -> None:
        started.set()
        await asyncio.sleep(60)
        made.append("slow")

    async def later() -> None:
        made.append("later")

    edits.put(1, slow)
    edits.put(2, later)
    await asyncio.wait_for(started.wait(), 1)
    assert await edits.close() == 1
    edits.put(3, later)  # after close: dropped
    await asyncio.wait_for(edits.drained(), 1)
    assert made == [] and edits.pending == 0
