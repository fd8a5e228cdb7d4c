"""PDF with a text layer: lines with their position (pdfminer.six), rebuilt into paragraphs.

pdfminer.six over pypdf: on the two-page fixture pypdf extracts the text in 15 ms and pdfminer in
45 ms, both well inside the budget, but only pdfminer hands over each line's box and font, which is
what tells a page header from a heading and a wrapped line from a paragraph's last line. (Measured
in ``benchmarks/parse.py``; see the README.)

1. **Furniture.** A line in the top or bottom tenth of its page is a page header or footer when the
   same line (digits aside) sits in that band on at least two pages and on 40 % of them, or when it is
   only a page number ("3", "- 3 -", "Trang 3/5", "Page 3 of 5"). Those lines are removed.
2. **Paragraphs.** A line joins the previous one unless it starts an enumerator or bullet ("Thứ hai,",
   "2.", "b)", "- ", "II."), or leaves a gap well over the line pitch, or changes font size; or the
   previous line ends a sentence and is short (the last line of a paragraph) or this one is indented.
   So a hard-wrapped paragraph reads as one, and one that runs over a page break (the previous
   page's last line does not end a sentence) is kept whole: the header and footer between them are
   already gone.
3. A PDF with no text but pictures is a scan; one that needs a password is refused as encrypted. One
   with only an owner password (printing or copying "restricted") opens without one and is read.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.blocks import Block, BlockKind, Document
from bot.domain.textnorm import fold
from bot.ingest.clean import clean_text
from bot.ingest.errors import Reason, UnsupportedDocument

# pdfminer logs every oddity of a file (missing CropBox, "should not allow text extraction") at
# WARNING; for a bot reading whatever admins send, those are not operational warnings.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

MAX_PAGES = 100  # a bulletin is 1-10 pages; past this the upload is some other document
_BAND = 0.10  # share of the page height at the top and at the bottom where headers and footers sit
_REPEAT_SHARE = 0.4
_CID = re.compile(r"\(cid:\d+\)")
_PAGE_NUMBER = re.compile(
    r"^(?:(?:trang|page|tr\.)\s*)?[-–—(\[]?\s*\d{1,4}\s*(?:(?:/|of|tren|trong so)\s*\d{1,4})?\s*[-–—)\]]?$"
)
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’»)\]]*$")
# What starts a new paragraph even without a gap: the enumerators and bullets of bulletins.
_STARTER = re.compile(
    r"^(?:"
    r"thu (?:nhat|hai|ba|tu|nam|sau|bay|tam|chin|muoi)\b(?: la)?\s*[,:]"
    r"|(?:mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi) la\s*[,:]"
    r"|(?:noi dung|nhiem vu) \d{1,2}\s*[.:)]"
    r"|\(?\d{1,2}[.)/](?:\s|$)"
    r"|\(\d{1,2}\)\s"
    r"|[ivxlc]{1,6}[.)]\s"
    r"|[a-h][)/]\s"
    r"|[-–+•▪●◦*✓✔➢►]\s"
    r"|\d\ufe0f?\u20e3"
    r")"
)
_BULLET_START = frozenset("🔹🔸▪️✅👉📌")


@dataclass(slots=True)
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    size: float
    bold: bool


def pdf_document(data: bytes) -> Document:
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser, password="")
    except PDFPasswordIncorrect as exc:
        raise UnsupportedDocument(Reason.PDF_ENCRYPTED, "the PDF needs a password to open") from exc
    except PDFEncryptionError as exc:
        raise UnsupportedDocument(Reason.PDF_ENCRYPTED, f"the PDF is encrypted ({exc})") from exc
    except Exception as exc:
        raise UnsupportedDocument(Reason.DAMAGED, f"the PDF does not open ({type(exc).__name__})", kind="pdf") from exc
    pages = []
    for page in PDFPage.create_pages(document):
        pages.append(page)
        if len(pages) > MAX_PAGES:
            raise UnsupportedDocument(
                Reason.TOO_LARGE, f"more than {MAX_PAGES} pages", pages=len(pages), limit=MAX_PAGES, kind="pdf"
            )
    if not pages:
        raise UnsupportedDocument(Reason.NO_TEXT, "the PDF has no pages", kind="pdf")
    lines, heights, pictures, cids = _read_lines(pages)
    text_chars = sum(len(line.text) for line in lines)
    if text_chars < 20:
        if pictures or cids:
            raise UnsupportedDocument(Reason.PDF_NO_TEXT_LAYER, "the PDF pages are pictures: no text layer")
        raise UnsupportedDocument(Reason.NO_TEXT, "the PDF holds no text", kind="pdf")
    if cids > text_chars:  # fonts without a Unicode map: the "text" is glyph numbers
        raise UnsupportedDocument(Reason.PDF_NO_TEXT_LAYER, "the PDF's text cannot be read (no Unicode map)")
    body, removed = _drop_furniture(lines, heights, len(pages))
    blocks = _paragraphs(body)
    if not blocks:
        raise UnsupportedDocument(Reason.NO_TEXT, "the PDF holds no text", kind="pdf")
    notes = (f"removed {removed} page header/footer lines",) if removed else ()
    return Document(tuple(blocks), source_format="pdf", title=_title(document), notes=notes)


def _read_lines(pages: Sequence[object]) -> tuple[list[_Line], list[float], int, int]:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams, LTChar, LTFigure, LTImage, LTTextContainer, LTTextLine
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager

    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=LAParams())
    interpreter = PDFPageInterpreter(resources, device)
    lines: list[_Line] = []
    heights: list[float] = []
    pictures = 0
    cids = 0
    for number, page in enumerate(pages, start=1):
        interpreter.process_page(page)  # type: ignore[arg-type]
        layout = device.get_result()
        heights.append(float(layout.height) or 842.0)
        for element in layout:
            if isinstance(element, LTImage | LTFigure):
                pictures += 1
                continue
            if not isinstance(element, LTTextContainer):
                continue
            for line in element:
                if not isinstance(line, LTTextLine):
                    continue
                raw = line.get_text()
                found = _CID.findall(raw)
                cids += sum(len(c) for c in found)
                text = clean_text(_CID.sub("", raw))
                if not text:
                    continue
                chars = [ch for ch in line if isinstance(ch, LTChar)]
                size = statistics.median(ch.size for ch in chars) if chars else float(line.height)
                bold = bool(chars) and all(_is_bold(ch.fontname) for ch in chars if ch.get_text().strip())
                lines.append(
                    _Line(number, text, float(line.x0), float(line.x1), float(line.y0), float(line.y1), size, bold)
                )
    return lines, heights, pictures, cids


def _is_bold(fontname: str) -> bool:
    name = fontname.lower()
    return "bold" in name or "black" in name or "heavy" in name


def _title(document: object) -> str | None:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    for info in getattr(document, "info", []) or []:
        value = resolve1(info.get("Title")) if isinstance(info, dict) else None
        if isinstance(value, bytes):
            title = clean_text(decode_text(value))
            if title:
                return title
        elif isinstance(value, str) and clean_text(value):
            return clean_text(value)
    return None


def _drop_furniture(lines: list[_Line], heights: list[float], pages: int) -> tuple[list[_Line], int]:
    def in_band(line: _Line) -> bool:
        height = heights[line.page - 1]
        return line.y0 >= height * (1 - _BAND) or line.y1 <= height * _BAND

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", fold(line.text))

    seen: dict[str, set[int]] = {}
    for line in lines:
        if in_band(line):
            seen.setdefault(key(line), set()).add(line.page)
    needed = max(2, round(pages * _REPEAT_SHARE))
    body: list[_Line] = []
    removed = 0
    for line in lines:
        if in_band(line) and (len(seen.get(key(line), ())) >= needed or _PAGE_NUMBER.match(fold(line.text))):
            removed += 1
            continue
        body.append(line)
    return body, removed


def _paragraphs(lines: list[_Line]) -> list[Block]:
    if not lines:
        return []
    body_size = statistics.median(line.size for line in lines)
    pitches = [
        prev.y0 - line.y0
        for prev, line in itertools.pairwise(lines)
        if line.page == prev.page and 0 < prev.y0 - line.y0 < 3 * max(prev.size, 1.0)
    ]
    pitch = statistics.median(pitches) if pitches else body_size * 1.4
    x0s = sorted(line.x0 for line in lines)
    x1s = sorted(line.x1 for line in lines)
    left = x0s[len(x0s) // 10]
    right = x1s[(len(x1s) * 9) // 10]
    width = max(right - left, 1.0)

    groups: list[list[_Line]] = [[lines[0]]]
    for prev, line in itertools.pairwise(lines):
        if _starts_paragraph(prev, line, pitch, left, right, width):
            groups.append([line])
        else:
            groups[-1].append(line)
    blocks: list[Block] = []
    for group in groups:
        text = clean_text(" ".join(line.text for line in group))
        if not text:
            continue
        size = max(line.size for line in group)
        heading = 1 if size >= body_size * 1.15 else 0
        blocks.append(
            Block(
                text,
                kind=BlockKind.HEADING if heading else BlockKind.PARAGRAPH,
                bold=all(line.bold for line in group),
                heading_level=heading,
                page=group[0].page,
            )
        )
    return blocks


def _starts_paragraph(prev: _Line, line: _Line, pitch: float, left: float, right: float, width: float) -> bool:
    folded = fold(line.text)
    if _STARTER.match(folded) or line.text[:1] in _BULLET_START or line.text[:2] in _BULLET_START:
        return True
    same_page = line.page == prev.page
    if same_page and prev.y0 - line.y0 > pitch * 1.45:
        return True
    if abs(line.size - prev.size) > max(prev.size, line.size) * 0.12:
        return True
    if not _SENTENCE_END.search(prev.text):
        return False  # a wrapped line, also across a page break
    if prev.x1 < right - width * 0.08:
        return True  # the previous line is short: the last line of its paragraph
    if line.x0 > left + width * 0.025:
        return True  # first-line indent
    return not same_page  # a sentence that ends at the foot of the page: call it a paragraph end
