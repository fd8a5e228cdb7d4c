"""The Telegram side of delivery: PTB exceptions → outcomes, admin notices, and the rate limiter.

This is the one place where the delivery engine meets python-telegram-bot; the engine itself only
sees ``Sender`` / ``Notifier`` and ``SendResult``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import BaseRateLimiter, ExtBot

from bot.delivery.outcomes import Outcome, SendResult
from bot.delivery.pacing import Pacer

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# Every chat would fail the same way on these: stop the broadcast instead (reference §2.4).
_CONTENT_ERRORS = (
    "can't parse entities",
    "message is too long",
    "text is too long",
    "entities_too_long",
    "message text is empty",
    "text must be non-empty",
)
_NOT_FOUND = ("chat not found", "user not found", "peer_id_invalid")
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
    }
)
BROADCAST = {"broadcast": True}


def retry_seconds(exc: RetryAfter) -> float:
    """``RetryAfter.retry_after`` is an int in PTB 22 and a timedelta with PTB_TIMEDELTA."""
    value: object = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)  # type: ignore[arg-type]


def classify(exc: Exception) -> SendResult:
    """Map a PTB exception to what the engine should do (telegram-bot-api.md §2)."""
    text = str(exc)
    low = text.lower()
    if isinstance(exc, RetryAfter):
        return SendResult(Outcome.RETRY_AFTER, retry_after=retry_seconds(exc), error=text)
    if isinstance(exc, ChatMigrated):
        return SendResult(Outcome.MIGRATED, new_chat_id=int(exc.new_chat_id), error=text)
    if isinstance(exc, Forbidden):
        return SendResult(Outcome.GONE, error=text)
    if isinstance(exc, InvalidToken | Conflict):
        return SendResult(Outcome.FATAL, error=type(exc).__name__)
    if isinstance(exc, BadRequest):  # before NetworkError: BadRequest subclasses it
        if any(marker in low for marker in _CONTENT_ERRORS):
            return SendResult(Outcome.CONTENT, error=text)
        if any(marker in low for marker in _NOT_FOUND):
            return SendResult(Outcome.NOT_FOUND, error=text)
        return SendResult(Outcome.NOT_FOUND, error=text)
    if isinstance(exc, TimedOut):
        # A pool timeout never left this process; any other timeout may have been delivered.
        if "pool timeout" in low or "not* sent" in low or "not sent" in low:
            return SendResult(Outcome.TRANSIENT, error="pool timeout")
        return SendResult(Outcome.AMBIGUOUS, error="timed out")
    if isinstance(exc, NetworkError | TelegramError):
        return SendResult(Outcome.TRANSIENT, error=text[:200])
    return SendResult(Outcome.TRANSIENT, error=type(exc).__name__)


class TelegramSender:
    """Sends broadcast messages through PTB (and so through the shared rate limiter)."""

    def __init__(self, bot: ExtBot[Any], *, paid: bool = False, read_timeout: float = 15.0) -> None:
        self._bot = bot
        self._paid = paid
        # A longer read timeout makes the ambiguous "sent but no answer" case rarer (PTB #1045).
        self._read_timeout = read_timeout

    async def send(self, chat_id: int, html: str, *, notify: bool) -> SendResult:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": html,
            "parse_mode": ParseMode.HTML.value,
            "disable_notification": not notify,
            "link_preview_options": {"is_disabled": True},
        }
        if self._paid:
            params["allow_paid_broadcast"] = True
        try:
            # The engine needs only the message id, so skip building a full PTB Message (about a
            # quarter of PTB's CPU per send). Bot API method names are case-insensitive; the
            # lower-case name keeps PTB from suggesting send_message() instead.
            result = await self._bot.do_api_request(
                "sendmessage",
                api_kwargs=params,
                read_timeout=self._read_timeout,
                rate_limit_args=BROADCAST,
            )
        except Exception as exc:
            return classify(exc)
        if not isinstance(result, dict) or not isinstance(result.get("message_id"), int):
            return SendResult(Outcome.TRANSIENT, error="unexpected answer to sendMessage")
        return SendResult(Outcome.SENT, message_id=result["message_id"])


class TelegramNotifier:
    """Admin-facing messages about broadcasts: the progress message, reports and alerts."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def post(self, chat_id: int, html: str) -> int | None:
        try:
            message = await self._bot.send_message(
                chat_id, html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
            )
        except TelegramError as exc:
            log.warning("could not post to admin chat %s: %s", chat_id, type(exc).__name__)
            return None
        return message.message_id

    async def edit(self, chat_id: int, message_id: int, html: str) -> None:
        try:
            await self._bot.edit_message_text(html, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                log.warning("could not edit progress message in %s: %s", chat_id, exc)
        except TelegramError as exc:
            log.warning("could not edit progress message in %s: %s", chat_id, type(exc).__name__)


class PacedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """PTB rate limiter over our Pacer, so replies and broadcasts share one token budget.

    Replies to users go through the same overall and per-chat pacing; on a 429 they wait the pause
    out and try again (twice at most). Broadcast sends (``rate_limit_args={"broadcast": True}``)
    get the 429 back, so the engine can requeue the message and account for it.
    """

    def __init__(self, pacer: Pacer, *, interactive_retries: int = 2) -> None:
        self._pacer = pacer
        self._retries = interactive_retries

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
            # The engine already took this message's slot; the gate is the last check before the
            # request is written (a pause that started meanwhile, the rolling second).
            await self._pacer.gate(_chat_id(data), paid=bool(data.get("allow_paid_broadcast")))
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self._pacer.pause(retry_seconds(exc))
                raise
        chat_id = _chat_id(data) if endpoint in _CHAT_SENDS else None
        attempt = 0
        while True:
            if endpoint in _CHAT_SENDS:
                await self._pacer.acquire(chat_id, paid=False)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self._pacer.pause(retry_seconds(exc))
                attempt += 1
                if attempt > self._retries:
                    raise
                log.info("429 on %s; retrying after the pause", endpoint)


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
