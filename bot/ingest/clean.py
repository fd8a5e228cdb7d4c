"""Paragraph text as every loader hands it on: NFC, one space between words, no control characters."""

from __future__ import annotations

import re
import unicodedata

# Characters that read as a space (NBSP is what "&nbsp;" decodes to), and zero-width characters that
# editors and CMSs leave inside words ("Chấp\u200b hành"). Line breaks inside a paragraph become
# spaces too: a block is one paragraph; loaders split at real line breaks (<br>, Word's w:br) first.
_SPACES = (
    "\u00a0\u202f\t\n\r\x0b\x0c\x85\u2028\u2029\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u205f\u3000"
)
_ZERO_WIDTH = "\u200b\u200c\u200d\ufeff\u2060\u00ad"
_TRANSLATE: dict[int, str | None] = {ord(ch): " " for ch in _SPACES}
_TRANSLATE.update({ord(ch): None for ch in _ZERO_WIDTH})
# C0/C1 controls other than the whitespace above: debris from broken converters, never text.
_TRANSLATE.update({c: None for c in range(0x20) if chr(c) not in _SPACES})
_TRANSLATE.update({c: None for c in range(0x7F, 0xA0) if chr(c) not in _SPACES})
_RUNS = re.compile(r" {2,}")


def clean_text(text: str) -> str:
    """One paragraph of text, tidy: spaces collapsed, ends stripped, NFC (Windows-1258 and some PDFs
    spell tones as combining marks)."""
    text = text.translate(_TRANSLATE)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return _RUNS.sub(" ", text).strip()


# What str.splitlines() cuts at; matched lazily so a 10 MB text is never held twice as a list of lines.
_LINE = re.compile("[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


def split_lines(text: str) -> list[str]:
    """Cut at line breaks (any convention) and clean each line; empty lines are left out."""
    return [c for c in (clean_text(m.group()) for m in _LINE.finditer(text)) if c]
