"""Helpers for delivery tests: the real delivery chain on the local imitation, an in-process fake
``Sender`` and a fake clock for unit tests, and outbox setup."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram.ext import ExtBot

from bot.delivery.corrections import Correction
from bot.delivery.engine import DeliveryEngine
from bot.delivery.outcomes import Outcome, SendResult
from bot.delivery.pacing import Pacer
from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram
from bot.ptb.delivery_wiring import wire_delivery
from bot.ptb.rate_limiter import PacedRateLimiter
from bot.ptb.request import AiohttpRequest
from data import bulletins, outbox, subscribers
from data.outbox import BroadcastInfo
from data.store import Store
from tests.conftest import TOKEN, sample_bulletin


async def add_subscribers(store: Store, chat_ids: list[int]) -> None:
    for chat_id in chat_ids:
        chat_type = "private" if chat_id > 0 else "group"
        await subscribers.subscribe(store, chat_id, user_id=None, chat_type=chat_type, display_name=None)


async def queue(store: Store, texts: list[str] | None = None, *, n: int = 6, admin: int | None = None) -> BroadcastInfo:
    """Queue a broadcast of the sample bulletin (or of ``texts``) for every active subscriber."""
    bulletin_id, _ = await bulletins.add(store, sample_bulletin())
    if texts is None:
        texts = [f"<b>Phần {i}</b> nhiệm vụ số {i}" for i in range(1, n + 1)]
    messages = [(i, t) for i, t in enumerate(texts, 1)]
    return await outbox.create_broadcast(store, bulletin_id, messages, requested_by=admin, admin_chat_id=admin)


def parts_received(tg: LocalTelegram, chat_id: int) -> list[str]:
    return [html_to_plain(m.text or "") for m in tg.messages_for(chat_id)]


@asynccontextmanager
async def engine_on(
    store: Store,
    tg: LocalTelegram,
    *,
    rate: float = 30.0,
    paid: bool = False,
    read_timeout: float = 15.0,
    on_abort: Callable[[int, str], Awaitable[None]] | None = None,
) -> AsyncIterator[DeliveryEngine]:
    """The engine as the bot wires it, sending to the imitation ``tg``."""
    chain = wire_delivery(
        TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url, send_rate=rate, paid_rate=rate if paid else None
    )
    async with chain.bot:
        engine = chain.engine(store, read_timeout=read_timeout, on_abort=on_abort)
        await engine.start()
        try:
            yield engine
        finally:
            await engine.stop()


async def drained(store: Store, tg: LocalTelegram | None, engine: DeliveryEngine, timeout: float = 30.0) -> None:
    """Wait until nothing is pending in the outbox and the engine has nothing in memory."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if engine.idle and not await outbox.any_pending(store):
            return
        await asyncio.sleep(0.05)
    limited = tg.stats()["rate_limited"] if tg is not None else None
    raise TimeoutError(f"outbox not drained; engine stats {engine.stats}, tg {limited}")


async def until(predicate: Callable[[], Awaitable[bool] | bool], timeout: float = 10.0) -> None:
    """Poll ``predicate`` (sync or async) until it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if await value if isinstance(value, Awaitable) else value:
            return
        await asyncio.sleep(0.01)
    raise TimeoutError("condition not met")


@asynccontextmanager
async def fake_engine(
    store: Store,
    sender: FakeSender,
    *,
    on_abort: Callable[[int, str], Awaitable[None]] | None = None,
    flush_interval: float | None = None,
) -> AsyncIterator[DeliveryEngine]:
    """The engine on an in-process sender, paced fast (1,000/s, 10 ms per chat) so tests are quick."""
    pacer = Pacer(1000, chat_interval=0.01, pause_margin=0.0)
    engine = DeliveryEngine(
        store, sender, pacer, rate=1000, idle_poll=0.05, flush_interval=flush_interval, on_abort=on_abort
    )
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True, slots=True)
class Send:
    chat_id: int
    html: str
    notify: bool
    result: SendResult
    ack_for: int | None = None  # the broadcast its "Đã nhận" button acknowledges, None: no button


class FakeSender:
    """An in-process ``Sender``: answers SENT with a fresh message id unless told otherwise.

    ``script(chat_id, *results)`` queues the answers for a chat's next sends; ``hold(chat_id, after=n)``
    keeps that chat's sends after its first ``n`` in flight until ``release(chat_id)``. Every answered
    send is in ``sends``.
    """

    def __init__(self) -> None:
        self.sends: list[Send] = []
        self.corrections: list[tuple[int, str, Correction, SendResult]] = []
        self.waiting: set[int] = set()  # chats with a send held in flight right now
        self._scripts: dict[int, deque[SendResult]] = defaultdict(deque)
        self._gates: dict[int, tuple[int, asyncio.Event]] = {}
        self._ids = itertools.count(1)
        self.changed = asyncio.Event()

    def script(self, chat_id: int, *results: SendResult) -> None:
        self._scripts[chat_id].extend(results)

    def hold(self, chat_id: int, after: int = 0) -> None:
        self._gates[chat_id] = (after, asyncio.Event())

    def release(self, chat_id: int) -> None:
        self._gates.pop(chat_id)[1].set()

    async def send(self, chat_id: int, html: str, *, notify: bool, ack_for: int | None = None) -> SendResult:
        after, gate = self._gates.get(chat_id, (0, None))
        if gate is not None and sum(1 for s in self.sends if s.chat_id == chat_id) >= after:
            self.waiting.add(chat_id)
            self._changed()
            await gate.wait()
            self.waiting.discard(chat_id)
        script = self._scripts.get(chat_id)
        result = script.popleft() if script else SendResult(Outcome.SENT, message_id=next(self._ids))
        self.sends.append(Send(chat_id, html, notify, result, ack_for))
        self._changed()
        return result

    async def correct(self, chat_id: int, html: str, correction: Correction) -> SendResult:
        """A correction's row (``Sender.correct``): answered as a send is (scripted or SENT, here
        with the target's message id), recorded in ``corrections``."""
        script = self._scripts.get(chat_id)
        result = script.popleft() if script else SendResult(Outcome.SENT, message_id=correction.target_message_id)
        self.corrections.append((chat_id, html, correction, result))
        self._changed()
        return result

    def delivered(self, chat_id: int) -> list[str]:
        return [s.html for s in self.sends if s.chat_id == chat_id and s.result.outcome is Outcome.SENT]

    def message_ids(self) -> set[tuple[int, int]]:
        """(chat id, message id) of every send answered SENT."""
        return {(s.chat_id, s.result.message_id) for s in self.sends if s.result.message_id is not None}

    async def until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait (on sends, not on time) until ``predicate()`` holds."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self.changed.clear()
                await self.changed.wait()

    def _changed(self) -> None:
        self.changed.set()


def one_connection_bot(tg: LocalTelegram, pacer: Pacer) -> ExtBot[dict[str, Any]]:
    """A bot paced by ``pacer`` whose pool has one connection and gives up on it after 0.1 s: a send
    that is delivered and never answered holds it, and the next send cannot get a connection."""
    return ExtBot(
        TOKEN,
        base_url=tg.base_url,
        base_file_url=tg.base_file_url,
        request=AiohttpRequest(connection_pool_size=1, connect_timeout=0.1, pool_timeout=0.1),
        rate_limiter=PacedRateLimiter(pacer),
    )
