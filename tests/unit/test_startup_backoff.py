"""bot.ptb.startup: the back-off's delays, and which start-up failures are waited out and which are not.

The application is a small stand-in exposing what ``wait_for_telegram`` touches (``initialize`` and
``bot.shutdown``); the real process against a real imitation is tests/process/test_startup_wait.py.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import pytest
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.ptb.startup import Backoff, wait_for_telegram

FAST = Backoff(first=0.01, cap=0.04)


class FakeBot:
    def __init__(self) -> None:
        self.shutdowns = 0

    async def shutdown(self) -> None:
        self.shutdowns += 1


class FakeApp:
    """``initialize`` raises the queued outcomes in turn, then succeeds (or hangs if ``hang``)."""

    def __init__(self, *outcomes: BaseException, hang: bool = False) -> None:
        self.outcomes = list(outcomes)
        self.attempts = 0
        self.hang = hang
        self.bot = FakeBot()
        self.initialized = False

    async def initialize(self) -> None:
        self.attempts += 1
        if self.outcomes:
            raise self.outcomes.pop(0)
        if self.hang:
            await asyncio.Event().wait()
        self.initialized = True


async def wait(app: FakeApp, stop: asyncio.Event | None = None, backoff: Backoff = FAST) -> bool:
    fake: Any = app
    return await wait_for_telegram(fake, stop or asyncio.Event(), backoff=backoff, rng=random.Random(7))


def test_delays_double_from_one_second_up_to_a_minute_less_a_jitter() -> None:
    delays = Backoff().delays(random.Random(1))
    got = [next(delays) for _ in range(10)]
    for delay, base in zip(got, [1, 2, 4, 8, 16, 32, 60, 60, 60, 60], strict=True):
        assert 0.8 * base <= delay <= base
    assert len(set(got[6:])) == 4  # jittered: restarted bots do not knock in step


async def test_network_errors_and_5xx_are_retried_with_one_line_each(caplog: pytest.LogCaptureFixture) -> None:
    app = FakeApp(NetworkError("httpx.ConnectError: All connection attempts failed"), NetworkError("Bad Gateway"))
    with caplog.at_level(logging.INFO, logger="bot.ptb.startup"):
        assert await wait(app)
    assert app.initialized and app.attempts == 3 and app.bot.shutdowns == 0
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("Telegram unreachable (httpx.ConnectError: All connection attempts failed), retrying in")
    assert lines[1].startswith("Telegram unreachable (Bad Gateway), retrying in 0.0")
    assert lines[2] == "Telegram reachable again after 3 attempts"


async def test_a_timeout_is_retried_and_a_first_success_says_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.ptb.startup"):
        assert await wait(FakeApp())
        assert caplog.records == []
        assert await wait(FakeApp(TimedOut()))
    assert "Telegram unreachable (Timed out), retrying in" in caplog.records[0].getMessage()


async def test_flood_control_waits_at_least_as_long_as_telegram_says(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.ptb.startup"):
        assert await wait(FakeApp(RetryAfter(1)))
    assert caplog.records[0].getMessage() == "Telegram unreachable (flood control, retry after 1 s), retrying in 1.0 s"


@pytest.mark.parametrize("error", [InvalidToken("rejected"), BadRequest("Bad Request: something")])
async def test_a_rejected_token_or_another_answer_fails_at_once(error: Exception) -> None:
    app = FakeApp(error)
    with pytest.raises(type(error)):
        await wait(app)
    assert app.attempts == 1 and app.bot.shutdowns == 1  # sessions closed on the way out


async def test_stop_while_a_request_hangs_or_while_waiting_returns_false_at_once() -> None:
    stop = asyncio.Event()
    app = FakeApp(hang=True)
    task = asyncio.create_task(wait(app, stop))
    await asyncio.sleep(0.05)
    assert not task.done() and app.attempts == 1
    stop.set()
    assert await asyncio.wait_for(task, timeout=5) is False
    assert app.bot.shutdowns == 1 and not app.initialized

    stop = asyncio.Event()
    app = FakeApp(NetworkError("down"))
    task = asyncio.create_task(wait(app, stop, backoff=Backoff(first=3600)))  # an hour's wait
    await asyncio.sleep(0.05)
    stop.set()
    assert await asyncio.wait_for(task, timeout=5) is False
    assert app.attempts == 1 and app.bot.shutdowns == 1

    already = asyncio.Event()
    already.set()
    app = FakeApp()
    assert await wait(app, already) is False and app.attempts == 0
