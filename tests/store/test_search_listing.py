"""The archive's listings for answers (data.bulletins): filtered pages with totals, latest and month
lookups of one organizer, the organizers held, and what the archive holds, on a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.records import ArchivedBulletin, Bulletin, Task
from data import bulletins
from data.search import SearchFilter
from data.store import Store

CENTRAL = "Ban Tuyên giáo Trung ương"
HA_GIANG = "Ban Tuyên giáo Tỉnh ủy Hà Giang"
HA_GIANG_OLD = "Ban Tuyên giáo Tỉnh uỷ Hà Giang"
BLOC = "Đảng ủy Khối các cơ quan Trung ương"


def bulletin(month: str, organizer: str, title: str | None = None) -> Bulletin:
    return Bulletin(
        title=title or f"Hội nghị Báo cáo viên tháng {month}",
        month=month,
        published=None,
        organizer=organizer,
        intro="",
        tasks=(Task(1, f"Nhiệm vụ của {organizer} tháng {month}."), Task(2, "Việc khác.")),
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(tmp_path / "listing.db") as opened:
        for month, organizer in [
            ("2023-09", CENTRAL),
            ("2023-09", HA_GIANG),
            ("2023-12", BLOC),
            ("2024-03", CENTRAL),
            ("2024-03", HA_GIANG_OLD),
            ("2024-09", CENTRAL),
            ("2024-09", BLOC),
            ("2025-01", CENTRAL),
        ]:
            await bulletins.add(opened, bulletin(month, organizer))
        yield opened


def shown(items: list[ArchivedBulletin]) -> list[tuple[str, str]]:
    return [(b.month, b.organizer) for b in items]


async def test_listing_is_newest_first_with_its_total_and_pages(store: Store) -> None:
    items, total = await bulletins.listing(store, SearchFilter(start="2024-01", end="2024-12"), 0, 2)
    assert total == 4
    assert shown(items) == [("2024-09", BLOC), ("2024-09", CENTRAL)]
    items, total = await bulletins.listing(store, SearchFilter(start="2024-01", end="2024-12"), 2, 2)
    assert (total, shown(items)) == (4, [("2024-03", HA_GIANG_OLD), ("2024-03", CENTRAL)])
    items, total = await bulletins.listing(store, SearchFilter(start="2024-01", end="2024-12"), 4, 2)
    assert (items, total) == ([], 4)
    _, everything = await bulletins.listing(store)
    assert everything == 8


async def test_listing_by_organizer_either_spelling_and_with_months(store: Store) -> None:
    items, total = await bulletins.listing(store, SearchFilter(organizer="tỉnh ủy hà giang"))
    assert (total, shown(items)) == (2, [("2024-03", HA_GIANG_OLD), ("2023-09", HA_GIANG)])
    items, total = await bulletins.listing(store, SearchFilter(organizer="trung uong", end="2023-12"))
    assert (total, shown(items)) == (2, [("2023-12", BLOC), ("2023-09", CENTRAL)])
    items, total = await bulletins.listing(store, SearchFilter(organizer="dang uy khoi"))
    assert total == 2 and {b.organizer for b in items} == {BLOC}
    assert await bulletins.listing(store, SearchFilter(organizer="tinh uy yen bai")) == ([], 0)


async def test_latest_and_months_of_one_organizer(store: Store) -> None:
    latest = await bulletins.latest(store)
    assert latest is not None and (latest.month, latest.organizer) == ("2025-01", CENTRAL)
    latest = await bulletins.latest(store, organizer="tinh uy ha giang")
    assert latest is not None and (latest.month, latest.organizer) == ("2024-03", HA_GIANG_OLD)
    assert await bulletins.latest(store, organizer="tinh uy yen bai") is None
    assert shown(await bulletins.by_month(store, "2024-09")) == [("2024-09", BLOC), ("2024-09", CENTRAL)]
    assert shown(await bulletins.by_month(store, "2024-09", organizer="đảng ủy khối")) == [("2024-09", BLOC)]
    assert await bulletins.by_month(store, "2024-09", organizer="ha giang") == []
    assert await bulletins.latest_month_numbered(store, 9) == "2024-09"
    assert await bulletins.latest_month_numbered(store, 9, organizer="ha giang") == "2023-09"
    assert await bulletins.latest_month_numbered(store, 12, organizer="ha giang") is None


async def test_organizers_are_counted_most_bulletins_first(store: Store) -> None:
    # "Tỉnh ủy" and "Tỉnh uỷ" are one organizer, named as the newest of its bulletins (a tie, 1 each).
    assert await bulletins.organizers(store) == [(CENTRAL, 4), (HA_GIANG_OLD, 2), (BLOC, 2)]  # ties: by name
    assert await bulletins.organizers(store, limit=1) == [(CENTRAL, 4)]
    await bulletins.add(store, bulletin("2025-02", HA_GIANG))
    await bulletins.add(store, bulletin("2025-03", HA_GIANG.upper()))
    assert (await bulletins.organizers(store))[1] == (HA_GIANG, 4)  # the spelling most bulletins use


async def test_holdings_say_what_the_archive_holds(store: Store, tmp_path: Path) -> None:
    held = await bulletins.holdings(store)
    assert held == bulletins.Holdings("2023-09", "2025-01", 8, ((2023, 3), (2024, 4), (2025, 1)))
    async with await Store.open(tmp_path / "empty.db") as empty:
        assert await bulletins.holdings(empty) == bulletins.Holdings(None, None, 0, ())
        assert await bulletins.organizers(empty) == []
        assert await bulletins.listing(empty, SearchFilter(organizer="trung uong")) == ([], 0)
