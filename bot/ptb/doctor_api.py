"""The doctor's two Bot API calls (getMe, getWebhookInfo) through PTB's ``Bot``, behind
bot/services/doctor.py's ``BotApi`` protocol, with short timeouts and no token in any error."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.ptb.request import AiohttpRequest
from bot.services.doctor import BotIdentity, TelegramUnavailable, WebhookFacts

TIMEOUT = 5.0  # seconds, per connect and per read: the doctor is asked by a person waiting


class PtbBotApi:
    """``async with PtbBotApi(...) as api``; every failure is a one-line :class:`TelegramUnavailable`."""

    def __init__(
        self, token: str, *, base_url: str, redact: Callable[[str], str], rejected: Callable[[InvalidToken], str]
    ) -> None:
        request = AiohttpRequest(connection_pool_size=2, read_timeout=TIMEOUT, connect_timeout=TIMEOUT)
        self._request = request
        self._bot = Bot(token, base_url=base_url, request=request, get_updates_request=request)
        self._base_url = base_url
        self._redact = redact
        self._rejected = rejected

    async def __aenter__(self) -> PtbBotApi:
        await self._request.initialize()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._request.shutdown()

    def _unavailable(self, exc: TelegramError) -> TelegramUnavailable:
        if isinstance(exc, InvalidToken):
            return TelegramUnavailable(self._redact(self._rejected(exc)))
        if isinstance(exc, NetworkError):  # TimedOut included
            return TelegramUnavailable(
                self._redact(f"cannot reach the Telegram Bot API at {self._base_url}: {exc.message}")
            )
        return TelegramUnavailable(self._redact(f"Telegram answered: {exc.message}"))

    async def get_me(self) -> BotIdentity:
        try:
            user = await self._bot.get_me()
        except TelegramError as exc:
            raise self._unavailable(exc) from None
        return BotIdentity(user.id, user.username or user.first_name)

    async def get_webhook_info(self) -> WebhookFacts:
        try:
            info = await self._bot.get_webhook_info()
        except TelegramError as exc:
            raise self._unavailable(exc) from None
        return WebhookFacts(info.url, info.pending_update_count, info.last_error_date, info.last_error_message)
