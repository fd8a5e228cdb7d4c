"""Build the watcher's test pages and feeds in ``tests/data/watch/`` from the example bulletins and the news.

    .venv/bin/python tests/data/watch/make_articles.py            # rebuild every file
    .venv/bin/python tests/data/watch/make_articles.py --check    # rebuild in memory, fail if any differs

``articles/<example>.html``: each example bulletin of ``tests/data/*.txt`` in a whole portal page (one of
three site layouts: header with the site's "today", menu, breadcrumb, share and font tools, tags,
"Tin liên quan", a sidebar of "Tin mới" / "Đọc nhiều", footer); its lines are the article's paragraphs,
the headline line an ``<h1>``, the lines above it the article's top (as saved pages carry them).
``articles/news-*.html``: the ordinary news of ``news/news-*.txt`` in the same layouts (headline,
date line, sapo, paragraphs, bullet lists, photos with captions, byline).
``feeds/``: RSS, Atom, an HTML category page, a Windows-1258 copy of it, a broken and a sloppy feed
listing these articles at ``/tin-tuc/<name>.html``; they are meant to be served at ``/feeds/<file>``
(relative links such as ``../tin-tuc/x.html`` and the Atom ``xml:base`` resolve from there).

The output is deterministic; the files are committed and the tests never run this script.
``README.md`` beside it says what each file is and the verdict each article must get.
"""

# ruff: noqa: E501  (the page templates are HTML lines as a portal writes them)
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import json
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DATA = ROOT / "tests" / "data"
sys.path.insert(0, str(ROOT))

from bot.domain.textnorm import has_html, normalize_text  # noqa: E402

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
e = html.escape


@dataclass(frozen=True)
class Article:
    name: str
    title: str
    lead: str
    published: str | None  # YYYY-MM-DD
    time: str  # HH:MM
    section: str
    body: str  # HTML of the article's content
    top: str  # HTML above the headline (bulletin examples only)
    meta: str  # HTML of the date/byline line under the headline (news only)
    author: str
    bulletin: bool


@dataclass(frozen=True)
class Site:
    host: str
    name: str
    short: str
    today: str


SITES = [
    Site(
        "tuyengiao.example.vn",
        "TRANG THÔNG TIN ĐIỆN TỬ BAN TUYÊN GIÁO TỈNH ỦY",
        "Ban Tuyên giáo",
        "Thứ Hai, 06/01/2025",
    ),
    Site("dangcongsan.example.vn", "BÁO ĐIỆN TỬ ĐẢNG BỘ TỈNH", "Báo Đảng bộ", "Chủ Nhật, 12/01/2025"),
    Site("portal.example.vn", "CỔNG THÔNG TIN ĐIỆN TỬ TỈNH", "Cổng thông tin tỉnh", "Thứ Tư, 08/01/2025"),
]
MENU = ["Tin tức - Sự kiện", "Chính trị", "Xây dựng Đảng", "Kinh tế", "Văn hóa - Xã hội", "Pháp luật", "Thể thao"]
SLUG = {
    "Tin tức - Sự kiện": "tin-tuc-su-kien", "Chính trị": "chinh-tri", "Xây dựng Đảng": "xay-dung-dang",
    "Kinh tế": "kinh-te", "Văn hóa - Xã hội": "van-hoa-xa-hoi", "Pháp luật": "phap-luat", "Thể thao": "the-thao",
}  # fmt: skip


def weekday_line(date: str, time: str) -> str:
    day = dt.date.fromisoformat(date)
    return f"{WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y} {time}"


def site_of(name: str) -> Site:
    return SITES[int(hashlib.sha256(name.encode()).hexdigest(), 16) % len(SITES)]


# --------------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------------


def bulletin_article(path: Path) -> Article:
    name = path.stem
    expected = json.loads((DATA / f"{name}.expected.json").read_text(encoding="utf-8"))
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    title = expected["title"]
    lines = [line for line in normalize_text(raw).split("\n") if line]
    at = lines.index(title) if title in lines else -1
    # The sapo a portal would put in its description: the first sentence-like paragraph after the title.
    lead = next((line for line in lines[at + 1 :] if len(line.split()) >= 15 and "|" not in line), title)
    published = expected["published"]
    if has_html(text):  # a saved fragment (case07): the portal's own markup goes in as it is
        return Article(name, title, lead, published, "08:00", "Xây dựng Đảng", text.strip(), "", "", "", True)
    top = "".join(f"<p>{e(line)}</p>\n" for line in lines[:at]) if at > 0 else ""
    rest = lines[at + 1 :] if at >= 0 else lines
    body = "".join(f"<p>{e(line)}</p>\n" for line in rest)
    return Article(name, title, lead, published, "08:00", "Xây dựng Đảng", body, top, "", "", True)


def news_article(path: Path) -> Article:
    head, _, text = path.read_text(encoding="utf-8").partition("\n\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    date, time = fields["date"].split()
    body: list[str] = []
    bullets: list[str] = []
    photo = 0

    def flush() -> None:
        if bullets:
            body.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in bullets) + "</ul>\n")
            bullets.clear()

    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        if line.startswith("* "):
            bullets.append(line[2:])
            continue
        flush()
        if line.startswith("[ảnh] "):
            photo += 1
            body.append(
                f'<figure class="image"><img src="/uploads/{path.stem}-{photo}.jpg" alt="">'
                f"<figcaption>{e(line[6:])}</figcaption></figure>\n"
            )
        elif line.startswith("## "):
            body.append(f"<h2>{e(line[3:])}</h2>\n")
        else:
            body.append(f"<p>{e(line)}</p>\n")
    flush()
    lead = fields["lead"]
    content = f'<p class="sapo"><strong>{e(lead)}</strong></p>\n' + "".join(body)
    content += f'<p class="author" style="text-align:right"><strong>{e(fields["author"])}</strong></p>\n'
    meta = f'<span class="date">{e(weekday_line(date, time))}</span>'
    return Article(path.stem, fields["title"], lead, date, time, fields["section"], content, "", meta, "", False)


def all_articles() -> list[Article]:
    bulletins = [bulletin_article(p) for p in sorted(DATA.glob("*.txt"))]
    news = [news_article(p) for p in sorted((HERE / "news").glob("news-*.txt"))]
    return bulletins + news


# --------------------------------------------------------------------------------------------------
# Article pages
# --------------------------------------------------------------------------------------------------

STYLE = "body{font-family:Arial,sans-serif}.menu li{display:inline-block}.sidebar{float:right;width:30%}"
SCRIPT = "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());"


def link_list(others: list[Article]) -> str:
    return "".join(f'<li><a href="/tin-tuc/{o.name}.html">{e(o.title)}</a></li>' for o in others)


def article_page(article: Article, related: list[Article], newest: list[Article]) -> str:
    site = site_of(article.name)
    url = f"https://{site.host}/tin-tuc/{article.name}.html"
    section_slug = SLUG.get(article.section, "tin-tuc-su-kien")
    published_meta = (
        f'<meta property="article:published_time" content="{article.published}T{article.time}:00+07:00">\n'
        if article.published
        else ""
    )
    menu = "".join(f'<li><a href="/chuyen-muc/{SLUG[m]}">{e(m)}</a></li>' for m in MENU)
    tags = "".join(
        f'<a href="/tag/{t}">{e(label)}</a> ' for t, label in (("tuyen-giao", "tuyên giáo"), ("thoi-su", "thời sự"))
    )
    meta = (
        f'<div class="meta">{article.meta} | <span class="views">Lượt xem: 1.215</span></div>\n' if article.meta else ""
    )
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(article.title)} - {e(site.short)}</title>
<meta name="description" content="{e(article.lead)}">
<meta property="og:title" content="{e(article.title)}">
<meta property="og:type" content="article">
<meta property="og:url" content="{url}">
{published_meta}<link rel="canonical" href="{url}">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feeds/rss.xml">
<style>{STYLE}</style>
<script>{SCRIPT}</script>
</head>
<body>
<div id="wrapper">
<header id="header">
<div class="top-bar"><span class="today">{e(site.today)}</span> | <a href="/dang-nhap">Đăng nhập</a> | <a href="/feeds/rss.xml">RSS</a></div>
<div class="logo"><a href="/"><img src="/images/logo.png" alt="{e(site.name)}"></a><span>{e(site.name)}</span></div>
<form class="search" action="/tim-kiem"><input name="q" placeholder="Tìm kiếm..."></form>
</header>
<nav class="main-menu"><ul class="menu"><li><a href="/">Trang chủ</a></li>{menu}</ul></nav>
<div class="container">
<div class="main-col">
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/chuyen-muc/{section_slug}">{e(article.section)}</a></div>
<article class="news-detail">
<div class="article-top">
{article.top}</div>
<h1 class="news-title">{e(article.title)}</h1>
{meta}<div class="print-tools">A- | A | A+ | <a href="javascript:window.print()">In bài</a> | <a href="mailto:?subject=tin">Gửi email</a></div>
<div class="news-content">
{article.body}</div>
<div class="tags">Từ khóa: {tags}</div>
<div class="share">Chia sẻ: <a href="https://www.facebook.com/sharer/sharer.php?u={url}">Facebook</a> <a href="https://zalo.me/share?u={url}">Zalo</a></div>
</article>
<div class="related-news">
<h3>Tin liên quan</h3>
<ul>{link_list(related)}</ul>
</div>
</div>
<aside class="sidebar">
<div class="box"><h3>Tin mới</h3><ul>{link_list(newest)}</ul></div>
<div class="box"><h3>Đọc nhiều</h3><ul>{link_list(list(reversed(newest)))}</ul></div>
</aside>
</div>
<footer id="footer">
<p>{e(site.name)}</p>
<p>Giấy phép số 12/GP-TTĐT do Sở Thông tin và Truyền thông cấp. Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p>
<p>Địa chỉ: Số 1, đường Trần Hưng Đạo, thành phố. Điện thoại: 0200.3800.000. Email: banbientap@example.vn</p>
</footer>
</div>
</body>
</html>
"""


def build_articles(articles: list[Article]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    n = len(articles)
    for i, article in enumerate(articles):
        related = [articles[(i + k) % n] for k in (1, 2, 3, 5)]
        newest = [articles[(i + k) % n] for k in (7, 11, 13, 17, 19)]
        out[f"articles/{article.name}.html"] = article_page(article, related, newest).encode("utf-8")
    return out


# --------------------------------------------------------------------------------------------------
# Feeds and the listing page
# --------------------------------------------------------------------------------------------------

RSS_ITEMS = [
    "fam-thu-nhat-la", "news-bao-so-3", "case01", "news-tap-huan-bao-cao-vien", "fam-paragraphs",
    "news-dai-hoi-dang-bo", "news-anh-hoi-nghi-bcv", "fam-keycaps", "news-5-nhiem-vu-trong-tam", "case05",
    "news-nang-cao-chat-luong-hnbcv", "fam-date-byline",
]  # fmt: skip
ATOM_ITEMS = [
    "fam-roman-sections", "news-tong-ket-tuyen-giao", "seed-2021-10-haiphong", "news-hoi-thi-bao-cao-vien-gioi",
    "fam-official-letter", "news-hoi-nghi-bcv-chuyen-de", "fam-pdf-wraps", "news-kinh-te-quy-3",
]  # fmt: skip
LISTING_ITEMS = [
    "case02", "news-tong-ket-cong-tac-nam", "fam-letters", "news-thoi-tiet-ret-dam", "fam-nhiem-vu",
    "news-hoi-nghi-tuyen-truyen-phap-luat", "fam-dash", "news-giai-ngan-dau-tu-cong",
]  # fmt: skip
SLOPPY_ITEMS = ["fam-two-digit", "news-chuyen-doi-so", "fam-slash", "news-phong-chay-rung", "fam-noi-dung"]


def rfc822(article: Article, time: str | None = None) -> str:
    day = dt.date.fromisoformat(article.published or "2025-01-01")
    hh, mm = (time or article.time).split(":")
    stamp = dt.datetime(day.year, day.month, day.day, int(hh), int(mm), tzinfo=dt.timezone(dt.timedelta(hours=7)))
    return stamp.strftime("%a, %d %b %Y %H:%M:%S +0700")


def build_rss(by_name: dict[str, Article]) -> bytes:
    items: list[str] = []
    for i, name in enumerate(RSS_ITEMS):
        a = by_name[name]
        link = f"/tin-tuc/{name}.html" if i % 2 == 0 else f"../tin-tuc/{name}.html"
        if name == "news-bao-so-3":  # shared from social media: tracking parameters and a fragment
            link = f"/tin-tuc/{name}.html?utm_source=facebook&amp;utm_medium=social&amp;fbclid=IwAR0x#binh-luan"
        description = (
            f'<![CDATA[<a href="/tin-tuc/{name}.html"><img src="/uploads/{name}.jpg" width="180" align="left"></a>'
            f"<p>{e(a.lead)}</p>]]>"
        )
        # fam-date-byline is published at 00:30 in Vietnam: still its own day there, the day before in UTC.
        pub = rfc822(a, "00:30") if name == "fam-date-byline" else rfc822(a)
        guid = f'<guid isPermaLink="false">tg-{100 + i}</guid>'
        if name == "news-5-nhiem-vu-trong-tam":  # no link: only its guid names it
            items.append(
                f"<item><title>{e(a.title)}</title><description>{description}</description>"
                f"<pubDate>{pub}</pubDate>{guid}</item>"
            )
            continue
        items.append(
            f"<item>\n<title>{e(a.title)}</title>\n<link>{link}</link>\n<description>{description}</description>\n"
            f"<pubDate>{pub}</pubDate>\n{guid}\n</item>"
        )
    # The same article again, as the CMS lists a story it has moved to the top: kept once.
    dup = by_name["case01"]
    items.append(
        f"<item><title>{e(dup.title)}</title><link>/tin-tuc/case01.html?utm_campaign=noi-bat#top</link>"
        f"<pubDate>{rfc822(dup)}</pubDate></item>"
    )
    long_text = " ".join(
        [by_name["fam-roman-sections"].lead] * 12
    )  # a description over 1000 characters: the summary is cut at a word
    items.append(
        f"<item><title>Thông báo dài</title><link>/tin-tuc/fam-roman-sections.html</link>"
        f"<description>{e(long_text)}</description></item>"
    )
    body = "\n".join(items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Tin tức - Sự kiện</title>
<link>/</link>
<description>Tin tức mới nhất</description>
<language>vi-vn</language>
<atom:link href="/feeds/rss.xml" rel="self" type="application/rss+xml"/>
{body}
</channel>
</rss>
""".encode()


def build_atom(by_name: dict[str, Article]) -> bytes:
    entries: list[str] = []
    for i, name in enumerate(ATOM_ITEMS):
        a = by_name[name]
        stamp = f"{a.published or '2025-01-01'}T{a.time}:00+07:00"
        dates = f"<published>{stamp}</published><updated>{stamp}</updated>" if i % 3 else f"<updated>{stamp}</updated>"
        if i == 2:  # the lead as content, no summary
            text = f'<content type="html">{e("<p><strong>" + e(a.lead) + "</strong></p>")}</content>'
        else:
            text = f'<summary type="html">{e("<p>" + e(a.lead) + "</p>")}</summary>'
        entries.append(
            f'<entry>\n<id>tag:portal.example.vn,2025:{name}</id>\n<title type="text">{e(a.title)}</title>\n'
            f'<link rel="alternate" type="text/html" href="{name}.html"/>\n{dates}\n{text}\n</entry>'
        )
    body = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/tin-tuc/" xml:lang="vi">
<title>Định hướng tuyên truyền</title>
<id>tag:portal.example.vn,2025:dinh-huong</id>
<updated>2025-01-06T08:00:00+07:00</updated>
<link rel="self" href="/feeds/atom.xml"/>
{body}
</feed>
""".encode()


def build_listing(by_name: dict[str, Article]) -> str:
    first, *rest = LISTING_ITEMS
    lead = by_name[first]
    items: list[str] = []
    for name in rest:
        a = by_name[name]
        day = dt.date.fromisoformat(a.published or "2025-01-01")
        items.append(
            f'<div class="item">\n<a class="thumb" href="/tin-tuc/{name}.html"><img src="/uploads/{name}.jpg" '
            f'alt="{e(a.title)}"></a>\n<h3 class="title"><a href="/tin-tuc/{name}.html">{e(a.title)}</a></h3>\n'
            f'<span class="date">{day:%d/%m/%Y}</span>\n<p class="sapo">{e(a.lead)}</p>\n</div>'
        )
    items_html = "\n".join(items)
    menu = "".join(f'<li><a href="/chuyen-muc/{SLUG[m]}">{e(m)}</a></li>' for m in MENU)
    short = by_name["news-bong-da-v-league"]
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>Tin tức - Sự kiện - Cổng thông tin điện tử tỉnh</title>
<link rel="alternate" type="application/rss+xml" href="/feeds/rss.xml">
<style>{STYLE}</style>
<script>{SCRIPT}</script>
</head>
<body>
<div id="wrapper">
<header class="site-header">
<div class="top-bar">Thứ Tư, 08/01/2025 | <a href="/dang-nhap">Đăng nhập</a> | <a href="/dang-ky">Đăng ký tài khoản mới</a></div>
<div class="logo"><a href="/"><img src="/images/logo.png" alt="Cổng thông tin điện tử tỉnh"></a></div>
<div class="hot-news"><a href="/tin-tuc/news-le-hoi-hoa-ban.html">Lễ hội Hoa Ban năm 2024 thu hút hàng vạn du khách</a></div>
</header>
<nav><ul class="menu"><li><a href="/">Trang chủ</a></li>{menu}</ul></nav>
<div class="container">
<div class="main-col">
<div class="breadcrumb"><a href="/">Trang chủ</a> » <a href="/chuyen-muc/tin-tuc-su-kien">Tin tức - Sự kiện</a></div>
<h1 class="cat-title"><a href="/chuyen-muc/tin-tuc-su-kien">Tin tức - Sự kiện</a></h1>
<div class="featured">
<h2><a href="/tin-tuc/{first}.html?zarsrc=31&amp;utm_source=zalo">{e(lead.title)}</a></h2>
<p class="sapo">{e(lead.lead)}</p>
<a class="more" href="/tin-tuc/{first}.html">Xem thêm</a>
</div>
<div class="list-news">
{items_html}
<div class="item">
<h3 class="title"><a href="/tin-tuc/news-bong-da-v-league.html">Nam Định thắng</a></h3>
<span class="date">{short.published and dt.date.fromisoformat(short.published).strftime("%d/%m/%Y")}</span>
</div>
<div class="item">
<h3 class="title"><a href="/tin-tuc/{LISTING_ITEMS[2]}.html">{e(by_name[LISTING_ITEMS[2]].title)}</a></h3>
<p class="sapo">Bài đã đăng ở trên, nhắc lại trong danh sách.</p>
</div>
</div>
<div class="documents">
<p><a href="/uploads/thong-bao-ket-qua-hoi-nghi-bao-cao-vien-thang-5-2023.pdf">Thông báo kết quả Hội nghị báo cáo viên tháng 5/2023 (tệp PDF)</a></p>
<p><a href="/uploads/anh-hoi-nghi-bao-cao-vien-thang-5-2023.jpg">Ảnh toàn cảnh Hội nghị báo cáo viên tháng 5</a></p>
<p><a href="/uploads/bieu-mau-dang-ky.docx">Tải về</a></p>
</div>
<p>Xem tin của Trung ương tại <a href="https://tuyengiao.vn/thoi-su/hoi-nghi-bao-cao-vien-trung-uong-thang-12">Hội nghị báo cáo viên Trung ương tháng 12 trên Tạp chí Tuyên giáo</a>.</p>
<p><a href="/chuyen-muc/tin-tuc-su-kien">Tin tức - Sự kiện: tất cả bài viết của chuyên mục</a></p>
<p><a href="#top">Lên đầu trang của chuyên mục tin tức</a></p>
<p><a href="/chuyen-muc/xay-dung-dang">Các bài viết khác về xây dựng Đảng</a></p>
<p><a href="/tim-kiem?q=h%E1%BB%99i+ngh%E1%BB%8B+b%C3%A1o+c%C3%A1o+vi%C3%AAn">Tìm tất cả bài về hội nghị báo cáo viên</a></p>
<div class="paging"><a href="/chuyen-muc/tin-tuc-su-kien?page=1">1</a> <a href="/chuyen-muc/tin-tuc-su-kien?page=2">2</a> <a href="/tin-tuc/trang-3.html">Trang sau của danh sách tin</a></div>
<p class="note"><a href="/tin-tuc/news-gia-xang.html">Chi tiết</a></p>
</div>
<aside class="sidebar">
<div class="box"><h3>Đọc nhiều</h3><ul>
<li><a href="/tin-tuc/news-sea-games.html">{e(by_name["news-sea-games"].title)}</a></li>
<li><a href="/tin-tuc/news-xuat-khau-gao.html">{e(by_name["news-xuat-khau-gao"].title)}</a></li>
</ul></div>
</aside>
</div>
<footer class="site-footer">
<p>Cơ quan chủ quản: Văn phòng UBND tỉnh. <a href="/tin-tuc/news-tuyen-dung-vien-chuc.html">{e(by_name["news-tuyen-dung-vien-chuc"].title)}</a></p>
</footer>
</div>
</body>
</html>
"""


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese editors write it: a precomposed letter where the code page has one,
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


MALFORMED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>Tin tức - Sự kiện</title>
<link>/</link>
<br />
<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in <b>/var/www/portal/rss.php</b> on line <b>42</b><br />
"""


def build_sloppy(by_name: dict[str, Article]) -> bytes:
    items: list[str] = []
    for i, name in enumerate(SLOPPY_ITEMS):
        a = by_name[name]
        title = e(a.title)
        if i == 1:  # an unescaped "&" in a title, as a careless template writes it
            title = "Chuyển đổi số & Tháng hành động: " + title
        description = f"<description>{e(a.lead)}</description>"
        if i == len(SLOPPY_ITEMS) - 1:  # the last description is never closed
            description = f"<description>{e(a.lead)}"
        items.append(
            f"<item>\n<title>{title}</title>\n<link>/tin-tuc/{name}.html</link>\n{description}\n"
            f"<pubDate>{rfc822(a)}</pubDate>\n</item>"
        )
    body = "\n".join(items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>Tin tức</title>
<link>/</link>
{body}
</channel>
</rss>
""".encode()


def build_all() -> dict[str, bytes]:
    articles = all_articles()
    by_name = {a.name: a for a in articles}
    out = build_articles(articles)
    listing = build_listing(by_name)
    out["feeds/rss.xml"] = build_rss(by_name)
    out["feeds/atom.xml"] = build_atom(by_name)
    out["feeds/listing.html"] = listing.encode("utf-8")
    out["feeds/listing-windows-1258.html"] = to_cp1258(listing.replace('charset="utf-8"', 'charset="windows-1258"'))
    out["feeds/malformed.xml"] = MALFORMED.encode("utf-8")
    out["feeds/sloppy-rss.xml"] = build_sloppy(by_name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="fail if a committed file differs")
    args = parser.parse_args(argv)
    differ = 0
    for rel, data in sorted(build_all().items()):
        path = HERE / rel
        if args.check:
            same = path.exists() and path.read_bytes() == data
            differ += not same
            if not same:
                print(f"DIFF {rel}")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if args.check:
        print("all files match" if not differ else f"{differ} files differ")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
