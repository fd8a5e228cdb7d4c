"""Bulletins unlike the examples that were split wrongly once (each test names what went wrong)."""

from __future__ import annotations

from bot.domain.parser import parse_bulletin

UNPUNCTUATED = """Ban Tuyên giáo Huyện ủy Mường Khương
HỘI NGHỊ BÁO CÁO VIÊN THÁNG 8-2022
Thứ Ba, 16/08/2022 07:00
Ngày 15/8, Ban Tuyên giáo Huyện ủy Mường Khương tổ chức Hội nghị báo cáo viên tháng 8-2022. Hội nghị \
định hướng tuyên truyền 4 nội dung sau:
Tuyên truyền kỷ niệm 77 năm Cách mạng Tháng Tám và Quốc khánh 2/9
Tuyên truyền năm học mới 2022 - 2023
Tuyên truyền phòng, chống sạt lở đất mùa mưa
Tuyên truyền giữ gìn an ninh biên giới
Ngọc Ánh
"""


def test_short_unpunctuated_directive_lines_after_a_lead_in_are_tasks_not_bylines() -> None:
    # Was refused: the second line (8 words, no full stop) was read as a byline ending the article.
    bulletin = parse_bulletin(UNPUNCTUATED)
    assert [t.text for t in bulletin.tasks] == [
        "Tuyên truyền kỷ niệm 77 năm Cách mạng Tháng Tám và Quốc khánh 2/9",
        "Tuyên truyền năm học mới 2022 - 2023",
        "Tuyên truyền phòng, chống sạt lở đất mùa mưa",
        "Tuyên truyền giữ gìn an ninh biên giới",
    ]
    assert (bulletin.month, bulletin.published, bulletin.stated_count) == ("2022-08", "2022-08-16", 4)


def test_the_byline_after_unpunctuated_tasks_is_still_left_out() -> None:
    bulletin = parse_bulletin(UNPUNCTUATED)
    assert all("Ngọc Ánh" not in t.text for t in bulletin.tasks)


def test_the_organizer_is_the_body_named_before_its_partner() -> None:
    text = """Thứ Sáu, 20/09/2024 - 09:15
Hội nghị báo cáo viên tháng 9/2024
Ngày 19/9, Ban Tuyên giáo Tỉnh ủy Lào Cai phối hợp với Sở Thông tin và Truyền thông tổ chức Hội nghị \
báo cáo viên tháng 9/2024.
Nhiệm vụ thứ nhất: Tuyên truyền khắc phục hậu quả bão số 3 và mưa lũ sau bão.
Nhiệm vụ thứ hai: Tuyên truyền năm học mới 2024 - 2025.
Đức Anh
"""
    bulletin = parse_bulletin(text)
    assert bulletin.organizer == "Ban Tuyên giáo Tỉnh ủy Lào Cai"
    assert [t.enumerator for t in bulletin.tasks] == ["Nhiệm vụ thứ nhất", "Nhiệm vụ thứ hai"]


def test_numbers_typed_without_a_space_before_the_task_are_enumerators() -> None:
    # Was a best-effort split keeping "1.Tuyên" in the text.
    text = """Thứ Hai, 04/03/2024 15:00
Hội nghị báo cáo viên tháng 3/2024
Ngày 4/3, Ban Tuyên giáo Huyện ủy Ea Kar tổ chức Hội nghị báo cáo viên tháng 3/2024.
1.Tuyên truyền kỷ niệm Ngày Quốc tế Phụ nữ 8/3.
2.Tuyên truyền kỷ niệm 93 năm Ngày thành lập Đoàn.
3.Tuyên truyền phòng, chống cháy rừng mùa khô, 1.052 ha rừng được bảo vệ.
Hoàng Yến
"""
    bulletin = parse_bulletin(text)
    assert bulletin.method == "arabic"
    assert [t.enumerator for t in bulletin.tasks] == ["1.", "2.", "3."]
    assert bulletin.tasks[0].text == "Tuyên truyền kỷ niệm Ngày Quốc tế Phụ nữ 8/3."


def test_a_decimal_or_a_date_typed_tight_is_still_no_enumerator() -> None:
    from bot.domain.parser.families import arabic
    from bot.domain.parser.units import Unit, ffold

    for line in ("1.052 điểm cầu tham dự.", "3/9 là ngày Quốc khánh.", "1.1.Nội dung", "2.tuyên truyền"):
        assert arabic.match(Unit(1, line, ffold(line))) is None, line


def test_month_and_quarter_labels_in_more_notations() -> None:
    from bot.domain.parser.metadata import quarter_label, resolve_month

    assert resolve_month(["Hội nghị báo cáo viên tháng 9 – 2021"], None).value == "2021-09"
    assert resolve_month(["Hội nghị báo cáo viên tháng 9—2021"], None).value == "2021-09"
    assert resolve_month(["HỘI NGHỊ BÁO CÁO VIÊN QUÝ IV NĂM 2025"], "2025-09-30").value == "2025-10"
    assert resolve_month(["Hội nghị báo cáo viên quý 2/2024"], None).value == "2024-04"
    # A quarter inside a title with a month label does not override the month.
    assert resolve_month(["Hội nghị báo cáo viên tháng 4 và sơ kết quý I/2024"], "2024-04-10").value == "2024-04"
    assert quarter_label("kết quả quý V/2024") is None


def test_an_ordinal_whose_comma_was_left_out_still_starts_its_task() -> None:
    text = """Thứ Tư, 05/10/2022 08:00
Hội nghị báo cáo viên tháng 10/2022
Ngày 5/10, Ban Tuyên giáo Huyện ủy Sìn Hồ tổ chức Hội nghị báo cáo viên tháng 10/2022.
Thứ nhất, tuyên truyền kỷ niệm 92 năm Ngày thành lập Hội Nông dân Việt Nam.
Thứ hai, tuyên truyền Ngày Phụ nữ Việt Nam 20/10.
Thứ ba tuyên truyền thu hoạch lúa mùa, phòng chống rét cho gia súc.
Thứ Hai tuần tới, các chi bộ báo cáo kết quả triển khai.
Ngọc Lan
"""
    bulletin = parse_bulletin(text)
    assert [t.enumerator for t in bulletin.tasks] == ["Thứ nhất", "Thứ hai", "Thứ ba"]
    assert bulletin.tasks[2].text.startswith("tuyên truyền thu hoạch lúa mùa")
    assert bulletin.published == "2022-10-05"


LEAD = (
    "Thứ Sáu, 15/10/2021 07:53\nHội nghị báo cáo viên tháng 10/2021\nNgày 15/10, Ban Tuyên giáo Tỉnh ủy Nam Định "
    "tổ chức Hội nghị báo cáo viên tháng 10/2021. Hội nghị đề nghị tuyên truyền các nội dung sau:\n"
)


def test_letters_in_brackets_are_a_list() -> None:
    # Was refused: "(a)" read as a sub-point right after the lead-in, and no family took it.
    body = "(a) Tuyên truyền kỷ niệm Ngày Phụ nữ.\n(b) Tuyên truyền Ngày Nhà giáo.\n(c) Tuyên truyền Ngày Pháp luật.\n"
    bulletin = parse_bulletin(LEAD + body + "Minh Hà\n")
    assert bulletin.method == "letters"
    assert [t.enumerator for t in bulletin.tasks] == ["(a)", "(b)", "(c)"]
    assert bulletin.tasks[2].text == "Tuyên truyền Ngày Pháp luật."


def test_markdown_bold_marks_are_dropped_and_the_numbers_read() -> None:
    for body in (
        "**1. Tuyên truyền kỷ niệm Ngày Phụ nữ.**\n**2. Tuyên truyền Ngày Nhà giáo.**\n",
        "**1.** Tuyên truyền kỷ niệm Ngày Phụ nữ.\n**2.** Tuyên truyền Ngày Nhà giáo.\n",
    ):
        bulletin = parse_bulletin(LEAD + body + "Minh Hà\n")
        assert [t.enumerator for t in bulletin.tasks] == ["1.", "2."]
        assert [t.text for t in bulletin.tasks] == ["Tuyên truyền kỷ niệm Ngày Phụ nữ.", "Tuyên truyền Ngày Nhà giáo."]


def test_a_date_line_with_a_two_digit_year_and_a_time() -> None:
    from bot.domain.parser.metadata import date_in

    assert date_in("12/10/24 08:15") == "2024-10-12"
    assert date_in("12/10/24") is None  # without a time it may be a document number
    assert date_in("Số 12/10/24-KH") is None
    tasks = "1. Tuyên truyền A cho cán bộ.\n2. Tuyên truyền B cho cán bộ.\n"
    text = "12/10/24 08:15\n" + LEAD.split("\n", 1)[1] + tasks
    assert parse_bulletin(text).published == "2024-10-12"


def test_the_organizer_before_phoi_hop_without_voi() -> None:
    text = (
        "Thứ Bảy, 12/10/2024 08:15\nHội nghị báo cáo viên tháng 10/2024\nNgày 12/10, Huyện ủy Yên Định phối hợp "
        "Trung tâm Chính trị huyện tổ chức Hội nghị báo cáo viên tháng 10/2024.\n"
        "1. Tuyên truyền A cho cán bộ.\n2. Tuyên truyền B cho cán bộ.\n"
    )
    assert parse_bulletin(text).organizer == "Huyện ủy Yên Định"


def test_a_credit_with_the_writers_agency_and_a_related_documents_line_end_the_last_task() -> None:
    for tail in (
        "Lữ Nhiên Hương - Đảng ủy Khối CCQ và DN tỉnh",
        "Văn bản liên quan: Hướng dẫn số 85-HD/BTGTW ngày 2/10/2024 của Ban Tuyên giáo Trung ương.",
        "Các tin đã đưa ngày:",
    ):
        for body in (
            "1. Tuyên truyền A cho cán bộ.\n2. Tuyên truyền B cho cán bộ.\n3. Tuyên truyền C cho cán bộ.\n",
            "Tuyên truyền A cho cán bộ.\nTuyên truyền B cho cán bộ.\nTuyên truyền C cho cán bộ.\n",
        ):
            bulletin = parse_bulletin(LEAD + body + tail + "\n")
            assert [t.text for t in bulletin.tasks][-1] == "Tuyên truyền C cho cán bộ.", tail
            assert len(bulletin.tasks) == 3, tail
