"""The broadcast sender's fast path (one JSON POST on keep-alive connections, ``bot.ptb.sending``) next to
the PTB path (``Bot.do_api_request`` through ``PacedRateLimiter``), at the HTTP seam: every kind of
Telegram answer gives the same ``SendResult``, the Pacer's gate and 429 pause apply to it, and its
request carries the same fields."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram.ext import ExtBot

from bot.delivery.corrections import EDITED_INSTEAD, NOT_MODIFIED, Correction
from bot.delivery.outcomes import Outcome, SendResult
from bot.delivery.pacing import Pacer
from bot.offline.localtg import LocalTelegram
from bot.ptb.delivery_wiring import wire_delivery
from bot.ptb.rate_limiter import PacedRateLimiter
from bot.ptb.request import AiohttpRequest
from bot.ptb.sending import TelegramSender
from tests.conftest import TOKEN
from tests.delivery_helpers import one_connection_bot, parts_received

PTB_CHAT, FAST_CHAT = 101, 202


@asynccontextmanager
async def two_senders(
    base_url: str, base_file_url: str, *, read_timeout: float = 5.0
) -> AsyncIterator[tuple[TelegramSender, TelegramSender, Pacer]]:
    """One bot, as ``wire_delivery`` builds it, and a sender of each kind on it."""
    pacer = Pacer(1000)
    bot: ExtBot[dict[str, Any]] = ExtBot(
        TOKEN,
        base_url=base_url,
        base_file_url=base_file_url,
        request=AiohttpRequest(connection_pool_size=8, connect_timeout=1.0, pool_timeout=1.0),
        rate_limiter=PacedRateLimiter(pacer),
    )
    async with bot:
        ptb = TelegramSender(bot, read_timeout=read_timeout)
        fast = TelegramSender(bot, read_timeout=read_timeout, pacer=pacer)
        assert fast.fast and not ptb.fast
        yield ptb, fast, pacer


def comparable(result: SendResult) -> SendResult:
    return dataclasses.replace(result, message_id=None)


def _block(kind: str) -> Callable[[LocalTelegram, int], None]:
    return lambda tg, chat: tg.block(chat, kind)


# (name, how the answer to one send to ``chat`` is arranged, the text sent, the outcome it gives)
ANSWERS: list[tuple[str, Callable[[LocalTelegram, int], None], str, Outcome]] = [
    ("sent", lambda tg, chat: None, "<b>Nhiệm vụ 1</b> tuyên truyền", Outcome.SENT),
    ("blocked", _block("blocked"), "một", Outcome.GONE),
    ("deactivated", _block("deactivated"), "một", Outcome.GONE),
    ("kicked", _block("kicked"), "một", Outcome.GONE),
    ("chat not found", _block("not_found"), "một", Outcome.NOT_FOUND),
    ("migrated", lambda tg, chat: tg.migrate(chat, -1_000_000_000_000 - chat), "một", Outcome.MIGRATED),
    ("502 nginx page", lambda tg, chat: tg.fail_next(1, 502), "một", Outcome.TRANSIENT),
    ("500 json", lambda tg, chat: tg.fail_next(1, 500), "một", Outcome.TRANSIENT),
    ("bad html", lambda tg, chat: None, "<b>không đóng thẻ", Outcome.CONTENT),
    ("too long", lambda tg, chat: None, "ư" * 5000, Outcome.CONTENT),
    ("empty", lambda tg, chat: None, "", Outcome.CONTENT),
    ("delivered, never answered", lambda tg, chat: tg.drop_after_delivery(1), "một", Outcome.AMBIGUOUS),
    ("connection closed", lambda tg, chat: tg.drop_after_delivery(1, "close"), "một", Outcome.TRANSIENT),
]


@pytest.mark.parametrize(("arrange", "text", "outcome"), [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS])
async def test_each_answer_is_classified_as_the_ptb_path_classifies_it(
    tg: LocalTelegram, arrange: Callable[[LocalTelegram, int], None], text: str, outcome: Outcome
) -> None:
    async with two_senders(tg.base_url, tg.base_file_url, read_timeout=1.0) as (ptb, fast, _):
        arrange(tg, PTB_CHAT)
        by_ptb = await ptb.send(PTB_CHAT, text, notify=True)
        arrange(tg, FAST_CHAT)
        by_fast = await fast.send(FAST_CHAT, text, notify=True)
    assert by_ptb.outcome is outcome, by_ptb
    if outcome is Outcome.MIGRATED:  # each chat moved to its own supergroup
        assert (by_ptb.new_chat_id, by_fast.new_chat_id) == (
            -1_000_000_000_000 - PTB_CHAT,
            -1_000_000_000_000 - FAST_CHAT,
        )
        by_ptb, by_fast = (dataclasses.replace(r, new_chat_id=None, error="") for r in (by_ptb, by_fast))
    if by_ptb.error.startswith("aiohttp."):
        # A transport failure: each HTTP client words it its own way; what it means is the same.
        assert by_fast.error and TOKEN.split(":")[1] not in by_fast.error
        by_ptb, by_fast = (dataclasses.replace(r, error="") for r in (by_ptb, by_fast))
    assert comparable(by_fast) == comparable(by_ptb)
    if outcome is Outcome.SENT:
        [mine] = tg.messages_for(FAST_CHAT)
        assert by_fast.message_id == mine.message_id
        assert parts_received(tg, FAST_CHAT) == parts_received(tg, PTB_CHAT) == ["Nhiệm vụ 1 tuyên truyền"]


async def test_a_429_pauses_the_pacer_and_the_next_send_waits_for_the_pause(tg: LocalTelegram) -> None:
    async with two_senders(tg.base_url, tg.base_file_url) as (ptb, fast, pacer):
        tg.storm(retry_after=1, requests=1)
        by_ptb = await ptb.send(PTB_CHAT, "một", notify=True)
        ptb_pause = pacer.pause(0)  # the deadline in force (it never moves earlier)
        tg.storm(retry_after=1, requests=1)
        by_fast = await fast.send(FAST_CHAT, "một", notify=True)
        fast_pause = pacer.pause(0)
        assert fast_pause >= ptb_pause + 1.0  # the fast path's 429 paused the Pacer for its retry_after
        sent = await fast.send(FAST_CHAT + 1, "hai", notify=True)
    assert by_fast == by_ptb and (by_fast.outcome, by_fast.retry_after) == (Outcome.RETRY_AFTER, 1.0)
    assert sent.outcome is Outcome.SENT
    [after] = tg.messages_for(FAST_CHAT + 1)
    assert after.at >= fast_pause  # the gate held the request until the pause was over


async def test_nothing_listening_is_a_plain_retry_and_the_error_carries_no_token() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pacer = Pacer(1000)
    request = AiohttpRequest(connect_timeout=1.0, pool_timeout=1.0)
    base = f"http://127.0.0.1:{port}"
    bot: ExtBot[dict[str, Any]] = ExtBot(
        TOKEN,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=request,
        rate_limiter=PacedRateLimiter(pacer),
    )
    await request.initialize()  # not the bot: its getMe would fail the same way
    try:
        by_ptb = await TelegramSender(bot).send(PTB_CHAT, "một", notify=True)
        by_fast = await TelegramSender(bot, pacer=pacer).send(FAST_CHAT, "một", notify=True)
    finally:
        await request.shutdown()
    assert by_fast.outcome is by_ptb.outcome is Outcome.TRANSIENT
    for result in (by_ptb, by_fast):
        assert "Cannot connect" in result.error and TOKEN.split(":")[1] not in result.error


async def test_no_connection_in_time_is_told_apart_from_a_timeout_after_sending(tg: LocalTelegram) -> None:
    """The fast path's pool has the bot's size (here one): with its only connection held by a send
    that was delivered and never answered, the next send never leaves the process (a plain retry)."""
    pacer = Pacer(1000)
    bot = one_connection_bot(tg, pacer)
    async with bot:
        fast = TelegramSender(bot, read_timeout=2.0, pacer=pacer)
        tg.drop_after_delivery(1)
        hanging = asyncio.create_task(fast.send(1, "một", notify=True))
        await tg.wait_for(lambda: tg.stats()["methods"].get("sendMessage", 0) == 1, timeout=5)
        waited = await fast.send(2, "hai", notify=True)
        assert (waited.outcome, waited.error) == (Outcome.TRANSIENT, "timed out before sending")
        assert (await hanging).outcome is Outcome.AMBIGUOUS
    assert parts_received(tg, 2) == []


@pytest.mark.parametrize("paid", [False, True])
@pytest.mark.parametrize("notify", [False, True])
async def test_the_request_has_the_fields_of_the_ptb_path(tg: LocalTelegram, paid: bool, notify: bool) -> None:
    chain = wire_delivery(
        TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url, send_rate=30, paid_rate=100 if paid else None
    )
    async with chain.bot:
        sender = TelegramSender(chain.bot, paid=paid, pacer=chain.pacer)
        html = 'Nhiệm vụ "một" <b>đậm</b> \\ ✅'
        assert json.loads(sender.body(-100123, html, notify=notify)) == {
            "chat_id": -100123,
            "text": html,
            "parse_mode": "HTML",
            "disable_notification": not notify,
            "link_preview_options": {"is_disabled": True},
            **({"allow_paid_broadcast": True} if paid else {}),
        }
        assert (await sender.send(7, html, notify=notify)).outcome is Outcome.SENT
    [got] = tg.messages_for(7)
    assert (got.text, got.parse_mode, got.disable_notification, got.allow_paid_broadcast) == (
        html,
        "HTML",
        not notify,
        paid,
    )


async def test_both_paths_carry_out_corrections_alike(tg: LocalTelegram) -> None:
    """Edit (and again: not modified), reply, delete (a fresh message), delete refused for an old one
    (edited instead), and a message the user deleted: the same results on both paths."""
    tg.configure(enforce=False)  # one chat, many calls at once: the engine's pacing is not under test here
    async with two_senders(tg.base_url, tg.base_file_url) as (ptb, fast, _):
        for sender, chat in ((ptb, PTB_CHAT), (fast, FAST_CHAT)):
            ids = []
            for i in range(4):
                sent = await sender.send(chat, f"<b>Phần {i}</b>", notify=False, ack_for=7 if i == 0 else None)
                assert sent.message_id is not None
                ids.append(sent.message_id)
            edit = Correction("edit", ids[0], ack_for=7, acked_at="2026-12-03T01:12:00.000000Z")
            assert (await sender.correct(chat, "<b>Mới</b>", edit)) == SendResult(Outcome.SENT, message_id=ids[0])
            shown = tg.bot_message_dict(chat, ids[0])
            assert shown["text"] == "Mới"
            # The pressed button keeps its label (08:12 in Asia/Ho_Chi_Minh) and its data.
            [[button]] = shown["reply_markup"]["inline_keyboard"]
            assert button == {"text": "✅ Đã nhận lúc 08:12 · Received", "callback_data": "ack:got:7"}
            again = await sender.correct(chat, "<b>Mới</b>", edit)
            assert again == SendResult(Outcome.SENT, message_id=ids[0], note=NOT_MODIFIED)
            reply = await sender.correct(chat, "Lưu ý", Correction("reply", ids[1]))
            assert reply.outcome is Outcome.SENT and tg.messages_for(chat)[-1].reply_to_message_id == ids[1]
            deleted = await sender.correct(chat, "thu hồi", Correction("delete", ids[2], deletable=True))
            assert deleted == SendResult(Outcome.SENT, message_id=ids[2]) and (chat, ids[2]) in tg.deleted
            tg.set_message_date(chat, ids[3], 0)  # 1970: far past 48 hours
            refused = await sender.correct(chat, "<i>đã thu hồi</i>", Correction("delete", ids[3], deletable=True))
            assert refused == SendResult(Outcome.SENT, message_id=ids[3], note=EDITED_INSTEAD)
            assert tg.bot_message_dict(chat, ids[3])["text"] == "đã thu hồi"
            tg.user_deletes(chat, ids[1])
            gone = await sender.correct(chat, "x", Correction("edit", ids[1]))
            assert gone.outcome is Outcome.REJECTED and "message to edit not found" in gone.error.lower()
