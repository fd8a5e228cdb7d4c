"""data/stats.py on a crafted database: subscribers by local day (across midnight UTC+7), a
broadcast's recipients by state, and the times to 90% delivered and to 50% acknowledged."""

from __future__ import annotations

import datetime as dt

from bot.delivery.when import resolve_zone
from data import outbox, stats
from data.store import Store
from tests.delivery_helpers import queue

VIETNAM = resolve_zone("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 12, 3, 5, 0, tzinfo=dt.UTC)  # 12:00 on 3 December in Vietnam


async def join(store: Store, chat_id: int, at: str) -> None:
    await store.execute(
        "INSERT INTO subscribers (chat_id, chat_type, display_name, active, subscribed_at, updated_at) "
        "VALUES (?, 'private', ?, 1, ?, ?)",
        (chat_id, f"Người {chat_id}", at, at),
    )


async def leave(store: Store, chat_id: int, at: str, reason: str = "/stop") -> None:
    await store.execute(
        "UPDATE subscribers SET active = 0, left_at = ?, left_reason = ?, updated_at = ? WHERE chat_id = ?",
        (at, reason, at, chat_id),
    )


async def rejoin(store: Store, chat_id: int, at: str) -> None:
    await store.execute(
        "UPDATE subscribers SET active = 1, left_at = NULL, left_reason = NULL, updated_at = ? WHERE chat_id = ?",
        (at, chat_id),
    )


async def test_subscribers_are_counted_by_local_day_across_midnight_utc_plus_7(store: Store) -> None:
    await join(store, 1, "2026-11-20T01:00:00.000000Z")  # before the range: counted in "active"
    await join(store, 2, "2026-12-01T16:59:59.000000Z")  # 23:59:59 on 1 Dec in Vietnam
    await join(store, 3, "2026-12-01T17:00:00.000000Z")  # 00:00 on 2 Dec in Vietnam
    await join(store, 4, "2026-12-02T10:00:00.000000Z")
    await leave(store, 4, "2026-12-02T11:00:00.000000Z")  # /stop: a leave
    await leave(store, 2, "2026-12-02T23:30:00.000000Z", reason="blocked: Forbidden")  # 06:30 on 3 Dec
    await rejoin(store, 4, "2026-12-03T01:00:00.000000Z")
    # An inactive row that never subscribed moves nobody (its only event is a 'leave').
    await store.execute(
        "INSERT INTO subscribers (chat_id, chat_type, active, subscribed_at, updated_at) "
        "VALUES (5, 'private', 0, '2026-12-03T02:00:00.000000Z', '2026-12-03T02:00:00.000000Z')"
    )

    days = await stats.subscribers_over_time(store, VIETNAM, days=3, now=NOW)

    assert [(d.day.isoformat(), d.joins, d.leaves, d.blocked, d.active) for d in days] == [
        ("2026-12-01", 1, 0, 0, 2),
        ("2026-12-02", 2, 1, 0, 3),
        ("2026-12-03", 1, 0, 1, 3),
    ]
    assert days[-1].active == await stats.active_subscribers(store)


async def test_the_same_events_in_utc_fall_on_other_days(store: Store) -> None:
    await join(store, 2, "2026-12-01T16:59:59.000000Z")
    await join(store, 3, "2026-12-01T17:00:00.000000Z")

    utc = await stats.subscribers_over_time(store, dt.UTC, days=3, now=NOW)
    vietnam = await stats.subscribers_over_time(store, VIETNAM, days=3, now=NOW)

    assert [d.joins for d in utc] == [2, 0, 0]
    assert [d.joins for d in vietnam] == [1, 1, 0]


async def test_an_empty_database_has_days_of_zeros(store: Store) -> None:
    days = await stats.subscribers_over_time(store, VIETNAM, days=30, now=NOW)
    assert len(days) == 30 and days[-1].day == dt.date(2026, 12, 3)
    assert all((d.joins, d.leaves, d.blocked, d.active) == (0, 0, 0, 0) for d in days)
    assert await stats.recent_broadcast_ids(store) == []


START = "2026-12-03T00:30:00.000000Z"


def at(minutes: float) -> str:
    moment = dt.datetime(2026, 12, 3, 0, 30, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def crafted_broadcast(store: Store) -> int:
    """Ten recipients of a two-part broadcast: chats 1-7 got both parts (chat k's second part at
    minute k), chat 8 blocked the bot, chat 9 failed on part 2, chat 10 still pending; chats 1-4
    and 9 acknowledged at minutes 10, 20, 30, 40 and 5."""
    for chat in range(1, 11):
        await join(store, chat, "2026-12-01T00:00:00.000000Z")
    info = await queue(store, n=2)
    await store.execute("UPDATE broadcasts SET status = 'running', started_at = ? WHERE id = ?", (START, info.id))
    rows = (
        "UPDATE deliveries SET status = ?, updated_at = ?, error = ? WHERE broadcast_id = ? AND chat_id = ? AND seq = ?"
    )
    for chat in range(1, 8):
        await store.execute(rows, ("sent", at(chat - 0.5), None, info.id, chat, 1))
        await store.execute(rows, ("sent", at(chat), None, info.id, chat, 2))
    await store.execute(rows, ("sent", at(1), None, info.id, 8, 1))
    await store.execute(rows, ("cancelled", at(2), "blocked: Forbidden: bot was blocked", info.id, 8, 2))
    await store.execute(rows, ("sent", at(1), None, info.id, 9, 1))
    await store.execute(rows, ("failed", at(2), "Bad Request: chat not found", info.id, 9, 2))
    for chat, minute in ((1, 10), (2, 20), (3, 30), (4, 40), (9, 5)):
        await store.execute(
            "INSERT INTO acknowledgements (broadcast_id, chat_id, at) VALUES (?, ?, ?)", (info.id, chat, at(minute))
        )
    return info.id


async def test_a_broadcast_counts_recipients_not_rows(store: Store) -> None:
    broadcast = await crafted_broadcast(store)

    figures = await stats.broadcast_stats(store, broadcast)

    assert figures.outcome == stats.Outcome(recipients=10, delivered=7, failed=1, blocked=1, pending=1, cancelled=0)
    assert figures.acknowledged == 5
    assert figures.ack_share == 0.5


async def test_90_percent_delivered_is_not_reached_with_7_of_10(store: Store) -> None:
    broadcast = await crafted_broadcast(store)
    assert await stats.time_to_delivered(store, broadcast) is None
    # 70% was reached when the seventh chat got its last part, at minute 7.
    assert await stats.time_to_delivered(store, broadcast, 0.7) == dt.timedelta(minutes=7)
    # 61% of 10 needs 7 chats too (the smallest n with n ≥ 6.1).
    assert await stats.time_to_delivered(store, broadcast, 0.61) == dt.timedelta(minutes=7)


async def test_90_percent_delivered_is_the_row_that_crossed_it(store: Store) -> None:
    broadcast = await crafted_broadcast(store)
    rows = "UPDATE deliveries SET status = 'sent', updated_at = ?, error = NULL WHERE broadcast_id = ? AND chat_id = ?"
    await store.execute(rows, (at(12), broadcast, 10))  # the 8th delivered: 80%
    await store.execute(rows, (at(25), broadcast, 9))  # the 9th: 90%
    assert await stats.time_to_delivered(store, broadcast) == dt.timedelta(minutes=25)


async def test_50_percent_acknowledged_is_the_fifth_press_of_ten(store: Store) -> None:
    broadcast = await crafted_broadcast(store)
    # Presses at minutes 5, 10, 20, 30, 40: the fifth (50% of 10 recipients) at minute 40.
    assert await stats.time_to_acknowledged(store, broadcast) == dt.timedelta(minutes=40)
    assert await stats.time_to_acknowledged(store, broadcast, 0.6) is None


async def test_a_broadcast_not_started_has_no_times(store: Store) -> None:
    for chat in (1, 2):
        await join(store, chat, "2026-12-01T00:00:00.000000Z")
    info = await queue(store, n=1)
    figures = await stats.broadcast_stats(store, info.id)
    assert figures.outcome.pending == 2 and figures.outcome.recipients == 2
    assert figures.to_90_delivered is None and figures.to_50_acknowledged is None
    assert figures.acknowledged == 0


async def test_recent_broadcasts_leave_out_reminders(store: Store) -> None:
    broadcast = await crafted_broadcast(store)
    await store.execute(
        "INSERT INTO broadcasts (bulletin_id, status, created_at, reminder_of) "
        "SELECT bulletin_id, 'queued', created_at, id FROM broadcasts WHERE id = ?",
        (broadcast,),
    )
    assert await stats.recent_broadcast_ids(store) == [broadcast]


async def test_recipient_records_page_through_every_chat_once(store: Store) -> None:
    broadcast = await crafted_broadcast(store)
    records = [r async for r in stats.recipient_records(store, broadcast, page=3)]
    assert [r.chat_id for r in records] == list(range(1, 11))
    by_chat = {r.chat_id: r for r in records}
    assert by_chat[1].status == "delivered" and by_chat[1].sent_at == at(1)
    assert by_chat[1].acknowledged_at == at(10) and by_chat[1].name == "Người 1"
    assert by_chat[8].status == "blocked" and by_chat[8].error.startswith("blocked")
    assert by_chat[9].status == "failed" and by_chat[9].error == "Bad Request: chat not found"
    assert by_chat[10].status == "pending" and by_chat[10].sent_at is None
    assert (await outbox.counts(store, broadcast)).total == 20
