"""A PTB rate limiter over the Pacer, so interactive replies and broadcasts share one budget."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.delivery.pacing import Pacer
from bot.ptb.sending import retry_seconds

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
# Methods that put a message in a chat and so count against the per-chat and overall limits.
_CHAT_SENDS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",  # a delete counts as an edit does (the local imitation enforces it)
    }
)


class PacedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """PTB rate limiter over our Pacer, so replies and broadcasts share one token budget.

    Replies to users go through the same overall and per-chat pacing; on a 429 they wait the pause
    out and try again (twice at most). Every 429, a reply's or a broadcast's, also lowers the rate in
    use for a while (``Pacer.congested``). Broadcast sends (``rate_limit_args={"broadcast": True}``)
    get the 429 back, so the engine can requeue the message and account for it.

    Requests made with ``rate_limit_args={"background": True}`` (the "Đã nhận" buttons' edits,
    ``bot.delivery.button_edits``) are interactive too, but yield: one takes a slot only when no
    other interactive request is waiting for one, so a reply never queues behind them.
    """

    def __init__(self, pacer: Pacer, *, interactive_retries: int = 2) -> None:
        self._pacer = pacer
        self._retries = interactive_retries
        self._waiting = 0  # interactive (not background) requests waiting for a slot
        self._none_waiting = asyncio.Event()
        self._none_waiting.set()

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | JSONDict | list[JSONDict]:
        broadcast = bool(rate_limit_args and rate_limit_args.get("broadcast"))
        if broadcast:
            paid = bool(data.get("allow_paid_broadcast"))
            # The engine already took this message's slot; the gate is the last check before the
            # request is written (a pause that started meanwhile, the rolling second).
            try:
                async with self._pacer.sending(_chat_id(data), paid=paid):
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                # Pause everything and shrink the rate in use of this budget (AIMD, see pacing).
                self._pacer.congested(retry_seconds(exc), paid=paid)
                raise
        chat_id = _chat_id(data) if endpoint in _CHAT_SENDS else None
        background = bool(rate_limit_args and rate_limit_args.get("background"))
        attempt = 0
        while True:
            try:
                if endpoint not in _CHAT_SENDS:
                    return await callback(*args, **kwargs)
                await self._slot(chat_id, background)
                async with self._pacer.sending(chat_id):
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self._pacer.congested(retry_seconds(exc))
                attempt += 1
                if attempt > self._retries:
                    raise
                log.info("429 on %s; retrying after the pause", endpoint)

    async def _slot(self, chat_id: int | None, background: bool) -> None:
        """Wait for an interactive request's slot; a background one first waits until no other
        interactive request is waiting (the check and the reservation have no await between them)."""
        if background:
            while self._waiting:
                await self._none_waiting.wait()
            await self._pacer.acquire(chat_id, paid=False)
            return
        self._waiting += 1
        self._none_waiting.clear()
        try:
            await self._pacer.acquire(chat_id, paid=False)
        finally:
            self._waiting -= 1
            if not self._waiting:
                self._none_waiting.set()


def _chat_id(data: dict[str, Any]) -> int | None:
    value = data.get("chat_id")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None
