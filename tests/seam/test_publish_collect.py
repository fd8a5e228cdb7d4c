"""A bulletin pasted in several messages (Telegram cuts a message at 4,096 characters) becomes one
draft: collected, in order, until the admin presses "Xong · Done", whether the paste follows a bare
/publish, starts with /publish, or comes without any command; the collection survives a restart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram
from data import drafts
from tests.conftest import ADMIN, BotHarness, bulletin_text

SAMPLE = bulletin_text("seed-2021-10-haiphong.txt").strip()
LIMIT = 4096


def cut(text: str, limit: int = LIMIT) -> list[str]:
    """The messages a Telegram client makes of a long paste: cut at the last space or line break
    before the limit, each piece trimmed."""
    pieces = []
    while len(text) > limit:
        at = max(text.rfind(" ", 0, limit), text.rfind("\n", 0, limit))
        pieces.append(text[:at].strip())
        text = text[at:].strip()
    return [*pieces, text]


def now(bot: BotHarness, message_id: int) -> str:
    return html_to_plain(bot.tg.bot_message_dict(ADMIN, message_id).get("text") or "")


def buttons(bot: BotHarness, message_id: int) -> list[str]:
    markup = bot.tg.bot_message_dict(ADMIN, message_id).get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def done_and_preview(bot: BotHarness, tasks: int) -> tuple[str, list[str], str]:
    """Press the last "Xong · Done" and return the preview: the answer that held the button becomes
    its header; the tasks and the question follow."""
    ack_id, _ = bot.button(ADMIN, "Xong")
    bot.press(ADMIN, "Xong", user_id=ADMIN)
    *task_messages, confirm = [html_to_plain(m.text or "") for m in await bot.replies(ADMIN, tasks + 1, timeout=40)]
    return now(bot, ack_id), task_messages, confirm


def assert_the_october_sample(header: str, tasks: list[str]) -> None:
    assert "Tháng 10/2021 · 6 nhiệm vụ · 6 tin nhắn" in header and "⚠️" not in header
    assert [t.splitlines()[0] for t in tasks] == [
        f"📌 Nhiệm vụ {n}/6 · Hội nghị Báo cáo viên tháng 10/2021" for n in range(1, 7)
    ]
    # The fifth task is where the paste was cut: whole again, and the sixth after it, whole.
    assert "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng trong những năm tiếp theo." in tasks[4]
    assert tasks[5].endswith("làm suy giảm lòng tin của nhân dân đối với Đảng, Nhà nước.")


def test_the_sample_is_cut_in_two_inside_the_fifth_task() -> None:
    first, second = cut(SAMPLE)
    assert len(first) <= LIMIT and first.endswith("tạo đà thực hiện hiệu quả Nghị quyết Đại hội đại biểu")
    assert second.startswith("toàn quốc lần thứ XIII của Đảng trong những năm tiếp theo.")


async def test_after_a_bare_publish_two_pasted_messages_make_one_draft(bot: BotHarness) -> None:
    await bot.ask(ADMIN, "/publish")
    first, second = cut(SAMPLE)
    bot.say(ADMIN, first)
    bot.say(ADMIN, second)  # right away: both arrive in one batch of updates
    acks = [html_to_plain(m.text or "") for m in await bot.replies(ADMIN, 2, timeout=20)]
    assert acks[0].startswith("📥 Đã nhận phần 1") and acks[1].startswith("📥 Đã nhận phần 2")
    assert f"tổng cộng {len(first) + len(second):,} ký tự".replace(",", ".") in acks[1]
    # Only the last answer keeps the buttons (the first is gone).
    first_ack, last_ack = bot.tg.messages_for(ADMIN)[-2:]
    await bot.until(lambda: (ADMIN, first_ack.message_id) in bot.tg.deleted)
    assert buttons(bot, last_ack.message_id) == ["✅ Xong · Done", "✖️ Thôi · Stop"]
    assert await drafts.parts(bot.store, 1) == [first, second]
    header, tasks, _confirm = await done_and_preview(bot, 6)
    assert_the_october_sample(header, tasks)
    assert "✅ Gửi · Send" in buttons(bot, bot.tg.messages_for(ADMIN)[-1].message_id)
    draft = await drafts.get(bot.store, 1)
    assert draft is not None and draft.status == "pending" and draft.source_text.count("Thứ") >= 6


async def test_a_bulletin_pasted_without_publish_is_collected_not_answered(bot: BotHarness) -> None:
    first, second = cut(SAMPLE)
    bot.seen[ADMIN] = 0
    bot.say(ADMIN, first)
    bot.say(ADMIN, second)
    replies = [html_to_plain(m.text or "") for m in await bot.replies(ADMIN, 2, timeout=20)]
    # Neither half was read as a question.
    assert [r.split(" ", 4)[:4] for r in replies] == [["📥", "Đã", "nhận", "phần"]] * 2
    header, tasks, _ = await done_and_preview(bot, 6)
    assert_the_october_sample(header, tasks)


async def test_publish_with_the_first_part_in_the_same_message_collects_the_rest(bot: BotHarness) -> None:
    first, second = cut("/publish\n" + SAMPLE)
    assert first.startswith("/publish") and len(first) > 3800
    bot.seen[ADMIN] = 0
    bot.say(ADMIN, first)
    bot.say(ADMIN, second)
    await bot.replies(ADMIN, 2, timeout=20)
    header, tasks, _ = await done_and_preview(bot, 6)
    assert_the_october_sample(header, tasks)


async def test_a_collection_survives_a_restart(tg: LocalTelegram, bot_factory: Callable[..., Any]) -> None:
    first, second = cut(SAMPLE)
    async with bot_factory(tg) as bot:
        await bot.ask(ADMIN, "/publish")
        await bot.ask(ADMIN, first)
    async with bot_factory(tg) as bot:
        bot.seen[ADMIN] = len(tg.messages_for(ADMIN))
        [ack] = await bot.ask(ADMIN, second)  # still collected after the restart
        assert ack.startswith("📥 Đã nhận phần 2")
        header, tasks, _ = await done_and_preview(bot, 6)
        assert_the_october_sample(header, tasks)


async def test_done_on_a_text_that_does_not_split_keeps_collecting(bot: BotHarness) -> None:
    await bot.ask(ADMIN, "/publish")
    [ack] = await bot.ask(ADMIN, "Hội nghị báo cáo viên tháng 10/2021 đã diễn ra sáng nay.")
    assert ack.startswith("📥 Đã nhận phần 1")
    bot.press(ADMIN, "Xong", user_id=ADMIN)
    [refusal] = [html_to_plain(m.text or "") for m in await bot.replies(ADMIN, 1, timeout=20)]
    assert refusal.startswith("❌ Không tách được bản tin thành các nhiệm vụ.")
    draft = await drafts.get(bot.store, 1)
    assert draft is not None and draft.status == "collecting"  # the admin can paste the rest
    [ack] = await bot.ask(ADMIN, SAMPLE.split("\n", 6)[-1])
    assert ack.startswith("📥 Đã nhận phần 2")


async def test_stop_ends_the_collection(bot: BotHarness) -> None:
    first, _ = cut(SAMPLE)
    await bot.ask(ADMIN, first)
    ack_id, _ = bot.button(ADMIN, "Thôi")
    bot.press(ADMIN, "Thôi", user_id=ADMIN)
    await bot.until(lambda: "Đã thôi chờ bản tin" in now(bot, ack_id))
    draft = await drafts.get(bot.store, 1)
    assert draft is not None and draft.status == "cancelled"
    [answer] = await bot.ask(ADMIN, "nhiệm vụ 2")
    assert "Đã nhận phần" not in answer
