"""The Telegram side of delivery: PTB exceptions → outcomes, the broadcast sender and admin notices.

This is the one place where the delivery engine meets python-telegram-bot; the engine itself only
sees ``Sender`` / ``Notifier`` and ``SendResult``.
"""

from __future__ import annotations

import logging
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
from telegram.ext import ExtBot

from bot.delivery.outcomes import Outcome, SendResult
from bot.ptb.errors import is_not_modified
from bot.ptb.request import TimedOutBeforeSending

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# 400s that the text causes: every chat would fail the same way, so the broadcast stops.
_CONTENT_ERRORS = (
    "can't parse entities",
    "message is too long",
    "text is too long",
    "entities_too_long",
    "message text is empty",
    "text must be non-empty",
)
# 400s that say the chat cannot be reached at all: its rows fail, in every broadcast.
_NOT_FOUND = ("chat not found", "user not found", "peer_id_invalid")
BROADCAST = {"broadcast": True}


def retry_seconds(exc: RetryAfter) -> float:
    """``RetryAfter.retry_after`` is an int in PTB 22 and a timedelta with PTB_TIMEDELTA."""
    value: object = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)  # type: ignore[arg-type]


def classify(exc: Exception) -> SendResult:
    """Map a PTB exception to what the engine should do (``Outcome`` says what each one means).

    By type, as PTB maps Telegram's answers (https://core.telegram.org/bots/api#making-requests;
    PTB wiki "Exceptions, Warnings and Logging"): 429 ``RetryAfter``, ``ChatMigrated``, 403
    ``Forbidden``, 401/404 ``InvalidToken``, 409 ``Conflict``, 400 ``BadRequest`` (told apart by
    Telegram's description, which is all a 400 carries), and the network errors. The order matters:
    ``BadRequest`` and ``TimedOut`` are ``NetworkError`` subclasses.
    """
    text = str(exc)
    if isinstance(exc, RetryAfter):
        return SendResult(Outcome.RETRY_AFTER, retry_after=retry_seconds(exc), error=text)
    if isinstance(exc, ChatMigrated):
        return SendResult(Outcome.MIGRATED, new_chat_id=int(exc.new_chat_id), error=text)
    if isinstance(exc, Forbidden):
        return SendResult(Outcome.GONE, error=text)
    if isinstance(exc, InvalidToken | Conflict):
        return SendResult(Outcome.FATAL, error=type(exc).__name__)
    if isinstance(exc, BadRequest):
        return _classify_bad_request(text)
    if isinstance(exc, TimedOutBeforeSending):  # never left this process: a plain retry
        return SendResult(Outcome.TRANSIENT, error="timed out before sending")
    if isinstance(exc, TimedOut):  # the request was written: Telegram may have delivered it
        return SendResult(Outcome.AMBIGUOUS, error="timed out")
    if isinstance(exc, NetworkError | TelegramError):
        return SendResult(Outcome.TRANSIENT, error=text[:200])
    return SendResult(Outcome.TRANSIENT, error=type(exc).__name__)


def _classify_bad_request(text: str) -> SendResult:
    low = text.lower()
    if any(marker in low for marker in _CONTENT_ERRORS):
        return SendResult(Outcome.CONTENT, error=text)
    if any(marker in low for marker in _NOT_FOUND):
        return SendResult(Outcome.NOT_FOUND, error=text)
    return SendResult(Outcome.REJECTED, error=text)


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
            if not is_not_modified(exc):
                log.warning("could not edit progress message in %s: %s", chat_id, exc)
        except TelegramError as exc:
            log.warning("could not edit progress message in %s: %s", chat_id, type(exc).__name__)
