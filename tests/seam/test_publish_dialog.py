"""The admin's publish dialog on the real Application: /publish with the bulletin, a bare /publish
that collects it until Done (and stops waiting), the preview's question, and Send when queueing fails."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

import handlers.publish
from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram
from data import bulletins, drafts, outbox
from tests.conftest import ADMIN, BotHarness, bulletin_text, sample_bulletin
from tests.delivery_helpers import add_subscribers


def _plain(messages: list[Any]) -> list[str]:
    return [html_to_plain(m.text or "") for m in messages]


async def _ask(bot: BotHarness, chat_id: int, text: str, n: int) -> list[str]:
    """Like ``bot.ask``, with time for a preview: replies to one chat go out about one a second."""
    bot.seen.setdefault(chat_id, len(bot.tg.messages_for(chat_id)))
    bot.say(chat_id, text)
    return _plain(await bot.replies(chat_id, n, timeout=30))


async def test_publish_at_botname_then_a_line_break_keeps_the_whole_title(bot: BotHarness) -> None:
    expected = sample_bulletin("case01.txt")
    command = f"/publish@{bot.app.bot.username}\n{bulletin_text('case01.txt')}"
    header, *tasks, confirm = await _ask(bot, ADMIN, command, len(expected.tasks) + 2)
    assert header.splitlines()[1] == expected.title  # the title's first word was lost before
    assert len(tasks) == len(expected.tasks)
    # The question names the bulletin it sends: title and month.
    assert confirm.splitlines() == [
        "Gửi bản tin này tới 0 người đăng ký?",
        f"{expected.title} · tháng 11/2021",
        "Send this bulletin (11/2021) to 0 subscribers?",
    ]


def _now(bot: BotHarness, chat_id: int, message_id: int) -> str:
    """What a bot message shows now, after any edits."""
    return html_to_plain(bot.tg.bot_message_dict(chat_id, message_id).get("text") or "")


async def test_bare_publish_collects_the_bulletin_until_done(bot: BotHarness) -> None:
    await add_subscribers(bot.store, [61_001])
    [usage] = await bot.ask(ADMIN, "/publish")
    assert "tin nhắn tiếp theo" in usage and "10 phút" in usage and "/cancel" in usage and "«Xong»" in usage
    [got] = await _ask(bot, ADMIN, bulletin_text("seed-2021-10-haiphong.txt"), 1)
    assert got.startswith("📥 Đã nhận phần 1") and "Got part 1" in got
    ack = bot.tg.messages_for(ADMIN)[-1]
    bot.press(ADMIN, "Xong", user_id=ADMIN)
    *tasks, confirm = _plain(await bot.replies(ADMIN, 7, timeout=30))
    # The answer that held "Done" became the preview's header; the tasks and the question follow.
    header = _now(bot, ADMIN, ack.message_id)
    assert "Xem trước" in header and "Sẽ gửi tới 1 người đăng ký · to 1 subscriber" in header.splitlines()
    assert len(tasks) == 6 and "tháng 10/2021" in confirm and "to 1 subscriber?" in confirm
    draft = await drafts.get(bot.store, 1)
    assert draft is not None and draft.status == "pending" and draft.origin == "text"
    # Nothing waits any more: the admin's next text is a question for the archive again.
    [answer] = await bot.ask(ADMIN, "hội nghị mới nhất")
    assert "Xem trước" not in answer and "Đã nhận phần" not in answer


async def test_a_forgotten_bare_publish_stops_waiting_and_says_so(
    tg: LocalTelegram, bot_factory: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handlers.publish, "DIALOG_TIMEOUT", dt.timedelta(seconds=1))
    async with bot_factory(tg) as bot:
        await bot.ask(ADMIN, "/publish")
        [expired] = _plain(await bot.replies(ADMIN, 1, timeout=15))
        assert "thôi chờ" in expired and "stopped waiting" in expired
        # What the admin writes later is read as a question, not as a part of a bulletin.
        [answer] = await bot.ask(ADMIN, "nhiệm vụ 2")
        assert "Đã nhận phần" not in answer
        draft = await drafts.get(bot.store, 1)
        assert draft is not None and draft.status == "expired"
        assert await drafts.parts(bot.store, 1) == []


async def test_cancel_stops_waiting_for_the_bulletin(bot: BotHarness) -> None:
    await bot.ask(ADMIN, "/publish")
    [stopped] = await bot.ask(ADMIN, "/cancel")
    assert "Đã thôi chờ bản tin" in stopped
    [answer] = await bot.ask(ADMIN, "nhiệm vụ 2")
    assert "Đã nhận phần" not in answer
    draft = await drafts.get(bot.store, 1)
    assert draft is not None and draft.status == "cancelled"
    # /cancel with nothing to stop is any other unknown command.
    [unknown] = await bot.ask(ADMIN, "/cancel")
    assert "Đã thôi chờ" not in unknown


async def test_bare_publish_in_a_group_does_not_take_the_next_message(bot: BotHarness) -> None:
    group = -61_002
    [usage] = await bot.ask(group, "/publish", user_id=ADMIN)
    assert "trong cùng một tin nhắn" in usage
    [answer] = await bot.ask(group, f"@{bot.app.bot.username} hội nghị mới nhất", user_id=ADMIN)
    assert "Xem trước" not in answer


async def test_send_that_fails_while_queueing_leaves_the_draft_sendable(bot: BotHarness) -> None:
    chats = [62_001, 62_002]
    await add_subscribers(bot.store, chats)
    bot.tg.user_document(ADMIN, "t10.txt", bulletin_text("seed-2021-10-haiphong.txt").encode(), user_id=ADMIN)
    *_, confirm = await bot.replies(ADMIN, 8, timeout=30)
    assert "Gửi bản tin này" in (confirm.text or "")
    await bot.settled()  # the preview's layout is written after its last message: no write is pending

    # The database refuses the broadcast (as a full disk would) once the draft is claimed.
    with sqlite3.connect(bot.settings.database_path, timeout=30) as db:
        db.execute(
            "CREATE TRIGGER refuse_broadcast BEFORE INSERT ON broadcasts BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    bot.press(ADMIN, "Gửi", user_id=ADMIN)
    [error] = _plain(await bot.replies(ADMIN, 1))
    assert "đã có lỗi" in error
    draft = await drafts.get(bot.store, 1)
    assert draft is not None and draft.status == "pending" and draft.broadcast_id is None
    assert await outbox.recent_broadcasts(bot.store) == []
    assert await bulletins.count(bot.store) == 0  # not archived either: one transaction

    with sqlite3.connect(bot.settings.database_path, timeout=30) as db:
        db.execute("DROP TRIGGER refuse_broadcast")
    bot.press(ADMIN, "Gửi", user_id=ADMIN)  # the same button, still there
    await bot.until(lambda: all(len(bot.tg.messages_for(c)) == 6 for c in chats), timeout=30)
    [info] = await outbox.recent_broadcasts(bot.store)
    draft = await drafts.get(bot.store, 1)
    assert draft is not None and draft.status == "sent" and draft.broadcast_id == info.id
    assert any("Đã xếp hàng bản tin #1" in (e.text or "") for e in bot.tg.edits)
