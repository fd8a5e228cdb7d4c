"""A local imitation of the Telegram Bot API, served over real HTTP with aiohttp.

The console mode, the end-to-end tests and the broadcast benchmarks point python-telegram-bot at this
server (``base_url`` / ``base_file_url``) instead of api.telegram.org. It speaks the same envelopes and
error strings as the real server, enforces Telegram's flood limits (see ``limits``), can inject the
failures a broadcast must survive (blocked users, migrated groups, 5xx, 429 storms, latency, responses
lost after delivery), and records everything the bot did so tests can assert on it.

Everything lives on one ``LocalTelegram`` instance; importing the module has no side effects.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import os
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from .htmltext import HtmlParseError, parse_html, utf16_len
from .limits import FloodControl, Limits, Violation
from .state import (
    BLOCK_KINDS,
    ApiError,
    CallbackAnswer,
    ChatState,
    EditRecord,
    Faults,
    InlineAnswer,
    MsgState,
    SentMessage,
    StoredFile,
    chain_digest,
    chat_type_for,
    text_digest,
)
from .webhook import WebhookPost, WebhookPusher, valid_secret

__all__ = ["LocalTelegram"]

_log = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")

# What the Bot API answers to getUpdates while a webhook is set (HTTP 409).
_USE_DELETE_WEBHOOK = "use deleteWebhook to delete the webhook first"
_WEBHOOK_ACTIVE = f"Conflict: can't use getUpdates method while webhook is active; {_USE_DELETE_WEBHOOK}"
# Update types delivered when allowed_updates is not set (Bot API default excludes these three).
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

_NGINX_PAGES = {
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}

SendCallback = Callable[[SentMessage], object]
PHOTO_LIMIT = 10 * 1024 * 1024  # sendPhoto: "The photo must be at most 10 MB in size"
_PNG = b"\x89PNG\r\n\x1a\n"


def image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG (its IHDR chunk, https://www.w3.org/TR/png/#11IHDR) or a JPEG (its
    first start-of-frame marker); None when the bytes are neither."""
    if content.startswith(_PNG) and len(content) >= 24 and content[12:16] == b"IHDR":
        width, height = int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
        return (width, height) if width and height else None
    if content.startswith(b"\xff\xd8\xff"):
        at = 2
        while at + 9 < len(content) and content[at] == 0xFF:
            marker, length = content[at + 1], int.from_bytes(content[at + 2 : at + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = (
                    int.from_bytes(content[at + 5 : at + 7], "big"),
                    int.from_bytes(content[at + 7 : at + 9], "big"),
                )
                return (width, height) if width and height else None
            at += 2 + length
    return None


DELETE_WINDOW = 48 * 3600  # seconds a message can be deleted in (deleteMessage)

# A mention as Telegram's clients mark it: "@" and a 5-32 character username, not inside a word.
_MENTION = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{4,31}\b")

MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
    "can_pin_messages",
)  # fmt: skip
_SEND_RIGHTS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
    "can_send_video_notes", "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
    "can_add_web_page_previews",
)  # fmt: skip


def _chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember object with the fields the Bot API always sends for ``status``."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            dict.fromkeys(_ADMIN_RIGHTS, True),
            can_be_edited=False,
            is_anonymous=False,
            can_promote_members=False,
        )
    elif status == "restricted":
        member.update(
            dict.fromkeys(_SEND_RIGHTS, False),
            is_member=True,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_manage_topics=False,
            can_edit_tag=False,
            can_react_to_messages=False,
            until_date=0,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _photo(n: int) -> list[dict[str, Any]]:
    return [
        {"file_id": f"photo-{n}-{size}", "file_unique_id": f"p{n}{size}", "width": size, "height": size}
        for size in (90, 320)
    ]


def _file(prefix: str, **extra: Any) -> Callable[[int], dict[str, Any]]:
    return lambda n: {"file_id": f"{prefix}-{n}", "file_unique_id": f"{prefix[0]}{n}", **extra}


# What a user's non-text message carries, by kind: enough for PTB to build the object.
MEDIA_KINDS: dict[str, Callable[[int], Any]] = {
    "photo": _photo,
    "sticker": _file("sticker", type="regular", width=512, height=512, is_animated=False, is_video=False, emoji="🙂"),
    "voice": _file("voice", duration=3, mime_type="audio/ogg"),
    "audio": _file("audio", duration=30, mime_type="audio/mpeg"),
    "video": _file("video", width=640, height=360, duration=5),
    "video_note": _file("videonote", length=240, duration=5),
    "animation": _file("animation", width=320, height=240, duration=2),
    "location": lambda n: {"latitude": 20.8449, "longitude": 106.6881},
    "venue": lambda n: {
        "location": {"latitude": 20.8449, "longitude": 106.6881},
        "title": "Nhà văn hóa",
        "address": "Hải Phòng",
    },
    "contact": lambda n: {"phone_number": "+84900000000", "first_name": "Lan"},
    "poll": lambda n: {
        "id": str(n),
        "question": "?",
        "options": [{"text": "A", "voter_count": 0}, {"text": "B", "voter_count": 0}],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
    },
    "dice": lambda n: {"emoji": "🎲", "value": 1 + n % 6},
}
_CAPTIONED = frozenset({"photo", "audio", "video", "animation"})


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_response(status: int, payload: Any) -> web.Response:
    return web.Response(status=status, body=_dumps(payload), content_type="application/json")


_OK_TRUE_BODY = b'{"ok":true,"result":true}'


@dataclass(slots=True)
class _Upload:
    filename: str
    content_type: str | None
    content: bytes


class _DropResponse(Exception):
    """Raised after a delivery that must not be answered (drop_after_delivery)."""


@dataclass(slots=True)
class _Call:
    token: str
    bot: dict[str, Any]
    params: dict[str, Any]
    files: dict[str, _Upload]


# --------------------------------------------------------------------------------------------------
# Parameter decoding. PTB sends form fields with JSON-encoded non-str values; a JSON body gives native
# values. These helpers accept both.


def _p_str(params: dict[str, Any], name: str) -> str | None:
    v = params.get(name)
    if v is None:
        return None
    return v if isinstance(v, str) else str(v)


def _p_int(params: dict[str, Any], name: str) -> int | None:
    v = params.get(name)
    if v is None or v == "":
        return None
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    try:
        return int(str(v))
    except ValueError:
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def _p_float(params: dict[str, Any], name: str) -> float | None:
    v = params.get(name)
    if v is None or v == "":
        return None
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    try:
        return float(str(v))
    except ValueError:
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def _p_bool(params: dict[str, Any], name: str) -> bool:
    v = params.get(name)
    if isinstance(v, bool):
        return v
    if v is None:
        return False
    return str(v).lower() in ("true", "1")


def _p_json(params: dict[str, Any], name: str) -> Any:
    v = params.get(name)
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        return v
    try:
        return json.loads(v)
    except ValueError:
        raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None


def _p_chat_id(params: dict[str, Any]) -> int:
    v = params.get("chat_id")
    if v is None or v == "":
        raise ApiError(400, "Bad Request: chat_id is empty")
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    try:
        return int(str(v))
    except ValueError:
        # "@channelusername": no channels exist here.
        raise ApiError(400, "Bad Request: chat not found") from None


class LocalTelegram:
    """Local Bot API server. Use ``async with LocalTelegram() as tg:`` or ``start()`` / ``stop()``."""

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        valid_tokens: Iterable[str] | None = None,
        record_texts: bool = True,
        bot_username: str = "local_bulletin_bot",
        bot_first_name: str = "Local Bulletin Bot",
        max_hang: float = 120.0,
        keep_recent: int = 1,
    ) -> None:
        self._limits = limits or Limits()
        self._flood = FloodControl(self._limits)
        self.valid_tokens: set[str] | None = set(valid_tokens) if valid_tokens is not None else None
        self.record_texts = record_texts
        # With record_texts=False only the last ``keep_recent`` messages per chat are kept (for edits and
        # callbacks); older ones survive only in the chat's counters and seq_hash. Bounds memory.
        self.keep_recent = keep_recent
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.max_hang = max_hang  # upper bound for a "hung" response (drop_after_delivery mode hang)
        self.faults = Faults()
        self.on_send: list[SendCallback] = []
        # The wall clock messages are dated by (``date``) and deleteMessage's 48 hours are counted
        # on; a test moves it (or dates one message: ``set_message_date``) instead of waiting.
        self.wall_clock: Callable[[], float] = time.time
        # What getWebhookInfo reports (https://core.telegram.org/bots/api#webhookinfo): the URL the
        # last setWebhook gave, and a delivery error a test stages as (unix time, message).
        self.webhook_url = ""
        self.webhook_last_error: tuple[int, str] | None = None
        self.webhook_secret: str | None = None
        self.webhook_posts: list[WebhookPost] = []  # every POST made to the webhook, in order
        self._pusher: WebhookPusher | None = None

        self._runner: web.AppRunner | None = None
        self._port = 0
        self._host = "127.0.0.1"
        self._stopping = asyncio.Event()
        self._callback_tasks: set[asyncio.Task[Any]] = set()
        self._token_cache: dict[str, dict[str, Any] | None] = {}
        self._markup_cache: dict[str, Any] = {}
        self._bot_user: dict[str, Any] = self._make_bot_user(100000)

        self._methods: dict[str, tuple[str, Callable[[_Call], Awaitable[Any]]]] = {}
        for name in (
            "getMe",
            "logOut",
            "close",
            "deleteWebhook",
            "setWebhook",
            "getWebhookInfo",
            "getUpdates",
            "sendMessage",
            "editMessageText",
            "editMessageReplyMarkup",
            "deleteMessage",
            "answerCallbackQuery",
            "answerInlineQuery",
            "sendDocument",
            "sendPhoto",
            "getFile",
            "setMyCommands",
            "getMyCommands",
            "deleteMyCommands",
            "sendChatAction",
            "getChat",
            "getChatMember",
        ):
            self._methods[name.lower()] = (name, getattr(self, "_m_" + name))

        self._init_records()

    # ------------------------------------------------------------------------------------------ state

    def _init_records(self) -> None:
        self.sent: list[SentMessage] = []
        self.edits: list[EditRecord] = []
        self.deleted: list[tuple[int, int]] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.inline_answers: list[InlineAnswer] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.all_commands: dict[str, list[dict[str, str]]] = {}
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._chats: dict[int, ChatState] = {}
        # (chat_id, user_id) -> status for getChatMember; anyone not listed is a plain "member".
        self._member_status: dict[tuple[int, int], str] = {}
        self._sent_by_chat: dict[int, list[SentMessage]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._open_callback_ids: set[str] = set()
        self._open_inline_ids: set[str] = set()
        self._poll_generation = 0
        self._update_event = asyncio.Event()
        self._seq = 0
        self._id_counter = 0
        self._method_counts: dict[str, int] = {}
        self._status_counts: dict[int, int] = {}
        self._rate_limited: dict[str, int] = dict.fromkeys(
            ("global", "paid", "per_chat", "group", "storm", "in_flight", "ignored_retry_after"), 0
        )
        self._delivered = 0
        self._delivered_paid = 0
        self._dropped = 0
        self._max_chat_violations = 0
        self._started_at = time.monotonic()
        self._flood.reset()

    def clear(self) -> None:
        """Forget everything recorded (messages, updates, chats, files, stats, rate windows); faults and
        limits stay. Pending long polls are released with an empty result."""
        self._wake_pollers()
        self._init_records()

    def reset_faults(self) -> None:
        self.faults = Faults()

    @property
    def limits(self) -> Limits:
        return self._limits

    @limits.setter
    def limits(self, value: Limits) -> None:
        self._limits = value
        self._flood.limits = value

    def configure(self, **changes: Any) -> Limits:
        """Change some limits, e.g. ``tg.configure(enforce=False)``; returns the new Limits."""
        self.limits = self._limits.updated(changes)
        return self._limits

    def _markup(self, params: dict[str, Any]) -> Any:
        """Decode reply_markup, sharing one object per distinct JSON string: a broadcast attaches the same
        keyboard to thousands of messages, and a parsed copy each would dominate memory. Treat recorded
        markups as read-only."""
        raw = params.get("reply_markup")
        if not isinstance(raw, str):
            return _p_json(params, "reply_markup")
        cached = self._markup_cache.get(raw)
        if cached is None:
            cached = _p_json(params, "reply_markup")
            if len(self._markup_cache) >= 1024:
                self._markup_cache.clear()
            self._markup_cache[raw] = cached
        return cached

    def _chat(self, chat_id: int) -> ChatState:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = ChatState(chat_id)
        return chat

    def _next_id(self) -> int:
        self._id_counter += 1
        return self._id_counter

    def _make_bot_user(self, bot_id: int) -> dict[str, Any]:
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def _auth(self, token: str) -> dict[str, Any] | None:
        cached = self._token_cache.get(token, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        ok = TOKEN_RE.match(token) is not None and (self.valid_tokens is None or token in self.valid_tokens)
        user = self._make_bot_user(int(token.split(":", 1)[0])) if ok else None
        if len(self._token_cache) < 1024:  # bounded: garbage tokens must not grow memory
            self._token_cache[token] = user
        return user

    # ------------------------------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self._host in ("", "0.0.0.0", "::") else self._host
        return f"http://{host}:{self._port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def control_url(self) -> str:
        return f"{self.url}/_control"

    def make_app(self) -> web.Application:
        from .control import add_control_routes  # local import: control imports this module for typing

        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            raise RuntimeError("LocalTelegram is already running")
        self._stopping = asyncio.Event()
        # access_log=None: per-request logging would cost more than the request itself in benchmarks.
        # A short shutdown_timeout: open long polls are woken on stop, anything still hanging is cut.
        runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port, reuse_address=True)
        await site.start()
        self._runner = runner
        self._host = host
        addr = runner.addresses[0]
        self._port = int(addr[1])

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._stopping.set()
        self._wake_pollers()
        await self._stop_pusher()
        await runner.cleanup()
        if self._callback_tasks:
            await asyncio.gather(*self._callback_tasks, return_exceptions=True)

    async def __aenter__(self) -> LocalTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------------------------------ HTTP

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, _Upload]]:
        params: dict[str, Any] = dict(request.query) if request.query_string else {}
        files: dict[str, _Upload] = {}
        if request.body_exists:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON request body") from None
                if isinstance(body, dict):
                    params.update(body)
            elif ctype.startswith("multipart/"):
                reader = await request.multipart()
                async for part in reader:
                    if not isinstance(part, BodyPartReader) or part.name is None:
                        continue
                    if part.filename is not None:
                        data = await part.read()
                        files[part.name] = _Upload(part.filename, part.headers.get("Content-Type"), bytes(data))
                    else:
                        params[part.name] = await part.text()
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, str):
                        params[key] = value
        return params, files

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method_raw = request.match_info["method"]
        entry = self._methods.get(method_raw.lower())
        name = entry[0] if entry is not None else method_raw
        self._method_counts[name] = self._method_counts.get(name, 0) + 1
        token = request.match_info["token"]
        if "%" in token:
            token = unquote(token)
        bot = self._auth(token)
        try:
            try:
                # Read the whole request before any simulated latency: the client has sent it, so a
                # client timeout during the delay must not lose the body (the server still acts on it).
                params, files = await self._read_params(request)
            except (ConnectionError, asyncio.IncompleteReadError):
                # Client went away mid-request (e.g. PTB cancelling a long poll at shutdown).
                return web.Response(status=499)
            stalled = self.faults.stall_until - time.monotonic()
            if stalled > 0:  # the server is not handling requests: this one waits its turn
                await asyncio.sleep(stalled)
            delay = self.faults.delay
            if delay > 0:
                await asyncio.sleep(delay)
            if bot is None:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found")
            self._bot_user = bot
            result = await entry[1](_Call(token, bot, params, files))
        except ApiError as err:
            return self._error_response(err)
        except _DropResponse:
            return await self._drop(request)
        self._status_counts[200] = self._status_counts.get(200, 0) + 1
        if result is True:
            return web.Response(body=_OK_TRUE_BODY, content_type="application/json")
        return _json_response(200, {"ok": True, "result": result})

    def _error_response(self, err: ApiError) -> web.Response:
        self._status_counts[err.status] = self._status_counts.get(err.status, 0) + 1
        if err.html:
            title = f"{err.status} {err.description}"
            page = (
                f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1>"
                "</center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
            )
            return web.Response(status=err.status, text=page, content_type="text/html")
        payload: dict[str, Any] = {"ok": False, "error_code": err.status, "description": err.description}
        if err.parameters:
            payload["parameters"] = err.parameters
        return _json_response(err.status, payload)

    async def _drop(self, request: web.Request) -> web.StreamResponse:
        """Leave the client without an answer after the message was delivered.

        ``hang`` keeps the connection open until the client gives up (PTB raises TimedOut: the ambiguous
        case), ``close`` aborts the TCP connection at once (PTB raises NetworkError).
        """
        self._dropped += 1
        transport = request.transport
        if self.faults.drop_mode == "hang":
            deadline = time.monotonic() + self.max_hang
            # Polling, not an Event: aiohttp signals a client disconnect only through the transport.
            while (  # noqa: ASYNC110
                transport is not None
                and not transport.is_closing()
                and not self._stopping.is_set()
                and time.monotonic() < deadline
            ):
                await asyncio.sleep(0.05)
        if transport is not None and not transport.is_closing():
            transport.abort()
        # Nothing can be written any more; aiohttp discards the response for a closed transport.
        return web.Response(status=204)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        token = unquote(request.match_info["token"])
        if self._auth(token) is None:
            return self._error_response(ApiError(401, "Unauthorized"))
        # PTB percent-encodes the path (File._get_encoded_url); aiohttp may or may not have decoded it.
        path = unquote(request.match_info["path"])
        stored = self._files_by_path.get(path)
        if stored is None:
            return self._error_response(ApiError(404, "Not Found"))
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    # -------------------------------------------------------------------------------------- checks

    def _check_chat_faults(self, chat_id: int) -> None:
        faults = self.faults
        if faults.blocked:
            kind = faults.blocked.get(chat_id)
            if kind is not None:
                status, description = BLOCK_KINDS[kind]
                raise ApiError(status, description)
        if faults.migrated:
            new_id = faults.migrated.get(chat_id)
            if new_id is not None:
                raise ApiError(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": new_id},
                )

    def _server_error(self, status: int) -> ApiError:
        page = _NGINX_PAGES.get(status)
        if page is not None:
            return ApiError(status, page, html=True)
        return ApiError(status, "Internal Server Error" if status == 500 else f"Server Error {status}")

    def _check_server_faults(self) -> None:
        faults = self.faults
        if faults.fail_next > 0:
            faults.fail_next -= 1
            raise self._server_error(faults.fail_next_status)
        if faults.error_rate > 0 and faults.rng.random() < faults.error_rate:
            raise self._server_error(faults.error_status)

    def _render(self, text: str, parse_mode: str | None, *, caption: bool = False) -> tuple[str, list[Any]]:
        """Validate text like the Bot API and return (plain text, entities)."""
        lim = self._limits
        if len(text) > lim.max_raw_text_bytes // 4 and len(text.encode("utf-8")) > lim.max_raw_text_bytes:
            raise ApiError(400, "Bad Request: text is too long")
        entities: list[Any] = []
        if parse_mode is not None and parse_mode.lower() == "html":
            try:
                plain, entities = parse_html(text, strict_entities=lim.html_strict_entities)
            except HtmlParseError as err:
                raise ApiError(400, f"Bad Request: can't parse entities: {err}") from None
        else:
            # MarkdownV2/Markdown are not validated here; the project sends HTML.
            plain = text
        limit = lim.max_caption_length if caption else lim.max_text_length
        length = utf16_len(plain) if lim.text_length_unit == "utf16" else len(plain)
        if length > limit:
            raise ApiError(
                400,
                "Bad Request: message caption is too long" if caption else "Bad Request: message is too long",
            )
        if not caption and not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        return plain, entities

    def _admit(self, chat: ChatState | None, paid: bool, now: float, storm_applies: bool) -> None:
        """Flood checks; raises the 429 the real server would send, or returns to let the send through."""
        flood = self._flood
        violation = flood.banned(now)
        if violation is None and storm_applies and self.faults.storm_left > 0:
            self.faults.storm_left -= 1
            ra = self.faults.storm_retry_after
            if self._limits.enforce:
                flood.ban(now, ra)
            violation = Violation("storm", ra)
        if violation is None:
            violation = flood.check(chat, paid, now)
        if violation is None:
            return
        self._rate_limited[violation.kind] += 1
        if chat is not None and violation.kind in ("per_chat", "group"):
            chat.violations += 1
            if chat.violations > self._max_chat_violations:
                self._max_chat_violations = chat.violations
        ra = violation.retry_after
        raise ApiError(429, f"Too Many Requests: retry after {ra}", {"retry_after": ra}, kind=violation.kind)

    # ------------------------------------------------------------------------------------ delivery

    @staticmethod
    def _content_hash(text: str | None, parse_mode: str | None) -> int:
        # Compared on the raw text: two spellings of the same rendering (<b> vs <strong>) count as a
        # change here, while Telegram would say "not modified". Cheap, and good enough for a fake.
        return hash((text, (parse_mode or "").lower()))

    @staticmethod
    def _markup_hash(markup: dict[str, Any] | None) -> int:
        return hash(json.dumps(markup, sort_keys=True)) if markup else 0

    def _deliver(
        self,
        *,
        chat: ChatState,
        method: str,
        text: str | None,
        parse_mode: str | None,
        reply_markup: dict[str, Any] | None,
        disable_notification: bool,
        paid: bool,
        now: float,
        bot: dict[str, Any],
        file_id: str | None = None,
        reply_to: int | None = None,
    ) -> tuple[SentMessage, dict[str, Any]]:
        self._flood.commit(chat, paid, now)
        mid = chat.take_message_id()
        date = int(self.wall_clock())
        digest = text_digest(text)
        self._seq += 1
        record = SentMessage(
            chat_id=chat.chat_id,
            message_id=mid,
            text=text,
            parse_mode=parse_mode,
            reply_markup=reply_markup,
            disable_notification=disable_notification,
            allow_paid_broadcast=paid,
            method=method,
            at=now,
            seq=self._seq,
            digest=digest,
            file_id=file_id,
            reply_to_message_id=reply_to,
        )
        keep = self.record_texts
        chat.messages[mid] = MsgState(
            date=date,
            from_bot=True,
            text=text if keep else None,
            parse_mode=parse_mode,
            reply_markup=reply_markup if keep else None,
            digest=digest,
            content_hash=self._content_hash(text, parse_mode),
            markup_hash=self._markup_hash(reply_markup),
        )
        chat.sent_count += 1
        chat.seq_hash = chain_digest(chat.seq_hash, digest)
        if keep:
            self.sent.append(record)
            per_chat = self._sent_by_chat.get(chat.chat_id)
            if per_chat is None:
                per_chat = self._sent_by_chat[chat.chat_id] = []
            per_chat.append(record)
        else:
            messages = chat.messages
            while len(messages) > self.keep_recent:
                del messages[next(iter(messages))]
        self._delivered += 1
        if paid:
            self._delivered_paid += 1
        if self.on_send:
            self._notify(record)
        message: dict[str, Any] = {"message_id": mid, "from": bot, "chat": chat.chat_dict(), "date": date}
        if reply_markup and "inline_keyboard" in reply_markup:
            # Only inline keyboards are part of a Message; reply keyboards are not echoed back.
            message["reply_markup"] = reply_markup
        return record, message

    def _notify(self, record: SentMessage) -> None:
        for callback in list(self.on_send):
            try:
                result = callback(record)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._callback_tasks.add(task)
                    task.add_done_callback(self._callback_done)
            except Exception:
                _log.exception("on_send callback failed")

    def _callback_done(self, task: asyncio.Task[Any]) -> None:
        self._callback_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _log.error("on_send callback failed", exc_info=task.exception())

    def _maybe_drop(self) -> None:
        faults = self.faults
        if faults.drop_left > 0:
            faults.drop_left -= 1
            raise _DropResponse

    # ------------------------------------------------------------------------------------ methods

    async def _m_getMe(self, call: _Call) -> Any:
        return call.bot

    async def _m_logOut(self, call: _Call) -> Any:
        return True

    async def _m_close(self, call: _Call) -> Any:
        return True

    async def _m_deleteWebhook(self, call: _Call) -> Any:
        self.webhook_url = ""
        await self._stop_pusher()
        if _p_bool(call.params, "drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_setWebhook(self, call: _Call) -> Any:
        # With a url, queued updates are POSTed there (webhook.py); an empty url removes the webhook
        # (https://core.telegram.org/bots/api#setwebhook). Plain http on any port is accepted here.
        url = str(call.params.get("url") or "").strip()
        secret = _p_str(call.params, "secret_token")
        if url and not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
            raise ApiError(400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known")
        if secret is not None and not valid_secret(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = _p_json(call.params, "allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) or None
        if _p_bool(call.params, "drop_pending_updates"):
            self._updates.clear()
        await self._stop_pusher()
        self.webhook_url = url
        self.webhook_secret = secret
        if url:
            self._pusher = WebhookPusher(self, url, secret, posts=self.webhook_posts)
            self._pusher.start()
            self._wake_pollers()  # a getUpdates still waiting ends (with 409 on its next call)
        return True

    async def _stop_pusher(self) -> None:
        pusher, self._pusher = self._pusher, None
        if pusher is not None:
            await pusher.stop()

    def _next_webhook_update(self) -> dict[str, Any] | None:
        """The oldest queued update the webhook takes; ones it does not take are dropped."""
        allowed = self._allowed_updates
        while self._updates:
            update = self._updates[0]
            kind = next((k for k in update if k != "update_id"), "")
            if (kind in allowed) if allowed is not None else (kind not in _NOT_DEFAULT_UPDATES):
                return update
            del self._updates[0]  # not in allowed_updates: Telegram never sends it
        return None

    def _webhook_delivered(self, update: dict[str, Any]) -> None:
        if self._updates and self._updates[0] is update:
            del self._updates[0]

    async def _m_getWebhookInfo(self, call: _Call) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.webhook_last_error
        return info

    async def _m_getUpdates(self, call: _Call) -> Any:
        params = call.params
        offset = _p_int(params, "offset")
        limit = _p_int(params, "limit") or 100
        limit = max(1, min(100, limit))
        timeout = max(0.0, min(_p_float(params, "timeout") or 0.0, 60.0))
        if self.webhook_url:
            raise ApiError(
                409,
                _WEBHOOK_ACTIVE,
            )
        allowed = _p_json(params, "allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) or None
        if offset is not None:
            if offset < 0:
                # Negative offset: keep only the last -offset updates, forget the rest (Bot API rule).
                del self._updates[: max(0, len(self._updates) + offset)]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        # A newer getUpdates terminates an older one with 409, like the real server: that is how two
        # pollers on one token show up.
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            batch = self._pending_updates(limit)
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self._stopping.is_set():
                return batch
            event = self._update_event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _pending_updates(self, limit: int) -> list[dict[str, Any]]:
        allowed = self._allowed_updates
        out: list[dict[str, Any]] = []
        for update in self._updates:
            kind = next((k for k in update if k != "update_id"), "")
            if (kind in allowed) if allowed is not None else (kind not in _NOT_DEFAULT_UPDATES):
                out.append(update)
                if len(out) >= limit:
                    break
        return out

    def _wake_pollers(self) -> None:
        self._update_event.set()
        self._update_event = asyncio.Event()

    async def _m_sendMessage(self, call: _Call) -> Any:
        params = call.params
        chat_id = _p_chat_id(params)
        self._check_chat_faults(chat_id)
        self._check_server_faults()
        text = _p_str(params, "text")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = _p_str(params, "parse_mode")
        plain, entities = self._render(text, parse_mode)
        markup = self._markup(params)
        paid = _p_bool(params, "allow_paid_broadcast")
        chat = self._chat(chat_id)
        reply_to, replied = self._reply_target(chat, params)
        now = time.monotonic()
        self._admit(chat, paid, now, storm_applies=True)
        _, message = self._deliver(
            chat=chat,
            method="sendMessage",
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup if isinstance(markup, dict) else None,
            disable_notification=_p_bool(params, "disable_notification"),
            paid=paid,
            now=now,
            bot=call.bot,
            reply_to=reply_to,
        )
        if replied is not None:
            message["reply_to_message"] = replied
        message["text"] = plain
        if entities:
            message["entities"] = entities
        self._maybe_drop()
        return message

    def _reply_target(self, chat: ChatState, params: dict[str, Any]) -> tuple[int | None, dict[str, Any] | None]:
        """``reply_parameters`` (or the older ``reply_to_message_id``) of a send: the message replied
        to and its Message object. A message that is not there is a 400 unless
        ``allow_sending_without_reply`` (https://core.telegram.org/bots/api#replyparameters); then the
        message goes as a plain one."""
        reply = _p_json(params, "reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = _p_int(params, "reply_to_message_id")
            allow = _p_bool(params, "allow_sending_without_reply")
        if not isinstance(message_id, int):
            return None, None
        state = chat.messages.get(message_id)
        if state is None:
            if allow:
                return None, None
            raise ApiError(400, "Bad Request: message to be replied not found")
        replied: dict[str, Any] = {"message_id": message_id, "chat": chat.chat_dict(), "date": state.date}
        if state.from_bot:
            replied["from"] = self._bot_user
        return message_id, replied

    def set_message_date(self, chat_id: int, message_id: int, date: float) -> None:
        """Date a message in ``chat_id`` at ``date`` (Unix time), e.g. three days ago, so that
        deleteMessage's 48 hours have passed for it."""
        self._chats[chat_id].messages[message_id].date = int(date)

    def user_deletes(self, chat_id: int, message_id: int) -> None:
        """The user deletes a message from their chat: edits of it then answer "message to edit not
        found", deletes "message to delete not found"."""
        del self._chats[chat_id].messages[message_id]

    def _find_bot_message(self, params: dict[str, Any]) -> tuple[ChatState, int, MsgState]:
        chat_id = _p_chat_id(params)
        self._check_chat_faults(chat_id)
        message_id = _p_int(params, "message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        chat = self._chats.get(chat_id)
        state = chat.messages.get(message_id) if chat is not None else None
        if chat is None or state is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not state.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, message_id, state

    async def _m_editMessageText(self, call: _Call) -> Any:
        params = call.params
        text = _p_str(params, "text")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        parse_mode = _p_str(params, "parse_mode")
        raw_markup = self._markup(params)
        markup = raw_markup if isinstance(raw_markup, dict) else None
        inline_id = _p_str(params, "inline_message_id")
        now = time.monotonic()
        if inline_id:
            self._render(text, parse_mode)
            self._admit(None, False, now, storm_applies=False)
            self._flood.commit(None, False, now)
            self.edits.append(EditRecord("editMessageText", None, None, inline_id, text, parse_mode, markup, now))
            return True
        chat, message_id, state = self._find_bot_message(params)
        plain, entities = self._render(text, parse_mode)
        content_hash = self._content_hash(text, parse_mode)
        markup_hash = self._markup_hash(markup)
        if content_hash == state.content_hash and markup_hash == state.markup_hash:
            raise ApiError(400, _NOT_MODIFIED)
        self._admit(chat, False, now, storm_applies=False)
        self._flood.commit(chat, False, now)
        keep = self.record_texts
        state.text = text if keep else None
        state.parse_mode = parse_mode
        state.reply_markup = markup if keep else None
        state.digest = text_digest(text)
        state.content_hash = content_hash
        state.markup_hash = markup_hash
        self.edits.append(
            EditRecord(
                "editMessageText",
                chat.chat_id,
                message_id,
                None,
                text if keep else None,
                parse_mode,
                markup,
                now,
            )
        )
        message = {
            "message_id": message_id,
            "from": call.bot,
            "chat": chat.chat_dict(),
            "date": state.date,
            "edit_date": int(time.time()),
            "text": plain,
        }
        if entities:
            message["entities"] = entities
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    async def _m_editMessageReplyMarkup(self, call: _Call) -> Any:
        params = call.params
        raw_markup = self._markup(params)
        markup = raw_markup if isinstance(raw_markup, dict) else None
        inline_id = _p_str(params, "inline_message_id")
        now = time.monotonic()
        if inline_id:
            self.edits.append(EditRecord("editMessageReplyMarkup", None, None, inline_id, None, None, markup, now))
            return True
        chat, message_id, state = self._find_bot_message(params)
        # The content is unchanged by definition, so only the markup decides "not modified".
        markup_hash = self._markup_hash(markup)
        if markup_hash == state.markup_hash:
            raise ApiError(400, _NOT_MODIFIED)
        state.markup_hash = markup_hash
        plain, entities = self._current_rendering(state)
        state.reply_markup = markup if self.record_texts else None
        self.edits.append(EditRecord("editMessageReplyMarkup", chat.chat_id, message_id, None, None, None, markup, now))
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": call.bot,
            "chat": chat.chat_dict(),
            "date": state.date,
            "edit_date": int(time.time()),
        }
        if plain is not None:
            message["text"] = plain
            if entities:
                message["entities"] = entities
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _current_rendering(self, state: MsgState) -> tuple[str | None, list[Any]]:
        if state.text is None:
            return None, []
        if state.parse_mode is not None and state.parse_mode.lower() == "html":
            try:
                return parse_html(state.text)
            except HtmlParseError:
                return state.text, []
        return state.text, []

    async def _m_deleteMessage(self, call: _Call) -> Any:
        params = call.params
        chat_id = _p_chat_id(params)
        self._check_chat_faults(chat_id)
        message_id = _p_int(params, "message_id")
        chat = self._chats.get(chat_id)
        state = chat.messages.get(message_id) if chat is not None and message_id is not None else None
        if chat is None or message_id is None or state is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        # "A message can only be deleted if it was sent less than 48 hours ago"; a bot may delete
        # its own outgoing messages and, in a private chat, the user's too
        # (https://core.telegram.org/bots/api#deletemessage). Group admin rights are not imitated.
        if self.wall_clock() - state.date >= DELETE_WINDOW or (not state.from_bot and not chat.is_private):
            raise ApiError(400, "Bad Request: message can't be deleted")
        # A delete changes the chat as an edit does: counted against the same limits.
        now = time.monotonic()
        self._admit(chat, False, now, storm_applies=False)
        self._flood.commit(chat, False, now)
        del chat.messages[message_id]
        self.deleted.append((chat_id, message_id))
        return True

    async def _m_answerCallbackQuery(self, call: _Call) -> Any:
        params = call.params
        query_id = _p_str(params, "callback_query_id") or ""
        if query_id not in self._open_callback_ids:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self._open_callback_ids.discard(query_id)
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                text=_p_str(params, "text"),
                show_alert=_p_bool(params, "show_alert"),
                url=_p_str(params, "url"),
                cache_time=_p_int(params, "cache_time"),
                at=time.monotonic(),
            )
        )
        return True

    async def _m_answerInlineQuery(self, call: _Call) -> Any:
        params = call.params
        query_id = _p_str(params, "inline_query_id") or ""
        if query_id not in self._open_inline_ids:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self._open_inline_ids.discard(query_id)
        results = _p_json(params, "results")
        button = _p_json(params, "button")
        self.inline_answers.append(
            InlineAnswer(
                inline_query_id=query_id,
                results=results if isinstance(results, list) else [],
                cache_time=_p_int(params, "cache_time"),
                is_personal=_p_bool(params, "is_personal"),
                next_offset=_p_str(params, "next_offset"),
                button=button if isinstance(button, dict) else None,
                at=time.monotonic(),
            )
        )
        return True

    def _store_file(self, content: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        n = self._next_id()
        ext = os.path.splitext(file_name or "")[1]
        stored = StoredFile(
            file_id=f"BQACAgIAAx{n:08d}",
            file_unique_id=f"AgAD{n:06d}",
            file_path=f"documents/file_{n}{ext}",
            file_name=file_name,
            mime_type=mime_type,
            content=content,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _document_dict(stored: StoredFile) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if stored.file_name is not None:
            doc["file_name"] = stored.file_name
        if stored.mime_type is not None:
            doc["mime_type"] = stored.mime_type
        return doc

    def _take_upload(self, call: _Call, field: str) -> tuple[_Upload | None, StoredFile | None, object]:
        """The file a send names in ``field``: (an upload, a file already stored, the raw value). A
        multipart upload under that name or ``attach://<name>``, else a file id seen before, else an
        http(s) URL (https://core.telegram.org/bots/api#sending-files). Nothing usable: a 400."""
        value = call.params.get(field)
        upload = call.files.get(field)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = call.files.get(value[len("attach://") :])
        stored: StoredFile | None = None
        if upload is None:
            if not isinstance(value, str) or not value:
                raise ApiError(400, f"Bad Request: there is no {field} in the request")
            stored = self.files.get(value)
            if stored is None and not value.startswith(("http://", "https://")):
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return upload, stored, value

    async def _m_sendDocument(self, call: _Call) -> Any:
        chat_id = _p_chat_id(call.params)
        self._check_chat_faults(chat_id)
        upload, stored, doc = self._take_upload(call, "document")

        def keep() -> StoredFile:
            if stored is not None:
                return stored
            if upload is not None:
                return self._store_file(upload.content, upload.filename, upload.content_type)
            # A URL: Telegram would download it; there is no internet here, store a placeholder.
            return self._store_file(b"", str(doc).rsplit("/", 1)[-1] or "file", "application/octet-stream")

        message, kept = self._send_file(call, chat_id, "sendDocument", keep)
        message["document"] = self._document_dict(kept)
        self._maybe_drop()
        return message

    def _send_file(
        self, call: _Call, chat_id: int, method: str, keep: Callable[[], StoredFile]
    ) -> tuple[dict[str, Any], StoredFile]:
        """What sendDocument and sendPhoto share once the file is checked: the caption, the limits,
        keeping the file (only for a send the limits admit), the message with its caption."""
        params = call.params
        caption = _p_str(params, "caption")
        parse_mode = _p_str(params, "parse_mode")
        plain: str | None = None
        entities: list[Any] = []
        if caption:
            plain, entities = self._render(caption, parse_mode, caption=True)
        markup = self._markup(params)
        paid = _p_bool(params, "allow_paid_broadcast")
        chat = self._chat(chat_id)
        now = time.monotonic()
        self._admit(chat, paid, now, storm_applies=False)
        stored = keep()
        _, message = self._deliver(
            chat=chat,
            method=method,
            text=caption,
            parse_mode=parse_mode,
            reply_markup=markup if isinstance(markup, dict) else None,
            disable_notification=_p_bool(params, "disable_notification"),
            paid=paid,
            now=now,
            bot=call.bot,
            file_id=stored.file_id,
        )
        if plain:
            message["caption"] = plain
            if entities:
                message["caption_entities"] = entities
        return message, stored

    async def _m_sendPhoto(self, call: _Call) -> Any:
        """sendPhoto with Telegram's checks on the photo (https://core.telegram.org/bots/api#sendphoto):
        at most 10 MB, a real image (a PNG or JPEG here, by its signature and header), width plus
        height at most 10,000 and a side ratio at most 20. The error descriptions are the ones the
        Bot API passes on from Telegram's servers for those cases (PHOTO_INVALID_DIMENSIONS, as in
        https://github.com/tdlib/td/issues/2544)."""
        params = call.params
        chat_id = _p_chat_id(params)
        self._check_chat_faults(chat_id)
        upload, stored, value = self._take_upload(call, "photo")
        if upload is not None:
            if len(upload.content) > PHOTO_LIMIT:
                raise ApiError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
            size = image_size(upload.content)
            if size is None:
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            width, height = size
            if width + height > 10_000 or max(width, height) > 20 * max(1, min(width, height)):
                raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")

        def keep() -> StoredFile:
            if stored is not None:
                return stored
            if upload is not None:
                return self._store_file(upload.content, upload.filename, upload.content_type or "image/png")
            # a URL: there is no internet here, store a placeholder
            return self._store_file(b"", str(value).rsplit("/", 1)[-1] or "photo", "image/jpeg")

        message, kept = self._send_file(call, chat_id, "sendPhoto", keep)
        width, height = image_size(kept.content) or (0, 0)
        message["photo"] = [
            {
                "file_id": kept.file_id,
                "file_unique_id": kept.file_unique_id,
                "file_size": len(kept.content),
                "width": width,
                "height": height,
            }
        ]
        self._maybe_drop()
        return message

    async def _m_getFile(self, call: _Call) -> Any:
        file_id = _p_str(call.params, "file_id") or ""
        stored = self.files.get(file_id)
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = _p_json(params, "scope")
        scope_key = "default" if not scope else json.dumps(scope, sort_keys=True, separators=(",", ":"))
        lang = _p_str(params, "language_code") or ""
        return f"{scope_key}|{lang}" if lang else scope_key

    async def _m_setMyCommands(self, call: _Call) -> Any:
        commands = _p_json(call.params, "commands")
        if not isinstance(commands, list):
            raise ApiError(400, 'Bad Request: parameter "commands" is required')
        self.all_commands[self._commands_key(call.params)] = [
            {"command": str(c.get("command", "")), "description": str(c.get("description", ""))}
            for c in commands
            if isinstance(c, dict)
        ]
        return True

    async def _m_getMyCommands(self, call: _Call) -> Any:
        return self.all_commands.get(self._commands_key(call.params), [])

    async def _m_deleteMyCommands(self, call: _Call) -> Any:
        self.all_commands.pop(self._commands_key(call.params), None)
        return True

    async def _m_sendChatAction(self, call: _Call) -> Any:
        chat_id = _p_chat_id(call.params)
        self._check_chat_faults(chat_id)
        self.chat_actions.append((chat_id, _p_str(call.params, "action") or ""))
        return True

    async def _m_getChat(self, call: _Call) -> Any:
        chat_id = _p_chat_id(call.params)
        faults = self.faults
        # Blocking the bot does not hide the chat; only "not_found" and migration change getChat.
        if faults.blocked.get(chat_id) == "not_found" or chat_id in faults.migrated:
            self._check_chat_faults(chat_id)
        chat = self._chat(chat_id).chat_dict()
        chat["accent_color_id"] = 0
        chat["max_reaction_count"] = 11
        return chat

    async def _m_getChatMember(self, call: _Call) -> Any:
        chat_id = _p_chat_id(call.params)
        user_id = _p_int(call.params, "user_id")
        if user_id is None:
            raise ApiError(400, "Bad Request: user_id is empty")
        faults = self.faults
        if faults.blocked.get(chat_id) in ("not_found", "kicked") or chat_id in faults.migrated:
            self._check_chat_faults(chat_id)
        user = dict(call.bot) if user_id == call.bot["id"] else self._user_dict(user_id)
        return _chat_member(user, self.member_status(chat_id, user_id))

    # ------------------------------------------------------------------------------ fault injection

    def block(self, chat_id: int, kind: str = "blocked") -> None:
        """Make sends to ``chat_id`` fail: blocked/deactivated/kicked → 403, not_found → 400."""
        if kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {kind!r}; use one of {', '.join(BLOCK_KINDS)}")
        self.faults.blocked[chat_id] = kind

    def unblock(self, chat_id: int) -> None:
        self.faults.blocked.pop(chat_id, None)

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """Group ``chat_id`` became supergroup ``new_chat_id``: sends to the old id get 400 + migrate_to."""
        self.faults.migrated[chat_id] = new_chat_id

    def fail_next(self, n: int, status: int = 502) -> None:
        """The next ``n`` sendMessage calls get a 5xx (502/503/504 as nginx HTML, others JSON)."""
        self.faults.fail_next = n
        self.faults.fail_next_status = status

    def error_rate(self, p: float, status: int = 502, seed: int | None = None) -> None:
        """Each sendMessage fails with probability ``p`` (seeded for reproducible benchmarks)."""
        if not 0.0 <= p <= 1.0:
            raise ValueError("p must be within [0, 1]")
        self.faults.error_rate = p
        self.faults.error_status = status
        self.faults.rng.seed(seed)

    def storm(self, retry_after: int = 3, requests: int = 10) -> None:
        """The next ``requests`` sendMessage calls get 429 with ``retry_after``, whatever the rate."""
        self.faults.storm_left = requests
        self.faults.storm_retry_after = max(1, int(retry_after))

    def delay(self, seconds: float) -> None:
        """Delay every Bot API response (the request is processed after the delay, even if the client has
        given up meanwhile, like a slow Telegram)."""
        self.faults.delay = max(0.0, seconds)

    def stall(self, seconds: float) -> None:
        """Handle no request for ``seconds`` from now, as a server in a garbage-collection pause:
        requests that arrive meanwhile are held, then handled (and counted against the limits)
        together when it ends."""
        self.faults.stall_until = max(self.faults.stall_until, time.monotonic() + max(0.0, seconds))

    def drop_after_delivery(self, n: int, mode: str = "hang") -> None:
        """The next ``n`` sends are delivered but never answered (``hang`` until the client times out, or
        ``close`` the connection)."""
        if mode not in ("hang", "close"):
            raise ValueError("mode must be 'hang' or 'close'")
        self.faults.drop_left = n
        self.faults.drop_mode = mode

    # ----------------------------------------------------------------------------- simulated users

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember says about ``user_id`` in ``chat_id``: one of ``MEMBER_STATUSES``."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}; use one of {', '.join(MEMBER_STATUSES)}")
        self._member_status[(chat_id, user_id)] = status

    def member_status(self, chat_id: int, user_id: int) -> str:
        return self._member_status.get((chat_id, user_id), "member")

    def add_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update for getUpdates; ``update_id`` is assigned unless present."""
        update = dict(update)
        uid = update.get("update_id")
        if not isinstance(uid, int):
            uid = self._next_update_id
            update["update_id"] = uid
        self._next_update_id = max(self._next_update_id, uid + 1)
        query = update.get("callback_query")
        if isinstance(query, dict) and "id" in query:
            self._open_callback_ids.add(str(query["id"]))
        inline = update.get("inline_query")
        if isinstance(inline, dict) and "id" in inline:
            self._open_inline_ids.add(str(inline["id"]))
        self._updates.append(update)
        self._wake_pollers()
        return update

    @staticmethod
    def _user_dict(user_id: int, first_name: str = "User", username: str | None = None) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "vi",
        }
        if username:
            user["username"] = username
        return user

    def _chat_for_user(
        self, chat_id: int, chat_type: str | None, first_name: str, username: str | None
    ) -> tuple[ChatState, dict[str, Any]]:
        chat = self._chat(chat_id)
        if chat_type is not None and chat_type != chat.type:
            chat.type = chat_type
            chat.group_times = None if chat_type == "private" else (chat.group_times or deque())
        if chat.type == "private":
            chat_dict: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": first_name}
            if username:
                chat_dict["username"] = username
        else:
            chat_dict = chat.chat_dict()
        return chat, chat_dict

    def _user_message_dict(
        self,
        chat_id: int,
        *,
        user_id: int | None,
        first_name: str,
        chat_type: str | None,
        username: str | None,
        reply_to: int | None,
    ) -> tuple[ChatState, dict[str, Any]]:
        """A new message from a user in ``chat_id`` (no content yet), registered in the chat."""
        chat, chat_dict = self._chat_for_user(chat_id, chat_type, first_name, username)
        uid = user_id if user_id is not None else (chat_id if chat.type == "private" else 424242)
        mid = chat.take_message_id()
        date = int(self.wall_clock())
        message: dict[str, Any] = {
            "message_id": mid,
            "from": self._user_dict(uid, first_name, username),
            "chat": chat_dict,
            "date": date,
        }
        if reply_to is not None:
            message["reply_to_message"] = self._replied(chat, reply_to)
        chat.messages[mid] = MsgState(
            date=date, from_bot=False, text=None, parse_mode=None, reply_markup=None, digest=""
        )
        return chat, message

    def _replied(self, chat: ChatState, message_id: int) -> dict[str, Any]:
        """The ``reply_to_message`` of a reply: the bot's message as it is now, or a user's (no text kept)."""
        state = chat.messages.get(message_id)
        if state is None:
            raise KeyError(f"no message {message_id} in chat {chat.chat_id}")
        if state.from_bot:
            return self.bot_message_dict(chat.chat_id, message_id)
        return {
            "message_id": message_id,
            "from": self._user_dict(chat.chat_id if chat.is_private else 424242),
            "chat": chat.chat_dict(),
            "date": state.date,
        }

    @staticmethod
    def _text_entities(text: str) -> list[dict[str, Any]]:
        """The entities Telegram's clients mark in a user's text: a leading ``/command`` (or
        ``/command@bot``) and ``@username`` mentions elsewhere."""
        entities: list[dict[str, Any]] = []
        command_end = 0
        if text.startswith("/"):
            # Telegram's bot_command entity spans "/cmd" or "/cmd@botname" (up to whitespace); PTB's
            # CommandHandler checks the @botname part against getMe's username.
            command_end = next((i for i, ch in enumerate(text) if ch.isspace()), len(text))
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(text[:command_end])})
        for match in _MENTION.finditer(text, command_end):
            entities.append(
                {"type": "mention", "offset": utf16_len(text[: match.start()]), "length": utf16_len(match.group())}
            )
        return entities

    def user_message(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        first_name: str = "User",
        chat_type: str | None = None,
        username: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """Simulate a user writing ``text`` in ``chat_id`` (as a reply to message ``reply_to`` if given);
        commands get a bot_command entity and ``@username`` a mention entity."""
        _, message = self._user_message_dict(
            chat_id, user_id=user_id, first_name=first_name, chat_type=chat_type, username=username, reply_to=reply_to
        )
        message["text"] = text
        entities = self._text_entities(text)
        if entities:
            message["entities"] = entities
        return self.add_update({"message": message})

    def user_edit(
        self, chat_id: int, message_id: int, text: str, user_id: int | None = None, first_name: str = "User"
    ) -> dict[str, Any]:
        """Simulate a user editing their message ``message_id`` to read ``text`` (an ``edited_message``)."""
        chat = self._chats.get(chat_id)
        state = chat.messages.get(message_id) if chat is not None else None
        if chat is None or state is None or state.from_bot:
            raise KeyError(f"no user message {message_id} in chat {chat_id}")
        uid = user_id if user_id is not None else (chat_id if chat.is_private else 424242)
        _, chat_dict = self._chat_for_user(chat_id, None, first_name, None)
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": self._user_dict(uid, first_name),
            "chat": chat_dict,
            "date": state.date,
            "edit_date": int(time.time()),
            "text": text,
        }
        entities = self._text_entities(text)
        if entities:
            message["entities"] = entities
        return self.add_update({"edited_message": message})

    def user_media(
        self,
        chat_id: int,
        kind: str,
        caption: str | None = None,
        user_id: int | None = None,
        chat_type: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """Simulate a user sending something that is not text: one of ``MEDIA_KINDS`` (photo, sticker,
        voice, audio, video, video_note, animation, location, venue, contact, poll, dice), with a
        ``caption`` where Telegram allows one."""
        if kind not in MEDIA_KINDS:
            raise ValueError(f"unknown media kind {kind!r}; use one of {', '.join(MEDIA_KINDS)}")
        if caption is not None and kind not in _CAPTIONED:
            raise ValueError(f"a {kind} has no caption")
        _, message = self._user_message_dict(
            chat_id, user_id=user_id, first_name="User", chat_type=chat_type, username=None, reply_to=reply_to
        )
        message[kind] = MEDIA_KINDS[kind](self._next_id())
        if caption is not None:
            message["caption"] = caption
            entities = self._text_entities(caption)
            if entities:
                message["caption_entities"] = entities
        return self.add_update({"message": message})

    def bot_message_dict(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The Message object for a message the bot sent, rebuilt from the record (current content)."""
        chat = self._chats.get(chat_id)
        state = chat.messages.get(message_id) if chat is not None else None
        if chat is None or state is None or not state.from_bot:
            known = sorted(m for m, s in chat.messages.items() if s.from_bot) if chat is not None else []
            raise KeyError(f"no bot message {message_id} in chat {chat_id} (bot messages there: {known})")
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": self._bot_user,
            "chat": chat.chat_dict(),
            "date": state.date,
        }
        plain, entities = self._current_rendering(state)
        if plain is not None:
            message["text"] = plain
            if entities:
                message["entities"] = entities
        if state.reply_markup and "inline_keyboard" in state.reply_markup:
            message["reply_markup"] = state.reply_markup
        return message

    def user_callback(
        self, chat_id: int, message_id: int, data: str, user_id: int | None = None, first_name: str = "User"
    ) -> dict[str, Any]:
        """Simulate a user (named ``first_name``) pressing an inline button with ``data`` under the
        bot's message."""
        message = self.bot_message_dict(chat_id, message_id)
        uid = user_id if user_id is not None else (chat_id if chat_id > 0 else 424242)
        query = {
            "id": f"{self._next_id()}{uid % 100000:05d}",
            "from": self._user_dict(uid, first_name),
            "message": message,
            "chat_instance": str(chat_id),
            "data": data,
        }
        return self.add_update({"callback_query": query})

    def user_document(
        self,
        chat_id: int,
        filename: str,
        content: bytes,
        caption: str | None = None,
        mime_type: str = "text/plain",
        user_id: int | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """Simulate a user sending a file; getFile + download then return ``content``."""
        stored = self._store_file(content, filename, mime_type)
        _, message = self._user_message_dict(
            chat_id, user_id=user_id, first_name="User", chat_type=None, username=None, reply_to=reply_to
        )
        message["document"] = self._document_dict(stored)
        if caption is not None:
            message["caption"] = caption
            entities = self._text_entities(caption)
            if entities:
                message["caption_entities"] = entities
        return self.add_update({"message": message})

    def user_inline_query(self, user_id: int, query: str) -> dict[str, Any]:
        inline = {
            "id": f"{self._next_id()}{user_id % 100000:05d}",
            "from": self._user_dict(user_id),
            "query": query,
            "offset": "",
            "chat_type": "sender",
        }
        return self.add_update({"inline_query": inline})

    # --------------------------------------------------------------------------------- inspection

    @property
    def commands(self) -> list[dict[str, str]]:
        """Commands set for the default scope and no language (the common case)."""
        return self.all_commands.get("default", [])

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._updates)

    def messages_for(self, chat_id: int) -> list[SentMessage]:
        """Delivered messages to ``chat_id`` in order (empty when texts are not recorded)."""
        return list(self._sent_by_chat.get(chat_id, ()))

    def chat_summary(self, chat_id: int) -> dict[str, Any]:
        """Counters of one chat, available whatever ``record_texts`` is. Compare ``seq_hash`` with
        ``bot.offline.localtg.state.sequence_hash(expected_texts)`` to check content and order."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return {"chat_id": chat_id, "type": chat_type_for(chat_id), "bot_messages": 0, "seq_hash": ""}
        return {
            "chat_id": chat_id,
            "type": chat.type,
            "bot_messages": chat.sent_count,
            "last_message_id": chat.next_message_id - 1,
            "seq_hash": chat.seq_hash,
            "violations": chat.violations,
        }

    def digests_for(self, chat_id: int) -> list[tuple[int, str]]:
        """(message_id, sha1(text)[:8]) of the bot's messages still held for ``chat_id`` (all of them
        when texts are recorded, the last ``keep_recent`` otherwise)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [(mid, s.digest) for mid, s in chat.messages.items() if s.from_bot]

    def chat_type(self, chat_id: int) -> str:
        chat = self._chats.get(chat_id)
        return chat.type if chat is not None else chat_type_for(chat_id)

    def file_content(self, file_id: str) -> bytes:
        return self.files[file_id].content

    def stats(self) -> dict[str, Any]:
        statuses = self._status_counts
        return {
            "methods": dict(self._method_counts),
            "requests": sum(self._method_counts.values()),
            "delivered": self._delivered,
            "delivered_paid": self._delivered_paid,
            "rate_limited": dict(self._rate_limited),
            "rate_limited_total": statuses.get(429, 0),
            "forbidden": statuses.get(403, 0),
            "bad_request": statuses.get(400, 0),
            "server_errors": sum(n for s, n in statuses.items() if s >= 500),
            "dropped": self._dropped,
            "status_counts": {str(s): n for s, n in sorted(statuses.items())},
            "max_rate_1s": self._flood.max_rate,
            "max_per_chat_violations": self._max_chat_violations,
            "chats": len(self._chats),
            "edits": len(self.edits),
            "pending_updates": len(self._updates),
            "uptime": round(time.monotonic() - self._started_at, 3),
        }

    async def wait_for(
        self,
        predicate: Callable[[], object],
        timeout: float = 5.0,
        description: str | None = None,
    ) -> None:
        """Return once ``predicate()`` is truthy (checked every 10 ms without blocking the loop)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                what = description or getattr(predicate, "__name__", "predicate")
                last = [(m.chat_id, (m.text or "")[:60]) for m in self.sent[-5:]]
                raise TimeoutError(
                    f"{what} not satisfied within {timeout:.1f}s; delivered={self._delivered}, "
                    f"last messages={last}, pending updates={len(self._updates)}, stats={self._rate_limited}"
                )
            await asyncio.sleep(0.01)

    async def wait_for_messages(
        self,
        chat_id: int,
        n: int,
        timeout: float = 5.0,
    ) -> list[SentMessage]:
        """Wait until at least ``n`` messages were delivered to ``chat_id``; return them all."""
        try:
            await self.wait_for(lambda: len(self._sent_by_chat.get(chat_id, ())) >= n, timeout)
        except TimeoutError:
            got = self.messages_for(chat_id)
            raise TimeoutError(
                f"expected {n} message(s) to chat {chat_id} within {timeout:.1f}s, got {len(got)}: "
                f"{[(m.text or '')[:60] for m in got]}; stats={self._rate_limited}"
            ) from None
        return self.messages_for(chat_id)
