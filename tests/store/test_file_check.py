"""Store.check_file, the start-up rule on a lost database, and the guard that acts on a problem,
on real SQLite files. Read-only is simulated here two ways that also hold for root (who writes a
file whatever its mode): a real SQLITE_READONLY from a write (``PRAGMA query_only``), and
``os.access`` answering no, as it does for any other user after ``chmod a-w``."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import pytest

from bot.services.db_guard import DatabaseGuard
from data.store import Store, StoreError, created_marker, lost_database


class Admins:
    """The Notifier seam, in memory: what each admin was sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def post(self, chat_id: int, html: str) -> int | None:
        self.sent.append((chat_id, html))
        return len(self.sent)

    async def edit(self, chat_id: int, message_id: int, html: str) -> None:
        raise AssertionError("the guard never edits")


async def test_a_sound_file_has_no_problem(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "bot.db") as store:
        assert await store.check_file() is None
        await store.execute("CREATE TABLE t (x)")
        assert await store.check_file() is None


async def test_deleted_and_replaced_are_told_apart_from_a_sound_file(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        db.unlink()
        assert await store.check_file() == "the database file was deleted or moved"
        sqlite3.connect(db).close()  # another file at the same path
        assert await store.check_file() == "the database file was deleted or replaced by another file"


async def test_read_only_by_mode_is_noticed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
        assert await store.check_file() == "the database file is read-only"


async def test_a_readonly_write_failure_is_noticed_at_once(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        calls: list[None] = []
        store.on_write_failure = lambda: calls.append(None)
        await store.execute("CREATE TABLE t (x)")
        await store._writer.execute("PRAGMA query_only = ON")  # every write now fails: SQLITE_READONLY
        with pytest.raises(sqlite3.OperationalError):
            await store.execute("INSERT INTO t VALUES (1)")
        assert len(calls) == 1
        with pytest.raises(sqlite3.OperationalError):
            async with store.transaction() as conn:
                await conn.execute("INSERT INTO t VALUES (2)")
        assert len(calls) == 2
        problem = await store.check_file()
        assert problem is not None and "read-only" in problem and "SQLITE_READONLY" in problem


async def test_a_statement_error_is_not_a_file_problem(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "bot.db") as store:
        store.on_write_failure = lambda: pytest.fail("a bad statement is not the file's fault")
        with pytest.raises(sqlite3.OperationalError):
            await store.execute("INSERT INTO no_such_table VALUES (1)")
        assert await store.check_file() is None


async def test_a_lost_database_is_refused_and_not_recreated(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    assert lost_database(db) is None  # first start: nothing says it existed
    async with await Store.open(db) as store:
        store.mark_created()
        store.mark_created()  # once is enough; twice changes nothing
    marker_text = created_marker(db).read_text(encoding="utf-8")
    assert lost_database(db) is None  # there, so not lost
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    line = lost_database(db)
    assert line is not None and str(db) in line and "python -m bot restore FILE" in line
    with pytest.raises(StoreError) as refused:
        await Store.open(db)
    assert str(refused.value) == line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bot.db.created"]  # nothing created
    assert created_marker(db).read_text(encoding="utf-8") == marker_text

    created_marker(db).unlink()  # the documented way to start empty on purpose
    async with await Store.open(db) as store:
        assert await store.user_version() > 0


async def test_the_rescue_copy_holds_what_the_deleted_file_held(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        await store.execute("CREATE TABLE t (x)")
        await store.execute("INSERT INTO t VALUES (42)")
        db.unlink()
        await store.execute("INSERT INTO t VALUES (43)")  # written after the deletion, still kept
        copy = await store.rescue_copy()
    assert not db.exists() and copy.parent == tmp_path and copy.name.startswith("bot.db.rescued-")
    with sqlite3.connect(copy) as conn:
        assert [r[0] for r in conn.execute("SELECT x FROM t ORDER BY x")] == [42, 43]


async def test_the_guard_tells_each_admin_once_stops_the_work_and_halts(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        admins, halted = Admins(), asyncio.Event()
        stopped: list[None] = []
        reasons: list[str] = []

        async def stop_work() -> None:
            stopped.append(None)

        def halt(reason: str) -> None:
            reasons.append(reason)
            halted.set()

        guard = DatabaseGuard(store, admins, {5, 6}, interval=3600, stop_work=stop_work, halt=halt)
        guard.start()
        await store._writer.execute("PRAGMA query_only = ON")
        with pytest.raises(sqlite3.OperationalError):
            await store.execute("CREATE TABLE t (x)")  # wakes the guard at once: no 3600 s wait
        await asyncio.wait_for(halted.wait(), 5)
        await guard.report("again")  # a second problem is not told again
        await guard.stop()
    assert stopped == [None]
    assert [chat for chat, _ in admins.sent] == [5, 6]
    assert all(str(db) in text and "SQLITE_READONLY" in text for _, text in admins.sent)
    assert reasons == [f"database {db}: {guard.problem}"]
    assert not list(tmp_path.glob("bot.db.rescued-*"))  # read-only: the file is there, nothing to rescue
