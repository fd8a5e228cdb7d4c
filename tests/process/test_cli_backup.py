"""``python -m bot backup FILE`` and ``restore FILE`` as real processes on real SQLite files: a backup
taken while another connection writes is whole and consistent; restore is refused while a bot holds
the database, and for a damaged, non-SQLite, foreign or newer file, with the database untouched; a
backup taken in the middle of a broadcast restores to a database from which the delivery engine
finishes it with nothing lost and nothing sent twice."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import sqlite3
import threading
from pathlib import Path

from bot.offline.localtg import LocalTelegram
from data import backup, instance_lock, outbox
from data.store import MIGRATION_FUNCTIONS, Store, migrations
from tests.delivery_helpers import add_subscribers, drained, engine_on, parts_received, queue, until
from tests.process.test_process import bot_env, start_bot

PARTS = [f"Phần {i} nhiệm vụ số {i}" for i in range(1, 7)]


async def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await start_bot(env, *args)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, stdout.decode(), stderr.decode()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    """The files in ``folder`` but the instance lock's (restore takes the lock, as ``run`` does)."""
    return sorted(p.name for p in folder.iterdir() if p.suffix != ".lock")


async def a_database(tmp_path: Path, chats: int = 3) -> Path:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        await add_subscribers(store, list(range(1, chats + 1)))
        await queue(store, n=2)
    return db


async def test_backup_while_another_connection_writes_is_whole_and_consistent(tmp_path: Path) -> None:
    db = await a_database(tmp_path, chats=20_000)  # big enough for the copy to overlap the writes
    stop = threading.Event()
    batches = 0

    def writer() -> None:
        # Another process's writes, ten rows a transaction: a consistent copy holds whole transactions.
        nonlocal batches
        conn = sqlite3.connect(db, isolation_level=None, timeout=10)
        chat = 1_000_000
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            for _ in range(10):
                chat += 1
                conn.execute(
                    "INSERT INTO subscribers (chat_id, subscribed_at, updated_at) VALUES (?, ?, ?)",
                    (chat, "2026-12-03T00:00:00.000000Z", "2026-12-03T00:00:00.000000Z"),
                )
            conn.execute("COMMIT")
            batches += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        await until(lambda: batches >= 3)
        target = tmp_path / "backups" / "copy.db"
        target.parent.mkdir()
        code, out, err = await run(bot_env(None, db), "backup", str(target))
        during = batches
    finally:
        stop.set()
        thread.join()
    assert code == 0, err
    assert during > 3  # the writer was not held up while the copy ran
    lines = out.splitlines()
    assert len(lines) == 1 and str(target) in lines[0] and "schema version 12" in lines[0], out
    assert listing(target.parent) == ["copy.db"]  # no temporary file, no -wal
    info = backup.check(target)
    assert info.schema_version == backup.head_version()
    assert info.counts["subscribers"] >= 20_000 + 30
    assert (info.counts["subscribers"] - 20_000) % 10 == 0  # only whole transactions
    assert f"{info.counts['subscribers']} subscribers" in lines[0]
    assert "1 bulletins, 1 broadcasts" in lines[0]
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    conn.close()


async def test_backup_errors_are_one_line_and_leave_no_file(tmp_path: Path) -> None:
    db = await a_database(tmp_path)
    env = bot_env(None, db)
    before = listing(tmp_path)

    code, out, err = await run(env, "backup", str(tmp_path / "missing" / "b.db"))
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "does not exist" in err and not (tmp_path / "missing").exists()

    code, out, err = await run(env, "backup", str(tmp_path))  # a folder
    assert code == 1 and out == "" and len(err.splitlines()) == 1 and "is a folder" in err

    code, out, err = await run(bot_env(None, tmp_path / "nothing.db"), "backup", str(tmp_path / "b.db"))
    assert code == 1 and out == "" and len(err.splitlines()) == 1 and "there is no database" in err
    assert not (tmp_path / "nothing.db").exists()
    assert listing(tmp_path) == before


async def test_restore_is_refused_while_the_bot_holds_the_database(tmp_path: Path) -> None:
    db = await a_database(tmp_path)
    env = bot_env(None, db)
    copy = tmp_path / "copy.db"
    code, _, err = await run(env, "backup", str(copy))
    assert code == 0, err
    with instance_lock.hold(db):
        before, files = digest(db), listing(tmp_path)
        code, out, err = await run(env, "restore", str(copy))
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and "another bot is already running" in err, err
    assert digest(db) == before and listing(tmp_path) == files


async def test_bad_files_are_refused_with_the_reason_and_the_database_untouched(tmp_path: Path) -> None:
    db = await a_database(tmp_path)
    env = bot_env(None, db)
    good = tmp_path / "good.db"
    code, _, err = await run(env, "backup", str(good))
    assert code == 0, err

    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("Bản tin tháng 12 · not a database\n", encoding="utf-8")

    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    page = sqlite3.connect(good).execute("PRAGMA page_size").fetchone()[0]
    for n in range(2, len(data) // page):  # every page after the first (the schema) overwritten
        data[n * page + 8 : n * page + 200] = b"\xa5" * 192
    damaged.write_bytes(bytes(data))

    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {backup.head_version() + 1}")
    conn.close()

    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.close()

    cases = {
        not_sqlite: "is not an SQLite database",
        damaged: "damaged",
        newer: f"is at schema version {backup.head_version() + 1}, newer than this bot knows",
        foreign: "is not a backup of this bot",
        tmp_path / "absent.db": "there is no file",
    }
    before, files = digest(db), listing(tmp_path)
    for file, reason in cases.items():
        code, out, err = await run(env, "restore", str(file))
        assert code == 1 and out == "", (file, out)
        assert len(err.splitlines()) == 1 and reason in err and "untouched" in err, (file, err)
        assert digest(db) == before and listing(tmp_path) == files, file


async def test_restore_keeps_the_database_aside_and_migrates_an_older_backup(tmp_path: Path) -> None:
    db = await a_database(tmp_path, chats=4)
    env = bot_env(None, db)
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    for name, function in MIGRATION_FUNCTIONS.items():
        conn.create_function(name, 1, function, deterministic=True)
    conn.executescript("".join(sql for _, _, sql in migrations()[:9]) + "PRAGMA user_version = 9;")
    conn.execute(
        "INSERT INTO subscribers (chat_id, subscribed_at, updated_at) VALUES (5, ?, ?)",
        ("2026-11-01T00:00:00.000000Z", "2026-11-01T00:00:00.000000Z"),
    )
    conn.commit()
    conn.close()

    # As a bot killed with -9 leaves it: a -wal with a commit not yet in the file (copied while the
    # writer is open, since closing the last connection would checkpoint and remove it).
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE subscribers SET display_name = 'Nguyễn Văn Đức' WHERE chat_id = 1")
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for suffix in ("", "-wal"):
        shutil.copyfile(f"{db}{suffix}", crashed / f"bot.db{suffix}")
    writer.close()
    for suffix in ("", "-wal"):
        os.replace(crashed / f"bot.db{suffix}", f"{db}{suffix}")
    assert Path(f"{db}-wal").stat().st_size > 0

    code, out, err = await run(env, "restore", str(old))
    assert code == 0, err
    assert f"restored {old} to {db}: schema version {backup.head_version()} (migrated from 9)" in out
    assert "1 subscribers, 0 bulletins, 0 broadcasts" in out
    asides = [p for p in tmp_path.iterdir() if p.name.startswith("bot.db.before-restore-")]
    # the -wal folded into the file kept aside: one file, with the commit that was only in the -wal
    assert [p.name for p in asides] == [asides[0].name] and f"kept as {asides[0]}" in out
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    kept = backup.check(asides[0])
    assert kept.counts["subscribers"] == 4
    conn = sqlite3.connect(asides[0])
    assert conn.execute("SELECT display_name FROM subscribers WHERE chat_id = 1").fetchone()[0] == "Nguyễn Văn Đức"
    conn.close()
    async with await Store.open(db) as store:
        assert await store.user_version() == backup.head_version()
        assert await store.fetchval("SELECT group_concat(chat_id) FROM subscribers") == "5"


async def test_a_backup_taken_mid_broadcast_restores_and_resumes_with_nothing_lost_or_sent_twice(
    tmp_path: Path, tg: LocalTelegram
) -> None:
    db = tmp_path / "bot.db"
    chats = list(range(1, 9))
    snapshot = tmp_path / "mid.db"
    env = bot_env(None, db)
    async with await Store.open(db) as store:
        await add_subscribers(store, chats)
        info = await queue(store)
        async with engine_on(store, tg, rate=30) as engine:

            async def some_sent() -> bool:
                return (await outbox.counts(store, info.id)).sent >= 12

            await until(some_sent, timeout=20)
            code, out, err = await run(env, "backup", str(snapshot))  # the engine keeps delivering meanwhile
            assert code == 0, err
            assert not engine.idle
        # stopped before the end, so some of what Telegram got came after the backup (and will be
        # sent again after the restore: the backup is the truth the restored bot has)

    conn = sqlite3.connect(snapshot)
    rows = conn.execute("SELECT chat_id, status, count(*) FROM deliveries GROUP BY chat_id, status").fetchall()
    status = conn.execute("SELECT status FROM broadcasts WHERE id = ?", (info.id,)).fetchone()[0]
    conn.close()
    sent_in_backup = {chat: 0 for chat in chats}
    pending = 0
    for chat, state, n in rows:
        assert state in {"sent", "pending"}
        if state == "sent":
            sent_in_backup[chat] = n
        else:
            pending += n
    assert sum(sent_in_backup.values()) >= 12 and pending > 0, rows  # truly the middle of a broadcast
    assert status == "running"

    code, out, err = await run(env, "restore", str(snapshot))
    assert code == 0, err
    assert f"restored {snapshot} to {db}" in out

    async with LocalTelegram() as later, await Store.open(db) as store:
        assert (await outbox.counts(store, info.id)).sent == sum(sent_in_backup.values())
        async with engine_on(store, later, rate=30) as engine:
            await drained(store, later, engine, timeout=30)
        counts = await outbox.counts(store, info.id)
        assert (counts.sent, counts.pending) == (len(chats) * len(PARTS), 0)
        assert await store.fetchval("SELECT count(*) FROM deliveries WHERE message_id IS NULL") == 0
        assert await outbox.finish_if_complete(store, info.id)  # what the progress monitor does next
        for chat in chats:
            k = sent_in_backup[chat]
            assert parts_received(tg, chat)[:k] == PARTS[:k]  # what the backup says was sent, was
            assert parts_received(later, chat) == PARTS[k:], chat  # the rest, each once, in order
