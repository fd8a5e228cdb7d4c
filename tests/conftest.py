"""Shared fixtures: a real SQLite store, the local Telegram imitation, and the real bot running on it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from pydantic import SecretStr

from bot.domain.parser import parse_bulletin
from bot.domain.records import Bulletin
from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram, SentMessage
from bot.ptb.app import build_application
from bot.ptb.context import BotData
from bot.ptb.runner import running
from bot.settings import Settings
from data.store import Store

# Hypothesis fails an example that takes over 200 ms by default: a stopwatch in every property test.
# Without it, a slow or busy machine cannot fail a test that is right; cost is measured in benchmarks/.
hypothesis_settings.register_profile("no-deadline", deadline=None)
hypothesis_settings.load_profile("no-deadline")

DATA = Path(__file__).resolve().parent / "data"
TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
ADMIN = 9001


def bulletin_text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8-sig")


def sample_bulletin(name: str = "seed-2021-10-haiphong.txt") -> Bulletin:
    return parse_bulletin((DATA / name).read_bytes())


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(tmp_path / "test.db") as opened:
        yield opened


@pytest.fixture
async def tg() -> AsyncIterator[LocalTelegram]:
    async with LocalTelegram() as server:
        yield server


@dataclass
class BotHarness:
    """The real Application polling the imitation, with helpers that act like Telegram users."""

    tg: LocalTelegram
    app: Any
    settings: Settings
    seen: dict[int, int] = field(default_factory=dict)

    @property
    def data(self) -> BotData:
        data: BotData = self.app.bot_data
        return data

    @property
    def store(self) -> Store:
        return self.data.store

    def say(self, chat_id: int, text: str, **kwargs: Any) -> None:
        self.tg.user_message(chat_id, text, **kwargs)

    async def replies(self, chat_id: int, n: int = 1, timeout: float = 10.0) -> list[SentMessage]:
        """The next ``n`` messages to ``chat_id`` after those already returned."""
        start = self.seen.get(chat_id, 0)
        got = await self.tg.wait_for_messages(chat_id, start + n, timeout)
        self.seen[chat_id] = len(got)
        return got[start:]

    async def ask(self, chat_id: int, text: str, n: int = 1, **kwargs: Any) -> list[str]:
        """Send ``text`` and return the plain text of the next ``n`` replies."""
        self.seen.setdefault(chat_id, len(self.tg.messages_for(chat_id)))
        self.say(chat_id, text, **kwargs)
        return [html_to_plain(m.text or "") for m in await self.replies(chat_id, n)]

    def button(self, chat_id: int, label: str) -> tuple[int, str]:
        for message in reversed(self.tg.messages_for(chat_id)):
            current = self.tg.bot_message_dict(chat_id, message.message_id)  # after any edits
            for row in (current.get("reply_markup") or {}).get("inline_keyboard", []):
                for b in row:
                    if label in b.get("text", "") and "callback_data" in b:
                        return message.message_id, b["callback_data"]
        raise AssertionError(f"no button {label!r} in chat {chat_id}")

    def press(self, chat_id: int, label: str, user_id: int | None = None) -> None:
        message_id, data = self.button(chat_id, label)
        self.tg.user_callback(chat_id, message_id, data, user_id=user_id)

    async def publish(self, bulletin_file: str) -> None:
        """As the admin: upload a bulletin from tests/data, wait for the preview, press Send."""
        self.tg.user_document(ADMIN, bulletin_file, bulletin_text(bulletin_file).encode(), user_id=ADMIN)
        await self.until(lambda: any("Gửi bản tin này" in (m.text or "") for m in self.tg.messages_for(ADMIN)[-1:]), 20)
        self.seen[ADMIN] = len(self.tg.messages_for(ADMIN))
        self.press(ADMIN, "Gửi", user_id=ADMIN)

    async def until(self, predicate: Callable[[], object], timeout: float = 10.0) -> None:
        await self.tg.wait_for(predicate, timeout)

    async def settled(self, timeout: float = 10.0) -> None:
        """Every update sent so far was fetched and handled to the end: what a test waits for before
        it checks that something did *not* happen (no reply, no further message).

        The imitation drops an update once the next getUpdates confirms it, which PTB's Updater sends
        only after putting the batch in the update queue; the queue counts an update done only after
        its handlers returned (``Application.__process_update_wrapper`` calls ``task_done``)."""
        await self.until(lambda: not self.tg.pending_updates, timeout)
        async with asyncio.timeout(timeout):
            await self.app.update_queue.join()


def make_settings(tg: LocalTelegram, db: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": SecretStr(TOKEN),
        "telegram_api_url": tg.base_url,
        "telegram_file_url": tg.base_file_url,
        "database_path": db,
        "admin_ids": frozenset({ADMIN}),
        "send_rate": 25.0,
    }
    values.update(overrides)
    return Settings.model_construct(**values)


@pytest.fixture
def bot_factory(tmp_path: Path) -> Callable[..., Any]:
    """``async with bot_factory(tg, **setting_overrides) as harness:`` runs the real bot."""
    import contextlib

    @contextlib.asynccontextmanager
    async def factory(tg: LocalTelegram, **overrides: Any) -> AsyncIterator[BotHarness]:
        settings = make_settings(tg, overrides.pop("database_path", tmp_path / "bot.db"), **overrides)
        app = build_application(settings)
        async with running(app, poll_timeout=1):
            yield BotHarness(tg, app, settings)

    return factory


@pytest.fixture
async def bot(tg: LocalTelegram, bot_factory: Callable[..., Any]) -> AsyncIterator[BotHarness]:
    async with bot_factory(tg) as harness:
        yield harness
