"""The imitation's webhook, as Telegram's: after setWebhook queued updates are POSTed with the secret
header and leave the queue only on a 2xx answer; failures show in getWebhookInfo and are retried with
back-off; getUpdates is a 409 while a webhook is set; deleteWebhook returns to polling."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.offline.localtg import LocalTelegram
from tests.conftest import TOKEN


class Receiver:
    """A webhook endpoint that answers the statuses it is given, then 200."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.got: list[tuple[dict[str, Any], str | None, str]] = []
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        self.got.append((body, request.headers.get("X-Telegram-Bot-Api-Secret-Token"), request.content_type))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self.runner.addresses[0][1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    yield r
    assert r.runner is not None
    await r.runner.cleanup()


async def api(tg: LocalTelegram, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.post(f"{tg.base_url}{TOKEN}/{method}", json=params) as r:
        return r.status, await r.json()


async def info(tg: LocalTelegram) -> dict[str, Any]:
    status, answer = await api(tg, "getWebhookInfo")
    assert status == 200
    result: dict[str, Any] = answer["result"]
    return result


async def test_updates_are_pushed_in_order_with_the_secret(tg: LocalTelegram, receiver: Receiver) -> None:
    tg.user_message(1, "before")  # queued before the webhook: delivered too
    status, _ = await api(tg, "setWebhook", url=receiver.url, secret_token="abc_DEF-123")
    assert status == 200
    tg.user_message(2, "after")
    await tg.wait_for(lambda: len(receiver.got) == 2, 5)
    assert [g[0]["message"]["text"] for g in receiver.got] == ["before", "after"]
    assert all(secret == "abc_DEF-123" and ctype == "application/json" for _, secret, ctype in receiver.got)
    await tg.wait_for(lambda: not tg.pending_updates, 5)
    facts = await info(tg)
    assert facts["url"] == receiver.url and facts["pending_update_count"] == 0 and "last_error_date" not in facts


async def test_a_failed_post_is_reported_and_retried(tg: LocalTelegram, receiver: Receiver) -> None:
    receiver.statuses = [500, 403]
    tg.wall_clock = lambda: 1_800_000_000.0
    await api(tg, "setWebhook", url=receiver.url, secret_token="s")
    update = tg.user_message(1, "hello")
    await tg.wait_for(lambda: len(receiver.got) == 3, 10)  # 500, 403, then taken
    assert {g[0]["update_id"] for g in receiver.got} == {update["update_id"]}
    assert [p.status for p in tg.webhook_posts] == [500, 403, 200]
    await tg.wait_for(lambda: not tg.pending_updates, 5)
    facts = await info(tg)
    # The last error stays reported after a later success, as on Telegram.
    assert facts["last_error_date"] == 1_800_000_000
    assert facts["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"
    assert facts["pending_update_count"] == 0


async def test_an_unreachable_webhook_keeps_the_updates(tg: LocalTelegram, receiver: Receiver) -> None:
    assert receiver.runner is not None
    url = receiver.url
    await receiver.runner.cleanup()  # nothing listens there any more
    await api(tg, "setWebhook", url=url)
    tg.user_message(1, "kept")
    await tg.wait_for(lambda: tg.webhook_last_error is not None, 5)
    facts = await info(tg)
    assert facts["pending_update_count"] == 1 and facts["last_error_message"] == "Connection refused"
    # Returning to polling: deleteWebhook, then getUpdates has what waited.
    await api(tg, "deleteWebhook")
    status, answer = await api(tg, "getUpdates", timeout=0)
    assert status == 200 and [u["message"]["text"] for u in answer["result"]] == ["kept"]
    assert (await info(tg))["url"] == ""
    await receiver.start()  # for the fixture's cleanup


async def test_get_updates_is_a_conflict_while_a_webhook_is_set(tg: LocalTelegram, receiver: Receiver) -> None:
    await api(tg, "setWebhook", url=receiver.url)
    status, answer = await api(tg, "getUpdates")
    assert status == 409
    assert answer["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    )
    # setWebhook with an empty url removes it, as deleteWebhook does.
    await api(tg, "setWebhook", url="")
    status, _ = await api(tg, "getUpdates", timeout=0)
    assert status == 200


async def test_allowed_updates_and_drop_pending(tg: LocalTelegram, receiver: Receiver) -> None:
    tg.user_message(1, "old")
    await api(tg, "setWebhook", url=receiver.url, drop_pending_updates=True, allowed_updates=["callback_query"])
    tg.user_message(1, "a message is not wanted")
    tg.add_update({"callback_query": {"id": "cb1", "chat_instance": "ci", "data": "d", "from": {"id": 1}}})
    await tg.wait_for(lambda: len(receiver.got) == 1, 5)
    assert "callback_query" in receiver.got[0][0]
    await tg.wait_for(lambda: not tg.pending_updates, 5)


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"url": "not a url"}, "bad webhook"),
        ({"url": "http://127.0.0.1:1/x", "secret_token": "has space"}, "secret token contains unallowed characters"),
        ({"url": "http://127.0.0.1:1/x", "secret_token": "x" * 257}, "secret token contains unallowed characters"),
    ],
)
async def test_bad_set_webhook_calls_are_refused(tg: LocalTelegram, params: dict[str, Any], description: str) -> None:
    status, answer = await api(tg, "setWebhook", **params)
    assert status == 400 and description in answer["description"]
    assert tg.webhook_url == ""
