"""Plain text: decode bytes in whatever encoding people send, and cut text into paragraph blocks.

Decoding, in order: a byte-order mark (UTF-8, UTF-16, UTF-32) says it; else strict UTF-8; else
UTF-16 without a BOM when every other byte is NUL; else the legacy code pages. Windows-1258
(Vietnamese) and Windows-1252 (Western) decode almost every byte sequence without error and differ in
18 bytes, so neither a strict decode nor a statistical detector tells them apart reliably on a short
bulletin; we decode both (and charset-normalizer's guess, which covers the rest of the world) and keep
the decoding whose words are well-formed Vietnamese syllables (see ``vietnamese_score``).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from bot.domain.blocks import Block, Document
from bot.ingest.clean import split_lines
from bot.ingest.errors import Reason, UnsupportedDocument

# Labels reported on Document.encoding (IANA names, what a person recognises), by Python codec name.
_LABELS = {
    "cp1258": "windows-1258",
    "cp1252": "windows-1252",
    "latin_1": "iso-8859-1",
    "iso8859-1": "iso-8859-1",
    "utf-16": "utf-16",
    "utf-16-le": "utf-16le",
    "utf-16-be": "utf-16be",
    "utf-32": "utf-32",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Declared charsets that mean "Western, probably wrong" (the default of many servers and editors):
# the Vietnamese check still runs when one is declared.
_WESTERN = {"cp1252", "latin_1", "iso8859-1", "ascii"}

# How much of a legacy-encoded file decides its code page.
_SAMPLE_BYTES = 200_000
# A text with more than this share of control characters is binary, whatever decoded it.
_MAX_CONTROL_SHARE = 0.01


def label(codec: str) -> str:
    """The IANA-style label of a Python codec name ("cp1258" → "windows-1258")."""
    name = codecs.lookup(codec).name
    return _LABELS.get(name, name)


def decode_bytes(data: bytes, *, declared: str | None = None) -> tuple[str, str | None]:
    """Decode text bytes; returns the text and the encoding's label when it was not UTF-8.

    ``declared`` is a charset the container named (HTTP Content-Type, ``<meta charset>``): used when
    it decodes the bytes, except that a Western code page is still checked against Windows-1258.
    Raises UnsupportedDocument(NOT_TEXT) for bytes that are no text in any encoding tried.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise UnsupportedDocument(
                    Reason.NOT_TEXT, f"bytes after a {codec} byte-order mark do not decode"
                ) from exc
            if codec.startswith("utf-8"):
                return _checked(text), None
            return _checked(text.removeprefix("\ufeff")), label(codec)
    declared_codec = _codec(declared)
    if declared_codec and declared_codec not in _WESTERN and declared_codec != "utf-8":
        try:
            return _checked(data.decode(declared_codec)), label(declared_codec)
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong label is common; detect instead
    try:
        return _checked(data.decode("utf-8")), None
    except UnicodeDecodeError:
        pass
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return _checked(data.decode(utf16)), label(utf16)
    if b"\x00" in data:
        raise UnsupportedDocument(Reason.NOT_TEXT, "binary data (NUL bytes), not text")
    text, codec = _best_legacy(data, declared_codec)
    return _checked(text), label(codec)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def _bomless_utf16(data: bytes) -> str | None:
    """utf-16-le/-be when the NULs sit on one side of the byte pairs (ASCII letters, spaces, digits)."""
    if len(data) < 8 or len(data) % 2:
        return None
    sample = data[:4096]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    for codec, nuls, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls > half * 0.3 and others < half * 0.02:
            try:
                data.decode(codec)
            except UnicodeDecodeError:
                continue
            return codec
    return None


def _best_legacy(data: bytes, declared: str | None) -> tuple[str, str]:
    """Decode a non-UTF-8, NUL-free byte string with the most plausible single-byte code page."""
    from charset_normalizer import from_bytes  # imported here: only legacy text needs it

    sample = data[:_SAMPLE_BYTES]
    guess = from_bytes(sample).best()
    order: list[str] = []
    for codec in (declared, guess.encoding if guess is not None else None, "cp1252", "cp1258"):
        name = _codec(codec)
        if name and name not in order and not name.startswith(("utf_", "utf-")):
            order.append(name)
    # Score each code page on a sample, then decode the whole text once with the winner (a 10 MB
    # file decoded four ways at once would cost four times the memory).
    scored: list[tuple[float, int, str]] = []
    for rank, codec in enumerate(order):
        try:
            text = sample.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        scored.append((vietnamese_score(unicodedata.normalize("NFC", text)), -rank, codec))
    for _score, _rank, codec in sorted(scored, reverse=True):
        try:
            return data.decode(codec), codec  # every byte must decode, not just the sample's
        except UnicodeDecodeError:
            continue
    raise UnsupportedDocument(Reason.NOT_TEXT, "the bytes are not text in any encoding tried")


def _checked(text: str) -> str:
    """Refuse decoded text that is mostly control characters (a binary file that happened to decode)."""
    if not text:
        return text
    sample = text[:100_000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    if controls > max(2, len(sample) * _MAX_CONTROL_SHARE):
        raise UnsupportedDocument(Reason.NOT_TEXT, "binary data (control characters), not text")
    return text


# --------------------------------------------------------------------------------------------------
# Vietnamese plausibility
# --------------------------------------------------------------------------------------------------

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VI_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzăâđêôơư")
_NUCLEI = (
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu",
    "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "oo", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa",
    "ưi", "ươ", "ưu", "yê", "iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyê",
    "uyu",
)  # fmt: skip
_SYLLABLE = re.compile(
    "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvxfjwz])?"
    "(?:" + "|".join(sorted(_NUCLEI, key=len, reverse=True)) + ")"
    "(?:ch|ng|nh|[cmnpt])?"
)
_WORD = re.compile(r"[^\W\d_]+")


def vietnamese_score(text: str) -> float:
    """How Vietnamese an NFC text reads: +1 per word with diacritics that is a well-formed syllable
    (letters of the Vietnamese alphabet, one tone mark at most), -1 per word with diacritics that is
    not, and -1 per combining mark NFC could not attach. A Windows-1258 file read as Windows-1252 spells
    "Việt" as "Viêòt" (the tone byte becomes a letter); a Windows-1252 one read as Windows-1258 turns
    "hòa" into "h\u0323a" and "São" into "Săo": both lose points."""
    sample = text[:200_000]
    # A tone mark left over after NFC sits on a letter that cannot carry it ("th\u0301"): never Vietnamese.
    score = -float(sum(1 for ch in sample if "\u0300" <= ch <= "\u036f"))
    for match in _WORD.finditer(sample):
        word = match.group()
        if word.isascii():
            continue
        score += 1.0 if _is_syllable(word.lower()) else -1.0
    return score


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word)
    tones = sum(1 for ch in decomposed if ch in _TONES)
    if tones > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    return all(ch in _VI_LETTERS for ch in base) and _SYLLABLE.fullmatch(base) is not None


# --------------------------------------------------------------------------------------------------
# Text → blocks
# --------------------------------------------------------------------------------------------------


def text_document(text: str, *, encoding: str | None = None) -> Document:
    """Plain text as a Document: each non-empty line one paragraph block."""
    blocks = tuple(Block(line) for line in split_lines(text))
    if not blocks:
        raise UnsupportedDocument(Reason.EMPTY, "the text holds no printable characters")
    return Document(blocks, source_format="text", encoding=encoding)
