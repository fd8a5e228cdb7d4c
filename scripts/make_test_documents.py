"""Build the document fixtures in ``tests/data/documents/`` from the example bulletins in ``tests/data``.

    .venv/bin/python scripts/make_test_documents.py            # rebuild every fixture
    .venv/bin/python scripts/make_test_documents.py --check    # rebuild in memory, fail if any differs

The output is deterministic (fixed timestamps, fixed zip entry dates, seeded filler), so rebuilding
changes nothing unless this script or the example text changed. The generated files are committed;
the test suite and CI never run this script. It needs, besides the project's own dependencies,
``fpdf2`` (``pip install 'fpdf2>=2.8,<3'``) and a TrueType font with Vietnamese glyphs: DejaVu Sans
(Debian: ``apt-get install -y fonts-dejavu-core``), or set ``FIXTURE_FONT_DIR`` to a folder holding
``DejaVuSans.ttf`` and ``DejaVuSans-Bold.ttf``.

Which example each document carries is written in ``tests/data/documents/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import io
import os
import random
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
OUT = DATA / "documents"
FIXED_TIME = dt.datetime(2021, 11, 19, 8, 15, 0, tzinfo=dt.UTC)
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def example_lines(name: str) -> list[str]:
    """The non-empty lines of an example bulletin in tests/data."""
    text = (DATA / name).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    return [line.strip() for line in text.split("\n") if line.strip()]


def _index(lines: list[str], prefix: str) -> int:
    for i, line in enumerate(lines):
        if line.startswith(prefix):
            return i
    raise SystemExit(f"example text changed: no line starts with {prefix!r}")


THU = ("Thứ nhất, ", "Thứ hai, ", "Thứ ba, ", "Thứ tư, ", "Thứ năm, ", "Thứ sáu, ")


def strip_thu(line: str) -> tuple[int, str]:
    """(task number, text without 'Thứ …, ', first letter capitalised) or (0, line)."""
    for no, prefix in enumerate(THU, start=1):
        if line.startswith(prefix):
            rest = line[len(prefix) :]
            return no, rest[:1].upper() + rest[1:]
    return 0, line


# --------------------------------------------------------------------------------------------------
# A whole saved portal page (case01): menus, sidebar, share widgets, comments, scripts, related news
# with other months' titles; the six tasks as <ol> items (numbers not in the text), split in two lists
# around a photo (the second <ol start="4">).
# --------------------------------------------------------------------------------------------------

MENU = [
    ("Giới thiệu", ["Chức năng nhiệm vụ", "Cơ cấu tổ chức", "Lãnh đạo Hội đồng", "Liên hệ"]),
    ("Tin tức - Sự kiện", ["Tin trong tỉnh", "Tin trong nước", "Hoạt động phổ biến pháp luật", "Ảnh - Video"]),
    ("Văn bản pháp luật", ["Văn bản Trung ương", "Văn bản của tỉnh", "Văn bản mới", "Dự thảo lấy ý kiến"]),
    ("Hỏi đáp pháp luật", ["Đất đai", "Hôn nhân gia đình", "Lao động", "Hình sự", "Hành chính"]),
    ("Tủ sách pháp luật", ["Sách điện tử", "Tài liệu tuyên truyền", "Đề cương giới thiệu luật"]),
    ("Hòa giải cơ sở", ["Tình huống hòa giải", "Gương hòa giải viên", "Văn bản hướng dẫn"]),
    ("Báo cáo viên", ["Danh sách báo cáo viên", "Hội nghị báo cáo viên", "Tài liệu sinh hoạt"]),
]

SIDEBAR_NEWS = [
    "Phú Yên triển khai Ngày Pháp luật nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 2021",
    "Tập huấn nghiệp vụ hòa giải ở cơ sở cho hòa giải viên các huyện miền núi",
    "Hội nghị Báo cáo viên Trung ương tháng 12/2021: năm nội dung cần tuyên truyền",
    "Sở Tư pháp tổ chức cuộc thi tìm hiểu pháp luật về phòng, chống tham nhũng",
    "Phổ biến Luật Phòng, chống ma túy năm 2021 cho học sinh trung học phổ thông",
    "Thông tin về kỳ họp thứ ba Hội đồng nhân dân tỉnh khóa VIII",
    "Hướng dẫn tuyên truyền kỷ niệm 77 năm Ngày thành lập Quân đội nhân dân Việt Nam",
    "Tuyên truyền pháp luật về biển, đảo cho ngư dân xã bãi ngang",
    "Đề cương giới thiệu Luật Bảo vệ môi trường năm 2020",
    "Kết quả thi hành án dân sự 10 tháng đầu năm 2021",
    "Tăng cường công tác phổ biến pháp luật trong đồng bào dân tộc thiểu số",
    "Hội nghị trực tuyến sơ kết công tác tư pháp 9 tháng năm 2021",
]

RELATED = [
    "Hội nghị Báo cáo viên Trung ương tháng 10/2021: sáu nhóm nhiệm vụ trọng tâm",
    "Hội nghị Báo cáo viên Trung ương tháng 9/2021 bàn về phòng, chống dịch Covid-19",
    "Hội nghị Báo cáo viên Trung ương tháng 8/2021: tuyên truyền kết quả Kỳ họp thứ nhất, Quốc hội khóa XV",
    "Thứ nhất là bản lĩnh: chuyện của một báo cáo viên cơ sở",
    "Định hướng tuyên truyền tháng 7/2021",
]

COMMENTS = [
    ("Nguyễn Văn Bình", "20/11/2021 09:12", "Thứ nhất, cần in tài liệu này gửi về các chi bộ sớm hơn."),
    ("Trần Thị Hoa", "20/11/2021 14:40", "Đề nghị đăng kèm tệp PDF để báo cáo viên ở xã tiện sử dụng."),
    ("Lê Minh", "21/11/2021 07:05", "Cảm ơn ban biên tập. Bài viết rất hữu ích cho hội nghị chi bộ tháng 12."),
]


def _filler_script(rng: random.Random, size: int) -> str:
    """Minified-looking JavaScript of about ``size`` characters (what portals inline by the dozen)."""
    words = ["function", "var", "return", "document", "window", "jQuery", "this", "length", "push", "data"]
    parts: list[str] = []
    n = 0
    while n < size:
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 3)))
        w = rng.choice(words)
        chunk = f"{w} {name}{rng.randint(0, 999)}=function(e,t){{return e&&t.{name}?e[{rng.randint(0, 9)}]:null}};"
        parts.append(chunk)
        n += len(chunk)
    return "".join(parts)


def _filler_css(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    n = 0
    while n < size:
        cls = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz-") for _ in range(rng.randint(4, 12)))
        color = rng.randint(0, 0xFFFFFF)
        chunk = f".{cls}{{margin:{rng.randint(0, 20)}px;padding:{rng.randint(0, 9)}px;color:#{color:06x}}}\n"
        parts.append(chunk)
        n += len(chunk)
    return "".join(parts)


def build_portal_html() -> bytes:
    lines = example_lines("case01.txt")
    e = html.escape
    title = lines[0]
    date_line = lines[1]  # "Thời gian: 19/11/2021 08:15"
    site_name = lines[2]
    first = _index(lines, "Sáng 17/11/2021")
    task_start = _index(lines, "Thứ nhất, ")
    byline = _index(lines, "Minh Châu")
    intro = lines[first:task_start]
    tasks: list[list[str]] = []
    for line in lines[task_start:byline]:
        no, text = strip_thu(line)
        if no:
            tasks.append([text])
        else:
            tasks[-1].append(line)  # a continuation paragraph stays inside its <li>
    footer = lines[byline + 1 :]
    rng = random.Random(20211119)

    def li(task: list[str]) -> str:
        if len(task) == 1:
            return f"<li>{e(task[0])}</li>"
        return "<li>" + "".join(f"<p>{e(p)}</p>" for p in task) + "</li>"

    menu = "".join(
        f'<li class="dropdown"><a href="/chuyen-muc/{i}">{e(top)}</a><ul class="sub">'
        + "".join(f'<li><a href="/chuyen-muc/{i}/{j}">{e(sub)}</a></li>' for j, sub in enumerate(subs))
        + "</ul></li>"
        for i, (top, subs) in enumerate(MENU)
    )
    sidebar = "".join(
        f'<li><a href="/tin/{1000 + i}.html">{e(t)}</a> <span class="date">({18 - i % 9}/11/2021)</span></li>'
        for i, t in enumerate(SIDEBAR_NEWS)
    )
    most_read = "".join(
        f'<li><span class="num">{i + 1}</span><a href="/tin/{2000 + i}.html">{e(t)}</a></li>'
        for i, t in enumerate(reversed(SIDEBAR_NEWS))
    )
    related = "".join(
        f'<li><a href="/tin/{3000 + i}.html">{e(t)}</a> <i>({10 - i}/2021)</i></li>' for i, t in enumerate(RELATED)
    )
    comments = "".join(
        f'<div class="comment-item"><div class="comment-author">{e(name)}</div>'
        f'<div class="comment-date">{e(when)}</div><div class="comment-text"><p>{e(text)}</p></div>'
        '<a class="reply" href="#">Trả lời</a> <span class="like">Thích (2)</span></div>'
        for name, when, text in COMMENTS
    )
    share = (
        '<div class="share-tools"><span class="font-size">A- A A+</span> | <a href="#">In bài</a> | '
        '<a href="#">Gửi email</a> | <span>Chia sẻ:</span> <a class="fb" href="#">Facebook</a> '
        '<a class="zalo" href="#">Zalo</a> <a class="tw" href="#">Twitter</a> '
        '<a class="copy" href="#">Sao chép liên kết</a></div>'
    )
    footer_html = "".join(f"<p>{e(line)}</p>" for line in footer)
    tasks_a = "".join(li(t) for t in tasks[:3])
    tasks_b = "".join(li(t) for t in tasks[3:])
    intro_html = f"<p><strong>{e(intro[0])}</strong></p>" + "".join(f"<p>{e(p)}</p>" for p in intro[1:])
    page = f"""<!DOCTYPE html>
<!-- saved from url=(0068)https://pbgdpl.example.gov.vn/tin-tuc/hoi-nghi-bao-cao-vien-trung-uong-thang-11-2021.html -->
<html lang="vi"><head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} - {e(site_name.title())}</title>
<meta name="description" content="{e(intro[0][:150])}">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(title)}">
<meta property="og:url" content="https://pbgdpl.example.gov.vn/tin-tuc/hoi-nghi-bao-cao-vien-trung-uong-thang-11-2021.html">
<meta property="article:published_time" content="2021-11-19T08:15:00+07:00">
<link rel="canonical" href="https://pbgdpl.example.gov.vn/tin-tuc/hoi-nghi-bao-cao-vien-trung-uong-thang-11-2021.html">
<link rel="stylesheet" href="/static/css/bootstrap.min.css">
<style>{_filler_css(rng, 30_000)}</style>
<script>{_filler_script(rng, 45_000)}</script>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{e(title)}","datePublished":"2021-11-19T08:15:00+07:00"}}</script>
<script>window.dataLayer=window.dataLayer||[];
function gtag(){{dataLayer.push(arguments)}}gtag('js',new Date());</script>
</head>
<body class="page-detail">
<form method="post" action="./hoi-nghi-bao-cao-vien-trung-uong-thang-11-2021.html" id="aspnetForm">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{"A" * 4000}">
<div id="topbar"><div class="container"><span class="today">Thứ Hai, 22/11/2021</span>
<a href="/dang-nhap">Đăng nhập</a> | <a href="/rss">RSS</a> | <a href="/so-do">Sơ đồ cổng</a></div></div>
<header id="header"><div class="logo"><a href="/"><img src="/static/logo.png" alt="logo"></a>
<div class="site-name">{e(site_name)}</div></div>
<div class="search"><input type="text" placeholder="Tìm kiếm..."><button type="button">Tìm</button></div></header>
<nav id="menu" class="navbar"><ul class="nav"><li><a href="/">Trang chủ</a></li>{menu}</ul></nav>
<div class="marquee">Chào mừng Ngày Pháp luật nước Cộng hòa xã hội chủ nghĩa Việt Nam 9/11</div>
<div class="container"><div class="row">
<div class="col-md-8 main-content">
<div class="breadcrumb"><a href="/">Trang chủ</a> &raquo; <a href="/chuyen-muc/1">Tin tức - Sự kiện</a>
&raquo; <a href="/chuyen-muc/1/2">Tin trong nước</a></div>
<div class="news-detail">
<h1 class="news-title">{e(title)}</h1>
<div class="news-meta"><span class="date">{e(date_line)}</span> | <span class="views">Lượt xem: 1.284</span></div>
{share}
<div class="news-content" id="content">
{intro_html}
<ol>{tasks_a}</ol>
<figure class="image"><img src="/uploads/2021/11/hoi-nghi-bcv-t11.jpg" alt="Hội nghị">
<figcaption>Quang cảnh hội nghị tại điểm cầu tỉnh. Ảnh: PV</figcaption></figure>
<ol start="4">{tasks_b}</ol>
<p style="text-align:right"><strong>{e(lines[byline])}</strong></p>
</div>
<div class="tags"><span>Từ khóa:</span> <a href="/tag/bao-cao-vien">báo cáo viên</a>,
<a href="/tag/tuyen-truyen">tuyên truyền</a>, <a href="/tag/thang-11-2021">tháng 11/2021</a></div>
{share}
<div class="rating">Đánh giá bài viết: <span>★★★★☆</span> (12 lượt)</div>
<div class="related-news"><h3 class="box-title">Tin liên quan</h3><ul>{related}</ul></div>
<div class="same-category"><h3 class="box-title">Các tin khác</h3><ul>{sidebar}</ul></div>
<div class="comments" id="comments"><h3>Bình luận (3)</h3>{comments}
<div class="comment-form"><label>Họ và tên:</label><input type="text"><label>Email:</label><input type="text">
<textarea placeholder="Nội dung bình luận"></textarea><button type="button">Gửi bình luận</button></div></div>
</div></div>
<aside class="col-md-4 sidebar">
<div class="box"><h3 class="box-title">Tin mới</h3><ul class="list-news">{sidebar}</ul></div>
<div class="box"><h3 class="box-title">Đọc nhiều</h3><ol class="most-read">{most_read}</ol></div>
<div class="box banner"><a href="/cuoc-thi">
<img src="/static/banner-cuoc-thi.jpg" alt="Cuộc thi tìm hiểu pháp luật"></a></div>
<div class="box"><h3 class="box-title">Liên kết website</h3>
<select><option>Cổng thông tin Chính phủ</option><option>Bộ Tư pháp</option></select></div>
<div class="box counter">Lượt truy cập: 1.234.567 | Đang trực tuyến: 89</div>
</aside></div></div>
<footer id="footer"><div class="container">{footer_html}
<p>Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p></div></footer>
</form>
<script>{_filler_script(rng, 40_000)}</script>
<script src="/static/js/jquery.min.js"></script>
</body></html>
"""
    return page.encode("utf-8")


# --------------------------------------------------------------------------------------------------
# An official notice in Word (fam-roman-sections): header table, sections and tasks in Word's
# automatic numbering (I. II. III. at level 0, 1. 2. … at level 1, restarting under each section),
# a continuation paragraph, page header and footer, and the closing "Nơi nhận:" / signature table.
# --------------------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

NUMBERING_XML = f"""<w:numbering xmlns:w="{W_NS}">
<w:abstractNum w:abstractNumId="10"><w:multiLevelType w:val="multilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>
<w:rPr><w:b/></w:rPr></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/><w:lvlJc w:val="left"/>
<w:pPr><w:ind w:left="0" w:firstLine="567"/></w:pPr></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/>
<w:lvlJc w:val="left"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="20"><w:multiLevelType w:val="singleLevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/><w:lvlJc w:val="left"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="20"/></w:num>
</w:numbering>"""


def _deterministic_zip(data: bytes) -> bytes:
    """Re-pack a zip with fixed entry dates (python-docx stamps the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2023, 6, 5, 8, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def build_official_docx() -> bytes:
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.shared import Pt

    lines = example_lines("fam-roman-sections.txt")
    org = _index(lines, "ĐẢNG ỦY KHỐI DOANH NGHIỆP")
    intro = _index(lines, "Ngày 2/6/2023")
    closing = _index(lines, "Nơi nhận:")
    signature = _index(lines, "K/T TRƯỞNG BAN")

    word = docx.Document()
    normal = word.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    word.core_properties.title = "Thông báo kết quả Hội nghị báo cáo viên tháng 6 năm 2023"
    word.core_properties.author = "Ban Tuyên giáo Đảng ủy Khối"
    word.core_properties.last_modified_by = "Ban Tuyên giáo Đảng ủy Khối"
    word.core_properties.created = dt.datetime(2019, 1, 1, 7, 0, 0)  # the template's date, not the notice's
    word.core_properties.modified = dt.datetime(2023, 6, 5, 8, 0, 0)
    word.core_properties.revision = 3
    word.core_properties.comments = ""

    numbering_part = word.part.numbering_part
    numbering_part._element = parse_xml(NUMBERING_XML)
    assert word.part.part_related_by(RT.NUMBERING) is numbering_part

    def numbered(paragraph: object, num_id: int, ilvl: int) -> None:
        ppr = paragraph._p.get_or_add_pPr()
        numpr = parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')
        ppr.append(numpr)

    section = word.sections[0]
    section.header.paragraphs[0].text = "Đảng ủy Khối Doanh nghiệp Trung ương – Ban Tuyên giáo"
    footer = section.footer.paragraphs[0]
    footer.text = "Thông báo số 112-TB/BTGĐUK – Trang "
    run = footer.add_run()
    for xml in (
        f'<w:fldChar xmlns:w="{W_NS}" w:fldCharType="begin"/>',
        f'<w:instrText xmlns:w="{W_NS}" xml:space="preserve"> PAGE </w:instrText>',
        f'<w:fldChar xmlns:w="{W_NS}" w:fldCharType="separate"/>',
        f'<w:t xmlns:w="{W_NS}">1</w:t>',
        f'<w:fldChar xmlns:w="{W_NS}" w:fldCharType="end"/>',
    ):
        run._r.append(parse_xml(xml))

    # The header table: issuing body and number on the left, the Party's name and the place-date line
    # on the right (how every Vietnamese Party document opens).
    header = word.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    left.paragraphs[0].text = lines[org]
    for line in lines[org + 1 : org + 4]:  # BAN TUYÊN GIÁO, *, Số …
        left.add_paragraph(line)
    right.paragraphs[0].text = lines[org + 4]  # ĐẢNG CỘNG SẢN VIỆT NAM
    right.paragraphs[0].runs[0].bold = True
    date_par = right.add_paragraph()
    date_run = date_par.add_run(lines[org + 5])  # Hà Nội, ngày 5 tháng 6 năm 2023
    date_run.italic = True
    date_par.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    heading = word.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(lines[org + 6]).bold = True  # THÔNG BÁO
    subtitle = word.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run(lines[org + 7]).bold = True  # Kết quả Hội nghị …
    word.add_paragraph(lines[org + 8]).alignment = WD_ALIGN_PARAGRAPH.CENTER  # -----
    word.add_paragraph(lines[intro])

    roman = ("I. ", "II. ", "III. ")
    for line in lines[intro + 1 : closing]:
        if line.startswith(roman):
            par = word.add_paragraph()
            # A run split mid-word, as Word leaves after edits: the text must still read as one word.
            text = line.split(" ", 1)[1]
            par.add_run(text[:5]).bold = True
            par.add_run(text[5:]).bold = True
            numbered(par, 1, 0)
        elif line[:2].rstrip(".").isdigit() and line[1:3].startswith(". "):
            par = word.add_paragraph(line.split(" ", 1)[1])
            numbered(par, 1, 1)
        else:  # a continuation paragraph: indented, no number
            par = word.add_paragraph(line)
            par.paragraph_format.first_line_indent = Pt(28)

    closing_table = word.add_table(rows=1, cols=2)
    left, right = closing_table.rows[0].cells
    left.paragraphs[0].add_run(lines[closing]).bold = True
    left.paragraphs[0].runs[0].italic = True
    for line in lines[closing + 1 : signature]:
        par = left.add_paragraph(line.removeprefix("- "))
        numbered(par, 2, 0)
    right.paragraphs[0].text = lines[signature]
    for line in lines[signature + 1 :]:
        right.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER

    out = io.BytesIO()
    word.save(out)
    return _deterministic_zip(out.getvalue())


# --------------------------------------------------------------------------------------------------
# PDFs (seed-2021-10-haiphong): a two-page print of the article with a repeated header, a footer and
# page numbers, lines hard-wrapped by the layout, and a task running over the page break; a scan (a
# picture of a page, no text layer); one that needs a password; one with only an owner password
# (opens without a password: it must be read).
# --------------------------------------------------------------------------------------------------

PDF_HEADER = "TRANG THÔNG TIN PHỔ BIẾN, GIÁO DỤC PHÁP LUẬT – THÀNH PHỐ HẢI PHÒNG"
PDF_FOOTER = "pbgdpl.haiphong.gov.vn – Bản in từ Trang thông tin phổ biến, giáo dục pháp luật"


def _font_dir() -> Path:
    for candidate in (os.environ.get("FIXTURE_FONT_DIR"), "/usr/share/fonts/truetype/dejavu"):
        if candidate and (Path(candidate) / "DejaVuSans.ttf").exists():
            return Path(candidate)
    raise SystemExit("no DejaVuSans.ttf: apt-get install -y fonts-dejavu-core, or set FIXTURE_FONT_DIR")


def _seeded_randomness(seed: int) -> None:
    """fpdf2 draws encryption salts from os.urandom; seed them so the files are reproducible."""
    from fpdf.encryption import StandardSecurityHandler

    rng = random.Random(seed)
    StandardSecurityHandler.get_random_bytes = classmethod(
        lambda cls, size: bytes(rng.getrandbits(8) for _ in range(size))
    )


def _new_pdf(title: str) -> Any:
    from fpdf import FPDF

    class Print(FPDF):
        def header(self) -> None:
            self.set_font("DejaVu", "", 8)
            self.cell(0, 5, PDF_HEADER, align="C", new_x="LMARGIN", new_y="NEXT")
            self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
            self.ln(6)

        def footer(self) -> None:
            self.set_y(-16)
            self.set_font("DejaVu", "", 8)
            self.cell(0, 4, PDF_FOOTER, align="C", new_x="LMARGIN", new_y="NEXT")
            self.cell(0, 4, f"Trang {self.page_no()}/{{nb}}", align="C")

    pdf = Print(format="A4")
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_title(title)
    pdf.set_author("Sở Tư pháp thành phố Hải Phòng")
    pdf.set_creator("make_test_documents.py")
    pdf.set_producer("fpdf2")
    pdf.set_margins(20, 15, 20)
    pdf.set_auto_page_break(True, margin=20)
    return pdf


def _seed_article() -> list[str]:
    lines = example_lines("seed-2021-10-haiphong.txt")
    start = _index(lines, "Thời gian:")
    end = _index(lines, "Thu Phương")
    return lines[start : end + 1]


def _bulletin_pdf(*, owner_only: bool = False, password: str | None = None) -> bytes:
    article = _seed_article()
    pdf = _new_pdf(article[1])
    if password or owner_only:
        from fpdf.enums import EncryptionMethod

        _seeded_randomness(20211015)
        pdf.set_encryption(
            owner_password="chu-so-huu",
            user_password=password or "",
            encryption_method=EncryptionMethod.RC4,
        )
    pdf.add_page()
    pdf.set_font("DejaVu", "", 8.5)
    pdf.multi_cell(0, 4.5, article[0], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 6.5, article[1], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 10.5)
    pages: list[int] = []
    for paragraph in article[2:]:
        before = pdf.page_no()
        pdf.multi_cell(0, 5.4, paragraph, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.2)
        pages.append(pdf.page_no() - before)
    if pdf.page_no() != 2 or sum(pages) != 1:
        raise SystemExit(f"the PDF layout changed: {pdf.page_no()} pages, breaks {pages}")
    crossing = article[2 + pages.index(1)]
    if not crossing.startswith("Thứ"):
        raise SystemExit(f"the page break should fall inside a task, not in {crossing[:40]!r}")
    return bytes(pdf.output())


def build_bulletin_pdf() -> bytes:
    return _bulletin_pdf()


def build_owner_password_pdf() -> bytes:
    return _bulletin_pdf(owner_only=True)


def build_encrypted_pdf() -> bytes:
    return _bulletin_pdf(password="mat-khau")


def build_scanned_pdf() -> bytes:
    """A 'scanned' page: a grey picture of lines of text, and no text layer at all."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    rng = random.Random(7)
    image = Image.new("L", (620, 877), 246)
    draw = ImageDraw.Draw(image)
    y = 60
    while y < 820:
        x = 50
        while x < 570:
            width = rng.randint(12, 60)
            draw.rectangle((x, y, min(x + width, 570), y + 7), fill=rng.randint(40, 90))
            x += width + rng.randint(5, 9)
        y += rng.choice((16, 16, 16, 30))
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_producer("fpdf2")
    pdf.add_page()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    pdf.image(buffer, x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


# --------------------------------------------------------------------------------------------------
# Text files in the encodings people send, and a legacy Word file
# --------------------------------------------------------------------------------------------------


def _example_text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8-sig").replace("\r\n", "\n")


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Word and Notepad write it: a precomposed letter where the code page has one,
    else the base letter (with its circumflex, breve or horn) followed by a combining tone mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def to_cp1252_lossy(text: str) -> bytes:
    """Vietnamese saved in the Western code page: each letter keeps what Windows-1252 has of it, tone
    first ("à" stays, "ộ" → "ô", "ề" → "ê", "ư" → "u", "đ" → "d"); quotes, dashes and "…" stay."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))
        base = decomposed[0]
        marks = list(decomposed[1:])
        tone = [c for c in marks if c in TONE_MARKS]
        shape = [c for c in marks if c not in TONE_MARKS]
        for attempt in (shape + tone, tone, shape, []):
            candidate = unicodedata.normalize("NFC", base + "".join(attempt))
            try:
                out += candidate.encode("cp1252")
                break
            except UnicodeEncodeError:
                continue
        else:
            out += b"?"
    return bytes(out)


def build_cp1258_txt() -> bytes:
    return to_cp1258(_example_text("case02.txt")).replace(b"\n", b"\r\n")


def build_cp1252_txt() -> bytes:
    return to_cp1252_lossy(_example_text("case03.txt")).replace(b"\n", b"\r\n")


def build_utf16_txt() -> bytes:
    return _example_text("case04.txt").replace("\n", "\r\n").encode("utf-16")  # little-endian, with BOM


def build_legacy_doc() -> bytes:
    """The first sector of a Word 97-2003 file (OLE2 compound document header), then filler."""
    header = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00")
    header += b"\x06\x00" + b"\x00" * 10 + b"\x01\x00\x00\x00" + b"\x00" * 8 + b"\x00\x10\x00\x00"
    header += b"\xff" * (512 - len(header))
    body = "Hội nghị Báo cáo viên tháng 11/2021".encode("utf-16-le")
    return bytes(header) + body + b"\x00" * (4096 - len(body))


# --------------------------------------------------------------------------------------------------
# Registry and command line
# --------------------------------------------------------------------------------------------------

BUILDERS: dict[str, Callable[[], bytes]] = {
    "portal-case01.html": build_portal_html,
    "notice-fam-roman-sections.docx": build_official_docx,
    "print-seed.pdf": build_bulletin_pdf,
    "print-seed-owner-password.pdf": build_owner_password_pdf,
    "encrypted.pdf": build_encrypted_pdf,
    "scanned.pdf": build_scanned_pdf,
    "case02-windows-1258.txt": build_cp1258_txt,
    "case03-windows-1252.txt": build_cp1252_txt,
    "case04-utf-16.txt": build_utf16_txt,
    "legacy-word.doc": build_legacy_doc,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="fail if a committed fixture differs")
    parser.add_argument("names", nargs="*", help="build only these fixtures")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    differ = 0
    for name, build in BUILDERS.items():
        if args.names and name not in args.names:
            continue
        data = build()
        path = OUT / name
        digest = hashlib.sha256(data).hexdigest()[:12]
        if args.check:
            same = path.exists() and path.read_bytes() == data
            differ += not same
            print(f"{'ok  ' if same else 'DIFF'} {name} {len(data):>8} {digest}")
        else:
            path.write_bytes(data)
            print(f"wrote {name} {len(data):>8} bytes sha256 {digest}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
