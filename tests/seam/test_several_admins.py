"""Several admins (issue 12.6) on the real Application and the local imitation: every admin sees the
same broadcasts and controls, what each did is recorded with their name, the admin who sent a
broadcast is told when another pauses or resumes it, and the listings, progress and final report
show the action log."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram
from bot.offline.localtg.state import CallbackAnswer
from data import admin_actions, outbox
from tests.conftest import ADMIN, BotHarness, bulletin_text
from tests.delivery_helpers import add_subscribers

ADMIN_B = 9002
A_NAME, B_NAME = "Lan", "Trần Minh"
TWO_ADMINS = frozenset({ADMIN, ADMIN_B})
CHATS = list(range(64_001, 64_026))  # 25 subscribers: the bulletin's parts take a while at 10/s
_AT = r"\d\d:\d\d \d{1,2}/\d{1,2}"  # an action's local time in a report, e.g. 07:41 3/12
_CLOCK = r"\d\d:\d\d(?: \d{1,2}/\d{1,2})?"  # on the one-line log: the day only where it changes


def _now(bot: BotHarness, chat_id: int, message_id: int) -> str:
    """What the bot's message shows now, after any edits, as plain text."""
    return html_to_plain(bot.tg.bot_message_dict(chat_id, message_id).get("text") or "")


async def _press(bot: BotHarness, chat_id: int, message_id: int, data: str, user_id: int, name: str) -> CallbackAnswer:
    update = bot.tg.user_callback(chat_id, message_id, data, user_id=user_id, first_name=name)
    query_id = update["callback_query"]["id"]
    await bot.until(lambda: any(a.callback_query_id == query_id for a in bot.tg.callback_answers))
    return next(a for a in bot.tg.callback_answers if a.callback_query_id == query_id)


async def _list(bot: BotHarness, chat_id: int, name: str) -> tuple[int, str]:
    """``/broadcasts`` in ``chat_id`` by that admin: the listing's message id and plain text."""
    bot.seen[chat_id] = len(bot.tg.messages_for(chat_id))  # past any notice already there
    [text] = await bot.ask(chat_id, "/broadcasts", user_id=chat_id, first_name=name)
    return bot.tg.messages_for(chat_id)[-1].message_id, text


async def _a_sends(bot: BotHarness) -> int:
    """Admin A uploads the bulletin and presses Send; the id of A's progress message."""
    text = bulletin_text("seed-2021-10-haiphong.txt").encode()
    bot.tg.user_document(ADMIN, "t10.txt", text, user_id=ADMIN)
    await bot.until(lambda: any("Gửi bản tin này" in (m.text or "") for m in bot.tg.messages_for(ADMIN)[-1:]), 20)
    bot.seen[ADMIN] = len(bot.tg.messages_for(ADMIN))
    preview_id, send = bot.button(ADMIN, "Gửi")
    await _press(bot, ADMIN, preview_id, send, ADMIN, A_NAME)
    [progress] = await bot.replies(ADMIN, 1, timeout=10)
    return progress.message_id


def _told(bot: BotHarness, chat_id: int, needle: str) -> list[str]:
    return [t for m in bot.tg.messages_for(chat_id) if needle in (t := html_to_plain(m.text or ""))]


async def test_admin_b_pauses_and_resumes_a_broadcast_admin_a_sent_and_both_see_who(
    tg: LocalTelegram, bot_factory: Callable[..., Any]
) -> None:
    async with bot_factory(tg, admin_ids=TWO_ADMINS, send_rate=10.0) as bot:
        await add_subscribers(bot.store, CHATS)
        progress_id = await _a_sends(bot)

        # B sees A's broadcast with its controls and pauses it.
        listing_id, listing = await _list(bot, ADMIN_B, B_NAME)
        assert re.search(r"^#1 · ", listing, re.MULTILINE)
        answer = await _press(bot, ADMIN_B, listing_id, bot.button(ADMIN_B, "Tạm dừng")[1], ADMIN_B, B_NAME)
        assert answer.text == "Bản tin #1: đã tạm dừng. · Broadcast #1 paused."
        info = await outbox.get_broadcast(bot.store, 1)
        assert info is not None and info.status == "paused"

        # A is told, in A's chat, who paused it; B is not told about their own press.
        await bot.until(lambda: _told(bot, ADMIN, f"{B_NAME} đã tạm dừng bản tin #1 của bạn."))
        [notice] = _told(bot, ADMIN, f"{B_NAME} đã tạm dừng")
        assert f"{B_NAME} paused your broadcast #1." in notice
        assert not _told(bot, ADMIN_B, "của bạn")

        # A's own listing shows the same broadcast, paused, who paused it, and Resume.
        a_listing_id, a_listing = await _list(bot, ADMIN, A_NAME)
        assert re.search(rf"Đã làm · Actions: .*{_CLOCK} {B_NAME}: tạm dừng · paused", a_listing), a_listing
        assert "Tiếp tục" in str(bot.tg.bot_message_dict(ADMIN, a_listing_id).get("reply_markup"))
        # B's listing was refreshed in place: the log line, and Resume instead of Pause.
        b_listing = _now(bot, ADMIN_B, listing_id)
        assert re.search(rf"{_CLOCK} {B_NAME}: tạm dừng · paused", b_listing), b_listing

        # B resumes (from B's refreshed listing); A is told again.
        answer = await _press(bot, ADMIN_B, listing_id, bot.button(ADMIN_B, "Tiếp tục")[1], ADMIN_B, B_NAME)
        assert answer.text == "Bản tin #1: đã tiếp tục. · Broadcast #1 resumed."
        await bot.until(lambda: _told(bot, ADMIN, f"{B_NAME} đã cho gửi tiếp bản tin #1 của bạn."))

        # Everyone gets the whole bulletin; A's chat gets the final report with the action log.
        await bot.until(lambda: _told(bot, ADMIN, "Đã gửi xong"), timeout=60)
        [report] = _told(bot, ADMIN, "Đã gửi xong")
        log_lines = report.splitlines()[report.splitlines().index("👤 Đã làm · Actions:") + 1 :]
        assert [re.sub(_AT, "T", line) for line in log_lines if line.startswith("• ")][-2:] == [
            f"• T · {B_NAME}: tạm dừng · paused",
            f"• T · {B_NAME}: tiếp tục · resumed",
        ]
        # A's progress message ends with the log on one line, B's pause then resume last.
        assert re.search(
            rf"{B_NAME}: tạm dừng · paused; {_CLOCK} {B_NAME}: tiếp tục · resumed$", _now(bot, ADMIN, progress_id)
        )

        # Both listings now show it done with the same log line.
        _, a_listing = await _list(bot, ADMIN, A_NAME)
        _, b_listing = await _list(bot, ADMIN_B, B_NAME)
        for text in (a_listing, b_listing):
            assert re.search(rf"tạm dừng · paused; \S+ {B_NAME}: tiếp tục · resumed", text), text
        assert a_listing == b_listing

        # What was stored: who, by id and name, in order.
        done = [(a.action, a.admin_user_id, a.admin_name) for a in await admin_actions.for_broadcast(bot.store, 1)]
        assert done[-2:] == [("pause", ADMIN_B, B_NAME), ("resume", ADMIN_B, B_NAME)]
        assert len(_told(bot, ADMIN, "của bạn")) == 2  # one notice per action of B's, none for A's own


async def test_admin_b_cancels_and_the_report_in_a_chat_names_b(
    tg: LocalTelegram, bot_factory: Callable[..., Any]
) -> None:
    async with bot_factory(tg, admin_ids=TWO_ADMINS, send_rate=10.0) as bot:
        await add_subscribers(bot.store, CHATS)
        await _a_sends(bot)
        listing_id, _ = await _list(bot, ADMIN_B, B_NAME)
        answer = await _press(bot, ADMIN_B, listing_id, bot.button(ADMIN_B, "Hủy")[1], ADMIN_B, B_NAME)
        assert answer.text is not None and "#1" in answer.text
        # The final report goes to A's chat, where A sent it from, and says who cancelled it.
        await bot.until(lambda: _told(bot, ADMIN, "Đã hủy · Cancelled"))
        [report] = _told(bot, ADMIN, "Đã hủy · Cancelled")
        assert re.search(rf"^• {_AT} · {B_NAME}: hủy · cancelled$", report, re.MULTILINE), report
        assert not _told(bot, ADMIN_B, "Đã hủy · Cancelled")
        # A pressing a stale Pause now is refused with the state; nothing more is recorded.
        a_listing_id, _ = await _list(bot, ADMIN, A_NAME)
        refused = await _press(bot, ADMIN, a_listing_id, "bc:pause:1", ADMIN, A_NAME)
        assert refused.show_alert and "is cancelled; it can't be paused" in (refused.text or "")
        done = [a.action for a in await admin_actions.for_broadcast(bot.store, 1)]
        assert done[-1] == "cancel" and "pause" not in done
