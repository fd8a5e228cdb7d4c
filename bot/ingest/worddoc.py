"""Word .docx: the body's paragraphs and table cells in document order, with Word's own numbering.

python-docx opens the package (zip, relationships, parts, core properties) and parses the XML safely
(no entity expansion). It has no API for list numbering, and that is the point here: a bulletin typed
in Word usually numbers its tasks with automatic numbering, so "1." or "a)" is not in the text at
all. ``_Numbering`` renders what Word would draw: ``w:numPr`` (on the paragraph or inherited from its
style) → ``w:num`` → ``w:abstractNum`` level (``numFmt``, ``lvlText`` such as "%1." or "%1.%2.",
``start``, ``lvlRestart``, ``isLgl``), with ``startOverride`` restarts, counters shared by the
``w:num`` instances of one abstract list, and deeper levels restarting under a shallower one.

Page headers and footers, footnotes, comments, text boxes, deleted (tracked) and hidden text are not
part of the body and are left out. The closing of an official document, from "Nơi nhận:" (the
recipients) or the signature block ("K/T TRƯỞNG BAN", "T/M BAN THƯỜNG VỤ", "(Đã ký)") to the end, is
kept as FURNITURE: the parser never puts it in a task.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from bot.domain.blocks import Block, BlockKind, Document
from bot.domain.textnorm import fold
from bot.ingest.clean import clean_text
from bot.ingest.errors import Reason, UnsupportedDocument
from bot.ingest.numerals import roman

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _q(tag: str) -> str:
    return f"{{{_W}}}{tag}"


_P, _TBL, _TR, _TC, _R, _T = _q("p"), _q("tbl"), _q("tr"), _q("tc"), _q("r"), _q("t")
_PPR, _RPR, _VAL = _q("pPr"), _q("rPr"), _q("val")
# Paragraph children whose runs are part of the visible text; anything else (w:del, w:moveFrom,
# bookmarks, proofing marks, math) is skipped.
_INLINE_CONTAINERS = frozenset(
    _q(t)
    for t in ("hyperlink", "ins", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml", "moveTo", "dir", "bdo")
)
_BLOCK_CONTAINERS = frozenset(_q(t) for t in ("sdt", "sdtContent", "customXml", "ins", "moveTo"))
_FALSE = frozenset({"0", "false", "off", "none"})
_MAX_LEVELS = 9

_CLOSING = re.compile(r"^noi nhan\b")
# A signature block's first line: "K/T TRƯỞNG BAN", "T/M BAN THƯỜNG VỤ", "TM. ĐẢNG ỦY", "TL. BÍ THƯ",
# "Q. TRƯỞNG BAN", "THỪA LỆNH …", or a lone "(Đã ký)".
_SIGNATURE = re.compile(
    r"^(?:(?:k/t|t/m|t/l|tm\.|kt\.|tl\.|tuq\.|q\.|thay mat|ky thay|thua lenh|thua uy quyen)\s+\S|\(da ky\)$)"
)
_MAX_SIGNATURE_CHARS = 80


def docx_document(data: bytes) -> Document:
    import docx  # imported here: ~0.1 s, and only .docx needs it

    try:
        word = docx.Document(io.BytesIO(data))
        body = word.element.body
        styles = _Styles(word.styles.element)
        numbering = _Numbering(_numbering_element(word), styles)
        core_title = word.core_properties.title
    except UnsupportedDocument:
        raise
    except Exception as exc:  # python-docx raises KeyError/ValueError/XMLSyntaxError/… on a broken package
        raise UnsupportedDocument(
            Reason.DAMAGED, f"the .docx does not open ({type(exc).__name__})", kind="docx"
        ) from exc
    reader = _Reader(styles, numbering)
    blocks = _mark_closing(list(reader.body(body)))
    if not any(b.text for b in blocks):
        raise UnsupportedDocument(Reason.NO_TEXT, "the .docx holds no text", kind="docx")
    title = clean_text(core_title) if core_title else None
    # Why no `published`: Word's created/modified dates are those of the file or its template, not of
    # the bulletin; the parser reads the document's own date line ("Hà Nội, ngày 5 tháng 6 năm 2023").
    return Document(tuple(blocks), source_format="docx", title=title or None)


def _numbering_element(word: object) -> etree._Element | None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = getattr(word, "part", None)
    try:
        numbering_part = part.part_related_by(RT.NUMBERING)  # type: ignore[union-attr]
    except (KeyError, AttributeError):
        return None
    element: etree._Element | None = getattr(numbering_part, "element", None)
    return element


def _on(el: etree._Element | None) -> bool | None:
    """A Word toggle property (w:b, w:caps, w:vanish): True, False, or None when absent."""
    if el is None:
        return None
    return (el.get(_VAL) or "true").lower() not in _FALSE


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# --------------------------------------------------------------------------------------------------
# Styles: what a paragraph or character style says about bold, headings and numbering
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Style:
    based_on: str | None = None
    name: str = ""
    bold: bool | None = None
    caps: bool | None = None
    num_id: str | None = None
    ilvl: int | None = None
    outline: int | None = None


class _Styles:
    def __init__(self, root: etree._Element | None) -> None:
        self.styles: dict[str, _Style] = {}
        self.default_paragraph: str | None = None
        self.default_bold = False
        if root is None:
            return
        defaults = root.find(f"{_q('docDefaults')}/{_q('rPrDefault')}/{_RPR}")
        if defaults is not None:
            self.default_bold = bool(_on(defaults.find(_q("b"))))
        for el in root.iter(_q("style")):
            sid = el.get(_q("styleId"))
            if not sid:
                continue
            style = _Style()
            based = el.find(_q("basedOn"))
            style.based_on = based.get(_VAL) if based is not None else None
            name = el.find(_q("name"))
            style.name = (name.get(_VAL) or "") if name is not None else ""
            rpr = el.find(_RPR)
            if rpr is not None:
                style.bold = _on(rpr.find(_q("b")))
                style.caps = _on(rpr.find(_q("caps")))
            ppr = el.find(_PPR)
            if ppr is not None:
                num = ppr.find(_q("numPr"))
                if num is not None:
                    num_id = num.find(_q("numId"))
                    ilvl = num.find(_q("ilvl"))
                    style.num_id = num_id.get(_VAL) if num_id is not None else None
                    style.ilvl = _int(ilvl.get(_VAL)) if ilvl is not None else None
                outline = ppr.find(_q("outlineLvl"))
                if outline is not None:
                    style.outline = _int(outline.get(_VAL), 9)
            self.styles[sid] = style
            if el.get(_q("type")) == "paragraph" and (el.get(_q("default")) or "").lower() in {"1", "true", "on"}:
                self.default_paragraph = sid

    def chain(self, sid: str | None) -> Iterator[_Style]:
        seen: set[str] = set()
        while sid and sid not in seen and sid in self.styles:
            seen.add(sid)
            style = self.styles[sid]
            yield style
            sid = style.based_on

    def bold(self, sid: str | None) -> bool | None:
        return next((s.bold for s in self.chain(sid) if s.bold is not None), None)

    def caps(self, sid: str | None) -> bool | None:
        return next((s.caps for s in self.chain(sid) if s.caps is not None), None)

    def numbering(self, sid: str | None) -> tuple[str | None, int | None]:
        for style in self.chain(sid):
            if style.num_id is not None:
                return style.num_id, style.ilvl
        return None, None

    def heading_level(self, sid: str | None) -> int:
        for style in self.chain(sid):
            name = style.name.lower()
            if name == "title":
                return 1
            match = re.fullmatch(r"heading ([1-9])", name)
            if match:
                return int(match.group(1))
            if style.outline is not None and style.outline < 9:
                return style.outline + 1
        return 0


# --------------------------------------------------------------------------------------------------
# Numbering
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # w:lvlRestart (1-based level; 0 = never)
    legal: bool = False  # w:isLgl: every number in the label in decimal
    style: str | None = None  # w:pStyle: the paragraph style bound to this level


@dataclass(slots=True)
class _Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)  # w:lvlOverride/w:startOverride
    levels: dict[int, _Level] = field(default_factory=dict)  # w:lvlOverride/w:lvl


@dataclass(slots=True)
class _Counter:
    values: list[int | None] = field(default_factory=lambda: [None] * _MAX_LEVELS)
    instance: int = 0


class _Numbering:
    def __init__(self, root: etree._Element | None, styles: _Styles) -> None:
        self.abstracts: dict[str, dict[int, _Level]] = {}
        self.style_links: dict[str, str] = {}  # w:numStyleLink → the abstract with that w:styleLink
        self.num_style_link: dict[str, str] = {}
        self.nums: dict[str, _Num] = {}
        self.counters: dict[str, _Counter] = {}
        self.started: set[str] = set()
        self.styles = styles
        if root is None:
            return
        for el in root.iter(_q("abstractNum")):
            aid = el.get(_q("abstractNumId"))
            if aid is None:
                continue
            self.abstracts[aid] = {_int(lvl.get(_q("ilvl"))): _level(lvl) for lvl in el.iter(_q("lvl"))}
            link = el.find(_q("styleLink"))
            if link is not None and link.get(_VAL):
                self.style_links[link.get(_VAL) or ""] = aid
            num_link = el.find(_q("numStyleLink"))
            if num_link is not None and num_link.get(_VAL):
                self.num_style_link[aid] = num_link.get(_VAL) or ""
        for el in root.iter(_q("num")):
            nid = el.get(_q("numId"))
            ref = el.find(_q("abstractNumId"))
            if nid is None or ref is None or ref.get(_VAL) is None:
                continue
            num = _Num(ref.get(_VAL) or "")
            for override in el.iter(_q("lvlOverride")):
                ilvl = _int(override.get(_q("ilvl")))
                start = override.find(_q("startOverride"))
                if start is not None:
                    num.starts[ilvl] = _int(start.get(_VAL), 1)
                lvl = override.find(_q("lvl"))
                if lvl is not None:
                    num.levels[ilvl] = _level(lvl)
            self.nums[nid] = num

    def _abstract_id(self, num: _Num) -> str:
        aid = num.abstract
        link = self.num_style_link.get(aid)
        if link:  # the list is defined by a numbering style: follow it to the abstract that defines it
            target = self.style_links.get(link)
            if target is None:
                style_num, _ = self.styles.numbering(link)
                linked = self.nums.get(style_num or "")
                target = linked.abstract if linked is not None else None
            if target is not None and target in self.abstracts:
                return target
        return aid

    def level_for_style(self, num_id: str, style_id: str | None) -> int:
        num = self.nums.get(num_id)
        if num is None or style_id is None:
            return 0
        for ilvl, level in self.abstracts.get(self._abstract_id(num), {}).items():
            if level.style == style_id:
                return ilvl
        return 0

    def label(self, num_id: str, ilvl: int) -> tuple[str, str] | None:
        """Advance the list's counter for this paragraph; (label, list id), or None if not numbered."""
        num = self.nums.get(num_id)
        if num is None or num_id == "0":
            return None
        aid = self._abstract_id(num)
        levels = self.abstracts.get(aid, {})
        ilvl = min(max(ilvl, 0), _MAX_LEVELS - 1)

        def level_of(i: int) -> _Level:
            return num.levels.get(i) or levels.get(i) or _Level()

        counter = self.counters.setdefault(aid, _Counter())
        if num_id not in self.started:
            self.started.add(num_id)
            if num.starts:  # "Restart numbering": a new instance of the list from the override
                counter.instance += 1
                for i in range(_MAX_LEVELS):
                    counter.values[i] = num.starts[i] - 1 if i in num.starts else None
        level = level_of(ilvl)
        current = counter.values[ilvl]
        counter.values[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, _MAX_LEVELS):
            restart = level_of(deeper).restart
            if restart is None or (restart != 0 and ilvl < restart):
                counter.values[deeper] = None
        list_id = f"docx-{aid}.{counter.instance}"
        if level.fmt == "bullet":
            return _bullet(level.text), list_id
        if level.fmt == "none":
            return "", list_id

        def number(match: re.Match[str]) -> str:
            i = int(match.group(1)) - 1
            if not 0 <= i < _MAX_LEVELS:
                return ""
            value = counter.values[i]
            lvl = level_of(i)
            if value is None:
                value = lvl.start
            fmt = "decimal" if level.legal and i != ilvl else lvl.fmt
            return _format(value, fmt)

        return re.sub(r"%([1-9])", number, level.text).strip(), list_id


def _level(el: etree._Element) -> _Level:
    level = _Level()
    start = el.find(_q("start"))
    if start is not None:
        level.start = _int(start.get(_VAL), 1)
    fmt = el.find(_q("numFmt"))
    if fmt is not None and fmt.get(_VAL):
        level.fmt = fmt.get(_VAL) or "decimal"
    text = el.find(_q("lvlText"))
    if text is not None:
        level.text = text.get(_VAL) or ""
    restart = el.find(_q("lvlRestart"))
    if restart is not None:
        level.restart = _int(restart.get(_VAL), 1)
    level.legal = bool(_on(el.find(_q("isLgl"))))
    style = el.find(_q("pStyle"))
    if style is not None:
        level.style = style.get(_VAL)
    return level


# Word's "vietnameseCounting" format spells the number.
_VI_WORDS = dict(
    enumerate(("một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai"), start=1)
)


def _format(value: int, fmt: str) -> str:
    if fmt in {"decimalZero"}:
        return f"{value:02d}"
    if fmt in {"upperRoman", "lowerRoman"} and 0 < value < 4000:
        numeral = roman(value)
        return numeral if fmt == "upperRoman" else numeral.lower()
    if fmt in {"upperLetter", "lowerLetter"} and value > 0:
        # Word's letters repeat after z: a … z, aa … zz, aaa …
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "vietnameseCounting" and value in _VI_WORDS:
        return _VI_WORDS[value]
    return str(value)


def _bullet(text: str) -> str:
    """The bullet's glyph as plain text: dashes and plus stay what they are, symbol-font glyphs and the
    rest read as "•"."""
    glyph = text.strip()
    if glyph in {"-", "–", "—", "−", "‒"}:
        return "-"
    if glyph == "+":
        return "+"
    return "•"


# --------------------------------------------------------------------------------------------------
# The body
# --------------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, styles: _Styles, numbering: _Numbering) -> None:
        self.styles = styles
        self.numbering = numbering

    def body(self, body: etree._Element) -> Iterator[Block]:
        # An explicit stack: nested tables and content controls, in document order, without recursion.
        stack: list[tuple[Iterator[etree._Element], bool]] = [(iter(body), False)]
        while stack:
            children, in_table = stack[-1]
            el = next(children, None)
            if el is None:
                stack.pop()
                continue
            tag = el.tag
            if tag == _P:
                yield from self.paragraph(el, in_table)
            elif tag == _TBL:
                cells = (tc for tr in el.iter(_TR) if _parent_table(tr) is el for tc in tr if tc.tag == _TC)
                stack.append((_cell_children(cells), True))
            elif tag in _BLOCK_CONTAINERS:
                stack.append((iter(el), in_table))

    def paragraph(self, p: etree._Element, in_table: bool) -> Iterator[Block]:
        ppr = p.find(_PPR)
        style_id = self.styles.default_paragraph
        num_id: str | None = None
        ilvl: int | None = None
        if ppr is not None:
            pstyle = ppr.find(_q("pStyle"))
            if pstyle is not None and pstyle.get(_VAL):
                style_id = pstyle.get(_VAL)
            num = ppr.find(_q("numPr"))
            if num is not None:
                nid = num.find(_q("numId"))
                lvl = num.find(_q("ilvl"))
                num_id = nid.get(_VAL) if nid is not None else None
                ilvl = _int(lvl.get(_VAL)) if lvl is not None else None
        if num_id is None:
            num_id, style_ilvl = self.styles.numbering(style_id)
            if num_id is not None and ilvl is None:
                ilvl = style_ilvl if style_ilvl is not None else self.numbering.level_for_style(num_id, style_id)
        lines = self._lines(p, style_id)
        numbered = self.numbering.label(num_id, ilvl or 0) if num_id is not None else None
        heading = self.styles.heading_level(style_id)
        if heading:
            kind = BlockKind.HEADING
        elif numbered is not None:
            kind = BlockKind.LIST_ITEM
        elif in_table:
            kind = BlockKind.TABLE_CELL
        else:
            kind = BlockKind.PARAGRAPH
        label, list_id = numbered if numbered is not None else ("", "")
        level = (ilvl or 0) if numbered is not None else 0
        for i, (text, bold) in enumerate(lines):
            yield Block(
                text,
                kind=kind,
                label=label if i == 0 else "",
                list_id=list_id,
                level=level,
                bold=bold,
                heading_level=heading,
            )

    def _lines(self, p: etree._Element, style_id: str | None) -> list[tuple[str, bool]]:
        """The paragraph's visible text, cut at manual line breaks; each line with 'all bold'."""
        para_bold = self.styles.bold(style_id)
        para_caps = self.styles.caps(style_id)
        lines: list[list[tuple[str, bool]]] = [[]]
        stack: list[Iterator[etree._Element]] = [iter(p)]
        while stack:
            el = next(stack[-1], None)
            if el is None:
                stack.pop()
                continue
            if el.tag == _R:
                self._run(el, lines, para_bold, para_caps)
            elif el.tag in _INLINE_CONTAINERS:
                stack.append(iter(el))
        out: list[tuple[str, bool]] = []
        for pieces in lines:
            text = clean_text("".join(t for t, _ in pieces))
            if text:
                out.append((text, all(b for t, b in pieces if t.strip())))
        return out

    def _run(
        self, r: etree._Element, lines: list[list[tuple[str, bool]]], para_bold: bool | None, para_caps: bool | None
    ) -> None:
        rpr = r.find(_RPR)
        bold: bool | None = None
        caps: bool | None = None
        if rpr is not None:
            if _on(rpr.find(_q("vanish"))) or _on(rpr.find(_q("specVanish"))):
                return  # hidden text
            bold = _on(rpr.find(_q("b")))
            caps = _on(rpr.find(_q("caps")))
            rstyle = rpr.find(_q("rStyle"))
            char_style = rstyle.get(_VAL) if rstyle is not None else None
            if bold is None:
                bold = self.styles.bold(char_style)
            if caps is None:
                caps = self.styles.caps(char_style)
        if bold is None:
            bold = para_bold if para_bold is not None else self.styles.default_bold
        if caps is None:
            caps = para_caps
        for child in r:
            tag = child.tag
            if tag == _T:
                text = child.text or ""
                lines[-1].append((text.upper() if caps else text, bool(bold)))
            elif tag == _q("tab"):
                lines[-1].append((" ", bool(bold)))
            elif tag in {_q("br"), _q("cr")}:
                lines.append([])
            elif tag == _q("noBreakHyphen"):
                lines[-1].append(("-", bool(bold)))


def _parent_table(tr: etree._Element) -> etree._Element | None:
    parent = tr.getparent()
    while parent is not None and parent.tag != _TBL:
        parent = parent.getparent()
    return parent


def _cell_children(cells: Iterator[etree._Element]) -> Iterator[etree._Element]:
    for tc in cells:
        yield from tc


def _mark_closing(blocks: list[Block]) -> list[Block]:
    """From "Nơi nhận:" or a signature block on, near the end of the document: FURNITURE."""
    start = len(blocks) // 3
    for i in range(start, len(blocks)):
        text = blocks[i].text
        folded = fold(text)
        if (_CLOSING.match(folded) and len(text) <= 40) or (
            len(text) <= _MAX_SIGNATURE_CHARS and _SIGNATURE.match(folded)
        ):
            return blocks[:i] + [_furniture(b) for b in blocks[i:]]
    return blocks


def _furniture(block: Block) -> Block:
    return Block(block.text, kind=BlockKind.FURNITURE, label=block.label, level=block.level, bold=block.bold)
