"""The same bulletin is not broadcast twice unless the admin chooses to (issue 9), on the real
Application against the imitation: a second preview of a bulletin says when it went out and to how
many and offers "send to those who have not got it" and "resend to everyone" (asked once more)
instead of Send; two previews of one bulletin sent one after the other reach each chat once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram
from data import outbox
from tests.conftest import ADMIN, BotHarness, bulletin_text, sample_bulletin
from tests.delivery_helpers import add_subscribers, parts_received

FILE = "case01.txt"
TASKS = len(sample_bulletin(FILE).tasks)
ADMIN2 = 9002


def _question(bot: BotHarness, chat_id: int) -> tuple[str, list[str]] | None:
    """The text and button labels of the last message to ``chat_id``, when it is a preview's question."""
    messages = bot.tg.messages_for(chat_id)
    if not messages:
        return None
    current = bot.tg.bot_message_dict(chat_id, messages[-1].message_id)
    buttons = [b for row in (current.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
    if not any(str(b.get("callback_data", "")).startswith("pc:cancel:") for b in buttons):
        return None
    return html_to_plain(current.get("text") or ""), [b["text"] for b in buttons]


async def _upload(bot: BotHarness, chat_id: int = ADMIN) -> tuple[str, list[str]]:
    """As an admin: upload the bulletin and wait for its preview's question (text, button labels)."""
    before = len(bot.tg.messages_for(chat_id))
    bot.tg.user_document(chat_id, FILE, bulletin_text(FILE).encode(), user_id=chat_id)
    await bot.until(lambda: len(bot.tg.messages_for(chat_id)) > before and _question(bot, chat_id) is not None, 60)
    found = _question(bot, chat_id)
    assert found is not None
    return found


def _finished(bot: BotHarness, broadcast_id: int, admin: int = ADMIN) -> bool:
    """The admin was told the broadcast is delivered (the monitor marks it done first)."""
    texts = [m.text or "" for m in bot.tg.messages_for(admin)] + [e.text or "" for e in bot.tg.edits]
    return any(f"Đã gửi xong · Delivered — bản tin #{broadcast_id}" in t for t in texts)


async def _delivered(bot: BotHarness, expected: dict[int, int], broadcast_id: int) -> None:
    """Wait until each chat has its expected number of messages and the broadcast is done."""
    await bot.until(lambda: all(len(bot.tg.messages_for(c)) >= n for c, n in expected.items()), 60)
    await bot.until(lambda: _finished(bot, broadcast_id), 60)
    await bot.until(lambda: bot.data.engine.idle, 30)
    assert not await outbox.any_pending(bot.store)
    await bot.settled()


def _each_task_once(bot: BotHarness, chat_id: int, times: int = 1) -> None:
    received = parts_received(bot.tg, chat_id)
    assert len(received) == TASKS * times
    firsts = [text.splitlines()[0] for text in received]
    for number in range(1, TASKS + 1):
        assert sum(f.startswith(f"📌 Nhiệm vụ {number}/{TASKS}") for f in firsts) == times, firsts


def _vietnam(stamp: str) -> str:
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}"


async def test_a_second_upload_names_the_first_broadcast_and_sends_only_to_newcomers(bot: BotHarness) -> None:
    first_chats = [71_001, 71_002]
    await add_subscribers(bot.store, first_chats)
    text, labels = await _upload(bot)
    assert "Gửi bản tin này tới 2 người đăng ký?" in text
    assert any(label == "✅ Gửi · Send" for label in labels)  # never sent: the plain Send, as before
    bot.press(ADMIN, "Gửi", user_id=ADMIN)
    await _delivered(bot, dict.fromkeys(first_chats, TASKS), 1)
    [first] = await outbox.recent_broadcasts(bot.store)
    assert first.status == "done" and first.started_at is not None

    # The same bulletin again: the question says when it went out and to how many; no plain Send.
    text, labels = await _upload(bot)
    assert f"Bản tin này đã được gửi lúc {_vietnam(first.started_at)} tới 2 người (#{first.id})." in text
    assert "went out at" in text and "to 2 people" in text
    assert not any("Gửi · Send" in label for label in labels)
    assert not any("người chưa nhận" in label for label in labels)  # everyone has it
    assert any("Gửi lại cho tất cả" in label for label in labels)

    # Someone subscribes; the next preview offers them alone.
    newcomer = 71_003
    await add_subscribers(bot.store, [newcomer])
    text, labels = await _upload(bot)
    assert "Còn 1/3 người đăng ký chưa nhận" in text and "1 of 3 subscribers have not got it" in text
    assert "📨 Gửi cho người chưa nhận (1) · Send to those who have not got it" in labels
    bot.press(ADMIN, "Gửi cho người chưa nhận", user_id=ADMIN)
    await _delivered(bot, {newcomer: TASKS}, 2)
    second = (await outbox.recent_broadcasts(bot.store))[0]
    assert second.id != first.id and second.recipients == 1
    assert any("2 người đã có bản tin này nên không được gửi lại" in (e.text or "") for e in bot.tg.edits)
    for chat in [*first_chats, newcomer]:
        _each_task_once(bot, chat)


async def test_resend_to_everyone_asks_once_more_then_resends(bot: BotHarness) -> None:
    chats = [72_001, 72_002]
    await add_subscribers(bot.store, chats)
    await _upload(bot)
    bot.press(ADMIN, "Gửi", user_id=ADMIN)
    await _delivered(bot, dict.fromkeys(chats, TASKS), 1)

    await _upload(bot)
    bot.press(ADMIN, "Gửi lại cho tất cả", user_id=ADMIN)
    await bot.until(lambda: "Xác nhận gửi lại" in _labels_now(bot), 30)
    await bot.settled()
    assert len(await outbox.recent_broadcasts(bot.store)) == 1  # asking sent nothing
    # Back puts the question back; pressing through resends to everyone.
    bot.press(ADMIN, "Quay lại", user_id=ADMIN)
    await bot.until(lambda: "Gửi lại cho tất cả · Resend to everyone" in _labels_now(bot), 30)
    bot.press(ADMIN, "Gửi lại cho tất cả", user_id=ADMIN)
    await bot.until(lambda: "Xác nhận gửi lại" in _labels_now(bot), 30)
    bot.press(ADMIN, "Xác nhận gửi lại", user_id=ADMIN)
    await _delivered(bot, dict.fromkeys(chats, 2 * TASKS), 2)
    broadcasts = await outbox.recent_broadcasts(bot.store)
    assert len(broadcasts) == 2 and broadcasts[0].recipients == 2
    for chat in chats:
        _each_task_once(bot, chat, times=2)


def _labels_now(bot: BotHarness, chat_id: int = ADMIN) -> str:
    """The buttons of the newest preview question in the chat, as they are now (after edits)."""
    for message in reversed(bot.tg.messages_for(chat_id)):
        current = bot.tg.bot_message_dict(chat_id, message.message_id)
        buttons = [b for row in (current.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        if any(str(b.get("callback_data", "")).startswith("pc:") for b in buttons):
            return " | ".join(b["text"] for b in buttons)
    return ""


async def test_two_previews_of_one_bulletin_sent_one_after_the_other_reach_each_chat_once(
    tg: LocalTelegram, bot_factory: Callable[..., Any]
) -> None:
    async with bot_factory(tg, admin_ids=frozenset({ADMIN, ADMIN2})) as bot:
        chats = [73_001, 73_002, 73_003]
        await add_subscribers(bot.store, chats)
        # Both admins preview the bulletin before either sends it: both see the plain Send.
        for admin in (ADMIN, ADMIN2):
            text, labels = await _upload(bot, admin)
            assert "Gửi bản tin này tới 3 người đăng ký?" in text and "✅ Gửi · Send" in labels
        bot.press(ADMIN, "Gửi", user_id=ADMIN)
        await bot.until(lambda: any("Đã xếp hàng bản tin #1" in (e.text or "") for e in bot.tg.edits), 30)
        seen = len(bot.tg.messages_for(ADMIN2))
        bot.press(ADMIN2, "Gửi", user_id=ADMIN2)  # the older view: everyone has #1 pending by now
        await bot.until(lambda: any("Không gửi gì" in (m.text or "") for m in bot.tg.messages_for(ADMIN2)[seen:]), 30)
        await _delivered(bot, dict.fromkeys(chats, TASKS), 1)
        assert len(await outbox.recent_broadcasts(bot.store)) == 1
        for chat in chats:
            _each_task_once(bot, chat)
        # The second admin's question now says so and offers only the explicit resend and Cancel.
        await bot.until(lambda: "Gửi lại cho tất cả" in _labels_now(bot, ADMIN2), 30)
        shown = _labels_now(bot, ADMIN2)
        assert "✅ Gửi · Send" not in shown and "người chưa nhận" not in shown and "Hủy" in shown
