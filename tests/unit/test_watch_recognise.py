"""bot.watch.recognise: every page of tests/data/watch/articles gets the verdict its README table gives,
pages are loaded as the bot loads them, and names_conference tells the conference from training
courses, contests and reports.

The table in tests/data/watch/README.md is read here; UNCERTAIN pages are also named below, each with
the reason it must give. The pages are built by tests/data/watch/make_articles.py, which must still
produce the committed files.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.blocks import Document
from bot.ingest import UnsupportedDocument, load, load_text
from bot.watch.recognise import Recognition, Verdict, names_conference, recognise

DATA = Path(__file__).resolve().parents[1] / "data"
WATCH = DATA / "watch"
ARTICLES = WATCH / "articles"


@dataclass(frozen=True)
class Expected:
    verdict: Verdict
    month: str | None
    tasks: int | None


def table() -> dict[str, Expected]:
    """The articles table of tests/data/watch/README.md: file → verdict, month, task count."""
    text = (WATCH / "README.md").read_text(encoding="utf-8")
    section = text.split("## `articles/`", 1)[1].split("## `feeds/`", 1)[0]
    rows: dict[str, Expected] = {}
    for match in re.finditer(r"^\| `([\w.-]+)\.html` \| (\w+) \| ([\d-]+|—) \| (\d+|—) \|", section, re.MULTILINE):
        name, verdict, month, tasks = match.groups()
        rows[name] = Expected(Verdict(verdict), None if month == "—" else month, None if tasks == "—" else int(tasks))
    return rows


EXPECTED = table()

# Why each UNCERTAIN page is uncertain: a phrase its reasons must hold.
UNCERTAIN = {
    "fam-attendance-end": "confidence 0.45 is low",
    "fam-caption-credit": "confidence 0.45 is low",
    "fam-dash": "confidence 0.55 is low",
    "fam-emoji-mixed": "confidence 0.45 is low",
    "fam-paragraphs": "confidence 0.45 is low",
    "fam-participants": "confidence 0.50 is low",
    "fam-pdf-wraps": "confidence 0.45 is low",
    "fam-plain-headings": "confidence 0.45 is low",
    "fam-semicolon": "confidence 0.47 is low",
    "news-hoi-nghi-bcv-nghe-chuyen-de": "the list follows the talks the conference heard",
}


@dataclass(frozen=True)
class Page:
    document: Document
    title: str  # what a feed would carry: the page's og:title
    summary: str  # and its description (the sapo)


@cache
def page(name: str) -> Page:
    data = (ARTICLES / f"{name}.html").read_bytes()
    document = load(data, filename="x.html", content_type="text/html")  # as the bot loads an article
    descriptions = lxml.html.fromstring(data).xpath('//meta[@name="description"]/@content')
    return Page(document, document.title or "", str(descriptions[0]))


def recognised(name: str) -> Recognition:
    p = page(name)
    return recognise(p.document, title=p.title, summary=p.summary)


# --------------------------------------------------------------------------------------------------
# The test pages
# --------------------------------------------------------------------------------------------------


def test_the_table_names_every_page_and_every_example_has_one() -> None:
    assert set(EXPECTED) == {p.stem for p in ARTICLES.glob("*.html")}
    examples = {p.stem for p in DATA.glob("*.txt")}
    assert examples <= set(EXPECTED)
    news = [name for name in EXPECTED if name.startswith("news-")]
    assert len(news) >= 25
    assert all(EXPECTED[name].verdict is Verdict.BULLETIN or name in UNCERTAIN for name in examples)


def test_uncertain_pages_are_the_ones_named_here() -> None:
    assert {name for name, e in EXPECTED.items() if e.verdict is Verdict.UNCERTAIN} == set(UNCERTAIN)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict(name: str) -> None:
    expected = EXPECTED[name]
    result = recognised(name)
    assert result.verdict is expected.verdict, result.reasons
    if expected.verdict is Verdict.NOT:
        assert result.bulletin is None
        return
    assert result.bulletin is not None
    assert (result.bulletin.month, len(result.bulletin.tasks)) == (expected.month, expected.tasks)
    if expected.verdict is Verdict.UNCERTAIN:
        assert any(UNCERTAIN[name] in reason for reason in result.reasons), result.reasons


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_without_the_listings_title_and_summary(name: str) -> None:
    """The page alone (its own title, its body): no bulletin is lost, no news is offered."""
    result = recognise(page(name).document)
    expected = EXPECTED[name].verdict
    if expected is Verdict.NOT:
        assert result.verdict is Verdict.NOT, result.reasons
    else:
        assert result.verdict in {Verdict.BULLETIN, Verdict.UNCERTAIN}, result.reasons


def test_bulletin_reasons() -> None:
    result = recognised("case01")
    assert result.reasons == (
        "the title names a reporters' conference",
        "6 tasks, confidence 0.99",
        "month 2021-11 from the text",
    )
    assert result.bulletin is not None
    assert result.bulletin.organizer == "Ban Tuyên giáo Trung ương"
    assert result.bulletin.tasks[0].text.startswith("tuyên truyền đậm nét kết quả Kỳ họp thứ 2")


@pytest.mark.parametrize(
    ("name", "month", "tasks", "first_words"),
    [
        ("fam-thu-nhat-la", "2024-10", 6, "tuyên truyền sâu rộng Ngày Chuyển đổi số quốc gia"),
        ("fam-keycaps", "2024-03", 5, None),
        ("fam-two-digit", "2025-01", 12, None),
        ("fam-roman-sections", "2023-06", 5, None),
        ("case07", "2021-10", 6, None),
    ],
)
def test_bulletin_month_and_tasks(name: str, month: str, tasks: int, first_words: str | None) -> None:
    result = recognised(name)
    assert result.verdict is Verdict.BULLETIN
    assert result.bulletin is not None
    assert result.bulletin.month == month
    assert len(result.bulletin.tasks) == tasks
    if first_words:
        assert result.bulletin.tasks[0].text.startswith(first_words)


def test_lead_names_the_conference_when_the_title_does_not() -> None:
    """fam-date-byline: "Hà Nội: Tập trung tuyên truyền hai nhóm nội dung lớn trong tháng 4/2023"."""
    with_lead = recognised("fam-date-byline")
    assert with_lead.verdict is Verdict.BULLETIN
    assert with_lead.reasons[0] == "the lead names a reporters' conference"
    alone = recognise(page("fam-date-byline").document)
    assert alone.verdict is Verdict.UNCERTAIN
    assert alone.reasons[0] == "the body's first paragraphs name a reporters' conference with its month"
    assert "nothing the listing gave names it" in alone.reasons


def test_a_conference_page_without_tasks_is_not() -> None:
    result = recognised("news-anh-hoi-nghi-bcv")
    assert result.verdict is Verdict.NOT
    assert result.reasons[0] == "the title names a reporters' conference"
    assert result.reasons[1].startswith("no tasks found (no_tasks:")


def test_an_article_about_the_conferences_is_not() -> None:
    result = recognised("news-nang-cao-chat-luong-hnbcv")
    assert result.verdict is Verdict.NOT
    assert result.bulletin is None
    assert "no month label: 2024-07 is only the published date" in result.reasons
    assert result.reasons[-1].startswith("neither a month label nor an organizer")


def test_ordinary_news_with_confident_lists_is_not() -> None:
    for name in ("news-5-nhiem-vu-trong-tam", "news-dai-hoi-dang-bo", "news-tong-ket-tuyen-giao"):
        result = recognised(name)
        assert result == Recognition(Verdict.NOT, None, ("nothing names a reporters' conference",))


def bulletin_text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8-sig")


def test_a_cut_off_bulletin_is_uncertain() -> None:
    text = bulletin_text("case01.txt")
    cut = text[: text.index("Thứ sáu, tuyên truyền các ngày kỷ niệm") + 60]  # mid-sentence
    result = recognise(load_text(cut), title=text.split("\n", 1)[0])
    assert result.verdict is Verdict.UNCERTAIN
    assert "the last task ends mid-sentence: the text may be cut off" in result.reasons
    assert result.bulletin is not None and len(result.bulletin.tasks) == 6


def test_a_cut_off_bulletin_named_only_in_its_body_is_not() -> None:
    text = bulletin_text("case01.txt")
    body = text.split("\n", 1)[1]  # no headline: the body's first paragraph names the conference and month
    cut = body[: body.index("Thứ sáu, tuyên truyền các ngày kỷ niệm") + 60]
    assert recognise(load_text(body)).verdict is Verdict.UNCERTAIN
    assert recognise(load_text(cut)).verdict is Verdict.NOT


def test_month_without_label_but_organizer_is_uncertain() -> None:
    text = bulletin_text("case01.txt").replace("tháng 11/2021", "").replace("định kỳ", "")
    result = recognise(load_text(text), title="Hội nghị báo cáo viên Trung ương")
    assert result.verdict is Verdict.UNCERTAIN
    assert result.bulletin is not None and result.bulletin.organizer == "Ban Tuyên giáo Trung ương"
    assert any(reason.startswith("no month label") for reason in result.reasons)


# --------------------------------------------------------------------------------------------------
# names_conference
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Hội nghị Báo cáo viên Trung ương tháng 11/2021: Sáu nội dung trọng tâm",
        "HỘI NGHỊ BÁO CÁO VIÊN THÀNH ỦY THÁNG 11/2021",
        "hoi nghi bao cao vien thang 10 cua tinh uy",
        "Hội nghị trực tuyến Báo cáo viên Trung ương",
        "Thông tin từ HN BCV tháng 3",
        "HNBCV Tỉnh ủy quý I/2025",
        "Báo cáo viên tháng 10/2023: tuyên truyền kỷ niệm Ngày Phụ nữ Việt Nam",
        "Báo cáo viên Trung ương tháng Mười",
        "Định hướng tuyên truyền tháng 5/2024",
        "Định hướng công tác tuyên truyền trong tháng 3",
        "Ðịnh hướng tuyên truyền tháng 6",  # Ð (U+00D0) as portals type it
        "Thông báo nhanh kết quả Hội nghị báo cáo viên Trung ương",
        "Hội nghị tuyên truyền viên cơ sở quý II",
        "Tài liệu tuyên truyền miệng tháng 9",
        "Ban tổ chức lớp tập huấn. Hội nghị báo cáo viên tháng 5 diễn ra sau đó.",  # training is another sentence
    ],
)
def test_names_conference(text: str) -> None:
    assert names_conference(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Tập huấn báo cáo viên năm 2024",
        "Tập huấn nghiệp vụ cho báo cáo viên, tuyên truyền viên cơ sở",
        "Lớp tập huấn nghiệp vụ công tác tuyên truyền miệng cho hơn 150 báo cáo viên",
        "Bồi dưỡng báo cáo viên tháng 5",
        "Bế mạc Hội thi báo cáo viên, tuyên truyền viên giỏi tháng 8/2024",
        "Báo cáo viên, tuyên truyền viên giỏi tháng 8",
        "Quyết định công nhận báo cáo viên tháng 3/2024",
        "Hội nghị tổng kết công tác năm 2023 của Sở Tài nguyên và Môi trường",
        "Báo cáo tình hình kinh tế - xã hội tháng 9 và 9 tháng năm 2024",
        "Theo báo cáo của Ban An toàn giao thông tỉnh, tháng 9/2024",
        "Hội nghị tuyên truyền, phổ biến pháp luật cho đồng bào dân tộc thiểu số",
        "Hướng dẫn tuyên truyền kỷ niệm 50 năm Ngày Giải phóng miền Nam",
        "Đội ngũ báo cáo viên cấp huyện còn mỏng",
    ],
)
def test_does_not_name_conference(text: str) -> None:
    assert not names_conference(text)


def test_names_conference_looks_at_every_text() -> None:
    assert names_conference("Tin tức", "Sáng 5/2, Ban Tuyên giáo tổ chức Hội nghị báo cáo viên tháng 2/2026.")
    assert not names_conference("Tin tức", "Thời tiết")
    assert not names_conference()


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_names_conference_and_recognise_take_any_text(text: str) -> None:
    names_conference(text)
    try:
        document = load_text(text)
    except UnsupportedDocument:
        return
    result = recognise(document, title=text[:80], summary=text)
    assert (result.bulletin is None) == (result.verdict is Verdict.NOT)
    assert result.reasons


# --------------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------------


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_articles", WATCH / "make_articles.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_committed_pages_and_feeds_are_what_the_generator_builds() -> None:
    built: dict[str, bytes] = generator().build_all()
    committed = {
        str(p.relative_to(WATCH)): p.read_bytes()
        for folder in ("articles", "feeds")
        for p in (WATCH / folder).iterdir()
    }
    assert sorted(built) == sorted(committed)
    assert [name for name in built if built[name] != committed[name]] == []
