"""The delivery chain, wired in one place for the bot, the tests and the benchmark:

Pacer → PacedRateLimiter → ExtBot on AiohttpRequest → TelegramSender → DeliveryEngine.

The bot's interactive replies go through the same ExtBot, so they share the Pacer's budget with
broadcasts; broadcast sends pass the same Pacer gate in ``TelegramSender`` and go through the same
``AiohttpRequest``, without PTB's request building, on its keep-alive JSON connections
(``bot.ptb.keepalive``; PTB's calls use its aiohttp session). The engine is made later, once the store
is open (``DeliveryChain.engine``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from telegram.ext import Defaults, ExtBot

from bot.delivery.engine import AbortHandler, DeliveryEngine, default_concurrency
from bot.delivery.pacing import Pacer
from bot.ptb.rate_limiter import PacedRateLimiter
from bot.ptb.request import AiohttpRequest
from bot.ptb.sending import TelegramSender
from data.store import Store

# Connections beyond the engine's sends in flight: replies, edits and admin notices.
SPARE_CONNECTIONS = 32


@dataclass(frozen=True, slots=True)
class DeliveryChain:
    pacer: Pacer
    bot: ExtBot[dict[str, Any]]
    rate: float  # the broadcast rate: the paid rate when paid
    paid: bool

    def engine(
        self,
        store: Store,
        *,
        on_abort: AbortHandler | None = None,
        read_timeout: float = 15.0,
        flush_interval: float | None = None,
        zone: tzinfo | None = None,
    ) -> DeliveryEngine:
        """The engine that sends broadcasts through this chain's bot (``zone``: the TIMEZONE
        setting, for the time a pressed "Đã nhận" button shows when a correction edits it)."""
        # With the pacer, broadcast sends take the sender's fast path (one JSON POST through the
        # bot's connection pool, the same gate as PacedRateLimiter's broadcast branch).
        sender = TelegramSender(self.bot, paid=self.paid, read_timeout=read_timeout, pacer=self.pacer, zone=zone)
        return DeliveryEngine(
            store,
            sender,
            self.pacer,
            rate=self.rate,
            paid=self.paid,
            on_abort=on_abort,
            flush_interval=flush_interval,
        )


def wire_delivery(
    token: str,
    *,
    base_url: str,
    base_file_url: str,
    send_rate: float,
    paid_rate: float | None = None,
    defaults: Defaults | None = None,
) -> DeliveryChain:
    """Build the Pacer and the ExtBot paced by it; ``paid_rate`` set means paid broadcasts at that
    rate (``send_rate`` then paces the rest)."""
    pacer = Pacer(send_rate, paid_rate=paid_rate)
    rate = paid_rate if paid_rate is not None else send_rate
    bot: ExtBot[dict[str, Any]] = ExtBot(
        token,
        base_url=base_url,
        base_file_url=base_file_url,
        defaults=defaults,
        rate_limiter=PacedRateLimiter(pacer),
        request=AiohttpRequest(connection_pool_size=default_concurrency(rate) + SPARE_CONNECTIONS, pool_timeout=5.0),
        get_updates_request=AiohttpRequest(connection_pool_size=1, read_timeout=30.0),
    )
    return DeliveryChain(pacer=pacer, bot=bot, rate=rate, paid=paid_rate is not None)
