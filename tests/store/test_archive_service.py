"""The archive service on the example bulletins (tests/data/*.txt, parsed by the real parser) in a real
SQLite database: each phrasing a user might send finds the right bulletin, month or task."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.intents import Latest, Search, understand
from bot.domain.parser import parse_bulletin
from bot.domain.rendering import html_to_plain, plain_length
from bot.services import archive
from bot.services.archive import (
    BulletinAnswer,
    HelpAnswer,
    HistoryPage,
    MonthAnswer,
    NothingFound,
    SearchResults,
    TaskAnswer,
    TaskOutOfRange,
)
from bot.texts import archive as texts
from data import bulletins
from data.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "data"
TODAY = dt.date(2024, 5, 10)  # the newest example is April 2024 (case04)


async def import_examples(store: Store) -> dict[str, int]:
    """The original example bulletins (case*, seed), oldest file name first; returns name → bulletin id.

    The enumeration-family examples (fam-*) test the parser; the phrasings below are written
    against this archive.
    """
    ids = {}
    for path in sorted([*EXAMPLES.glob("case*.txt"), *EXAMPLES.glob("seed-*.txt")]):
        ids[path.stem.split("-")[0]], _ = await bulletins.add(store, parse_bulletin(path.read_bytes()))
    return ids


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(tmp_path / "archive.db") as opened:
        yield opened


@pytest.fixture
async def ids(store: Store) -> dict[str, int]:
    return await import_examples(store)


# What each phrasing must produce: ("bulletin", name), ("task", name, n), ("month", {names}),
# ("month_task", {names}, n), ("range", name, n), ("search", {(name, task), …} that must all be hits),
# ("history",), ("help",), ("nothing", reason).
CASES: list[tuple[str, tuple[object, ...]]] = [
    ("hội nghị mới nhất", ("bulletin", "case04")),
    ("hoi nghi moi nhat", ("bulletin", "case04")),
    ("bản tin mới", ("bulletin", "case04")),
    ("bản tin mới nhất", ("bulletin", "case04")),
    ("kỳ này", ("bulletin", "case04")),
    ("có gì mới không", ("bulletin", "case04")),
    ("latest conference", ("bulletin", "case04")),
    ("latest bulletin", ("bulletin", "case04")),
    ("/latest", ("bulletin", "case04")),
    ("tháng trước", ("bulletin", "case04")),
    ("last month", ("bulletin", "case04")),
    ("tháng vừa rồi", ("bulletin", "case04")),
    ("kỳ trước", ("bulletin", "case04")),
    ("tháng này", ("nothing", "no_month")),
    ("hai tháng trước", ("nothing", "no_month")),
    ("tháng 11/2021", ("bulletin", "case01")),
    ("11/2021", ("bulletin", "case01")),
    ("11-2021", ("bulletin", "case01")),
    ("2021-11", ("bulletin", "case01")),
    ("T11/2021", ("bulletin", "case01")),
    ("tháng 11 năm 2021", ("bulletin", "case01")),
    ("tháng mười một năm 2021", ("bulletin", "case01")),
    ("November 2021", ("bulletin", "case01")),
    ("Nov 2021", ("bulletin", "case01")),
    ("tháng 6.2023", ("bulletin", "case02")),
    ("tháng sáu năm 2023", ("bulletin", "case02")),
    ("tháng 3", ("bulletin", "case03")),
    ("tháng 12", ("bulletin", "case05")),
    ("tháng chạp", ("bulletin", "case05")),
    ("December 2023", ("bulletin", "case05")),
    ("tháng 4 năm 2024", ("bulletin", "case04")),
    ("tháng 10/2021", ("month", {"case07", "seed"})),
    ("October 2021", ("month", {"case07", "seed"})),
    ("10/2021", ("month", {"case07", "seed"})),
    ("tháng 10", ("month", {"case07", "seed"})),
    ("hội nghị báo cáo viên tháng 10/2021", ("month", {"case07", "seed"})),
    ("tháng 9/2021", ("nothing", "no_month")),
    ("tháng 9", ("nothing", "no_month")),
    ("nhiệm vụ thứ ba", ("task", "case04", 3)),
    ("nhiem vu thu ba", ("task", "case04", 3)),
    ("nv 3", ("task", "case04", 3)),
    ("nhiệm vụ 3", ("task", "case04", 3)),
    ("task 3", ("task", "case04", 3)),
    ("third task", ("task", "case04", 3)),
    ("ý thứ 3", ("task", "case04", 3)),
    ("nội dung số 3", ("task", "case04", 3)),
    ("thứ 3", ("task", "case04", 3)),
    ("/task 5", ("task", "case04", 5)),
    ("nhiệm vụ thứ bảy", ("range", "case04", 7)),
    ("nhiệm vụ 2 tháng 11/2021", ("task", "case01", 2)),
    ("nhiệm vụ thứ ba tháng 11/2021", ("task", "case01", 3)),
    ("nhiệm vụ thứ bảy tháng 6/2023", ("task", "case02", 7)),
    ("nhiệm vụ thứ bảy tháng 11/2021", ("range", "case01", 7)),
    ("gửi lại nhiệm vụ thứ hai tháng 10", ("month_task", {"case07", "seed"}, 2)),
    ("nhiệm vụ 1 tháng 9/2021", ("nothing", "no_month")),
    ("các hội nghị", ("history",)),
    ("lịch sử", ("history",)),
    ("danh sách", ("history",)),
    ("history", ("history",)),
    ("/history", ("history",)),
    ("help", ("help",)),
    ("trợ giúp", ("help",)),
    ("hướng dẫn", ("help",)),
    ("tham nhũng", ("search", {("case04", 3), ("case02", 4), ("seed", 4)})),
    ("tham nhung", ("search", {("case04", 3), ("case02", 4), ("seed", 4)})),
    ("tasks about corruption", ("search", {("case04", 3), ("case02", 4), ("seed", 4)})),
    ("doi ngoai", ("search", {("seed", 2), ("case03", 1)})),
    ("đối ngoại", ("search", {("seed", 2), ("case03", 1)})),
    ("foreign affairs", ("search", {("seed", 2), ("case03", 1)})),
    ("chuyển đổi số", ("search", {("case02", 7), ("case05", 4)})),
    ("chuyen doi so", ("search", {("case02", 7), ("case05", 4)})),
    ("anything on digital transformation", ("search", {("case02", 7), ("case05", 4)})),
    ("Covid", ("search", {("seed", 5), ("case01", 2), ("case07", 3)})),
    ("biển đảo", ("search", {("case07", 2)})),
    ("sea islands", ("search", {("case07", 2)})),
    ("tìm những nhiệm vụ về thiên tai", ("search", {("case02", 5)})),
    ("biên giới", ("search", {("case01", 4)})),
    ("xyzzy quux", ("nothing", "no_match")),
    ("🙂", ("nothing", "unknown")),
]


def name_of(ids: dict[str, int], bulletin_id: int) -> str:
    return next(name for name, i in ids.items() if i == bulletin_id)


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_phrasing_finds_the_right_answer(
    store: Store, ids: dict[str, int], text: str, expected: tuple[object, ...]
) -> None:
    result = await archive.answer(store, understand(text, TODAY))
    kind = expected[0]
    if kind == "bulletin":
        assert isinstance(result, BulletinAnswer), result
        assert name_of(ids, result.bulletin.id) == expected[1]
    elif kind == "task":
        assert isinstance(result, TaskAnswer), result
        assert (name_of(ids, result.bulletin.id), result.task.number) == expected[1:]
    elif kind in {"month", "month_task"}:
        assert isinstance(result, MonthAnswer), result
        assert {name_of(ids, b.id) for b in result.bulletins} == expected[1]
        assert result.task_number == (expected[2] if kind == "month_task" else None)
    elif kind == "range":
        assert isinstance(result, TaskOutOfRange), result
        assert (name_of(ids, result.bulletin.id), result.number) == expected[1:]
        assert result.count == len(result.bulletin.tasks)
    elif kind == "search":
        assert isinstance(result, SearchResults), result
        found = {(name_of(ids, h.hit.bulletin_id), h.hit.task_number) for h in result.hits}
        assert expected[1] <= found  # type: ignore[operator]
        assert all(h.spans for h in result.hits[: len(expected[1])])  # type: ignore[arg-type]
    elif kind == "history":
        assert isinstance(result, HistoryPage), result
        assert result.total == 7
    elif kind == "help":
        assert isinstance(result, HelpAnswer)
    else:
        assert isinstance(result, NothingFound), result
        assert result.reason == expected[1]
        assert result.count == 7
    # Whatever the answer, it renders to messages Telegram accepts.
    for html in texts.render(result):
        assert 0 < plain_length(html_to_plain(html)) <= 4096


def test_enough_phrasings() -> None:
    assert len(CASES) >= 60


async def test_newest_first_navigation(store: Store, ids: dict[str, int]) -> None:
    latest = await archive.answer(store, Latest())
    assert isinstance(latest, BulletinAnswer)
    assert latest.newer_id is None
    assert latest.older_id == ids["case05"]  # 2023-12 comes before 2024-04
    seen = [latest.bulletin.id]
    view: archive.Answer = latest
    while isinstance(view, BulletinAnswer) and view.older_id is not None:
        view = await archive.bulletin_view(store, view.older_id)
        assert isinstance(view, BulletinAnswer)
        seen.append(view.bulletin.id)
    assert len(seen) == 7
    assert [name_of(ids, i) for i in seen][-2:] in (["case07", "seed"], ["seed", "case07"])
    assert [name_of(ids, i) for i in seen][-3] == "case01"


async def test_empty_archive_is_never_silent(store: Store) -> None:
    for text in ("hội nghị mới nhất", "tháng 10/2021", "nhiệm vụ 3", "lịch sử", "tham nhũng", "???!"):
        result = await archive.answer(store, understand(text, TODAY))
        if isinstance(result, HelpAnswer):
            continue
        assert isinstance(result, NothingFound), text
        assert result.reason == "empty_archive"
        (html,) = texts.render(result)
        assert "chưa có bản tin" in html
        assert "<i>" in html


async def test_nothing_found_says_what_the_archive_holds(store: Store, ids: dict[str, int]) -> None:
    result = await archive.answer(store, understand("tháng 9/2021", TODAY))
    assert isinstance(result, NothingFound)
    (html,) = texts.render(result)
    assert "tháng 9/2021" in html
    assert "7 bản tin" in html
    assert "4/2024" in html and "10/2021 (2)" in html
    assert "tham nhung" in html  # an example question


async def test_out_of_range_text(store: Store, ids: dict[str, int]) -> None:
    result = await archive.answer(store, understand("nhiệm vụ thứ bảy tháng 11/2021", TODAY))
    (html,) = texts.render(result)
    assert "Bản tin tháng 11/2021 chỉ có 6 nhiệm vụ" in html
    assert "only 6 tasks" in html


async def test_task_answer_is_the_broadcast_message(store: Store, ids: dict[str, int]) -> None:
    result = await archive.answer(store, understand("nhiệm vụ 3 tháng 11/2021", TODAY))
    (html,) = texts.render(result)
    assert html.startswith("<b>📌 Nhiệm vụ 3/6 · Hội nghị Báo cáo viên tháng 11/2021</b>")


async def test_bulletin_view_lists_shortened_tasks(store: Store, ids: dict[str, int]) -> None:
    result = await archive.bulletin_view(store, ids["seed"])
    assert isinstance(result, BulletinAnswer)
    (html,) = texts.render(result)
    plain = html_to_plain(html)
    assert "tháng 10/2021" in plain
    assert "Đảng ủy Khối các cơ quan Trung ương" in plain
    assert "15/10/2021" in plain
    for n in range(1, 7):
        line = next(x for x in plain.splitlines() if x.startswith(f"{n}. "))
        assert len(line) <= 210
    assert "…" in plain


async def test_search_highlights_the_words_as_written(store: Store, ids: dict[str, int]) -> None:
    result = await archive.answer(store, Search("tham nhung"))
    assert isinstance(result, SearchResults)
    (html,) = texts.render(result)
    assert "<b>tham nhũng</b>" in html
    assert "tháng 4/2024" in html


async def test_several_bulletins_in_a_month_are_all_offered(store: Store, ids: dict[str, int]) -> None:
    result = await archive.answer(store, understand("tháng 10/2021", TODAY))
    (html,) = texts.render(result)
    assert "Tháng 10/2021 có 2 bản tin" in html
    assert "Đảng ủy Khối các cơ quan Trung ương" in html
    assert "Ban Tuyên giáo Trung ương" in html


async def test_history_pages(store: Store, ids: dict[str, int]) -> None:
    first = await archive.history_page(store, 1)
    assert isinstance(first, HistoryPage)
    assert (first.page, first.pages, len(first.items)) == (1, 1, 7)
    assert [b.month for b in first.items] == sorted((b.month for b in first.items), reverse=True)
    beyond = await archive.history_page(store, 99)
    assert isinstance(beyond, HistoryPage)
    assert beyond.page == 1


async def test_stale_ids_give_gone(store: Store, ids: dict[str, int]) -> None:
    assert isinstance(await archive.bulletin_view(store, 9999), NothingFound)
    gone = await archive.task_view(store, 9999, 1)
    assert isinstance(gone, NothingFound)
    assert gone.reason == "gone"


async def test_inline_tasks(store: Store, ids: dict[str, int]) -> None:
    latest = await archive.inline_tasks(store, None)
    assert [(a.bulletin.id, a.task.number) for a in latest] == [(ids["case04"], n) for n in range(1, 6)]
    found = await archive.inline_tasks(store, understand("tham nhũng", TODAY))
    assert (ids["case04"], 3) in [(a.bulletin.id, a.task.number) for a in found]
    assert len(found) <= 10


async def test_search_pages(store: Store, ids: dict[str, int]) -> None:
    first = await archive.search(store, "tuyên truyền", page=1)
    second = await archive.search(store, "tuyên truyền", page=2)
    assert isinstance(first, SearchResults) and isinstance(second, SearchResults)
    assert first.pages > 1
    assert {h.hit.task_id for h in first.hits}.isdisjoint({h.hit.task_id for h in second.hits})
    for html in (*texts.render(first), *texts.render(second)):
        assert plain_length(html_to_plain(html)) <= 4096
