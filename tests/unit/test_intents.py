"""The question parser: a table of real phrasings (Vietnamese with and without diacritics, English,
commands) and the intent each must yield, plus properties: it never raises and stays fast."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.documents import document
from bot.domain.intents import (
    MAX_SEARCH_WORDS,
    Help,
    History,
    Latest,
    Month,
    Search,
    TaskQuery,
    Unknown,
    understand,
)
from bot.domain.textnorm import fold_query

TODAY = dt.date(2021, 11, 20)

PHRASINGS: list[tuple[str, object]] = [
    # Latest
    ("hội nghị mới nhất", Latest()),
    ("hoi nghi moi nhat", Latest()),
    ("HỘI NGHỊ MỚI NHẤT", Latest()),
    ("bản tin mới", Latest()),
    ("bản tin mới nhất", Latest()),
    ("ban tin moi nhat", Latest()),
    ("kỳ này", Latest()),
    ("ky nay", Latest()),
    ("đợt mới", Latest()),
    ("có gì mới không", Latest()),
    ("co gi moi khong?", Latest()),
    ("latest conference", Latest()),
    ("Latest bulletin", Latest()),
    ("/latest", Latest()),
    ("/latest@HnbcvBot", Latest()),
    ("/moinhat", Latest()),
    ("hội nghị báo cáo viên", Latest()),
    ("cho tôi xem bản tin mới nhất nhé", Latest()),
    # Relative months (today = 20/11/2021)
    ("tháng này", Month(2021, 11)),
    ("this month", Month(2021, 11)),
    ("tháng trước", Month(2021, 10)),
    ("thang truoc", Month(2021, 10)),
    ("last month", Month(2021, 10)),
    ("tháng vừa rồi", Month(2021, 10)),
    ("kỳ trước", Month(2021, 10)),
    ("hai tháng trước", Month(2021, 9)),
    ("2 months ago", Month(2021, 9)),
    # Explicit months
    ("tháng 9/2021", Month(2021, 9)),
    ("Tháng 9/2021", Month(2021, 9)),
    ("9/2021", Month(2021, 9)),
    ("09-2021", Month(2021, 9)),
    ("9-2021", Month(2021, 9)),
    ("2021-09", Month(2021, 9)),
    ("T9/2021", Month(2021, 9)),
    ("t9/2021", Month(2021, 9)),
    ("tháng 9 năm 2021", Month(2021, 9)),
    ("thang 9 nam 2021", Month(2021, 9)),
    ("THÁNG 9 NĂM 2021", Month(2021, 9)),
    ("tháng 6.2023", Month(2023, 6)),
    ("tháng 11-2021", Month(2021, 11)),
    ("tháng chín năm 2021", Month(2021, 9)),
    ("tháng mười năm 2021", Month(2021, 10)),
    ("tháng mười một năm 2021", Month(2021, 11)),
    ("tháng mười hai 2023", Month(2023, 12)),
    ("tháng giêng năm 2022", Month(2022, 1)),
    ("tháng chạp năm 2023", Month(2023, 12)),
    ("tháng tư năm 2024", Month(2024, 4)),
    ("tháng 9", Month(None, 9)),
    ("thang 10", Month(None, 10)),
    ("tháng mười", Month(None, 10)),
    ("October 2021", Month(2021, 10)),
    ("october 2021", Month(2021, 10)),
    ("Oct 2021", Month(2021, 10)),
    ("Sept. 2021", Month(2021, 9)),
    ("october", Month(None, 10)),
    ("hội nghị báo cáo viên tháng 10/2021", Month(2021, 10)),
    ("hoi nghi bao cao vien thang 10/2021", Month(2021, 10)),
    ("hội nghị báo cáo viên trung ương tháng 12/2023", Month(2023, 12, "trung ương")),
    ("bản tin tháng 3 năm 2023", Month(2023, 3)),
    ("cuối năm 2021", Month(2021, 12)),
    ("/month 10/2021", Month(2021, 10)),
    ("/thang 10/2021", Month(2021, 10)),
    ("/month 10", Month(None, 10)),
    # Weekday + date is a date, not the third task
    ("thứ ba, 15/10/2021", Month(2021, 10)),
    ("Thứ Sáu, 15/10/2021", Month(2021, 10)),
    # Tasks
    ("nhiệm vụ thứ ba", TaskQuery(3)),
    ("nhiem vu thu ba", TaskQuery(3)),
    ("NHIỆM VỤ THỨ BA", TaskQuery(3)),
    ("nv 3", TaskQuery(3)),
    ("nv3", TaskQuery(3)),
    ("nhiệm vụ 3", TaskQuery(3)),
    ("nhiệm vụ số 3", TaskQuery(3)),
    ("nhiệm vụ thứ nhất", TaskQuery(1)),
    ("nhiệm vụ thứ tư", TaskQuery(4)),
    ("nhiệm vụ thứ năm", TaskQuery(5)),
    ("nhiệm vụ thứ bảy", TaskQuery(7)),
    ("task 3", TaskQuery(3)),
    ("Task #2", TaskQuery(2)),
    ("third task", TaskQuery(3)),
    ("the third task", TaskQuery(3)),
    ("3rd task", TaskQuery(3)),
    ("task three", TaskQuery(3)),
    ("ý thứ 3", TaskQuery(3)),
    ("y thu 3", TaskQuery(3)),
    ("nội dung số 3", TaskQuery(3)),
    ("noi dung so 3", TaskQuery(3)),
    ("vấn đề thứ hai", TaskQuery(2)),
    ("thứ 3", TaskQuery(3)),
    ("thứ ba", TaskQuery(3)),
    ("3", TaskQuery(3)),
    ("/task 3", TaskQuery(3)),
    ("/nhiemvu 4", TaskQuery(4)),
    ("/task 2 11/2021", TaskQuery(2, Month(2021, 11))),
    ("nhiệm vụ 2 tháng 11/2021", TaskQuery(2, Month(2021, 11))),
    ("nhiệm vụ thứ ba tháng 11/2021", TaskQuery(3, Month(2021, 11))),
    ("nhiem vu thu ba thang 11/2021", TaskQuery(3, Month(2021, 11))),
    ("gửi lại nhiệm vụ thứ hai tháng 10", TaskQuery(2, Month(None, 10))),
    ("gui lai nhiem vu thu hai thang 10", TaskQuery(2, Month(None, 10))),
    ("nhiệm vụ thứ sáu tháng trước", TaskQuery(6, Month(2021, 10))),
    ("task 3 of October 2021", TaskQuery(3, Month(2021, 10))),
    ("nhiệm vụ 1 năm 2021", TaskQuery(1)),
    # History
    ("các hội nghị", History()),
    ("cac hoi nghi", History()),
    ("lịch sử", History()),
    ("danh sách", History()),
    ("danh sách các hội nghị", History()),
    ("history", History()),
    ("/history", History()),
    ("/history 2", History(2)),
    ("/lichsu", History()),
    ("lịch sử trang 2", History(2)),
    # Help
    ("help", Help()),
    ("trợ giúp", Help()),
    ("tro giup", Help()),
    ("hướng dẫn", Help()),
    ("/help", Help()),
    ("?", Help()),
    # Keywords
    ("tham nhũng", Search("tham nhũng")),
    ("tham nhung", Search("tham nhung")),
    ("Tham Nhũng", Search("Tham Nhũng")),
    ("doi ngoai", Search("doi ngoai")),
    ("đối ngoại", Search("đối ngoại")),
    ("chuyển đổi số", Search("chuyển đổi số")),
    ("chuyen doi so", Search("chuyen doi so")),
    ("Covid", Search("Covid")),
    ("biển đảo", Search("biển đảo")),
    ("bầu cử", Search("bầu cử")),
    ("nghị quyết 57", Search("Nghị quyết 57", document=document("NQ", 57))),
    ("ddai hoi", Search("dai hoi")),  # Telex "dd" read as đ before searching
    ("tìm tham nhũng", Search("tham nhũng")),
    ("tìm những nhiệm vụ về tham nhũng", Search("tham nhũng")),
    ("các nhiệm vụ về chuyển đổi số", Search("chuyển đổi số")),
    ("có gì về biển đảo không", Search("biển đảo")),
    ("tasks about corruption", Search("tham nhũng")),
    ("anything on digital transformation", Search("chuyển đổi số")),
    ("foreign affairs", Search("đối ngoại")),
    ("elections", Search("bầu cử")),
    ("sea islands", Search("biển đảo")),
    ("covid", Search("covid")),
    ("/search tham nhũng", Search("tham nhũng")),
    ("/timkiem chuyển đổi số", Search("chuyển đổi số")),
    ("lịch sử Đảng", Search("lịch sử Đảng")),
    ("hội nghị trung ương", Search("trung ương")),
    # Nothing usable
    ("", Unknown("")),
    ("   ", Unknown("")),
    ("?!…", Unknown("?!…")),
    ("🙂🙂", Unknown("🙂🙂")),
]


@pytest.mark.parametrize(("text", "expected"), PHRASINGS, ids=[p[0] or "<empty>" for p in PHRASINGS])
def test_phrasing(text: str, expected: object) -> None:
    assert understand(text, TODAY) == expected


def test_table_is_large_enough() -> None:
    assert len(PHRASINGS) >= 60


def test_relative_month_crosses_the_year() -> None:
    assert understand("tháng trước", dt.date(2022, 1, 3)) == Month(2021, 12)
    assert understand("hai tháng trước", dt.date(2022, 2, 1)) == Month(2021, 12)
    assert understand("tháng này", dt.date(2022, 1, 1)) == Month(2022, 1)


def test_d_variants_read_alike() -> None:
    # Đ (U+0110), Ð (U+00D0) and Telex "dd" all read as d.
    for text in ("Đảng", "Ðảng", "ddang", "dang"):
        intent = understand(text, TODAY)
        assert isinstance(intent, Search)
        assert fold_query(intent.query) == "dang"


def test_month_out_of_range_is_not_a_month() -> None:
    assert not isinstance(understand("tháng 13/2021", TODAY), Month)


HOSTILE = [
    "x" * 5000,
    "tham nhũng " * 500,
    "\x00\x01\x02 nhiệm vụ \x1b[31m 3",
    '"tham" OR nhung* NEAR(a b) AND NOT (',
    "/",
    "/unknowncommand",
    "/task",
    "/task 999",
    "/month abc",
    "/search",
    "🇻🇳" * 100,
    "\u200b\u200b",
    "tháng 99/9999",
    "nhiệm vụ 0",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_never_raises(text: str) -> None:
    understand(text, TODAY)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_understood_somehow(text: str) -> None:
    intent = understand(text, TODAY)
    assert intent is not None
    if isinstance(intent, TaskQuery):
        assert 1 <= intent.number <= 99
    if isinstance(intent, Month):
        assert 1 <= intent.month <= 12


def test_a_long_input_is_cut_before_it_is_read() -> None:
    # Only the first MAX_INPUT characters are read and a search keeps MAX_SEARCH_WORDS words, so the
    # cost does not grow with the message (it is timed in benchmarks/search.py, not here).
    long = "tham nhũng chuyển đổi số " * 200
    intent = understand(long, TODAY)
    assert intent == Search(" ".join(long.split()[:MAX_SEARCH_WORDS]))
    assert understand(long * 50, TODAY) == intent  # 250,000 characters: the same first 400 read
