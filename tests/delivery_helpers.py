"""Helpers for delivery tests: a PTB bot + engine wired to the local imitation, and outbox setup."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import ExtBot

from bot.delivery.engine import DeliveryEngine
from bot.delivery.pacing import Pacer
from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram
from bot.ptb.rate_limiter import PacedRateLimiter
from bot.ptb.request import AiohttpRequest
from bot.ptb.sending import TelegramSender
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
    **engine_args: Any,
) -> AsyncIterator[DeliveryEngine]:
    pacer = Pacer(rate, paid_rate=rate if paid else None)
    bot: ExtBot[None] = ExtBot(
        TOKEN,
        base_url=tg.base_url,
        base_file_url=tg.base_file_url,
        rate_limiter=PacedRateLimiter(pacer),
        request=AiohttpRequest(connection_pool_size=300),
    )
    async with bot:
        engine = DeliveryEngine(
            store,
            TelegramSender(bot, paid=paid, read_timeout=read_timeout),
            pacer,
            rate=rate,
            paid=paid,
            on_abort=on_abort,
            **engine_args,
        )
        await engine.start()
        try:
            yield engine
        finally:
            await engine.stop()


async def drained(store: Store, tg: LocalTelegram, engine: DeliveryEngine, timeout: float = 30.0) -> None:
    """Wait until nothing is pending in the outbox and the engine has nothing in memory."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if engine.idle and not await outbox.any_pending(store):
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"outbox not drained; engine stats {engine.stats}, tg {tg.stats()['rate_limited']}")
