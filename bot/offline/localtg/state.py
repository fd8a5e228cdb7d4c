"""Data kept by the local Telegram imitation: what was delivered, per-chat state, files and faults.

Everything here is plain data owned by one ``LocalTelegram`` instance (no module-level state). The
per-chat structures use ``__slots__`` because a benchmark may create 100k chats.
"""

from __future__ import annotations

import hashlib
import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BLOCK_KINDS",
    "ApiError",
    "CallbackAnswer",
    "ChatState",
    "EditRecord",
    "Faults",
    "InlineAnswer",
    "MsgState",
    "SentMessage",
    "StoredFile",
    "chain_digest",
    "chat_type_for",
    "sequence_hash",
    "text_digest",
]

# kind -> (HTTP status, description), strings as the real Bot API server produces them.
BLOCK_KINDS: dict[str, tuple[int, str]] = {
    "blocked": (403, "Forbidden: bot was blocked by the user"),
    "deactivated": (403, "Forbidden: user is deactivated"),
    "kicked": (403, "Forbidden: bot was kicked from the group chat"),
    "not_found": (400, "Bad Request: chat not found"),
}


def text_digest(text: str | None) -> str:
    """sha1 of the text (as the bot sent it, markup included), first 8 hex digits."""
    return hashlib.sha1((text or "").encode("utf-8")).hexdigest()[:8]


def chain_digest(seq_hash: str, digest: str) -> str:
    return hashlib.sha1(f"{seq_hash}{digest}".encode("ascii")).hexdigest()[:16]


def sequence_hash(texts: Iterable[str | None]) -> str:
    """The ``seq_hash`` a chat ends up with after receiving ``texts`` in this order."""
    seq_hash = ""
    for text in texts:
        seq_hash = chain_digest(seq_hash, text_digest(text))
    return seq_hash


def chat_type_for(chat_id: int) -> str:
    """Telegram's id conventions: users are positive, supergroups/channels are -100…, basic groups -…."""
    if chat_id > 0:
        return "private"
    if str(chat_id).startswith("-100"):
        return "supergroup"
    return "group"


class ApiError(Exception):
    """An error response. ``html`` bodies imitate the nginx pages Telegram's front end returns on 5xx."""

    def __init__(
        self,
        status: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        *,
        html: bool = False,
        kind: str | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        self.html = html
        # For 429s: which limit fired (global, paid, per_chat, group, storm, in_flight, ignored_retry_after).
        self.kind = kind


@dataclass(slots=True)
class SentMessage:
    """One message the bot got delivered (sendMessage / sendDocument). ``text`` is what the bot sent
    (raw markup; the caption for documents); ``at`` is ``time.monotonic()`` at delivery."""

    chat_id: int
    message_id: int
    text: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    disable_notification: bool
    allow_paid_broadcast: bool
    method: str
    at: float
    seq: int = 0  # global delivery order, 1-based; the ``since`` cursor of the control API
    digest: str = ""  # sha1(text)[:8], kept even when texts are not recorded
    file_id: str | None = None  # sendDocument only
    reply_to_message_id: int | None = None  # the message it replies to (reply_parameters), if any


@dataclass(slots=True)
class EditRecord:
    """A successful editMessageText / editMessageReplyMarkup."""

    method: str
    chat_id: int | None
    message_id: int | None
    inline_message_id: str | None
    text: str | None
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    at: float


@dataclass(slots=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    at: float


@dataclass(slots=True)
class InlineAnswer:
    inline_query_id: str
    results: list[dict[str, Any]]
    cache_time: int | None
    is_personal: bool
    next_offset: str | None
    button: dict[str, Any] | None
    at: float


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str | None
    mime_type: str | None
    content: bytes


class MsgState:
    """Current content of one message in a chat: enough to answer edits ("not modified") and to rebuild
    the message for a simulated callback. ``text`` is None when texts are not recorded."""

    __slots__ = (
        "content_hash",
        "date",
        "digest",
        "from_bot",
        "markup_hash",
        "parse_mode",
        "reply_markup",
        "text",
    )

    def __init__(
        self,
        *,
        date: int,
        from_bot: bool,
        text: str | None,
        parse_mode: str | None,
        reply_markup: dict[str, Any] | None,
        digest: str,
        content_hash: int = 0,
        markup_hash: int = 0,
    ) -> None:
        self.date = date
        self.from_bot = from_bot
        self.text = text
        self.parse_mode = parse_mode
        self.reply_markup = reply_markup
        self.digest = digest
        # hash((text, parse_mode)) and hash of the markup JSON: enough for "message is not modified"
        # without keeping the text when texts are not recorded.
        self.content_hash = content_hash
        self.markup_hash = markup_hash


class ChatState:
    """Per-chat counters. Kept small on purpose: one of these exists for every chat ever addressed."""

    __slots__ = (
        "chat_id",
        "group_times",
        "last_send",
        "messages",
        "next_message_id",
        "sent_count",
        "seq_hash",
        "type",
        "violations",
    )

    def __init__(self, chat_id: int) -> None:
        self.chat_id = chat_id
        self.type = chat_type_for(chat_id)
        self.next_message_id = 1
        self.last_send: float | None = None
        # Only groups need a rolling window; private chats only need the last send time.
        self.group_times: deque[float] | None = None if self.type == "private" else deque()
        self.violations = 0
        # Bot messages delivered here and a hash over their texts in order (see sequence_hash): lets a
        # benchmark verify content and order for 100k chats without keeping any text.
        self.sent_count = 0
        self.seq_hash = ""
        self.messages: dict[int, MsgState] = {}

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def take_message_id(self) -> int:
        # Message ids are per chat and shared by both sides of the conversation, as in Telegram.
        mid = self.next_message_id
        self.next_message_id = mid + 1
        return mid

    def chat_dict(self) -> dict[str, Any]:
        if self.type == "private":
            return {"id": self.chat_id, "type": "private", "first_name": "User"}
        return {"id": self.chat_id, "type": self.type, "title": f"Chat {self.chat_id}"}


@dataclass
class Faults:
    """Injected failures; ``LocalTelegram.reset_faults()`` replaces this with a fresh instance."""

    blocked: dict[int, str] = field(default_factory=dict)
    migrated: dict[int, int] = field(default_factory=dict)
    fail_next: int = 0
    fail_next_status: int = 502
    error_rate: float = 0.0
    error_status: int = 502
    rng: random.Random = field(default_factory=random.Random)
    storm_left: int = 0
    storm_retry_after: int = 3
    delay: float = 0.0
    stall_until: float = 0.0  # time.monotonic() until which no request is handled (see ``stall``)
    drop_left: int = 0
    drop_mode: str = "hang"

    def describe(self) -> dict[str, Any]:
        return {
            "blocked": {str(k): v for k, v in self.blocked.items()},
            "migrated": {str(k): v for k, v in self.migrated.items()},
            "fail_next": self.fail_next,
            "fail_next_status": self.fail_next_status,
            "error_rate": self.error_rate,
            "error_status": self.error_status,
            "storm_left": self.storm_left,
            "storm_retry_after": self.storm_retry_after,
            "delay": self.delay,
            "drop_left": self.drop_left,
            "drop_mode": self.drop_mode,
        }
