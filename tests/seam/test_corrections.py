"""Corrections at the HTTP seam (issue 12.4): the real bot on the local Telegram imitation edits,
retracts and replies to the messages a broadcast put in every chat, through the outbox and the
pacer, and reports what it did."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from bot.domain.rendering import html_to_plain, render_bulletin
from bot.offline.localtg import LocalTelegram
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


async def test_a_retract_deletes_a_fresh_message_and_edits_an_old_one_into_the_withdrawn_notice(
    bot: BotHarness,
) -> None:
    chats = [601, 602, 603]
    original = await _sent(bot, chats)
    last = 6  # the last task: its part carries the "Đã nhận" button
    mids = {c: await _message_of(bot.store, original, c, last) for c in chats}
    # 602: sent three days ago, as the outbox and Telegram both know; 603: the outbox thinks it is
    # fresh, Telegram refuses the delete ("message can't be deleted"), so it is edited instead.
    three_days_ago = time.time() - THREE_DAYS
    old_at = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(three_days_ago))
    await bot.store.execute(
        "UPDATE deliveries SET updated_at = ? WHERE broadcast_id = ? AND chat_id = 602", (old_at, original)
    )
    bot.tg.set_message_date(602, mids[602], three_days_ago)
    bot.tg.set_message_date(603, mids[603], three_days_ago)
    before = len(bot.tg.deleted)

    target = await service.load(bot.store, original)
    plan = await service.plan_retract(bot.store, target, last)
    assert plan.chats == 3
    made = await _correct(bot, plan)
    await _finished(bot, made)

    assert bot.tg.deleted[before:] == [(601, mids[601])]
    for chat in (602, 603):
        shown = html_to_plain(_text(bot, chat, mids[chat]))
        assert "đã thu hồi · This task has been withdrawn" in shown and shown.startswith("📌 Nhiệm vụ 6/6")
        assert _labels(bot, chat, mids[chat]) == ["✅ Đã nhận · Received"]  # the button stays
    outcomes = dict(
        tuple(r)
        for r in await bot.store.fetchall("SELECT chat_id, outcome FROM deliveries WHERE broadcast_id = ?", (made,))
    )
    assert outcomes == {601: None, 602: "edited_instead", 603: "edited_instead"}
    assert await corrections.tally(bot.store, made) == corrections.Tally(done=1, edited_instead=2)
    assert bot.tg.stats()["rate_limited_total"] == 0, bot.tg.stats()["rate_limited"]
    # The archive shows the task withdrawn (its old words are no longer found), the original kept.
    row = await bot.store.fetchone(
        "SELECT text, withdrawn_at, original_text FROM tasks WHERE number = ? AND bulletin_id = "
        "(SELECT bulletin_id FROM broadcasts WHERE id = ?)",
        (last, original),
    )
    assert row is not None and "thu hồi" in row[0] and row[1] is not None and row[2] == sample_bulletin().tasks[-1].text


async def test_a_notice_replies_to_the_task_message_and_a_second_identical_edit_is_not_modified(
    bot: BotHarness,
) -> None:
    chats = [701, 702]
    original = await _sent(bot, chats)
    target = await service.load(bot.store, original)
    notice = await _correct(bot, await service.plan_notice(bot.store, target, 3, "Thời hạn báo cáo là ngày 15/11."))
    await _finished(bot, notice)
    for chat in chats:
        reply = bot.tg.messages_for(chat)[-1]
        assert reply.reply_to_message_id == await _message_of(bot.store, original, chat, 3)
        assert "Đính chính nhiệm vụ 3" in html_to_plain(reply.text or "") and "15/11" in (reply.text or "")
    assert await corrections.tally(bot.store, notice) == corrections.Tally(done=2)

    text = "Nội dung nhiệm vụ 4 sau khi đính chính."
    first = await _correct(bot, await service.plan_edit(bot.store, await service.load(bot.store, original), 4, text))
    await _finished(bot, first)
    edits = len(bot.tg.edits)
    again = await _correct(bot, await service.plan_edit(bot.store, await service.load(bot.store, original), 4, text))
    await _finished(bot, again)
    assert len(bot.tg.edits) == edits  # Telegram said "message is not modified": nothing changed
    assert await corrections.tally(bot.store, again) == corrections.Tally(not_modified=2)
    info = await outbox.get_broadcast(bot.store, again)
    assert info is not None and info.status == "done"
    # The original's report counts its corrections.
    lines = await service.report_lines(bot.store, original)
    assert lines and "sửa 2 · edited 2" in lines[0] and "thông báo 1 · notices 1" in lines[0]
    assert (
        "Đã sửa 0 · Edited 0, không đổi 2 · not modified 2, lỗi 0 · failed 0"
        in (await service.report_lines(bot.store, again))[1]
    )


async def test_a_blocked_chat_and_a_deleted_message_fail_cleanly(bot: BotHarness) -> None:
    chats = [801, 802, 803]
    original = await _sent(bot, chats)
    bot.tg.block(802)
    bot.tg.user_deletes(803, await _message_of(bot.store, original, 803, 1))
    target = await service.load(bot.store, original)
    made = await _correct(bot, await service.plan_edit(bot.store, target, 1, "Nhiệm vụ 1 đã sửa."))
    await _finished(bot, made)
    rows = {
        r[0]: (r[1], r[2])
        for r in await bot.store.fetchall(
            "SELECT chat_id, status, error FROM deliveries WHERE broadcast_id = ?", (made,)
        )
    }
    assert rows[801] == ("sent", None)
    assert rows[802][0] == "cancelled" and rows[802][1].startswith("blocked")
    assert rows[803] == ("failed", "Message to edit not found")
    assert await bot.store.fetchval("SELECT active FROM subscribers WHERE chat_id = 802") == 0
    assert await corrections.tally(bot.store, made) == corrections.Tally(done=1, failed=1, cancelled=1)
    attempts = await bot.store.fetchval(
        "SELECT attempts FROM deliveries WHERE broadcast_id = ? AND chat_id = 803", (made,)
    )
    assert attempts == 1  # not retried


async def test_a_restart_in_the_middle_of_a_correction_resumes_without_duplicates(
    tg: LocalTelegram, bot_factory: Callable[..., Any]
) -> None:
    chats = list(range(9001_000, 9001_040))
    async with bot_factory(tg, send_rate=10.0) as bot:
        original = await _sent(bot, chats)
        target = await service.load(bot.store, original)
        made = await _correct(bot, await service.plan_notice(bot.store, target, 2, "Xin đọc lại nhiệm vụ 2."))
        await bot.until(lambda: sum(1 for c in chats if len(tg.messages_for(c)) == 7) >= 10, timeout=30)
    replied = sum(1 for c in chats if len(tg.messages_for(c)) == 7)
    assert replied < len(chats)  # it was stopped in the middle
    async with bot_factory(tg, send_rate=10.0) as bot:
        await _finished(bot, made)
        for chat in chats:
            replies = [m for m in tg.messages_for(chat) if m.reply_to_message_id is not None]
            assert len(replies) == 1  # every chat once, none twice
        assert await corrections.tally(bot.store, made) == corrections.Tally(done=len(chats))
    assert tg.stats()["rate_limited_total"] == 0, tg.stats()["rate_limited"]


async def test_an_edit_and_a_notice_queued_together_keep_a_second_apart_in_each_chat(bot: BotHarness) -> None:
    chats = list(range(9002_000, 9002_030))
    original = await _sent(bot, chats)
    target = await service.load(bot.store, original)
    edit = await service.plan_edit(bot.store, target, 5, "Nhiệm vụ 5, nội dung mới.")
    notice = await service.plan_notice(bot.store, target, 5, "Nhiệm vụ 5 đã được sửa, xin đọc lại.")
    first, second = await _correct(bot, edit), await _correct(bot, notice)
    await _finished(bot, first)
    await _finished(bot, second)
    for chat in chats:
        [edited] = [e for e in bot.tg.edits if e.chat_id == chat]
        reply = bot.tg.messages_for(chat)[-1]
        last_part = bot.tg.messages_for(chat)[5]
        assert reply.reply_to_message_id == edited.message_id
        # One chat, a message a second (the edit counts as one): in order, paced, none refused.
        assert edited.at - last_part.at >= 1.0 and reply.at - edited.at >= 1.0
    assert bot.tg.stats()["rate_limited_total"] == 0, bot.tg.stats()["rate_limited"]


async def test_the_notice_dialog_cancel_and_refusals(bot: BotHarness) -> None:
    chats = [9003_001, 9003_002]
    original = await _sent(bot, chats)
    # Someone who is not an admin is refused, and nothing is asked of them.
    assert "chỉ quản trị viên" in (await bot.ask(9003_001, f"/dinhchinh {original}"))[0]
    assert "Cách dùng" in (await bot.ask(ADMIN, "/correct", user_id=ADMIN))[0]
    assert "Không có lần gửi #999" in (await bot.ask(ADMIN, "/correct 999", user_id=ADMIN))[0]

    # Cancel while the bot waits for the text: the next text is no longer taken as a notice.
    await bot.ask(ADMIN, f"/dinhchinh_{original}", user_id=ADMIN)
    bot.press(ADMIN, "Nhiệm vụ 1", user_id=ADMIN)
    await bot.until(
        lambda: any("Gửi đính chính" in b for b in _labels(bot, ADMIN, bot.tg.messages_for(ADMIN)[-1].message_id))
    )
    bot.press(ADMIN, "Gửi đính chính", user_id=ADMIN)
    await bot.until(lambda: "Gõ thông báo" in _text(bot, ADMIN, bot.tg.messages_for(ADMIN)[-1].message_id))
    bot.press(ADMIN, "Hủy", user_id=ADMIN)
    await bot.until(lambda: "Đã hủy đính chính" in _text(bot, ADMIN, bot.tg.messages_for(ADMIN)[-1].message_id))

    await bot.ask(ADMIN, f"/dinhchinh {original}", user_id=ADMIN)
    bot.press(ADMIN, "Nhiệm vụ 4", user_id=ADMIN)
    await bot.until(
        lambda: any("Gửi đính chính" in b for b in _labels(bot, ADMIN, bot.tg.messages_for(ADMIN)[-1].message_id))
    )
    bot.press(ADMIN, "Gửi đính chính", user_id=ADMIN)
    await bot.until(lambda: "Gõ thông báo" in _text(bot, ADMIN, bot.tg.messages_for(ADMIN)[-1].message_id))
    preview = await bot.ask(ADMIN, "Hạn nộp báo cáo <lùi> sang 20/11.", n=3, user_id=ADMIN)
    assert "Đính chính nhiệm vụ 4" in preview[1] and "<lùi>" in preview[1]  # escaped, shown as typed
    assert "2 cuộc trò chuyện" in preview[2]
    confirm_message, confirm = bot.button(ADMIN, "Xác nhận")
    bot.tg.user_callback(ADMIN, confirm_message, confirm, user_id=ADMIN)
    await bot.until(lambda: all(bot.tg.messages_for(c)[-1].reply_to_message_id is not None for c in chats), timeout=20)
    [made] = await corrections.corrections_of(bot.store, original)
    await _finished(bot, made.id)
    for chat in chats:
        assert bot.tg.messages_for(chat)[-1].reply_to_message_id == await _message_of(bot.store, original, chat, 4)
    # A second press of that Confirm (a double tap) queues nothing more.
    bot.tg.user_callback(ADMIN, confirm_message, confirm, user_id=ADMIN)
    await bot.settled()
    assert "hết hạn" in _text(bot, ADMIN, confirm_message)
    assert len(await corrections.corrections_of(bot.store, original)) == 1
