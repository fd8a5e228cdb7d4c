"""/forget at the HTTP seam: the real bot on the local Telegram imitation asks first, Keep changes
nothing, Delete deletes and says what, a second press is harmless, forged or foreign presses delete
nothing, and a chat forgotten mid-broadcast gets no further part."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.rendering import html_to_plain
from data import acks, outbox, privacy, subscribers
from tests.conftest import ADMIN, BotHarness
from tests.delivery_helpers import add_subscribers

BULLETIN = "seed-2021-10-haiphong.txt"
ME = 4242


def _labels(bot: BotHarness, chat_id: int, message_id: int) -> list[str]:
    markup = bot.tg.bot_message_dict(chat_id, message_id).get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def _text(bot: BotHarness, chat_id: int, message_id: int) -> str:
    return html_to_plain(bot.tg.bot_message_dict(chat_id, message_id).get("text") or "")


async def _answer(bot: BotHarness, press: Callable[[], object]) -> str:
    before = len(bot.tg.callback_answers)
    press()
    await bot.until(lambda: len(bot.tg.callback_answers) > before)
    return bot.tg.callback_answers[before].text or ""


def _finished(bot: BotHarness) -> int:
    """How many broadcasts the admin was told are delivered (the monitor's final message)."""
    return sum("Đã gửi xong" in (m.text or "") for m in bot.tg.messages_for(ADMIN))


def _parts(bot: BotHarness, chat_id: int) -> list[str]:
    return [m.text or "" for m in bot.tg.messages_for(chat_id) if "Nhiệm vụ" in (m.text or "")]


async def _stored(bot: BotHarness, chat_id: int) -> int:
    """Rows that name ``chat_id`` in the tables a subscriber leaves traces in."""
    total = 0
    for table in ("subscribers", "deliveries", "acknowledgements", "subscriber_events"):
        total += int(await bot.store.fetchval(f"SELECT count(*) FROM {table} WHERE chat_id = ?", (chat_id,)))
    return total


async def test_keep_changes_nothing_delete_deletes_and_a_second_press_is_harmless(bot: BotHarness) -> None:
    await bot.ask(ME, "/start", first_name="Quỳnh")
    await bot.ask(ME, "/profile Tuyên truyền viên | Phường Đông Hải")
    await add_subscribers(bot.store, [4343])
    await bot.publish(BULLETIN)
    await bot.until(lambda: len(bot.tg.messages_for(4343)) >= 6, timeout=30)
    await bot.until(lambda: bot.data.engine.idle, timeout=10)
    [info] = await outbox.recent_broadcasts(bot.store)
    assert (await outbox.counts(bot.store, info.id)).sent == 12
    assert "Đã ghi nhận" in await _answer(bot, lambda: bot.press(ME, "Đã nhận", user_id=ME))
    bot.seen[ME] = len(bot.tg.messages_for(ME))

    [question] = await bot.ask(ME, "/forget")
    assert "Xóa dữ liệu của bạn?" in question and "Delete your data?" in question
    asked = bot.tg.messages_for(ME)[-1].message_id
    assert _labels(bot, ME, asked) == ["🗑 Xóa dữ liệu của tôi · Delete my data", "✖️ Không · Keep"]
    bot.press(ME, "Không")
    await bot.until(lambda: "Đã giữ nguyên" in _text(bot, ME, asked))
    assert _labels(bot, ME, asked) == []
    assert await subscribers.get(bot.store, ME) is not None and await _stored(bot, ME) > 7

    [question] = await bot.ask(ME, "/xoadulieu")  # the Vietnamese alias
    asked = bot.tg.messages_for(ME)[-1].message_id
    message_id, data = bot.button(ME, "Xóa dữ liệu")
    assert data == "forget:yes:0"
    bot.tg.user_callback(ME, message_id, data)
    await bot.until(lambda: "Đã xóa dữ liệu của bạn" in _text(bot, ME, asked))
    answer = _text(bot, ME, asked)
    assert "đăng ký và hồ sơ" in answer and "6 lượt gửi đã ẩn danh" in answer and "1 xác nhận" in answer
    assert _labels(bot, ME, asked) == []
    assert await _stored(bot, ME) == 0 and not await privacy.known(bot.store, ME)
    assert await acks.rate(bot.store, info.id) == acks.Rate(acked=1, received=2)  # counted, anonymously

    # The same press again (a double tap): a toast, the answer stays as it was.
    toast = await _answer(bot, lambda: bot.tg.user_callback(ME, message_id, data))
    assert "không lưu dữ liệu" in toast
    await bot.settled()
    assert _text(bot, ME, asked) == answer
    assert await _stored(bot, ME) == 0
    # A later broadcast does not reach them; /start subscribes them again, afresh.
    await bot.publish("fam-plus.txt")
    await bot.until(lambda: _finished(bot) == 2, timeout=30)
    await bot.until(lambda: bot.data.engine.idle, timeout=10)
    assert len(bot.tg.messages_for(4343)) > 6
    assert len(bot.tg.messages_for(ME)) == bot.seen[ME]
    await bot.ask(ME, "/start")
    again = await subscribers.get(bot.store, ME)
    assert again is not None and again.active and again.role is None


async def test_forged_foreign_and_group_presses_delete_nothing(bot: BotHarness) -> None:
    await bot.ask(ME, "/start")
    await bot.ask(ME, "/forget")
    asked = bot.tg.messages_for(ME)[-1].message_id
    stored = await _stored(bot, ME)
    # Someone else's press on this chat's question (a forged update), and data naming another chat.
    assert "không dành cho bạn" in await _answer(
        bot, lambda: bot.tg.user_callback(ME, asked, "forget:yes:0", user_id=5151)
    )
    assert "không dành cho bạn" in await _answer(bot, lambda: bot.tg.user_callback(ME, asked, "forget:yes:4343"))
    for forged in ("forget:yes:", "forget:nuke:0", "forget:yes:0:1", "forget:yes:٣", "forget:" + "9" * 60):
        assert "đã cũ" in await _answer(bot, lambda f=forged: bot.tg.user_callback(ME, asked, f))  # type: ignore[misc]
    await bot.settled()
    assert await _stored(bot, ME) == stored and await subscribers.get(bot.store, ME) is not None
    assert _labels(bot, ME, asked) == ["🗑 Xóa dữ liệu của tôi · Delete my data", "✖️ Không · Keep"]

    group = -2001
    await add_subscribers(bot.store, [group])
    [reply] = await bot.ask(group, "/forget", user_id=ADMIN)
    assert "chỉ dùng trong cuộc trò chuyện riêng" in reply
    welcome = bot.tg.messages_for(group)[-1].message_id
    assert "không dành cho bạn" in await _answer(
        bot, lambda: bot.tg.user_callback(group, welcome, "forget:yes:0", user_id=ADMIN)
    )
    group_row = await subscribers.get(bot.store, group)
    assert group_row is not None and group_row.active


async def test_a_chat_forgotten_mid_broadcast_gets_no_further_part(bot: BotHarness) -> None:
    await add_subscribers(bot.store, [ME, 4343])
    await bot.publish(BULLETIN)  # six parts a chat, at most one a second per chat
    await bot.until(lambda: len(bot.tg.messages_for(ME)) >= 1, timeout=20)
    await bot.ask(ME, "/forget")
    asked = next(m.message_id for m in bot.tg.messages_for(ME) if "Xóa dữ liệu của bạn?" in (m.text or ""))
    bot.press(ME, "Xóa dữ liệu")
    await bot.until(lambda: "Đã xóa dữ liệu" in _text(bot, ME, asked), timeout=10)
    parts_then = len(_parts(bot, ME))
    await bot.until(lambda: _finished(bot) == 1, timeout=30)
    await bot.until(lambda: bot.data.engine.idle, timeout=10)
    assert len(_parts(bot, 4343)) == 6  # the other chat got all six, in the time ME would have
    assert len(_parts(bot, ME)) == parts_then < 6
    assert await _stored(bot, ME) == 0
    [info] = await outbox.recent_broadcasts(bot.store)
    counts = await outbox.counts(bot.store, info.id)
    # A part in flight at the press lands in the chat, yet its row, cancelled meanwhile, stays so.
    assert counts.pending == 0 and counts.sent + counts.cancelled == 12
    assert 6 - parts_then <= counts.cancelled <= 6 - parts_then + 1
