"""A database that disappears or becomes read-only under ``python -m bot run`` (issue 13.4): noticed
within DATABASE_CHECK_SECONDS, one ERROR line, the admins told once, a rescue copy of what the bot
still had open, exit 1; never an empty database in its place, at once or at the next start."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.offline.localtg import LocalTelegram
from data.store import Store, created_marker
from tests.conftest import TOKEN
from tests.delivery_helpers import add_subscribers
from tests.process.test_process import bot_env, failed_start, start_bot

ADMIN = 777


async def running_bot(tg: LocalTelegram, db: Path) -> asyncio.subprocess.Process:
    """A bot on ``db`` checking its file every 0.2 s, once it said it is ready."""
    proc = await start_bot(bot_env(tg, db, ADMIN_IDS=str(ADMIN), DATABASE_CHECK_SECONDS="0.2"))
    try:
        await tg.wait_for(lambda: created_marker(db).exists(), timeout=30)
    except TimeoutError:
        proc.kill()
        raise
    return proc


async def exit_of(proc: asyncio.subprocess.Process) -> tuple[int, list[str]]:
    try:
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=20)
    except TimeoutError:
        proc.kill()
        raise
    err = stderr.decode()
    assert "Traceback" not in err and TOKEN not in err, err[-3000:]
    assert proc.returncode is not None
    return proc.returncode, err.strip().splitlines()


def admin_texts(tg: LocalTelegram) -> list[str]:
    return [m.text or "" for m in tg.messages_for(ADMIN)]


async def test_deleted_database_is_noticed_told_rescued_and_never_recreated(tmp_path: Path, tg: LocalTelegram) -> None:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        await add_subscribers(store, [11, 12, 13])
    proc = await running_bot(tg, db)
    db.unlink()
    code, lines = await exit_of(proc)

    assert code == 1, lines[-20:]
    errors = [line for line in lines if " ERROR " in line or line.startswith("ERROR")]
    assert any(f"database {db}: the database file was deleted or moved" in line for line in errors), lines[-20:]
    assert lines[-1].startswith(f"error: stopped: database {db}: the database file was deleted or moved")
    assert not db.exists()  # never recreated, not even by the shutdown's last writes
    told = [t for t in admin_texts(tg) if "Database problem" in t]
    assert len(told) == 1 and str(db) in told[0] and "đã bị xoá" in told[0]

    # The copy holds the subscribers the deleted file held.
    rescued = sorted(tmp_path.glob("bot.db.rescued-*"))
    assert len(rescued) == 1 and str(rescued[0]) in told[0]
    with sqlite3.connect(f"file:{rescued[0]}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT count(*) FROM subscribers").fetchone()[0] == 3

    # (b) The restart refuses, names the path and the way out, exit 2, creates nothing.
    code, lines = await failed_start(bot_env(tg, db, ADMIN_IDS=str(ADMIN)))
    assert code == 2
    assert lines[-1].startswith(f"error: the database {db} is missing but a bot ran on it before")
    assert "python -m bot restore FILE" in lines[-1] and f"remove {created_marker(db)}" in lines[-1]
    assert str(rescued[0]) in lines[-1]
    assert not db.exists()

    # doctor says the same, distinctly from a first start's missing file.
    proc = await start_bot(bot_env(tg, db), "doctor")
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 1
    assert "✗ database: the database file is missing but it existed before" in out.decode()
    assert not db.exists()

    # Restoring the rescued copy brings the bot back, with its subscribers.
    proc = await start_bot(bot_env(tg, db), "restore", str(rescued[0]))
    out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, err.decode()
    async with await Store.open(db) as store:
        assert await store.fetchval("SELECT count(*) FROM subscribers") == 3


async def test_replaced_database_is_noticed(tmp_path: Path, tg: LocalTelegram) -> None:
    db = tmp_path / "bot.db"
    proc = await running_bot(tg, db)
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    other.replace(db)  # same path, another file
    code, lines = await exit_of(proc)
    assert code == 1
    assert lines[-1].startswith(f"error: stopped: database {db}: the database file was deleted or replaced")
    assert len([t for t in admin_texts(tg) if "Database problem" in t]) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes whatever the mode: tests/store/test_file_check.py")
async def test_read_only_database_is_noticed(tmp_path: Path, tg: LocalTelegram) -> None:
    db = tmp_path / "bot.db"
    proc = await running_bot(tg, db)
    db.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        code, lines = await exit_of(proc)
    finally:
        db.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert code == 1
    assert lines[-1].startswith(f"error: stopped: database {db}: the database file is read-only")
    assert not list(tmp_path.glob("bot.db.rescued-*"))  # nothing to rescue: the file is there
    assert len([t for t in admin_texts(tg) if "chỉ cho đọc" in t]) == 1


async def test_a_first_start_creates_the_database_and_its_marker(tmp_path: Path, tg: LocalTelegram) -> None:
    db = tmp_path / "bot.db"
    assert not db.exists() and not created_marker(db).exists()
    proc = await running_bot(tg, db)  # waits for the marker
    assert db.is_file()
    proc.terminate()
    code, lines = await exit_of(proc)
    assert code == 0, lines[-20:]
    assert db.is_file() and created_marker(db).is_file()
    assert not any("ERROR" in line for line in lines)
