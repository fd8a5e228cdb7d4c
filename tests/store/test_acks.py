"""The "Đã nhận" store (data/acks.py, migration 0008) on real SQLite: which part carries the button,
one acknowledgement per (broadcast, chat), the rate, who has not by unit, reminders to those only."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from data import acks, outbox, subscribers
from data.store import MIGRATION_FUNCTIONS, Store, migrations
from handlers.acks import ACK
from tests.delivery_helpers import add_subscribers, queue


async def _sent(store: Store, broadcast_id: int, chats: list[int]) -> None:
    """Mark every row of ``broadcast_id`` for ``chats`` sent, as the engine does."""
    rows = await store.fetchall(
        f"SELECT id FROM deliveries WHERE broadcast_id = ? AND chat_id IN ({','.join('?' * len(chats))})",
        (broadcast_id, *chats),
    )
    await outbox.mark_sent(store, [(int(r[0]), 1000 + i) for i, r in enumerate(rows)])


async def test_only_the_last_part_names_its_broadcast(store: Store) -> None:
    await add_subscribers(store, [1])
    info = await queue(store, n=3)
    assert await outbox.parts(store, info.id) == [
        (1, "<b>Phần 1</b> nhiệm vụ số 1", None),
        (2, "<b>Phần 2</b> nhiệm vụ số 2", None),
        (3, "<b>Phần 3</b> nhiệm vụ số 3", info.id),
    ]


async def test_an_older_outbox_gets_the_button_on_each_broadcasts_last_part(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        for name, function in MIGRATION_FUNCTIONS.items():
            conn.create_function(name, 1, function, deterministic=True)
        for number, _, sql in migrations()[:7]:
            conn.executescript(f"{sql}\nPRAGMA user_version = {number};")
        conn.execute(
            "INSERT INTO bulletins (title, month, organizer, intro, source_sha256, created_at, organizer_folded,"
            " title_folded) VALUES ('T', '2021-10', '', '', 'abc', 'now', '', 't')"
        )
        conn.executemany("INSERT INTO broadcasts (bulletin_id, created_at) VALUES (1, 'now')", [(), ()])
        conn.executemany(
            "INSERT INTO broadcast_messages (broadcast_id, seq, task_number, html) VALUES (?, ?, ?, 'x')",
            [(1, 1, 1), (1, 2, 2), (2, 1, 1)],
        )
    async with await Store.open(db) as store:
        assert await store.user_version() == len(migrations())
        assert [p[2] for p in await outbox.parts(store, 1)] == [None, 1]
        assert [p[2] for p in await outbox.parts(store, 2)] == [2]


async def test_a_press_is_recorded_once_and_only_from_a_recipient(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    info = await queue(store, n=2)
    await add_subscribers(store, [3])  # joined later: not a recipient
    assert await acks.is_recipient(store, info.id, 1)
    assert not await acks.is_recipient(store, info.id, 3)
    assert await acks.original(store, info.id) == info.id
    assert await acks.original(store, 999) is None

    first, at = await acks.record(store, info.id, 1)
    again, at_again = await acks.record(store, info.id, 1)
    assert first and not again and at_again == at == await acks.acked_at(store, info.id, 1)
    assert await store.fetchval("SELECT count(*) FROM acknowledgements") == 1
    assert await acks.acked_at(store, info.id, 2) is None


async def test_rate_counts_those_who_received_it(store: Store) -> None:
    await add_subscribers(store, [1, 2, 3, 4])
    info = await queue(store, n=2)
    assert await acks.rate(store, info.id) == acks.Rate(acked=0, received=0)
    await _sent(store, info.id, [1, 2, 3])
    await acks.record(store, info.id, 2)
    assert await acks.rate(store, info.id) == acks.Rate(acked=1, received=3)


async def test_who_has_not_is_grouped_by_unit_those_without_one_last(store: Store) -> None:
    people = {10: ("Zung", "B"), 11: ("An", None), 12: ("Bình", "A"), 13: ("Chi", "B"), 14: ("Dũng", "A")}
    for chat, (name, unit) in people.items():
        await subscribers.subscribe(store, chat, user_id=chat, chat_type="private", display_name=name)
        await subscribers.set_profile(store, chat, role=None, unit=unit)
    info = await queue(store, n=1)
    await _sent(store, info.id, [10, 11, 12, 13])  # 14's part is not sent yet: not listed
    await acks.record(store, info.id, 12)
    got = [(p.unit, p.name) for p in await acks.not_acked(store, info.id)]
    assert got == [("B", "Chi"), ("B", "Zung"), ("", "An")]
    await subscribers.leave(store, 13, "stop")  # who left is not reminded
    assert [p.chat_id for p in await acks.not_acked(store, info.id)] == [10, 11]


async def test_a_reminder_goes_to_those_who_have_not_and_acknowledges_the_original(store: Store) -> None:
    await add_subscribers(store, [1, 2, 3])
    info = await queue(store, n=2)
    await _sent(store, info.id, [1, 2, 3])
    await acks.record(store, info.id, 1)
    reminder = await acks.queue_reminder(store, info.id, "<b>nhắc</b>", requested_by=9, admin_chat_id=9)
    assert reminder is not None and reminder.queued and reminder.recipients == 2
    rows = await store.fetchall("SELECT chat_id, seq, status FROM deliveries WHERE broadcast_id = ?", (reminder.id,))
    assert sorted(tuple(r) for r in rows) == [(2, 1, "pending"), (3, 1, "pending")]
    assert await outbox.parts(store, reminder.id) == [(1, "<b>nhắc</b>", info.id)]
    assert await acks.original(store, reminder.id) == info.id
    got = await outbox.get_broadcast(store, reminder.id)
    assert got is not None and got.status == "queued" and got.recipients == 2 and got.message_count == 1

    # While it goes out, a second press queues nothing.
    again = await acks.queue_reminder(store, info.id, "x", requested_by=9, admin_chat_id=9)
    assert again == acks.Reminder(reminder.id, 0, queued=False)
    # A reminder's recipient who presses is a recipient of the original.
    assert await acks.is_recipient(store, info.id, 2)

    await _sent(store, reminder.id, [2, 3])
    await outbox.finish_if_complete(store, reminder.id)
    await acks.record(store, info.id, 2)
    await acks.record(store, info.id, 3)
    before = await store.fetchval("SELECT count(*) FROM broadcasts")
    nobody = await acks.queue_reminder(store, info.id, "x", requested_by=9, admin_chat_id=9)
    assert nobody == acks.Reminder(0, 0, queued=False)
    assert await store.fetchval("SELECT count(*) FROM broadcasts") == before  # nothing left behind
    assert await acks.queue_reminder(store, 999, "x", requested_by=9, admin_chat_id=9) is None


def test_the_callback_data_names_the_broadcast_and_fits_telegrams_limit() -> None:
    from bot.ptb.sending import ack_data, ack_keyboard

    biggest = 10**12 - 1
    assert len(ack_data(biggest).encode()) <= 64
    press = ACK.read(ack_data(biggest))
    assert press is not None and press.id == biggest
    assert ACK.read("ack:got:") is None and ACK.read("ack:got:1x") is None and ACK.read("bc:pause:1") is None
    [[button]] = ack_keyboard(7).inline_keyboard
    assert button.text == "✅ Đã nhận · Received" and button.callback_data == "ack:got:7"


def test_the_fast_path_writes_the_same_keyboard_as_ptb() -> None:
    from telegram.ext import ExtBot

    from bot.ptb.sending import TelegramSender, ack_keyboard

    sender = TelegramSender(ExtBot("123:abc"))
    with_button = json.loads(sender.body(5, "x", notify=False, ack_for=42))
    assert with_button["reply_markup"] == ack_keyboard(42).to_dict()
    assert "reply_markup" not in json.loads(sender.body(5, "x", notify=False))
