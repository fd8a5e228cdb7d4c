"""Scheduled broadcasts on the real Application against the Telegram imitation (issue 12): the
preview's "Gửi lúc…" (today 07:30 while ahead, tomorrow 07:30, a typed time), /broadcasts with
"Gửi ngay · Send now" and "Hủy · Cancel", nothing sent before the time and the start at it, and who
subscribes meanwhile gets it too. The scheduler's wall clock is moved, never waited for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bot.delivery.when import resolve_zone, to_utc_text
from bot.domain.rendering import html_to_plain
from bot.services import publishing
from bot.texts import schedule as stexts
from data import outbox
from data.outbox import BroadcastInfo
from data.store import Store
from tests.conftest import ADMIN, BotHarness, bulletin_text, sample_bulletin
from tests.delivery_helpers import add_subscribers

ZONE = resolve_zone("Asia/Ho_Chi_Minh")
SUBSCRIBERS = [81_001, 81_002]


class Clock:
    """The scheduler's wall clock, set by the test."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _fake_clock(bot: BotHarness, now: dt.datetime) -> Clock:
    clock = Clock(now)
    bot.data.engine.schedules.now = clock
    return clock


def _text(bot: BotHarness, chat_id: int, message_id: int) -> str:
    return html_to_plain(bot.tg.bot_message_dict(chat_id, message_id).get("text") or "")


def _labels(bot: BotHarness, message_id: int) -> list[str]:
    markup = bot.tg.bot_message_dict(ADMIN, message_id).get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def _only(bot: BotHarness) -> BroadcastInfo:
    [info] = await outbox.recent_broadcasts(bot.store)
    return info


async def _preview(bot: BotHarness) -> int:
    """Upload the sample bulletin as the admin; the question's message id once the preview is out."""
    bot.tg.user_document(ADMIN, "bulletin.txt", bulletin_text("seed-2021-10-haiphong.txt").encode(), user_id=ADMIN)
    await bot.until(lambda: any("Gửi bản tin này" in (m.text or "") for m in bot.tg.messages_for(ADMIN)[-1:]), 30)
    return bot.tg.messages_for(ADMIN)[-1].message_id


async def _schedule_now_plus(bot: BotHarness, delta: dt.timedelta, clock: Clock) -> BroadcastInfo:
    queued = await publishing.queue_broadcast(
        bot.store,
        publishing.prepare(sample_bulletin()),
        requested_by=ADMIN,
        admin_chat_id=ADMIN,
        at=clock.now + delta,
    )
    assert queued.info is not None
    bot.data.engine.schedules.changed()
    return queued.info


async def test_gui_luc_tomorrow_0730_schedules_it_and_the_question_says_when(bot: BotHarness) -> None:
    await add_subscribers(bot.store, SUBSCRIBERS)
    # 08:00 in Vietnam: today's 07:30 has passed, so only tomorrow's is offered.
    clock = _fake_clock(bot, dt.datetime(2026, 12, 2, 8, 0, tzinfo=ZONE))
    question = await _preview(bot)
    labels = _labels(bot, question)
    assert labels[0] == "✅ Gửi · Send" and stexts.SCHEDULE_BUTTON in labels  # Send first, "Gửi lúc…" below
    bot.press(ADMIN, "Gửi lúc", user_id=ADMIN)
    await bot.until(lambda: "Chọn giờ gửi" in _text(bot, ADMIN, question))
    labels = _labels(bot, question)
    assert labels == [
        "🌄 Ngày mai 07:30 (03/12) · Tomorrow 07:30",
        stexts.OTHER_TIME_BUTTON,
        stexts.BACK_BUTTON,
    ]
    assert "Gửi bản tin này tới 2 người đăng ký?" in _text(bot, ADMIN, question)
    bot.press(ADMIN, "Ngày mai 07:30", user_id=ADMIN)
    await bot.until(lambda: "Đã hẹn giờ" in _text(bot, ADMIN, question))
    said = _text(bot, ADMIN, question)
    assert "bản tin #1: gửi lúc 07:30 Thứ Năm 03/12/2026 (+07) tới 2 người đăng ký" in said
    assert "goes out at 07:30 Thu 03/12/2026 to 2 subscribers" in said and "/broadcasts" in said
    assert _labels(bot, question) == []  # decided: no buttons left
    info = await _only(bot)
    assert info.status == "scheduled" and info.scheduled_at == "2026-12-03T00:30:00.000000Z"
    assert info.admin_chat_id == ADMIN and info.recipients == 2

    # The scheduler's next look, before the time: nothing starts, nothing is sent.
    clock.now = dt.datetime(2026, 12, 3, 7, 29, tzinfo=ZONE)
    assert await bot.data.engine.schedules.run_due() == []
    assert (await _only(bot)).status == "scheduled"
    # At the time it starts: the admin is told, the progress message follows, every part arrives.
    clock.now = dt.datetime(2026, 12, 3, 7, 30, 0, 200_000, tzinfo=ZONE)
    bot.data.engine.schedules.changed()
    await bot.until(lambda: all(len(bot.tg.messages_for(c)) == 6 for c in SUBSCRIBERS), timeout=30)
    texts = [html_to_plain(m.text or "") for m in bot.tg.messages_for(ADMIN)]
    assert any(t.startswith("🗓 Bản tin #1 (tháng 10/2021) bắt đầu gửi theo lịch.") for t in texts)
    assert not any("muộn" in t for t in texts)  # on time
    await bot.until(lambda: any("Đã gửi xong" in (m.text or "") for m in bot.tg.messages_for(ADMIN)), timeout=30)


async def test_today_0730_is_offered_while_ahead_and_a_typed_time_schedules(bot: BotHarness) -> None:
    await add_subscribers(bot.store, SUBSCRIBERS)
    _fake_clock(bot, dt.datetime(2026, 12, 2, 6, 0, tzinfo=ZONE))
    question = await _preview(bot)
    bot.press(ADMIN, "Gửi lúc", user_id=ADMIN)
    await bot.until(lambda: "Chọn giờ gửi" in _text(bot, ADMIN, question))
    assert _labels(bot, question)[:2] == [
        "🌅 Hôm nay 07:30 · Today 07:30",
        "🌄 Ngày mai 07:30 (03/12) · Tomorrow 07:30",
    ]
    # Back: the question as it was.
    bot.press(ADMIN, stexts.BACK_BUTTON, user_id=ADMIN)
    await bot.until(lambda: "Chọn giờ gửi" not in _text(bot, ADMIN, question))
    assert _labels(bot, question)[0] == "✅ Gửi · Send"
    bot.press(ADMIN, "Gửi lúc", user_id=ADMIN)
    await bot.until(lambda: "Chọn giờ gửi" in _text(bot, ADMIN, question))

    bot.seen[ADMIN] = len(bot.tg.messages_for(ADMIN))
    bot.press(ADMIN, "Giờ khác", user_id=ADMIN)
    [asked] = await bot.replies(ADMIN, 1)
    assert "trả lời (reply) tin nhắn này bằng giờ gửi" in html_to_plain(asked.text or "")
    # Not a time: said so, nothing scheduled; the question can still be answered.
    [refused] = await bot.ask(ADMIN, "khi nào rảnh", reply_to=asked.message_id, user_id=ADMIN)
    assert refused.startswith("Không hiểu giờ «khi nào rảnh»") and await outbox.recent_broadcasts(bot.store) == []
    [past] = await bot.ask(ADMIN, "2026-12-01 07:30", reply_to=asked.message_id, user_id=ADMIN)
    assert "đã qua rồi" in past and await outbox.recent_broadcasts(bot.store) == []
    [done] = await bot.ask(ADMIN, "7h45 mai", reply_to=asked.message_id, user_id=ADMIN)
    assert "Đã hẹn giờ bản tin #1: gửi lúc 07:45 Thứ Năm 03/12/2026" in done
    await bot.until(lambda: "Đã hẹn giờ" in _text(bot, ADMIN, question))
    info = await _only(bot)
    assert info.status == "scheduled" and info.scheduled_at == "2026-12-03T00:45:00.000000Z"
    assert all(bot.tg.messages_for(c) == [] for c in SUBSCRIBERS)


async def test_broadcasts_lists_scheduled_ones_with_send_now_and_cancel(bot: BotHarness) -> None:
    await add_subscribers(bot.store, SUBSCRIBERS)
    clock = _fake_clock(bot, dt.datetime.now(dt.UTC))
    first = await _schedule_now_plus(bot, dt.timedelta(days=1), clock)
    second = await _schedule_now_plus(bot, dt.timedelta(days=2), clock)
    late_joiner = 81_003
    await add_subscribers(bot.store, [late_joiner])  # subscribes after it was scheduled
    [listing] = await bot.ask(ADMIN, "/broadcasts")
    listing_id = bot.tg.messages_for(ADMIN)[-1].message_id
    assert f"#{first.id} · tháng 10/2021 · 🗓 hẹn giờ · scheduled" in listing
    assert first.scheduled_at is not None
    when_vi, when_en = stexts.at_text(first.scheduled_at, ZONE)
    assert f"🗓 sẽ gửi lúc {when_vi} · goes out at {when_en}" in listing
    labels = _labels(bot, listing_id)
    assert f"#{first.id} 🚀 Gửi ngay · Send now" in labels and f"#{first.id} ✖️ Hủy · Cancel" in labels
    assert not any("Tạm dừng" in label for label in labels)  # nothing to pause before it starts

    bot.press(ADMIN, f"#{first.id} 🚀 Gửi ngay", user_id=ADMIN)
    await bot.until(lambda: all(len(bot.tg.messages_for(c)) == 6 for c in [*SUBSCRIBERS, late_joiner]), 30)
    assert (await outbox.get_broadcast(bot.store, first.id)).recipients == 3  # type: ignore[union-attr]
    answered = [a.text for a in bot.tg.callback_answers]
    assert f"Bản tin #{first.id}: đã bắt đầu gửi. · Broadcast #{first.id} started." in answered
    [started] = [html_to_plain(m.text or "") for m in bot.tg.messages_for(ADMIN) if "bắt đầu gửi" in (m.text or "")]
    assert started.startswith(f"🗓 Bản tin #{first.id} (tháng 10/2021) bắt đầu gửi ngay, trước giờ hẹn.")
    assert "Thêm 1 người mới đăng ký từ lúc hẹn giờ." in started

    bot.press(ADMIN, f"#{second.id} ✖️ Hủy", user_id=ADMIN)
    await bot.until(lambda: any(a.text and "đã hủy" in a.text for a in bot.tg.callback_answers))
    assert (await outbox.get_broadcast(bot.store, second.id)).status == "cancelled"  # type: ignore[union-attr]
    counts = await outbox.counts(bot.store, second.id)
    assert counts.pending == 0 and counts.sent == 0
    await bot.until(lambda: "🗓" not in _text(bot, ADMIN, listing_id).split(f"#{second.id} ·")[-1][:40])
    # Its time comes: nothing of the cancelled one goes out.
    clock.now += dt.timedelta(days=3)
    assert await bot.data.engine.schedules.run_due() == []
    await bot.settled()
    assert all(len(bot.tg.messages_for(c)) == 6 for c in SUBSCRIBERS)


async def test_a_schedule_passed_while_the_bot_was_down_starts_at_start_up_and_says_how_late(
    tg: Any, bot_factory: Any, tmp_path: Path
) -> None:
    async with bot_factory(tg) as bot:
        await add_subscribers(bot.store, SUBSCRIBERS)
        clock = _fake_clock(bot, dt.datetime.now(dt.UTC))
        info = await _schedule_now_plus(bot, dt.timedelta(minutes=30), clock)
        await bot.settled()
    assert all(tg.messages_for(c) == [] for c in SUBSCRIBERS)  # stopped before its time
    # While the bot is down its time passes: 42 minutes ago (the row is moved back instead of
    # waiting for the clock).
    passed = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=42)
    async with await Store.open(tmp_path / "bot.db") as store:
        await store.execute("UPDATE broadcasts SET scheduled_at = ? WHERE id = ?", (to_utc_text(passed), info.id))
    async with bot_factory(tg) as bot:
        await bot.until(lambda: all(len(tg.messages_for(c)) == 6 for c in SUBSCRIBERS), timeout=30)
        await bot.until(lambda: any("muộn" in (m.text or "") for m in tg.messages_for(ADMIN)), timeout=10)
        await bot.until(lambda: any("Đã gửi xong" in (m.text or "") for m in tg.messages_for(ADMIN)), timeout=30)
    [late] = [html_to_plain(m.text or "") for m in tg.messages_for(ADMIN) if "muộn" in (m.text or "")]
    assert f"Bản tin #{info.id} được hẹn gửi lúc" in late
    assert "bắt đầu gửi muộn 42 phút vì lúc đó bot không chạy" in late
    assert "started 42 minutes late because the bot was not running then" in late
