"""The store on real SQLite: migrations, transactions, subscribers, archive, outbox fan-out."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from data import bulletins, outbox, subscribers
from data.search import SearchFilter, search_tasks
from data.store import MIGRATION_FUNCTIONS, Store, StoreError, migrations
from tests.conftest import sample_bulletin


async def test_empty_database_is_migrated_to_head_and_reopening_is_a_no_op(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        assert await store.user_version() == len(migrations())
        await subscribers.subscribe(store, 1, user_id=1, chat_type="private", display_name="A")
        assert await store.fetchval("PRAGMA journal_mode") == "wal"
        assert await store.fetchval("PRAGMA foreign_keys") == 1
    async with await Store.open(db) as store:  # second open applies nothing and keeps data
        assert await store.user_version() == len(migrations())
        assert await subscribers.count_active(store) == 1


def old_database(db: Path, version: int, tasks: list[str], organizer: str = "") -> None:
    """A database left at ``version`` by an older bot, with one bulletin of ``tasks`` stored as that
    version stored them (only the columns it had)."""
    with sqlite3.connect(db) as conn:
        for name, function in MIGRATION_FUNCTIONS.items():  # as the bot's own migrating connection has
            conn.create_function(name, 1, function, deterministic=True)
        for number, _, sql in migrations()[:version]:
            conn.executescript(f"{sql}\nPRAGMA user_version = {number};")
        if version >= 5:  # from version 5 on, the organizer and title folded for the organizer filter
            conn.execute(
                "INSERT INTO bulletins (title, month, organizer, intro, source_sha256, created_at,"
                " organizer_folded, title_folded) VALUES ('T', '2021-10', ?, '', 'abc', 'now', fold(?), 't')",
                (organizer, organizer),
            )
        else:
            conn.execute(
                "INSERT INTO bulletins (title, month, organizer, intro, source_sha256, created_at)"
                " VALUES ('T', '2021-10', ?, '', 'abc', 'now')",
                (organizer,),
            )
        if version >= 5:  # from version 5 on, each task's exact word keys too
            conn.executemany(
                "INSERT INTO tasks (bulletin_id, number, text, folded, exact) VALUES (1, ?, ?, fold(?), exact_text(?))",
                [(n, t, t, t) for n, t in enumerate(tasks, start=1)],
            )
        elif version >= 3:  # from version 3 on, the bot stores each task folded for search
            conn.executemany(
                "INSERT INTO tasks (bulletin_id, number, text, folded) VALUES (1, ?, ?, fold(?))",
                [(n, t, t) for n, t in enumerate(tasks, start=1)],
            )
        else:
            conn.executemany(
                "INSERT INTO tasks (bulletin_id, number, text) VALUES (1, ?, ?)", list(enumerate(tasks, start=1))
            )


@pytest.mark.parametrize("version", [1, 2])
async def test_tasks_of_an_older_database_are_found_by_search_after_the_upgrade(tmp_path: Path, version: int) -> None:
    # Version 2 added search but never indexed the tasks already there; a database that went through
    # it has them unfolded and unindexed, and the next migration must carry them in.
    db = tmp_path / "old.db"
    old_database(db, version, ["Phòng chống tham nhũng, tiêu cực", "Chuyển đổi số quốc gia"])
    async with await Store.open(db) as store:
        assert await store.user_version() == len(migrations())
        assert await store.fetchval("SELECT text FROM tasks WHERE id = 1") == "Phòng chống tham nhũng, tiêu cực"
        found = await search_tasks(store, "tham nhung")
        hits, total = found.hits, found.total
        assert total == 1 and [h.task_number for h in hits] == [1]
        found = await search_tasks(store, "chuyển đổi số")
        hits, _ = found.hits, found.total
        assert [h.task_number for h in hits] == [2]
        # The index agrees with its content table (https://sqlite.org/fts5.html#the_integrity_check_command).
        await store.execute("INSERT INTO tasks_fts (tasks_fts, rank) VALUES ('integrity-check', 1)")
        # Tasks added after the upgrade are found beside the old ones.
        await bulletins.add(store, sample_bulletin())
        found = await search_tasks(store, "tham nhung")
        hits, _ = found.hits, found.total
        assert 1 in {h.task_id for h in hits} and len(hits) > 1


async def test_every_older_version_reaches_the_latest_with_its_tasks_searchable(tmp_path: Path) -> None:
    for version in range(1, len(migrations())):
        db = tmp_path / f"v{version}.db"
        old_database(db, version, ["Học tập và làm theo tư tưởng Hồ Chí Minh"])
        async with await Store.open(db) as store:
            assert await store.user_version() == len(migrations())
            found = await search_tasks(store, "ho chi minh")
            hits, _ = found.hits, found.total
            assert [h.task_id for h in hits] == [1], f"from version {version}"


@pytest.mark.parametrize("version", [1, 3, 4])
async def test_an_older_database_gains_exact_search_and_the_organizer_filter(tmp_path: Path, version: int) -> None:
    # Version 5 indexes each word with its diacritics and each bulletin's organizer and title; the
    # tasks and bulletins already there must be carried in.
    db = tmp_path / "old.db"
    old_database(
        db,
        version,
        ["Phòng, chống tham nhũng, tiêu cực", "Thăm hỏi những gia đình chính sách"],
        "Ban Tuyên giáo Tỉnh uỷ Hà Giang",
    )
    async with await Store.open(db) as store:
        assert await store.user_version() == len(migrations())
        found = await search_tasks(store, "tham nhũng")
        assert (found.total, [h.task_number for h in found.hits], found.quality) == (1, [1], "exact")
        assert [h.text[s:e] for h in found.hits for s, e in h.spans] == ["tham nhũng"]
        found = await search_tasks(store, "những", where=SearchFilter(organizer="tinh uy ha giang"))
        assert [h.task_number for h in found.hits] == [2]
        listed, total = await bulletins.listing(store, SearchFilter(organizer="Tỉnh ủy Hà Giang"))
        assert total == 1 and listed[0].organizer == "Ban Tuyên giáo Tỉnh uỷ Hà Giang"
        for index in ("tasks_fts", "bulletins_fts"):  # https://sqlite.org/fts5.html#the_integrity_check_command
            await store.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)")
        # Added after the upgrade: found the same way.
        await bulletins.add(store, sample_bulletin())
        assert (await search_tasks(store, "tham nhũng")).total >= 1
        _, total = await bulletins.listing(store, SearchFilter(organizer="dang uy khoi"))
        assert total == 1


async def test_refuses_a_database_newer_than_the_code(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 999")
    with pytest.raises(StoreError, match="newer than this bot knows"):
        await Store.open(db)


def read_only_database(db: Path) -> None:
    """A database SQLite itself treats as read-only, whoever runs the test (root ignores file modes):
    a file-format write version above 2 (https://sqlite.org/fileformat2.html#file_format_version_numbers)."""
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    header = bytearray(db.read_bytes())
    header[18] = 3
    db.write_bytes(bytes(header))


async def test_an_unusable_database_is_one_clear_store_error(tmp_path: Path) -> None:
    read_only = tmp_path / "ro.db"
    read_only_database(read_only)
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("this is not SQLite " * 50, encoding="utf-8")
    in_a_file = tmp_path / "plain-file" / "x.db"
    in_a_file.parent.write_text("", encoding="utf-8")  # the "folder" is a file
    for path, reason in [(read_only, "read-only"), (not_a_db, "not an SQLite database"), (in_a_file, "")]:
        with pytest.raises(StoreError) as caught:
            await Store.open(path)
        message = str(caught.value)
        assert str(path) in message and reason in message and "DATABASE_PATH" in message
        assert "\n" not in message


async def test_failed_transaction_rolls_back(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.transaction() as conn:
            await conn.execute("INSERT INTO subscribers (chat_id, subscribed_at, updated_at) VALUES (5, 'x', 'x')")
            raise RuntimeError("boom")
    assert await subscribers.get(store, 5) is None


async def test_subscribe_is_idempotent_and_leave_reports_state(store: Store) -> None:
    assert await subscribers.subscribe(store, 7, user_id=7, chat_type="private", display_name="B")
    assert not await subscribers.subscribe(store, 7, user_id=7, chat_type="private", display_name="B")
    assert await subscribers.leave(store, 7, reason="user: /stop")
    assert not await subscribers.leave(store, 7, reason="user: /stop")
    assert await subscribers.subscribe(store, 7, user_id=7, chat_type="private", display_name="B")


async def test_archive_holds_several_bulletins_per_month_and_import_is_idempotent(store: Store) -> None:
    seed = sample_bulletin()
    other = sample_bulletin("case07.txt")
    assert seed.month == other.month == "2021-10"
    first, created = await bulletins.add(store, seed)
    again, created_again = await bulletins.add(store, seed)
    second, _ = await bulletins.add(store, other)
    assert created and not created_again and first == again
    month = await bulletins.by_month(store, "2021-10")
    assert [b.id for b in month] == [second, first]
    latest = await bulletins.latest(store)
    assert latest is not None and latest.id == second
    assert await bulletins.older(store, latest) == first


async def test_fan_out_writes_one_row_per_message_and_active_chat(store: Store) -> None:
    for chat in (1, 2, 3):
        await subscribers.subscribe(store, chat, user_id=chat, chat_type="private", display_name=None)
    await subscribers.leave(store, 2, reason="test")
    bulletin_id, _ = await bulletins.add(store, sample_bulletin())
    info = await outbox.create_broadcast(
        store, bulletin_id, [(1, "a"), (2, "b")], requested_by=None, admin_chat_id=None
    )
    assert (info.recipients, info.message_count, info.status) == (2, 2, "queued")
    rows = await store.fetchall("SELECT chat_id, seq FROM deliveries ORDER BY chat_id, seq")
    assert [tuple(r) for r in rows] == [(1, 1), (1, 2), (3, 1), (3, 2)]
    with pytest.raises(sqlite3.IntegrityError):  # the unique key on (broadcast, chat, seq)
        await store.execute("INSERT INTO deliveries (broadcast_id, seq, chat_id) VALUES (?, 1, 1)", (info.id,))


async def test_a_row_leaves_pending_once(store: Store) -> None:
    await subscribers.subscribe(store, 1, user_id=1, chat_type="private", display_name=None)
    bulletin_id, _ = await bulletins.add(store, sample_bulletin())
    info = await outbox.create_broadcast(store, bulletin_id, [(1, "a")], requested_by=None, admin_chat_id=None)
    row_id = int(await store.fetchval("SELECT id FROM deliveries"))
    await outbox.mark_sent(store, [(row_id, 42)])
    await outbox.mark_failed(store, row_id, "late failure")  # must not overwrite a sent row
    row = await store.fetchone("SELECT status, message_id, error FROM deliveries WHERE id = ?", (row_id,))
    assert row is not None and tuple(row) == ("sent", 42, None)
    assert await outbox.finish_if_complete(store, info.id)
    assert not await outbox.finish_if_complete(store, info.id)
