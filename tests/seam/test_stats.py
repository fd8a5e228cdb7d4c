"""/stats at the HTTP seam: the real bot on the local Telegram imitation answers an admin with the
figures and the chart as a photo (a PNG), ``/stats <id>`` with the figures and a CSV document that
parses; everyone else is refused; an empty database gets a sensible answer. The imitation's
sendPhoto refuses what Telegram refuses."""

from __future__ import annotations

import csv
import io

import aiohttp

from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram
from bot.reports import csv_export
from bot.services import corrections as correction_service
from data import acks, admin_actions, outbox, subscribers
from tests.conftest import ADMIN, TOKEN, BotHarness
from tests.delivery_helpers import add_subscribers, until

BULLETIN = "seed-2021-10-haiphong.txt"
PNG = b"\x89PNG\r\n\x1a\n"


async def _published(bot: BotHarness, chats: list[int]) -> int:
    await add_subscribers(bot.store, chats)
    await bot.publish(BULLETIN)
    await bot.until(lambda: all(len(bot.tg.messages_for(c)) >= 6 for c in chats), timeout=30)
    await bot.until(lambda: bot.data.engine.idle, timeout=10)
    [info] = await outbox.recent_broadcasts(bot.store)
    await bot.until(lambda: any("Đã gửi xong" in (m.text or "") for m in bot.tg.messages_for(ADMIN)), timeout=10)
    return info.id


async def _answers(bot: BotHarness, text: str, n: int) -> list[tuple[str, str, bytes | None]]:
    """(method, plain text or caption, file bytes) of the next ``n`` messages to the admin after ``text``."""
    bot.seen[ADMIN] = len(bot.tg.messages_for(ADMIN))
    bot.say(ADMIN, text, user_id=ADMIN)
    got = await bot.replies(ADMIN, n, timeout=30)
    return [(m.method, html_to_plain(m.text or ""), bot.tg.file_content(m.file_id) if m.file_id else None) for m in got]


async def test_stats_answers_with_figures_and_a_png_chart(bot: BotHarness) -> None:
    broadcast = await _published(bot, [601, 602, 603])
    await subscribers.leave(bot.store, 603, "/stop")
    answered = len(bot.tg.callback_answers)
    bot.press(601, "Đã nhận", user_id=601)
    await bot.until(lambda: len(bot.tg.callback_answers) > answered)
    assert await acks.acked_at(bot.store, broadcast, 601) is not None

    (m1, text, _), (m2, caption, png) = await _answers(bot, "/stats", 2)

    assert (m1, m2) == ("sendMessage", "sendPhoto")
    assert "Đang nhận bản tin · Subscribed now: 2" in text
    assert "+3 đăng ký · joined, −1 rời · left" in text
    assert f"#{broadcast}" in text and "gửi đủ · delivered 3/3 (100%)" in text
    assert "đã nhận · acknowledged 1/3 (33%)" in text
    assert "90% gửi đủ sau · 90% delivered in" in text and "50% đã nhận sau · 50% acknowledged in chưa đạt" in text
    assert png is not None and png.startswith(PNG) and len(png) > 10_000
    assert "Subscribers and recent broadcasts" in caption
    assert int.from_bytes(png[16:20], "big") > 0 and int.from_bytes(png[20:24], "big") > 0  # IHDR


async def test_stats_of_a_broadcast_sends_its_csv(bot: BotHarness) -> None:
    await bot.store.execute("UPDATE subscribers SET display_name = 'Người' WHERE chat_id > 0")
    broadcast = await _published(bot, [611, 612])
    await bot.store.execute(
        "UPDATE subscribers SET display_name = 'Nguyễn Thị Hồng, \"Út\"', unit = 'Phường Lê Chân' WHERE chat_id = 611"
    )

    (m1, text, _), (m2, caption, content) = await _answers(bot, f"/thongke {broadcast}", 2)

    assert (m1, m2) == ("sendMessage", "sendDocument")
    assert f"#{broadcast}" in text and "gửi đủ · delivered 2/2 (100%)" in text
    assert ": gửi · sent" in text  # who sent it (bot.texts.admin_actions.report_lines)
    assert f"Recipients of #{broadcast}: 2" in caption
    document = bot.tg.messages_for(ADMIN)[-1]
    assert document.file_id is not None and bot.tg.files[document.file_id].file_name == f"broadcast-{broadcast}.csv"
    assert content is not None and content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0] == csv_export.header("Asia/Ho_Chi_Minh")
    by_chat = {row[0]: row for row in rows[1:]}
    assert set(by_chat) == {"611", "612"}
    assert by_chat["611"][1] == 'Nguyễn Thị Hồng, "Út"' and by_chat["611"][3] == "Phường Lê Chân"
    assert by_chat["611"][4] == "đã gửi đủ · delivered" and by_chat["611"][5][:2] == "20" and by_chat["611"][6] == ""

    # The export is recorded once the document reached the admin, i.e. just after the imitation got it.
    async def exported() -> bool:
        actions = await admin_actions.for_broadcast(bot.store, broadcast)
        return actions[-1].action == admin_actions.EXPORT and actions[-1].admin_user_id == ADMIN

    await until(exported)


async def test_bad_and_unknown_ids_get_a_clear_answer(bot: BotHarness) -> None:
    [(_, bad, _)] = await _answers(bot, "/stats mười hai", 1)
    assert "không phải số bản tin" in bad and "Usage: /stats" in bad
    [(_, unknown, _)] = await _answers(bot, "/stats 404", 1)
    assert "Không có bản tin #404" in unknown and "There is no broadcast #404" in unknown
    assert not any(m.method == "sendDocument" for m in bot.tg.messages_for(ADMIN))


async def test_an_empty_database_gets_zeros_and_an_empty_chart(bot: BotHarness) -> None:
    (_, text, _), (method, _, png) = await _answers(bot, "/stats", 2)
    assert "Subscribed now: 0" in text and "No broadcast yet" in text
    assert method == "sendPhoto" and png is not None and png.startswith(PNG)


async def test_a_subscriber_is_refused(bot: BotHarness) -> None:
    await add_subscribers(bot.store, [620])
    replies = await bot.ask(620, "/stats", user_id=620)
    assert "chỉ quản trị viên" in replies[0] and "only the bot's admins" in replies[0]
    await bot.settled()
    assert [m.method for m in bot.tg.messages_for(620)] == ["sendMessage"]


async def _send_photo(tg: LocalTelegram, content: bytes) -> dict[str, object]:
    form = aiohttp.FormData()
    form.add_field("chat_id", "700")
    form.add_field("photo", io.BytesIO(content), filename="chart.png", content_type="image/png")
    async with aiohttp.ClientSession() as session, session.post(f"{tg.base_url}{TOKEN}/sendPhoto", data=form) as r:
        answer: dict[str, object] = await r.json()
        return answer


async def test_the_imitation_refuses_what_telegram_refuses_as_a_photo(tg: LocalTelegram) -> None:
    def png(width: int, height: int) -> bytes:
        return (
            PNG + (13).to_bytes(4, "big") + b"IHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\0" * 9
        )

    ok = await _send_photo(tg, png(900, 700))
    assert ok["ok"] is True
    photo = ok["result"]["photo"][0]  # type: ignore[index]
    assert (photo["width"], photo["height"]) == (900, 700)
    assert tg.messages_for(700)[-1].method == "sendPhoto"

    assert (await _send_photo(tg, b"GIF89a not a png"))["description"] == "Bad Request: IMAGE_PROCESS_FAILED"
    assert (await _send_photo(tg, png(9000, 2000)))["description"] == "Bad Request: PHOTO_INVALID_DIMENSIONS"
    assert (await _send_photo(tg, png(2100, 100)))["description"] == "Bad Request: PHOTO_INVALID_DIMENSIONS"
    too_big = png(100, 100) + b"\0" * (10 * 1024 * 1024)
    assert (await _send_photo(tg, too_big))["description"] == "Bad Request: PHOTO_SAVE_FILE_INVALID"
    assert len(tg.messages_for(700)) == 1


async def test_stats_of_a_corrected_broadcast_counts_its_corrections(bot: BotHarness) -> None:
    broadcast = await _published(bot, [621, 622])
    original = await correction_service.load(bot.store, broadcast)
    plan = await correction_service.plan_notice(bot.store, original, 2, "Hạn báo cáo lùi sang ngày 20/11.")
    queued = await correction_service.queue(bot.store, plan, admin_user_id=ADMIN, admin_name="Lan", admin_chat_id=ADMIN)
    bot.data.engine.wake()
    await bot.until(lambda: all(any(m.reply_to_message_id for m in bot.tg.messages_for(c)) for c in (621, 622)))

    [(_, text, _), _] = await _answers(bot, f"/stats {broadcast}", 2)

    assert "thông báo 1 · notices 1" in text and f"#{queued.id}" in text
    assert "Lan: gửi đính chính" in text  # who sent the notice, on the original's report
