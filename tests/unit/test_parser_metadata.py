"""Month label, published date, organizer and stated count, in every notation the issue names."""

from __future__ import annotations

import pytest

from bot.domain.blocks import Block, Document
from bot.domain.parser import parse_bulletin, parse_document
from bot.domain.parser.metadata import Label, date_in, iso_date, month_labels, stated_count

TASKS = (
    "Thứ nhất, tuyên truyền kết quả Hội nghị Trung ương.\n"
    "Thứ hai, tuyên truyền phòng, chống tham nhũng, tiêu cực.\n"
    "Thứ ba, tuyên truyền chủ quyền biển, đảo.\n"
    "Thu Hà\n"
)
LEAD = "Ban Tuyên giáo Tỉnh ủy tổ chức hội nghị báo cáo viên để thông tin thời sự tới đội ngũ báo cáo viên."


def bulletin(title: str, date_line: str | None = None, lead: str = LEAD, before_title: str | None = None) -> str:
    lines = [before_title, title, date_line, lead]
    return "\n".join(line for line in lines if line is not None) + "\n" + TASKS


@pytest.mark.parametrize(
    ("title", "date_line", "month"),
    [
        ("Hội nghị báo cáo viên tháng 9-2021", None, "2021-09"),
        ("Hội nghị báo cáo viên tháng 9/2021", None, "2021-09"),
        ("Hội nghị báo cáo viên tháng 9.2021", None, "2021-09"),
        ("Hội nghị báo cáo viên tháng 9 năm 2021", None, "2021-09"),
        ("Hội nghị báo cáo viên tháng 09/2021", None, "2021-09"),
        ("Hội nghị báo cáo viên tháng chín năm 2021", None, "2021-09"),
        ("Hội nghị báo cáo viên tháng chín", "16/9/2022 10:20", "2022-09"),
        ("Hội nghị báo cáo viên tháng Mười Một năm 2024", None, "2024-11"),
        ("HỘI NGHỊ BÁO CÁO VIÊN THÁNG MƯỜI MỘT NĂM 2024", None, "2024-11"),
        ("HỘI NGHỊ BÁO CÁO VIÊN TRỰC TUYẾN THÁNG 9 NĂM 2023", None, "2023-09"),
        ("Hội nghị báo cáo viên tháng Giêng", "20/01/2023 08:00", "2023-01"),
        ("Hội nghị báo cáo viên tháng 7", "Thứ Năm, 09/07/2020 10:05", "2020-07"),
        ("Hội nghị báo cáo viên tháng 1/2020", "27/12/2019", "2020-01"),
        ("Hội nghị báo cáo viên tháng 12 và tổng kết năm 2023", None, "2023-12"),
    ],
)
def test_month_in_every_notation(title: str, date_line: str | None, month: str) -> None:
    assert parse_bulletin(bulletin(title, date_line)).month == month


def test_month_from_the_lead_when_the_title_has_none() -> None:
    lead = "Ngày 12/4, Ban Tuyên giáo Tỉnh ủy tổ chức Hội nghị báo cáo viên tháng 4 năm 2024 tới các điểm cầu."
    assert parse_bulletin(bulletin("Tập trung tuyên truyền các nội dung trọng tâm", None, lead)).month == "2024-04"


@pytest.mark.parametrize(
    "text",
    [
        "kỷ niệm Cách mạng Tháng Mười Nga",
        "Cách mạng Tháng Tám thành công",
        "6 tháng đầu năm",
        "ngày 15 tháng 10 năm 2021",
        "qua bao tháng năm gian khó",
        "trong tháng một số đơn vị",
        "mỗi tháng hai lần",
    ],
)
def test_not_month_labels(text: str) -> None:
    assert month_labels(text) == []


def test_month_labels_in_order() -> None:
    assert month_labels("tháng 7 và tháng 8 năm 2020") == [Label(7, None), Label(8, 2020)]


def test_a_related_news_month_or_a_body_date_is_never_the_month() -> None:
    doc = (
        "Hội nghị báo cáo viên tháng 3\nCập nhật lúc: 10/03/2023 22:50\n" + LEAD + "\n" + TASKS + "Tin liên quan\n"
        "» Hội nghị báo cáo viên tháng 2/2023 (15/02/2023)\n"
    )
    assert parse_bulletin(doc).month == "2023-03"


@pytest.mark.parametrize(
    ("header", "published"),
    [
        ("Thời gian: 15/10/2021 07:53", "2021-10-15"),
        ("Thứ Tư, ngày 20 tháng 7 năm 2022", "2022-07-20"),
        ("7 tháng 3, 2024 lúc 16:45", "2024-03-07"),
        ("Thứ ba, 25 Tháng 1 2022 16:22", "2022-01-25"),
        ("12-11-2019 08:37", "2019-11-12"),
        ("Thứ Bảy, 12/10/2024 08:15", "2024-10-12"),
        ("Cập nhật, 15:27, Thứ Tư, 14/10/2020 (GMT+7)", "2020-10-14"),
        ("15/05/2015 | 9079", "2015-05-15"),
        ("date 2025-08-16", "2025-08-16"),
    ],
)
def test_published_from_any_header_date_form(header: str, published: str) -> None:
    assert parse_bulletin(bulletin("Hội nghị báo cáo viên tháng 10/2021", header)).published == published


def test_published_from_a_place_date_line_of_an_official_document() -> None:
    doc = (
        "ĐẢNG BỘ TỈNH BẮC KẠN\nBAN TUYÊN GIÁO\nSố 12-TB/BTG\nĐẢNG CỘNG SẢN VIỆT NAM\n"
        "Bắc Kạn, ngày 5 tháng 6 năm 2023\nTHÔNG BÁO\nKết quả Hội nghị báo cáo viên tháng 6 năm 2023\n"
        f"{LEAD}\n{TASKS}"
    )
    bulletin_ = parse_bulletin(doc)
    assert bulletin_.published == "2023-06-05"
    assert bulletin_.month == "2023-06"


def test_a_print_date_is_not_the_published_date() -> None:
    doc = bulletin(
        "Hội nghị báo cáo viên tháng 01/2020", "Ngày đăng: 27/12/2019", before_title="Ngày in: 08/01/2020 09:14"
    )
    assert parse_bulletin(doc).published == "2019-12-27"


def test_the_site_today_line_loses_to_the_article_date() -> None:
    doc = bulletin("Hội nghị báo cáo viên tháng 9/2022", "Thứ Ba, 6/9/2022 11:45", before_title="Thứ Bảy, 23/11/2024")
    assert parse_bulletin(doc).published == "2022-09-06"


def test_no_date_gives_null_not_a_guess() -> None:
    lead = "Sáng 12/8, Ban Tuyên giáo Tỉnh ủy tổ chức hội nghị báo cáo viên; ngày 11/10/2021 là mốc quan trọng."
    assert parse_bulletin(bulletin("HỘI NGHỊ BÁO CÁO VIÊN THÁNG 8 NĂM 2024", None, lead)).published is None


def test_the_documents_metadata_date_is_the_fallback() -> None:
    lines = bulletin("Hội nghị báo cáo viên tháng 10/2021").split("\n")
    doc = Document(tuple(Block(line) for line in lines if line), "html", published="2021-10-16T08:00:00+07:00")
    assert parse_document(doc).published == "2021-10-16"
    dated = Document((*doc.blocks[:1], Block("15/10/2021 07:53"), *doc.blocks[1:]), "html", published="2021-10-16")
    assert parse_document(dated).published == "2021-10-15"


def test_date_helpers() -> None:
    assert date_in("Hà Nội, ngày 5 tháng 6 năm 2023") == "2023-06-05"
    assert date_in("31/02/2023 và 01/03/2023") == "2023-03-01"
    assert date_in("ngày 1/1/1890") is None
    assert iso_date("2022-09-06T11:45:00+07:00") == "2022-09-06"
    assert iso_date("06/09/2022") is None
    assert iso_date(None) is None


@pytest.mark.parametrize(
    ("lead", "organizer"),
    [
        (
            "Sáng 5/4, Ban Tuyên giáo và Dân vận Tỉnh ủy Gia Lai tổ chức hội nghị.",
            "Ban Tuyên giáo và Dân vận Tỉnh ủy Gia Lai",
        ),
        (
            "Chiều 27/6, Đảng ủy Khối các cơ quan tỉnh đã tổ chức hội nghị báo cáo viên.",
            "Đảng ủy Khối các cơ quan tỉnh",
        ),
        ("Ngày 9/3, Ban TG&DV Trung ương tổ chức Hội nghị báo cáo viên.", "Ban TG&DV Trung ương"),
        ("(ĐCSVN) - Sáng 6/9, Ban Tuyên giáo Trung ương tổ chức Hội nghị.", "Ban Tuyên giáo Trung ương"),
    ],
)
def test_organizer_from_the_lead(lead: str, organizer: str) -> None:
    assert parse_bulletin(bulletin("Hội nghị báo cáo viên tháng 4/2025", None, lead)).organizer == organizer


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("đề nghị tập trung tuyên truyền sáu nội dung sau:", 6),
        ("chỉ rõ 6 nhiệm vụ cần tập trung", 6),
        ("Tập trung tuyên truyền 08 nội dung theo Hướng dẫn số 85-HD/BTG", 8),
        ("nêu 6 vấn đề", 6),
        ("6 nhóm nhiệm vụ trọng tâm", 6),
        ("mười hai nội dung", 12),
    ],
)
def test_stated_count(text: str, count: int) -> None:
    found = stated_count([text])
    assert found is not None and found[0] == count


def test_numbers_of_one_are_not_a_stated_count() -> None:
    assert stated_count(["một nội dung quan trọng"]) is None


def test_an_official_documents_type_line_and_subject_make_the_title() -> None:
    doc = (
        "ĐẢNG BỘ TỈNH BẮC KẠN\nBAN TUYÊN GIÁO\nBắc Kạn, ngày 5 tháng 6 năm 2023\nTHÔNG BÁO\n"
        f"Kết quả Hội nghị báo cáo viên tháng 6 năm 2023\n{LEAD}\n{TASKS}"
    )
    assert parse_bulletin(doc).title == "Thông báo kết quả Hội nghị báo cáo viên tháng 6 năm 2023"
    caps = doc.replace("Kết quả Hội nghị báo cáo viên tháng 6 năm 2023", "KẾT QUẢ HỘI NGHỊ BÁO CÁO VIÊN THÁNG 6")
    assert parse_bulletin(caps).title == "THÔNG BÁO KẾT QUẢ HỘI NGHỊ BÁO CÁO VIÊN THÁNG 6"


def test_a_related_news_date_above_the_title_is_not_the_published_date() -> None:
    doc = bulletin(
        "Hội nghị báo cáo viên tháng 10/2021",
        "Ngày 15/10/2021",
        before_title="Tin mới\n» Hội nghị báo cáo viên tháng 9/2021 (20/09/2021)",
    )
    assert parse_bulletin(doc).published == "2021-10-15"
