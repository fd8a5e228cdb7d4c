"""Migrations 0010-0012 (issue 12) on a database an older bot left with subscribers in it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from data import subscribers
from data.store import MIGRATION_FUNCTIONS, Store, migrations


def _database_at_version_9(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        for name, function in MIGRATION_FUNCTIONS.items():
            conn.create_function(name, 1, function, deterministic=True)
        for number, _, sql in migrations()[:9]:
            conn.executescript(f"{sql}\nPRAGMA user_version = {number};")
        rows = [
            (1, "Báo cáo viên", "Phường Ba Đình", 1, None, None),
            (2, "tuyen truyen vien", "phuong ba dinh ", 1, None, None),
            (3, "BCV cấp xã", "Xã Tân Lập", 0, "2026-11-02T01:00:00.000000Z", "blocked: Forbidden"),
            (4, "Phóng viên", None, 0, "2026-11-03T01:00:00.000000Z", "user: /stop"),
            (5, None, None, 1, None, None),
        ]
        conn.executemany(
            "INSERT INTO subscribers (chat_id, role, unit, active, left_at, left_reason, subscribed_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, '2026-11-01T01:00:00.000000Z', '2026-11-01T01:00:00.000000Z')",
            rows,
        )


async def test_roles_and_units_typed_before_are_read_into_targets(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _database_at_version_9(db)
    async with await Store.open(db) as store:
        assert await store.user_version() == len(migrations())
        kinds = dict(tuple(r) for r in await store.fetchall("SELECT chat_id, role_kind FROM subscribers"))
        assert kinds == {1: "bcv", 2: "ttv", 3: "bcv", 4: "other", 5: None}
        units = await store.fetchall("SELECT id, name, listed FROM units ORDER BY name")
        assert [(name, listed) for _, name, listed in units] == [("Phường Ba Đình", 0), ("Xã Tân Lập", 0)]
        # The two spellings of one unit are one unit.
        unit_of = dict(tuple(r) for r in await store.fetchall("SELECT chat_id, unit_id FROM subscribers"))
        assert unit_of[1] == unit_of[2] is not None and unit_of[3] != unit_of[1] and unit_of[4] is None


async def test_history_is_backfilled_and_then_kept_by_triggers(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _database_at_version_9(db)
    async with await Store.open(db) as store:
        events = [tuple(r) for r in await store.fetchall("SELECT chat_id, kind FROM subscriber_events ORDER BY id")]
        assert sorted(events) == sorted(
            [(1, "join"), (2, "join"), (3, "join"), (4, "join"), (5, "join"), (3, "blocked"), (4, "leave")]
        )
        await subscribers.subscribe(store, 6, user_id=6, chat_type="private", display_name="Mới")
        await subscribers.leave(store, 1, reason="user: /stop")
        await subscribers.subscribe(store, 4, user_id=4, chat_type="private", display_name="Quay lại")
        await subscribers.subscribe(store, 5, user_id=5, chat_type="private", display_name="Vẫn ở")
        later = [tuple(r) for r in await store.fetchall("SELECT chat_id, kind FROM subscriber_events WHERE id > 7")]
        assert later == [(6, "join"), (1, "leave"), (4, "rejoin")]
