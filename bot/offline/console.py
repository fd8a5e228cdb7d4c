"""Offline console: chat with the real bot application through the local Telegram imitation.

Lines you type are messages from a simulated user; lines starting with ``:`` are console commands
(``:help``). The bot's answers are printed as the plain text a Telegram client would show, buttons
by label. Reads stdin non-interactively when it is not a terminal and exits at end of input.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import secrets
import shlex
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot import logging_setup
from bot.domain.parser import parse_bulletin
from bot.domain.rendering import html_to_plain
from bot.domain.textnorm import fold
from bot.offline.localtg import LocalTelegram, SentMessage
from bot.ptb.app import build_application
from bot.ptb.runner import running
from bot.settings import Settings
from bot.webhook_config import WebhookConfig
from data import bulletins
from data.store import Store

# Not a secret: the imitation accepts any well-formed token.
CONSOLE_TOKEN = "1000001:LOCAL-CONSOLE-TOKEN-not-a-secret"
USER_ID = 1001
ADMIN_ID = 9001
SAMPLE = "seed-2021-10-haiphong.txt"
# Longer than the 1 s per-chat spacing, so a multi-message answer prints before the next line.
QUIET_SECONDS = 1.4
MAX_WAIT_SECONDS = 15.0

HELP = """Console commands (everything else is sent to the bot as a message):
  :admin            act as the admin (user 9001), who may /publish
  :user [ID]        act as a regular user (default 1001)
  :press LABEL      press the button whose label contains LABEL on the latest message with buttons
  :upload PATH [CAPTION]   send a file as a document (e.g. a bulletin .txt as admin)
  :crowd N          subscribe N simulated users (their messages are counted, not printed)
  :wait SECONDS     wait for the bot (deliveries take about a second per message per chat)
  :help             this help
  :quit             leave (also Ctrl+D)"""


def sample_path() -> Path:
    return Path(__file__).resolve().parent / "samples" / SAMPLE


@dataclass
class Console:
    tg: LocalTelegram
    out: Any = sys.stdout
    chat_id: int = USER_ID
    last_activity: float = field(default_factory=time.monotonic)
    edits_seen: int = 0
    elsewhere: int = 0
    # Set once the bot runs: True when the delivery engine has nothing left to send.
    deliveries_idle: Callable[[], bool] = lambda: True

    def on_send(self, message: SentMessage) -> None:
        self.last_activity = time.monotonic()
        if message.chat_id != self.chat_id:
            self.elsewhere += 1
            return
        stored = self.tg.files.get(message.file_id) if message.file_id else None
        if stored is not None and message.method == "sendPhoto":
            print(f"bot › [photo: {len(stored.content):,} bytes]", file=self.out)
        elif stored is not None:
            print(f"bot › [document: {stored.file_name or 'file'}, {len(stored.content):,} bytes]", file=self.out)
        self._print_message(message.text, message.reply_markup, prefix="bot ›")

    def flush_edits(self) -> None:
        while self.edits_seen < len(self.tg.edits):
            edit = self.tg.edits[self.edits_seen]
            self.edits_seen += 1
            self.last_activity = time.monotonic()
            if edit.chat_id == self.chat_id and edit.text is not None:
                self._print_message(edit.text, edit.reply_markup, prefix="bot ✎")

    def _print_message(self, text: str | None, markup: dict[str, Any] | None, *, prefix: str) -> None:
        body = html_to_plain(text or "")
        lines = body.splitlines() or [""]
        print(f"{prefix} {lines[0]}", file=self.out)
        for line in lines[1:]:
            print(f"      {line}", file=self.out)
        for row in (markup or {}).get("inline_keyboard", []):
            print("      " + "  ".join(f"[ {button.get('text', '')} ]" for button in row), file=self.out)
        print(file=self.out)
        self.out.flush()

    def find_button(self, label: str) -> tuple[int, str] | None:
        """(message id, callback data) of the newest button in this chat whose label contains ``label``."""
        wanted = fold(label).strip()
        for message in reversed(self.tg.messages_for(self.chat_id)):
            markup = self._current_markup(message)
            for row in (markup or {}).get("inline_keyboard", []):
                for button in row:
                    if wanted in fold(str(button.get("text", ""))) and "callback_data" in button:
                        return message.message_id, str(button["callback_data"])
        return None

    def _current_markup(self, message: SentMessage) -> dict[str, Any] | None:
        markup = message.reply_markup
        for edit in self.tg.edits:  # an edit may have replaced the buttons
            if edit.chat_id == message.chat_id and edit.message_id == message.message_id:
                markup = edit.reply_markup
        return markup

    async def settle(self, *, until_idle: bool = False) -> None:
        """Wait until the bot has been quiet for a moment (or for the delivery queue to drain)."""
        deadline = time.monotonic() + (120.0 if until_idle else MAX_WAIT_SECONDS)
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            self.flush_edits()
            quiet = time.monotonic() - self.last_activity >= QUIET_SECONDS and not self.tg.pending_updates
            if quiet and (not until_idle or self.deliveries_idle()):
                return


async def _seed(database: Path) -> None:
    async with await Store.open(database) as store:
        if await bulletins.count(store) == 0:
            await bulletins.add(store, parse_bulletin(sample_path().read_bytes()))


async def _crowd(store: Store, n: int) -> None:
    from data import subscribers

    for i in range(n):
        chat_id = 2_000_000 + i
        await subscribers.subscribe(store, chat_id, user_id=chat_id, chat_type="private", display_name=f"User {i}")


def _console_webhook() -> WebhookConfig:
    """Webhook mode for the console: a free port on 127.0.0.1 and a fresh secret."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    # token_urlsafe uses A-Z a-z 0-9 - _ only: what Telegram allows in a secret token.
    return WebhookConfig(
        url=f"http://127.0.0.1:{port}/telegram", secret=secrets.token_urlsafe(24), listen="127.0.0.1", port=port
    )


async def run_console(
    settings: Settings, *, database: str | None = None, keep: bool = False, webhook: bool = False
) -> int:
    interactive = sys.stdin.isatty()
    tmp = None if database or keep else tempfile.TemporaryDirectory(prefix="bulletin-console-")
    db_path = Path(database) if database else Path(tmp.name if tmp else tempfile.mkdtemp()) / "console.db"
    logging_setup.configure("WARNING", secrets=(CONSOLE_TOKEN,))
    logging.getLogger("bot.offline.localtg").setLevel(logging.ERROR)
    try:
        await _seed(db_path)
        async with LocalTelegram() as tg:
            local = settings.model_copy(
                update={
                    "bot_token": SecretStr(CONSOLE_TOKEN),
                    "telegram_api_url": tg.base_url,
                    "telegram_file_url": tg.base_file_url,
                    "database_path": db_path,
                    "admin_ids": frozenset(settings.admin_ids | {ADMIN_ID}),
                    "paid_broadcast": False,
                }
            )
            console = Console(tg)
            tg.on_send.append(console.on_send)
            app = build_application(local)
            hook = _console_webhook() if webhook else None
            async with running(app, poll_timeout=1, webhook=hook):
                data = app.bot_data
                console.deliveries_idle = lambda: (not data.has_engine) or data.engine.idle
                print(
                    "Offline console · bot trên Telegram giả lập cục bộ. Type :help for console commands, or /start.",
                    flush=True,
                )
                print(local.describe_sources(), flush=True)
                if hook is not None:
                    print(f"webhook mode: the imitation POSTs each update to {hook.url} (with the secret)", flush=True)
                await _loop(console, tg, data.store, interactive)
                await console.settle(until_idle=True)
            if console.elsewhere:
                print(f"({console.elsewhere} messages went to other chats)")
    finally:
        if tmp is not None:
            tmp.cleanup()
    if keep:
        print(f"database kept at {db_path}")
    return 0


async def _read_line(interactive: bool, prompt: str) -> str | None:
    loop = asyncio.get_running_loop()
    if interactive:
        try:
            return await loop.run_in_executor(None, input, prompt)
        except EOFError:
            return None
    line = await loop.run_in_executor(None, sys.stdin.readline)
    return line.rstrip("\n") if line else None


async def _loop(console: Console, tg: LocalTelegram, store: Store, interactive: bool) -> None:
    while True:
        actor = "admin" if console.chat_id == ADMIN_ID else f"user {console.chat_id}"
        line = await _read_line(interactive, f"{actor} › ")
        if line is None:
            return
        line = line.strip()
        if not line:
            continue
        if not interactive:
            print(f"{actor} › {line}", flush=True)
        if line.startswith(":"):
            if not await _command(console, tg, store, line):
                return
        else:
            tg.user_message(console.chat_id, line, user_id=console.chat_id, first_name=_name(console))
        console.last_activity = time.monotonic()
        await console.settle()


def _name(console: Console) -> str:
    return "Admin" if console.chat_id == ADMIN_ID else "Reporter"


async def _command(console: Console, tg: LocalTelegram, store: Store, line: str) -> bool:
    try:
        parts = shlex.split(line[1:])
    except ValueError as exc:
        print(f"console: {exc}")
        return True
    name, args = (parts[0].lower(), parts[1:]) if parts else ("help", [])
    if name in {"quit", "exit", "q"}:
        return False
    if name == "admin":
        console.chat_id = ADMIN_ID
        print("console: now acting as the admin (user 9001)")
    elif name == "user":
        console.chat_id = int(args[0]) if args and args[0].isdigit() else USER_ID
        print(f"console: now acting as user {console.chat_id}")
    elif name == "press" and args:
        found = console.find_button(" ".join(args))
        if found is None:
            print(f"console: no button labelled {' '.join(args)!r} in this chat")
        else:
            tg.user_callback(console.chat_id, found[0], found[1], user_id=console.chat_id, first_name=_name(console))
    elif name == "upload" and args:
        path = Path(args[0]).expanduser()
        try:
            content = path.read_bytes()
        except OSError as exc:
            print(f"console: cannot read {path}: {exc.strerror}")
            return True
        caption = " ".join(args[1:]) or None
        # As a Telegram client does: the type from the file's name (the bot trusts its bytes first).
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        tg.user_document(console.chat_id, path.name, content, caption=caption, mime_type=mime, user_id=console.chat_id)
    elif name == "crowd" and args and args[0].isdigit():
        await _crowd(store, int(args[0]))
        print(f"console: {args[0]} simulated subscribers added")
    elif name == "wait":
        await asyncio.sleep(float(args[0]) if args else 2.0)
    else:
        print(HELP)
    return True
