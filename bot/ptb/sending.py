"""The Telegram side of delivery: PTB exceptions → outcomes, the broadcast sender and admin notices.

This is the one place where the delivery engine meets python-telegram-bot; the engine itself only
sees ``Sender`` / ``Notifier`` and ``SendResult``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from datetime import timedelta, tzinfo
from http import HTTPStatus
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot
from yarl import URL

from bot.delivery.corrections import EDITED_INSTEAD, NOT_MODIFIED, Correction, parse_utc
from bot.delivery.outcomes import Outcome, SendResult
from bot.delivery.pacing import Pacer
from bot.delivery.when import DEFAULT_ZONE, resolve_zone
from bot.ptb.errors import is_not_modified
from bot.ptb.request import AiohttpRequest, TimedOutBeforeSending
from bot.texts.acks import ACK_BUTTON, acked_button

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
# The start of a successful sendMessage answer, as Telegram writes it: the message id without
# parsing the whole message (anything else is parsed as JSON).
_SENT_HEAD = re.compile(rb'\{"ok":true,"result":\{"message_id":(\d+)[,}]')


def ack_data(broadcast_id: int) -> str:
    """The callback data of the "Đã nhận" button: it names the broadcast and nothing else, so a
    press is understood months later, after any restart (``handlers.acks.ACK`` reads it back;
    at most 64 bytes: https://core.telegram.org/bots/api#inlinekeyboardbutton)."""
    return f"ack:got:{broadcast_id}"


def ack_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    """The one-button keyboard under a bulletin's last part (or a reminder) acknowledging ``broadcast_id``."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(ACK_BUTTON, callback_data=ack_data(broadcast_id))]])


def acked_keyboard(broadcast_id: int, hhmm: str) -> InlineKeyboardMarkup:
    """The button once pressed ("Đã nhận lúc 08:12"), with the same data: what an edit of the part
    keeps (``handlers.acks`` turns the button into it on a press)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(acked_button(hhmm), callback_data=ack_data(broadcast_id))]])


# deleteMessage refused because the message is too old (48 h) or otherwise not deletable
# (https://core.telegram.org/bots/api#deletemessage): a retract then edits it into the notice.
_CANNOT_DELETE = "message can't be deleted"


# The fast path's reply_markup field, but for the broadcast id: the same JSON PTB writes for ``ack_keyboard``.
_ACK_MARKUP = (
    b',"reply_markup":{"inline_keyboard":[[{"text":'
    + json.dumps(ACK_BUTTON, ensure_ascii=False).encode()
    + b',"callback_data":"ack:got:%d"}]]}'
)


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


def answer_error(status: int, payload: bytes) -> TelegramError:
    """The exception PTB raises for a non-2xx answer to ``Bot.do_api_request`` on an initialized bot.

    The same steps as ``telegram.request.BaseRequest._request_wrapper`` (PTB 22.8): Telegram's
    ``description``, then ``parameters`` (``migrate_to_chat_id``, ``retry_after``:
    https://core.telegram.org/bots/api#responseparameters), then the HTTP status; and as
    ``Bot.do_api_request``, a 401/404 becomes ``EndPointNotFound``. So the fast path's answers go
    through ``classify`` exactly as the PTB path's do (``tests/seam/test_sending_fastpath.py``
    compares the two on every kind of answer).
    """
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    try:
        data = json.loads(payload.decode("utf-8", "replace"))
    except ValueError:
        data = None
        message += f". Parsing the server response {payload!r} failed"
    if isinstance(data, dict):
        message = data.get("description") or message
        parameters = data.get("parameters")
        if parameters:
            migrate_to_chat_id = parameters.get("migrate_to_chat_id")
            if migrate_to_chat_id:
                return ChatMigrated(migrate_to_chat_id)
            retry_after = parameters.get("retry_after")
            if retry_after:
                return RetryAfter(retry_after)
            message += f". The server response contained unknown parameters: {parameters}"
    elif data is not None:  # JSON, but not an object: PTB fails reading it
        return NetworkError(f"Unknown error in HTTP implementation: {type(data).__name__} answer")
    if status == HTTPStatus.FORBIDDEN:
        return Forbidden(message)
    if status in (HTTPStatus.NOT_FOUND, HTTPStatus.UNAUTHORIZED):
        return EndPointNotFound("Endpoint 'sendMessage' not found in Bot API")
    if status == HTTPStatus.BAD_REQUEST:
        return BadRequest(message)
    if status == HTTPStatus.CONFLICT:
        return Conflict(message)
    return NetworkError(message)


class TelegramSender:
    """Sends broadcast messages, paced by the shared Pacer.

    With the ``pacer`` and a bot on ``AiohttpRequest`` (as ``delivery_wiring`` builds it), a send
    is one JSON POST on the bot request's keep-alive connections (``AiohttpRequest.post_json``,
    ``bot.ptb.keepalive``): the Pacer's gate is passed right before
    the request is written and a 429 pauses it, as ``PacedRateLimiter`` does for a broadcast send;
    the body is pre-encoded (the JSON of each part's text is made once, not once per chat) and only
    ``ok``/``result.message_id`` or the error fields are read from the answer. PTB's request
    building and ``Message`` parsing cost more CPU than the rest of a send (about 0.3 ms a message
    here, with the form encoding of a Vietnamese text). Every answer is classified as PTB would raise
    it (``answer_error`` → ``classify``). Without a pacer, it sends through ``Bot.do_api_request``
    and so through the bot's rate limiter.
    """

    # Parts of broadcasts in flight whose text JSON is kept; far more than a window ever holds.
    TEXT_CACHE = 256

    def __init__(
        self,
        bot: ExtBot[Any],
        *,
        paid: bool = False,
        read_timeout: float = 15.0,
        pacer: Pacer | None = None,
        zone: tzinfo | None = None,
    ) -> None:
        self._bot = bot
        # The time an acknowledged button shows, kept when a correction edits that part.
        self._zone = zone if zone is not None else resolve_zone(DEFAULT_ZONE)
        self._paid = paid
        # A longer read timeout makes the ambiguous "sent but no answer" case rarer (PTB #1045).
        self._read_timeout = read_timeout
        self._pacer = pacer
        request = bot.request
        self._request = request if pacer is not None and isinstance(request, AiohttpRequest) else None
        # Holds the token: never logged, never put in an error. Parsed once, not on every send.
        self._url = URL(f"{bot.base_url}/sendMessage")
        self._urls = {m: URL(f"{bot.base_url}/{m}") for m in ("sendMessage", "editMessageText", "deleteMessage")}
        self._texts: dict[str, bytes] = {}
        paid_field = b',"allow_paid_broadcast":true' if paid else b""
        fixed = b',"parse_mode":"HTML","link_preview_options":{"is_disabled":true}' + paid_field
        self._tails = {
            True: b',"disable_notification":false' + fixed + b"}",
            False: b',"disable_notification":true' + fixed + b"}",
        }

    @property
    def fast(self) -> bool:
        """True when sends skip PTB's request machinery (see the class docstring)."""
        return self._request is not None

    async def send(self, chat_id: int, html: str, *, notify: bool, ack_for: int | None = None) -> SendResult:
        if self._request is None:
            return await self._send_through_ptb(chat_id, html, notify=notify, ack_for=ack_for)
        assert self._pacer is not None
        body = self.body(chat_id, html, notify=notify, ack_for=ack_for)
        try:
            # The engine already took this message's slot; the gate is the last check before the
            # request is written (a pause that started meanwhile, the rolling second), and the
            # answer's time is what the rolling second counts.
            try:
                async with self._pacer.sending(chat_id, paid=self._paid):
                    status, payload = await self._request.post_json(self._url, body, read_timeout=self._read_timeout)
            except TelegramError:
                raise
            except Exception as exc:  # as PTB's request wrapper reports a backend failure
                raise NetworkError(f"Unknown error in HTTP implementation: {exc!r}") from exc
        except Exception as exc:
            return classify(exc)
        if not 200 <= status <= 299:
            error = answer_error(status, payload)
            if isinstance(error, RetryAfter):  # as PacedRateLimiter: pause all, shrink the rate in use
                self._pacer.congested(retry_seconds(error), paid=self._paid)
            return classify(error)
        head = _SENT_HEAD.match(payload)
        if head is not None:  # Telegram's answer starts so; the message itself is not needed
            return SendResult(Outcome.SENT, message_id=int(head[1]))
        try:
            answer = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            return classify(TelegramError("Invalid server response"))
        result = answer.get("result") if isinstance(answer, dict) else None
        message_id = result.get("message_id") if isinstance(result, dict) else None
        if not isinstance(message_id, int):
            return SendResult(Outcome.TRANSIENT, error="unexpected answer to sendMessage")
        return SendResult(Outcome.SENT, message_id=message_id)

    def body(self, chat_id: int, html: str, *, notify: bool, ack_for: int | None = None) -> bytes:
        """The fast path's sendMessage request, as JSON: the same fields as the PTB path's."""
        markup = b"" if ack_for is None else _ACK_MARKUP % ack_for
        return b'{"chat_id":%d,"text":%s%s%s' % (chat_id, self._text_json(html), markup, self._tails[notify])

    def _text_json(self, html: str) -> bytes:
        """``html`` as a JSON string, encoded once per part (a broadcast sends the same few texts to
        every chat). UTF-8 as is, not escaped: Telegram reads JSON bodies as UTF-8."""
        encoded = self._texts.get(html)
        if encoded is None:
            if len(self._texts) >= self.TEXT_CACHE:
                self._texts.clear()
            encoded = self._texts[html] = json.dumps(html, ensure_ascii=False).encode()
        return encoded

    async def _send_through_ptb(
        self, chat_id: int, html: str, *, notify: bool, ack_for: int | None = None
    ) -> SendResult:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": html,
            "parse_mode": ParseMode.HTML.value,
            "disable_notification": not notify,
            "link_preview_options": {"is_disabled": True},
        }
        if self._paid:
            params["allow_paid_broadcast"] = True
        if ack_for is not None:
            params["reply_markup"] = ack_keyboard(ack_for).to_dict()
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

    # -- corrections (issue 12.4) ---------------------------------------------------------------
    async def correct(self, chat_id: int, html: str, correction: Correction) -> SendResult:
        """Edit, delete or reply to the message ``correction`` names (see ``Sender.correct``).

        Telegram's answers (https://core.telegram.org/bots/api#editmessagetext, #deletemessage):
        "message is not modified" means the message already shows this, so it is done (note
        ``NOT_MODIFIED``); "message to edit/delete not found" fails the row with that description
        (REJECTED, never retried); a retract whose message is too old to delete, or whose delete is
        refused ("message can't be deleted"), edits it into ``html`` instead (note
        ``EDITED_INSTEAD``); 429, 403, 5xx and network errors are classified as for a send."""
        target = correction.target_message_id
        if correction.action == "reply":
            params = self._message_params(chat_id, html)
            params["disable_notification"] = False
            # The notice answers the task's message; if the reader deleted it, it still goes.
            params["reply_parameters"] = {"message_id": target, "allow_sending_without_reply": True}
            answer, failed = await self._call(chat_id, "sendMessage", params)
            if failed is not None:
                return failed
            message_id = answer.get("message_id") if isinstance(answer, dict) else None
            if not isinstance(message_id, int):
                return SendResult(Outcome.TRANSIENT, error="unexpected answer to sendMessage")
            return SendResult(Outcome.SENT, message_id=message_id)
        if correction.action == "edit":
            return await self._edit(chat_id, html, correction)
        if correction.action != "delete":
            return SendResult(Outcome.REJECTED, error=f"unknown correction {correction.action!r}")
        if correction.deletable:
            _, failed = await self._call(chat_id, "deleteMessage", {"chat_id": chat_id, "message_id": target})
            if failed is None:
                return SendResult(Outcome.SENT, message_id=target)
            if _CANNOT_DELETE not in failed.error.lower():
                return failed
            # A second request to this chat: it takes a slot of its own, as any message does.
            await self._next_slot(chat_id)
        edited = await self._edit(chat_id, html, correction)
        return replace(edited, note=EDITED_INSTEAD) if edited.outcome is Outcome.SENT else edited

    async def _edit(self, chat_id: int, html: str, correction: Correction) -> SendResult:
        params = self._message_params(chat_id, html)
        params["message_id"] = correction.target_message_id
        if correction.ack_for is not None:  # the part's button stays, pressed or not
            if correction.acked_at is not None:
                hhmm = parse_utc(correction.acked_at).astimezone(self._zone).strftime("%H:%M")
                params["reply_markup"] = acked_keyboard(correction.ack_for, hhmm).to_dict()
            else:
                params["reply_markup"] = ack_keyboard(correction.ack_for).to_dict()
        _, failed = await self._call(chat_id, "editMessageText", params)
        if failed is None:
            return SendResult(Outcome.SENT, message_id=correction.target_message_id)
        if failed.outcome is Outcome.REJECTED and "message is not modified" in failed.error.lower():
            return SendResult(Outcome.SENT, message_id=correction.target_message_id, note=NOT_MODIFIED)
        return failed

    def _message_params(self, chat_id: int, html: str) -> dict[str, Any]:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": html,
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": {"is_disabled": True},
        }
        return params

    async def _next_slot(self, chat_id: int) -> None:
        if self._pacer is not None:
            await self._pacer.acquire(chat_id, paid=self._paid)

    async def _call(self, chat_id: int, method: str, params: dict[str, Any]) -> tuple[object, SendResult | None]:
        """One Bot API call for a correction: (the answer's result, None), or (None, the failure
        classified as for a send). Paced as a send: the slot is taken, the gate is passed here."""
        if self._paid and method == "sendMessage":
            params["allow_paid_broadcast"] = True
        if self._request is None:
            try:
                result = await self._bot.do_api_request(
                    method.lower(), api_kwargs=params, read_timeout=self._read_timeout, rate_limit_args=BROADCAST
                )
            except Exception as exc:
                return None, classify(exc)
            return result, None
        assert self._pacer is not None
        body = json.dumps(params, ensure_ascii=False).encode()
        try:
            try:
                async with self._pacer.sending(chat_id, paid=self._paid):
                    status, payload = await self._request.post_json(
                        self._urls[method], body, read_timeout=self._read_timeout
                    )
            except TelegramError:
                raise
            except Exception as exc:  # as PTB's request wrapper reports a backend failure
                raise NetworkError(f"Unknown error in HTTP implementation: {exc!r}") from exc
        except Exception as exc:
            return None, classify(exc)
        if not 200 <= status <= 299:
            error = answer_error(status, payload)
            if isinstance(error, RetryAfter):
                self._pacer.congested(retry_seconds(error), paid=self._paid)
            return None, classify(error)
        try:
            answer = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            return None, classify(TelegramError("Invalid server response"))
        if not isinstance(answer, dict) or not answer.get("ok"):
            return None, SendResult(Outcome.TRANSIENT, error=f"unexpected answer to {method}")
        return answer.get("result"), None


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
