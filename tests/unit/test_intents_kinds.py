"""The question kinds of issue 10 read as intents: shorthand, documents by number, topics with month
words, periods, organizers and their combinations; ``as_question`` reads back as the same intent."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.documents import document
from bot.domain.intents import (
    Bulletins,
    Intent,
    Latest,
    Month,
    Search,
    TaskQuery,
    Unknown,
    as_question,
    understand,
)
from bot.domain.periods import half, months, one_month, quarter, whole_year
from bot.domain.shorthand import expand

TODAY = dt.date(2026, 3, 10)  # Q1 2026; last month is 2/2026, last year 2025

KINDS: list[tuple[str, Intent]] = [
    # Shorthand of the field
    ("hn bcv mới nhất", Latest()),
    ("HN BCV mới nhất", Latest()),
    ("HNBCV tháng 10/2021", Month(2021, 10)),
    ("hnbcv", Latest()),
    ("H.N.B.C.V mới nhất", Latest()),
    ("hn mới nhất", Latest()),
    ("bcv tw", Bulletins(organizer="trung ương")),
    ("BCV TW mới nhất", Latest("trung ương")),
    ("hn bcv tw mới nhất", Latest("trung ương")),
    ("hội nghị bcv TƯ tháng 12/2023", Month(2023, 12, "trung ương")),
    ("hội nghị báo cáo viên T.Ư", Bulletins(organizer="trung ương")),
    ("ĐUK mới nhất", Latest("đảng ủy khối")),
    ("duk moi nhat", Latest("đảng ủy khối")),
    ("btg tỉnh ủy hà giang", Bulletins(organizer="ban tuyên giáo tỉnh ủy hà giang")),
    ("TU Hà Giang", Bulletins(organizer="tỉnh ủy Hà Giang")),
    ("ttv", Search("tuyên truyền viên")),
    ("nv3", TaskQuery(3)),
    ("NV 2 tháng 11/2021", TaskQuery(2, Month(2021, 11))),
    ("thành ủy hn", Bulletins(organizer="thành ủy hn")),  # Hà Nội, not "hội nghị"
    # Documents by number
    ("nq 57", Search("Nghị quyết 57", document=document("NQ", 57))),
    ("NQ57", Search("Nghị quyết 57", document=document("NQ", 57))),
    ("nq-57", Search("Nghị quyết 57", document=document("NQ", 57))),
    ("57-NQ/TW", Search("Nghị quyết 57-NQ/TW", document=document("NQ", 57, "TW"))),
    ("nghị quyết số 57-NQ/TW", Search("Nghị quyết 57-NQ/TW", document=document("NQ", 57, "TW"))),
    ("nghi quyet 57", Search("Nghị quyết 57", document=document("NQ", 57))),
    ("kl 14", Search("Kết luận 14", document=document("KL", 14))),
    ("KL14", Search("Kết luận 14", document=document("KL", 14))),
    ("kết luận số 14-KL/TW", Search("Kết luận 14-KL/TW", document=document("KL", 14, "TW"))),
    ("qđ 41", Search("Quy định 41", document=document("QĐ", 41))),
    ("QD 41", Search("Quy định 41", document=document("QĐ", 41))),
    ("chỉ thị 05", Search("Chỉ thị 5", document=document("CT", 5))),
    ("ct 35", Search("Chỉ thị 35", document=document("CT", 35))),
    ("24-HD/BTGTW", Search("Hướng dẫn 24-HD/BTGTW", document=document("HD", 24, "BTGTW"))),
    ("57-NQ/TƯ", Search("Nghị quyết 57-NQ/TƯ", document=document("NQ", 57, "TƯ"))),
    ("nq 57 năm 2025", Search("Nghị quyết 57", period=whole_year(2025), document=document("NQ", 57))),
    ("nq 57 của tỉnh ủy gia lai", Search("Nghị quyết 57", organizer="tỉnh ủy gia lai", document=document("NQ", 57))),
    ("ct", Search("chỉ thị")),  # no number: not a document, the kind written out
    ("nq tw 4", Search("nghị quyết trung ương 4")),  # a plenum's resolution: a topic, no organizer
    ("nghị quyết trung ương 4 khóa XIII", Search("nghị quyết trung ương 4 khóa XIII")),
    ("kết luận trung ương 8", Search("kết luận trung ương 8")),
    ("trung ương 12/2023", Month(2023, 12, "trung ương")),  # a month, not plenum 12
    # Topics with month words first, the month as the other reading
    ("cách mạng tháng mười", Search("cách mạng tháng mười", alternative=Month(None, 10))),
    ("Cách mạng Tháng Tám", Search("Cách mạng Tháng Tám", alternative=Month(None, 8))),
    ("cach mang thang 8", Search("cach mang thang 8", alternative=Month(None, 8))),
    ("kỷ niệm Cách mạng Tháng Mười Nga", Search("kỷ niệm Cách mạng Tháng Mười Nga")),
    ("30/4", Search("30 4")),  # searched as adjacent words, as the index holds "30/4"
    ("kỷ niệm 2/9", Search("kỷ niệm 2 9")),
    ("Tết", Search("Tết")),
    ("tháng mười", Month(None, 10)),
    ("hội nghị báo cáo viên tháng 10", Month(None, 10)),
    ("nhiệm vụ 2 tháng 10", TaskQuery(2, Month(None, 10))),
    # Periods
    ("quý IV/2025", Bulletins(quarter(2025, 4))),
    ("quý 4/2025", Bulletins(quarter(2025, 4))),
    ("quý I-2025", Bulletins(quarter(2025, 1))),
    ("quý 1 năm 2024", Bulletins(quarter(2024, 1))),
    ("Q1 2024", Bulletins(quarter(2024, 1))),
    ("quý này", Bulletins(quarter(2026, 1))),
    ("quý trước", Bulletins(quarter(2025, 4))),
    ("last quarter", Bulletins(quarter(2025, 4))),
    ("năm 2024", Bulletins(whole_year(2024))),
    ("2024", Bulletins(whole_year(2024))),
    ("các bản tin năm 2023", Bulletins(whole_year(2023))),
    ("bulletins of 2024", Bulletins(whole_year(2024))),
    ("năm nay", Bulletins(whole_year(2026))),
    ("năm ngoái", Bulletins(whole_year(2025))),
    ("last year", Bulletins(whole_year(2025))),
    ("6 tháng đầu năm 2024", Bulletins(half(2024, True))),
    ("6 tháng cuối năm 2023", Bulletins(half(2023, False))),
    ("first half of 2024", Bulletins(half(2024, True))),
    ("từ tháng 3 đến tháng 6/2024", Bulletins(months(2024, 3, 2024, 6))),
    ("tháng 3-6/2024", Bulletins(months(2024, 3, 2024, 6))),
    ("từ tháng 3 đến tháng 6 năm 2024", Bulletins(months(2024, 3, 2024, 6))),
    ("từ tháng 6 đến tháng 3/2024", Bulletins(months(2024, 3, 2024, 6))),  # backwards: read in order
    ("từ tháng 11/2023 đến tháng 2/2024", Bulletins(months(2023, 11, 2024, 2))),
    ("quý 9/2024", Search("quý 9 2024")),  # no such quarter, and not September: searched as typed
    ("cuối năm 2021", Month(2021, 12)),
    ("tháng 9 năm 2021", Month(2021, 9)),
    ("nhiệm vụ thứ năm", TaskQuery(5)),
    # Keywords within a period
    ("tham nhũng năm 2023", Search("tham nhũng", period=whole_year(2023))),
    ("chuyển đổi số tháng trước", Search("chuyển đổi số", period=one_month(2026, 2))),
    ("tham nhũng tháng 10/2023", Search("tham nhũng", period=one_month(2023, 10))),
    ("thiên tai quý III/2022", Search("thiên tai", period=quarter(2022, 3))),
    ("Covid in 2021", Search("Covid", period=whole_year(2021))),
    # Organizers, units, levels, and combinations
    ("tỉnh ủy yên bái", Bulletins(organizer="tỉnh ủy yên bái")),
    ("Đảng ủy Khối", Bulletins(organizer="Đảng ủy Khối")),
    ("trung ương", Bulletins(organizer="trung ương")),
    ("hội nghị tỉnh ủy", Bulletins(organizer="tỉnh ủy")),
    ("ban tuyên giáo thành ủy hà nội", Bulletins(organizer="ban tuyên giáo thành ủy hà nội")),
    ("tỉnh ủy quảng nam năm 2024", Bulletins(whole_year(2024), "tỉnh ủy quảng nam")),
    ("nhiệm vụ 2 của tỉnh ủy tháng 9/2024", TaskQuery(2, Month(2024, 9), "tỉnh ủy")),
    ("tỉnh ủy hà giang mới nhất", Latest("tỉnh ủy hà giang")),
    ("tháng 5/2022 tỉnh ủy hà giang", Month(2022, 5, "tỉnh ủy hà giang")),
    ("tham nhũng tỉnh ủy bắc ninh", Search("tham nhũng", organizer="tỉnh ủy bắc ninh")),
    ("tham nhũng của đảng ủy khối", Search("tham nhũng", organizer="đảng ủy khối")),
    ("bcv tw năm 2023", Bulletins(whole_year(2023), "trung ương")),
    ("hội nghị trung ương 4", Search("trung ương 4")),  # a plenum is a topic
    ("Thứ Ba, 15/10/2021", Month(2021, 10)),
]


@pytest.mark.parametrize(("text", "expected"), KINDS, ids=[k[0] for k in KINDS])
def test_question_kind(text: str, expected: Intent) -> None:
    assert understand(text, TODAY) == expected


@pytest.mark.parametrize(("text", "expected"), KINDS, ids=[k[0] for k in KINDS])
def test_as_question_reads_back_as_the_same_intent(text: str, expected: Intent) -> None:
    question = as_question(understand(text, TODAY))
    assert understand(question, TODAY) == expected
    # Relative periods are written as the absolute ones, so any later day reads the same.
    assert understand(question, dt.date(2030, 7, 1)) == expected or ("tháng" in question and "/" not in question)


def test_enough_new_kinds() -> None:
    assert len(KINDS) >= 80


def test_periods_name_themselves_in_both_languages() -> None:
    assert (quarter(2025, 4).label, quarter(2025, 4).label_en) == ("quý IV/2025", "Q4 2025")
    assert (months(2024, 3, 2024, 6).start, months(2024, 3, 2024, 6).end) == ("2024-03", "2024-06")
    assert months(2023, 11, 2024, 2).label == "tháng 11/2023–2/2024"
    assert half(2024, True).label_en == "first half of 2024"
    assert one_month(2024, 9).label_en == "September 2024"


@pytest.mark.parametrize(
    "text",
    ["nq", "quý 13/2024", "năm 99999", "từ tháng 13 đến tháng 14/2024", "57-NQ/" + "TW" * 300, "tỉnh ủy " * 200,
     "\x00tỉnh ủy\u200b hà giang", "kl 0", "nq 123456789", "quý", "Q9 2024"],
)  # fmt: skip
def test_odd_questions_are_read_without_error(text: str) -> None:
    intent = understand(text, TODAY)
    assert isinstance(intent, Intent.__args__)
    assert not (isinstance(intent, Search) and intent.document is not None and intent.document.number == 0)


def test_shorthand_keeps_other_words() -> None:
    assert expand("từ tháng 3") == "từ tháng 3"  # "tu" in lower case is "từ", not Tỉnh ủy
    assert expand("twitter") == "twitter"
    assert expand("hội nghị tư") == "hội nghị trung ương"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="tỉnhủyquýnămNQKL0123456789/- ", max_size=60))
def test_never_raises_on_the_new_words(text: str) -> None:
    intent = understand(text, TODAY)
    assert intent is not None
    if isinstance(intent, Unknown):
        assert not any(ch.isalnum() for ch in intent.text) or intent.text.strip()
