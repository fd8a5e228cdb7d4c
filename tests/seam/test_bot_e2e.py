"""The real Application against the local Telegram imitation over HTTP: subscribe, publish, deliver."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram
from data import outbox, subscribers
from tests.conftest import ADMIN, TOKEN, BotHarness, bulletin_text, sample_bulletin
from tests.delivery_helpers import add_subscribers


async def test_start_subscribes_once_and_welcomes_in_vietnamese(bot: BotHarness) -> None:
    [welcome] = await bot.ask(111, "/start", first_name="Lan")
    assert "Xin chào Lan!" in welcome and "đăng ký" in welcome and "/stop" in welcome
    assert "hội nghị mới nhất" in welcome  # says how to ask for past items
    [again] = await bot.ask(111, "/subscribe", first_name="Lan")
    assert "đã đăng ký từ trước" in again
    sub = await subscribers.get(bot.store, 111)
    assert sub is not None and sub.active and sub.display_name == "Lan"
    assert await subscribers.count_active(bot.store) == 1


async def test_stop_unsubscribes_and_profile_is_saved(bot: BotHarness) -> None:
    await bot.ask(222, "/start")
    [saved] = await bot.ask(222, "/profile Báo cáo viên | Đảng ủy Khối các cơ quan tỉnh")
    assert "Báo cáo viên · Đảng ủy Khối các cơ quan tỉnh" in saved
    sub = await subscribers.get(bot.store, 222)
    assert sub is not None and sub.role == "Báo cáo viên" and sub.unit == "Đảng ủy Khối các cơ quan tỉnh"
    [greeting] = await bot.ask(222, "/start", first_name="Hà")
    assert "Xin chào Hà (Báo cáo viên, Đảng ủy Khối các cơ quan tỉnh)!" in greeting
    [bye] = await bot.ask(222, "/stop")
    assert "Đã hủy đăng ký" in bye
    assert await subscribers.count_active(bot.store) == 0
    [again] = await bot.ask(222, "/unsubscribe")
    assert "chưa đăng ký" in again


async def test_help_lists_commands_and_commands_are_registered(bot: BotHarness) -> None:
    [text] = await bot.ask(333, "/help")
    assert "/latest" in text and "/task 3" in text and "/publish" not in text
    [admin_text] = await bot.ask(ADMIN, "/help")
    assert "/publish" in admin_text
    names = {c["command"] for c in bot.tg.commands}
    assert {"start", "stop", "help", "latest", "task", "search", "history"} <= names


async def test_non_admin_publish_is_refused_politely(bot: BotHarness) -> None:
    [refusal] = await bot.ask(444, "/publish " + bulletin_text("case01.txt")[:3000])
    assert "chỉ quản trị viên" in refusal.lower()
    assert await outbox.recent_broadcasts(bot.store) == []
    bot.tg.user_document(444, "bulletin.txt", bulletin_text("case01.txt").encode(), user_id=444)
    [refused_file] = await bot.replies(444)
    assert "quản trị viên" in html_to_plain(refused_file.text or "")


async def test_admin_bad_file_gets_a_clear_error(bot: BotHarness) -> None:
    bot.tg.user_document(ADMIN, "notes.txt", "Chỉ một dòng, không có nhiệm vụ nào.".encode(), user_id=ADMIN)
    [reply] = await bot.replies(ADMIN)
    assert "Không tách được bản tin" in html_to_plain(reply.text or "")
    bot.tg.user_document(ADMIN, "scan.pdf", b"%PDF-1.4", user_id=ADMIN)
    [pdf] = await bot.replies(ADMIN)
    assert ".txt" in html_to_plain(pdf.text or "")
    bot.tg.user_document(ADMIN, "latin1.txt", "Thứ nhất".encode("utf-16"), user_id=ADMIN)
    [enc] = await bot.replies(ADMIN)
    assert "UTF-8" in html_to_plain(enc.text or "")
    assert await outbox.recent_broadcasts(bot.store) == []


async def test_publish_preview_shows_exact_messages_then_cancel_sends_nothing(bot: BotHarness) -> None:
    await bot.ask(555, "/start")
    bot.tg.user_document(ADMIN, "t10.txt", bulletin_text("seed-2021-10-haiphong.txt").encode(), user_id=ADMIN)
    header, *tasks, confirm = await bot.replies(ADMIN, 8, timeout=15)
    assert "Xem trước" in html_to_plain(header.text or "") and "1 người đăng ký" in html_to_plain(header.text or "")
    assert [html_to_plain(t.text or "").splitlines()[0] for t in tasks] == [
        f"📌 Nhiệm vụ {n}/6 · Hội nghị Báo cáo viên tháng 10/2021" for n in range(1, 7)
    ]
    assert "Gửi" in str(confirm.reply_markup)
    bot.press(ADMIN, "Hủy", user_id=ADMIN)
    await bot.until(lambda: any("Đã hủy" in (e.text or "") for e in bot.tg.edits))
    assert await outbox.recent_broadcasts(bot.store) == []
    assert len(bot.tg.messages_for(555)) == 1  # only the welcome


async def test_fifty_subscribers_get_every_task_in_order_once(
    tg: LocalTelegram, bot_factory: Callable[..., Any]
) -> None:
    async with bot_factory(tg, send_rate=28.0) as bot:
        chats = list(range(10_001, 10_051))
        await add_subscribers(bot.store, chats)
        await bot.ask(777, "/start")  # one subscriber through the real command
        await bot.ask(777, "/stop")  # ...who leaves again: nothing may reach them
        await bot.publish("seed-2021-10-haiphong.txt")
        await bot.until(lambda: all(len(tg.messages_for(c)) >= 6 for c in chats), timeout=40)
        [info] = await outbox.recent_broadcasts(bot.store)
        await bot.until(lambda: bot.data.engine.idle, timeout=5)
        counts = await outbox.counts(bot.store, info.id)

    expected = [m.splitlines()[0] for m in _headers(6)]
    for chat in chats:
        got = [html_to_plain(m.text or "").splitlines()[0] for m in tg.messages_for(chat)]
        assert got == expected, chat  # every task, in order, none twice
        notify = [not m.disable_notification for m in tg.messages_for(chat)]
        assert notify == [True, False, False, False, False, False]  # only the first part notifies
    assert len(tg.messages_for(777)) == 2  # welcome and goodbye, no bulletin
    assert tg.stats()["rate_limited_total"] == 0  # never faster than Telegram allows
    assert (counts.sent, counts.pending, counts.total) == (300, 0, 300)
    assert sum(len(tg.messages_for(c)) for c in chats) == 300


def _headers(n: int) -> list[str]:
    return [f"📌 Nhiệm vụ {i}/{n} · Hội nghị Báo cáo viên tháng 10/2021" for i in range(1, n + 1)]


async def test_token_never_appears_in_logs(
    tg: LocalTelegram, bot_factory: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    from bot.logging_setup import RedactingFilter

    caplog.handler.addFilter(RedactingFilter((TOKEN,)))
    caplog.set_level(logging.DEBUG)
    async with bot_factory(tg) as bot:
        await bot.ask(888, "/start")
        bot.tg.user_document(ADMIN, "seed.txt", bulletin_text("seed-2021-10-haiphong.txt").encode(), user_id=ADMIN)
        await bot.replies(ADMIN, 8, timeout=15)
    assert caplog.records, "expected the bot to log something at DEBUG"
    text = "\n".join(caplog.handler.format(r) for r in caplog.records)
    assert TOKEN not in text and TOKEN.replace(":", "%3A") not in text
    assert "<redacted-token>" in text  # PTB's DEBUG lines did carry it before redaction


def test_sample_bulletin_renders_six_messages() -> None:
    from bot.domain.rendering import render_bulletin

    messages = render_bulletin(sample_bulletin())
    assert [html_to_plain(m.html).splitlines()[0] for m in messages] == _headers(6)


async def test_bot_answers_during_a_broadcast_without_waiting_for_it(
    tg: LocalTelegram, bot_factory: Callable[..., Any]
) -> None:
    async with bot_factory(tg, send_rate=25.0) as bot:
        chats = set(range(20_001, 20_201))  # 1,200 messages: about 50 s at 25/s
        await add_subscribers(bot.store, sorted(chats))
        await bot.publish("seed-2021-10-haiphong.txt")
        await bot.until(lambda: len(tg.sent) >= 100, timeout=20)
        for question in ("/latest", "/help", "nhiệm vụ 3"):
            bot.seen.setdefault(999, 0)
            bot.say(999, question)
            [answer] = await bot.replies(999, timeout=20)  # less than half the broadcast's 50 s
            assert answer.text
            # In the imitation's log the answer sits inside the broadcast, parts of it on either side:
            # it was sent while the broadcast ran, not queued behind it.
            assert any(m.chat_id in chats for m in tg.sent if m.seq < answer.seq)
            await bot.until(lambda seq=answer.seq: any(m.seq > seq and m.chat_id in chats for m in reversed(tg.sent)))
        assert sum(len(tg.messages_for(c)) for c in chats) < len(chats) * 6  # still running
        [info] = await outbox.recent_broadcasts(bot.store)
        assert await bot.data.engine.cancel(info.id)
    assert tg.stats()["rate_limited_total"] == 0  # replies and broadcast shared one budget


async def test_admin_sees_progress_and_can_pause_resume_and_cancel(
    tg: LocalTelegram, bot_factory: Callable[..., Any]
) -> None:
    async with bot_factory(tg, send_rate=25.0) as bot:
        chats = list(range(30_001, 30_041))
        await add_subscribers(bot.store, chats)
        await bot.publish("seed-2021-10-haiphong.txt")
        [progress] = await bot.replies(ADMIN, 1, timeout=10)
        assert "Chờ gửi" in (progress.text or "") and "0/240" in (progress.text or "")
        await bot.until(lambda: len(tg.sent) >= 60, timeout=20)

        [listing] = await bot.ask(ADMIN, "/broadcasts")
        assert "#1" in listing and "đang gửi" in listing
        bot.press(ADMIN, "Tạm dừng", user_id=ADMIN)
        await bot.until(lambda: any("tạm dừng · paused" in (e.text or "") for e in tg.edits), timeout=10)
        # Paused, the engine lets go of every chat once the sends under way have landed; with nothing
        # loaded it has nothing it could send until resumed.
        await bot.until(lambda: bot.data.engine.idle, timeout=10)
        frozen = sum(len(tg.messages_for(c)) for c in chats)
        [listing] = await bot.ask(ADMIN, "/broadcasts")  # and the bot goes on answering meanwhile
        assert "#1" in listing and "tạm dừng" in listing
        assert sum(len(tg.messages_for(c)) for c in chats) == frozen < 240
        counts = await outbox.counts(bot.store, 1)
        assert (counts.sent, counts.pending) == (frozen, 240 - frozen)  # every part that went out is recorded

        bot.press(ADMIN, "Tiếp tục", user_id=ADMIN)
        await bot.until(lambda: all(len(tg.messages_for(c)) == 6 for c in chats), timeout=30)
        await bot.until(lambda: any("Đã gửi xong" in (m.text or "") for m in tg.messages_for(ADMIN)), timeout=10)
        # The progress message was edited in place with sent/total, rate and time left.
        progress_edits = [e.text or "" for e in tg.edits if "Đã gửi · sent" in (e.text or "")]
        assert progress_edits and any("/240" in t and "tin/giây" in t for t in progress_edits)
        report = next(m.text or "" for m in tg.messages_for(ADMIN) if "Đã gửi xong" in (m.text or ""))
        assert "240/240" in report and "Thời gian" in report

        await bot.publish("case01.txt")
        await bot.until(lambda: sum(len(tg.messages_for(c)) for c in chats) >= 260, timeout=20)
        # #2's progress message is paced behind the admin chat's other messages: let it arrive
        # first, so that the next reply read is the listing.
        await bot.until(lambda: any("bản tin #2" in (m.text or "") for m in tg.messages_for(ADMIN)), timeout=20)
        bot.seen[ADMIN] = len(tg.messages_for(ADMIN))
        [listing] = await bot.ask(ADMIN, "/broadcasts")
        assert "#2" in listing and "#1" in listing
        bot.press(ADMIN, "Hủy gửi", user_id=ADMIN)
        await bot.until(lambda: any("Đã hủy" in (m.text or "") for m in tg.messages_for(ADMIN)), timeout=10)
        await bot.until(lambda: bot.data.engine.idle, timeout=10)  # nothing of it left in memory
        info = await outbox.get_broadcast(bot.store, 2)
        assert info is not None and info.status == "cancelled"
        assert sum(len(tg.messages_for(c)) for c in chats) < 480
    assert tg.stats()["rate_limited_total"] == 0
