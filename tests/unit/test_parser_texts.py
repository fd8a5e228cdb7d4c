"""What the parser says to people: every warning and refusal has a Vietnamese and an English text, the
preview's one warning line, looks_incomplete, and the CLI's refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain.parser import METHODS, looks_incomplete, parse_bulletin
from bot.domain.records import BulletinParseError, ParseErrorCode, ParseWarning, ParseWarningCode
from bot.texts import parsing

DATA = Path(__file__).resolve().parents[1] / "data"
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)

# ASCII values, so that the English half can be checked for Vietnamese words.
PARAMS: dict[str, str | int] = {
    "month": 3,
    "phrase": "6 items",
    "found": 5,
    "marker": "-",
    "method": "paragraphs",
    "task": 6,
    "tail": "and",
}


def body(html: str) -> tuple[str, str]:
    """(Vietnamese part, English part) of a 'Vietnamese · <i>English</i>' or '…\\n<i>English</i>' text."""
    vietnamese, _, english = html.partition("<i>")
    return vietnamese, english.removesuffix("</i>")


@pytest.mark.parametrize("code", list(ParseWarningCode))
def test_every_warning_has_both_languages(code: ParseWarningCode) -> None:
    text = parsing.warning_text(ParseWarning(code, "english", tuple(PARAMS.items())))
    vietnamese, english = body(text)
    assert _VIETNAMESE.search(vietnamese), text
    assert english and not _VIETNAMESE.search(english.replace("tháng", "")), text
    assert "?" not in text


@pytest.mark.parametrize("code", list(ParseErrorCode))
def test_every_refusal_says_what_was_found_and_how_to_fix_it(code: ParseErrorCode) -> None:
    exc = BulletinParseError(
        "reason", line=7, code=code, details=(("size", 3), ("limit", 2), ("lines", 9), ("enumerator", "Thứ hai"))
    )
    vietnamese, english = body(parsing.error_text(exc))
    assert vietnamese.startswith("❌ ") and _VIETNAMESE.search(vietnamese)
    assert english
    if code in {ParseErrorCode.ONE_TASK, ParseErrorCode.BROKEN_LIST}:
        assert "dòng 7" in vietnamese and "Thứ hai" in vietnamese
    if code in {ParseErrorCode.NO_TASKS, ParseErrorCode.NOT_A_BULLETIN}:
        assert "Hãy" in vietnamese  # how to fix it


def test_refusals_of_the_parser_name_the_line_and_the_enumerator() -> None:
    with pytest.raises(BulletinParseError) as info:
        parse_bulletin("Tiêu đề\nThứ hai, nội dung.\nThứ ba, nội dung.\n")
    text = parsing.error_text(info.value)
    assert "«Thứ hai»" in text and "dòng 2" in text


def test_every_method_has_a_label() -> None:
    assert set(parsing.METHOD_LABELS) == set(METHODS)
    assert parsing.method_label("section+arabic")[0].endswith("trong phần nhiệm vụ")


def doc(tasks: list[str], lead_count: str = "") -> str:
    return (
        "Hội nghị báo cáo viên tháng 10/2021\nThời gian: 15/10/2021 07:53\n"
        f"Ban Tuyên giáo Thành ủy Hải Phòng tổ chức hội nghị báo cáo viên, nêu {lead_count} nhiệm vụ sau:\n"
        + "\n".join(f"Thứ {w}, {t}" for w, t in zip(["nhất", "hai", "ba", "tư", "năm", "sáu"], tasks, strict=False))
    )


TASKS = [f"tuyên truyền nội dung số {n} đến cán bộ, đảng viên." for n in range(1, 7)]


def test_a_clean_split_has_no_preview_warning() -> None:
    bulletin = parse_bulletin(doc(TASKS, "6"))
    assert parsing.preview_warning(bulletin) is None
    assert not looks_incomplete(bulletin)


def test_a_stated_count_that_disagrees_withholds_send() -> None:
    bulletin = parse_bulletin(doc(TASKS[:5], "sáu"))
    assert looks_incomplete(bulletin)
    line = parsing.preview_warning(bulletin)
    assert line is not None and "«sáu nhiệm vụ»" in line and "5 nhiệm vụ" in line


def test_a_last_task_cut_mid_sentence_withholds_send() -> None:
    cut = [*TASKS[:4], "tuyên truyền nội dung số 5 đến cán bộ, đảng viên và"]
    bulletin = parse_bulletin(doc(cut))
    assert looks_incomplete(bulletin)
    assert ParseWarningCode.UNFINISHED_TASK in {w.code for w in bulletin.parse_warnings}
    assert bulletin.confidence <= 0.4
    line = parsing.preview_warning(bulletin)
    assert line is not None and "Nhiệm vụ 5 dừng giữa câu" in line


def test_a_low_confidence_split_says_how_it_was_made() -> None:
    text = (
        "Hội nghị báo cáo viên tháng 10/2021\nThời gian: 15/10/2021 07:53\n"
        "Ban Tuyên giáo Thành ủy tổ chức hội nghị, đề nghị tập trung tuyên truyền các nội dung sau:\n"
        + "\n".join(t.capitalize() for t in TASKS[:3])
    )
    bulletin = parse_bulletin(text)
    line = parsing.preview_warning(bulletin)
    assert line is not None and "Độ tin cậy thấp" in line and "đoạn văn" in line
    assert not looks_incomplete(bulletin)


def test_warning_lines_are_vietnamese_first() -> None:
    bulletin = parse_bulletin(doc(TASKS[:5], "sáu"))
    lines = parsing.warning_lines(bulletin)
    assert lines and all(" · <i>" in line for line in lines)


def test_the_cli_refuses_in_english_and_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Xin chào\nHôm nay trời đẹp quá.\n", encoding="utf-8")
    assert main(["parse", str(path)]) == 1
    err = capsys.readouterr().err
    assert "cannot split into tasks: no task list found" in err
    assert "không phải bản tin Hội nghị Báo cáo viên" in err


def test_the_cli_json_carries_method_and_confidence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "--json", str(DATA / "fam-paragraphs.txt")]) == 0
    out = capsys.readouterr().out
    assert '"method": "paragraphs"' in out and '"confidence": 0.45' in out and '"warnings": [' in out
