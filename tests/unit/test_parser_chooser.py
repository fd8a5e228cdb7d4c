"""Choosing the split: the longest run, sub-points kept inside their task, only the task section of a
sectioned document, bullets and headings, the no-enumerator fallbacks, and the refusals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.blocks import Block, BlockKind, Document
from bot.domain.parser import parse_bulletin, parse_document
from bot.domain.records import BulletinParseError, ParseErrorCode, ParseWarningCode
from tests import hostile_inputs as hostile

HEAD = (
    "Hội nghị báo cáo viên Tỉnh ủy tháng 5/2024\n"
    "Cập nhật: 20/05/2024 09:12\n"
    "Chiều 17/5, Ban Tuyên giáo Tỉnh ủy Phú Thọ tổ chức Hội nghị báo cáo viên tháng 5 năm 2024 tới các điểm cầu.\n"
)
TAIL = "Thanh Tâm\nĐịa chỉ: Số 1 đường Trần Phú\n"
TOPICS = [
    "Tuyên truyền kỷ niệm 70 năm Chiến thắng Điện Biên Phủ.",
    "Tuyên truyền công tác chuẩn bị đại hội đảng bộ các cấp.",
    "Tuyên truyền phòng, chống tham nhũng, tiêu cực.",
    "Tuyên truyền chủ quyền biển, đảo của Việt Nam.",
    "Tuyên truyền phòng, chống thiên tai mùa mưa bão.",
    "Tuyên truyền chuyển đổi số trong cơ quan nhà nước.",
]


def doc(body: str) -> str:
    return HEAD + body + "\n" + TAIL


def texts(body: str) -> list[str]:
    return [t.text for t in parse_bulletin(doc(body)).tasks]


def test_letters_inside_one_numbered_task_are_sub_points() -> None:
    subs = "\n".join(f"{ch}) ý phụ {ch} của nhiệm vụ này;" for ch in "abcdđeg")
    body = f"1. {TOPICS[0]}\n{subs}\n2. {TOPICS[1]}\n3. {TOPICS[2]}"
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "arabic"
    assert [t.enumerator for t in bulletin.tasks] == ["1.", "2.", "3."]
    assert bulletin.tasks[0].text.split("\n")[1:] == subs.split("\n")


def test_a_numbered_list_inside_one_ordinal_task_stays_in_it() -> None:
    subs = "\n".join(f"{n}. ý phụ số {n} của nhiệm vụ thứ nhất;" for n in range(1, 6))
    body = f"Thứ nhất, {TOPICS[0]}\n{subs}\nThứ hai, {TOPICS[1]}"
    bulletin = parse_bulletin(doc(body))
    assert [t.enumerator for t in bulletin.tasks] == ["Thứ nhất", "Thứ hai"]
    assert bulletin.tasks[0].text.count("\n") == 5


def test_only_the_task_section_holds_the_tasks() -> None:
    body = (
        "I. KẾT QUẢ THÁNG 4\n"
        + "\n".join(f"{n}. Kết quả số {n} đã đạt được trong tháng." for n in range(1, 8))
        + "\nII. NHIỆM VỤ TRỌNG TÂM THÁNG 5\n"
        + "\n".join(f"{n}. {t}" for n, t in enumerate(TOPICS[:4], start=1))
        + "\nIII. TỔ CHỨC THỰC HIỆN\n1. Các chi bộ triển khai thực hiện.\n2. Báo cáo kết quả trước ngày 30/5."
    )
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "section+arabic"
    assert [t.text for t in bulletin.tasks] == TOPICS[:4]
    assert bulletin.confidence >= 0.7


@pytest.mark.parametrize(
    ("marker", "method"),
    [
        (lambda n: f"{'abcd'[n - 1]}) ", "section+letters"),
        (lambda n: "- ", "section+dash"),
        (lambda n: "", "section+paragraphs"),
    ],
)
def test_the_task_section_with_letters_bullets_or_plain_paragraphs(marker: object, method: str) -> None:
    assert callable(marker)
    items = "\n".join(f"{marker(n)}{t}" for n, t in enumerate(TOPICS[:4], start=1))
    body = (
        "I. MỤC ĐÍCH, YÊU CẦU\nTuyên truyền kịp thời các sự kiện chính trị quan trọng.\n"
        f"II. NỘI DUNG TUYÊN TRUYỀN\n{items}\nIII. TỔ CHỨC THỰC HIỆN\nCác chi bộ triển khai thực hiện nghiêm túc."
    )
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == method
    assert [t.text for t in bulletin.tasks] == TOPICS[:4]
    assert not any("check the split" in w for w in bulletin.warnings)


def test_outline_numbers_under_a_content_section() -> None:
    body = (
        "1. Nội dung tuyên truyền\n"
        + "\n".join(f"1.{n}. {t}" for n, t in enumerate(TOPICS[:4], start=1))
        + "\n2. Tổ chức thực hiện\nCác chi bộ triển khai thực hiện."
    )
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "section+outline"
    assert [t.enumerator for t in bulletin.tasks] == ["1.1.", "1.2.", "1.3.", "1.4."]


def test_roman_topics_are_tasks_when_no_section_is_about_results() -> None:
    body = "\n".join(
        f"{r}. {t.upper()}\nNội dung chi tiết của phần {r}." for r, t in zip(["I", "II", "III"], TOPICS, strict=False)
    )
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "roman"
    assert len(bulletin.tasks) == 3


def test_bullets_with_continuations_between_them() -> None:
    body = "\n".join(f"🔹 {t}\nĐoạn giải thích thêm cho nội dung này." for t in TOPICS[:4])
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "bullet"
    assert [t.text.split("\n")[0] for t in bulletin.tasks] == TOPICS[:4]
    assert all(t.text.endswith("nội dung này.") for t in bulletin.tasks)


def test_sub_bullets_of_another_symbol_stay_inside_their_bullet_task() -> None:
    body = "\n".join(f"- {t}\n+ ý phụ một;\n+ ý phụ hai." for t in TOPICS[:3])
    bulletin = parse_bulletin(doc(body))
    assert [t.enumerator for t in bulletin.tasks] == ["-", "-", "-"]
    assert bulletin.tasks[2].text.endswith("+ ý phụ hai.")


def test_all_caps_sub_headings_in_plain_text() -> None:
    body = "Hội nghị đề nghị tập trung tuyên truyền các nội dung sau:\n" + "\n".join(
        f"{t.rstrip('.').upper()}\nĐoạn nội dung giải thích chi tiết về phần này cho báo cáo viên." for t in TOPICS[:3]
    )
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "headings"
    assert [t.text.split("\n")[0] for t in bulletin.tasks] == [t.rstrip(".").upper() for t in TOPICS[:3]]


# ---------------------------------------------------------------------------------------------
# No enumerator at all
# ---------------------------------------------------------------------------------------------


def test_paragraphs_after_a_lead_in_up_to_the_first_report() -> None:
    body = (
        "Kết luận hội nghị, đồng chí Phó Trưởng ban đề nghị tập trung tuyên truyền các nội dung sau:\n"
        + "\n".join(TOPICS[:4])
        + "\nTrong đó, chú ý đến các địa bàn vùng sâu, vùng xa.\n"
        "Hội nghị cũng đã nghe thông tin về tình hình thế giới và khu vực."
    )
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "paragraphs"
    assert [t.text.split("\n")[0] for t in bulletin.tasks] == TOPICS[:4]
    assert bulletin.tasks[3].text.endswith("vùng sâu, vùng xa.")  # a linking paragraph continues the task
    assert bulletin.confidence < 0.6
    assert ParseWarningCode.NO_ENUMERATOR in {w.code for w in bulletin.parse_warnings}


def test_a_lead_in_that_ends_with_a_full_stop() -> None:
    body = (
        "Đồng chí Trưởng ban đề nghị đội ngũ báo cáo viên tập trung tuyên truyền các nội dung trọng tâm.\n"
        + "\n".join(TOPICS[:3])
    )
    assert texts(body) == TOPICS[:3]


def test_one_semicolon_list() -> None:
    clauses = [t.rstrip(".").removeprefix("Tuyên truyền ") for t in TOPICS[:4]]
    body = (
        "Kết luận hội nghị, đồng chí Trưởng ban đề nghị thời gian tới tập trung tuyên truyền: "
        + "; ".join(clauses)
        + ". Hội nghị cũng đã nghe thông tin thời sự."
    )
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "semicolons"
    assert [t.text for t in bulletin.tasks] == [*clauses[:3], clauses[3] + "."]
    assert "tập trung tuyên truyền:" in bulletin.intro


def test_inline_ordinals_of_a_semicolon_list_become_enumerators() -> None:
    body = (
        "Hội nghị đề nghị tập trung tuyên truyền các nội dung: thứ nhất, kết quả đại hội; "
        "thứ hai, công tác phòng dịch; thứ ba, chủ quyền biển đảo."
    )
    bulletin = parse_bulletin(doc(body))
    assert [t.enumerator for t in bulletin.tasks] == ["thứ nhất", "thứ hai", "thứ ba"]
    assert bulletin.tasks[0].text == "kết quả đại hội"


def test_directive_sentences_of_one_paragraph() -> None:
    body = "Hội nghị đề nghị các cấp ủy tập trung tuyên truyền các nội dung trọng tâm. " + " ".join(TOPICS[:4])
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "sentences"
    assert [t.text for t in bulletin.tasks] == TOPICS[:4]


def test_directive_paragraphs_without_a_lead_in() -> None:
    body = "Tại hội nghị, các đại biểu được nghe thông tin chuyên đề.\n" + "\n".join(TOPICS[:3])
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "directives"
    assert [t.text for t in bulletin.tasks] == TOPICS[:3]


def test_best_effort_split_of_a_bulletin_with_no_list() -> None:
    body = "\n".join(
        [
            "Các địa phương cần bám sát tình hình thực tế để vận dụng linh hoạt.",
            "Mỗi báo cáo viên phải thường xuyên cập nhật thông tin chính thống.",
            "Công tác nắm bắt dư luận xã hội phải được coi là nhiệm vụ thường xuyên.",
        ]
    )
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "best-effort"
    assert len(bulletin.tasks) == 3
    assert bulletin.confidence <= 0.3


# ---------------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------------


def refusal(text: str) -> BulletinParseError:
    with pytest.raises(BulletinParseError) as info:
        parse_bulletin(text)
    return info.value


def test_not_a_bulletin() -> None:
    err = refusal("Xin chào các bạn\nHôm nay trời đẹp quá, chúng ta đi chơi nhé.\n")
    assert err.code is ParseErrorCode.NOT_A_BULLETIN
    assert "no task list found" in err.reason


def test_a_bulletin_with_one_paragraph_only() -> None:
    err = refusal(HEAD + "Hội nghị nêu nhiều nội dung quan trọng trong tháng.\n")
    assert err.code is ParseErrorCode.NO_TASKS
    assert err.detail("lines") == 4


def test_one_enumerator_and_a_broken_list_point_at_the_line() -> None:
    err = refusal(HEAD + "Thứ nhất, tuyên truyền nội dung duy nhất.\nThu Hà")
    assert (err.code, err.line, err.detail("enumerator")) == (ParseErrorCode.ONE_TASK, 4, "Thứ nhất")
    err = refusal("Tiêu đề\nThứ hai, nội dung.\nThứ ba, nội dung.\n")
    assert (err.code, err.line) == (ParseErrorCode.BROKEN_LIST, 2)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("", ParseErrorCode.EMPTY),
        (b"\xff\xfe\x00a", ParseErrorCode.NOT_UTF8),
        ("Thứ nhất, a.\x00\nThứ hai, b.\n", ParseErrorCode.BINARY),
        ("x" * 2_000_001, ParseErrorCode.TOO_LARGE),
        (12345, ParseErrorCode.NOT_TEXT),
    ],
)
def test_every_refusal_has_a_code(data: object, code: ParseErrorCode) -> None:
    with pytest.raises(BulletinParseError) as info:
        parse_bulletin(data)  # type: ignore[arg-type]
    assert info.value.code is code


def test_twelve_tasks_and_two_tasks_are_kept() -> None:
    twelve = "\n".join(f"{n}. {TOPICS[n % 6]} ({n})" for n in range(1, 13))
    assert len(texts(twelve)) == 12
    assert len(texts(f"1. {TOPICS[0]}\n2. {TOPICS[1]}")) == 2


def test_sub_bullets_under_the_last_bullet_task_stay_in_it() -> None:
    body = "\n".join(f"🔹 {t}" for t in TOPICS[:2]) + "\n- ý phụ một;\n- ý phụ hai;\n- ý phụ ba."
    bulletin = parse_bulletin(doc(body))
    assert [t.enumerator for t in bulletin.tasks] == ["🔹", "🔹"]
    assert bulletin.tasks[1].text.endswith("- ý phụ ba.")


def test_a_dash_list_in_the_intro_does_not_hold_the_bullet_tasks() -> None:
    body = (
        "Tham dự hội nghị có:\n- Lãnh đạo Ban Tuyên giáo Tỉnh ủy;\n- Báo cáo viên các huyện.\n"
        "Hội nghị đề nghị tập trung tuyên truyền các nội dung sau:\n" + "\n".join(f"✅ {t}" for t in TOPICS[:4])
    )
    bulletin = parse_bulletin(doc(body))
    assert [t.text for t in bulletin.tasks] == TOPICS[:4]


# ---------------------------------------------------------------------------------------------
# Fuzz: any mix of the families' pieces, as text or as blocks, only ever gives a sane bulletin or a
# BulletinParseError
# ---------------------------------------------------------------------------------------------

PIECES = [
    "Thứ nhất là, ", "Thứ hai: ", "Một là ", "Nội dung 1: ", "Nhiệm vụ 2. ", "1️⃣ ", "2⃣ ", "🔟 ", "🔹 ", "▪️ ",
    "👉🏻 ", "a) ", "đ) ", "b/ ", "1.1. ", "1/ ", "(3) ", "IV. ", "- ", "+ ", "tuyên truyền ", "các nội dung sau:",
    "; ", ": ", ". ", "Hội nghị cũng đã ", "Ảnh: ", "tháng 10/2021", "tháng Mười Một năm 2024", "Nơi nhận:",
    "#tuyengiao ", "Tin liên quan", "\n", "\n", "\n", "Tuyên truyền kỷ niệm. ", "ĐỊNH HƯỚNG ", "Trong đó, ",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=80).map("".join),
    st.lists(st.tuples(st.booleans(), st.booleans(), st.sampled_from(["", "1.", "a)", "•", "I."])), max_size=30),
)
def test_fragment_soup_of_every_family(soup: str, flags: list[tuple[bool, bool, str]]) -> None:
    results = []
    try:
        results.append(parse_bulletin(soup))
    except BulletinParseError as exc:
        assert exc.reason and isinstance(exc.code, ParseErrorCode)
    lines = [line for line in soup.split("\n") if line.strip()]
    blocks = tuple(
        Block(line, bold=b, kind=BlockKind.HEADING if h else BlockKind.PARAGRAPH, label=label)
        for line, (b, h, label) in zip(lines, flags + [(False, False, "")] * len(lines), strict=False)
    )
    if blocks:
        try:
            results.append(parse_document(Document(blocks)))
        except BulletinParseError as exc:
            assert exc.reason
    for bulletin in results:
        assert len(bulletin.tasks) >= 2
        assert [t.number for t in bulletin.tasks] == list(range(1, len(bulletin.tasks) + 1))
        assert 0 < bulletin.confidence < 1
        assert bulletin.month == "" or len(bulletin.month) == 7
        assert len(bulletin.warnings) == len(bulletin.parse_warnings)


def test_all_caps_sections_without_numbers() -> None:
    body = (
        "KẾT QUẢ NỔI BẬT THÁNG 4\nCác cấp ủy đã tổ chức nhiều hội nghị quán triệt cho cán bộ, đảng viên.\n"
        "ĐỊNH HƯỚNG TUYÊN TRUYỀN THÁNG 5\n" + "\n".join(TOPICS[:3])
    )
    bulletin = parse_bulletin(doc(body))
    assert bulletin.method == "section+paragraphs"
    assert [t.text for t in bulletin.tasks] == TOPICS[:3]


def test_two_all_caps_lines_are_not_a_task_list() -> None:
    body = (
        "Hội nghị đề nghị tập trung tuyên truyền các nội dung sau:\n"
        "TIN TỨC NỔI BẬT TRONG NGÀY\n"
        + "\n".join(TOPICS[:3])
        + "\nTIN TỨC KHÁC CỦA TỈNH\nBản tin được cập nhật hằng ngày."
    )
    assert parse_bulletin(doc(body)).method != "headings"


def test_a_list_of_talks_in_the_intro_loses_to_the_announced_task_list_of_the_same_length() -> None:
    body = (
        "Hội nghị đã nghe các báo cáo viên trình bày:\n1. Tình hình thế giới và khu vực.\n2. Kết quả kinh tế quý I.\n"
        f"Phát biểu kết luận, đồng chí Trưởng ban đề nghị:\nThứ nhất, {TOPICS[0]}\nThứ hai, {TOPICS[1]}"
    )
    bulletin = parse_bulletin(doc(body))
    assert [t.enumerator for t in bulletin.tasks] == ["Thứ nhất", "Thứ hai"]


# What each of tests/hostile_inputs.py's family texts parses to (their cost: benchmarks/parse.py).
HOSTILE_OUTCOMES: dict[str, hostile.Outcome] = {
    "outline groups": ("outline", ["1.1.", "1.2."]),
    "linking lead-ins": ParseErrorCode.NO_TASKS,
    "lead-ins with continuations": ("paragraphs", [""] * 12),
    "emoji of many kinds": ("bullet", ["🌀", "🌀"]),
    "caps headings": ParseErrorCode.NO_TASKS,
    "semicolons": ParseErrorCode.NO_TASKS,
    "directive sentences": ParseErrorCode.NO_TASKS,
    "bold lines": ParseErrorCode.NO_TASKS,
}


def test_every_hostile_family_text_has_an_expected_outcome() -> None:
    assert set(HOSTILE_OUTCOMES) == set(hostile.FAMILY_TEXTS)


@pytest.mark.parametrize("name", sorted(hostile.FAMILY_TEXTS))
def test_hostile_shapes_of_the_new_families_get_their_answer(name: str) -> None:
    assert hostile.outcome(lambda: parse_bulletin(hostile.FAMILY_TEXTS[name](1.0))) == HOSTILE_OUTCOMES[name]


def test_no_month_but_two_candidate_tasks_still_gets_a_split_with_low_confidence() -> None:
    text = "Tuyên truyền các nội dung\n" + "\n".join(TOPICS[:3]) + "\n"
    bulletin = parse_bulletin(text)
    assert len(bulletin.tasks) >= 2
    assert bulletin.month == ""
    assert bulletin.confidence < 0.6
    assert ParseWarningCode.MONTH_UNKNOWN in {w.code for w in bulletin.parse_warnings}
