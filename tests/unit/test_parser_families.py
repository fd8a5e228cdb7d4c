"""Each enumeration family on its own: what starts a task, what never does, and what it gives back."""

from __future__ import annotations

import pytest

from bot.domain.parser.families import (
    ALL,
    BY_NAME,
    arabic,
    bullets,
    headings,
    keycaps,
    keyword,
    la,
    letters,
    outline,
    paren,
    roman,
    thu,
)
from bot.domain.parser.families.base import Hit
from bot.domain.parser.units import Unit, ffold


def unit(text: str, **flags: object) -> Unit:
    return Unit(1, text, ffold(text), **flags)  # type: ignore[arg-type]


def hit(match: object, text: str, **flags: object) -> Hit | None:
    assert callable(match)
    result = match(unit(text, **flags))
    assert result is None or isinstance(result, Hit)
    return result


def test_every_family_has_a_unique_name_and_a_sane_confidence() -> None:
    assert len(BY_NAME) == len(ALL)
    for family in ALL:
        assert 0 < family.confidence < 1


@pytest.mark.parametrize(
    ("text", "number", "enumerator", "rest"),
    [
        ("Thứ nhất, tuyên truyền A.", 1, "Thứ nhất", "tuyên truyền A."),
        ("Thứ hai: tuyên truyền B.", 2, "Thứ hai", "tuyên truyền B."),
        ("Thứ ba là, tuyên truyền C.", 3, "Thứ ba là", "tuyên truyền C."),
        ("Thứ tư là tuyên truyền D.", 4, "Thứ tư là", "tuyên truyền D."),
        ("THỨ NĂM, TUYÊN TRUYỀN E.", 5, "THỨ NĂM", "TUYÊN TRUYỀN E."),
        ("Thứ sáu - tuyên truyền F.", 6, "Thứ sáu", "tuyên truyền F."),
        ("Thứ mười một, tuyên truyền K.", 11, "Thứ mười một", "tuyên truyền K."),
        ("Thứ mười hai, tuyên truyền L.", 12, "Thứ mười hai", "tuyên truyền L."),
        ("Thứ mười, tuyên truyền J.", 10, "Thứ mười", "tuyên truyền J."),
    ],
)
def test_thu_nhat(text: str, number: int, enumerator: str, rest: str) -> None:
    assert hit(thu.match, text) == Hit(number, enumerator, rest)


@pytest.mark.parametrize(
    "text",
    [
        "Thứ Bảy, 12/10/2024 08:15",
        "Thứ Sáu, 15/10/2021",
        "Thứ hai - 04/07/2022 04:34 288 0",
        "Thứ hai, ngày 15/10/2021",
        "Thứ Năm, ngày 20 tháng 7 năm 2022",
        "Thứ Bảy, 12/10",
        "Thứ ba 22/10/2019",
        "Thứ trưởng Bộ Ngoại giao thông tin về tình hình thế giới.",
        "Thứ hạng của tỉnh được cải thiện.",
        "Kỳ họp thứ nhất, Quốc hội khóa XV đã thông qua nhiều luật.",
        "Trong đó, yêu cầu thứ hai là giữ vững ổn định.",
    ],
)
def test_thu_nhat_never_a_weekday_a_deputy_minister_or_mid_sentence(text: str) -> None:
    assert hit(thu.match, text) is None


@pytest.mark.parametrize(
    ("text", "number", "enumerator"),
    [
        ("Một là, tiếp tục tuyên truyền.", 1, "Một là"),
        ("Hai là tuyên truyền.", 2, "Hai là"),
        ("Bốn là: tuyên truyền.", 4, "Bốn là"),
        ("Tư là, tuyên truyền.", 4, "Tư là"),
        ("Mười hai là, tuyên truyền.", 12, "Mười hai là"),
    ],
)
def test_mot_la(text: str, number: int, enumerator: str) -> None:
    found = hit(la.match, text)
    assert found is not None and (found.number, found.enumerator) == (number, enumerator)
    assert found.rest == "tuyên truyền." or found.rest == "tiếp tục tuyên truyền."


def test_mot_la_needs_la_as_a_word() -> None:
    assert hit(la.match, "Hai lần tổ chức hội nghị.") is None
    assert hit(la.match, "Ba lá cờ.") is None


@pytest.mark.parametrize(
    ("text", "number", "enumerator", "group"),
    [
        ("1. Tuyên truyền A.", 1, "1.", "."),
        ("2) Tuyên truyền B.", 2, "2)", ")"),
        ("3/ Tuyên truyền C.", 3, "3/", "/"),
        ("12. Tuyên truyền L.", 12, "12.", "."),
        ("5.", 5, "5.", "."),
    ],
)
def test_arabic(text: str, number: int, enumerator: str, group: str) -> None:
    found = hit(arabic.match, text)
    assert found is not None and (found.number, found.enumerator, found.group) == (number, enumerator, group)


@pytest.mark.parametrize(
    "text", ["1.052 điểm cầu tham dự.", "1.1. Tuyên truyền.", "0. Không.", "123. Ba chữ số.", "2021. Năm"]
)
def test_arabic_is_not_a_decimal_a_sub_number_or_a_long_number(text: str) -> None:
    assert hit(arabic.match, text) is None


def test_outline_numbers_group_by_their_section() -> None:
    assert hit(outline.match, "1.2. Tuyên truyền B.") == Hit(2, "1.2.", "Tuyên truyền B.", "1")
    assert hit(outline.match, "2.1 Tuyên truyền C.") == Hit(1, "2.1", "Tuyên truyền C.", "2")
    assert hit(outline.match, "1.052 điểm cầu") is None


def test_paren_numbers_at_the_start_only() -> None:
    assert hit(paren.match, "(1) Đẩy mạnh tuyên truyền.") == Hit(1, "(1)", "Đẩy mạnh tuyên truyền.")
    assert hit(paren.match, "(12)Tuyên truyền.") == Hit(12, "(12)", "Tuyên truyền.")
    assert hit(paren.match, "Tuyên truyền (1) kinh tế, (2) xã hội.") is None
    assert hit(paren.match, "(a) nội dung") is None


@pytest.mark.parametrize(
    ("text", "number", "enumerator"),
    [("I. MỤC ĐÍCH", 1, "I."), ("IV. NHIỆM VỤ", 4, "IV."), ("IX) Chín", 9, "IX)"), ("XII. Mười hai", 12, "XII.")],
)
def test_roman(text: str, number: int, enumerator: str) -> None:
    found = hit(roman.match, text)
    assert found is not None and (found.number, found.enumerator) == (number, enumerator)


def test_lower_case_roman_is_its_own_list() -> None:
    assert hit(roman.match, "iii. Tuyên truyền.") == Hit(3, "iii.", "Tuyên truyền.", "i.")
    assert hit(roman.match, "III. Tuyên truyền.") == Hit(3, "III.", "Tuyên truyền.", "I.")


@pytest.mark.parametrize("text", ["IIII. Không", "Ivan. Tên", "I love", "VX. Sai", "xin chào", "vì vậy"])
def test_roman_only_real_numerals_with_a_separator(text: str) -> None:
    assert hit(roman.match, text) is None


def test_letters_follow_the_vietnamese_alphabet() -> None:
    order = [hit(letters.match, f"{ch}) Nội dung.") for ch in "abcdđeghik"]
    assert [h.number if h else None for h in order] == list(range(1, 11))
    assert hit(letters.match, "f) Không có trong bảng chữ cái tiếng Việt.") is None
    assert hit(letters.match, "w) Không.") is None
    assert hit(letters.match, "đ) Tuyên truyền.") == Hit(5, "đ)", "Tuyên truyền.", "a)")
    assert hit(letters.match, "a/ Tuyên truyền.") == Hit(1, "a/", "Tuyên truyền.", "a/")
    assert hit(letters.match, "B. Tuyên truyền.") == Hit(2, "B.", "Tuyên truyền.", "A.")
    assert hit(letters.match, "Anh Phong") is None


@pytest.mark.parametrize(
    ("text", "number", "enumerator"),
    [
        ("1️⃣ Tuyên truyền.", 1, "1️⃣"),
        ("2⃣ Tuyên truyền.", 2, "2⃣"),  # without U+FE0F
        ("3️⃣. Tuyên truyền.", 3, "3️⃣"),
        ("🔟 Tuyên truyền.", 10, "🔟"),
        ("1️⃣1️⃣ Tuyên truyền.", 11, "1️⃣1️⃣"),
        ("4️⃣Tuyên truyền.", 4, "4️⃣"),
    ],
)
def test_keycaps_with_and_without_the_variation_selector(text: str, number: int, enumerator: str) -> None:
    found = hit(keycaps.match, text)
    assert found is not None and (found.number, found.enumerator, found.rest) == (number, enumerator, "Tuyên truyền.")


def test_keycaps_need_the_keycap_mark() -> None:
    assert hit(keycaps.match, "1 Tuyên truyền") is None
    assert hit(keycaps.match, "0️⃣ Không") is None


@pytest.mark.parametrize(
    ("text", "number", "enumerator", "rest"),
    [
        ("Nội dung 1: Tuyên truyền A.", 1, "Nội dung 1", "Tuyên truyền A."),
        ("Nhiệm vụ 2. Về công tác B", 2, "Nhiệm vụ 2.", "Về công tác B"),
        ("Vấn đề thứ ba: tuyên truyền C.", 3, "Vấn đề thứ ba", "tuyên truyền C."),
        ("Nhóm nhiệm vụ 4 - tuyên truyền D.", 4, "Nhóm nhiệm vụ 4", "tuyên truyền D."),
        ("Nội dung số 5: tuyên truyền E.", 5, "Nội dung số 5", "tuyên truyền E."),
        ("NỘI DUNG 6: TUYÊN TRUYỀN F.", 6, "NỘI DUNG 6", "TUYÊN TRUYỀN F."),
    ],
)
def test_keyword_numbers(text: str, number: int, enumerator: str, rest: str) -> None:
    found = hit(keyword.match, text)
    assert found is not None and (found.number, found.enumerator, found.rest) == (number, enumerator, rest)


@pytest.mark.parametrize(
    "text",
    ["Nội dung tuyên truyền gồm nhiều vấn đề.", "Nhiệm vụ 2025 là rất lớn.", "Nhiệm vụ 1 năm qua"],
)
def test_keyword_needs_a_number_and_a_separator(text: str) -> None:
    assert hit(keyword.match, text) is None


@pytest.mark.parametrize(
    ("text", "enumerator", "group"),
    [
        ("- Tuyên truyền.", "-", "-"),
        ("– Tuyên truyền.", "–", "-"),
        ("+ Tuyên truyền.", "+", "+"),
        ("* Tuyên truyền.", "*", "*"),
    ],
)
def test_dash_bullets(text: str, enumerator: str, group: str) -> None:
    assert hit(bullets.match_dash, text) == Hit(0, enumerator, "Tuyên truyền.", group)
    assert hit(bullets.match_symbol, text) is None


@pytest.mark.parametrize("text", ["-5 độ C", "+84 912", "- ", "-"])
def test_a_sign_is_not_a_bullet(text: str) -> None:
    assert hit(bullets.match_dash, text) is None


@pytest.mark.parametrize(
    ("text", "enumerator", "group"),
    [
        ("🔹 Tuyên truyền.", "🔹", "🔹"),
        ("▪️ Tuyên truyền.", "▪️", "▪"),
        ("✅ Tuyên truyền.", "✅", "✅"),
        ("👉 Tuyên truyền.", "👉", "👉"),
        ("👉🏻 Tuyên truyền.", "👉🏻", "👉"),
        ("➡️ Tuyên truyền.", "➡️", "➡"),
        ("📌 Tuyên truyền.", "📌", "📌"),
        ("• Tuyên truyền.", "•", "•"),
        ("→ Tuyên truyền.", "→", "→"),
    ],
)
def test_symbol_and_emoji_bullets(text: str, enumerator: str, group: str) -> None:
    assert hit(bullets.match_symbol, text) == Hit(0, enumerator, "Tuyên truyền.", group)


@pytest.mark.parametrize("text", ["© Bản quyền", "1️⃣ Số", "Tuyên truyền", "🔹Liền chữ"])
def test_not_symbol_bullets(text: str) -> None:
    assert hit(bullets.match_symbol, text) is None


def test_headings_come_from_what_the_document_says() -> None:
    assert hit(headings.match, "Tuyên truyền kết quả Hội nghị Trung ương", bold=True) == Hit(
        0, "", "Tuyên truyền kết quả Hội nghị Trung ương"
    )
    assert hit(headings.match, "Kỷ niệm các ngày lễ lớn", heading=True) is not None
    assert hit(headings.match, "TUYÊN TRUYỀN KỶ NIỆM CÁC NGÀY LỄ LỚN") is not None
    assert hit(headings.match, "Tuyên truyền kết quả Hội nghị Trung ương") is None  # plain text, not caps
    assert hit(headings.match, "đề nghị tập trung tuyên truyền các nội dung sau:", bold=True) is None
    assert hit(headings.match, " ".join(["từ"] * 40), bold=True) is None
    assert hit(headings.match, "ĐỊA CHỈ: SỐ 1 ĐƯỜNG TRẦN PHÚ") is None


def test_a_label_from_the_document_is_read_like_text() -> None:
    labelled = unit("Tuyên truyền A.", label="3.")
    assert arabic.match(labelled) == Hit(3, "3.", "Tuyên truyền A.", ".")
    assert letters.match(unit("Tuyên truyền B.", label="đ)")) == Hit(5, "đ)", "Tuyên truyền B.", "a)")
    assert bullets.match_symbol(unit("Tuyên truyền C.", label="•")) == Hit(0, "•", "Tuyên truyền C.", "•")
