"""Corrections at the HTTP seam (issue 12.4): the real bot on the local Telegram imitation edits,
retracts and replies to the messages a broadcast put in every chat, through the outbox and the
pacer, and reports what it did."""

from __future__ import annotations

import asyncio
import time

from bot.domain.rendering import html_to_plain, render_bulletin
from bot.services import corrections as service
from data import admin_actions, bulletins, corrections, outbox
from data.store import Store
from tests.conftest import ADMIN, BotHarness, sample_bulletin
from tests.delivery_helpers import add_subscribers

THREE_DAYS = 3 * 24 * 3600


async def _finished(bot: BotHarness, broadcast_id: int, timeout: float = 60.0) -> None:
    """Wait until ``broadcast_id`` has nothing pending and every message id is written, then close
    it as the monitor does."""
    store = bot.store

    async def left() -> bool:
        return bool(
            await store.fetchval(
                "SELECT count(*) FROM deliveries WHERE broadcast_id = ? AND status = 'pending'", (broadcast_id,)
            )
        )

    deadline = time.monotonic() + timeout
    while await left() or not bot.data.engine.idle:
        assert time.monotonic() < deadline, f"broadcast {broadcast_id} still pending"
        await asyncio.sleep(0.05)
    await outbox.finish_if_complete(store, broadcast_id)


async def _sent(bot: BotHarness, chats: list[int]) -> int:
    """The sample bulletin broadcast to ``chats`` and finished; its id."""
    await add_subscribers(bot.store, chats)
    bulletin = sample_bulletin()
    bulletin_id, _ = await bulletins.add(bot.store, bulletin)
    archived = await bulletins.get(bot.store, bulletin_id)
    assert archived is not None
    messages = [(m.task_number, m.html) for m in render_bulletin(archived)]
    info = await outbox.create_broadcast(bot.store, bulletin_id, messages, requested_by=ADMIN, admin_chat_id=None)
    bot.data.engine.wake()
    await _finished(bot, info.id)
    return info.id


async def _message_of(store: Store, broadcast_id: int, chat_id: int, seq: int) -> int:
    value = await store.fetchval(
        "SELECT message_id FROM deliveries WHERE broadcast_id = ? AND chat_id = ? AND seq = ?",
        (broadcast_id, chat_id, seq),
    )
    assert value is not None
    return int(value)


async def _correct(bot: BotHarness, plan: service.Plan) -> int:
    queued = await service.queue(bot.store, plan, admin_user_id=ADMIN, admin_name="Admin", admin_chat_id=None)
    bot.data.engine.wake()
    return queued.id


def _text(bot: BotHarness, chat_id: int, message_id: int) -> str:
    return str(bot.tg.bot_message_dict(chat_id, message_id).get("text") or "")


def _labels(bot: BotHarness, chat_id: int, message_id: int) -> list[str]:
    markup = bot.tg.bot_message_dict(chat_id, message_id).get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_an_edit_from_the_admin_dialog_reaches_every_recipient_through_the_pacer(bot: BotHarness) -> None:
    chats = [501, 502, 503, -504]  # a group among them: 20 a minute, and 3 s between its messages
    original = await _sent(bot, chats)
    old = {c: await _message_of(bot.store, original, c, 2) for c in chats}
    bot.tg.set_message_date(501, old[501], time.time() - THREE_DAYS)  # an edit has no 48 h limit

    assert "Chọn nhiệm vụ" in (await bot.ask(ADMIN, f"/dinhchinh {original}", user_id=ADMIN))[0]
    bot.press(ADMIN, "Nhiệm vụ 2", user_id=ADMIN)
    await bot.until(
        lambda: any("Sửa nội dung" in b for b in _labels(bot, ADMIN, bot.tg.messages_for(ADMIN)[-1].message_id))
    )
    bot.press(ADMIN, "Sửa nội dung", user_id=ADMIN)
    await bot.until(lambda: "Gửi nội dung mới" in _text(bot, ADMIN, bot.tg.messages_for(ADMIN)[-1].message_id))
    new_text = "Tổ chức tuyên truyền sâu rộng kết quả Hội nghị Trung ương lần thứ tư, khóa XIII (đã đính chính)."
    preview = await bot.ask(ADMIN, new_text, n=3, user_id=ADMIN)
    assert "Xem trước" in preview[0]
    assert new_text in preview[1] and "Nhiệm vụ 2/" in preview[1]  # the message as recipients will see it
    assert "4 cuộc trò chuyện" in preview[2] and "4 chats" in preview[2]  # the exact number of chats
    bot.press(ADMIN, "Xác nhận", user_id=ADMIN)
    await bot.until(
        lambda: any("Đã xếp hàng đính chính" in html_to_plain(m.text or "") for m in bot.tg.edits if m.chat_id == ADMIN)
    )

    [made] = await corrections.corrections_of(bot.store, original)
    await _finished(bot, made.id)
    for chat in chats:
        assert new_text in html_to_plain(_text(bot, chat, old[chat]))  # the message itself changed
        assert len(bot.tg.messages_for(chat)) == 6  # nothing new was sent
    assert bot.tg.stats()["rate_limited_total"] == 0, bot.tg.stats()["rate_limited"]
    assert await corrections.tally(bot.store, made.id) == corrections.Tally(done=4)
    # The archive answers with the corrected text; the action is recorded on the original.
    archived = await bulletins.get(bot.store, (await outbox.get_broadcast(bot.store, original)).bulletin_id)  # type: ignore[union-attr]
    assert archived is not None and archived.task(2) is not None and archived.task(2).text == new_text  # type: ignore[union-attr]
    actions = await admin_actions.for_broadcast(bot.store, original)
    assert [a.action for a in actions] == [admin_actions.EDIT] and f"#{made.id}" in actions[0].detail
