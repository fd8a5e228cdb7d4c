"""What can happen to one message sent to one chat, in Telegram-free terms.

The adapter (``bot.ptb.sending.classify``) maps Telegram's answers onto these; the engine's policy
(``bot.delivery.policy``) says what each one does. Telegram's error answers are described at
https://core.telegram.org/bots/api#making-requests and in PTB's wiki page "Exceptions, Warnings and
Logging" (https://github.com/python-telegram-bot/python-telegram-bot/wiki/Exceptions,-Warnings-and-Logging).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from bot.delivery.corrections import Correction


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY_AFTER = "retry_after"  # 429: pause everything, then resend
    GONE = "gone"  # 403 blocked / deactivated / kicked: unsubscribe, cancel the chat's rows
    MIGRATED = "migrated"  # group became a supergroup: move its rows to the new id and resend
    NOT_FOUND = "not_found"  # 400 chat/user not found: fail the chat's rows, keep the subscription
    CONTENT = "content"  # 400 can't parse entities / too long: every chat would fail, abort
    # Any other 400: Telegram refused this one message for this chat, for a reason we do not know.
    # A 400 fails the same way on a retry, and we cannot tell whether it concerns the chat or the
    # text, so only this row fails (with Telegram's description, shown in the final report) and
    # the chat's next part is tried as usual.
    REJECTED = "rejected"
    TRANSIENT = "transient"  # 5xx, network error, timed out before sending: back off and retry
    AMBIGUOUS = "ambiguous"  # timed out after the request was sent: may have been delivered
    FATAL = "fatal"  # invalid token, conflict: stop sending altogether


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    message_id: int | None = None
    retry_after: float = 0.0
    new_chat_id: int | None = None
    error: str = ""
    # A correction's SENT: what was done when it differed from the plan (``corrections.NOT_MODIFIED``,
    # ``corrections.EDITED_INSTEAD``); None for as planned.
    note: str | None = None


class Sender(Protocol):
    """Sends one HTML message to one chat and says what happened; never raises for API errors.

    ``ack_for`` not None: the message carries the "Đã nhận · Received" button acknowledging that
    broadcast (a plain id; the Telegram side builds the keyboard, see ``bot.ptb.sending``)."""

    async def send(self, chat_id: int, html: str, *, notify: bool, ack_for: int | None = None) -> SendResult: ...

    async def correct(self, chat_id: int, html: str, correction: Correction) -> SendResult:
        """Carry out a correction's row: edit the message into ``html``, delete it (or edit it into
        ``html``, the withdrawn notice, where it cannot), or reply to it with ``html``. SENT with the
        message id (the edited or deleted one, or the reply's) and a ``note`` when it differed."""
        ...


class Notifier(Protocol):
    """Tells admins about broadcasts (progress message, final report, alerts)."""

    async def post(self, chat_id: int, html: str) -> int | None: ...

    async def edit(self, chat_id: int, message_id: int, html: str) -> None: ...
