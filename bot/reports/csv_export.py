"""A broadcast's per-recipient record as CSV: chat, name, role, unit, status, sent at, acknowledged at,
error; one line per recipient, for /stats <id> (sent as a document) and ``python -m bot export``.

- UTF-8 with a byte order mark (Python's ``utf-8-sig``): without it Excel opens a CSV in the
  machine's legacy code page and the Vietnamese names come out garbled
  (https://learn.microsoft.com/en-us/office/troubleshoot/excel/open-csv-utf-8-files-correctly).
  Lines end in CRLF, quoting as RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180): the csv module's
  default dialect, so a name with a comma, a quote or a line break stays one cell.
- The header row is bilingual, Vietnamese then English in each cell ("Họ tên · Name"), and so are the
  statuses: the file is read by the admins in Excel, like every other text of the bot (and a script
  reading it can still match the English half). Times are local (the ``TIMEZONE`` setting, named in
  the header) as ``YYYY-MM-DD HH:MM:SS``, which Excel reads as a date and time.
- A cell that starts with ``=``, ``+``, ``-``, ``@`` (a display name is whatever a subscriber typed) gets
  a leading apostrophe, so Excel shows it as text rather than running it as a formula
  (https://owasp.org/www-community/attacks/CSV_Injection).
- Streamed: recipients are read a page at a time (``data.stats.recipient_records``) and each page is
  written before the next is read, so memory holds one page whatever the number of recipients. A file
  is written beside its final name and renamed over it once complete (``os.replace``, atomic on one
  file system), so a failed export never leaves a partial file.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import functools
import io
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from bot.delivery.when import from_utc_text
from data import stats
from data.store import Store

ENCODING = "utf-8-sig"
BOM = "\ufeff".encode()
PAGE = 2000  # recipients read and written at a time

STATUSES = {
    "delivered": "đã gửi đủ · delivered",
    "pending": "đang chờ gửi · pending",
    "failed": "gửi lỗi · failed",
    "blocked": "đã chặn bot · blocked",
    "cancelled": "đã hủy · cancelled",
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class NoSuchBroadcast(LookupError):
    """There is no broadcast with this id."""


def header(zone_name: str) -> list[str]:
    return [
        "Mã chat · Chat",
        "Họ tên · Name",
        "Vai trò · Role",
        "Đơn vị · Unit",
        "Trạng thái · Status",
        f"Gửi lúc · Sent at ({zone_name})",
        f"Đã nhận lúc · Acknowledged at ({zone_name})",
        "Lỗi · Error",
    ]


def filename(broadcast_id: int) -> str:
    return f"broadcast-{broadcast_id}.csv"


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _local(stamp: str | None, zone: dt.tzinfo) -> str:
    if not stamp:
        return ""
    return _local_second(stamp[:19], zone)


@functools.lru_cache(maxsize=4096)
def _local_second(utc_second: str, zone: dt.tzinfo) -> str:
    """``2026-12-02T17:05:00`` (UTC) as ``2026-12-03 00:05:00`` in ``zone``. Cached: a broadcast sends
    tens of messages a second, so recipients share their seconds (a third of the export's time without)."""
    return from_utc_text(utc_second + "Z").astimezone(zone).isoformat(sep=" ")[:19]


def _row(record: stats.RecipientRecord, zone: dt.tzinfo) -> list[str | int]:
    return [
        record.chat_id,
        _cell(record.name),
        _cell(record.role),
        _cell(record.unit),
        STATUSES.get(record.status, record.status),
        _local(record.sent_at, zone),
        _local(record.acknowledged_at, zone),
        _cell(record.error),
    ]


async def chunks(
    store: Store, broadcast_id: int, zone: dt.tzinfo, zone_name: str, *, page: int = PAGE
) -> AsyncIterator[bytes]:
    """The CSV file's bytes, BOM first, one chunk per page of recipients. Raises ``NoSuchBroadcast``
    before the first chunk when there is no such broadcast."""
    if not await stats.exists(store, broadcast_id):
        raise NoSuchBroadcast(broadcast_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header(zone_name))
    yield BOM + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    written = 0
    async for record in stats.recipient_records(store, broadcast_id, page=page):
        writer.writerow(_row(record, zone))
        written += 1
        if written % page == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


async def export_to_path(
    store: Store, broadcast_id: int, zone: dt.tzinfo, zone_name: str, path: Path, *, page: int = PAGE
) -> int:
    """Write the CSV to ``path`` atomically (a temporary file beside it, renamed over it when complete;
    on any error the temporary file is removed and ``path`` is left as it was). Returns the bytes written."""
    path = Path(path)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  # closed below, renamed or removed
        mode="wb", dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
    )
    size = 0
    try:
        with handle:
            async for chunk in chunks(store, broadcast_id, zone, zone_name, page=page):
                await asyncio.to_thread(handle.write, chunk)
                size += len(chunk)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return size
