"""One way in for every document: bytes, pasted text or a URL → ``Document`` (blocks + metadata).

    load(data, filename=..., content_type=...)      # an upload or a file: sync, pure, CPU-bound
    load_text(text)                                  # text pasted in chat
    await fetch_url(url, timeout=..., max_bytes=...) # a link: fetched, then load()

Every refusal is an ``UnsupportedDocument`` with a ``Reason`` (``bot.texts.ingest.refusal`` words it
in Vietnamese and English); nothing else escapes, whatever the bytes. One module per format:
``plaintext`` (encodings), ``htmlpage`` (trafilatura + our own walk), ``worddoc`` (python-docx, Word's
automatic numbering), ``pdffile`` (pypdf), ``remote`` (aiohttp); ``sniff`` decides which. The heavy
libraries are imported on first use, so importing this package costs nothing at start-up.

Adding a format: a module with ``xxx_document(data: bytes) -> Document`` raising only
UnsupportedDocument, a ``Format`` member and its magic bytes in ``sniff``, a branch in ``_load``,
a fixture from ``scripts/make_test_documents.py`` and a test in ``tests/unit/test_loaders.py``.
"""

from __future__ import annotations

import logging

from bot.domain.blocks import Document
from bot.domain.textnorm import has_html
from bot.ingest.errors import ACCEPTED, MAX_BYTES, Reason, UnsupportedDocument
from bot.ingest.plaintext import decode_bytes, text_document
from bot.ingest.remote import DEFAULT_TIMEOUT, USER_AGENT, fetch_url
from bot.ingest.sniff import Format, charset, sniff

__all__ = [
    "ACCEPTED",
    "DEFAULT_TIMEOUT",
    "MAX_BYTES",
    "USER_AGENT",
    "Format",
    "Reason",
    "UnsupportedDocument",
    "fetch_url",
    "load",
    "load_text",
]

_log = logging.getLogger(__name__)


def load(
    data: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Document:
    """Read an uploaded or downloaded document. Raises UnsupportedDocument, and nothing else."""
    if len(data) > max_bytes:
        raise UnsupportedDocument(
            Reason.TOO_LARGE, f"{len(data)} bytes; the limit is {max_bytes}", size=len(data), limit=max_bytes
        )
    if not data.strip():
        raise UnsupportedDocument(Reason.EMPTY, "the file is empty")
    try:
        return _load(bytes(data), filename, content_type)
    except UnsupportedDocument:
        raise
    except (RecursionError, MemoryError) as exc:
        raise UnsupportedDocument(
            Reason.DAMAGED, f"the document is too complex to read ({type(exc).__name__})"
        ) from exc
    except Exception as exc:
        # Why: a library meeting hostile or broken bytes may raise anything (lxml, zipfile, pypdf,
        # struct errors); the caller must get one typed answer, and we want the stack in the log.
        _log.warning("loader failed on %s (%s)", filename or "document", type(exc).__name__, exc_info=True)
        raise UnsupportedDocument(
            Reason.DAMAGED, f"the document could not be read ({type(exc).__name__})", unexpected=type(exc).__name__
        ) from exc


def load_text(text: str) -> Document:
    """Text pasted in chat: each non-empty line one paragraph; pasted HTML is read as HTML."""
    if not text.strip():
        raise UnsupportedDocument(Reason.EMPTY, "the text is empty")
    try:
        if has_html(text):
            return _html(text, None)
        return text_document(text)
    except UnsupportedDocument:
        raise
    except Exception as exc:
        _log.warning("text loader failed (%s)", type(exc).__name__, exc_info=True)
        raise UnsupportedDocument(
            Reason.DAMAGED, f"the text could not be read ({type(exc).__name__})", unexpected=type(exc).__name__
        ) from exc


def _load(data: bytes, filename: str | None, content_type: str | None) -> Document:
    fmt = sniff(data, filename, content_type)
    if fmt is Format.PDF:
        from bot.ingest.pdffile import pdf_document

        return pdf_document(data)
    if fmt is Format.DOCX:
        from bot.ingest.worddoc import docx_document

        return docx_document(data)
    declared = charset(content_type)
    if fmt is Format.HTML and declared is None:
        from bot.ingest.htmlpage import meta_charset

        declared = meta_charset(data)
    text, encoding = decode_bytes(data, declared=declared)
    if not text.strip():
        raise UnsupportedDocument(Reason.EMPTY, "the file holds only whitespace")
    if fmt is Format.HTML or has_html(text):
        return _html(text, encoding)
    return text_document(text, encoding=encoding)


def _html(text: str, encoding: str | None) -> Document:
    from bot.ingest.htmlpage import html_document

    return html_document(text, encoding=encoding)
