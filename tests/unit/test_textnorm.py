"""normalize_text: decoding, line ends, HTML to text, spaces and invisible characters, NFC;
and fold, which other code relies on being length-preserving."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.records import BulletinParseError
from bot.domain.textnorm import (
    exact_text,
    fold,
    fold_query,
    has_diacritics,
    has_html,
    html_to_text,
    normalize_text,
    word_key,
)

# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------


def test_bytes_are_decoded_as_utf8_and_the_bom_is_removed() -> None:
    raw = "\ufeffHội nghị Báo cáo viên".encode()
    assert normalize_text(raw) == "Hội nghị Báo cáo viên"


def test_a_bom_in_str_input_is_removed_too() -> None:
    assert normalize_text("\ufeffThứ nhất, a.") == "Thứ nhất, a."


@pytest.mark.parametrize(
    "raw",
    [
        "Hội nghị".encode("utf-16"),
        "Báo cáo viên".encode("cp1258"),
        b"\xff\xfe\x00garbage\x80\x81",
    ],
)
def test_non_utf8_bytes_are_rejected_not_guessed(raw: bytes) -> None:
    with pytest.raises(BulletinParseError) as info:
        normalize_text(raw)
    assert info.value.reason == "not UTF-8 text"


def test_bytearray_is_accepted() -> None:
    assert normalize_text(bytearray("Đảng".encode())) == "Đảng"


# ---------------------------------------------------------------------------------------------
# Line ends, spaces, invisible characters, NFC
# ---------------------------------------------------------------------------------------------


def test_crlf_and_cr_become_lf() -> None:
    assert normalize_text("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_blank_lines_are_kept_so_plain_text_line_numbers_match_the_input() -> None:
    assert normalize_text("a\r\n\r\n  b  \r\n") == "a\n\nb\n"


def test_nbsp_narrow_nbsp_and_tabs_become_single_spaces_and_lines_are_stripped() -> None:
    assert normalize_text("\tThứ\u00a0hai,\u202f\u202ftuyên \t truyền  ") == "Thứ hai, tuyên truyền"


@pytest.mark.parametrize("zw", ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060"])
def test_zero_width_characters_are_removed(zw: str) -> None:
    assert normalize_text(f"Ban Chấp{zw} hành Trung{zw}ương") == "Ban Chấp hành Trungương"


def test_unicode_line_separators_break_lines() -> None:
    assert normalize_text("a\u2028b\u2029c") == "a\nb\nc"


def test_nfd_input_is_composed_to_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Hội nghị Báo cáo viên tháng Mười")
    assert nfd != "Hội nghị Báo cáo viên tháng Mười"
    assert normalize_text(nfd) == "Hội nghị Báo cáo viên tháng Mười"
    assert normalize_text(nfd.encode()) == "Hội nghị Báo cáo viên tháng Mười"


def test_icelandic_eth_is_kept_as_written() -> None:
    # The examples spell "Ðảng" with U+00D0; normalisation keeps it and fold() reads it as "dang".
    assert normalize_text("Ðảng và Đảng") == "Ðảng và Đảng"
    assert fold(normalize_text("Ðảng và Đảng")) == "dang va dang"


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def test_br_and_closing_block_tags_become_line_breaks() -> None:
    html = "<h1>Tiêu đề</h1><p>Đoạn một<br />đoạn hai</p><div>Ba</div><ul><li>x</li><li>y</li></ul>"
    lines = [line for line in normalize_text(html).split("\n") if line]
    assert lines == ["Tiêu đề", "Đoạn một", "đoạn hai", "Ba", "x", "y"]


def test_inline_tags_are_dropped_without_breaking_the_line() -> None:
    html = "<p><strong>Thứ nhất</strong>, <em>tuyên</em> <a href='/x'>truyền</a>.</p>"
    assert normalize_text(html).strip() == "Thứ nhất, tuyên truyền."


def test_entities_are_decoded_and_nbsp_entity_becomes_a_space() -> None:
    html = "<p>Tuy&ecirc;n truy&#7873;n&nbsp;&nbsp;mi&#x1EC7;ng &amp; b&aacute;o</p>"
    assert normalize_text(html).strip() == "Tuyên truyền miệng & báo"


def test_escaped_markup_stays_literal_text() -> None:
    assert normalize_text("<p>&lt;p&gt; là thẻ</p>").strip() == "<p> là thẻ"


def test_comments_scripts_and_styles_are_removed() -> None:
    html = (
        "<!-- saved from url=(0071)https://example.gov.vn --><p>Giữ</p>"
        "<script type='text/javascript'>var a = '<p>bỏ</p>';</script>"
        "<STYLE>p { color: red }</STYLE><p>cả dòng này</p><!-- unterminated"
    )
    lines = [line for line in normalize_text(html).split("\n") if line]
    assert lines == ["Giữ", "cả dòng này"]


def test_entities_are_left_alone_when_there_is_no_markup() -> None:
    assert normalize_text("Ban TG&DV Trung ương &amp; a < b") == "Ban TG&DV Trung ương &amp; a < b"


def test_has_html() -> None:
    assert has_html("<p>x</p>")
    assert has_html("x <br/> y")
    assert has_html("<!-- c -->")
    assert not has_html("a < b and c > d")
    assert not has_html("1 <2")


def test_html_to_text_keeps_table_cells_apart() -> None:
    assert html_to_text("<tr><td>a</td><td>b</td></tr>").split() == ["a", "b"]


# ---------------------------------------------------------------------------------------------
# Hostile input stays linear
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<a" * 200_000, "<a" * 200_000),  # never a complete tag
        ("<!--" * 100_000, ""),  # an unterminated comment hides the rest
        ("<script>" * 50_000, ""),  # an unterminated script block is code to the end
        ("<p " + "x" * 400_000, "<p " + "x" * 400_000),
        (" " * 400_000 + "x", "x"),
        ("&" * 400_000 + "<p>", "&" * 400_000 + "\n"),
        ("\u0301" * 400_000, "\u0301" * 400_000),
    ],
)
def test_hostile_markup_is_normalised_correctly(text: str, expected: str) -> None:
    # Inputs shaped to make a backtracking or rescanning implementation quadratic (hours at this size);
    # every pattern is one character class with one quantifier, so each finishes in linear time.
    assert normalize_text(text) == expected


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

_plain_text = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="<&"), max_size=300)


@settings(max_examples=300)
@given(_plain_text)
def test_normalisation_is_idempotent_on_text_without_markup(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_normalised_text_has_no_cr_nbsp_tabs_zero_width_or_double_spaces(text: str) -> None:
    out = normalize_text(text)
    for bad in ("\r", "\u00a0", "\u202f", "\t", "\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "  "):
        assert bad not in out
    assert unicodedata.is_normalized("NFC", out)
    assert all(line == line.strip() for line in out.split("\n"))


@settings(max_examples=200)
@given(st.binary(max_size=200))
def test_bytes_either_decode_or_raise_bulletin_parse_error(raw: bytes) -> None:
    try:
        out = normalize_text(raw)
    except BulletinParseError as exc:
        assert exc.reason == "not UTF-8 text"
    else:
        assert isinstance(out, str)


# ---------------------------------------------------------------------------------------------
# fold (unchanged behaviour)
# ---------------------------------------------------------------------------------------------


def test_fold_strips_diacritics_and_maps_all_d_forms() -> None:
    assert fold("Hội nghị Báo cáo viên Đảng ủy Ðảng") == "hoi nghi bao cao vien dang uy dang"


@settings(max_examples=300)
@given(st.text(max_size=100))
def test_fold_preserves_the_length_of_nfc_text(text: str) -> None:
    assert len(fold(text)) == len(unicodedata.normalize("NFC", text))


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Đảng", "dang"),
        ("ddang", "dang"),  # Telex: "dd" is typed for đ
        ("DDảng ủy", "dang uy"),
        ("tham nhũng", "tham nhung"),
        ("add", "add"),  # "dd" inside a word is left alone
        ("dd", "dd"),  # and so is a bare "dd" (no letter after it)
    ],
)
def test_fold_query_reads_telex_dd_as_d(typed: str, folded: str) -> None:
    assert fold_query(typed) == folded


def test_fold_query_agrees_with_fold_on_text_without_telex() -> None:
    text = "Hội nghị Báo cáo viên: phòng, chống tham nhũng, tiêu cực"
    assert fold_query(text) == fold(text)


# ---------------------------------------------------------------------------------------------
# Exact word keys
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ủy", "uỷ"),  # old and new tone placement
        ("hòa", "hoà"),
        ("khóa", "khoá"),
        ("Thủy", "Thuỷ"),
        ("Đảng", "Ðảng"),  # U+0110 and the Icelandic U+00D0
        ("ĐẢNG", "đảng"),
        ("Tỉnh", "TỈNH"),
    ],
)
def test_word_key_treats_spellings_of_one_word_alike(a: str, b: str) -> None:
    assert word_key(a) == word_key(b)
    assert word_key(unicodedata.normalize("NFD", a)) == word_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("nhũng", "những"),  # different quality mark
        ("thăm", "tham"),
        ("này", "nay"),  # tone against none
        ("đối", "đổi"),  # different tones
        ("đổi", "dổi"),  # đ is a letter of its own
        ("số", "sô"),
    ],
)
def test_word_key_keeps_words_apart(a: str, b: str) -> None:
    assert word_key(a) != word_key(b)
    assert fold(a) == fold(b)  # folding alone could not tell them apart


def test_exact_text_is_the_words_keys() -> None:
    assert exact_text("Phòng, chống THAM NHŨNG; Tỉnh uỷ Hà Giang") == "phòng chống tham nhũng tỉnh ủy hà giang"
    assert exact_text("") == ""
    assert exact_text("57-NQ/TW") == "57 nq tw"


def test_has_diacritics() -> None:
    assert has_diacritics("tham nhũng") and has_diacritics("đang") and has_diacritics("Ðảng")
    assert not has_diacritics("tham nhung") and not has_diacritics("Covid-19") and not has_diacritics("")


_VIETNAMESE_LETTERS = (
    "".join(
        unicodedata.normalize("NFC", v + t)
        for v in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
        for t in ("", *"\u0301\u0300\u0309\u0303\u0323")
    )
    + "bcdđghklmnpqrstvxĐÐBCDGHKLMNPQRSTVX"
)


@given(st.text(max_size=40))
def test_word_key_is_total_and_idempotent(word: str) -> None:
    assert word_key(word_key(word)) == word_key(word)


@given(st.text(alphabet=_VIETNAMESE_LETTERS, min_size=1, max_size=8))
def test_word_key_of_vietnamese_letters_folds_like_the_word_and_ignores_case(word: str) -> None:
    key = word_key(word)
    assert fold(key) == fold(word)
    assert word_key(word.upper()) == key == word_key(word.lower())
