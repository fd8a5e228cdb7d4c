"""What the user reads in replies that are not archive hits: command usage, greetings, plurals, cut
titles and the search button that keeps the query as typed; and the member-status cache."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.domain.intents import Bulletins, Greeting, Latest, Month, Period, Search, TaskQuery, Usage, understand
from bot.domain.profiles import ExpiringAnswers, may_manage_group
from bot.domain.records import ArchivedBulletin, SearchHit, Task
from bot.domain.rendering import html_to_plain
from bot.services.archive import (
    BulletinList,
    HighlightedHit,
    NothingFound,
    OrganizerChoice,
    SearchResults,
    TaskOutOfRange,
)
from bot.texts import archive as texts
from handlers.archive import _CALLBACK, CALLBACK_LIMIT, keyboard, question_callback, search_callback

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


def _hit(tier: int, text: str = "Đẩy mạnh chuyển đổi số trong các cơ quan.") -> HighlightedHit:
    hit = SearchHit(
        task_id=1, bulletin_id=1, title="Hội nghị Báo cáo viên tháng 12/2023", month="2023-12",
        organizer="Ban Tuyên giáo Trung ương", task_number=4, task_count=6, text=text, folded=text.lower(),
        tier=tier, spans=((9, 22),),
    )  # fmt: skip
    return HighlightedHit(hit, hit.spans)


TERMS = ("chuyen", "doi", "so")


@pytest.mark.parametrize(
    ("results", "head"),
    [
        (SearchResults("chuyển đổi số", TERMS, (), 1, 1, 1), "🔎 1 nhiệm vụ có «chuyển đổi số» · 1 task matches"),
        (
            SearchResults("chuyển đổi số", TERMS, (_hit(0),), 1, 1, 1, phrase=True),
            "🔎 1 nhiệm vụ có cụm «chuyển đổi số» · 1 task contains the phrase “chuyển đổi số”",
        ),
        (
            SearchResults("chuyển đổi số", TERMS, (_hit(1), _hit(1)), 1, 1, 2, apart=True),
            "🔎 2 nhiệm vụ có đủ các từ «chuyển đổi số» (không liền nhau) · 2 tasks have all the words",
        ),
        (
            SearchResults("chuyển đổi số", TERMS, (_hit(2),), 1, 1, 1, quality="partial"),
            "🔎 Không nhiệm vụ nào có đủ các từ «chuyển đổi số»; 1 nhiệm vụ có một phần các từ đó.",
        ),
        (
            SearchResults("chuyễn đỗi số", TERMS, (_hit(0),), 1, 1, 1, quality="folded"),
            "🔎 1 nhiệm vụ gần đúng với «chuyễn đỗi số» · 1 close match\nKhông có nhiệm vụ nào đúng dấu",
        ),
        (
            SearchResults("chuyen doi sô", TERMS, (_hit(0),), 1, 1, 1, quality="corrected", corrected="chuyển đổi số"),
            "Không tìm thấy «chuyen doi sô». Có phải bạn muốn tìm «chuyển đổi số»?",
        ),
    ],
    ids=["no hits", "phrase", "apart", "partial", "folded", "corrected"],
)
def test_search_header_says_how_the_hits_match(results: SearchResults, head: str) -> None:
    assert html_to_plain(texts.search_results(results)).startswith(head)


def test_a_hit_names_its_bulletin_and_highlights_its_spans() -> None:
    results = SearchResults(
        "chuyển đổi số", TERMS, (_hit(0),), 1, 1, 1, period=Period("2023-01", "2023-12", "năm 2023", "2023")
    )
    html = texts.search_results(results)
    plain = html_to_plain(html)
    assert (
        "1. Nhiệm vụ 4/6 · tháng 12/2023 · Ban Tuyên giáo Trung ương\n    Hội nghị Báo cáo viên tháng 12/2023" in plain
    )
    assert "Đẩy mạnh <b>chuyển đổi số</b> trong các cơ quan." in html
    assert "Tìm trong năm 2023 · searched in 2023" in plain


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


def test_question_buttons_fit_telegram() -> None:
    assert question_callback(2, Search("chuyển đổi số")) == "ar:q:2:/search chuyển đổi số"
    assert question_callback(1, Month(None, 10)) == "ar:q:1:tháng 10"
    long = Search("phòng, chống tham nhũng tiêu cực lãng phí trong công tác cán bộ")
    data = question_callback(3, long)
    assert data is not None and len(data.encode("utf-8")) <= CALLBACK_LIMIT
    assert data == "ar:q:3:/search phong, chong tham nhung tieu cuc lang phi trong"  # folded, cut at a word
    match = _CALLBACK.match(data)
    assert match is not None and match.group(7) == "3"
    assert _CALLBACK.match("ar:s:2:chuyển đổi số") is not None  # buttons of messages sent before ar:q


def _bulletin_with(id_: int, organizer: str) -> ArchivedBulletin:
    return ArchivedBulletin(id_, "Hội nghị", "2024-01", None, organizer, "", (Task(1, "Một."),), "2024-01-01")


def test_the_other_reading_is_a_button() -> None:
    results = SearchResults(
        "cách mạng tháng mười", ("cach", "mang", "thang", "muoi"), (_hit(0),), 1, 1, 1,
        intent=Search("cách mạng tháng mười", alternative=Month(None, 10)), alternative=Month(None, 10),
    )  # fmt: skip
    markup = keyboard(results)
    assert markup is not None
    last = markup.inline_keyboard[-1][0]
    assert (last.text, last.callback_data) == ("📅 Bản tin tháng 10 · October bulletin", "ar:q:1:tháng 10")
    assert texts.alternative_button(Month(2024, 10)) == "📅 Bản tin tháng 10/2024 · October 2024 bulletin"
    assert "Hay bạn muốn xem" in texts.search_results(results)


def test_list_and_choice_buttons() -> None:
    found = tuple(_bulletin_with(i, f"Ban Tuyên giáo Tỉnh ủy {i}") for i in range(1, 4))
    choice = keyboard(OrganizerChoice("tỉnh ủy", found, None, 3))
    assert choice is not None
    assert [row[0].callback_data for row in choice.inline_keyboard[:3]] == ["ar:b:1", "ar:b:2", "ar:b:3"]
    task_choice = keyboard(OrganizerChoice("tỉnh ủy", found, 2, 3))
    assert task_choice is not None and task_choice.inline_keyboard[0][0].callback_data == "ar:t:1:2"
    listed = keyboard(BulletinList(found, 1, 1, 3, Bulletins(organizer="tỉnh ủy")))
    assert listed is not None and [row[0].callback_data for row in listed.inline_keyboard] == [
        "ar:b:1",
        "ar:b:2",
        "ar:b:3",
    ]
    every = [b.callback_data for row in choice.inline_keyboard for b in row]
    assert all(data is not None and len(str(data).encode("utf-8")) <= CALLBACK_LIMIT for data in every)


def test_nothing_found_names_what_is_held() -> None:
    period = NothingFound(
        Bulletins(period=Period("2018-01", "2018-12", "năm 2018", "2018")), "no_period", 3, (("2024-01", 2),),
        first_month="2021-10", last_month="2024-01", years=((2021, 1), (2024, 2)),
    )  # fmt: skip
    plain = html_to_plain(texts.nothing_found(period))
    assert plain.startswith("Kho không có bản tin nào trong năm 2018.\nThe archive holds no bulletin in 2018.")
    assert "Kho có 3 bản tin, từ tháng 10/2021 đến tháng 1/2024; theo năm: 2021 (1), 2024 (2)." in plain
    organizer = NothingFound(
        Latest(organizer="tỉnh ủy yên bái"), "no_organizer", 3, (), organizers=(("Ban Tuyên giáo Tỉnh ủy Hà Giang", 2),)
    )
    plain = html_to_plain(texts.nothing_found(organizer))
    assert plain.startswith("Kho không có bản tin nào của «tỉnh ủy yên bái».")
    assert "Đã hiểu là (understood as): bản tin mới nhất của «tỉnh ủy yên bái»" in plain
    assert "• Ban Tuyên giáo Tỉnh ủy Hà Giang (2)" in plain


def test_a_bulletin_too_long_for_one_message_is_paged_at_whole_lines() -> None:
    words = " ".join(f"từ{n}" for n in range(120))
    tasks = tuple(Task(n, f"Nhiệm vụ <số> {n}: {words}.") for n in range(1, 100))
    bulletin = ArchivedBulletin(1, "Hội nghị Báo cáo viên", "2024-01", None, "Ban Tuyên giáo", "", tasks, "2024-01-01")
    pages = texts.bulletin_pages(bulletin)
    assert len(pages) > 1
    plain = [html_to_plain(page) for page in pages]
    assert all(len(page) <= 4096 for page in plain)
    assert all(page.count("<b>") == page.count("</b>") and page.count("<i>") == page.count("</i>") for page in pages)
    numbered = [line for page in plain for line in page.splitlines() if re.match(r"\d+\. ", line)]
    assert [int(line.split(".", 1)[0]) for line in numbered] == list(range(1, 100))
    # Every preview ends where a word ended: "…" after a whole "từN", never after part of one.
    assert all(line.endswith("…") and line[:-1].rsplit(" ", 1)[-1].startswith("từ") for line in numbered)
    assert "&lt;số&gt;" in pages[0]  # the task's own text is escaped
    assert texts.bulletin_view(bulletin) == pages[0]


def test_what_was_understood_names_period_and_organizer() -> None:
    year = Period("2023-01", "2023-12", "năm 2023", "2023")
    assert texts.understood(Search("tham nhũng", period=year, organizer="đảng ủy khối")) == (
        "tìm «tham nhũng» trong năm 2023 của «đảng ủy khối» · <i>search for “tham nhũng” in 2023 by “đảng ủy khối”</i>"
    )
    assert texts.understood(Search("tham nhũng")) == "tìm «tham nhũng» · <i>search for “tham nhũng”</i>"
    assert texts.understood(Bulletins(period=year)) == "các bản tin trong năm 2023 · <i>the bulletins in 2023</i>"
    assert texts.understood(Month(None, 10)) == "tháng 10 gần nhất · <i>the latest October</i>"
