"""bot/reports/csv_export.py: the per-recipient CSV round-trips through the csv module with Vietnamese
names (utf-8-sig, BOM first), hostile names stay one cell, times are local, the file is atomic."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from bot.delivery.when import resolve_zone
from bot.reports import csv_export
from data.stats import RecipientRecord
from data.store import Store
from tests.delivery_helpers import queue

VIETNAM = resolve_zone("Asia/Ho_Chi_Minh")
NAMES = {
    1: "Nguyễn Thị Hồng Nhung",
    2: 'Trần "Út" Đức, Ban Tuyên giáo',
    3: "Lê Văn Ánh\nđơn vị 2",
    4: '=HYPERLINK("http://x")',
    5: "Phạm Quỳnh Hương",
}


async def crafted(store: Store) -> int:
    for chat, name in NAMES.items():
        await store.execute(
            "INSERT INTO subscribers (chat_id, chat_type, display_name, role, unit, active, subscribed_at, updated_at) "
            "VALUES (?, 'private', ?, 'Báo cáo viên', 'Phường Đông Khê', 1, ?, ?)",
            (chat, name, "2026-12-01T00:00:00.000000Z", "2026-12-01T00:00:00.000000Z"),
        )
    info = await queue(store, n=1)
    sent = "UPDATE deliveries SET status = ?, updated_at = ?, error = ? WHERE broadcast_id = ? AND chat_id = ?"
    for chat in (1, 2, 3, 4):
        await store.execute(sent, ("sent", "2026-12-02T17:05:00.000000Z", None, info.id, chat))  # 00:05 on 3 Dec
    await store.execute(sent, ("cancelled", "2026-12-02T17:06:00.000000Z", "blocked: Forbidden", info.id, 5))
    await store.execute(
        "INSERT INTO acknowledgements (broadcast_id, chat_id, at) VALUES (?, 1, '2026-12-03T01:12:00.000000Z')",
        (info.id,),
    )
    return info.id


async def export_bytes(store: Store, broadcast_id: int, page: int = 2) -> bytes:
    return b"".join([c async for c in csv_export.chunks(store, broadcast_id, VIETNAM, "Asia/Ho_Chi_Minh", page=page)])


async def test_round_trip_with_vietnamese_names_and_hostile_cells(store: Store) -> None:
    broadcast = await crafted(store)

    raw = await export_bytes(store, broadcast)

    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel looks for
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == csv_export.header("Asia/Ho_Chi_Minh")
    assert rows[0][1] == "Họ tên · Name"
    body = {int(r[0]): r for r in rows[1:]}
    assert len(rows) == 1 + len(NAMES)
    for chat in (1, 2, 3, 5):
        assert body[chat][1] == NAMES[chat]
    assert body[4][1] == "'" + NAMES[4]  # shown as text by Excel, not run as a formula
    assert body[1][2:4] == ["Báo cáo viên", "Phường Đông Khê"]
    assert body[1][4] == "đã gửi đủ · delivered"
    assert body[1][5] == "2026-12-03 00:05:00"  # local time, the day after in UTC+7
    assert body[1][6] == "2026-12-03 08:12:00"
    assert body[2][6] == ""
    assert body[5][4] == "đã chặn bot · blocked" and body[5][7] == "blocked: Forbidden" and body[5][5] == ""


async def test_pages_make_the_same_file(store: Store) -> None:
    broadcast = await crafted(store)
    assert await export_bytes(store, broadcast, page=1) == await export_bytes(store, broadcast, page=1000)


async def test_no_such_broadcast_raises_before_any_byte(store: Store) -> None:
    with pytest.raises(csv_export.NoSuchBroadcast):
        await export_bytes(store, 404)


async def test_a_file_is_written_whole_and_a_failed_export_leaves_nothing(store: Store, tmp_path: Path) -> None:
    broadcast = await crafted(store)
    target = tmp_path / csv_export.filename(broadcast)
    size = await csv_export.export_to_path(store, broadcast, VIETNAM, "Asia/Ho_Chi_Minh", target)
    assert target.read_bytes() == await export_bytes(store, broadcast) and size == target.stat().st_size

    missing = tmp_path / "missing.csv"
    with pytest.raises(csv_export.NoSuchBroadcast):
        await csv_export.export_to_path(store, 404, VIETNAM, "Asia/Ho_Chi_Minh", missing)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name, "test.db", "test.db-shm", "test.db-wal"]


def test_a_pending_recipient_has_no_times() -> None:
    record = RecipientRecord(7, "A", "", "", "pending", None, None, "")
    assert csv_export._row(record, dt.UTC)[4:7] == ["đang chờ gửi · pending", "", ""]
