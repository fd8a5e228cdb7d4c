"""Every way a bulletin reaches the bot, end to end through the real Application and the Telegram
imitation: an upload of each format (.txt in UTF-8 and Windows-1258, a saved .html page, a Word
.docx with automatic numbering, a .pdf print), a link an admin pastes (served by a local aiohttp
server), and the files that are refused, which leave the database as it was."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.domain.parser import parse_bulletin
from bot.domain.rendering import html_to_plain
from bot.offline.localtg import SentMessage
from data import drafts
from tests.conftest import ADMIN, DATA, BotHarness, bulletin_text

DOCUMENTS = DATA / "documents"
MIME = {
    ".txt": "text/plain",
    ".html": "text/html",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".png": "image/png",
}


def plain(messages: list[SentMessage]) -> list[str]:
    return [html_to_plain(m.text or "") for m in messages]


def upload(bot: BotHarness, path: Path, *, user_id: int = ADMIN, caption: str | None = None) -> None:
    bot.seen.setdefault(user_id, len(bot.tg.messages_for(user_id)))
    bot.tg.user_document(
        user_id, path.name, path.read_bytes(), caption=caption, mime_type=MIME[path.suffix], user_id=user_id
    )


async def preview_of(bot: BotHarness, tasks: int, chat_id: int = ADMIN) -> tuple[str, list[str], str]:
    """The header, the task messages and the question of the preview that arrives next."""
    header, *task_messages, confirm = plain(await bot.replies(chat_id, tasks + 2, timeout=40))
    return header, task_messages, confirm


def dump(db: Path) -> list[str]:
    """Everything the database holds, as SQL."""
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def first_lines(task_messages: list[str]) -> list[str]:
    return [m.split("\n\n", 1)[1].split()[0] for m in task_messages]


async def test_a_utf8_text_file_is_previewed_and_its_draft_stored(bot: BotHarness) -> None:
    upload(bot, DATA / "seed-2021-10-haiphong.txt")
    header, tasks, _confirm = await preview_of(bot, 6)
    assert header.splitlines()[:3] == [
        "📝 Xem trước bản tin · Preview",
        "Hội nghị Báo cáo viên tháng 10/2021: 6 nhóm nhiệm vụ trọng tâm trong công tác thông tin tuyên truyền",
        "Tháng 10/2021 · 6 nhiệm vụ · 6 tin nhắn · 6 tasks, 6 messages",
    ]
    assert "📎 Tệp · file: seed-2021-10-haiphong.txt" in header.splitlines()
    assert "Bảng mã" not in header and "⚠️" not in header  # UTF-8, and a sound split: no warning line
    assert tasks[-1].endswith("làm suy giảm lòng tin của nhân dân đối với Đảng, Nhà nước.")
    assert "✅ Gửi · Send" in str(bot.tg.messages_for(ADMIN)[-1].reply_markup)
    await bot.settled()  # the handler records the preview's layout after its last message went out
    [draft] = [d for d in [await drafts.get(bot.store, 1)] if d is not None]
    assert (draft.status, draft.origin, draft.source_name) == ("pending", "file", "seed-2021-10-haiphong.txt")
    assert draft.bulletin_json and draft.document_json and draft.preview_json


async def test_a_windows_1258_text_file_says_its_encoding(bot: BotHarness) -> None:
    expected = parse_bulletin(bulletin_text("case02.txt"))
    upload(bot, DOCUMENTS / "case02-windows-1258.txt")
    header, tasks, _ = await preview_of(bot, len(expected.tasks))
    assert "Bảng mã của tệp: windows-1258" in header and "The file's encoding was windows-1258" in header
    assert header.splitlines()[1] == expected.title
    # The same tasks as the UTF-8 original, diacritics and all.
    assert [t.split("\n\n", 1)[1] for t in tasks] == [t.text[:1].upper() + t.text[1:] for t in expected.tasks]


async def test_a_saved_portal_page_is_previewed(bot: BotHarness) -> None:
    upload(bot, DOCUMENTS / "portal-case01.html")
    header, tasks, confirm = await preview_of(bot, 6)
    assert header.splitlines()[1].startswith("Hội nghị Báo cáo viên Trung ương tháng 11/2021")
    assert first_lines(tasks) == ["Tuyên", "Tiếp", "Tuyên", "Tuyên", "Đẩy", "Tuyên"]
    assert "Tin liên quan" not in "\n".join(tasks) and "tháng 11/2021" in confirm


async def test_a_word_file_with_automatic_numbering_is_previewed(bot: BotHarness) -> None:
    upload(bot, DOCUMENTS / "notice-fam-roman-sections.docx")
    header, tasks, _ = await preview_of(bot, 5)
    assert "Tháng 6/2023 · 5 nhiệm vụ" in header
    assert [t.splitlines()[0] for t in tasks] == [
        f"📌 Nhiệm vụ {n}/5 · Hội nghị Báo cáo viên tháng 6/2023" for n in range(1, 6)
    ]
    joined = "\n".join(tasks)
    assert "Nơi nhận" not in joined and "Nguyễn Văn Hùng" not in joined  # the signature block is left out


async def test_a_pdf_print_is_previewed_with_the_task_across_the_page_break_whole(bot: BotHarness) -> None:
    expected = parse_bulletin(bulletin_text("seed-2021-10-haiphong.txt"))
    upload(bot, DOCUMENTS / "print-seed.pdf")
    header, tasks, _ = await preview_of(bot, 6)
    assert header.splitlines()[1] == expected.title
    assert "Trang 1/2" not in "\n".join(tasks)
    assert [" ".join(t.split("\n\n", 1)[1].split()[-6:]) for t in tasks] == [
        " ".join(t.text.split()[-6:]) for t in expected.tasks
    ]


@pytest.fixture
async def site() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """A local web server: /bai-viet is the saved portal page; /cham answers only once released."""
    release = asyncio.Event()
    page = (DOCUMENTS / "portal-case01.html").read_bytes()

    async def article(request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    async def missing(request: web.Request) -> web.Response:
        return web.Response(status=404, text="not here")

    app = web.Application()
    app.router.add_get("/bai-viet", article)
    app.router.add_get("/cham", slow)
    app.router.add_get("/mat", missing)
    runner = web.AppRunner(app)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", release
    finally:
        release.set()
        await runner.cleanup()


async def test_a_link_pasted_by_an_admin_is_fetched_and_previewed(
    bot: BotHarness, site: tuple[str, asyncio.Event]
) -> None:
    base, release = site
    bot.seen[ADMIN] = 0
    bot.say(ADMIN, f"{base}/cham")
    # While the page is slow to come, the bot answers everyone else.
    [welcome] = await bot.ask(5_551, "/start")
    assert "Xin chào" in welcome
    release.set()
    header, tasks, _ = await preview_of(bot, 6)
    assert f"🔗 Nguồn · source: {base}/cham" in header.splitlines()
    assert len(tasks) == 6
    draft = await drafts.get(bot.store, 1)
    assert draft is not None and draft.origin == "url" and draft.source_name == f"{base}/cham"


async def test_a_link_that_fails_says_why_and_stores_nothing(bot: BotHarness, site: tuple[str, asyncio.Event]) -> None:
    base, _ = site
    [answer] = await bot.ask(ADMIN, f"{base}/mat")
    assert "Không tìm thấy trang (lỗi 404)" in answer and "Page not found (404)" in answer
    assert await bot.store.fetchval("SELECT count(*) FROM drafts") == 0


@pytest.mark.parametrize(
    ("name", "vietnamese", "english"),
    [
        ("legacy-word.doc", "Word 97-2003 (.doc)", "save it as .docx or PDF"),
        ("scanned.pdf", "bản quét", "no text layer"),
        ("encrypted.pdf", "có mật khẩu", "password-protected"),
    ],
)
async def test_a_refused_file_gets_the_reason_and_changes_nothing(
    bot: BotHarness, name: str, vietnamese: str, english: str
) -> None:
    before = dump(bot.settings.database_path)
    upload(bot, DOCUMENTS / name)
    [answer] = plain(await bot.replies(ADMIN, 1, timeout=20))
    assert vietnamese in answer and english in answer
    assert "Bot đọc được" in answer and ".docx" in answer  # and what it does accept
    assert dump(bot.settings.database_path) == before


async def test_a_picture_and_a_file_over_the_size_cap_are_refused(bot: BotHarness, tmp_path: Path) -> None:
    before = dump(bot.settings.database_path)
    picture = tmp_path / "trang-1.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    upload(bot, picture)
    [answer] = plain(await bot.replies(ADMIN, 1, timeout=20))
    assert "ảnh (png)" in answer and "picture (png)" in answer
    big = tmp_path / "ban-tin.txt"
    big.write_bytes(b"a" * (10 * 1024 * 1024 + 1))
    upload(bot, big)
    [answer] = plain(await bot.replies(ADMIN, 1, timeout=20))
    assert "Tệp quá lớn" in answer and "too large" in answer
    assert dump(bot.settings.database_path) == before


async def test_a_text_that_is_not_a_bulletin_gets_the_parsers_answer(bot: BotHarness, tmp_path: Path) -> None:
    before = dump(bot.settings.database_path)
    note = tmp_path / "ghi-chu.txt"
    note.write_text("Họp chi bộ lúc 8 giờ.\nNhớ mang sổ tay.\n", encoding="utf-8")
    upload(bot, note)
    [answer] = plain(await bot.replies(ADMIN, 1, timeout=20))
    assert answer.splitlines()[0].startswith("❌ Không tách được bản tin thành các nhiệm vụ.")
    assert "không phải bản tin Hội nghị Báo cáo viên" in answer and "does not look like" in answer
    assert dump(bot.settings.database_path) == before


async def test_a_text_without_enumerators_gets_a_best_effort_split_and_send_anyway(bot: BotHarness) -> None:
    upload(bot, DATA / "fam-paragraphs.txt")
    header, _tasks, confirm = await preview_of(bot, 5)
    warnings = [line for line in header.splitlines() if line.startswith("⚠️")]
    assert len(warnings) == 1 and "Độ tin cậy thấp (45%)" in warnings[0] and "Low confidence (45%)" in warnings[0]
    markup = str(bot.tg.messages_for(ADMIN)[-1].reply_markup)
    assert "Vẫn gửi · Send anyway" in markup and "✅ Gửi" not in markup
    assert "Vẫn gửi" in confirm


async def test_a_non_admins_file_is_a_question_with_a_caption_and_refused_without(bot: BotHarness) -> None:
    upload(bot, DATA / "case01.txt", user_id=4_441, caption="hội nghị mới nhất")
    [answer] = plain(await bot.replies(4_441, 1, timeout=20))
    assert "Xem trước" not in answer and "quản trị viên" not in answer
    upload(bot, DATA / "case01.txt", user_id=4_441)
    [refusal] = plain(await bot.replies(4_441, 1, timeout=20))
    assert "chỉ quản trị viên của bot mới được đăng bản tin" in refusal.lower()
    assert await bot.store.fetchval("SELECT count(*) FROM drafts") == 0


async def test_two_uploads_in_a_row_do_not_interleave_and_the_second_replaces_the_first(bot: BotHarness) -> None:
    upload(bot, DATA / "fam-date-byline.txt")
    upload(bot, DATA / "fam-date-print.txt")
    first = plain(await bot.replies(ADMIN, 4, timeout=40))
    second = plain(await bot.replies(ADMIN, 5, timeout=40))
    assert first[0].startswith("📝 Xem trước") and first[-1].startswith("Gửi bản tin này")
    assert second[0].startswith("📝 Xem trước") and second[-1].startswith("Gửi bản tin này")
    assert "Tháng 4/2023 · 2 nhiệm vụ" in first[0] and "Tháng 1/2020 · 3 nhiệm vụ" in second[0]
    # The second says what became of the first, whose question says it was replaced.
    assert "♻️ Bản nháp trước" in second[0] and "tháng 4/2023) đã được thay bằng bản này" in second[0]
    old_question = bot.tg.messages_for(ADMIN)[3]
    await bot.until(
        lambda: "đã được thay" in html_to_plain(bot.tg.bot_message_dict(ADMIN, old_question.message_id)["text"])
    )
    statuses = [r[0] for r in await bot.store.fetchall("SELECT status FROM drafts ORDER BY id")]
    assert statuses == ["replaced", "pending"]
