"""What every document loader produces and the parser consumes: paragraphs with what the document says
about them.

A loader (``bot/ingest/``, one small module per format) turns bytes into a ``Document``: the article's
blocks in reading order, plus whatever metadata the format carries (an HTML ``<title>``, a Word core
property, the encoding a text file was in). Structure the text alone would lose is kept on the block:
the number Word or ``<ol>`` puts in front of a list item (it is not in the text), a heading, a bold
paragraph, a repeated page header. The parser (``bot.domain.parser``) works on blocks only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class BlockKind(StrEnum):
    PARAGRAPH = "paragraph"
    HEADING = "heading"  # <h1>-<h6>, a Word "Heading N"/"Title" style
    LIST_ITEM = "list_item"  # <li>, a Word paragraph with automatic numbering or bullets
    TABLE_CELL = "table_cell"  # a paragraph inside a table cell (Word tables, HTML tables)
    FURNITURE = "furniture"  # page header/footer, page number: never task text


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of a document.

    ``text`` is NFC, single-spaced, one paragraph (no newlines). ``label`` is the enumerator the
    document renders but the text does not contain: ``"1."`` for the first item of a Word list in
    decimal format or of an ``<ol>``, ``"a)"`` for a lettered one, ``"•"`` for a bullet; ``""`` when
    the paragraph is not an automatically numbered item. ``list_id`` groups the items of one list and
    ``level`` is the nesting depth (0 = top). ``bold`` says the whole paragraph is bold or strong.
    """

    text: str
    kind: BlockKind = BlockKind.PARAGRAPH
    label: str = ""
    list_id: str = ""
    level: int = 0
    bold: bool = False
    heading_level: int = 0
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A loaded document: its blocks in reading order and what the container said about it.

    ``source_format`` is one of ``text``, ``html``, ``docx``, ``pdf``; ``encoding`` is the text
    encoding that was detected when it was not UTF-8 (for the preview), else ``None``. ``title`` and
    ``published`` come from metadata (an HTML ``<title>``/``og:title``, ``article:published_time``,
    a Word core property), never from the body; the parser prefers what the text says.
    """

    blocks: tuple[Block, ...]
    source_format: str = "text"
    encoding: str | None = None
    title: str | None = None
    published: str | None = None
    url: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """The blocks as plain text, one paragraph per line, list labels in front (for debugging)."""
        return "\n".join(f"{b.label} {b.text}" if b.label else b.text for b in self.blocks if b.text)
