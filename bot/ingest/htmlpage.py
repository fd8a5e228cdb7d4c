"""HTML: a whole saved portal page, or a bare fragment pasted from one.

A page goes through two passes over one lxml tree:

1. trafilatura decides what is the article: it drops menus, sidebars, "Tin mới"/"Đọc nhiều" boxes,
   share widgets, comment threads and footers far better than rules of our own would. Its output
   loses what we need from the markup, though (``<ol start>``, ``type``, the exact list a paragraph
   sits in), so it only votes.
2. Our own walk of the original tree makes the blocks: one per paragraph, ``<br>`` and block tags
   cutting lines; ``<ol>``/``<ul>`` items get the label the browser would draw ("1.", "4." after
   ``start="4"``, "a." for ``type="a"``, "•"); ``<h1>``-``<h6>`` are headings; a paragraph wholly inside
   ``<strong>``/``<b>`` is bold; table cells are table cells. A block is kept when trafilatura kept
   its text, plus the short lines between the page's title and the article body (the date line and
   byline trafilatura drops, which the parser needs for ``published``). Lists that are mostly links
   and "Tin liên quan"/"Các tin khác" boxes are dropped even when trafilatura keeps them.

A fragment (no ``<html>``/``<body>``: a few ``<p>`` pasted or in a ``.txt``) is walked whole: there
is no page chrome to remove and nothing must be lost. ``og:title``/``<title>`` and
``article:published_time`` (or ``datePublished``) become the Document's metadata.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

from bot.domain.blocks import Block, BlockKind, Document
from bot.domain.textnorm import fold
from bot.ingest.clean import clean_text
from bot.ingest.errors import Reason, UnsupportedDocument
from bot.ingest.numerals import roman

# trafilatura logs "discarding data" at WARNING whenever a page has no article it likes (a short page,
# a fragment); we fall back on our own walk then, so that is not an operational warning.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "h1", "h2", "h3", "h4", "h5",
    "h6", "li", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
    "blockquote", "pre", "figure", "figcaption", "address", "hr", "center", "form", "fieldset", "legend",
    "details", "summary", "hgroup", "menu", "dir", "body", "html",
})  # fmt: skip
_SKIP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas", "head",
    "title", "meta", "link", "select", "option", "optgroup", "button", "textarea", "input", "datalist", "video",
    "audio", "map", "area", "img", "picture", "source", "track", "param", "base",
})  # fmt: skip
_PAGE_CHROME_TAGS = frozenset({"nav", "aside", "footer", "menu"})
_BOLD_TAGS = frozenset({"b", "strong"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LISTS = frozenset({"ol", "ul", "menu", "dir"})
_CELLS = frozenset({"td", "th"})

# Boxes of other articles. Their heading alone is dropped when trafilatura keeps it, and a list of
# links after it is dropped by link density; a container whose class or id says so is skipped whole.
_RELATED_HEADINGS = frozenset(
    fold(t)
    for t in (
        "Tin liên quan", "Bài liên quan", "Bài viết liên quan", "Tin cùng chuyên mục", "Các tin khác",
        "Tin khác", "Các bài khác", "Tin mới", "Tin mới nhất", "Tin mới hơn", "Tin cũ hơn", "Đọc nhiều",
        "Tin đọc nhiều", "Xem nhiều", "Tin nổi bật", "Xem thêm", "Đọc thêm", "Có thể bạn quan tâm",
        "Tin tiêu điểm", "Tin vắn", "Bình luận",
    )
)  # fmt: skip
_CHROME_CLASS = re.compile(
    r"(?:^|[\s_-])(?:related|relate|other-?news|same-?cat\w*|tin-?lien-?quan|tin-?khac|cung-?chuyen-?muc|"
    r"comments?|binh-?luan|share|social|sharing|breadcrumbs?|sidebar|menu|navbar|banner|advert\w*|ads|"
    r"footer|rating|tags?|keywords?|print-?tools?|font-?size)(?:$|[\s_-])",
    re.IGNORECASE,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.IGNORECASE)
_LIST_STYLE = re.compile(r"list-style(?:-type)?\s*:[^;]*?\b([a-z-]+)\s*(?:;|$)", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_PAGE_MARKERS = re.compile(r"<(?:html|body|head)\b", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{8,40})"')

# A saved article page has a few thousand tags (a 300 KB portal page: ~4,000). Past this, parsing and
# extraction would take seconds and hundreds of MB (10 MB of pure markup: 2.5 s, +385 MB).
MAX_TAGS = 150_000
# The lines kept between the title and the body: date line, byline, source. Longer is a paragraph.
_MAX_PREBODY_BLOCKS = 8
_MAX_PREBODY_CHARS = 300
# Link text share above which a list is navigation (related news, "Tin mới"), not content.
_LINK_DENSITY = 0.7
# Shortest text matched by containment in trafilatura's output; shorter blocks need an exact line.
_MIN_CONTAINED = 25


def meta_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (``<meta charset>`` or http-equiv)."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def is_fragment(markup: str) -> bool:
    return _PAGE_MARKERS.search(markup) is None


def html_document(markup: str, *, encoding: str | None = None) -> Document:
    """Blocks of an HTML page (article only) or fragment (everything)."""
    markup = _XML_DECL.sub("", markup, count=1)
    tags = markup.count("<")
    if tags > MAX_TAGS:
        raise UnsupportedDocument(
            Reason.TOO_LARGE, f"the page has {tags} tags; limit {MAX_TAGS}", tags=tags, limit=MAX_TAGS, kind="html"
        )
    fragment = is_fragment(markup)
    tree = _parse(markup)
    title, published, url = (None, None, None) if fragment else _metadata(tree)
    if fragment:
        kept = _Walker(page=False, mark_chrome=False).walk(tree)
    else:
        lines = _trafilatura_lines(markup)
        kept = _article(lines, _Walker(page=True, mark_chrome=not lines).walk(tree))
    blocks = tuple(c.block for c in kept)
    if not blocks:
        raise UnsupportedDocument(Reason.NO_TEXT, "the HTML holds no text", kind="html")
    return Document(blocks, source_format="html", encoding=encoding, title=title, published=published, url=url)


# Plain lxml elements for our walk: lxml.html's element classes cost a Python lookup per node.
_PARSER = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)
_TRAFILATURA_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)


def _parse(markup: str) -> lxml.etree._Element:
    try:
        root = lxml.etree.fromstring(markup, parser=_PARSER)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as exc:
        raise UnsupportedDocument(Reason.NO_TEXT, "the HTML holds no text", kind="html") from exc
    if root is None:
        raise UnsupportedDocument(Reason.NO_TEXT, "the HTML holds no text", kind="html")
    return root


# --------------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------------


def _metadata(tree: lxml.etree._Element) -> tuple[str | None, str | None, str | None]:
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = meta.get("content")
        if key and content and key not in metas:
            metas[key] = content
    title = metas.get("og:title") or metas.get("twitter:title")
    if not title:
        node = tree.find(".//title")
        title = "".join(node.itertext()) if node is not None else None
    title = clean_text(title) if title else None
    published = None
    for key in ("article:published_time", "og:article:published_time", "datepublished", "pubdate",
                "publishdate", "publish-date", "dc.date.issued", "dc.date", "date"):  # fmt: skip
        published = _iso_date(metas.get(key))
        if published:
            break
    if not published:
        for node in tree.iter("time"):
            if (node.get("itemprop") or "").lower() == "datepublished":
                published = _iso_date(node.get("datetime"))
                break
    if not published:
        for node in tree.iter("script"):
            if (node.get("type") or "").lower() == "application/ld+json" and node.text:
                match = _LD_DATE.search(node.text)
                published = _iso_date(match.group(1)) if match else None
                if published:
                    break
    url = metas.get("og:url")
    if not url:
        for link in tree.iter("link"):
            if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
                url = link.get("href")
                break
    return title or None, published, (url.strip() if url else None)


def _iso_date(value: str | None) -> str | None:
    match = _ISO_DATE.search(value or "")
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------------
# The walk: blocks with what the markup says about them
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    block: Block
    key: str  # the text without any whitespace, to match trafilatura's output
    other: bool  # another article's title: a related-news heading, an item of a list of links
    chrome: bool  # inside nav/aside/footer or a container whose class or id names page chrome


@dataclass(slots=True)
class _List:
    ordered: bool
    style: str  # "1" "a" "A" "i" "I" "01" "none" or "•"
    counter: int
    step: int
    list_id: str


@dataclass(slots=True)
class _Frame:
    tag: str
    block: bool
    heading: int = 0
    label: str | None = None  # for <li>: the label its first block still has to take
    list_id: str = ""
    level: int = 0
    other: bool = False
    chrome: bool = False
    bold: bool = False


class _Walker:
    """One pass over the tree, iterative (no recursion limit on hostile nesting)."""

    def __init__(self, *, page: bool, mark_chrome: bool) -> None:
        # On a page, nav/aside/footer/menu are skipped unread (trafilatura drops them as well);
        # containers named like chrome are only looked for when trafilatura found no article.
        self.skip = _SKIP_TAGS | _PAGE_CHROME_TAGS if page else _SKIP_TAGS
        self.mark_chrome = mark_chrome
        self.out: list[_Candidate] = []
        self.frames: list[_Frame] = []
        self.lists: list[_List] = []
        self.pieces: list[tuple[str, bool]] = []
        self.bold_depth = 0
        self.other_depth = 0
        self.chrome_depth = 0
        self.list_count = 0

    def walk(self, root: lxml.etree._Element) -> list[_Candidate]:
        walker = lxml.etree.iterwalk(root, events=("start", "end"))
        skipped: lxml.etree._Element | None = None  # skip_subtree() still reports the element's end
        for event, el in walker:
            if event == "end":
                if el is skipped:
                    skipped = None
                else:
                    self._end()
                self._text(el.tail)
                continue
            tag = el.tag.lower() if isinstance(el.tag, str) else ""
            if not tag or tag in self.skip or tag == "br" or self._hidden(el):
                if tag == "br":
                    self._flush()
                walker.skip_subtree()
                skipped = el
                continue
            self._start(el, tag)
            self._text(el.text)
        self._flush()
        return self.out

    @staticmethod
    def _hidden(el: lxml.etree._Element) -> bool:
        if el.get("hidden") is not None:
            return True
        style = el.get("style")
        return bool(style) and _HIDDEN_STYLE.search(style) is not None

    def _start(self, el: lxml.etree._Element, tag: str) -> None:
        block = tag in _BLOCK_TAGS
        if block:
            self._flush()
        frame = _Frame(tag, block)
        style = el.get("style")
        frame.bold = tag in _BOLD_TAGS or (bool(style) and _BOLD_STYLE.search(style or "") is not None)
        frame.chrome = self.mark_chrome and (tag in _PAGE_CHROME_TAGS or self._chrome_name(el, tag))
        if tag in _HEADINGS:
            frame.heading = _HEADINGS[tag]
        elif tag in _LISTS:
            frame.other = not self.lists and _link_dense(el)
            self._open_list(el, tag)
        elif tag == "li":
            self._open_item(el, frame)
        self.frames.append(frame)
        self.bold_depth += frame.bold
        self.other_depth += frame.other
        self.chrome_depth += frame.chrome

    def _end(self) -> None:
        frame = self.frames[-1]
        if frame.block:
            self._flush()
        self.frames.pop()
        self.bold_depth -= frame.bold
        self.other_depth -= frame.other
        self.chrome_depth -= frame.chrome
        if frame.tag in _LISTS:
            self.lists.pop()

    @staticmethod
    def _chrome_name(el: lxml.etree._Element, tag: str) -> bool:
        if tag in {"body", "html", "form", "main", "article"}:
            return False
        names = f"{el.get('class') or ''} {el.get('id') or ''}".strip()
        return bool(names) and _CHROME_CLASS.search(names) is not None

    def _open_list(self, el: lxml.etree._Element, tag: str) -> None:
        self.list_count += 1
        ordered = tag == "ol"
        style = _list_style(el, "1" if ordered else "•")
        ordered = style in {"1", "01", "a", "A", "i", "I"} or (ordered and style == "none")
        step = -1 if ordered and el.get("reversed") is not None else 1
        items = sum(1 for child in el if isinstance(child.tag, str) and child.tag.lower() == "li")
        default = items if step < 0 else 1
        start = _int(el.get("start"), default) if ordered else 1
        self.lists.append(_List(ordered, style, start, step, f"html-{self.list_count}"))

    def _open_item(self, el: lxml.etree._Element, frame: _Frame) -> None:
        if not self.lists:  # a stray <li> outside any list: drawn as a bullet
            self.list_count += 1
            frame.label, frame.list_id, frame.level = "•", f"html-{self.list_count}", 0
            return
        lst = self.lists[-1]
        style = _list_style(el, lst.style)
        if lst.ordered:
            value = _int(el.get("value"), lst.counter)
            frame.label = _format_label(value, style)
            lst.counter = value + lst.step
        else:
            frame.label = "" if style == "none" else "•"
        frame.list_id = lst.list_id
        frame.level = len(self.lists) - 1

    def _text(self, text: str | None) -> None:
        if text:
            self.pieces.append((text, self.bold_depth > 0))

    def _flush(self) -> None:
        pieces, self.pieces = self.pieces, []
        if not pieces:
            return
        text = clean_text("".join(p for p, _ in pieces))
        if not text:
            return
        bold = all(b for p, b in pieces if p.strip())
        kind, label, list_id, level, heading = BlockKind.PARAGRAPH, "", "", 0, 0
        for frame in reversed(self.frames):
            if frame.heading and not heading:
                kind, heading = BlockKind.HEADING, frame.heading
                continue  # a heading inside a list item still takes the item's label
            if frame.tag == "li":
                list_id, level = frame.list_id, frame.level
                if not heading:
                    kind = BlockKind.LIST_ITEM
                if frame.label is not None:
                    label, frame.label = frame.label, None
                break
            if frame.tag in _CELLS:
                if not heading:
                    kind = BlockKind.TABLE_CELL
                break
        other = self.other_depth > 0 or (heading > 0 and fold(text).rstrip(" :") in _RELATED_HEADINGS)
        block = Block(text, kind=kind, label=label, list_id=list_id, level=level, bold=bold, heading_level=heading)
        self.out.append(_Candidate(block, "".join(text.split()), other, self.chrome_depth > 0))


def _int(value: str | None, default: int) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return default


def _list_style(el: lxml.etree._Element, default: str) -> str:
    kind: str = (el.get("type") or "").strip()
    if kind in {"1", "a", "A", "i", "I"}:
        return kind
    if kind.lower() in {"disc", "circle", "square"}:
        return "•"
    style = el.get("style")
    if style:
        match = _LIST_STYLE.search(style)
        if match:
            css = match.group(1).lower()
            mapped = {
                "decimal": "1", "decimal-leading-zero": "01", "lower-alpha": "a", "lower-latin": "a",
                "upper-alpha": "A", "upper-latin": "A", "lower-roman": "i", "upper-roman": "I", "none": "none",
                "disc": "•", "circle": "•", "square": "•",
            }.get(css)  # fmt: skip
            if mapped:
                return mapped
    return default


def _format_label(value: int, style: str) -> str:
    if style == "none":
        return ""
    if style == "•":
        return "•"
    if style == "01":
        return f"{value:02d}."
    if style in {"a", "A"} and value > 0:
        letters = _letters(value)
        return (letters if style == "a" else letters.upper()) + "."
    if style in {"i", "I"} and 0 < value < 4000:
        numeral = roman(value)
        return (numeral.lower() if style == "i" else numeral) + "."
    return f"{value}."


def _letters(value: int) -> str:
    out = ""
    while value > 0:
        value, rem = divmod(value - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def _link_dense(el: lxml.etree._Element) -> bool:
    """A list whose text is mostly links, with at least three items: navigation or related news."""
    items = sum(1 for child in el if isinstance(child.tag, str) and child.tag.lower() == "li")
    if items < 3:
        return False
    total = len("".join(el.itertext()).split())
    if total == 0:
        return False
    linked = sum(len("".join(a.itertext()).split()) for a in el.iter("a"))
    return linked >= total * _LINK_DENSITY


# --------------------------------------------------------------------------------------------------
# The article: what trafilatura kept, plus the lines between the title and the body
# --------------------------------------------------------------------------------------------------


def _article(lines: list[str], candidates: list[_Candidate]) -> list[_Candidate]:
    fallback = [c for c in candidates if not (c.other or c.chrome)]
    if not lines:
        # trafilatura found no article (a short page, an odd layout): keep what is not page chrome.
        return fallback
    exact = set(lines)
    joined = "\n".join(lines)
    keep = [not c.other and (c.key in exact or (len(c.key) >= _MIN_CONTAINED and c.key in joined)) for c in candidates]
    first = next((i for i, k in enumerate(keep) if k), None)
    if first is None:
        return fallback
    _add_prebody(candidates, keep, first)
    return [c for c, k in zip(candidates, keep, strict=True) if k]


def _add_prebody(candidates: list[_Candidate], keep: list[bool], first: int) -> None:
    """Keep the short lines between the article's title and its body (date line, byline, source):
    trafilatura drops them as metadata, and the parser reads ``published`` from them."""
    title = first if candidates[first].block.heading_level else None
    if title is None:  # the title is outside what trafilatura kept: the nearest heading before it
        for i in range(first - 1, max(-1, first - _MAX_PREBODY_BLOCKS - 2), -1):
            if candidates[i].block.heading_level and not candidates[i].other:
                title = i
                break
    if title is None:
        return
    body = next((i for i in range(title + 1, len(keep)) if keep[i]), len(keep))
    if body - title - 1 > _MAX_PREBODY_BLOCKS:
        return
    for i in range(title, body):
        c = candidates[i]
        if not c.other and (i == title or len(c.block.text) <= _MAX_PREBODY_CHARS):
            keep[i] = True


def _trafilatura_lines(markup: str) -> list[str]:
    """The article's lines as trafilatura extracts them (whitespace removed, for matching)."""
    import trafilatura  # imported here: ~0.2 s, and only pages need it

    # trafilatura wants lxml.html elements and copies the tree it is given: parsing again (2 ms for
    # 300 KB) costs no more than the copy.
    tree = lxml.html.document_fromstring(markup, parser=_TRAFILATURA_PARSER)
    xml = trafilatura.extract(
        tree,
        output_format="xml",
        include_formatting=True,
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        with_metadata=False,
        deduplicate=False,
    )
    if not xml:
        return []
    root = lxml.etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    if main is None:
        return []
    parts: list[str] = []
    for event, el in lxml.etree.iterwalk(main, events=("start", "end")):
        if event == "start":
            if el.tag in {"p", "head", "item", "cell", "row", "list", "quote", "lb", "table"}:
                parts.append("\n")
            if el.text:
                parts.append(el.text)
        else:
            if el.tag in {"p", "head", "item", "cell", "row", "quote"}:
                parts.append("\n")
            if el.tail and el is not main:
                parts.append(el.tail)
    return [key for key in ("".join(line.split()) for line in "".join(parts).split("\n")) if key]
