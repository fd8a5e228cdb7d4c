"""The parser's view of a document: one ``Unit`` per non-empty paragraph, with what the loader said about it.

Plain text (``units_from_text``) gives one unit per line; a ``Document`` (``units_from_document``) one
unit per block, keeping the list label, level, bold and heading flags and page furniture. Every other
module of the parser reads units only, so it does not care which way the text came in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.blocks import BlockKind, Document
from bot.domain.records import BulletinParseError, ParseErrorCode
from bot.domain.textnorm import fold_char, normalize_text

# Raw input above this is refused before any work (a saved portal page with scripts is ~300 KB).
MAX_INPUT_CHARS = 2_000_000
# Normalised text above this is not a bulletin (real ones are 3–15 KB).
MAX_TEXT_CHARS = 200_000
# A document with more blocks than this is not one bulletin.
MAX_BLOCKS = 20_000


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for block in (range(0x41, 0x5B), range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        for code in block:
            folded = fold_char(chr(code))
            if folded != chr(code):
                table[code] = folded
    return table


# bot.domain.textnorm.fold is exact but calls unicodedata per character; a translate table is ~50x faster.
_FOLD_TABLE = _build_fold_table()


def ffold(text: str) -> str:
    """Lower-case, diacritic-free form of NFC text (same length), for keyword tests only."""
    return text.translate(_FOLD_TABLE)


@dataclass(frozen=True, slots=True)
class Unit:
    """One paragraph. ``head`` is what enumerator rules read: the list label (if any) and the text."""

    no: int  # 1-based line number (text) or block number (document), for error messages
    text: str  # NFC, single-spaced; without the list label
    folded: str
    label: str = ""  # the number Word or <ol> renders in front of the paragraph ("1.", "a)", "•")
    level: int = 0
    bold: bool = False
    heading: bool = False
    furniture: bool = False  # page header or footer: never task text
    head: str = field(init=False)  # label and text: what enumerator rules read
    words: int = field(init=False)

    def __post_init__(self) -> None:
        # Computed once: every family reads them for every unit.
        object.__setattr__(self, "head", f"{self.label} {self.text}" if self.label else self.text)
        object.__setattr__(self, "words", self.text.count(" ") + 1)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _check_raw(raw: object) -> None:
    if not isinstance(raw, str | bytes | bytearray):
        raise BulletinParseError(f"expected text or bytes, got {type(raw).__name__}", code=ParseErrorCode.NOT_TEXT)
    if len(raw) > MAX_INPUT_CHARS:
        raise BulletinParseError(
            f"input too large ({len(raw)} characters; limit {MAX_INPUT_CHARS})",
            code=ParseErrorCode.TOO_LARGE,
            details=(("size", len(raw)), ("limit", MAX_INPUT_CHARS)),
        )


def _normalize(raw: str | bytes) -> str:
    try:
        return normalize_text(raw)
    except BulletinParseError as exc:
        raise BulletinParseError(exc.reason, exc.line, code=ParseErrorCode.NOT_UTF8) from exc


def _check_text(text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise BulletinParseError(
            f"text too long for a bulletin ({len(text)} characters after normalisation; limit {MAX_TEXT_CHARS})",
            code=ParseErrorCode.TOO_LARGE,
            details=(("size", len(text)), ("limit", MAX_TEXT_CHARS)),
        )
    if not text.strip():
        raise BulletinParseError("empty text", code=ParseErrorCode.EMPTY)
    controls = len(_CONTROL_RE.findall(text))
    if "\x00" in text or controls > max(8, len(text) // 100):
        raise BulletinParseError(
            f"text looks like binary data ({controls} control characters)",
            code=ParseErrorCode.BINARY,
            details=(("controls", controls),),
        )


def units_from_text(raw: str | bytes) -> list[Unit]:
    """Normalise plain text (or an HTML fragment, or UTF-8 bytes) and cut it into line units."""
    _check_raw(raw)
    text = _normalize(raw)
    _check_text(text)
    lines = text.split("\n")
    if "**" not in text:
        return [Unit(no, line, ffold(line)) for no, line in enumerate(lines, start=1) if line]
    units: list[Unit] = []
    for no, line in enumerate(lines, start=1):
        bold = False
        if "**" in line:
            # Markdown bold pasted from a chat or an editor ("**1. Tuyên truyền …**"): the marks go.
            bold = line.startswith("**")
            line = " ".join(line.replace("**", "").split())
        if line:
            units.append(Unit(no, line, ffold(line), bold=bold))
    return units


def units_from_document(document: Document) -> list[Unit]:
    """One unit per block (a block holding line breaks gives one unit per line, the label on the first)."""
    if len(document.blocks) > MAX_BLOCKS:
        raise BulletinParseError(
            f"document too large ({len(document.blocks)} paragraphs; limit {MAX_BLOCKS})",
            code=ParseErrorCode.TOO_LARGE,
            details=(("size", len(document.blocks)), ("limit", MAX_BLOCKS)),
        )
    total = sum(len(block.text) + 1 for block in document.blocks)
    if total > MAX_INPUT_CHARS:
        raise BulletinParseError(
            f"input too large ({total} characters; limit {MAX_INPUT_CHARS})",
            code=ParseErrorCode.TOO_LARGE,
            details=(("size", total), ("limit", MAX_INPUT_CHARS)),
        )
    units: list[Unit] = []
    texts: list[str] = []
    for no, block in enumerate(document.blocks, start=1):
        # Loaders deliver NFC, single-spaced text; normalising again is cheap and makes sure of it.
        text = _normalize(block.text)
        label = " ".join(block.label.split())
        for i, line in enumerate(text.split("\n")):
            if not line:
                continue
            texts.append(line)
            units.append(
                Unit(
                    no,
                    line,
                    ffold(line),
                    label=label if i == 0 else "",
                    level=block.level,
                    bold=block.bold,
                    heading=block.kind is BlockKind.HEADING or block.heading_level > 0,
                    furniture=block.kind is BlockKind.FURNITURE,
                )
            )
    _check_text("\n".join(texts))
    return units
