"""What the user reads in replies that are not archive hits: command usage, greetings, plurals, cut
titles and the search button that keeps the query as typed; and the member-status cache."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.intents import Greeting, Month, Search, TaskQuery, Usage, understand
from bot.domain.profiles import ExpiringAnswers, may_manage_group
from bot.domain.records import ArchivedBulletin, Task
from bot.domain.rendering import html_to_plain
from bot.services.archive import NothingFound, SearchResults, TaskOutOfRange
from bot.texts import archive as texts
from handlers.archive import CALLBACK_LIMIT, search_callback

TODAY = dt.date(2021, 11, 20)

INTENTS: list[tuple[str, object]] = [
    ("/task", Usage("task", "", "missing")),
    ("/task abc", Usage("task", "abc", "unreadable")),
    ("/task 0", Usage("task", "0", "out_of_range", number=0)),
    ("/task 100", Usage("task", "100", "out_of_range", number=100)),
    ("/task 0 10/2021", Usage("task", "0 10/2021", "out_of_range", number=0, month=Month(2021, 10))),
    ("/nv 3", TaskQuery(3)),
    ("/task ba", TaskQuery(3)),
    ("/task third", TaskQuery(3)),
    ("/task 10/2021", Month(2021, 10)),
    ("/month", Usage("month", "", "missing")),
    ("/month 13/2021", Usage("month", "13/2021", "out_of_range", number=13)),
    ("/month 0", Usage("month", "0", "out_of_range", number=0)),
    ("/month abc", Usage("month", "abc", "unreadable")),
    ("/search", Usage("search", "", "missing")),
    ("/search the", Usage("search", "the", "missing")),
    ("/tim Covid", Search("Covid")),
    ("/find corruption", Search("tham nhũng")),
    ("xin chào", Greeting()),
    ("Xin chào!", Greeting()),
    ("chào bot", Greeting()),
    ("chào", Greeting()),
    ("hello", Greeting()),
    ("hi", Greeting()),
    ("hi there", Greeting()),
    ("chào buổi sáng", Greeting()),
    ("chào mừng đại hội", Search("chào mừng đại hội")),
]


@pytest.mark.parametrize(("text", "expected"), INTENTS, ids=[t for t, _ in INTENTS])
def test_commands_and_greetings_are_understood(text: str, expected: object) -> None:
    assert understand(text, TODAY) == expected


def _bulletin(tasks: int, organizer: str = "Ban Tuyên giáo") -> ArchivedBulletin:
    return ArchivedBulletin(
        id=1,
        title="Hội nghị Báo cáo viên tháng 11/2021",
        month="2021-11",
        published=None,
        organizer=organizer,
        intro="",
        tasks=tuple(Task(n, f"Nội dung nhiệm vụ {n}.") for n in range(1, tasks + 1)),
        created_at="2021-11-20T00:00:00Z",
    )


def test_english_plurals() -> None:
    assert texts.english_count(1, "subscriber") == "1 subscriber"
    assert texts.english_count(2, "subscriber") == "2 subscribers"
    assert texts.english_count(1, "task matches", "tasks match") == "1 task matches"
    assert texts.english_count(0, "task matches", "tasks match") == "0 tasks match"
    one = html_to_plain(texts.bulletin_view(_bulletin(1)))
    assert "1 nhiệm vụ trọng tâm · 1 key task:" in one
    several = html_to_plain(texts.bulletin_view(_bulletin(3)))
    assert "3 key tasks" in several
    single = html_to_plain(texts.nothing_found(NothingFound(None, "no_match", 1, (("2021-11", 1),))))
    assert "The archive holds 1 bulletin;" in single


def test_one_task_out_of_range_reads_right() -> None:
    plain = html_to_plain(texts.task_out_of_range(TaskOutOfRange(_bulletin(1), 2, 1)))
    assert "only 1 task, not task 2; pick 1." in plain
    plain = html_to_plain(texts.task_out_of_range(TaskOutOfRange(_bulletin(6), 0, 6)))
    assert "chọn 1–6" in plain and "pick 1–6" in plain


def test_search_header_counts_in_english() -> None:
    results = SearchResults("chuyển đổi số", ("chuyen", "doi", "so"), (), 1, 1, 1)
    plain = html_to_plain(texts.search_results(results))
    assert plain.startswith("🔎 1 nhiệm vụ có «chuyển đổi số» · 1 task matches")


def test_titles_are_cut_at_a_word() -> None:
    title = "Hội nghị Báo cáo viên Trung ương tháng 11/2021: Sáu nội dung trọng tâm cần tập trung tuyên truyền"
    cut = texts.shorten(title, 80)
    assert cut.endswith("…") and len(cut) <= 81
    assert title.startswith(cut[:-1]) and title[len(cut) - 1] == " "  # ends where a word ended
    label = texts.history_button(_bulletin(6, organizer=title)).split(" · ", 1)[1]
    assert label.endswith("…") and title.startswith(label[:-1]) and title[len(label) - 1] == " "


def test_search_button_keeps_the_query_as_typed() -> None:
    data = search_callback(2, "chuyển đổi số")
    assert data == "ar:s:2:chuyển đổi số"
    long = "phòng, chống tham nhũng tiêu cực lãng phí trong công tác cán bộ"
    data = search_callback(3, long)
    assert len(data.encode("utf-8")) <= CALLBACK_LIMIT
    assert data.startswith("ar:s:3:phong chong tham nhung")  # too long as typed: its folded words


def test_member_answers_expire() -> None:
    cache = ExpiringAnswers(ttl=60)
    assert cache.get(7, now=100.0) is None
    cache.put(7, False, now=100.0)
    assert cache.get(7, now=159.0) is False
    assert cache.get(7, now=160.0) is None
    cache.put(8, True, now=200.0)
    assert cache.get(8, now=201.0) is True


@pytest.mark.parametrize(
    ("status", "allowed"),
    [("creator", True), ("administrator", True), ("member", False), ("restricted", False), ("left", False)],
)
def test_who_manages_a_group(status: str, allowed: bool) -> None:
    assert may_manage_group(status) is allowed
