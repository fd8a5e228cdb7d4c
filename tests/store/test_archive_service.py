"""The archive service on the example bulletins (tests/data/*.txt, parsed by the real parser) in a real
SQLite database: each phrasing a user might send finds the right bulletin, month or task."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest

from bot.domain.intents import Bulletins, DocumentRef, Latest, Month, Period, Search, TaskQuery, understand
from bot.domain.parser import parse_bulletin
from bot.domain.records import ArchivedBulletin
from bot.domain.rendering import html_to_plain, plain_length
from bot.services import archive
from bot.services.archive import (
    BulletinAnswer,
    BulletinList,
    HelpAnswer,
    HistoryPage,
    MonthAnswer,
    NothingFound,
    OrganizerChoice,
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


async def import_all_examples(store: Store) -> dict[str, int]:
    """Every example (case*, seed, fam-*), named as tests/store/test_phrasings.py names them."""
    ids = {}
    for path in sorted(EXAMPLES.glob("*.txt")):
        name = path.stem if path.stem.startswith("fam-") else path.stem.split("-")[0]
        ids[name], _ = await bulletins.add(store, parse_bulletin(path.read_bytes()))
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


# --- answers to intents built directly, over every example (tests/store/test_phrasings.py) ---------

YEAR_2023 = Period("2023-01", "2023-12", "năm 2023", "2023")
YEAR_2024 = Period("2024-01", "2024-12", "năm 2024", "2024")
YEAR_2018 = Period("2018-01", "2018-12", "năm 2018", "2018")


@pytest.fixture
async def every(store: Store) -> dict[str, int]:
    return await import_all_examples(store)


def names(every: dict[str, int], found: Iterable[ArchivedBulletin]) -> list[str]:
    return [name_of(every, b.id) for b in found]


def hit_names(every: dict[str, int], result: SearchResults) -> set[tuple[str, int]]:
    return {(name_of(every, h.hit.bulletin_id), h.hit.task_number) for h in result.hits}


async def test_a_period_is_a_paged_list_newest_first(store: Store, every: dict[str, int]) -> None:
    first = await archive.answer(store, Bulletins(period=YEAR_2023))
    assert isinstance(first, BulletinList)
    assert (first.total, first.pages, len(first.items)) == (11, 2, archive.LIST_PAGE_SIZE)
    second = await archive.answer(store, Bulletins(period=YEAR_2023), page=2)
    assert isinstance(second, BulletinList) and second.page == 2
    months = [b.month for b in (*first.items, *second.items)]
    assert months == sorted(months, reverse=True) and months[0] == "2023-12" and months[-1] == "2023-03"
    beyond = await archive.answer(store, Bulletins(period=YEAR_2023), page=9)
    assert isinstance(beyond, BulletinList) and beyond.items == second.items
    (html,) = texts.render(first)
    plain = html_to_plain(html)
    assert plain.startswith("📚 11 bản tin trong năm 2023 · 11 bulletins in 2023")
    assert "Trang 1/2" in plain and "Ban Tuyên giáo Thành ủy Hải Phòng" in plain


async def test_a_list_of_one_is_that_bulletin(store: Store, every: dict[str, int]) -> None:
    result = await archive.answer(store, Bulletins(organizer="thành ủy hải phòng"))
    assert isinstance(result, BulletinAnswer) and name_of(every, result.bulletin.id) == "case02"


async def test_a_period_the_archive_does_not_hold_is_named_with_what_it_holds(
    store: Store, every: dict[str, int]
) -> None:
    for intent in (Bulletins(period=YEAR_2018), Search("tham nhũng", period=YEAR_2018)):
        result = await archive.answer(store, intent)
        assert isinstance(result, NothingFound) and result.reason == "no_period"
        assert (result.first_month, result.last_month) == ("2019-08", "2026-02")
        assert dict(result.years) == {2019: 2, 2020: 2, 2021: 7, 2022: 6, 2023: 11, 2024: 7, 2025: 4, 2026: 1}
        (html,) = texts.render(result)
        plain = html_to_plain(html)
        assert "Kho không có bản tin nào trong năm 2018." in plain
        assert "The archive holds no bulletin in 2018." in plain
        assert "từ tháng 8/2019 đến tháng 2/2026" in plain and "2023 (11)" in plain


async def test_an_organizer_the_archive_does_not_hold_is_named_with_those_it_holds(
    store: Store, every: dict[str, int]
) -> None:
    result = await archive.answer(store, Bulletins(organizer="tỉnh ủy yên bái"))
    assert isinstance(result, NothingFound) and result.reason == "no_organizer"
    held = [name for name, _ in result.organizers]
    assert held[0] == "Ban Tuyên giáo Tỉnh ủy Hà Giang"  # shares "tỉnh ủy", and has two bulletins
    assert all("Tỉnh ủy" in name or "Yên" in name for name in held)  # those sharing its words first
    (html,) = texts.render(result)
    plain = html_to_plain(html)
    assert "Kho không có bản tin nào của «tỉnh ủy yên bái»." in plain
    assert "• Ban Tuyên giáo Tỉnh ủy Hà Giang (2)" in plain


async def test_an_organizer_too_long_gives_its_last_words_back_to_the_keywords(
    store: Store, every: dict[str, int]
) -> None:
    found = await archive.answer(store, Bulletins(organizer="thành ủy đà nẵng tham nhũng"))
    assert isinstance(found, SearchResults)
    assert hit_names(every, found) == {("fam-letters", 6)}
    assert (found.query, found.organizer) == ("tham nhũng", "thành ủy đà nẵng")
    # Bắc Ninh's bulletins do not hold the phrase: nothing is found, and the answer says how the
    # question was read (its "những" is another word than "nhũng", so no partial match either).
    none = await archive.answer(store, Bulletins(organizer="tỉnh ủy bắc ninh tham nhũng"))
    assert isinstance(none, NothingFound) and none.reason == "no_match"
    assert none.intent == Search("tham nhũng", organizer="tỉnh ủy bắc ninh")
    # Words the archive holds nowhere were part of the name: the organizer is what is missing.
    missing = await archive.answer(store, Latest(organizer="tỉnh ủy yên bái"))
    assert isinstance(missing, NothingFound) and missing.reason == "no_organizer"


async def test_latest_of_an_organizer(store: Store, every: dict[str, int]) -> None:
    for organizer, expected in (
        ("tỉnh ủy hà giang", "fam-caption-credit"),  # 1/2024, newer than 5/2022
        ("trung ương", "fam-paragraphs"),  # the body named exactly, not the Đảng ủy Khối of it
        ("thành ủy bắc ninh", "fam-facebook-pins"),
    ):
        result = await archive.answer(store, Latest(organizer=organizer))
        assert isinstance(result, BulletinAnswer), organizer
        assert name_of(every, result.bulletin.id) == expected


async def test_an_organizer_naming_several_is_asked_back(store: Store, every: dict[str, int]) -> None:
    result = await archive.answer(store, Latest(organizer="đảng ủy khối"))
    assert isinstance(result, OrganizerChoice)
    assert names(every, result.bulletins) == [
        "case04",
        "fam-participants",
        "fam-roman-sections",
        "fam-paren",
        "fam-plus",
    ]
    (html,) = texts.render(result)
    plain = html_to_plain(html)
    assert plain.startswith("«đảng ủy khối» có trong tên 5 đơn vị tổ chức khác nhau.")
    assert "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh Long An" in plain
    task = await archive.answer(store, TaskQuery(3, organizer="đảng ủy khối"))
    assert isinstance(task, OrganizerChoice) and task.task_number == 3
    assert "để xem nhiệm vụ 3" in html_to_plain(texts.render(task)[0])


async def test_a_task_or_month_of_an_organizer(store: Store, every: dict[str, int]) -> None:
    task = await archive.answer(store, TaskQuery(2, Month(2022, 5), organizer="tỉnh ủy hà giang"))
    assert isinstance(task, TaskAnswer)
    assert (name_of(every, task.bulletin.id), task.task.number) == ("fam-date-sitetoday", 2)
    month = await archive.answer(store, Month(None, 10, organizer="tỉnh ủy nghệ an"))
    assert isinstance(month, BulletinAnswer) and name_of(every, month.bulletin.id) == "fam-thu-nhat-la"
    none = await archive.answer(store, Month(2024, 11, organizer="tỉnh ủy nghệ an"))
    assert isinstance(none, NothingFound) and none.reason == "no_month"
    assert "tháng 11/2024 của «tỉnh ủy nghệ an»" in texts.render(none)[0]


async def test_a_topic_with_month_words_is_the_topic_and_offers_the_month(store: Store, every: dict[str, int]) -> None:
    october = Month(None, 10)
    topic = await archive.answer(store, Search("cách mạng tháng mười", alternative=october))
    assert isinstance(topic, SearchResults)
    assert hit_names(every, topic) == {("fam-letters", 3), ("seed", 6)}
    assert topic.alternative == october
    (html,) = texts.render(topic)
    assert "2 nhiệm vụ có cụm «cách mạng tháng mười»" in html_to_plain(html)
    assert "<b>Cách mạng Tháng Mười</b>" in html
    # Every word in one task, though not side by side ("107 năm" between): still the topic.
    words = await archive.answer(store, Search("kỷ niệm cách mạng tháng mười nga", alternative=october))
    assert isinstance(words, SearchResults) and hit_names(every, words) == {("fam-letters", 3), ("seed", 6)}
    # A "topic" the archive does not hold is the other reading, answered directly.
    other = await archive.answer(store, Search("hội nghị xyzzy", alternative=Month(2021, 10)))
    assert isinstance(other, MonthAnswer) and other.month == "2021-10"


async def test_search_within_a_period_organizer_or_document(store: Store, every: dict[str, int]) -> None:
    period = await archive.answer(store, Search("tham nhũng", period=YEAR_2023))
    assert isinstance(period, SearchResults)
    assert hit_names(every, period) == {("case02", 4), ("fam-roman-sections", 3)}
    plain = html_to_plain(texts.render(period)[0])
    assert plain.startswith("🔎 2 nhiệm vụ có cụm «tham nhũng» · 2 tasks contain the phrase “tham nhũng”")
    assert "Tìm trong năm 2023 · searched in 2023" in plain
    organizer = await archive.answer(store, Search("tham nhũng", organizer="đảng ủy khối"))
    assert isinstance(organizer, SearchResults)
    assert hit_names(every, organizer) == {("case04", 3), ("seed", 4), ("fam-roman-sections", 3)}
    assert "Tìm của «đảng ủy khối»" in html_to_plain(texts.render(organizer)[0])
    ref = DocumentRef("NQ", 57, None, "Nghị quyết 57")
    document = await archive.answer(store, Search("nghị quyết 57", document=ref))
    assert isinstance(document, SearchResults)
    assert hit_names(every, document) == {("fam-emoji-bullets", 1), ("fam-two-digit", 5)}
    html = texts.render(document)[0]
    assert "2 nhiệm vụ nhắc đến Nghị quyết 57" in html_to_plain(html)
    assert html.count("<b>Nghị quyết số 57-NQ/TW</b>") == 2  # the citation, highlighted in each


async def test_counts_and_highlights_say_what_is_true(store: Store, every: dict[str, int]) -> None:
    result = await archive.answer(store, Search("tham nhũng"))
    assert isinstance(result, SearchResults) and result.total == 8 and result.pages == 2
    (html,) = texts.render(result)
    assert html_to_plain(html).startswith("🔎 8 nhiệm vụ có cụm «tham nhũng»")  # on both pages
    assert "<b>những</b>" not in html and "<b>tham nhũng</b>" in html
    # Each hit names its task, bulletin (short title), month and organizer.
    line = next(x for x in html_to_plain(html).splitlines() if x.startswith("1. Nhiệm vụ"))
    hit = result.hits[0].hit
    assert line == (
        f"1. Nhiệm vụ {hit.task_number}/{hit.task_count} · tháng {hit.month[5:].lstrip('0')}/{hit.month[:4]}"
        f" · {hit.organizer}"
    )
    typo = await archive.answer(store, Search("tham nhũg"))
    assert isinstance(typo, SearchResults) and typo.quality == "corrected"
    plain = html_to_plain(texts.render(typo)[0])
    assert plain.startswith("Không tìm thấy «tham nhũg». Có phải bạn muốn tìm «tham nhũng»?")
    assert "8 nhiệm vụ có «tham nhũng»" in plain


async def test_inline_mode_gives_the_same_hits(store: Store, every: dict[str, int]) -> None:
    intent = Search("cách mạng tháng mười", alternative=Month(None, 10))
    inline = await archive.inline_tasks(store, intent)
    assert {(name_of(every, a.bulletin.id), a.task.number) for a in inline} == {("fam-letters", 3), ("seed", 6)}
    listed = await archive.inline_tasks(store, Bulletins(organizer="tỉnh ủy hà giang"))
    assert {name_of(every, a.bulletin.id) for a in listed} == {"fam-caption-credit", "fam-date-sitetoday"}
    other = await archive.inline_tasks(store, Search("hội nghị xyzzy", alternative=Month(2024, 4)))
    assert [(name_of(every, a.bulletin.id), a.task.number) for a in other] == [("case04", n) for n in range(1, 6)]
