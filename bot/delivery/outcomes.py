"""What can happen to one message sent to one chat, in Telegram-free terms (telegram-bot-api.md §2.4)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY_AFTER = "retry_after"  # 429: pause everything, then resend
    GONE = "gone"  # 403 blocked / deactivated / kicked: unsubscribe, cancel the rest
    MIGRATED = "migrated"  # group became a supergroup: move and resend
    NOT_FOUND = "not_found"  # 400 chat not found: fail this chat's rows
    CONTENT = "content"  # 400 can't parse entities / too long: every chat would fail, abort
    TRANSIENT = "transient"  # 5xx, connection refused, pool timeout: back off and retry
    AMBIGUOUS = "ambiguous"  # timed out after the request was sent: may have been delivered
    FATAL = "fatal"  # invalid token, conflict: stop sending altogether


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    message_id: int | None = None
    retry_after: float = 0.0
    new_chat_id: int | None = None
    error: str = ""


class Sender(Protocol):
    """Sends one HTML message to one chat and says what happened; never raises for API errors."""

    async def send(self, chat_id: int, html: str, *, notify: bool) -> SendResult: ...


class Notifier(Protocol):
    """Tells admins about broadcasts (progress message, final report, alerts)."""

    async def post(self, chat_id: int, html: str) -> int | None: ...

    async def edit(self, chat_id: int, message_id: int, html: str) -> None: ...
