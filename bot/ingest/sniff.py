"""What a document is, from its first bytes first and its name and content type second.

Magic bytes win: a ``.doc`` that is really HTML ("Save as Web Page") is read as HTML, a ``.txt`` that
is really a PDF as a PDF. A name or type only decides between text and HTML, or names the kind of a
binary file we do not read.
"""

from __future__ import annotations

import io
import re
import zipfile
from enum import StrEnum

from bot.ingest.errors import Reason, UnsupportedDocument


class Format(StrEnum):
    TEXT = "text"
    HTML = "html"
    DOCX = "docx"
    PDF = "pdf"


# A .docx is a zip; python-docx reads every part into memory, so a small zip that unpacks to
# gigabytes (a "zip bomb") must be refused before it is opened. A real bulletin's XML is well under 2 MB.
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
MAX_UNZIPPED_XML_BYTES = 24 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000

_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".mht", ".asp", ".aspx", ".php", ".jsp")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_IMAGE_SUFFIXES = {
    ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".gif": "gif", ".webp": "webp", ".bmp": "bmp",
    ".tif": "tiff", ".tiff": "tiff", ".heic": "heic", ".heif": "heic", ".avif": "avif", ".svg": "svg",
}  # fmt: skip
_ARCHIVE_SUFFIXES = {
    ".zip": "zip", ".rar": "rar", ".7z": "7z", ".gz": "gzip", ".tgz": "gzip", ".bz2": "bzip2",
    ".xz": "xz", ".tar": "tar",
}  # fmt: skip
_OTHER_SUFFIXES = {
    ".xls": "xls", ".xlsx": "xlsx", ".ppt": "ppt", ".pptx": "pptx", ".odt": "odt", ".ods": "ods",
    ".odp": "odp", ".epub": "epub", ".pages": "pages", ".mp3": "audio", ".mp4": "video", ".exe": "exe",
}  # fmt: skip
_LEGACY_WORD_SUFFIXES = {".doc": "doc", ".dot": "doc", ".rtf": "rtf", ".wps": "wps"}

_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


def suffix(filename: str | None) -> str:
    """The lower-case extension of a file name ('.docx'), or ''."""
    if not filename:
        return ""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def media_type(content_type: str | None) -> str:
    """'text/html; charset=utf-8' → 'text/html'."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type, if any."""
    match = _CHARSET_RE.search(content_type or "")
    return match.group(1) if match else None


def sniff(data: bytes, filename: str | None, content_type: str | None) -> Format:
    """The format to read ``data`` as, or UnsupportedDocument naming what it is."""
    ext = suffix(filename)
    mtype = media_type(content_type)
    head = data[:1024]
    if b"%PDF-" in head:
        return Format.PDF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(data, ext)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2 compound file: Office 97-2003
        kind = _OTHER_SUFFIXES.get(ext)
        if kind in {"xls", "ppt"}:
            raise UnsupportedDocument(Reason.UNSUPPORTED_FORMAT, f"a {kind} file is not a bulletin", kind=kind)
        raise UnsupportedDocument(Reason.LEGACY_WORD, "a Word 97-2003 .doc file", kind="doc")
    if head.startswith(b"{\\rtf"):
        raise UnsupportedDocument(Reason.LEGACY_WORD, "an RTF file", kind="rtf")
    image = _image_kind(head, ext, mtype)
    if image:
        raise UnsupportedDocument(Reason.IMAGE, f"an image ({image}), not a text document", kind=image)
    archive = _archive_kind(data)
    if archive:
        raise UnsupportedDocument(Reason.ARCHIVE, f"an archive ({archive})", kind=archive)
    other = _binary_kind(head)
    if other:
        raise UnsupportedDocument(Reason.UNSUPPORTED_FORMAT, f"a {other} file is not a text document", kind=other)
    if _looks_binary(head) and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # No magic we know, NUL bytes: name it by its extension if we can.
        if ext in _LEGACY_WORD_SUFFIXES:
            raise UnsupportedDocument(Reason.LEGACY_WORD, "a legacy Word file", kind=_LEGACY_WORD_SUFFIXES[ext])
        if ext in _IMAGE_SUFFIXES:
            raise UnsupportedDocument(Reason.IMAGE, "an image", kind=_IMAGE_SUFFIXES[ext])
        if ext in _ARCHIVE_SUFFIXES:
            raise UnsupportedDocument(Reason.ARCHIVE, "an archive", kind=_ARCHIVE_SUFFIXES[ext])
        if ext in _OTHER_SUFFIXES or ext in {".docx", ".pdf"}:
            kind = _OTHER_SUFFIXES.get(ext) or ext.lstrip(".")
            if ext in {".docx", ".pdf"}:
                raise UnsupportedDocument(Reason.DAMAGED, f"not a valid {kind} file", kind=kind)
            raise UnsupportedDocument(Reason.UNSUPPORTED_FORMAT, f"a {kind} file", kind=kind)
        # Could still be UTF-16 without a BOM: the text decoder decides.
    if ext in _HTML_SUFFIXES or mtype in _HTML_TYPES:
        return Format.HTML
    return Format.TEXT


def _looks_binary(head: bytes) -> bool:
    return b"\x00" in head


def _zip_format(data: bytes, ext: str) -> Format:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        if ext == ".docx":
            raise UnsupportedDocument(
                Reason.DAMAGED, "the .docx file is damaged (not a readable zip)", kind="docx"
            ) from exc
        raise UnsupportedDocument(Reason.ARCHIVE, "a damaged zip archive", kind="zip") from exc
    names = {info.filename for info in infos}
    if "word/document.xml" in names or any(n.startswith("word/document") and n.endswith(".xml") for n in names):
        _check_unzipped_size(infos)
        return Format.DOCX
    if "xl/workbook.xml" in names:
        raise UnsupportedDocument(Reason.UNSUPPORTED_FORMAT, "an Excel workbook", kind="xlsx")
    if "ppt/presentation.xml" in names:
        raise UnsupportedDocument(Reason.UNSUPPORTED_FORMAT, "a PowerPoint presentation", kind="pptx")
    if "mimetype" in names and "content.xml" in names:
        raise UnsupportedDocument(Reason.UNSUPPORTED_FORMAT, "an OpenDocument file", kind=ext.lstrip(".") or "odt")
    if "META-INF/container.xml" in names:
        raise UnsupportedDocument(Reason.UNSUPPORTED_FORMAT, "an e-book", kind="epub")
    raise UnsupportedDocument(Reason.ARCHIVE, "a zip archive", kind="zip")


def _check_unzipped_size(infos: list[zipfile.ZipInfo]) -> None:
    total = sum(info.file_size for info in infos)
    xml = sum(info.file_size for info in infos if info.filename.endswith((".xml", ".rels")))
    if len(infos) > MAX_ZIP_ENTRIES or total > MAX_UNZIPPED_BYTES or xml > MAX_UNZIPPED_XML_BYTES:
        raise UnsupportedDocument(
            Reason.TOO_LARGE,
            f"the .docx unpacks to {total} bytes ({xml} of XML); limit {MAX_UNZIPPED_BYTES}",
            size=total,
            limit=MAX_UNZIPPED_BYTES,
            kind="docx",
        )


def _image_kind(head: bytes, ext: str, mtype: str) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"msf1", b"avif", b"hevc"}:
        return "heic" if head[8:12] != b"avif" else "avif"
    if head.startswith(b"BM") and (ext == ".bmp" or mtype == "image/bmp"):
        return "bmp"
    if mtype.startswith("image/") and mtype != "image/svg+xml":
        return mtype.removeprefix("image/")
    return None


def _archive_kind(data: bytes) -> str | None:
    head = data[:16]
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(head) > 3 and head[3:4].isdigit():
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if data[257:262] == b"ustar":
        return "tar"
    return None


def _binary_kind(head: bytes) -> str | None:
    if head.startswith(b"\x7fELF") or (head.startswith(b"MZ") and b"\x00" in head[:64]):
        return "program"
    if head.startswith(b"SQLite format 3\x00"):
        return "database"
    if head.startswith((b"ID3", b"OggS", b"fLaC")) or (head[4:8] == b"ftyp"):
        return "audio/video"
    return None
