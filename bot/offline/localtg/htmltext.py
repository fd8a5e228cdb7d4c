"""Telegram's HTML parse mode, re-implemented closely enough to reject what the real server rejects.

The real Bot API server hands ``parse_mode=HTML`` text to tdlib's ``parse_html``; any error there fails the
whole request with ``400 Bad Request: can't parse entities: <reason>``. This module follows that parser's
rules and error strings (tdlib ``td/telegram/MessageEntity.cpp``) for the tags Telegram documents, and
returns the plain text plus the entities so that message length can be checked *after* markup is stripped,
as Telegram does.

It is deliberately regex-driven rather than a per-character loop: the benchmark sends thousands of long
messages per second through it.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

__all__ = ["HtmlParseError", "parse_html", "utf16_len"]

# tag -> Bot API entity type. Only the tags the Bot API documents; anything else is an error there too.
_TAG_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

# Common tokens first (named entities with ";", plain tags without attributes), then any "<" or "&".
_TOKEN = re.compile(r"&(lt|gt|amp|quot);|<(/?)([A-Za-z][A-Za-z-]*)>|[<&]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# tdlib's is_space(): space, tab, CR, LF, VT, FF.
_SPACE_CHARS = " \t\r\n\v\f"
_NAME_END = re.compile(r"[ \t\r\n\v\f>]")
_ATTR_NAME_END = re.compile(r"[ \t\r\n\v\f=>]")
_NOT_SPACE = re.compile(r"[^ \t\r\n\v\f]")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")
_ENTITY_NAME = re.compile(r"[A-Za-z]*")
_DEC = re.compile(r"[0-9]*")
_HEX = re.compile(r"[0-9A-Fa-f]*")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(err)`` is tdlib's reason (without the API prefix)."""


def utf16_len(s: str) -> int:
    """Length in UTF-16 code units (the unit of entity offsets and of the conservative length check)."""
    if s.isascii():
        return len(s)
    return len(s.encode("utf-16-le")) // 2


def _byte_offset(text: str, pos: int) -> int:
    # tdlib reports byte offsets into the UTF-8 text; only computed on the (rare) error path.
    return len(text[:pos].encode("utf-8"))


def _decode_entity(text: str, pos: int) -> tuple[str | None, int]:
    """Decode the character reference at ``text[pos] == '&'``; returns (char or None, position after it).

    Mirrors tdlib's decode_html_entity: numeric references of any value in the Unicode range are fine,
    only four named ones are known, and the terminating ``;`` is optional. An unknown reference is not an
    error: tdlib keeps the ``&`` literally (so ``&nbsp;`` shows up as "&nbsp;" in the chat).
    """
    n = len(text)
    if pos + 1 < n and text[pos + 1] == "#":
        if pos + 2 < n and text[pos + 2] == "x":
            m = _HEX.match(text, pos + 3)
            assert m is not None  # the pattern matches the empty string
            digits, base = m.group(), 16
        else:
            m = _DEC.match(text, pos + 2)
            assert m is not None
            digits, base = m.group(), 10
        end = m.end()
        if not digits:
            return None, pos
        code = int(digits, base)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, pos
        char = chr(code)
    else:
        m = _ENTITY_NAME.match(text, pos + 1)
        assert m is not None
        end = m.end()
        named = _NAMED_ENTITIES.get(m.group())
        if named is None:
            return None, pos
        char = named
    if end < n and text[end] == ";":
        end += 1
    return char, end


def _skip_spaces(text: str, pos: int) -> int:
    m = _NOT_SPACE.search(text, pos)
    return len(text) if m is None else m.start()


def parse_html(text: str, *, strict_entities: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into ``(plain_text, entities)``; raise HtmlParseError like tdlib does.

    ``strict_entities`` additionally rejects unknown named references such as ``&nbsp;`` (Telegram shows
    them literally, which is almost always a bug in the sender).
    """
    n = len(text)
    out: list[str] = []
    # Offsets are tracked in code points (cheap ``len``) and converted to UTF-16 at the end, which only
    # matters when the text has characters outside the BMP (emoji).
    plen = 0
    # open tags: (tag name, argument, offset where the entity starts)
    stack: list[tuple[str, str | None, int]] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while True:
        m = _TOKEN.search(text, i)
        if m is None:
            if i < n:
                out.append(text[i:])
            break
        j = m.start()
        if j > i:
            out.append(text[i:j])
            plen += j - i
        # Fast paths for the overwhelmingly common tokens; anything unusual takes the general path below.
        named = m.group(1)
        if named is not None:
            out.append(_NAMED_ENTITIES[named])
            plen += 1
            i = m.end()
            continue
        name = m.group(3)
        if name is not None:
            if m.group(2):
                if not stack:
                    raise HtmlParseError(f"Unexpected end tag at byte offset {_byte_offset(text, j)}")
                _close(stack, name, plen, entities, text, j)
                i = m.end()
                continue
            lname = name.lower()
            if lname in _TAG_TYPES and lname not in ("a", "span"):
                stack.append((lname, None, plen))
                i = m.end()
                continue

        if text[j] == "&":
            char, end = _decode_entity(text, j)
            if char is None:
                if strict_entities:
                    raise HtmlParseError(f"Unsupported HTML entity at byte offset {_byte_offset(text, j)}")
                out.append("&")
                i = j + 1
            else:
                out.append(char)
                i = end
            plen += 1
            continue

        begin = j
        k = j + 1
        if k < n and text[k] == "/":
            # End tag: must close the innermost open tag (an empty name "</>" closes whatever is open).
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
            name_end = _NAME_END.search(text, k + 1)
            stop = n if name_end is None else name_end.start()
            end_name = text[k + 1 : stop]
            k = _skip_spaces(text, stop)
            if k >= n or text[k] != ">":
                raise HtmlParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            _close(stack, end_name, plen, entities, text, begin)
            i = k + 1
            continue

        i = _start_tag(text, begin, plen, stack)

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    plain = "".join(out)
    if entities:
        if not plain.isascii() and _ASTRAL.search(plain) is not None:
            _to_utf16_offsets(plain, entities)
        entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return plain, entities


def _close(
    stack: list[tuple[str, str | None, int]],
    end_name: str,
    plen: int,
    entities: list[dict[str, Any]],
    text: str,
    begin: int,
) -> None:
    open_tag, open_arg, start = stack.pop()
    # tdlib compares the end tag name as written (start tag names are lower-cased).
    if end_name and end_name != open_tag:
        raise HtmlParseError(
            f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
            f'expected "</{open_tag}>", found "</{end_name}>"'
        )
    if plen > start:
        entity: dict[str, Any] = {"type": _TAG_TYPES[open_tag], "offset": start, "length": plen - start}
        if open_tag == "a":
            entity["url"] = open_arg or ""
        elif open_tag == "pre" and open_arg:
            entity["language"] = open_arg
        elif open_tag == "blockquote" and open_arg == "expandable":
            entity["type"] = "expandable_blockquote"
        entities.append(entity)


def _start_tag(text: str, begin: int, plen: int, stack: list[tuple[str, str | None, int]]) -> int:
    """General start-tag parser (attributes, odd spacing, errors); returns the position after ``>``."""
    n = len(text)
    k = begin + 1
    name_end = _NAME_END.search(text, k)
    if name_end is None:
        raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
    tag = text[k : name_end.start()].lower()
    if tag not in _TAG_TYPES:
        raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
    k = name_end.start()
    arg: str | None = None
    while True:
        k = _skip_spaces(text, k)
        if k >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[k] == ">":
            break
        attr_end = _ATTR_NAME_END.search(text, k)
        stop = n if attr_end is None else attr_end.start()
        attr_name = text[k:stop].lower()
        if not attr_name:
            raise HtmlParseError(f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, begin)}')
        k = _skip_spaces(text, stop)
        if k >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[k] != "=":
            # Boolean attribute; the only meaningful one is <blockquote expandable>.
            if tag == "blockquote" and attr_name == "expandable":
                arg = "expandable"
            continue
        k = _skip_spaces(text, k + 1)
        if k >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        quote = text[k]
        if quote in "\"'":
            close = text.find(quote, k + 1)
            raw = text[k + 1 :] if close < 0 else text[k + 1 : close]
            k = n if close < 0 else close + 1
            value = _unescape_attr(raw)
        else:
            tok = _NAME_TOKEN.match(text, k)
            assert tok is not None
            value = tok.group().lower()
            tok_start, k = k, tok.end()
            if k < n and text[k] not in _SPACE_CHARS and text[k] != ">":
                raise HtmlParseError(f"Unexpected end of name token at byte offset {_byte_offset(text, tok_start)}")
        if k >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if (tag == "a" and attr_name == "href") or (tag == "span" and attr_name == "class"):
            arg = value
        elif tag in ("code", "pre") and attr_name == "class" and value.startswith("language-"):
            arg = value[len("language-") :]
    if tag == "span" and arg != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}')
    stack.append((tag, arg, plen))
    return k + 1


def _to_utf16_offsets(plain: str, entities: list[dict[str, Any]]) -> None:
    # Each astral character before a position adds one UTF-16 unit.
    astral = [m.start() for m in _ASTRAL.finditer(plain)]
    for entity in entities:
        start = entity["offset"]
        end = start + entity["length"]
        u_start = start + bisect.bisect_left(astral, start)
        u_end = end + bisect.bisect_left(astral, end)
        entity["offset"] = u_start
        entity["length"] = u_end - u_start


def _unescape_attr(raw: str) -> str:
    if "&" not in raw:
        return raw
    parts: list[str] = []
    i = 0
    while True:
        j = raw.find("&", i)
        if j < 0:
            parts.append(raw[i:])
            return "".join(parts)
        parts.append(raw[i:j])
        char, end = _decode_entity(raw, j)
        if char is None:
            parts.append("&")
            i = j + 1
        else:
            parts.append(char)
            i = end
