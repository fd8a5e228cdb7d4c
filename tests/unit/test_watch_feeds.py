"""bot.watch.feeds: RSS, Atom and HTML listings read into items; links normalised; sniffing past lying
content types; broken input refused with ListingError and nothing else.

Fixtures are in tests/data/watch/feeds (built by tests/data/watch/make_articles.py; the README there
says what each holds). Feeds are read as if fetched from /feeds/<file> of the test site.
"""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.watch.feeds import MAX_ITEMS, Item, Listing, ListingError, normalise_link, read_listing

FEEDS = Path(__file__).resolve().parents[1] / "data" / "watch" / "feeds"
SITE = "https://tuyengiao.example.vn"
CATEGORY = "https://portal.example.vn/chuyen-muc/tin-tuc-su-kien"


def fixture(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def article(name: str, site: str = SITE) -> str:
    return f"{site}/tin-tuc/{name}.html"


def refused(body: bytes, url: str = SITE + "/feeds/x", content_type: str | None = None) -> ListingError:
    with pytest.raises(ListingError) as caught:
        read_listing(body, url, content_type)
    return caught.value


def by_key(listing: Listing) -> dict[str, Item]:
    return {item.key: item for item in listing.items}


# --------------------------------------------------------------------------------------------------
# RSS
# --------------------------------------------------------------------------------------------------

RSS_KEYS = [
    article("fam-thu-nhat-la"),
    article("news-bao-so-3"),
    article("case01"),
    article("news-tap-huan-bao-cao-vien"),
    article("fam-paragraphs"),
    article("news-dai-hoi-dang-bo"),
    article("news-anh-hoi-nghi-bcv"),
    article("fam-keycaps"),
    "tg-108",
    article("case05"),
    article("news-nang-cao-chat-luong-hnbcv"),
    article("fam-date-byline"),
    article("fam-roman-sections"),
]


@pytest.fixture(scope="module")
def rss() -> Listing:
    return read_listing(fixture("rss.xml"), SITE + "/feeds/rss.xml", "application/rss+xml")


def test_rss_items_in_order_each_once(rss: Listing) -> None:
    assert rss.kind == "rss"
    assert [item.key for item in rss.items] == RSS_KEYS  # case01's second listing (utm, #top) is the same key


def test_rss_relative_links_resolve_against_the_feed(rss: Listing) -> None:
    items = by_key(rss)
    assert items[article("fam-thu-nhat-la")].link == article("fam-thu-nhat-la")  # "/tin-tuc/…"
    assert items[article("news-bao-so-3")].key == article("news-bao-so-3")  # "../tin-tuc/…" from /feeds/


def test_rss_link_as_listed_key_without_tracking(rss: Listing) -> None:
    item = by_key(rss)[article("news-bao-so-3")]
    assert item.link == article("news-bao-so-3") + "?utm_source=facebook&utm_medium=social&fbclid=IwAR0x#binh-luan"
    assert item.title == "Chủ động ứng phó bão số 3, sẵn sàng sơ tán người dân khỏi vùng nguy hiểm"


def test_rss_text_is_plain(rss: Listing) -> None:
    item = rss.items[0]
    assert item.title == "Nghệ An: Hội nghị Báo cáo viên Tỉnh ủy tháng 10/2024 định hướng sáu nội dung tuyên truyền"
    assert item.summary.startswith("(ĐCSVN) - Ngày 11/10, Ban Tuyên giáo Tỉnh ủy Nghệ An tổ chức Hội nghị Báo cáo viên")
    assert "<" not in item.summary and "  " not in item.summary
    assert item.published == "2024-10-12"


def test_rss_entry_without_link_is_keyed_by_its_guid(rss: Listing) -> None:
    item = by_key(rss)["tg-108"]
    assert item.link == ""
    assert item.title == "Ngành Kế hoạch và Đầu tư xác định 5 nhiệm vụ trọng tâm năm 2025"
    assert item.published == "2025-01-08"


def test_rss_date_is_the_feeds_own_day_not_utc(rss: Listing) -> None:
    # pubDate "Wed, 05 Apr 2023 00:30:00 +0700" is 4 April in UTC.
    assert by_key(rss)[article("fam-date-byline")].published == "2023-04-05"


def test_rss_duplicate_keeps_the_first_listing(rss: Listing) -> None:
    item = by_key(rss)[article("case01")]
    assert item.summary.startswith("Sáng 17/11/2021, Ban Tuyên giáo Trung ương")  # the second has no description


def test_rss_long_description_is_cut_at_a_word(rss: Listing) -> None:
    item = rss.items[-1]
    assert item.title == "Thông báo dài"
    assert len(item.summary) <= 1000
    assert item.summary.endswith("…")
    assert item.summary.startswith("Ngày 2/6/2023, Ban Tuyên giáo Đảng ủy Khối Doanh nghiệp Trung ương")
    assert item.published is None


@pytest.mark.parametrize(
    "content_type", ["text/html", "text/html; charset=iso-8859-1", "application/octet-stream", None]
)
def test_rss_served_with_a_lying_content_type(rss: Listing, content_type: str | None) -> None:
    assert read_listing(fixture("rss.xml"), SITE + "/feeds/rss.xml", content_type) == rss


# --------------------------------------------------------------------------------------------------
# Atom
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def atom() -> Listing:
    return read_listing(fixture("atom.xml"), SITE + "/feeds/atom.xml", "text/xml")


def test_atom_items_resolve_against_xml_base(atom: Listing) -> None:
    assert atom.kind == "atom"
    assert [item.key for item in atom.items] == [
        article(name)
        for name in (
            "fam-roman-sections", "news-tong-ket-tuyen-giao", "seed-2021-10-haiphong", "news-hoi-thi-bao-cao-vien-gioi",
            "fam-official-letter", "news-hoi-nghi-bcv-chuyen-de", "fam-pdf-wraps", "news-kinh-te-quy-3",
        )
    ]  # fmt: skip


def test_atom_dates_summaries_and_content(atom: Listing) -> None:
    items = by_key(atom)
    only_updated = items[article("fam-roman-sections")]
    assert only_updated.published == "2023-06-05"
    assert only_updated.title.startswith("Thông báo kết quả Hội nghị báo cáo viên Đảng ủy Khối Doanh nghiệp")
    from_content = items[article("seed-2021-10-haiphong")]  # <content type="html">, no summary
    assert from_content.summary.startswith("Vừa qua, Đảng ủy Khối các cơ quan Trung ương tổ chức Hội nghị")
    assert "<" not in from_content.summary
    assert items[article("news-kinh-te-quy-3")].published == "2024-10-05"


# --------------------------------------------------------------------------------------------------
# HTML listing page
# --------------------------------------------------------------------------------------------------

LISTING_KEYS = [
    article(name, "https://portal.example.vn")
    for name in (
        "case02", "news-tong-ket-cong-tac-nam", "fam-letters", "news-thoi-tiet-ret-dam", "fam-nhiem-vu",
        "news-hoi-nghi-tuyen-truyen-phap-luat", "fam-dash", "news-giai-ngan-dau-tu-cong", "news-bong-da-v-league",
    )
] + ["https://portal.example.vn/uploads/thong-bao-ket-qua-hoi-nghi-bao-cao-vien-thang-5-2023.pdf"]  # fmt: skip


@pytest.fixture(scope="module")
def listing() -> Listing:
    return read_listing(fixture("listing.html"), CATEGORY, "text/html; charset=utf-8")


def test_listing_page_gives_the_article_links_of_its_content(listing: Listing) -> None:
    """Left out: menu, header ("hot news"), breadcrumb, the category's own link, pagination, search, a
    lone "Chi tiết", a photo, a short "Tải về", another host, the sidebar's "Đọc nhiều" and the footer."""
    assert listing.kind == "html"
    assert [item.key for item in listing.items] == LISTING_KEYS


def test_listing_featured_story(listing: Listing) -> None:
    featured = listing.items[0]
    assert featured.link == article("case02", "https://portal.example.vn") + "?zarsrc=31&utm_source=zalo"
    assert featured.title == "Hội nghị báo cáo viên Thành ủy tháng 6.2023: nêu bảy vấn đề cần tập trung tuyên truyền"
    assert featured.summary.startswith("Chiều 27.6, Ban Tuyên giáo Thành ủy Hải Phòng tổ chức hội nghị báo cáo viên")
    assert "Xem thêm" not in featured.summary
    assert featured.published is None


def test_listing_items_take_heading_sapo_and_date(listing: Listing) -> None:
    item = by_key(listing)[article("fam-letters", "https://portal.example.vn")]
    assert item.title == "Hội nghị báo cáo viên Thành ủy Đà Nẵng tháng Mười Một năm 2024"
    assert item.summary.startswith("(BĐN) - Sáng 6/11, Ban Tuyên giáo Thành ủy Đà Nẵng")  # the first listing's sapo
    assert item.published == "2024-11-07"
    weather = by_key(listing)[article("news-thoi-tiet-ret-dam", "https://portal.example.vn")]
    assert weather.published == "2024-12-16"
    assert weather.summary.startswith("Từ đêm 16/12, một bộ phận không khí lạnh")


def test_listing_short_title_kept_in_a_repeated_item_with_a_heading(listing: Listing) -> None:
    item = by_key(listing)[article("news-bong-da-v-league", "https://portal.example.vn")]
    assert item.title == "Nam Định thắng"
    assert item.summary == ""
    assert item.published == "2024-11-10"


def test_listing_keeps_a_document_link(listing: Listing) -> None:
    pdf = listing.items[-1]
    assert pdf.title == "Thông báo kết quả Hội nghị báo cáo viên tháng 5/2023 (tệp PDF)"


@pytest.mark.parametrize("content_type", ["text/xml", "application/rss+xml", None])
def test_listing_served_with_a_lying_content_type(listing: Listing, content_type: str | None) -> None:
    assert read_listing(fixture("listing.html"), CATEGORY, content_type) == listing


@pytest.mark.parametrize("content_type", [None, "text/html", "text/html; charset=windows-1258"])
def test_listing_in_windows_1258(listing: Listing, content_type: str | None) -> None:
    assert read_listing(fixture("listing-windows-1258.html"), CATEGORY, content_type) == listing


def test_listing_in_windows_1258_whatever_the_server_claims(listing: Listing) -> None:
    # The bytes are no UTF-8: the page's own <meta charset> is tried next.
    assert read_listing(fixture("listing-windows-1258.html"), CATEGORY, "text/html; charset=utf-8") == listing


def page(body: str, head: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


LONG = "Hội nghị báo cáo viên tháng {} tập trung tuyên truyền sáu nội dung"


def keys(body: bytes, url: str = "https://p.vn/tin-tuc/") -> list[str]:
    return [item.key for item in read_listing(body, url, "text/html").items]


def test_html_chrome_is_left_out() -> None:
    body = page(
        f'<header><a href="/a1.html">{LONG.format(1)}</a></header>'
        f'<nav><a href="/a2.html">{LONG.format(2)}</a></nav>'
        f'<div class="main-menu"><a href="/a3.html">{LONG.format(3)}</a></div>'
        f'<div id="breadcrumb"><a href="/a4.html">{LONG.format(4)}</a></div>'
        f'<div class="box-sidebar"><a href="/a5.html">{LONG.format(5)}</a></div>'
        f'<aside><a href="/a6.html">{LONG.format(6)}</a></aside>'
        f'<div style="display: none"><a href="/a7.html">{LONG.format(7)}</a></div>'
        f'<div class="box-doc-nhieu"><ul><li><a href="/a10.html">{LONG.format(10)}</a></li></ul></div>'
        f'<div id="site-footer"><a href="/a11.html">{LONG.format(11)}</a></div>'
        f'<div class="content"><p><a href="/ok.html">{LONG.format(8)}</a></p></div>'
        f'<footer><a href="/a9.html">{LONG.format(9)}</a></footer>'
    )
    assert keys(body) == ["https://p.vn/ok.html"]


def test_html_header_inside_an_article_is_the_articles_own() -> None:
    body = page('<article><header><h2><a href="/bai-1.html">Bão số 3</a></h2></header><p>Sapo ngắn.</p></article>')
    listing = read_listing(body, "https://p.vn/", None)
    assert [(i.key, i.title, i.summary) for i in listing.items] == [
        ("https://p.vn/bai-1.html", "Bão số 3", "Sapo ngắn.")
    ]


def test_html_short_anchor_needs_article_structure() -> None:
    body = page(
        '<div class="content"><p><a href="/a.html">Xem chi tiết</a></p>'
        '<ul><li><a href="/b.html">Giá xăng giảm</a></li><li><a href="/c.html">Giá vàng tăng</a></li></ul>'
        '<div class="news"><h3><a href="/d.html">Bão số 3</a></h3><p>Gió giật cấp 17.</p></div>'
        '<div class="news"><h3><a href="/e.html">Rét đậm</a></h3><p>Nhiệt độ dưới 10 độ C.</p></div>'
        '<article><a href="/f.html">Lễ hội</a></article></div>'
    )
    assert keys(body) == ["https://p.vn/d.html", "https://p.vn/e.html", "https://p.vn/f.html"]


def test_html_links_that_are_no_articles() -> None:
    targets = [
        "https://other.vn/bai.html", "/tin-tuc/", "/tin-tuc", "/", "#top", "/tag/bao-cao-vien", "/chuyen-muc/kinh-te",
        "/the-loai/thoi-su.html", "/tim-kiem?q=bcv", "/search?keyword=x", "/dang-nhap", "/rss/tin-tuc.rss",
        "/feed/", "/tin-tuc/trang-2.html", "/tin-tuc?page=2", "/uploads/anh.jpg", "/uploads/bang.xlsx",
        "javascript:void(0)", "mailto:a@p.vn", "tel:0200", "/tac-gia/minh-anh",
    ]  # fmt: skip
    kept = [
        "/uploads/thong-bao.pdf",
        "/uploads/huong-dan.docx",
        "http://www.p.vn/bai-www.html",
        "/tin-tuc/bai.aspx?id=12",
    ]
    anchors = "".join(f'<p><a href="{t}">{LONG.format(i)}</a></p>' for i, t in enumerate(targets + kept))
    assert keys(page(anchors)) == [normalise_link(t, "https://p.vn/tin-tuc/") for t in kept]


def test_html_base_href_and_relative_links() -> None:
    body = page(f'<p><a href="bai-1.html">{LONG.format(1)}</a></p>', head='<base href="https://p.vn/tin-tuc/2024/">')
    assert keys(body, "https://p.vn/trang-chu") == ["https://p.vn/tin-tuc/2024/bai-1.html"]


def test_html_image_link_and_heading_link_are_one_item_titled_by_the_heading() -> None:
    body = page(
        '<div class="list">'
        '<div class="item"><a href="/a.html"><img src="a.jpg" alt="ảnh"></a><h3><a href="/a.html">Tin A: hội nghị'
        ' báo cáo viên tháng 3</a></h3><time datetime="2024-03-07T08:00:00+07:00">7/3</time>'
        '<div class="desc">Sáng 6/3, Ban Tuyên giáo tổ chức hội nghị.</div><a href="/chuyen-muc/x">Thời sự</a></div>'
        '<div class="item"><a href="/b.html"><img src="b.jpg" alt="Tin B bằng ảnh thôi không có tiêu đề"></a></div>'
        "</div>"
    )
    listing = read_listing(body, "https://p.vn/", None)
    assert [(i.key, i.title, i.summary, i.published) for i in listing.items] == [
        ("https://p.vn/a.html", "Tin A: hội nghị báo cáo viên tháng 3", "Sáng 6/3, Ban Tuyên giáo tổ chức hội nghị.",
         "2024-03-07"),
        ("https://p.vn/b.html", "Tin B bằng ảnh thôi không có tiêu đề", "", None),
    ]  # fmt: skip


def test_html_table_rows_as_items() -> None:
    rows = "".join(
        f'<tr><td>{d}/01/2025</td><td><a href="/vb/{n}.pdf">Thông báo số {n}-TB/BTGTU kết quả hội nghị</a></td></tr>'
        for n, d in ((12, 10), (11, 3))
    )
    listing = read_listing(page(f"<table>{rows}</table>"), "https://p.vn/van-ban", None)
    assert [(i.key, i.published) for i in listing.items] == [
        ("https://p.vn/vb/12.pdf", "2025-01-10"),
        ("https://p.vn/vb/11.pdf", "2025-01-03"),
    ]


def test_html_with_no_article_links_is_not_a_listing() -> None:
    error = refused(
        page('<nav><a href="/a.html">Trang chủ</a></nav><p>Nội dung đang cập nhật.</p><a href="/b.html">Chi tiết</a>')
    )
    assert error.reason == "not_a_listing"
    assert "no article links" in error.detail


# --------------------------------------------------------------------------------------------------
# Broken, sloppy and odd input
# --------------------------------------------------------------------------------------------------


def test_malformed_feed() -> None:
    error = refused(fixture("malformed.xml"), content_type="application/rss+xml")
    assert error.reason == "malformed"
    assert "no entries" in error.detail


def test_sloppy_feed_still_gives_its_items() -> None:
    listing = read_listing(fixture("sloppy-rss.xml"), SITE + "/feeds/sloppy-rss.xml", "text/html; charset=utf-8")
    assert listing.kind == "rss"
    assert [i.key for i in listing.items] == [
        article(n) for n in ("fam-two-digit", "news-chuyen-doi-so", "fam-slash", "news-phong-chay-rung", "fam-noi-dung")
    ]
    assert listing.items[1].title.startswith("Chuyển đổi số & Tháng hành động: Tỉnh phát động")
    assert listing.items[4].title == "Hội nghị báo cáo viên tháng chín: Cà Mau định hướng 5 nội dung tuyên truyền"


def rss_of(items: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return f'{prolog}<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


def test_empty_feed_is_an_empty_listing() -> None:
    assert read_listing(rss_of(""), SITE + "/rss", None) == Listing("rss", ())


def test_feed_whose_entries_name_nothing_is_not_a_listing() -> None:
    assert refused(rss_of("<item><title>Không có liên kết</title></item>")).reason == "not_a_listing"


def test_xml_that_is_no_feed() -> None:
    sitemap = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>x</loc></url></urlset>'
    assert refused(sitemap, content_type="application/xml").reason == "not_a_listing"


@pytest.mark.parametrize("body", [b"", b"   \n\t ", b"\xef\xbb\xbf"])
def test_empty_body(body: bytes) -> None:
    assert refused(body).reason == "not_a_listing"


def test_rss_1_0_rdf_is_rss() -> None:
    rdf = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>T</title></channel>'
        b'<item rdf:about="/a.html"><title>A</title><link>/a.html</link></item></rdf:RDF>'
    )
    listing = read_listing(rdf, "https://p.vn/rss", "text/html")
    assert listing.kind == "rss"
    assert [i.key for i in listing.items] == ["https://p.vn/a.html"]


def test_feed_with_bom_comments_and_stylesheet_is_sniffed_as_a_feed() -> None:
    body = codecs.BOM_UTF8 + b'\n  <?xml version="1.0"?>\n<!-- generated -->\n<?xml-stylesheet href="/rss.xsl"?>\n'
    body += rss_of("<item><title>Tin A</title><link>/a.html</link></item>", prolog="")
    assert [i.title for i in read_listing(body, "https://p.vn/rss", "text/html").items] == ["Tin A"]


def test_utf16_feed() -> None:
    body = rss_of("<item><title>Hội nghị báo cáo viên</title><link>/a.html</link></item>", prolog="")
    utf16 = codecs.BOM_UTF16_LE + body.decode().replace(
        "<rss", '<?xml version="1.0" encoding="utf-16"?><rss', 1
    ).encode("utf-16-le")
    assert [i.title for i in read_listing(utf16, "https://p.vn/rss", None).items] == ["Hội nghị báo cáo viên"]


def test_xhtml_page_served_as_xml_is_read_as_html() -> None:
    body = b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
    body += f'<ul><li><a href="/a.html">{LONG.format(1)}</a></li></ul></body></html>'.encode()
    listing = read_listing(body, "https://p.vn/", "application/xml")
    assert listing.kind == "html"
    assert [i.key for i in listing.items] == ["https://p.vn/a.html"]


def test_a_body_naming_a_local_file_is_never_opened(tmp_path: Path) -> None:
    """feedparser opens bytes that name a file (feedparser.api._open_resource); the reader must hand it a
    file object, so a body that is a path is just a (broken) document."""
    secret = tmp_path / "feed.xml"
    secret.write_bytes(rss_of("<item><title>Bí mật</title><link>/bi-mat.html</link></item>"))
    error = refused(str(secret).encode(), content_type="application/rss+xml")
    assert error.reason in {"malformed", "not_a_listing"}


def test_at_most_max_items_from_a_feed() -> None:
    items = "".join(f"<item><title>Tin {n}</title><link>/tin-{n}.html</link></item>" for n in range(MAX_ITEMS + 50))
    listing = read_listing(rss_of(items), "https://p.vn/rss", None)
    assert [i.key for i in listing.items] == [f"https://p.vn/tin-{n}.html" for n in range(MAX_ITEMS)]


def test_at_most_max_items_from_a_page_after_dedup() -> None:
    lis = "".join(
        f'<li><a href="/tin-{n // 2}.html">Tin số {n // 2} về hội nghị báo cáo viên</a></li>'
        for n in range(2 * (MAX_ITEMS + 10))
    )
    listing = read_listing(page(f"<ul>{lis}</ul>"), "https://p.vn/", None)
    assert [i.key for i in listing.items] == [f"https://p.vn/tin-{n}.html" for n in range(MAX_ITEMS)]


# --------------------------------------------------------------------------------------------------
# normalise_link
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "base", "expected"),
    [
        ("/tin-tuc/a.html", "https://p.vn/feeds/rss.xml", "https://p.vn/tin-tuc/a.html"),
        ("../tin-tuc/a.html", "https://p.vn/feeds/rss.xml", "https://p.vn/tin-tuc/a.html"),
        ("a.html", "https://p.vn/tin-tuc/", "https://p.vn/tin-tuc/a.html"),
        ("HTTP://P.VN:80/Tin-Tuc/A.html", "", "http://p.vn/Tin-Tuc/A.html"),  # the path keeps its case
        ("https://p.vn:443/a", "", "https://p.vn/a"),
        ("https://p.vn:8443/a", "", "https://p.vn:8443/a"),
        ("https://p.vn", "", "https://p.vn/"),
        ("https://p.vn/a.html#binh-luan", "", "https://p.vn/a.html"),
        ("//cdn.p.vn/a.html", "https://p.vn/", "https://cdn.p.vn/a.html"),
        (
            "https://p.vn/a?utm_source=fb&id=5&fbclid=x&utm_medium=social&gclid=1&zarsrc=30&b=2",
            "",
            "https://p.vn/a?id=5&b=2",
        ),
        ("https://p.vn/a?UTM_Campaign=x&zarsrc_31=1", "", "https://p.vn/a"),
        ("https://p.vn/a?b=2&a=1", "", "https://p.vn/a?b=2&a=1"),  # order kept
        ("https://p.vn/a?q=h%E1%BB%99i+ngh%E1%BB%8B", "", "https://p.vn/a?q=h%E1%BB%99i+ngh%E1%BB%8B"),  # spelling kept
        ("  https://p.vn/a\n.html\t ", "", "https://p.vn/a.html"),
        ("https://user@P.vn/a", "", "https://user@p.vn/a"),
        ("https://[2001:DB8::1]:443/a", "", "https://[2001:db8::1]/a"),
        ("https://p.vn:abc/a", "", "https://p.vn:abc/a"),  # a port that is no number: left as written
        ("tg-108", "", "tg-108"),
    ],
)
def test_normalise_link(link: str, base: str, expected: str) -> None:
    assert normalise_link(link, base) == expected


@given(st.text(max_size=80), st.sampled_from(["", "https://p.vn/feeds/rss.xml", "http://[::1", "ftp://x"]))
def test_normalise_link_never_raises_and_is_idempotent(link: str, base: str) -> None:
    once = normalise_link(link, base)
    assert normalise_link(once, "") == once


# --------------------------------------------------------------------------------------------------
# Anything in: a Listing or a ListingError
# --------------------------------------------------------------------------------------------------

CONTENT_TYPES = [None, "text/html", "text/xml", "application/rss+xml", "application/atom+xml; charset=utf-8", "x/y"]
FIXTURES = sorted(p.name for p in FEEDS.iterdir())


def check_reads_or_refuses(body: bytes, content_type: str | None) -> None:
    try:
        listing = read_listing(body, "https://p.vn/feeds/x.xml", content_type)
    except ListingError as error:
        assert error.reason in {"malformed", "not_a_listing"}
        return
    assert listing.kind in {"rss", "atom", "html"}
    assert len(listing.items) <= MAX_ITEMS
    assert len({i.key for i in listing.items}) == len(listing.items)
    for item in listing.items:
        assert item.key and len(item.summary) <= 1000
        assert item.published is None or len(item.published) == 10


@settings(max_examples=300)
@given(st.binary(max_size=2000), st.sampled_from(CONTENT_TYPES))
def test_random_bytes_give_a_listing_or_a_listing_error(body: bytes, content_type: str | None) -> None:
    check_reads_or_refuses(body, content_type)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIXTURES), st.integers(0, 2**32 - 1), st.sampled_from(CONTENT_TYPES))
def test_mangled_fixtures_give_a_listing_or_a_listing_error(name: str, seed: int, content_type: str | None) -> None:
    """Cut, spliced, with bytes flipped or tags repeated: what a broken server or proxy hands over."""
    rng = random.Random(seed)
    body = bytearray(fixture(name))
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(body))
        action = rng.randrange(5)
        if action == 0:
            del body[at:]
        elif action == 1:
            body[at : at + rng.randint(1, 40)] = bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
        elif action == 2:
            body[at:at] = rng.choice(
                [b"<", b"&", b"]]>", b"<![CDATA[", b"<item>", b"</channel>", b"\x00", b"<div>" * 300]
            )
        elif action == 3:
            body[at:at] = body[: rng.randint(0, 500)]
        else:
            body[at] ^= 1 << rng.randrange(8)
        if not body:
            break
    check_reads_or_refuses(bytes(body), content_type)


def test_deep_nesting_is_read_or_refused() -> None:
    check_reads_or_refuses(page("<div>" * 5000 + f'<a href="/a.html">{LONG.format(1)}</a>' + "</div>" * 5000), None)
    check_reads_or_refuses(b"<rss><channel>" + b"<item>" * 5000 + b"</channel></rss>", None)


def test_listing_error_carries_reason_and_detail() -> None:
    error = ListingError("malformed", "the XML is cut off")
    assert (error.reason, error.detail) == ("malformed", "the XML is cut off")
    assert str(error) == "malformed: the XML is cut off"
