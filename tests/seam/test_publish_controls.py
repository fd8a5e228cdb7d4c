"""Who may publish and control broadcasts, and what the controls answer when they cannot act."""

from __future__ import annotations

from bot.domain.rendering import html_to_plain
from bot.offline.localtg.state import CallbackAnswer
from data import drafts, outbox
from tests.conftest import ADMIN, BotHarness, bulletin_text
from tests.delivery_helpers import add_subscribers


async def _answer(bot: BotHarness, chat_id: int, data: str, *, user_id: int, message_id: int) -> CallbackAnswer:
    """Press a button with ``data`` under the bot's message ``message_id``; how the bot answered."""
    update = bot.tg.user_callback(chat_id, message_id, data, user_id=user_id)
    query_id = update["callback_query"]["id"]
    await bot.until(lambda: any(a.callback_query_id == query_id for a in bot.tg.callback_answers))
    return next(a for a in bot.tg.callback_answers if a.callback_query_id == query_id)


async def test_non_admins_are_refused_with_the_action_they_asked_for(bot: BotHarness) -> None:
    [refusal] = await bot.ask(444, "/broadcasts")
    assert "chỉ quản trị viên của bot mới được xem và điều khiển việc gửi" in refusal.lower()
    assert "only the bot's admins can see and control deliveries" in refusal.lower()
    [refusal] = await bot.ask(444, "/publish")
    assert "chỉ quản trị viên của bot mới được đăng bản tin" in refusal.lower()
    # Another admin's preview buttons and the broadcast controls do nothing for them either.
    bot.tg.user_document(ADMIN, "t10.txt", bulletin_text("seed-2021-10-haiphong.txt").encode(), user_id=ADMIN)
    await bot.replies(ADMIN, 8, timeout=30)
    confirm_id, send_data = bot.button(ADMIN, "Gửi")
    refused = await _answer(bot, ADMIN, send_data, user_id=444, message_id=confirm_id)
    assert refused.show_alert and "Chỉ quản trị viên" in (refused.text or "")
    refused = await _answer(bot, ADMIN, "bc:pause:1", user_id=444, message_id=confirm_id)
    assert refused.show_alert and "Chỉ quản trị viên" in (refused.text or "")
    draft = await drafts.get(bot.store, 1)
    assert draft is not None and draft.status == "pending"
    assert await outbox.recent_broadcasts(bot.store) == []


async def test_controls_say_why_they_cannot_act(bot: BotHarness) -> None:
    chats = [63_001, 63_002]
    await add_subscribers(bot.store, chats)
    await bot.publish("seed-2021-10-haiphong.txt")
    await bot.replies(ADMIN, 1, timeout=10)  # the progress message: queued
    [listing] = await bot.ask(ADMIN, "/broadcasts")
    assert "#1" in listing
    listing_id, pause_data = bot.button(ADMIN, "Tạm dừng")
    await bot.until(lambda: all(len(bot.tg.messages_for(c)) == 6 for c in chats), timeout=30)
    await bot.until(lambda: any("Đã gửi xong" in (m.text or "") for m in bot.tg.messages_for(ADMIN)), timeout=10)

    # The listing's Pause button after the broadcast finished: the state, in both languages.
    late = await _answer(bot, ADMIN, pause_data, user_id=ADMIN, message_id=listing_id)
    assert late.text == "Bản tin #1 đã gửi xong, không thể tạm dừng. · Broadcast #1 is done; it can't be paused now."
    missing = await _answer(bot, ADMIN, "bc:resume:99", user_id=ADMIN, message_id=listing_id)
    assert missing.text == "Không có bản tin #99. · There is no broadcast #99."
    garbled = await _answer(bot, ADMIN, "bc:pause:1x", user_id=ADMIN, message_id=listing_id)
    assert garbled.text == "Nút này đã cũ · This button is out of date"

    # The listing is refreshed to what is true now: done, no controls left (only "Đính chính", which
    # corrects a finished broadcast: handlers.corrections).
    def refreshed() -> bool:
        current = bot.tg.bot_message_dict(ADMIN, listing_id)
        rows = (current.get("reply_markup") or {}).get("inline_keyboard", [])
        labels = [b["text"] for row in rows for b in row]
        return "xong · done" in html_to_plain(current.get("text") or "") and labels == ["✏️ Đính chính #1 · Correct"]

    await bot.until(refreshed)


async def test_an_unreadable_upload_says_why_once_in_each_language(bot: BotHarness) -> None:
    bot.tg.user_document(ADMIN, "scan.pdf", b"%PDF-1.4", mime_type="application/pdf", user_id=ADMIN)
    [pdf] = await bot.replies(ADMIN)
    reason, english, _, accepted, accepted_en = html_to_plain(pdf.text or "").splitlines()
    assert reason.startswith("⚠️ Không mở được tệp pdf") and english.startswith("The pdf file could not be opened")
    assert ".docx" in accepted and ".pdf" in accepted and accepted_en.startswith("Accepted: ")
    # A UTF-16 file is read (it is not refused for not being UTF-8); the answer says how it was read.
    bot.tg.user_document(ADMIN, "latin1.txt", "Thứ nhất".encode("utf-16"), user_id=ADMIN)
    [encoding] = await bot.replies(ADMIN)
    lines = html_to_plain(encoding.text or "").splitlines()
    assert lines[0] == "❌ Không tách được bản tin thành các nhiệm vụ. · Could not split the bulletin into tasks."
    assert lines[-1] == "Tệp được đọc theo bảng mã utf-16 (không phải UTF-8). · The file was read as utf-16, not UTF-8."
    assert await bot.store.fetchval("SELECT count(*) FROM drafts") == 0
