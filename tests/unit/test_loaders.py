"""The document loaders (bot.ingest): each format on its fixture, each refusal, and hostile input.

Fixtures are in tests/data/documents (built by scripts/make_test_documents.py; README there says which
example each carries). "No text lost" is checked against the example text itself.
"""

from __future__ import annotations

import importlib.util
import io
import unicodedata
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.blocks import Block, BlockKind, Document
from bot.domain.textnorm import normalize_text
from bot.ingest import MAX_BYTES, Reason, UnsupportedDocument, load, load_text
from bot.ingest.plaintext import decode_bytes, vietnamese_score
from bot.texts import ingest as texts

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
DOCS = DATA / "documents"
THU = ("Thứ nhất, ", "Thứ hai, ", "Thứ ba, ", "Thứ tư, ", "Thứ năm, ", "Thứ sáu, ")


def example_lines(name: str) -> list[str]:
    return [line for line in normalize_text((DATA / name).read_bytes()).split("\n") if line]


def fixture(name: str) -> bytes:
    return (DOCS / name).read_bytes()


def refused(data: bytes, **kwargs: object) -> UnsupportedDocument:
    with pytest.raises(UnsupportedDocument) as caught:
        load(data, **kwargs)  # type: ignore[arg-type]
    return caught.value


def texts_of(doc: Document, *kinds: BlockKind) -> list[str]:
    return [b.text for b in doc.blocks if not kinds or b.kind in kinds]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_test_documents", ROOT / "scripts" / "make_test_documents.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_clean(doc: Document) -> None:
    """What every loader promises about a block's text."""
    assert doc.blocks
    for block in doc.blocks:
        assert block.text and block.text == block.text.strip()
        assert "\n" not in block.text and "  " not in block.text
        assert unicodedata.is_normalized("NFC", block.text)


# --------------------------------------------------------------------------------------------------
# Text files and pasted text
# --------------------------------------------------------------------------------------------------


def test_utf8_text_is_one_block_per_line_and_reports_no_encoding() -> None:
    doc = load((DATA / "case01.txt").read_bytes(), filename="case01.txt")
    assert doc.source_format == "text" and doc.encoding is None
    assert texts_of(doc) == example_lines("case01.txt")
    assert all(b.kind is BlockKind.PARAGRAPH and not b.label for b in doc.blocks)
    assert_clean(doc)


def test_utf8_bom_and_crlf() -> None:
    raw = b"\xef\xbb\xbf" + "Dòng một\r\nDòng hai\r\n\r\n".encode()
    doc = load(raw, filename="x.txt")
    assert texts_of(doc) == ["Dòng một", "Dòng hai"] and doc.encoding is None


def test_windows_1258_is_detected_and_nfc_normalised() -> None:
    data = fixture("case02-windows-1258.txt")
    assert b"\xd2" in data or b"\xf2" in data  # the file really spells tones as combining marks
    doc = load(data, filename="case02.txt")
    assert doc.encoding == "windows-1258"
    assert texts_of(doc) == example_lines("case02.txt")
    assert_clean(doc)


def test_windows_1252_is_not_mistaken_for_1258() -> None:
    data = fixture("case03-windows-1252.txt")
    doc = load(data, filename="case03.txt")
    assert doc.encoding == "windows-1252"
    expected = [line for line in normalize_text(data.decode("cp1252")).split("\n") if line]
    assert texts_of(doc) == expected
    assert any("ì" in line or "ò" in line for line in expected)  # bytes that Windows-1258 reads as tones


def test_utf16_with_bom() -> None:
    doc = load(fixture("case04-utf-16.txt"), filename="case04.txt")
    assert doc.encoding == "utf-16"
    assert texts_of(doc) == example_lines("case04.txt")


def test_utf16_without_bom() -> None:
    text = "Hội nghị Báo cáo viên tháng 11/2021\nThứ nhất, tuyên truyền.\n"
    doc = load(text.encode("utf-16-le"), filename="x.txt")
    assert doc.encoding == "utf-16le" and texts_of(doc) == text.strip().split("\n")


@pytest.mark.parametrize(
    "sentence",
    [
        "Hội nghị Báo cáo viên tháng 11/2021",
        "Thứ nhất, tuyên truyền đậm nét kết quả Kỳ họp thứ 2, Quốc hội khóa XV.",
        "Đảng ủy Khối các cơ quan Trung ương",
        "Người lao động được hỗ trợ",
    ],
)
def test_short_windows_1258_lines_are_detected(sentence: str) -> None:
    data = generator().to_cp1258(sentence)
    text, encoding = decode_bytes(data)
    assert encoding == "windows-1258" and unicodedata.normalize("NFC", text) == sentence


@pytest.mark.parametrize(
    "sentence",
    ["Café “São Paulo” – naïve façade…", "Hòa bình và thì giò", "Ông già Noël à Zürich"],
)
def test_short_windows_1252_lines_are_detected(sentence: str) -> None:
    text, encoding = decode_bytes(sentence.encode("cp1252"))
    assert encoding == "windows-1252" and text == sentence


def test_vietnamese_score_prefers_well_formed_syllables() -> None:
    good = "Việt Nam tăng cường đối ngoại"
    assert vietnamese_score(good) > 0
    assert vietnamese_score("Viêòt Nam tãng cýõÌng") < 0


def test_declared_charset_is_used_and_a_wrong_western_one_is_checked() -> None:
    vi = "Tuyên truyền Nghị quyết"
    assert decode_bytes(vi.encode("utf-16-be"), declared="utf-16-be") == (vi, "utf-16be")
    cp1258 = generator().to_cp1258(vi)
    text, encoding = decode_bytes(cp1258, declared="iso-8859-1")
    assert encoding == "windows-1258" and unicodedata.normalize("NFC", text) == vi


def test_pasted_text_is_one_block_per_non_empty_line() -> None:
    doc = load_text("  Tiêu đề \u00a0 bài\n\n\u200bThứ nhất,\ttuyên truyền\r\n")
    assert texts_of(doc) == ["Tiêu đề bài", "Thứ nhất, tuyên truyền"]
    assert doc.source_format == "text"


def test_pasted_html_fragment_is_read_as_html() -> None:
    doc = load_text("<p>Mở đầu:</p><ol><li>Một việc</li><li>Hai việc</li></ol>")
    assert [(b.label, b.text) for b in doc.blocks] == [("", "Mở đầu:"), ("1.", "Một việc"), ("2.", "Hai việc")]
    assert doc.source_format == "html"


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------


def _case01_tasks() -> list[str]:
    lines = example_lines("case01.txt")
    out = []
    for line in lines:
        for prefix in THU:
            if line.startswith(prefix):
                rest = line[len(prefix) :]
                out.append(rest[:1].upper() + rest[1:])
    return out


def test_saved_portal_page_keeps_the_article_and_drops_the_chrome() -> None:
    data = fixture("portal-case01.html")
    assert 100_000 <= len(data) <= 300_000
    doc = load(data, filename="hoi-nghi.html")
    assert_clean(doc)
    assert doc.source_format == "html"
    assert doc.title and doc.title.startswith("Hội nghị Báo cáo viên Trung ương tháng 11/2021")
    assert doc.published == "2021-11-19"
    assert doc.url and doc.url.endswith("hoi-nghi-bao-cao-vien-trung-uong-thang-11-2021.html")
    lines = example_lines("case01.txt")
    first = doc.blocks[0]
    assert first.kind is BlockKind.HEADING and first.heading_level == 1 and first.text == lines[0]
    assert doc.blocks[1].text.startswith("Thời gian: 19/11/2021 08:15")  # the date line under the title
    # The six tasks as list items, numbered by the two <ol>s (the second has start="4").
    items = [b for b in doc.blocks if b.kind is BlockKind.LIST_ITEM and b.label]
    assert [b.label for b in items] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert [b.text for b in items] == _case01_tasks()
    continuation = next(b for b in doc.blocks if b.text.startswith("Trong đó, cần làm nổi bật"))
    assert continuation.kind is BlockKind.LIST_ITEM and continuation.label == ""
    lead = next(b for b in doc.blocks if b.text.startswith("Sáng 17/11/2021"))
    assert lead.bold
    assert doc.blocks[-1].text == "Minh Châu"
    text = doc.text
    for chrome in (
        "Tin mới", "Đọc nhiều", "Các tin khác", "Tin liên quan", "Bình luận", "Nguyễn Văn Bình", "Gửi bình luận",
        "Trang chủ", "Đăng nhập", "Trung ương tháng 10/2021", "tháng 12/2021: năm nội dung", "function", "margin:",
        "Lượt truy cập",
        "Cơ quan thường trực", "Ghi rõ nguồn", "Từ khóa", "Quang cảnh hội nghị",
    ):  # fmt: skip
        assert chrome not in text, chrome


def test_html_fragment_in_a_text_file_loses_no_line() -> None:
    """case07 is raw HTML in a .txt (BOM, CRLF, entities, <br> between tasks): every line the old text
    normalisation produced is a block, in order; <strong>Thứ nhất</strong>, … is not a bold paragraph."""
    data = (DATA / "case07.txt").read_bytes()
    doc = load(data, filename="case07.txt")
    assert doc.source_format == "html"
    assert texts_of(doc) == example_lines("case07.txt")
    first = next(b for b in doc.blocks if b.text.startswith("Thứ nhất"))
    assert not first.bold
    byline = next(b for b in doc.blocks if b.text == "Hải Yến")
    assert byline.bold


def test_html_lists_honour_start_type_value_reversed_and_nesting() -> None:
    markup = """<div>
    <ol start="3" type="a"><li>c-item</li><li>d-item</li></ol>
    <ol type="I"><li>one</li><li value="7">seven</li><li>eight</li></ol>
    <ol reversed><li>three</li><li>two</li><li>one</li></ol>
    <ol style="list-style-type: decimal-leading-zero"><li>zero-one</li></ol>
    <ol><li>outer<ul><li>inner bullet</li></ul><ol type="i"><li>roman</li></ol></li><li>outer two</li></ol>
    <ul style="list-style: none"><li>plain</li></ul>
    </div>"""
    doc = load_text(markup)
    got = [(b.label, b.text, b.level) for b in doc.blocks]
    assert got == [
        ("c.", "c-item", 0), ("d.", "d-item", 0),
        ("I.", "one", 0), ("VII.", "seven", 0), ("VIII.", "eight", 0),
        ("3.", "three", 0), ("2.", "two", 0), ("1.", "one", 0),
        ("01.", "zero-one", 0),
        ("1.", "outer", 0), ("•", "inner bullet", 1), ("i.", "roman", 1), ("2.", "outer two", 0),
        ("", "plain", 0),
    ]  # fmt: skip
    assert len({b.list_id for b in doc.blocks}) == 8


def test_html_headings_bold_cells_breaks_and_hidden_text() -> None:
    markup = (
        "<h2>Định hướng</h2><p><strong>I. MỤC ĐÍCH</strong></p><p><b>Thứ nhất</b>, tuyên truyền</p>"
        "<p><span style='font-weight:700'>Đậm</span> <b>cả câu</b></p>"
        "<table><tr><td>Ô <b>một</b></td><td><p>Ô hai</p></td></tr></table>"
        "<p>Dòng một<br>Dòng hai<br/><br/>Dòng ba</p><p style='display:none'>ẩn</p><p hidden>ẩn</p>"
        "<script>var x = 1;</script><style>p{}</style><p>Cuối&nbsp;cùng &amp; hết</p>"
    )
    doc = load_text(markup)
    got = [(b.kind.value, b.text, b.bold, b.heading_level) for b in doc.blocks]
    assert got == [
        ("heading", "Định hướng", False, 2),
        ("paragraph", "I. MỤC ĐÍCH", True, 0),
        ("paragraph", "Thứ nhất, tuyên truyền", False, 0),
        ("paragraph", "Đậm cả câu", True, 0),
        ("table_cell", "Ô một", False, 0),
        ("table_cell", "Ô hai", False, 0),
        ("paragraph", "Dòng một", False, 0),
        ("paragraph", "Dòng hai", False, 0),
        ("paragraph", "Dòng ba", False, 0),
        ("paragraph", "Cuối cùng & hết", False, 0),
    ]


def test_html_charset_from_meta_and_from_content_type() -> None:
    text = "Hội nghị Báo cáo viên tháng 11/2021"
    body = generator().to_cp1258(text)
    page = b'<html><head><meta charset="windows-1258"><title>T</title></head><body><p>' + body + b"</p></body></html>"
    doc = load(page, filename="a.html")
    assert doc.encoding == "windows-1258" and text in doc.text
    doc = load(b"<html><body><p>" + body + b"</p></body></html>", content_type="text/html; charset=windows-1258")
    assert doc.encoding == "windows-1258" and text in doc.text


def test_a_short_page_without_an_article_keeps_its_text() -> None:
    page = "<html><head><title>Bản tin</title></head><body><p>Thứ nhất, a.</p><p>Thứ hai, b.</p></body></html>"
    doc = load(page.encode(), filename="x.html")
    assert texts_of(doc) == ["Thứ nhất, a.", "Thứ hai, b."] and doc.title == "Bản tin"


def test_a_doc_that_is_really_html_is_read() -> None:
    doc = load(b"<html><body><p>Word saved me as a web page</p></body></html>", filename="old.doc")
    assert texts_of(doc) == ["Word saved me as a web page"]


# --------------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------------


def test_official_docx_automatic_numbering_tables_and_closing() -> None:
    doc = load(fixture("notice-fam-roman-sections.docx"), filename="thong-bao.docx")
    assert_clean(doc)
    assert doc.source_format == "docx"
    assert doc.title == "Thông báo kết quả Hội nghị báo cáo viên tháng 6 năm 2023" and doc.published is None
    numbered = [(b.label, b.level) for b in doc.blocks if b.kind is BlockKind.LIST_ITEM]
    assert numbered == [
        ("I.", 0), ("1.", 1), ("2.", 1), ("3.", 1),
        ("II.", 0), ("1.", 1), ("2.", 1), ("3.", 1), ("4.", 1), ("5.", 1),
        ("III.", 0), ("1.", 1), ("2.", 1),
    ]  # fmt: skip
    # The numbers are Word's, not the text's; the text is the example's line without its enumerator.
    lines = example_lines("fam-roman-sections.txt")
    start, end = lines.index("-----") + 1, lines.index("Nơi nhận:")
    expected = [
        line.split(" ", 1)[1] if line[:1] in "123456789IV" and ". " in line[:5] else line for line in lines[start:end]
    ]
    body = [b.text for b in doc.blocks if b.kind in {BlockKind.LIST_ITEM, BlockKind.PARAGRAPH}]
    assert body[body.index(expected[0]) :] == expected
    sections = [b for b in doc.blocks if b.label in {"I.", "II.", "III."}]
    assert all(b.bold for b in sections) and sections[0].text == "KẾT QUẢ CÔNG TÁC TUYÊN TRUYỀN MIỆNG THÁNG 5 NĂM 2023"
    cells = texts_of(doc, BlockKind.TABLE_CELL)
    assert cells[:2] == ["ĐẢNG ỦY KHỐI DOANH NGHIỆP TRUNG ƯƠNG", "BAN TUYÊN GIÁO"]
    assert "Hà Nội, ngày 5 tháng 6 năm 2023" in cells
    furniture = texts_of(doc, BlockKind.FURNITURE)
    assert furniture[0] == "Nơi nhận:" and furniture[-1] == "Nguyễn Văn Hùng" and "K/T TRƯỞNG BAN" in furniture
    assert all(
        b.kind is BlockKind.FURNITURE
        for b in doc.blocks[doc.blocks.index(next(b for b in doc.blocks if b.text == "Nơi nhận:")) :]
    )
    assert "Trang" not in doc.text and "Đảng ủy Khối Doanh nghiệp Trung ương – Ban Tuyên giáo" not in doc.text


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(body: str, numbering: str = "", styles: str = "") -> bytes:
    """A .docx from WordprocessingML snippets (w: prefix bound), built with python-docx."""
    import docx
    from docx.oxml import parse_xml

    word = docx.Document()
    root = word.element.body
    sect = root.find(f"{{{W_NS}}}sectPr")
    for child in list(root):
        if child is not sect:
            root.remove(child)
    wrapper = parse_xml(f'<w:body xmlns:w="{W_NS}">{body}</w:body>')
    for child in list(wrapper):
        sect.addprevious(child)
    if numbering:
        word.part.numbering_part._element = parse_xml(f'<w:numbering xmlns:w="{W_NS}">{numbering}</w:numbering>')
    if styles:
        for style in parse_xml(f'<w:styles xmlns:w="{W_NS}">{styles}</w:styles>'):
            word.styles.element.append(style)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def p(text: str, num: tuple[int, int] | None = None, style: str | None = None, runs: str | None = None) -> str:
    ppr = ""
    if style or num:
        ppr = "<w:pPr>"
        if style:
            ppr += f'<w:pStyle w:val="{style}"/>'
        if num:
            ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
        ppr += "</w:pPr>"
    content = runs if runs is not None else f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'
    return f"<w:p>{ppr}{content}</w:p>"


def lvl(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>'
    )


def labels(doc: Document) -> list[tuple[str, str, int]]:
    return [(b.label, b.text, b.level) for b in doc.blocks]


def test_docx_letters_bullets_zero_padding_and_nested_levels() -> None:
    numbering = (
        '<w:abstractNum w:abstractNumId="1">'
        + lvl(0, "lowerLetter", "%1)")
        + lvl(1, "bullet", "\uf0b7")
        + lvl(2, "decimalZero", "%3.")
        + "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="2">'
        + lvl(0, "decimal", "%1.")
        + lvl(1, "decimal", "%1.%2.")
        + "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="3">' + lvl(0, "bullet", "-") + "</w:abstractNum>"
        '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="2"/></w:num>'
        '<w:num w:numId="3"><w:abstractNumId w:val="3"/></w:num>'
    )
    body = (
        p("a-one", (1, 0)) + p("bullet", (1, 1)) + p("zero", (1, 2)) + p("zero-two", (1, 2))
        + p("b-two", (1, 0)) + p("zero-again", (1, 2))
        + p("d1", (2, 0)) + p("d1.1", (2, 1)) + p("d1.2", (2, 1)) + p("d2", (2, 0)) + p("d2.1", (2, 1))
        + p("dash", (3, 0)) + p("not numbered", (0, 0))
    )  # fmt: skip
    doc = load(make_docx(body, numbering), filename="x.docx")
    assert labels(doc) == [
        ("a)", "a-one", 0), ("•", "bullet", 1), ("01.", "zero", 2), ("02.", "zero-two", 2),
        ("b)", "b-two", 0), ("01.", "zero-again", 2),
        ("1.", "d1", 0), ("1.1.", "d1.1", 1), ("1.2.", "d1.2", 1), ("2.", "d2", 0), ("2.1.", "d2.1", 1),
        ("-", "dash", 0), ("", "not numbered", 0),
    ]  # fmt: skip
    assert doc.blocks[-1].kind is BlockKind.PARAGRAPH


def test_docx_restart_override_shared_abstract_roman_start_and_legal() -> None:
    numbering = (
        '<w:abstractNum w:abstractNumId="1">' + lvl(0, "decimal", "%1.") + "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="2">' + lvl(0, "upperRoman", "%1.", start=4) + "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="3">' + lvl(0, "upperRoman", "%1.")
        + lvl(1, "decimal", "%1.%2.", extra="<w:isLgl/>") + "</w:abstractNum>"
        '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'  # same list, continues
        '<w:num w:numId="3"><w:abstractNumId w:val="1"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'  # "Restart numbering"
        '<w:num w:numId="4"><w:abstractNumId w:val="2"/></w:num>'
        '<w:num w:numId="5"><w:abstractNumId w:val="3"/></w:num>'
    )  # fmt: skip
    body = (
        p("one", (1, 0)) + p("two", (1, 0)) + p("plain") + p("three", (2, 0))
        + p("restarted", (3, 0)) + p("again two", (3, 0))
        + p("four", (4, 0)) + p("five", (4, 0))
        + p("roman", (5, 0)) + p("legal", (5, 1))
    )  # fmt: skip
    doc = load(make_docx(body, numbering), filename="x.docx")
    assert [(b.label, b.text) for b in doc.blocks] == [
        ("1.", "one"), ("2.", "two"), ("", "plain"), ("3.", "three"),
        ("1.", "restarted"), ("2.", "again two"),
        ("IV.", "four"), ("V.", "five"),
        ("I.", "roman"), ("1.1.", "legal"),
    ]  # fmt: skip
    ids = [b.list_id for b in doc.blocks if b.label]
    assert ids[0] == ids[1] == ids[2] != ids[3] == ids[4]


def test_docx_numbering_and_headings_from_styles() -> None:
    numbering = (
        '<w:abstractNum w:abstractNumId="7">'
        + lvl(0, "decimal", "Nhiệm vụ %1.", extra='<w:pStyle w:val="TaskStyle"/>')
        + "</w:abstractNum>"
        '<w:num w:numId="9"><w:abstractNumId w:val="7"/></w:num>'
    )
    styles = (
        '<w:style w:type="paragraph" w:styleId="TaskBase"><w:name w:val="Task base"/>'
        '<w:pPr><w:numPr><w:numId w:val="9"/></w:numPr></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="TaskStyle"><w:name w:val="Task"/><w:basedOn w:val="TaskBase"/>'
        "<w:rPr><w:b/></w:rPr></w:style>"
    )
    body = (
        p("Định hướng", style="Heading2")
        + p("Tuyên truyền A", style="TaskStyle")
        + p("Tuyên truyền B", style="TaskStyle")
    )
    doc = load(make_docx(body, numbering, styles), filename="x.docx")
    heading, first, second = doc.blocks
    assert heading.kind is BlockKind.HEADING and heading.heading_level == 2
    assert (first.label, first.bold, first.kind) == ("Nhiệm vụ 1.", True, BlockKind.LIST_ITEM)
    assert second.label == "Nhiệm vụ 2."


def test_docx_runs_breaks_hidden_deleted_inserted_and_hyperlinked_text() -> None:
    r = '<w:r><w:t xml:space="preserve">{}</w:t></w:r>'
    runs = (
        r.format("Thứ")
        + r.format(" nhất, ")
        + '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">đậm </w:t></w:r>'
        + "<w:r><w:rPr><w:vanish/></w:rPr><w:t>ẨN</w:t></w:r>"
        + '<w:del w:id="1" w:author="a"><w:r><w:delText>ĐÃ XÓA</w:delText></w:r></w:del>'
        + '<w:ins w:id="2" w:author="a"><w:r><w:t xml:space="preserve">thêm </w:t></w:r></w:ins>'
        + '<w:hyperlink w:anchor="x"><w:r><w:t>liên kết</w:t></w:r></w:hyperlink>'
        + "<w:r><w:br/><w:t>dòng sau</w:t><w:tab/><w:t>tab</w:t></w:r>"
    )
    bold_runs = "<w:r><w:rPr><w:b/></w:rPr><w:t>Cả </w:t></w:r>" + (
        '<w:r><w:rPr><w:b w:val="1"/><w:caps/></w:rPr><w:t>câu</w:t></w:r>'
    )
    not_bold = '<w:r><w:rPr><w:b/></w:rPr><w:t>Nửa </w:t></w:r><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>câu</w:t></w:r>'
    body = p("", runs=runs) + p("", runs=bold_runs) + p("", runs=not_bold) + p("", runs="<w:r><w:t>  </w:t></w:r>")
    doc = load(make_docx(body), filename="x.docx")
    assert [(b.text, b.bold) for b in doc.blocks] == [
        ("Thứ nhất, đậm thêm liên kết", False),
        ("dòng sau tab", False),
        ("Cả CÂU", True),
        ("Nửa câu", False),
    ]


def test_docx_nested_tables_and_content_controls_in_document_order() -> None:
    cell = "<w:tc>{}</w:tc>"
    inner = "<w:tbl><w:tr>" + cell.format(p("inner")) + "</w:tr></w:tbl>"
    table = "<w:tbl><w:tr>" + cell.format(p("a") + inner + p("b")) + cell.format(p("c")) + "</w:tr></w:tbl>"
    sdt = "<w:sdt><w:sdtContent>" + p("in control") + "</w:sdtContent></w:sdt>"
    doc = load(make_docx(p("before") + table + sdt + p("after")), filename="x.docx")
    assert labels(doc) == [
        (lbl, t, 0)
        for lbl, t in [
            ("", "before"),
            ("", "a"),
            ("", "inner"),
            ("", "b"),
            ("", "c"),
            ("", "in control"),
            ("", "after"),
        ]
    ]
    assert [b.kind for b in doc.blocks[1:5]] == [BlockKind.TABLE_CELL] * 4


def test_docx_signature_without_recipients_starts_the_closing() -> None:
    body = "".join(p(f"Đoạn {i}.") for i in range(6)) + p("T/M BAN THƯỜNG VỤ") + p("BÍ THƯ") + p("Nguyễn Văn A")
    doc = load(make_docx(body), filename="x.docx")
    assert texts_of(doc, BlockKind.FURNITURE) == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn A"]
    mention = load(make_docx(p("Nơi nhận văn bản là các chi bộ, đề nghị thực hiện nghiêm.") * 4), filename="x.docx")
    assert not texts_of(mention, BlockKind.FURNITURE)  # a sentence that mentions it is not the block


# --------------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------------


def _seed_paragraphs() -> list[str]:
    lines = example_lines("seed-2021-10-haiphong.txt")
    start = next(i for i, line in enumerate(lines) if line.startswith("Thời gian:"))
    end = lines.index("Thu Phương")
    return lines[start : end + 1]


def test_two_page_pdf_is_rebuilt_into_paragraphs_without_headers_or_page_numbers() -> None:
    doc = load(fixture("print-seed.pdf"), filename="ban-tin.pdf")
    assert_clean(doc)
    assert doc.source_format == "pdf"
    assert texts_of(doc) == _seed_paragraphs()
    title = doc.blocks[1]
    assert title.kind is BlockKind.HEADING and title.bold
    assert doc.title == title.text
    assert "Trang 1/2" not in doc.text and "TRANG THÔNG TIN PHỔ BIẾN" not in doc.text and "pbgdpl" not in doc.text
    assert doc.notes == ("removed 6 page header/footer lines",)
    # Task five starts on page 1 and runs over the break: one block.
    fifth = next(b for b in doc.blocks if b.text.startswith("Thứ năm,"))
    sixth = next(b for b in doc.blocks if b.text.startswith("Thứ sáu,"))
    assert (fifth.page, sixth.page) == (1, 2)


def test_pdf_with_only_an_owner_password_is_read() -> None:
    doc = load(fixture("print-seed-owner-password.pdf"), filename="x.pdf")
    assert texts_of(doc) == _seed_paragraphs()


def test_encrypted_and_scanned_pdfs_are_refused_with_the_reason() -> None:
    assert refused(fixture("encrypted.pdf"), filename="x.pdf").reason is Reason.PDF_ENCRYPTED
    assert refused(fixture("scanned.pdf"), filename="scan.pdf").reason is Reason.PDF_NO_TEXT_LAYER


def test_pdf_paragraph_rules_on_synthetic_lines() -> None:
    from bot.ingest.pdffile import _Line, _paragraphs

    def line(y: float, text: str, x1: float = 536, x0: float = 60, page: int = 1) -> _Line:
        return _Line(page, text, x0, x1, y, y + 10, 10.5, False)

    lines = [
        line(700, "Định hướng tuyên truyền, đồng chí đề nghị tập trung vào các nhiệm vụ"),
        line(685, "sau:", x1=90),
        line(670, "1. Tuyên truyền kết quả Kỳ họp thứ 5, Quốc hội khóa XV, nhất là các luật"),
        line(655, "đã được thông qua."),  # ends a sentence at full width: still the same paragraph
        line(640, "Đồng thời vận động cán bộ tham gia.", x1=300),
        line(625, "- Tiếp tục tuyên truyền Nghị quyết"),
        line(610, "về kinh tế", x1=140),
        line(560, "Đoạn sau khoảng trống"),
        line(700, "trang mới nối tiếp", page=2),
    ]
    assert [b.text for b in _paragraphs(lines)] == [
        "Định hướng tuyên truyền, đồng chí đề nghị tập trung vào các nhiệm vụ sau:",
        "1. Tuyên truyền kết quả Kỳ họp thứ 5, Quốc hội khóa XV, nhất là các luật đã được thông qua. "
        "Đồng thời vận động cán bộ tham gia.",
        "- Tiếp tục tuyên truyền Nghị quyết về kinh tế",
        "Đoạn sau khoảng trống trang mới nối tiếp",
    ]


# --------------------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.mark.parametrize(
    ("data", "filename", "reason", "kind"),
    [
        (fixture("legacy-word.doc"), "bao-cao.doc", Reason.LEGACY_WORD, "doc"),
        (fixture("legacy-word.doc"), "bao-cao.txt", Reason.LEGACY_WORD, "doc"),  # the bytes decide
        (b"{\\rtf1\\ansi Hello}", "a.rtf", Reason.LEGACY_WORD, "rtf"),
        (b"\x00\x01\x02\x03" * 50, "old.doc", Reason.LEGACY_WORD, "doc"),
        (PNG, "anh.png", Reason.IMAGE, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "scan.jpg", Reason.IMAGE, "jpeg"),
        (b"GIF89a" + b"\x00" * 20, None, Reason.IMAGE, "gif"),
        (_zip({"ban-tin.txt": b"hello"}), "ban-tin.zip", Reason.ARCHIVE, "zip"),
        (b"Rar!\x1a\x07\x01\x00" + b"\x00" * 50, "x.rar", Reason.ARCHIVE, "rar"),
        (b"7z\xbc\xaf\x27\x1c" + b"\x00" * 50, "x.7z", Reason.ARCHIVE, "7z"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 50, "x.gz", Reason.ARCHIVE, "gzip"),
        (
            _zip({"xl/workbook.xml": b"<x/>", "[Content_Types].xml": b"<x/>"}),
            "a.xlsx",
            Reason.UNSUPPORTED_FORMAT,
            "xlsx",
        ),
        (_zip({"ppt/presentation.xml": b"<x/>"}), "a.pptx", Reason.UNSUPPORTED_FORMAT, "pptx"),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
            "a.odt",
            Reason.UNSUPPORTED_FORMAT,
            "odt",
        ),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "run", Reason.UNSUPPORTED_FORMAT, "program"),
        (_zip({"word/document.xml": b"not xml at all"}), "hong.docx", Reason.DAMAGED, "docx"),
        (b"PK\x03\x04 truncated", "hong.docx", Reason.DAMAGED, "docx"),
        (b"%PDF-1.7\n garbage only", "hong.pdf", Reason.DAMAGED, "pdf"),
        (b"\x00\x00\x00\x00abc\x00def" * 10, "x.bin", Reason.NOT_TEXT, None),
        (b"   \n\t  ", "x.txt", Reason.EMPTY, None),
        (b"", None, Reason.EMPTY, None),
    ],
)
def test_refusals_name_what_the_file_is(data: bytes, filename: str | None, reason: Reason, kind: str | None) -> None:
    error = refused(data, filename=filename)
    assert error.reason is reason, error
    if kind is not None:
        assert error.details.get("kind") == kind
    assert "unexpected" not in error.details


def test_size_cap() -> None:
    error = refused(b"a" * (MAX_BYTES + 1), filename="x.txt")
    assert error.reason is Reason.TOO_LARGE and error.details["limit"] == MAX_BYTES
    assert refused(b"a" * 101, filename="x.txt", max_bytes=100).reason is Reason.TOO_LARGE


def test_zip_bomb_docx_is_refused_before_it_is_opened() -> None:
    data = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w:document>" + b" " * (30 * 1024 * 1024)})
    assert len(data) < 200_000
    error = refused(data, filename="bomb.docx")
    assert error.reason is Reason.TOO_LARGE and error.details["kind"] == "docx"


def test_html_and_docx_without_text() -> None:
    assert refused(b"<html><body><script>x()</script></body></html>", filename="a.html").reason is Reason.NO_TEXT
    assert refused(make_docx(p("   ")), filename="a.docx").reason is Reason.NO_TEXT


# --------------------------------------------------------------------------------------------------
# What the bot says
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_has_a_vietnamese_and_english_answer(reason: Reason) -> None:
    details: dict[str, object] = {
        "kind": "<b>x</b>",
        "size": 12_000_000,
        "limit": MAX_BYTES,
        "status": 503,
        "seconds": 20,
    }
    answer = texts.refusal(UnsupportedDocument(reason, "x", **details))
    vi, en = answer.split("\n")[0], answer.split("\n")[1]
    assert vi.startswith("⚠️ ") and en.startswith("<i>") and en.endswith("</i>")
    assert "Bot không đọc được tài liệu này" not in vi  # each reason has its own sentence
    assert "<b>x</b>" not in answer  # details are escaped
    assert ".docx" in answer and ".pdf" in answer and "10 MB" in answer


def test_refusal_details_are_in_the_answer() -> None:
    too_large = texts.refusal(UnsupportedDocument(Reason.TOO_LARGE, "x", size=12 * 1024 * 1024, limit=MAX_BYTES))
    assert "12.0 MB" in too_large and "10.0 MB" in too_large
    assert "404" in texts.refusal(UnsupportedDocument(Reason.HTTP_ERROR, "x", status=404))
    assert "Word 97-2003" in texts.refusal(UnsupportedDocument(Reason.LEGACY_WORD, "x", kind="doc"))
    assert texts.encoding_note(None) is None
    note = texts.encoding_note("windows-1258")
    assert note and "windows-1258" in note and "<i>" in note


# --------------------------------------------------------------------------------------------------
# Hostile input: nothing but UnsupportedDocument, and no loader bug behind a DAMAGED
# --------------------------------------------------------------------------------------------------

FILENAMES = st.sampled_from([None, "a.txt", "a.html", "a.docx", "a.pdf", "a.doc", "a.png", "a.zip", "noext"])


def _load_or_refuse(data: bytes, filename: str | None) -> Document | None:
    try:
        doc = load(data, filename=filename)
    except UnsupportedDocument as error:
        assert "unexpected" not in error.details, (error, error.__cause__)
        return None
    assert_clean(doc)
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000), filename=FILENAMES)
def test_garbage_bytes(data: bytes, filename: str | None) -> None:
    _load_or_refuse(data, filename)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=2000), filename=FILENAMES)
def test_garbage_text_in_any_encoding(text: str, filename: str | None) -> None:
    for codec in ("utf-8", "utf-16"):
        _load_or_refuse(text.encode(codec, "surrogatepass"), filename)
    try:
        doc = load_text(text)
    except UnsupportedDocument as error:
        assert error.reason is Reason.EMPTY or "unexpected" not in error.details
    else:
        assert_clean(doc)


MARKUP = st.lists(
    st.sampled_from(
        ["<p>", "</p>", "<ol start='x'>", "<ol type='a' start='-3'>", "<li value='9'>", "</li>", "</ol>", "<ul>",
         "<b>", "</b>", "<br>", "<table><tr><td>", "</td></tr></table>", "<h2>", "</h2>", "<script>", "</script>",
         "<!--", "-->", "<html><body>", "Thứ nhất,", " tuyên truyền ", "&nbsp;", "&#7873;", "\u200b", "<div hidden>",
         "</div>", "<li>", "<ol reversed>"]
    ),
    max_size=60,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(parts=MARKUP)
def test_hostile_markup(parts: list[str]) -> None:
    markup = "".join(parts)
    _load_or_refuse(markup.encode(), "a.html")
    if markup.strip():
        try:
            load_text(markup)
        except UnsupportedDocument as error:
            assert "unexpected" not in error.details, (error, error.__cause__)


@pytest.mark.parametrize("name", ["notice-fam-roman-sections.docx", "print-seed.pdf", "portal-case01.html"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_fixtures(name: str, data: st.DataObject) -> None:
    """Flip, cut and splice bytes of real documents: still only a Document or an UnsupportedDocument."""
    original = bytearray(fixture(name))
    cut = data.draw(st.integers(min_value=1, max_value=len(original)))
    damaged = original[:cut]
    for _ in range(data.draw(st.integers(min_value=0, max_value=8))):
        if not damaged:
            break
        at = data.draw(st.integers(min_value=0, max_value=len(damaged) - 1))
        damaged[at] = data.draw(st.integers(min_value=0, max_value=255))
    try:
        doc = load(bytes(damaged), filename=name)
    except UnsupportedDocument:
        return
    assert_clean(doc)


def test_deep_nesting() -> None:
    """Nesting up to the HTML parser's depth limit (256) is read; deeper input is refused or cut by the
    parser, never a crash (the walk itself has no recursion)."""
    doc = load_text("<div>" * 200 + "Thứ nhất, sâu" + "</div>" * 200)
    assert doc.text == "Thứ nhất, sâu"
    nested = load_text("<ol><li>" * 100 + "x" + "</li></ol>" * 100)
    assert nested.blocks[-1].text == "x" and nested.blocks[-1].level == 99
    for markup in ("<div>" * 5000 + "y" + "</div>" * 5000, "<ol><li>" * 3000 + "z"):
        try:
            load_text(markup)
        except UnsupportedDocument as error:
            assert "unexpected" not in error.details


def test_blocks_are_the_shared_type() -> None:
    doc = load(fixture("notice-fam-roman-sections.docx"), filename="x.docx")
    assert all(isinstance(b, Block) for b in doc.blocks)


def test_a_page_of_pure_markup_is_refused_before_parsing() -> None:
    error = refused(b"<html><body>" + b"<span>x</span>" * 80_000 + b"</body></html>", filename="a.html")
    assert error.reason is Reason.TOO_LARGE and error.details["kind"] == "html"
    assert "quá phức tạp" in texts.refusal(error)
