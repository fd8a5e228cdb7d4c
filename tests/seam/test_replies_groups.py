"""In a group: only its administrators change its subscription, and the bot speaks only when addressed.

The real Application polls the local Telegram imitation; group membership comes from getChatMember,
whose answers the imitation is told (``set_member_status``)."""

from __future__ import annotations

import asyncio

import pytest
from telegram import ChatMember

from bot.domain.rendering import html_to_plain
from bot.offline.localtg.server import MEMBER_STATUSES
from data import bulletins, subscribers
from tests.conftest import BotHarness, sample_bulletin

GROUP = -100_777
OWNER, MEMBER, ADMIN_MEMBER = 5001, 5002, 5003
BOT_NAME = "local_bulletin_bot"


async def settled(bot: BotHarness) -> None:
    """Every update sent so far has been handled: fetched from the imitation, and PTB's queue joined."""
    await bot.until(lambda: not bot.tg.pending_updates)
    await asyncio.wait_for(bot.app.update_queue.join(), 10)


def said(bot: BotHarness, chat_id: int) -> list[str]:
    return [html_to_plain(m.text or "") for m in bot.tg.messages_for(chat_id)]


async def in_group(bot: BotHarness, user_id: int, text: str, reply_to: int | None = None) -> list[str]:
    return await bot.ask(GROUP, text, user_id=user_id, reply_to=reply_to)


def members(bot: BotHarness) -> None:
    bot.tg.set_member_status(GROUP, OWNER, "creator")
    bot.tg.set_member_status(GROUP, ADMIN_MEMBER, "administrator")
    bot.tg.set_member_status(GROUP, MEMBER, "member")


async def active(bot: BotHarness) -> bool:
    found = await subscribers.get(bot.store, GROUP)
    return found is not None and found.active


async def test_only_administrators_subscribe_and_unsubscribe_the_group(bot: BotHarness) -> None:
    members(bot)
    [refused] = await in_group(bot, MEMBER, "/start")
    assert "Chỉ quản trị viên của nhóm" in refused and "Only the group's administrators" in refused
    assert not await active(bot)

    [welcome] = await in_group(bot, OWNER, "/start")
    assert "Bạn đã đăng ký nhận bản tin" in welcome
    assert await active(bot)
    # Saying /start again changes nothing, so a member may, and hears it is already done.
    [again] = await in_group(bot, MEMBER, "/start")
    assert "đã đăng ký từ trước" in again

    [refused] = await in_group(bot, MEMBER, "/stop")
    assert "hủy đăng ký của nhóm" in refused and "unsubscribe the group" in refused
    assert await active(bot)

    [stopped] = await in_group(bot, ADMIN_MEMBER, "/stop")
    assert "Đã hủy đăng ký" in stopped
    assert not await active(bot)


async def test_only_administrators_change_the_group_profile(bot: BotHarness) -> None:
    members(bot)
    await in_group(bot, OWNER, "/start")
    [refused] = await in_group(bot, MEMBER, "/profile Chi bộ | Phòng Tuyên giáo")
    assert "đổi cách xưng hô của nhóm" in refused
    profile = await subscribers.get(bot.store, GROUP)
    assert profile is not None and profile.role is None

    [saved] = await in_group(bot, OWNER, "/profile Chi bộ | Phòng Tuyên giáo")
    assert "Đã lưu cách xưng hô" in saved
    profile = await subscribers.get(bot.store, GROUP)
    assert profile is not None and (profile.role, profile.unit) == ("Chi bộ", "Phòng Tuyên giáo")


async def test_private_chats_need_no_membership_check(bot: BotHarness) -> None:
    await bot.ask(801, "/start")
    await bot.ask(801, "/profile Báo cáo viên")
    [stopped] = await bot.ask(801, "/stop")
    assert "Đã hủy đăng ký" in stopped
    assert bot.tg.stats()["methods"].get("getChatMember", 0) == 0


async def test_the_answer_about_a_member_is_kept_briefly(bot: BotHarness) -> None:
    members(bot)
    await in_group(bot, OWNER, "/start")
    calls = bot.tg.stats()["methods"].get("getChatMember", 0)
    for _ in range(2):
        [refused] = await in_group(bot, MEMBER, "/stop")
        assert "Chỉ quản trị viên" in refused
    # Two refusals, one question to Telegram: the answer is cached (for a minute).
    assert bot.tg.stats()["methods"]["getChatMember"] == calls + 1
    assert await active(bot)


@pytest.mark.parametrize("status", MEMBER_STATUSES)
async def test_imitation_answers_get_chat_member_for_every_status(bot: BotHarness, status: str) -> None:
    bot.tg.set_member_status(GROUP, 6001, status)
    member = await bot.app.bot.get_chat_member(GROUP, 6001)
    assert isinstance(member, ChatMember)
    assert member.status == status and member.user.id == 6001
    default = await bot.app.bot.get_chat_member(GROUP, 6002)
    assert default.status == "member"


async def test_group_free_text_only_when_addressed(bot: BotHarness) -> None:
    await bulletins.add(bot.store, sample_bulletin("case01.txt"))
    # A mention (the imitation marks it as Telegram's clients do) or a reply to the bot: answered.
    [found] = await in_group(bot, MEMBER, f"@{BOT_NAME} tham nhũng")
    assert "«tham nhũng»" in found
    bot_message = bot.tg.messages_for(GROUP)[-1].message_id
    [task] = await in_group(bot, MEMBER, "nhiệm vụ 2", reply_to=bot_message)
    assert task.startswith("📌 Nhiệm vụ 2/6")
    # The mention alone is a hello.
    [hello] = await in_group(bot, MEMBER, f"@{BOT_NAME}")
    assert hello.startswith("👋 Xin chào")
    # Neither: members talking among themselves.
    before = len(bot.tg.messages_for(GROUP))
    bot.say(GROUP, "tham nhũng", user_id=MEMBER)
    bot.say(GROUP, "chào cả nhà", user_id=MEMBER)
    await settled(bot)
    assert len(bot.tg.messages_for(GROUP)) == before


async def test_group_unknown_command_only_when_addressed(bot: BotHarness) -> None:
    before = len(bot.tg.messages_for(GROUP))
    bot.say(GROUP, "/foo", user_id=MEMBER)  # may be meant for another bot in the group
    bot.say(GROUP, "/foo@other_helper_bot", user_id=MEMBER)
    await settled(bot)
    assert len(bot.tg.messages_for(GROUP)) == before
    [unknown] = await in_group(bot, MEMBER, f"/foo@{BOT_NAME}")
    assert "Không có lệnh /foo" in unknown and "/latest" in unknown
    bot_message = bot.tg.messages_for(GROUP)[-1].message_id
    [unknown] = await in_group(bot, MEMBER, "/bar", reply_to=bot_message)
    assert "Không có lệnh /bar" in unknown


async def test_group_sticker_answered_only_as_a_reply_to_the_bot(bot: BotHarness) -> None:
    [hello] = await in_group(bot, MEMBER, f"@{BOT_NAME} xin chào")
    assert "Xin chào" in hello
    before = len(bot.tg.messages_for(GROUP))
    bot.tg.user_media(GROUP, "sticker", user_id=MEMBER)
    await settled(bot)
    assert len(bot.tg.messages_for(GROUP)) == before
    bot.seen[GROUP] = before
    bot.tg.user_media(GROUP, "sticker", user_id=MEMBER, reply_to=bot.tg.messages_for(GROUP)[-1].message_id)
    [hint] = [html_to_plain(m.text or "") for m in await bot.replies(GROUP)]
    assert "nhãn dán" in hint and "stickers" in hint
