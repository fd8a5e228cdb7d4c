"""A watched source's listing: an RSS 2.0 / Atom feed or an HTML page that lists articles, as ``Item``s.

    read_listing(body, url, content_type) -> Listing   # pure: bytes in, items out; raises ListingError only

What the bytes are is sniffed from the bytes, not from the Content-Type, which portals get wrong both
ways (feeds served as text/html, pages as text/xml): a root element ``rss``, ``feed`` or ``rdf:RDF`` is a
feed, ``<html>`` or an HTML doctype a page; an unknown root goes to the feed reader only when the type
says XML (it then says why it is no feed), else to the page reader.

Feeds are read by feedparser (https://feedparser.readthedocs.io/en/latest/), always given the bytes
wrapped in a file object: a ``str`` starting with http:// is fetched, and ``bytes`` are first tried as a
local file name (``feedparser.api._open_resource``). The page URL goes in as Content-Location so
relative links resolve. A "bozo" feed (not well-formed XML) is used when it still yields entries: real
portals publish unescaped "&" and unclosed tags.

Pages are read with lxml: the article links of the page's content. Links inside nav/header/footer/aside
and menus, to other hosts, to the page itself or its parent sections, to categories, tags, pagination,
search, login and feeds, and to files other than documents (.pdf, .doc, .docx are kept: a bulletin may
be a document) are left out, and so is an anchor of fewer than four words unless the structure says it
is an article: it sits in an ``<article>``, or in a heading of a repeated item (``<li>``, ``<tr>``, or
siblings sharing a class, as in ``<div class="item"><h3><a>…</a></h3><p>sapo</p></div>``).
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html

MAX_ITEMS = 200
MAX_SUMMARY = 1000

Reason = Literal["malformed", "not_a_listing"]


@dataclass(frozen=True, slots=True)
class Item:
    """One article a listing names.

    ``key`` is its identity within the source: the normalised absolute link (``normalise_link``), or
    the feed's guid/id when an entry has no link. ``link`` is the absolute URL as listed, ``title`` and
    ``summary`` plain text ("" if none; the summary at most 1000 characters), ``published``
    ``YYYY-MM-DD`` as the source writes it (its own time zone, not UTC), or None.
    """

    key: str
    link: str
    title: str
    summary: str
    published: str | None


@dataclass(frozen=True, slots=True)
class Listing:
    """What a source lists: its kind and its items in the source's order, each key once, at most
    ``MAX_ITEMS``."""

    kind: Literal["rss", "atom", "html"]
    items: tuple[Item, ...]


class ListingError(Exception):
    """The body is no listing we can read: ``reason`` is "malformed" (broken XML with no entries,
    unreadable bytes) or "not_a_listing" (a page with no article links, XML that is no feed);
    ``detail`` says what was found, in English, for the logs and the admins' /sources view."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: Reason = reason
        self.detail = detail


def read_listing(body: bytes, url: str, content_type: str | None) -> Listing:
    """Read a feed or a listing page fetched from ``url``. Raises ListingError, and nothing else."""
    try:
        if not bytes(body).strip():
            raise ListingError("not_a_listing", "the body is empty")
        if _is_feed(body, content_type):
            return _read_feed(bytes(body), url, content_type)
        return _read_page(bytes(body), url, content_type)
    except ListingError:
        raise
    except Exception as exc:
        # Why: lxml, feedparser and the codecs meeting hostile bytes may raise anything (ValueError,
        # LookupError, RecursionError, struct errors); the poller must get one typed answer.
        raise ListingError("malformed", f"the listing could not be read ({type(exc).__name__})") from exc


# --------------------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------------------

_DEFAULT_PORTS = {"http": "80", "https": "443"}
# Query parameters that say where a click came from, not what was asked for: Google Analytics'
# utm_* (https://support.google.com/analytics/answer/10917952), Facebook's fbclid, Google Ads' gclid/
# dclid/gbraid/wbraid, Microsoft's msclkid, Zalo's zarsrc/zarsrc_*, Mailchimp's mc_cid/mc_eid, …
_TRACKING = frozenset(
    {"fbclid", "gclid", "dclid", "gclsrc", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "twclid", "ttclid",
     "mc_cid", "mc_eid", "_ga", "_gl", "zarsrc", "zarsrc_id", "zaloid", "ref_src", "spm", "vero_id", "mkt_tok"}
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "zarsrc", "__twitter")
_WHITESPACE_IN_URL = re.compile(r"[\t\n\r]")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))  # what a URL parser strips from both ends


def normalise_link(link: str, base: str) -> str:
    """``link`` made absolute against ``base``, as the identity of an article: scheme and host in lower
    case, the default port dropped, the fragment dropped, tracking parameters (utm_*, fbclid, gclid,
    zarsrc, …) dropped and the rest of the query kept in order and spelling; an empty path is "/".
    Never raises: a link it cannot take apart comes back stripped and without its fragment only (and
    a base it cannot take apart is ignored)."""
    # Browsers strip tabs and newlines inside a URL (https://url.spec.whatwg.org/#concept-basic-url-parser).
    link = _WHITESPACE_IN_URL.sub("", link).strip(_C0_OR_SPACE)
    try:
        absolute = urljoin(base.strip(), link) if base.strip() else link
        parts = urlsplit(absolute)
        scheme = parts.scheme.lower()
        netloc = parts.netloc
        if parts.hostname is not None:
            host = parts.hostname.lower()
            if ":" in host:  # an IPv6 literal keeps its brackets
                host = f"[{host}]"
            port = parts.port
            userinfo = netloc.rpartition("@")[0]
            netloc = (userinfo + "@" if userinfo else "") + host
            if port is not None and str(port) != _DEFAULT_PORTS.get(scheme):
                netloc += f":{port}"
        path = parts.path or ("/" if netloc else "")
        return urlunsplit((scheme, netloc, path, _drop_tracking(parts.query), "")).strip(_C0_OR_SPACE)
    except ValueError:  # a port that is no number, a bracket that does not close
        if base.strip():
            return normalise_link(link, "")  # the base is what cannot be parsed: the link alone
        return link.split("#", 1)[0].strip(_C0_OR_SPACE)


def _safe_join(base: str, link: str) -> str:
    try:
        return urljoin(base.strip(), link)
    except ValueError:
        return link


def _drop_tracking(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = unquote(pair.split("=", 1)[0]).strip().lower()
        if name in _TRACKING or name.startswith(_TRACKING_PREFIXES):
            continue
        kept.append(pair)
    return "&".join(kept)


def _http_url(link: str) -> bool:
    try:
        parts = urlsplit(link)
        return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)
    except ValueError:
        return False


# --------------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u2060\u00ad"))
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[A-Za-z/!][^<>]*>")


def _clean(text: str) -> str:
    """Plain text on one line: NFC (Windows-1258 spells tones as combining marks), no zero-width
    characters, one space between words."""
    text = unicodedata.normalize("NFC", text.translate(_ZERO_WIDTH))
    return " ".join(text.split())


def _strip_html(value: str) -> str:
    """The text of an HTML fragment (a feed's description, an escaped title), entities decoded."""
    if not value.strip():
        return ""
    try:
        return _clean(_text_of(lxml.html.fragment_fromstring(_CONTROLS.sub("", value), create_parent="div")))
    except (lxml.etree.ParserError, ValueError):
        return _clean(_TAG.sub(" ", value))


def _shorten(text: str, limit: int = MAX_SUMMARY) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


_SKIP_TEXT = frozenset({"script", "style", "noscript", "template"})


def _text_of(root: Any, skip: Any = None) -> str:
    """The text under ``root`` with spaces between blocks, leaving out script/style and any element
    ``skip(el)`` says so of. Iterative: a deeply nested page cannot hit the recursion limit."""
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        if closing:
            if el is not root and el.tail:
                parts.append(el.tail)
            continue
        tag = el.tag if isinstance(el.tag, str) else ""
        stack.append((el, True))
        if tag.lower() in _SKIP_TEXT or not tag or (skip is not None and el is not root and skip(el)):
            continue
        if el.text:
            parts.append(el.text)
        parts.append(" ")
        stack.extend((child, False) for child in reversed(el))
    return " ".join(parts)


# --------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_VN_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")


def _date(year: int, month: int, day: int) -> str | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_in_text(text: str) -> str | None:
    """An ISO date (2024-10-12) or a Vietnamese day-first one (12/10/2024, 12-10-2024, 12.10.2024)."""
    if match := _ISO_DATE.search(text):
        return _date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _VN_DATE.search(text):
        return _date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    return None


def _feed_date(raw: str) -> str | None:
    """The date an entry carries, in the feed's own time zone: RFC 822 (RSS pubDate), RFC 3339 (Atom),
    or what portals write instead ("12/10/2024 08:15")."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
        return _date(parsed.year, parsed.month, parsed.day)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    return _date_in_text(raw)


# --------------------------------------------------------------------------------------------------
# Sniffing
# --------------------------------------------------------------------------------------------------

_PROLOG = re.compile(r"\s*(?:<\?[^>]*>|<!--.*?-->|<!doctype[^>]*>)", re.IGNORECASE | re.DOTALL)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
_HTML_ROOTS = frozenset(
    {"html", "head", "body", "meta", "title", "link", "script", "style", "div", "p", "table", "section", "article",
     "main", "header", "nav", "ul", "ol", "a", "span", "form", "h1", "h2", "h3", "br", "img", "center", "font"}
)  # fmt: skip


def _head(body: bytes) -> str:
    head = body[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "replace")
    return head.removeprefix(codecs.BOM_UTF8).decode("latin-1")


def _root(head: str) -> tuple[str | None, bool]:
    """The local name of the first element (lower case) and whether an HTML doctype precedes it."""
    pos, html_doctype = 0, False
    while match := _PROLOG.match(head, pos):
        if match.end() == pos:
            break
        token = match.group().strip().lower()
        html_doctype = html_doctype or (token.startswith("<!doctype") and "html" in token)
        pos = match.end()
    root = _ROOT.match(head, pos)
    return (root.group(1).rsplit(":", 1)[-1].lower() if root else None), html_doctype


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_feed(body: bytes, content_type: str | None) -> bool:
    root, html_doctype = _root(_head(body))
    if root in _FEED_ROOTS:
        return True
    if html_doctype or root in _HTML_ROOTS:
        return False
    media = _media_type(content_type)
    return media.endswith(("/xml", "+xml")) and "html" not in media


# --------------------------------------------------------------------------------------------------
# Feeds
# --------------------------------------------------------------------------------------------------

_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(r"<\?xml[^>]*encoding\s*=", re.IGNORECASE)


def _read_feed(body: bytes, url: str, content_type: str | None) -> Listing:
    import feedparser  # ~40 ms; only sources that are feeds need it

    # We know it is XML whatever the type says; a wrong "text/html" would make feedparser assume
    # US-ASCII (RFC 3023 for text/*). The body's own XML declaration or BOM then decides the encoding;
    # the server's charset is passed on only when the body declares none.
    header_type = "application/xml"
    declared = _CHARSET.search(content_type or "")
    head = _head(body)
    if declared and not _XML_ENCODING.search(head) and not body.startswith((codecs.BOM_UTF8, b"\xff\xfe", b"\xfe\xff")):
        header_type += f"; charset={declared.group(1)}"
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": url, "content-type": header_type})
    version = str(parsed.get("version") or "")
    entries = list(parsed.get("entries") or [])
    bozo = bool(parsed.get("bozo"))
    if not entries:
        if bozo:
            exc = parsed.get("bozo_exception")
            raise ListingError("malformed", f"the XML is not well-formed and yields no entries ({exc})"[:300])
        if not version:
            raise ListingError("not_a_listing", f"XML with root <{_root(head)[0]}> is no RSS or Atom feed")
    kind: Literal["rss", "atom"] = "atom" if version.startswith("atom") else "rss"
    items = _unique(item for entry in entries if (item := _entry_item(entry, url)) is not None)
    if entries and not items:
        raise ListingError("not_a_listing", f"{len(entries)} entries, none with a link or an id")
    return Listing(kind, items)


def _field(entry: Any, key: str) -> Any:
    """An entry's own value: ``FeedParserDict.get`` maps "updated" to "published" with a
    DeprecationWarning (feedparser issue 310), and warnings are errors in the tests."""
    return dict.get(entry, key)


def _entry_item(entry: Any, url: str) -> Item | None:
    link = _entry_link(entry, url)
    ident = _clean(str(_field(entry, "id") or ""))
    key = normalise_link(link, url) if link else ident
    if not key:
        return None
    title = str(_field(entry, "title") or "")
    title_type = str((_field(entry, "title_detail") or {}).get("type") or "")
    title = _strip_html(title) if "html" in title_type or _TAG.search(title) else _clean(title)
    summary = str(_field(entry, "summary") or "")
    if not summary.strip():
        contents = _field(entry, "content") or []
        summary = str(contents[0].get("value") or "") if contents else ""
    published = _feed_date(str(_field(entry, "published") or _field(entry, "updated") or ""))
    if published is None:
        stamp = _field(entry, "published_parsed") or _field(entry, "updated_parsed")
        published = _date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None
    return Item(key, link, title, _shorten(_strip_html(summary)), published)


def _entry_link(entry: Any, url: str) -> str:
    candidates = [str(_field(entry, "link") or "")]
    for link in _field(entry, "links") or []:
        if link.get("rel", "alternate") == "alternate":
            candidates.append(str(link.get("href") or ""))
    for candidate in candidates:
        if candidate.strip():
            absolute = _safe_join(url, _WHITESPACE_IN_URL.sub("", candidate.strip()))
            if _http_url(absolute):
                return absolute
    return ""


def _unique(items: Iterator[Item] | list[Item]) -> tuple[Item, ...]:
    seen: set[str] = set()
    out: list[Item] = []
    for item in items:
        if item.key in seen:
            continue
        seen.add(item.key)
        out.append(item)
        if len(out) >= MAX_ITEMS:
            break
    return tuple(out)


# --------------------------------------------------------------------------------------------------
# Pages: decoding
# --------------------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_XML_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")
# WHATWG Encoding: the labels that mean windows-1252 (https://encoding.spec.whatwg.org/#names-and-labels).
_LABEL_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "l1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}


def _decode(body: bytes, content_type: str | None) -> str:
    """The page as text: BOM, then the server's charset, then the page's own declaration, then UTF-8,
    the first that decodes cleanly; else Windows-1258, the legacy Vietnamese code page. NFC."""
    if body.startswith(codecs.BOM_UTF8):
        return unicodedata.normalize("NFC", body[3:].decode("utf-8", "replace"))
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return unicodedata.normalize("NFC", body.decode("utf-16", "replace"))
    labels: list[str] = []
    if declared := _CHARSET.search(content_type or ""):
        labels.append(declared.group(1))
    head = body[:4096]
    for pattern in (_META_CHARSET, _XML_DECL_ENCODING):
        if match := pattern.search(head):
            labels.append(match.group(1).decode("ascii", "replace"))
    labels += ["utf-8"]
    for label in labels:
        name = _LABEL_ALIASES.get(label.strip().lower(), label.strip().lower())
        try:
            if codecs.lookup(name).name.startswith("utf-16") and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
                continue  # a page that declares UTF-16 in ASCII bytes is not UTF-16
            return unicodedata.normalize("NFC", body.decode(name))
        except (LookupError, UnicodeDecodeError):
            continue
    return unicodedata.normalize("NFC", body.decode("cp1258", "replace"))


# --------------------------------------------------------------------------------------------------
# Pages: article links
# --------------------------------------------------------------------------------------------------

_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)
_CHROME_TAGS = frozenset({"nav", "aside", "menu"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SECTION_TAGS = frozenset({"article", "section"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_ITEM_TAGS = frozenset({"li", "article", "tr", "dd", "dt"})
_STOP_TAGS = frozenset({"body", "html", "main", "ul", "ol", "table", "tbody"})
# Class or id names of page chrome. Names that are chrome on their own ("menu", "main-nav",
# "sidebar-left") match as a dash/underscore-separated word; "header" and "footer" only as a whole
# name, since "item-header" or "news-footer" are parts of an article teaser.
_CHROME_WORD = re.compile(
    r"(?:^|[_-])(?:menus?|nav|navbar|navigation|navi|breadcrumbs?|sidebar|side-?bar|pagination|paging|pager|"
    r"phan-?trang|topbar|top-?bar|toolbar|social|share|sharing|tags|tag-?list|keywords?|tu-?khoa|"
    r"banner|advert\w*|ads|quang-?cao|login|search|tim-?kiem|weblink|lien-?ket|"
    r"most-?read|most-?viewed|doc-?nhieu|xem-?nhieu)(?:$|[_-])",  # the last four: "Đọc nhiều" boxes
    re.IGNORECASE,
)
_CHROME_WHOLE = re.compile(
    r"^(?:(?:site|page|main|top|global|web)[_-]?)?(?:header|footer)(?:[_-]?(?:top|bottom|wrap|wrapper|inner|area))?$",
    re.IGNORECASE,
)
_SKIP_EXTENSIONS = frozenset(
    {"jpg", "jpeg", "png", "gif", "webp", "svg", "bmp", "ico", "css", "js", "json", "xml", "rss", "atom", "zip",
     "rar", "7z", "gz", "mp3", "mp4", "avi", "mov", "wmv", "flv", "xls", "xlsx", "ppt", "pptx", "txt", "exe", "apk"}
)  # fmt: skip
# Path segments of listings, not articles: categories, tags, topics, authors, search, accounts, feeds.
_SKIP_SEGMENTS = frozenset(
    {"tag", "tags", "the-loai", "chuyen-muc", "chuyenmuc", "danh-muc", "danhmuc", "category", "categories", "chu-de",
     "topic", "topics", "tac-gia", "author", "search", "tim-kiem", "timkiem", "login", "logout", "dang-nhap",
     "dangnhap", "dang-ky", "dangky", "register", "signin", "signup", "rss", "feed", "feeds", "atom", "lien-he",
     "contact", "sitemap", "so-do-site", "print", "in-bai", "comment", "binh-luan"}
)  # fmt: skip
_PAGE_SEGMENT = re.compile(r"^(?:page|trang|p)[-_]?\d+(?:\.\w+)?$", re.IGNORECASE)
_PAGE_PARAMS = frozenset({"page", "trang", "p", "pg", "paged", "pageindex", "pagenum", "pagenumber", "start"})
_SEARCH_PARAMS = frozenset({"q", "s", "keyword", "keywords", "tukhoa", "tu-khoa", "search", "query"})
_MIN_WORDS = 4
_MAX_ITEM_DEPTH = 6
_MAX_ANCHORS = 20_000
_MAX_TEASER_LINKS = 50  # more links than this around an anchor: a list, whatever they are


@dataclass
class _Candidate:
    key: str
    link: str
    anchors: list[Any]


class _Anchors:
    """What each anchor of the page is: the article key it links to (None if it is no candidate)."""

    def __init__(self, candidates: dict[str, _Candidate]) -> None:
        self._key = {id(a): c.key for c in candidates.values() for a in c.anchors}
        # parent's id → (the parent, kept alive so that its id is not reused; its children's signatures)
        self._siblings: dict[int, tuple[Any, Counter[tuple[str, str]]]] = {}

    def repeated(self, el: Any) -> bool:
        """A list item: <li>, <article>, a table row, or one of several siblings of the same tag and
        class (a classless <div> or <section> counts by its tag)."""
        if _tag(el) in _ITEM_TAGS:
            return True
        parent = el.getparent()
        if parent is None:
            return False
        mine = _signature(el)
        if not mine[1] and mine[0] not in {"div", "section"}:
            return False
        known = self._siblings.get(id(parent))
        if known is None:
            known = self._siblings[id(parent)] = (parent, Counter(_signature(child) for child in parent))
        return known[1][mine] >= 2

    def key(self, anchor: Any) -> str | None:
        return self._key.get(id(anchor))

    def other_article(self, anchor: Any, key: str) -> bool:
        """A link to another article, or a long link that is none (a photo, an external story); a
        short label ("Kinh tế", "Tải về") or a link to the same article is part of the teaser."""
        if not anchor.get("href"):
            return False
        found = self._key.get(id(anchor))
        if found is not None:
            return found != key
        return _words(_text_of(anchor)) >= _MIN_WORDS


def _words(text: str) -> int:
    """Words in the sense of "shorter than four words": tokens with a letter or digit ("-" is none)."""
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


def _read_page(body: bytes, url: str, content_type: str | None) -> Listing:
    text = _XML_DECL.sub("", _CONTROLS.sub("", _decode(body, content_type)), count=1)
    if not text.strip():
        raise ListingError("not_a_listing", "the page holds nothing")
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ListingError("not_a_listing", f"the page holds no HTML ({type(exc).__name__})") from exc
    base = url
    for el in root.iter("base"):
        href = el.get("href")
        if href and href.strip():
            base = _safe_join(url, href.strip())
        break
    page_key = normalise_link(url, "")
    page_host = _bare_host(page_key)
    candidates: dict[str, _Candidate] = {}
    anchors = 0
    for anchor in root.iter("a"):
        anchors += 1
        if anchors > _MAX_ANCHORS:
            break
        href = anchor.get("href")
        if not href or not href.strip() or _in_chrome(anchor):
            continue
        link = _safe_join(base, _WHITESPACE_IN_URL.sub("", href.strip()))
        if not _http_url(link):
            continue
        key = normalise_link(link, "")
        if not _article_url(key, page_key, page_host):
            continue
        found = candidates.get(key)
        if found is None:
            candidates[key] = _Candidate(key, link.split("#", 1)[0], [anchor])
        else:
            found.anchors.append(anchor)
    info = _Anchors(candidates)
    items = _unique(item for c in candidates.values() if (item := _page_item(c, info)) is not None)
    if not items:
        raise ListingError(
            "not_a_listing", f"no article links among {anchors} links (menus, other hosts, short texts left out)"
        )
    return Listing("html", items)


def _bare_host(link: str) -> str:
    try:
        host = urlsplit(link).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _class_words(el: Any) -> Iterator[str]:
    for attr in ("class", "id", "role"):
        value = el.get(attr)
        if value:
            yield from value.split()


def _in_chrome(anchor: Any) -> bool:
    """Inside nav/aside/menu, a page-level header or footer, a hidden element, or a container whose
    class, id or role names page chrome."""
    for el in anchor.iterancestors():
        tag = _tag(el)
        if tag in _CHROME_TAGS:
            return True
        if tag in {"header", "footer"} and not any(_tag(up) in _SECTION_TAGS for up in el.iterancestors()):
            return True  # the page's header/footer; a <header> inside an <article> is the article's own
        if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""):
            return True
        if any(_CHROME_WORD.search(word) or _CHROME_WHOLE.match(word) for word in _class_words(el)):
            return True
    return False


def _article_url(key: str, page_key: str, page_host: str) -> bool:
    """A link that may be an article: same site (www. or not), not the page itself, the home page or a
    section above the page (a breadcrumb), not a category, tag, search, account, feed, page of results or
    a file other than a document."""
    if key == page_key or _bare_host(key) != page_host:
        return False
    parts = urlsplit(key)
    segments = [s for s in unquote(parts.path).lower().split("/") if s]
    if not parts.query:
        if not segments:
            return False
        page_segments = [s for s in unquote(urlsplit(page_key).path).lower().split("/") if s]
        if segments == page_segments[: len(segments)]:
            return False
    last = segments[-1] if segments else ""
    extension = last.rsplit(".", 1)[-1] if "." in last else ""
    if extension in _SKIP_EXTENSIONS:
        return False
    if any(s in _SKIP_SEGMENTS for s in segments) or _PAGE_SEGMENT.match(last):
        return False
    params = {unquote(p.split("=", 1)[0]).lower() for p in parts.query.split("&") if p}
    return not params & (_PAGE_PARAMS | _SEARCH_PARAMS)


def _tag(el: Any) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _signature(el: Any) -> tuple[str, str]:
    return _tag(el), " ".join(sorted((el.get("class") or "").split()))


def _item_of(anchor: Any, key: str, info: _Anchors) -> Any | None:
    """The teaser around an anchor: its nearest repeated ancestor, else the widest one that links to no
    other article (a category label or "Tải về" beside the title does not count), or None."""
    last = None
    for depth, el in enumerate(anchor.iterancestors(), start=1):
        if depth > _MAX_ITEM_DEPTH or _tag(el) in _STOP_TAGS:
            break
        anchors = list(islice(el.iter("a"), _MAX_TEASER_LINKS + 1))
        if len(anchors) > _MAX_TEASER_LINKS or any(info.other_article(a, key) for a in anchors):
            break  # a container of several articles: the list, not an item
        last = el
        if info.repeated(el):
            return el
    return last


def _heading_of(anchor: Any, item: Any | None) -> Any | None:
    for el in anchor.iterancestors():
        if _tag(el) in _HEADINGS:
            return el
        if el is item:
            break
    return None


def _page_item(candidate: _Candidate, info: _Anchors) -> Item | None:
    """The item for one link: the best of its anchors (a heading's over an image's or a "read more"),
    titled by the anchor's text, else its teaser's heading, its title attribute or its image's alt."""
    best: tuple[int, int, str, Any | None] | None = None  # (strength, words, title, teaser)
    for anchor in candidate.anchors:
        item = _item_of(anchor, candidate.key, info)
        repeated = item is not None and info.repeated(item)
        heading = _heading_of(anchor, item)
        if heading is None and repeated and item is not None:
            heading = next((el for el in item.iter(*_HEADINGS) if _clean(_text_of(el))), None)
        text = _clean(_text_of(anchor))
        if not text and heading is not None:
            text = _clean(_text_of(heading))
        if not text:
            text = _clean(anchor.get("title") or "") or _clean(" ".join(i.get("alt") or "" for i in anchor.iter("img")))
        structured = _in_article(anchor) or (repeated and heading is not None)
        words = _words(text)
        if not text or (words < _MIN_WORDS and not structured):
            continue
        strength = 2 * (heading is not None) + structured
        if best is None or (strength, words) > best[:2]:
            best = (strength, words, text, item)
    if best is None:
        return None
    title, item = best[2], best[3]
    summary, published = ("", None) if item is None else _teaser(item, candidate.key, info, title)
    return Item(candidate.key, candidate.link, title, summary, published)


def _in_article(anchor: Any) -> bool:
    return any(_tag(el) == "article" for el in anchor.iterancestors())


_SUMMARY_CLASS = re.compile(r"sapo|summary|desc|lead|teaser|intro|excerpt|tom-?tat|mo-?ta|abstract", re.IGNORECASE)
_DATE_CLASS = re.compile(r"date|time|ngay|publish|meta|view|luot|comment|author|tac-?gia|source", re.IGNORECASE)
_DATE_PREFIX = re.compile(
    r"^[\s(|\-–]*(?:\d{1,2}:\d{2}\s*)?(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{2}-\d{2})[\s)|\-–]*"
)


def _teaser(item: Any, key: str, info: _Anchors, title: str) -> tuple[str, str | None]:
    """The summary beside a title in its teaser, and the date the teaser shows."""
    published = None
    for node in item.iter("time"):
        published = _date_in_text(node.get("datetime") or "") or _date_in_text(_text_of(node))
        if published:
            break
    if published is None:
        for node in item.iter():
            if any(_DATE_CLASS.search(w) for w in _class_words(node)):
                published = _date_in_text(_text_of(node))
                if published:
                    break

    def skip(el: Any) -> bool:
        tag = _tag(el)
        if tag in _HEADINGS or tag in {"time", "img", "figure", "button"}:
            return True
        if tag == "a":  # the title's own link, a "read more", a category label
            text = _clean(_text_of(el))
            return _words(text) < _MIN_WORDS or (info.key(el) == key and text in title)
        return any(_DATE_CLASS.search(w) for w in _class_words(el))

    marked = [n for n in item.iter() if n is not item and any(_SUMMARY_CLASS.search(w) for w in _class_words(n))]
    source = marked[:1] or [item]
    summary = _clean(" ".join(_text_of(node, skip) for node in source))
    if published is None:
        published = _date_in_text(summary)
    summary = _DATE_PREFIX.sub("", summary).strip()
    if summary == title:
        summary = ""
    return _shorten(summary), published
