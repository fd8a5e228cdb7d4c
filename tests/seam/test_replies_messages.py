"""Messages that are not plain text, and edits: captions are read as questions, other kinds get a short
hint, an admin's bulletin upload still goes to publishing, and an edited message is never acted on as
a new command. The real Application against the local Telegram imitation."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.rendering import html_to_plain
from data import bulletins, subscribers
from tests.conftest import ADMIN, BotHarness, bulletin_text, sample_bulletin

USER = 902
GROUP = -100_778


async def settled(bot: BotHarness) -> None:
    """Every update sent so far has been handled: fetched from the imitation, and PTB's queue joined."""
    await bot.until(lambda: not bot.tg.pending_updates)
    await asyncio.wait_for(bot.app.update_queue.join(), 10)


async def next_reply(bot: BotHarness, chat_id: int) -> str:
    bot.seen.setdefault(chat_id, 0)
    [reply] = await bot.replies(chat_id)
    return html_to_plain(reply.text or "")


async def fill(bot: BotHarness) -> None:
    await bulletins.add(bot.store, sample_bulletin("case01.txt"))


async def test_a_photo_caption_is_read_as_the_question(bot: BotHarness) -> None:
    await fill(bot)
    bot.tg.user_media(USER, "photo", caption="biên giới")
    assert "1 nhiệm vụ có cụm «biên giới»" in await next_reply(bot, USER)
    bot.tg.user_media(USER, "video", caption="nhiệm vụ 2")
    assert (await next_reply(bot, USER)).startswith("📌 Nhiệm vụ 2/6")


async def test_a_caption_in_a_group_is_answered_when_it_mentions_the_bot(bot: BotHarness) -> None:
    await fill(bot)
    bot.tg.user_media(GROUP, "photo", caption="ảnh hội nghị hôm nay")
    await settled(bot)
    assert bot.tg.messages_for(GROUP) == []
    bot.tg.user_document(GROUP, "ghi-chu.txt", b"...", caption="@local_bulletin_bot nhiệm vụ 3")
    assert (await next_reply(bot, GROUP)).startswith("📌 Nhiệm vụ 3/6")


async def test_an_admin_upload_with_a_caption_is_still_a_bulletin_to_publish(bot: BotHarness) -> None:
    bot.tg.user_document(
        ADMIN, "case01.txt", bulletin_text("case01.txt").encode(), caption="bản tin tháng 11", user_id=ADMIN
    )
    assert "Xem trước bản tin" in await next_reply(bot, ADMIN)


@pytest.mark.parametrize(
    ("kind", "hint"),
    [
        ("sticker", "nhãn dán"),
        ("voice", "tin nhắn thoại"),
        ("audio", "tin nhắn thoại"),
        ("location", "vị trí"),
        ("venue", "vị trí"),
        ("contact", "danh bạ"),
        ("photo", "ảnh"),
        ("video_note", "video"),
        ("dice", "tin nhắn chữ"),
    ],
)
async def test_other_kinds_of_message_get_a_short_hint(bot: BotHarness, kind: str, hint: str) -> None:
    bot.tg.user_media(USER, kind)
    reply = await next_reply(bot, USER)
    assert hint in reply
    assert "hội nghị mới nhất" in reply and "/help" in reply  # what to type instead
    assert len(reply) < 600


async def test_an_edited_start_subscribes_no_one(bot: BotHarness) -> None:
    [hello] = await bot.ask(USER, "xin chao")
    assert "Xin chào" in hello
    message_id = bot.tg.messages_for(USER)[-1].message_id - 1  # the user's message, just before the reply
    bot.tg.user_edit(USER, message_id, "/start")
    await settled(bot)
    assert await subscribers.get(bot.store, USER) is None
    assert len(bot.tg.messages_for(USER)) == 1


async def test_an_edited_stop_unsubscribes_no_one(bot: BotHarness) -> None:
    await bot.ask(USER, "/start")
    await bot.ask(USER, "/latest")
    message_id = bot.tg.messages_for(USER)[-1].message_id - 1
    bot.tg.user_edit(USER, message_id, "/stop")
    await settled(bot)
    found = await subscribers.get(bot.store, USER)
    assert found is not None and found.active
    assert len(bot.tg.messages_for(USER)) == 2


async def test_an_edited_question_is_answered_again(bot: BotHarness) -> None:
    await fill(bot)
    [first] = await bot.ask(USER, "xyzzy")
    assert "Không tìm thấy nhiệm vụ nào" in first
    message_id = bot.tg.messages_for(USER)[-1].message_id - 1
    bot.tg.user_edit(USER, message_id, "biên giới")
    corrected = await next_reply(bot, USER)
    assert "1 nhiệm vụ có cụm «biên giới»" in corrected


async def test_an_edit_while_a_bulletin_is_awaited_is_not_published(bot: BotHarness) -> None:
    await bot.ask(ADMIN, "/publish", user_id=ADMIN)
    message_id = bot.tg.messages_for(ADMIN)[-1].message_id - 1
    bot.tg.user_edit(ADMIN, message_id, bulletin_text("case01.txt"), user_id=ADMIN)
    await settled(bot)
    assert not any("Xem trước bản tin" in (m.text or "") for m in bot.tg.messages_for(ADMIN))
