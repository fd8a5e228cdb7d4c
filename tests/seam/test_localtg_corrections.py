"""What the local Telegram imitation enforces for corrections, as Telegram does
(https://core.telegram.org/bots/api#deletemessage, #replyparameters): deleteMessage only within 48
hours, counted against the per-chat limit like a send; a reply names its message, which must exist
unless allow_sending_without_reply."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, RetryAfter

from bot.offline.localtg import LocalTelegram
from tests.conftest import TOKEN


@pytest.fixture
async def bot(tg: LocalTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url) as b:
        yield b


async def test_delete_works_within_48_hours_only_and_counts_against_the_per_chat_limit(
    tg: LocalTelegram, bot: Bot
) -> None:
    tg.configure(enforce=False)
    fresh, old, older = [await bot.send_message(11, f"tin {i}") for i in range(3)]
    tg.set_message_date(11, old.message_id, time.time() - 48 * 3600 - 1)
    tg.wall_clock = lambda: time.time() + 3 * 24 * 3600  # or move the clock: every message is old then
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(11, older.message_id)
    tg.wall_clock = time.time
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(11, old.message_id)
    assert await bot.delete_message(11, fresh.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(11, fresh.message_id)
    assert tg.deleted == [(11, fresh.message_id)]

    tg.configure(enforce=True)
    sent = await bot.send_message(12, "một")
    with pytest.raises(RetryAfter):  # right after a send to the same chat: too fast
        await bot.delete_message(12, sent.message_id)
    assert tg.stats()["rate_limited"]["per_chat"] == 1


async def test_a_reply_names_its_message_which_must_exist_unless_allowed(tg: LocalTelegram, bot: Bot) -> None:
    tg.configure(enforce=False)
    task = await bot.send_message(21, "nhiệm vụ 3")
    reply = await bot.send_message(21, "đính chính", reply_parameters=ReplyParameters(task.message_id))
    assert reply.reply_to_message is not None and reply.reply_to_message.message_id == task.message_id
    assert tg.messages_for(21)[-1].reply_to_message_id == task.message_id
    tg.user_deletes(21, task.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(21, "đính chính", reply_parameters=ReplyParameters(task.message_id))
    plain = await bot.send_message(
        21, "đính chính", reply_parameters=ReplyParameters(task.message_id, allow_sending_without_reply=True)
    )
    assert plain.reply_to_message is None and tg.messages_for(21)[-1].reply_to_message_id is None
