"""Forgetting a subscriber (data/privacy.py, issue 13 point 5) on real SQLite: afterwards no row of any
table holds the chat id or the name, the reports count the same, pending rows are cancelled, and no
later fan-out (a new broadcast, a scheduled one starting, a late joiner, a reminder) brings them back."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.services import publishing
from data import acks, admin_actions, corrections, outbox, privacy, stats, subscribers
from data.store import Store
from tests.conftest import sample_bulletin
from tests.delivery_helpers import add_subscribers, queue

CHAT = 7391046252  # the person who asks; a private chat, so also their user id
NAME = "Nguyễn Thị Quỳnh Hoa"
ROLE, UNIT = "Tuyên truyền viên", "Phường Đông Hải"
OTHERS = [1001, 1002, -1003]
RUNNING = "fam-paren.txt"


async def _everything(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the schema lists (sqlite_schema: the FTS shadow tables included)."""
    names = [r[0] for r in await store.fetchall("SELECT name FROM sqlite_schema WHERE type = 'table'")]
    assert "subscribers" in names and "deliveries" in names and len(names) > 15
    return {name: [tuple(r) for r in await store.fetchall(f'SELECT * FROM "{name}"')] for name in names}


def _naming(tables: dict[str, list[tuple[Any, ...]]], needles: tuple[object, ...]) -> list[str]:
    found = []
    for table, rows in tables.items():
        for row in rows:
            for value in row:
                if isinstance(value, int) and value in needles:
                    found.append(f"{table}: {row}")
                elif isinstance(value, (str, bytes)):
                    text = value if isinstance(value, str) else value.decode("utf-8", "replace")
                    if any(str(n) in text for n in needles):
                        found.append(f"{table}: {row}")
    return found


async def _sent(store: Store, broadcast_id: int) -> None:
    rows = await store.fetchall("SELECT id FROM deliveries WHERE broadcast_id = ? ORDER BY id", (broadcast_id,))
    await outbox.mark_sent(store, [(int(r[0]), 5000 + i) for i, r in enumerate(rows)])


async def _world(store: Store) -> dict[str, int]:
    """CHAT is a subscriber with a profile who also acts as an admin; a finished broadcast they got
    and acknowledged, a running one with parts pending for them, a scheduled one."""
    await add_subscribers(store, OTHERS)
    await subscribers.subscribe(store, CHAT, user_id=CHAT, chat_type="private", display_name=NAME)
    assert await subscribers.set_profile(store, CHAT, role=ROLE, unit=UNIT)
    done = await queue(store, n=3, admin=CHAT)
    await _sent(store, done.id)
    await outbox.set_status(store, done.id, "done", allowed=("queued",))
    for chat in (CHAT, 1001):
        await acks.record(store, done.id, chat)
    await admin_actions.record(store, admin_actions.SEND, admin_user_id=CHAT, admin_name=NAME, broadcast_id=done.id)
    await admin_actions.record(store, admin_actions.EXPORT, admin_user_id=None, detail=f"/tmp/chat-{CHAT}.csv")
    await store.execute(
        "INSERT INTO drafts (admin_user_id, chat_id, source_text, status, created_at, updated_at)"
        " VALUES (?, ?, ?, 'pending', 'now', 'now')",
        (CHAT, CHAT, f"bản nháp của {NAME}"),
    )
    await store.execute(
        "INSERT INTO watch_sources (url, added_by, added_at) VALUES ('https://x.vn/', ?, 'now')", (CHAT,)
    )
    running = await publishing.queue_broadcast(
        store, publishing.prepare(sample_bulletin(RUNNING)), requested_by=None, admin_chat_id=None
    )
    assert running.info is not None
    await outbox.mark_running(store, running.info.id)
    first = await store.fetchval(
        "SELECT min(id) FROM deliveries WHERE broadcast_id = ? AND chat_id = ?", (running.info.id, CHAT)
    )
    await outbox.mark_sent(store, [(int(first), 777)])  # one part went out, the rest are pending
    # Telegram's description of a migrated group quotes the new id; here, by chance, CHAT's digits.
    await store.execute(
        "UPDATE deliveries SET status = 'failed', error = ? WHERE broadcast_id = ? AND chat_id = -1003",
        (f"Group migrated to supergroup. New chat id: {CHAT}", running.info.id),
    )
    scheduled = await publishing.queue_broadcast(
        store,
        publishing.prepare(sample_bulletin("fam-roman-tasks.txt")),
        requested_by=CHAT,
        admin_chat_id=CHAT,
        at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )
    assert scheduled.info is not None
    return {"done": done.id, "running": running.info.id, "scheduled": scheduled.info.id}


async def _reports(store: Store, broadcast_id: int) -> tuple[object, ...]:
    counts = await outbox.counts(store, broadcast_id)
    info = await outbox.get_broadcast(store, broadcast_id)
    assert info is not None
    return (
        await stats.outcome(store, broadcast_id),
        await stats.acknowledged(store, broadcast_id),
        await acks.rate(store, broadcast_id),
        counts.total,
        counts.sent,
        info.recipients,
    )


async def test_after_forget_no_row_names_them_and_the_reports_count_the_same(store: Store) -> None:
    ids = await _world(store)
    finished = await _reports(store, ids["done"])
    running_total = (await outbox.counts(store, ids["running"])).total
    tables = await _everything(store)
    assert len(_naming(tables, (CHAT, NAME))) > 10  # the test sees them before

    done = await privacy.forget(store, CHAT)

    assert _naming(await _everything(store), (CHAT, NAME, ROLE)) == []
    assert done.subscriber and done.was_active and done.anything
    n_parts = len(publishing.prepare(sample_bulletin(RUNNING)).messages)
    assert done.cancelled == n_parts - 1 + (await outbox.counts(store, ids["scheduled"])).cancelled
    assert done.acknowledgements == 1 and done.drafts == 1
    assert await subscribers.get(store, CHAT) is None
    # The finished broadcast's figures are what they were: 4 recipients, 2 acknowledged.
    assert await _reports(store, ids["done"]) == finished
    assert await acks.rate(store, ids["done"]) == acks.Rate(acked=2, received=4)
    # The running broadcast: their part that went stays counted, the rest is cancelled, nothing pending.
    counts = await outbox.counts(store, ids["running"])
    assert counts.total == running_total
    marker_rows = await store.fetchall(
        "SELECT status, message_id FROM deliveries WHERE broadcast_id = ? AND chat_id >= ? ORDER BY seq",
        (ids["running"], privacy.ANON_BASE),
    )
    assert [r[0] for r in marker_rows] == ["sent"] + ["cancelled"] * (n_parts - 1)
    assert all(r[1] is None for r in marker_rows)  # no message id left to edit or delete
    # One marker per forgotten chat, the same in every table, never a Telegram id.
    markers = {
        int(r[0])
        for t in ("deliveries", "acknowledgements", "subscriber_events")
        for r in await store.fetchall(f"SELECT DISTINCT chat_id FROM {t} WHERE chat_id >= ?", (privacy.ANON_BASE,))
    }
    assert len(markers) == 1 and privacy.is_marker(markers.pop())
    # An edit of the finished broadcast reaches the other three, never the forgotten chat.
    assert await corrections.reached(store, ids["done"], 1, "edit") == 3
    # The subscriber count over time sees them leave.
    kinds = await store.fetchall(
        "SELECT kind FROM subscriber_events WHERE chat_id >= ? ORDER BY id", (privacy.ANON_BASE,)
    )
    assert [k[0] for k in kinds] == ["join", "leave"]


async def test_no_later_fan_out_brings_them_back(store: Store) -> None:
    ids = await _world(store)
    await privacy.forget(store, CHAT)

    def rows_for(broadcast_id: int) -> str:
        return f"SELECT count(*) FROM deliveries WHERE broadcast_id = {broadcast_id} AND chat_id = {CHAT}"

    assert await outbox.release(store, ids["scheduled"]) is not None  # its joiners are added now
    assert await store.fetchval(rows_for(ids["scheduled"])) == 0
    assert await outbox.add_late_joiner(store, CHAT) == []  # not a subscriber: no late joiner
    later = await publishing.queue_broadcast(
        store, publishing.prepare(sample_bulletin("fam-plus.txt")), requested_by=None, admin_chat_id=None
    )
    assert later.info is not None and later.info.recipients == len(OTHERS)
    assert await store.fetchval(rows_for(later.info.id)) == 0
    reminder = await acks.queue_reminder(store, ids["done"], "<b>Nhắc</b>", requested_by=None, admin_chat_id=None)
    assert reminder is not None
    assert await store.fetchval(f"SELECT count(*) FROM deliveries WHERE chat_id = {CHAT}") == 0
    assert (
        await store.fetchval(
            "SELECT count(*) FROM deliveries WHERE status = 'pending' AND chat_id >= ?", (privacy.ANON_BASE,)
        )
        == 0
    )


async def test_they_may_come_back_with_start_and_forget_twice_is_harmless(store: Store) -> None:
    ids = await _world(store)
    await privacy.forget(store, CHAT)
    again = await privacy.forget(store, CHAT)
    assert not again.anything and again.deliveries == 0
    assert not await privacy.known(store, CHAT)
    assert await subscribers.subscribe(store, CHAT, user_id=CHAT, chat_type="private", display_name=NAME)
    fresh = await subscribers.get(store, CHAT)
    assert fresh is not None and fresh.active and fresh.role is None and fresh.unit is None
    assert await privacy.known(store, CHAT)
    # A returning subscriber is new to every broadcast: the running one takes them as a late joiner.
    assert ids["running"] in await outbox.add_late_joiner(store, CHAT)


async def test_a_group_is_forgotten_without_touching_who_subscribed_it(store: Store) -> None:
    await subscribers.subscribe(store, -100777, user_id=CHAT, chat_type="supergroup", display_name="Chi bộ 3")
    await admin_actions.record(store, admin_actions.PAUSE, admin_user_id=CHAT, admin_name=NAME)
    done = await privacy.forget(store, -100777)
    assert done.subscriber and done.admin_actions == 0
    [action] = await admin_actions.recent(store, 5)
    assert (action.admin_user_id, action.admin_name) == (CHAT, NAME)


async def test_a_failure_midway_changes_nothing(store: Store) -> None:
    await _world(store)
    await store.execute("CREATE TRIGGER boom BEFORE DELETE ON subscribers BEGIN SELECT RAISE(ABORT, 'boom'); END")
    before = await _everything(store)
    with pytest.raises(sqlite3.IntegrityError, match="boom"):
        await privacy.forget(store, CHAT)
    assert await _everything(store) == before


async def test_a_marker_is_not_a_chat(store: Store) -> None:
    with pytest.raises(ValueError):
        await privacy.forget(store, privacy.ANON_BASE + 5)
    assert not privacy.is_marker(2**52) and not privacy.is_marker(-(2**52))
    assert all(privacy.is_marker(privacy.new_marker()) for _ in range(100))
    assert privacy.new_marker() < 2**63


async def test_the_forget_survives_reopening_the_file(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        await _world(store)
        await privacy.forget(store, CHAT)
    async with await Store.open(db) as store:
        assert _naming(await _everything(store), (CHAT, NAME)) == []
