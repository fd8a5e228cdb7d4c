"""Text normalisation: clean pasted or downloaded bulletin text, and fold Vietnamese for matching
(``fold`` for stored text, ``fold_query`` for what users type)."""

from __future__ import annotations

import html
import re
import unicodedata

from bot.domain.records import BulletinParseError

# đ/Đ do not decompose under NFD, and portals also type Đ as the Icelandic Ð (U+00D0).
_SPECIAL_FOLD = {"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"}


# Vietnamese number words 1-12, folded (see fold()): enumerators ("Thứ ba", "Ba là"), ordinals in
# questions ("nhiệm vụ thứ ba") and month names ("tháng Mười") all read them. "tư"/"bốn" are both four.
VI_NUMBER_WORDS: dict[str, int] = {
    "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10, "muoi mot": 11, "muoi hai": 12,
}  # fmt: skip


def fold_char(ch: str) -> str:
    """Fold one character to lower-case ASCII-ish form; always returns exactly one character."""
    special = _SPECIAL_FOLD.get(ch)
    if special is not None:
        return special
    base = unicodedata.normalize("NFD", ch)[0] if ord(ch) > 127 else ch
    low = base.lower()
    return low if len(low) == 1 else base


def fold(text: str) -> str:
    """Lower-case and strip diacritics (đ/Đ/Ð → d) of NFC text.

    The result has the same length as the NFC input, so an offset found in the folded text is the
    offset in the original: search highlighting relies on that.
    """
    nfc = unicodedata.normalize("NFC", text)
    return "".join(fold_char(ch) for ch in nfc)


_TELEX_DD = re.compile(r"\bdd(?=[a-z])")


def fold_query(text: str) -> str:
    """Fold what a user typed like the archive's ``folded`` column, and read Telex "dd" (typed for đ)
    as "d". Vietnamese syllables never start with "dd", so the rewrite cannot damage a real word.

    Not length-preserving (the rewrite drops a letter): for questions and search terms, never for
    offsets into a task's text (``fold`` is for those).
    """
    return _TELEX_DD.sub("d", fold(text))


# --------------------------------------------------------------------------------------------------
# normalize_text
#
# Every regular expression below is a single character class with one quantifier (no nesting), so
# each runs in linear time on hostile input; comments and script/style blocks are cut with str.find
# for the same reason (a lazy ".*?" would rescan to the end for every unterminated "<!--").
# --------------------------------------------------------------------------------------------------

# A complete tag: "<p>", "</div>", "<br />", "<img src=... />". Attribute values containing ">" are
# rare enough in bulletin markup to ignore.
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")
_RAW_TEXT_OPEN_RE = re.compile(r"<(script|style)\b[^<>]*>", re.IGNORECASE)
_RAW_TEXT_CLOSE_RE = {name: re.compile("</" + name, re.IGNORECASE) for name in ("script", "style")}

# Tags that end a line of text. Opening tags of these break lines too, so that unclosed "<p>a<p>b"
# or "<li>a<li>b" still yield one line per item.
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "tr",
        "table",
        "ul",
        "ol",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dd",
        "dt",
        "hr",
    }
)

# Characters that read as a space; U+00A0 is what "&nbsp;" decodes to, so this runs after unescape.
_SPACE_CHARS = "\u00a0\u202f\t\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u205f\u3000"
# Zero-width characters that editors and CMSs leave inside words ("Chấp\u200b hành").
_ZERO_WIDTH = "\u200b\u200c\u200d\ufeff\u2060"
# Unicode line and paragraph separators, vertical tab and form feed: treat as line breaks.
_LINE_BREAKS = "\u2028\u2029\x0b\x0c\x85"

_TRANSLATE: dict[int, str | None] = {ord(ch): " " for ch in _SPACE_CHARS}
_TRANSLATE.update({ord(ch): None for ch in _ZERO_WIDTH})
_TRANSLATE.update({ord(ch): "\n" for ch in _LINE_BREAKS})

_SPACES_RE = re.compile(r" {2,}")


def normalize_text(raw: str | bytes | bytearray) -> str:
    """Return bulletin text in one canonical form: NFC, LF line ends, one space between words.

    Bytes must be UTF-8 (a BOM is removed); anything else raises BulletinParseError("not UTF-8 text")
    rather than guessing a legacy code page. If the text holds HTML tags, ``<br>`` and block tags become
    line breaks, comments and script/style blocks are removed, other tags are dropped and entities are
    decoded. NBSP, narrow NBSP and tabs become spaces, zero-width characters are removed, runs of spaces
    collapse and every line is stripped. Blank lines are kept, so for plain text line numbers still
    match the input.
    """
    text = _decode(raw)
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if has_html(text):
        text = html_to_text(text)
    text = text.translate(_TRANSLATE)
    text = unicodedata.normalize("NFC", text)
    return "\n".join(_SPACES_RE.sub(" ", line).strip() for line in text.split("\n"))


def _decode(raw: str | bytes | bytearray) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return bytes(raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        # Why: a silent cp1258/latin-1 fallback turns Vietnamese into mojibake that then gets
        # published task by task; better to reject the file and let the editor re-save it.
        raise BulletinParseError("not UTF-8 text") from exc


def has_html(text: str) -> bool:
    """True if the text contains at least one complete HTML tag or comment opener."""
    return "<!--" in text or _TAG_RE.search(text) is not None


def html_to_text(markup: str) -> str:
    """Turn an HTML fragment or page into plain text with one line per block (entities decoded)."""
    text = _cut_comments(markup)
    text = _cut_raw_text_blocks(text)
    text = _TAG_RE.sub(_replace_tag, text)
    # Unescape last: "&lt;p&gt;" in the text is a literal, not a tag.
    return html.unescape(text)


def _replace_tag(match: re.Match[str]) -> str:
    name = match.group(2).lower()
    if name == "br" or name in _BLOCK_TAGS:
        return "\n"
    if name in {"td", "th"}:
        return " "
    return ""


def _cut_comments(text: str) -> str:
    parts: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            parts.append(text[pos:])
            break
        parts.append(text[pos:start])
        end = text.find("-->", start + 4)
        if end < 0:  # unterminated comment: browsers hide the rest of the document
            break
        pos = end + 3
    return "".join(parts)


def _cut_raw_text_blocks(text: str) -> str:
    parts: list[str] = []
    pos = 0
    while True:
        match = _RAW_TEXT_OPEN_RE.search(text, pos)
        if match is None:
            parts.append(text[pos:])
            break
        parts.append(text[pos : match.start()])
        close = _RAW_TEXT_CLOSE_RE[match.group(1).lower()].search(text, match.end())
        if close is None:  # unterminated block: the rest is code, not text
            break
        gt = text.find(">", close.end())
        pos = len(text) if gt < 0 else gt + 1
    return "".join(parts)


# --------------------------------------------------------------------------------------------------
# Exact word keys: "ủy" = "uỷ", "hòa" = "hoà", "Đ" = "Ð" = "đ", any case
# --------------------------------------------------------------------------------------------------

# The five tone marks, as combining characters after NFD. The quality marks (circumflex, breve,
# horn: â ă ê ô ơ ư) are part of the letter and stay; đ is a letter of its own.
_TONE_MARKS = frozenset("\u0301\u0300\u0309\u0303\u0323")
_QUALITY_VOWELS = frozenset("âăêôơư")
_VOWELS = frozenset("aăâeêioôơuưy")
_KEY_SPECIAL = {"Đ": "đ", "Ð": "đ", "ð": "đ"}
_WORD_RE = re.compile(r"[^\W_]+")


def word_key(word: str) -> str:
    """One word as exact search compares it: lower case, the letters with their quality marks, and the
    tone on a fixed vowel whatever the typist's placement ("ủy" and "uỷ", "hòa" and "hoà" give one
    key), đ/Đ/Ð alike. The key is only compared, never shown.

    The tone goes on the first vowel with a quality mark, else the first vowel: a choice that any
    placement of the same word reaches, and a vowel every tone composes with under NFC.
    """
    tone = ""
    letters: list[str] = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_MARKS:
            tone = ch  # a word has one tone; should a typist add two, the last one counts
        else:
            letters.append(ch)
    base = "".join(_KEY_SPECIAL.get(ch, ch) for ch in unicodedata.normalize("NFC", "".join(letters)).lower())
    if not tone:
        return base
    at = next((i for i, ch in enumerate(base) if ch in _QUALITY_VOWELS), None)
    if at is None:
        at = next((i for i, ch in enumerate(base) if ch in _VOWELS), None)
    if at is None:  # no Vietnamese vowel ("ñ" is n + tilde): the tone cannot sit anywhere, drop it
        return base
    return base[:at] + unicodedata.normalize("NFC", base[at] + tone) + base[at + 1 :]


def exact_text(text: str) -> str:
    """``text`` as its words' keys (``word_key``), one space between them: what the archive indexes for
    matching words with their diacritics (punctuation separates words in full-text search anyway)."""
    return " ".join(word_key(w) for w in _WORD_RE.findall(unicodedata.normalize("NFC", text)))


def has_diacritics(text: str) -> bool:
    """True if ``text`` holds a letter with a Vietnamese (or other) diacritic, or đ: typed with them."""
    nfc = unicodedata.normalize("NFC", text)
    return any(fold_char(ch) != ch.lower() for ch in nfc if ch.isalpha())
