"""Webhook mode at the HTTP seam: the real application serves a webhook on 127.0.0.1 and the local
imitation POSTs the updates to it (as Telegram does after setWebhook); requests without the secret
token, or with a wrong one, are refused and not processed; malformed bodies get 400 and the bot goes on."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.offline.localtg import LocalTelegram
from bot.ptb.app import build_application
from bot.ptb.runner import running
from bot.webhook_config import SECRET_HEADER, WebhookConfig
from data import subscribers
from tests.conftest import TOKEN, BotHarness, make_settings

SECRET = "s3cret-Token_for-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_update(tg: LocalTelegram, chat_id: int) -> dict[str, Any]:
    """A /start from ``chat_id`` as Telegram would post it, not queued in the imitation."""
    update = tg.user_message(chat_id, "/start")
    tg._updates.remove(update)  # the test posts it itself
    return update


@contextlib.asynccontextmanager
async def webhook_bot(tg: LocalTelegram, db: Path) -> AsyncIterator[tuple[BotHarness, WebhookConfig]]:
    port = free_port()
    config = WebhookConfig(url=f"http://127.0.0.1:{port}/telegram/hook", secret=SECRET, listen="127.0.0.1", port=port)
    settings = make_settings(tg, db)
    app = build_application(settings)
    async with running(app, webhook=config):
        yield BotHarness(tg, app, settings), config


@pytest.fixture
async def hooked(tg: LocalTelegram, tmp_path: Path) -> AsyncIterator[tuple[BotHarness, WebhookConfig]]:
    async with webhook_bot(tg, tmp_path / "bot.db") as pair:
        yield pair


async def api(tg: LocalTelegram, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.post(f"{tg.base_url}{TOKEN}/{method}", json=params) as r:
        return r.status, await r.json()


async def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    data = io.BytesIO(body)  # a stream: aiohttp warns about large raw bytes
    async with aiohttp.ClientSession() as session, session.post(url, data=data, headers=headers) as r:
        return r.status, await r.text()


async def test_start_is_answered_through_the_webhook(hooked: tuple[BotHarness, WebhookConfig]) -> None:
    bot, config = hooked
    tg = bot.tg
    # setWebhook was called with our url and secret, and every update type, like polling.
    assert tg.webhook_url == config.url and tg.webhook_secret == SECRET
    assert tg._allowed_updates is not None and "callback_query" in tg._allowed_updates

    [welcome] = await bot.ask(111, "/start", first_name="Lan")
    assert "Xin chào Lan!" in welcome and "đăng ký" in welcome
    sub = await subscribers.get(bot.store, 111)
    assert sub is not None and sub.active
    # It came by POST (no getUpdates): the imitation posted it and the bot answered 200.
    assert [p.status for p in tg.webhook_posts] == [200]
    assert tg.stats()["methods"].get("getUpdates", 0) == 0

    status, info = await api(tg, "getWebhookInfo")
    assert status == 200 and info["result"]["url"] == config.url
    assert info["result"]["pending_update_count"] == 0 and "last_error_date" not in info["result"]
    # While the webhook is set, getUpdates is a 409, as on Telegram.
    status, answer = await api(tg, "getUpdates")
    assert status == 409 and "webhook is active" in answer["description"]


@pytest.mark.parametrize("header", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1], SECRET.upper()])
async def test_a_missing_or_wrong_secret_is_refused_and_not_processed(
    hooked: tuple[BotHarness, WebhookConfig], header: str | None
) -> None:
    bot, config = hooked
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers[SECRET_HEADER] = header
    status, _ = await post(config.url, json.dumps(start_update(bot.tg, 333)).encode(), headers)
    assert status in (401, 403)
    # The bot still answers a genuine update, and when everything queued has been handled the
    # refused /start has had no effect: no reply, no subscriber.
    [welcome] = await bot.ask(444, "/start", first_name="Minh")
    assert "Xin chào Minh!" in welcome
    await bot.settled()
    assert bot.tg.messages_for(333) == []
    assert await subscribers.get(bot.store, 333) is None


async def test_malformed_bodies_get_400_and_the_bot_goes_on(hooked: tuple[BotHarness, WebhookConfig]) -> None:
    bot, config = hooked
    headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
    bodies = [
        b"",
        b"{not json",
        b"\xff\xfe\x00",
        b"[1, 2]",
        b'"text"',
        b'{"update_id": "seven"}',
        b'{"message": {"text": "/start"}}',
        b'{"update_id": 7, "message": {"text": "/start"}}',  # a message without chat or date
        json.dumps({"update_id": 8, "message": "x" * 10}).encode(),
    ]
    for body in bodies:
        status, text = await post(config.url, body, headers)
        assert status == 400, (body, status, text)
        assert json.loads(text)["ok"] is False
    # A body over the limit is refused too, not read into memory.
    status, _ = await post(config.url, b"{" + b" " * (2 * 1024 * 1024) + b"}", headers)
    assert status == 413
    # Nothing it refused was processed, and it still answers.
    [welcome] = await bot.ask(555, "/start", first_name="Hà")
    assert "Xin chào Hà!" in welcome
    # A trailing slash is the same path; a genuine update posted by hand is processed.
    status, _ = await post(config.url + "/", json.dumps(start_update(bot.tg, 556)).encode(), headers)
    assert status == 200
    await bot.replies(556)


async def test_health_check_on_the_same_server(hooked: tuple[BotHarness, WebhookConfig]) -> None:
    _, config = hooked
    base = config.url.split("/telegram")[0]
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/healthz") as r:
            assert r.status == 200
            health = await r.json()
        assert health["ok"] is True and health["mode"] == "webhook"
        # Only POST is served at the hook, and nothing else is served at all.
        async with session.get(config.url) as r:
            assert r.status == 405
        async with session.post(base + "/other", data=b"{}") as r:
            assert r.status == 404


async def test_stops_promptly_with_connections_open(tg: LocalTelegram, tmp_path: Path) -> None:
    async with contextlib.AsyncExitStack() as stack:
        bot, config = await stack.enter_async_context(webhook_bot(tg, tmp_path / "bot.db"))
        await bot.ask(111, "/start")
        # An idle keep-alive connection and a request whose body never finishes arriving.
        host, port = "127.0.0.1", config.port
        _, idle = await asyncio.open_connection(host, port)
        _, half = await asyncio.open_connection(host, port)
        half.write(
            b"POST /telegram/hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"{SECRET_HEADER}: {SECRET}\r\nContent-Length: 1000\r\n\r\n{{".encode()
        )
        await half.drain()
        await asyncio.sleep(0.1)
        started = time.monotonic()
        async with asyncio.timeout(2.0):  # the contract: stopped within 2 s of SIGTERM
            await stack.aclose()
        print(f"webhook stop: {time.monotonic() - started:.2f} s")  # reported, not asserted
        for writer in (idle, half):
            writer.close()
    # Nothing listens there any more, and the webhook stays set at Telegram (updates wait for the restart).
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection(host, port)
    assert tg.webhook_url == config.url
    tg.user_message(222, "/start")
    await tg.wait_for(lambda: tg.webhook_last_error is not None, 5.0)
    assert tg.pending_updates and tg.webhook_last_error is not None
    assert tg.webhook_last_error[1] == "Connection refused"


async def test_polling_again_after_webhook_mode(tg: LocalTelegram, tmp_path: Path, bot_factory: Any) -> None:
    async with webhook_bot(tg, tmp_path / "bot.db") as (bot, _):
        await bot.ask(111, "/start")
    tg.user_message(222, "/start")  # arrives while the bot is down: kept for it
    # Long polling (the default) calls deleteWebhook first, and then gets what was waiting.
    async with bot_factory(tg, database_path=tmp_path / "bot.db") as polling:
        await polling.replies(222)
        assert tg.webhook_url == ""
