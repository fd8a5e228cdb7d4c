"""The one error every loader raises: a document the bot cannot read, and why.

``UnsupportedDocument.reason`` is a ``Reason``; ``details`` carries what the answer needs (the size
and the limit, the HTTP status, the kind of file); ``unexpected`` names the exception when a library
failed in a way no rule foresaw (logged with its traceback, reported as DAMAGED).
``bot.texts.ingest.refusal`` turns it into the Vietnamese + English answer. This module imports
nothing heavy, so texts and handlers can use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

# Largest document accepted, uploaded or fetched. Telegram lets a bot download files up to 20 MB; a
# month's bulletin is a few hundred KB even as a saved page with pictures' markup or a scanned-free PDF.
MAX_BYTES = 10 * 1024 * 1024

# What the bot reads, for the answers that say what is accepted.
ACCEPTED = (".txt", ".html", ".htm", ".docx", ".pdf")


class Reason(StrEnum):
    EMPTY = "empty"  # no bytes, or only whitespace
    TOO_LARGE = "too_large"  # details: size, limit (bytes); or pages/limit (PDF), tags/limit (HTML)
    LEGACY_WORD = "legacy_word"  # Word 97-2003 .doc or RTF; details: kind ("doc", "rtf")
    IMAGE = "image"  # a photo or scan; details: kind ("png", "jpeg", …)
    ARCHIVE = "archive"  # zip (not a .docx), rar, 7z, gzip; details: kind
    UNSUPPORTED_FORMAT = "unsupported_format"  # another binary or office format; details: kind
    NOT_TEXT = "not_text"  # text that decodes to nothing readable (binary, control characters)
    DAMAGED = "damaged"  # a .docx/.pdf that does not open; details: kind
    NO_TEXT = "no_text"  # it opened but holds no text at all; details: kind
    PDF_NO_TEXT_LAYER = "pdf_no_text_layer"  # a scanned PDF: pages are pictures
    PDF_ENCRYPTED = "pdf_encrypted"  # needs a password to open
    BAD_URL = "bad_url"  # not an http(s) URL
    UNREACHABLE = "unreachable"  # DNS failure, connection refused or reset, TLS failure
    TIMEOUT = "timeout"  # details: seconds
    HTTP_ERROR = "http_error"  # details: status
    TOO_MANY_REDIRECTS = "too_many_redirects"  # details: limit


class UnsupportedDocument(Exception):
    """A document the bot cannot read. ``str(error)`` is an English sentence for logs and the CLI."""

    def __init__(self, reason: Reason, message: str, **details: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.details: Mapping[str, object] = MappingProxyType(dict(details))

    def __repr__(self) -> str:
        return f"UnsupportedDocument({self.reason.value!r}, {str(self)!r})"
