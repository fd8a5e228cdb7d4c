"""The admin fixes the split in Telegram before sending, through the real Application and the
imitation: every edit tool updates the preview in place, Send sends exactly what was last shown, the
draft and its buttons survive a restart, replaced drafts and older views are refused, and a draft
that looks incomplete needs "Vẫn gửi · Send anyway"."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram, SentMessage
from bot.offline.localtg.state import CallbackAnswer
from data import drafts, outbox
from data.store import MIGRATION_FUNCTIONS, migrations
from tests.conftest import ADMIN, DATA, BotHarness, bulletin_text
from tests.delivery_helpers import add_subscribers

SOURCE = DATA / "fam-thu-nhat-colon.txt"  # 5 tasks, no stated count: Send is offered as it is
MONTH = "Hội nghị Báo cáo viên tháng 9/2021"


class Chat:
    """The admin's chat as it reads now: the bot's messages that are still there, as they show."""

    def __init__(self, bot: BotHarness, chat_id: int = ADMIN) -> None:
        self.bot, self.chat_id = bot, chat_id
        self.start = len(bot.tg.messages_for(chat_id))

    def ids(self) -> list[int]:
        gone = {m for c, m in self.bot.tg.deleted if c == self.chat_id}
        return [m.message_id for m in self.bot.tg.messages_for(self.chat_id)[self.start :] if m.message_id not in gone]

    def text(self, message_id: int) -> str:
        return html_to_plain(self.bot.tg.bot_message_dict(self.chat_id, message_id).get("text") or "")

    def buttons(self, message_id: int) -> dict[str, str]:
        markup = self.bot.tg.bot_message_dict(self.chat_id, message_id).get("reply_markup") or {}
        return {b["text"]: b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row}

    def texts(self) -> list[str]:
        return [self.text(m) for m in self.ids() if self.bot.tg.bot_message_dict(self.chat_id, m).get("text")]

    def preview(self) -> tuple[int, list[int], int]:
        """(header, task messages, question) of the preview at the bottom of the chat; LookupError
        while it is being updated (its question is sent last)."""
        ids = self.ids()
        headers = [i for i, m in enumerate(ids) if self.text(m).startswith("📝 Xem trước")]
        questions = [i for i, m in enumerate(ids) if self.text(m).startswith("Gửi bản tin này")]
        if not headers or not questions or questions[-1] < headers[-1]:
            raise LookupError("no whole preview yet")
        if sum(q > headers[-1] for q in questions) > 1:  # a message became the question, the old one is not gone yet
            raise LookupError("the preview is being updated")
        header, question = headers[-1], questions[-1]
        return ids[header], [m for m in ids[header + 1 : question] if self.text(m).startswith("📌")], ids[question]

    def tasks(self) -> list[str]:
        return [self.text(m) for m in self.preview()[1]]

    async def press(self, message_id: int, label: str, user_id: int = ADMIN) -> CallbackAnswer:
        data = next(d for text, d in self.buttons(message_id).items() if label in text)
        return await self.press_data(message_id, data, user_id)

    async def press_data(self, message_id: int, data: str, user_id: int = ADMIN) -> CallbackAnswer:
        update = self.bot.tg.user_callback(self.chat_id, message_id, data, user_id=user_id)
        query_id = update["callback_query"]["id"]
        await self.bot.until(lambda: any(a.callback_query_id == query_id for a in self.bot.tg.callback_answers), 30)
        return next(a for a in self.bot.tg.callback_answers if a.callback_query_id == query_id)

    async def ask(self, message_id: int, label: str) -> SentMessage:
        """Press a button that makes the bot ask something; the question it sends."""
        self.bot.seen[self.chat_id] = len(self.bot.tg.messages_for(self.chat_id))
        await self.press(message_id, label)
        [asked] = await self.bot.replies(self.chat_id, 1)
        return asked

    async def settle(self, predicate: Callable[[], object], timeout: float = 40) -> None:
        def settled() -> object:
            try:
                return predicate()
            except LookupError:  # the preview is being updated
                return False

        await self.bot.until(settled, timeout)


def body(task_message: str) -> str:
    return task_message.split("\n\n", 1)[1]


async def upload(bot: BotHarness, path: Path, tasks: int) -> Chat:
    chat = Chat(bot)
    bot.seen[ADMIN] = chat.start
    bot.tg.user_document(ADMIN, path.name, path.read_bytes(), user_id=ADMIN)
    await bot.replies(ADMIN, tasks + 2, timeout=40)
    return chat


def header_says(chat: Chat, words: str) -> Callable[[], bool]:
    return lambda: words in chat.text(chat.preview()[0])


async def test_every_edit_tool_updates_the_preview_in_place_and_send_sends_what_was_shown(bot: BotHarness) -> None:
    subscribers_ = [71_001, 71_002]
    await add_subscribers(bot.store, subscribers_)
    chat = await upload(bot, SOURCE, 5)
    header, tasks, question = chat.preview()
    original = [body(t) for t in chat.tasks()]
    assert list(chat.buttons(tasks[1])) == ["✏️ Sửa · Edit"]

    # Edit opens the tools of that task, in place.
    answer = await chat.press(tasks[1], "Sửa")
    assert answer.text == "Chọn cách sửa · Pick a fix"
    await chat.settle(lambda: "🔗 Gộp với NV 3 · Merge with next" in chat.buttons(tasks[1]))
    assert list(chat.buttons(tasks[1])) == [
        "🔗 Gộp với NV 3 · Merge with next",
        "✂️ Tách đôi · Split",
        "📝 Thay nội dung · Replace",
        "🗑 Bỏ nhiệm vụ · Drop",
        "↩️ Đóng · Close",
    ]

    # Merge 2 with 3: one task fewer, the same messages edited, the one left over deleted.
    await chat.press(tasks[1], "Gộp")
    await chat.settle(header_says(chat, "4 nhiệm vụ · 4 tin nhắn"))
    await chat.settle(lambda: len(chat.tasks()) == 4)
    assert "🔗 Đã gộp nhiệm vụ 2 và 3. · Tasks 2 and 3 were merged." in chat.text(chat.preview()[0])
    assert chat.preview()[0] == header and chat.preview()[1][:4] == tasks[:4]
    merged = body(chat.tasks()[1]).split("\n")
    assert len(merged) == 2 and merged[0] == original[1] and merged[1][1:] == original[2][1:]
    assert [t.splitlines()[0] for t in chat.tasks()] == [f"📌 Nhiệm vụ {n}/4 · {MONTH}" for n in range(1, 5)]

    # Split task 1 at the paragraph the admin picks: one task more, the question sent again below.
    _, tasks, _ = chat.preview()
    await chat.press(tasks[0], "Sửa")
    await chat.settle(lambda: "✂️ Tách đôi · Split" in chat.buttons(tasks[0]))
    await chat.press(tasks[0], "Tách đôi")
    await chat.settle(lambda: any(label.startswith("✂️ ¶") for label in chat.buttons(tasks[0])))
    choices = [label for label in chat.buttons(tasks[0]) if label.startswith("✂️")]
    assert choices == ["✂️ … vận động người dân", "✂️ ¶ Cần kịp thời biểu"]
    await chat.press(tasks[0], "✂️ ¶ Cần")
    await chat.settle(lambda: len(chat.tasks()) == 5 and "5 nhiệm vụ" in chat.text(chat.preview()[0]))
    first, second = (body(t) for t in chat.tasks()[:2])
    assert original[0].startswith(first) and second.startswith("Cần kịp thời biểu")

    # Replace task 3's text by replying to its message.
    _, tasks, _ = chat.preview()
    bot.seen[ADMIN] = len(bot.tg.messages_for(ADMIN))
    [confirmation] = await bot.ask(ADMIN, "Tuyên truyền nội dung đã sửa của nhiệm vụ ba.", reply_to=tasks[2])
    assert confirmation.splitlines()[0] == "📝 Đã thay nội dung nhiệm vụ 3. · Task 3's text was replaced."
    await chat.settle(lambda: body(chat.tasks()[2]) == "Tuyên truyền nội dung đã sửa của nhiệm vụ ba.")

    # Replace task 4 with the Replace button: the bot asks, the admin answers the question.
    await chat.press(tasks[3], "Sửa")
    await chat.settle(lambda: "📝 Thay nội dung · Replace" in chat.buttons(tasks[3]))
    asked = await chat.ask(tasks[3], "Thay nội dung")
    assert "trả lời (reply) tin nhắn này bằng nội dung đúng của nhiệm vụ 4" in html_to_plain(asked.text or "")
    await bot.ask(ADMIN, "Nhiệm vụ bốn, viết lại.", reply_to=asked.message_id)
    await chat.settle(lambda: body(chat.tasks()[3]) == "Nhiệm vụ bốn, viết lại.")

    # Drop the last task.
    _, tasks, _ = chat.preview()
    await chat.press(tasks[4], "Sửa")
    await chat.settle(lambda: "🗑 Bỏ nhiệm vụ · Drop" in chat.buttons(tasks[4]))
    await chat.press(tasks[4], "Bỏ nhiệm vụ")
    await chat.settle(lambda: len(chat.tasks()) == 4 and "🗑 Đã bỏ nhiệm vụ 5." in chat.text(chat.preview()[0]))

    # The title and the month: the bot asks, the admin replies.
    header, _, _ = chat.preview()
    asked = await chat.ask(header, "Đổi tiêu đề")
    await bot.ask(ADMIN, "Quảng Ninh: bốn nội dung tuyên truyền tháng 10", reply_to=asked.message_id)
    await chat.settle(
        lambda: chat.text(chat.preview()[0]).splitlines()[1] == "Quảng Ninh: bốn nội dung tuyên truyền tháng 10"
    )
    asked = await chat.ask(header, "Đổi tháng")
    [refused] = await bot.ask(ADMIN, "tháng mười", reply_to=asked.message_id)
    assert "Không hiểu tháng «tháng mười»" in refused
    await bot.ask(ADMIN, "10/2021", reply_to=asked.message_id)
    await chat.settle(lambda: all("tháng 10/2021" in t.splitlines()[0] for t in chat.tasks()))
    await chat.settle(lambda: "tháng 10/2021" in chat.text(chat.preview()[2]))

    # What was last shown is what goes out, to every subscriber, in order.
    shown = chat.tasks()
    _, _, question = chat.preview()
    assert "Quảng Ninh: bốn nội dung tuyên truyền tháng 10 · tháng 10/2021" in chat.text(question)
    await chat.press(question, "Gửi")
    await bot.until(lambda: all(len(bot.tg.messages_for(c)) == 4 for c in subscribers_), timeout=40)
    for chat_id in subscribers_:
        assert [html_to_plain(m.text or "") for m in bot.tg.messages_for(chat_id)] == shown
    [info] = await outbox.recent_broadcasts(bot.store)
    assert (info.title, info.month, info.message_count) == (
        "Quảng Ninh: bốn nội dung tuyên truyền tháng 10",
        "2021-10",
        4,
    )
    stored = await bot.store.fetchall(
        "SELECT text FROM tasks WHERE bulletin_id = ? ORDER BY number", (info.bulletin_id,)
    )
    assert [r[0] for r in stored][2:] == ["Tuyên truyền nội dung đã sửa của nhiệm vụ ba.", "Nhiệm vụ bốn, viết lại."]


async def test_reparse_starts_again_from_the_source(bot: BotHarness) -> None:
    chat = await upload(bot, SOURCE, 5)
    original = chat.tasks()
    header, tasks, _ = chat.preview()
    await chat.press(tasks[0], "Sửa")
    await chat.settle(lambda: "🗑 Bỏ nhiệm vụ · Drop" in chat.buttons(tasks[0]))
    await chat.press(tasks[0], "Bỏ nhiệm vụ")
    await chat.settle(lambda: len(chat.tasks()) == 4)
    answer = await chat.press(header, "Tách lại")
    assert answer.text == "Đã tách lại · Re-parsed"
    await chat.settle(lambda: len(chat.tasks()) == 5 and "🔄 Đã tách lại từ đầu" in chat.text(chat.preview()[0]))
    assert chat.tasks() == original


async def test_a_draft_and_its_buttons_survive_a_restart(tg: LocalTelegram, bot_factory: Callable[..., Any]) -> None:
    async with bot_factory(tg) as bot:
        await add_subscribers(bot.store, [72_001])
        chat = await upload(bot, SOURCE, 5)
    async with bot_factory(tg) as bot:
        chat.bot = bot
        _, tasks, _ = chat.preview()
        await chat.press(tasks[3], "Sửa")
        await chat.settle(lambda: "🔗 Gộp với NV 5 · Merge with next" in chat.buttons(tasks[3]))
        await chat.press(tasks[3], "Gộp")
        await chat.settle(lambda: len(chat.tasks()) == 4)
        shown = chat.tasks()
        await chat.press(chat.preview()[2], "Gửi")
        await bot.until(lambda: len(tg.messages_for(72_001)) == 4, timeout=40)
        assert [html_to_plain(m.text or "") for m in tg.messages_for(72_001)] == shown


async def test_a_send_pressed_on_an_older_view_is_refused(bot: BotHarness) -> None:
    chat = await upload(bot, SOURCE, 5)
    _, tasks, question = chat.preview()
    old_send = chat.buttons(question)["✅ Gửi · Send"]
    await chat.press(tasks[4], "Sửa")
    await chat.settle(lambda: "🗑 Bỏ nhiệm vụ · Drop" in chat.buttons(tasks[4]))
    await chat.press(tasks[4], "Bỏ nhiệm vụ")
    await chat.settle(lambda: len(chat.tasks()) == 4)
    _, _, question = chat.preview()
    refused = await chat.press_data(question, old_send)
    assert refused.show_alert and refused.text is not None and "vừa thay đổi" in refused.text
    assert await outbox.recent_broadcasts(bot.store) == []
    await chat.press(question, "✅ Gửi")
    await chat.settle(lambda: "không gửi cho ai" in chat.text(question))  # no subscribers: archived only
    draft = await drafts.get(bot.store, 1)
    assert draft is not None and draft.status == "sent"


async def test_a_replaced_drafts_buttons_say_it_was_replaced(bot: BotHarness) -> None:
    first = await upload(bot, DATA / "fam-date-byline.txt", 2)
    _, old_tasks, old_question = first.preview()
    second = await upload(bot, DATA / "fam-date-print.txt", 3)
    assert "♻️ Bản nháp trước" in second.text(second.preview()[0])
    answer = await first.press(old_tasks[0], "Sửa")
    assert answer.text == "Bản nháp này đã được thay bằng bản mới hơn · This draft was replaced by a newer one"
    await first.settle(lambda: "đã được thay bằng bản mới hơn" in first.text(old_question))
    assert "✅ Gửi · Send" not in first.buttons(old_question)
    assert [r[0] for r in await bot.store.fetchall("SELECT status FROM drafts ORDER BY id")] == ["replaced", "pending"]


async def test_an_incomplete_draft_needs_send_anyway(bot: BotHarness, tmp_path: Path) -> None:
    await add_subscribers(bot.store, [73_001])
    cut = tmp_path / "ban-tin-thieu.txt"  # the sample cut off inside its fourth task
    text = bulletin_text("seed-2021-10-haiphong.txt")
    cut.write_text(text[: text.index("Thứ năm") - 200].rstrip(), encoding="utf-8")
    chat = await upload(bot, cut, 4)
    header, _, question = chat.preview()
    warnings = [line for line in chat.text(header).splitlines() if line.startswith("⚠️")]
    assert warnings == [
        "⚠️ Bài viết nêu 6 nội dung nhưng bản nháp có 4 nhiệm vụ; hãy kiểm tra trước khi gửi. · "
        "The text announces 6 items but the draft has 4; check before sending."
    ]
    assert list(chat.buttons(question)) == ["⚠️ Vẫn gửi · Send anyway", "✖️ Hủy · Cancel", "🎯 Đối tượng · Audience"]
    assert "bấm «Vẫn gửi» nếu bạn đã kiểm tra" in chat.text(question)
    # Send is not offered, and a forged Send for this draft is refused.
    anyway = chat.buttons(question)["⚠️ Vẫn gửi · Send anyway"]
    forged = await chat.press_data(question, anyway.replace("pc:anyway:", "pc:send:"))
    assert forged.show_alert and await outbox.recent_broadcasts(bot.store) == []
    shown = chat.tasks()
    await chat.press(question, "Vẫn gửi")
    await bot.until(lambda: len(bot.tg.messages_for(73_001)) == 4, timeout=40)
    assert [html_to_plain(m.text or "") for m in bot.tg.messages_for(73_001)] == shown


async def test_a_preview_from_before_the_upgrade_can_still_be_sent(
    tg: LocalTelegram, bot_factory: Callable[..., Any], tmp_path: Path
) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:  # a database of the version before drafts kept their fixes
        for name, function in MIGRATION_FUNCTIONS.items():
            conn.create_function(name, 1, function, deterministic=True)
        for number, _, sql in migrations()[:3]:
            conn.executescript(f"{sql}\nPRAGMA user_version = {number};")
        conn.execute(
            "INSERT INTO drafts (admin_user_id, chat_id, source_text, created_at) VALUES (?, ?, ?, 'then')",
            (ADMIN, ADMIN, bulletin_text("fam-date-print.txt")),
        )
        conn.execute("INSERT INTO subscribers (chat_id, subscribed_at, updated_at) VALUES (74001, 'then', 'then')")
    async with bot_factory(tg, database_path=db) as bot:
        [help_text] = await bot.ask(ADMIN, "/help")
        assert help_text
        message_id = bot.tg.messages_for(ADMIN)[-1].message_id
        bot.tg.user_callback(ADMIN, message_id, "pub:send:1", user_id=ADMIN)  # the old preview's Send
        await bot.until(lambda: len(tg.messages_for(74_001)) == 3, timeout=40)
        draft = await drafts.get(bot.store, 1)
        assert draft is not None and draft.status == "sent" and draft.broadcast_id == 1


async def test_in_a_group_a_reply_fixes_a_task_and_other_messages_are_left_alone(bot: BotHarness) -> None:
    group = -100_500
    chat = Chat(bot, group)
    source = DATA / "fam-date-byline.txt"
    bot.tg.user_document(group, source.name, source.read_bytes(), caption="/publish", user_id=ADMIN)
    await bot.tg.wait_for_messages(group, 4, timeout=40)
    _, tasks, _ = chat.preview()
    bot.seen[group] = len(bot.tg.messages_for(group))
    bot.say(group, "Tuyên truyền nội dung mới của nhiệm vụ một.", user_id=ADMIN, reply_to=tasks[0])
    [done] = [html_to_plain(m.text or "") for m in await bot.replies(group, 1, timeout=40)]  # groups: 20 a minute
    assert done.startswith("📝 Đã thay nội dung nhiệm vụ 1.")
    await chat.settle(lambda: body(chat.tasks()[0]) == "Tuyên truyền nội dung mới của nhiệm vụ một.")
    # A pasted text that is not a reply is not taken in a group.
    bot.say(group, bulletin_text("seed-2021-10-haiphong.txt")[:3000], user_id=ADMIN)
    await bot.until(lambda: not bot.tg.pending_updates)
    assert await drafts.part_stats(bot.store, 2) == (0, 0) and await drafts.get(bot.store, 2) is None
