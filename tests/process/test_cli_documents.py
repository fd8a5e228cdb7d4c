"""``python -m bot parse|import|publish`` as real processes, on documents of every format and on a URL
served by a local aiohttp server: they read what the bot reads, and a refusal is one line in
Vietnamese and English, exit code 1, and a database left as it was."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from data.store import Store
from tests.conftest import DATA
from tests.delivery_helpers import add_subscribers
from tests.process.test_process import bot_env, start_bot

DOCUMENTS = DATA / "documents"


async def run(env: dict[str, str], *args: str) -> tuple[int, str, list[str]]:
    """Exit code, stdout, and the lines of stderr (without the start-up line naming the database)."""
    proc = await start_bot(env, *args)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    lines = [line for line in stderr.decode().splitlines() if line.strip() and not line.startswith("database ")]
    assert proc.returncode is not None
    return proc.returncode, stdout.decode(), lines


def dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


@pytest.fixture
async def site() -> AsyncIterator[str]:
    """http://127.0.0.1:PORT with the saved portal page at /bai-viet and nothing at /mat."""
    page = (DOCUMENTS / "portal-case01.html").read_bytes()

    async def article(request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/bai-viet", article)
    runner = web.AppRunner(app)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_parse_reads_word_pdf_and_a_windows_1258_text(tmp_path: Path) -> None:
    env = bot_env(None, tmp_path / "x.db")
    code, out, err = await run(env, "parse", str(DOCUMENTS / "notice-fam-roman-sections.docx"), "--json")
    assert code == 0, err
    got = json.loads(out)
    assert (got["source_format"], got["task_count"], got["month"]) == ("docx", 5, "2023-06")
    code, out, err = await run(env, "parse", str(DOCUMENTS / "print-seed.pdf"), "--json")
    assert code == 0, err
    got = json.loads(out)
    assert (got["source_format"], got["task_count"]) == ("pdf", 6)
    assert got["task_ends"][4] == "Đảng trong những năm tiếp theo."  # the task across the page break
    code, out, _ = await run(env, "parse", str(DOCUMENTS / "case02-windows-1258.txt"), "--json")
    assert code == 0 and json.loads(out)["encoding"] == "windows-1258"


async def test_import_and_publish_read_documents_and_a_url(tmp_path: Path, site: str) -> None:
    db = tmp_path / "cli.db"
    env = bot_env(None, db)
    docx, pdf = DOCUMENTS / "notice-fam-roman-sections.docx", DOCUMENTS / "print-seed.pdf"
    code, out, err = await run(env, "import", str(docx), str(pdf), f"{site}/bai-viet")
    assert code == 0, err
    assert out.count("added as #") == 3
    assert f"{site}/bai-viet: added as #3: Hội nghị Báo cáo viên Trung ương tháng 11/2021" in out
    async with await Store.open(db) as store:
        months = [r[0] for r in await store.fetchall("SELECT month FROM bulletins ORDER BY id")]
        assert months == ["2023-06", "2021-10", "2021-11"]
        await add_subscribers(store, [81_001, 81_002])
    code, out, err = await run(env, "publish", f"{site}/bai-viet", "--yes")
    assert code == 0, err
    assert "queued broadcast #1: 6 messages × 2 subscribers" in out


@pytest.mark.parametrize(
    ("command", "source", "vietnamese", "english"),
    [
        ("import", "scanned.pdf", "bản quét", "no text layer"),
        ("import", "legacy-word.doc", "Word 97-2003 (.doc)", "save it as .docx or PDF"),
        ("publish", "encrypted.pdf", "có mật khẩu", "password-protected"),
        ("parse", "legacy-word.doc", "Word 97-2003 (.doc)", "save it as .docx or PDF"),
    ],
)
async def test_a_refused_document_is_one_line_exit_1_and_no_change(
    tmp_path: Path, command: str, source: str, vietnamese: str, english: str
) -> None:
    db = tmp_path / "cli.db"
    env = bot_env(None, db)
    async with await Store.open(db) as store:
        await add_subscribers(store, [82_001])
    before = dump(db)
    args = [command, str(DOCUMENTS / source)] + (["--yes"] if command == "publish" else [])
    code, out, err = await run(env, *args)
    assert code == 1 and len(err) == 1 and "Traceback" not in err[0]
    assert err[0].startswith(str(DOCUMENTS / source)) and vietnamese in err[0] and english in err[0]
    assert "queued" not in out and dump(db) == before


async def test_a_url_that_fails_and_a_text_that_is_not_a_bulletin_are_refused(tmp_path: Path, site: str) -> None:
    db = tmp_path / "cli.db"
    env = bot_env(None, db)
    code, _, err = await run(env, "publish", f"{site}/mat", "--yes")
    assert code == 1 and len(err) == 1
    assert "Không tìm thấy trang (lỗi 404)" in err[0] and "Page not found (404)" in err[0]
    note = tmp_path / "ghi-chu.txt"
    note.write_text("Họp chi bộ lúc 8 giờ.\nNhớ mang sổ tay.\n", encoding="utf-8")
    code, _, err = await run(env, "import", str(note))
    assert code == 1 and len(err) == 1
    assert "không phải bản tin Hội nghị Báo cáo viên" in err[0] and "does not look like" in err[0]
    assert not db.exists()  # nothing was imported, so the database was never even created


async def test_publish_of_a_bulletin_already_queued_goes_only_to_those_without_it(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    env = bot_env(None, db)
    source = str(DATA / "case01.txt")
    async with await Store.open(db) as store:
        await add_subscribers(store, [83_001, 83_002])
    code, out, err = await run(env, "publish", source, "--yes")
    assert code == 0, err
    assert "queued broadcast #1: 6 messages × 2 subscribers; a running bot delivers it" in out
    assert "left out" not in out
    # Again: both have it (pending), so nothing is queued, and it says so.
    code, out, err = await run(env, "publish", source, "--yes")
    assert code == 0, err
    assert out.startswith("nothing queued:") and "All 2 subscribers already have this bulletin" in out
    assert "--resend-all" in out
    async with await Store.open(db) as store:
        await add_subscribers(store, [83_003])
    code, out, err = await run(env, "publish", source, "--yes")
    assert code == 0, err
    assert "queued broadcast #2: 6 messages × 1 subscribers" in out
    assert "2 subscribers who have it were left out" in out
    code, out, err = await run(env, "publish", source, "--yes", "--resend-all")
    assert code == 0, err
    assert "queued broadcast #3: 6 messages × 3 subscribers" in out and "left out" not in out
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT DISTINCT broadcast_id, chat_id FROM deliveries ORDER BY 1, 2").fetchall()
    assert rows == [(1, 83_001), (1, 83_002), (2, 83_003), (3, 83_001), (3, 83_002), (3, 83_003)]
    code, out, _ = await run(env, "publish", "--help")
    assert code == 0 and "--resend-all" in out and "have not got it" in " ".join(out.split())
