""" "Đã nhận" acknowledgements at the HTTP seam: the real bot on the local Telegram imitation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.offline.localtg import LocalTelegram
from data import acks, outbox
from tests.conftest import BotHarness
from tests.delivery_helpers import add_subscribers

BULLETIN = "seed-2021-10-haiphong.txt"


def _labels(bot: BotHarness, chat_id: int, message_id: int) -> list[str]:
    markup = bot.tg.bot_message_dict(chat_id, message_id).get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def _answer(bot: BotHarness, press: Callable[[], object]) -> str:
    """Press (``press()``) and return the text the bot answered that callback with."""
    before = len(bot.tg.callback_answers)
    press()
    await bot.until(lambda: len(bot.tg.callback_answers) > before)
    return bot.tg.callback_answers[before].text or ""


async def _delivered(bot: BotHarness, chats: list[int]) -> int:
    """Publish the sample bulletin to ``chats`` and wait until every part is sent and written."""
    await add_subscribers(bot.store, chats)
    await bot.publish(BULLETIN)
    await bot.until(lambda: all(len(bot.tg.messages_for(c)) >= 6 for c in chats), timeout=30)
    await bot.until(lambda: bot.data.engine.idle, timeout=10)
    [info] = await outbox.recent_broadcasts(bot.store)
    return info.id


async def test_only_the_last_part_carries_the_button_and_a_press_records_once(bot: BotHarness) -> None:
    broadcast_id = await _delivered(bot, [501, 502])
    for chat in (501, 502):
        parts = bot.tg.messages_for(chat)
        assert [_labels(bot, chat, m.message_id) for m in parts[:5]] == [[]] * 5
        assert _labels(bot, chat, parts[5].message_id) == ["✅ Đã nhận · Received"]
        assert bot.button(chat, "Đã nhận")[1] == f"ack:got:{broadcast_id}"
    last = bot.tg.messages_for(501)[5].message_id

    assert "Đã ghi nhận" in await _answer(bot, lambda: bot.press(501, "Đã nhận", user_id=501))
    at = await acks.acked_at(bot.store, broadcast_id, 501)
    assert at is not None
    await bot.until(lambda: "Đã nhận lúc" in " ".join(_labels(bot, 501, last)))
    [label] = _labels(bot, 501, last)
    assert label.startswith("✅ Đã nhận lúc ") and label.endswith(" · Received")
    hhmm = label.removeprefix("✅ Đã nhận lúc ").removesuffix(" · Received")
    assert len(hhmm) == 5 and hhmm[2] == ":"

    second = await _answer(bot, lambda: bot.press(501, "Đã nhận", user_id=501))  # the edited button still answers
    assert "Đã ghi nhận từ trước" in second and hhmm in second
    assert await acks.acked_at(bot.store, broadcast_id, 501) == at  # the first time is kept
    assert await acks.rate(bot.store, broadcast_id) == acks.Rate(acked=1, received=2)
    assert _labels(bot, 502, bot.tg.messages_for(502)[5].message_id) == ["✅ Đã nhận · Received"]


async def test_a_stranger_or_a_malformed_press_records_nothing(bot: BotHarness) -> None:
    broadcast_id = await _delivered(bot, [601])
    await bot.ask(699, "/start")  # subscribed after the broadcast: not a recipient
    welcome = bot.tg.messages_for(699)[-1].message_id
    assert "không được gửi" in await _answer(bot, lambda: bot.tg.user_callback(699, welcome, f"ack:got:{broadcast_id}"))
    # No such broadcast; then data that is no ack button at all (answered as out of date).
    assert "không được gửi" in await _answer(bot, lambda: bot.tg.user_callback(699, welcome, "ack:got:987654"))
    assert await _answer(bot, lambda: bot.tg.user_callback(699, welcome, "ack:got:x1"))
    await bot.settled()
    assert await acks.rate(bot.store, broadcast_id) == acks.Rate(acked=0, received=1)
    assert await bot.store.fetchval("SELECT count(*) FROM acknowledgements") == 0
    assert _labels(bot, 699, welcome) == []


async def test_a_press_after_a_restart_is_recorded(tg: LocalTelegram, bot_factory: Callable[..., Any]) -> None:
    async with bot_factory(tg) as bot:
        broadcast_id = await _delivered(bot, [701])
    async with bot_factory(tg) as bot:
        assert "Đã ghi nhận" in await _answer(bot, lambda: bot.press(701, "Đã nhận", user_id=701))
        last = tg.messages_for(701)[5].message_id
        await bot.until(lambda: "Đã nhận lúc" in " ".join(_labels(bot, 701, last)))
        assert await acks.rate(bot.store, broadcast_id) == acks.Rate(acked=1, received=1)
