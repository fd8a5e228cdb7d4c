"""Publishing: turn an uploaded or pasted bulletin into an archived bulletin and a queued broadcast."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.parser import parse_bulletin
from bot.domain.records import Bulletin, BulletinParseError
from bot.domain.rendering import OutgoingMessage, render_bulletin
from data import bulletins, outbox
from data.outbox import BroadcastInfo
from data.store import Store

MAX_UPLOAD_BYTES = 1_000_000
ALLOWED_SUFFIXES = (".txt", ".text", ".html", ".htm")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed bulletin and exactly the messages a broadcast of it sends."""

    bulletin: Bulletin
    messages: tuple[OutgoingMessage, ...]


def prepare(source: str | bytes) -> Prepared:
    """Parse and render; raises BulletinParseError with a reason when the text cannot be split."""
    if isinstance(source, bytes) and len(source) > MAX_UPLOAD_BYTES:
        raise BulletinParseError(f"file is larger than {MAX_UPLOAD_BYTES // 1000} KB")
    bulletin = parse_bulletin(source)
    if not bulletin.month:
        raise BulletinParseError(
            "no conference month found: the title or the first paragraph should say 'tháng MM/YYYY'"
        )
    return Prepared(bulletin, tuple(render_bulletin(bulletin)))


def check_upload(file_name: str | None, size: int | None) -> str | None:
    """Why an uploaded document cannot be a bulletin, or None when it may be one."""
    name = (file_name or "").lower()
    if not name.endswith(ALLOWED_SUFFIXES):
        return "chỉ nhận tệp .txt hoặc .html (only .txt or .html files)"
    if size is not None and size > MAX_UPLOAD_BYTES:
        return f"tệp lớn hơn {MAX_UPLOAD_BYTES // 1000} KB (file larger than {MAX_UPLOAD_BYTES // 1000} KB)"
    return None


async def queue_broadcast(
    store: Store, prepared: Prepared, *, requested_by: int | None, admin_chat_id: int | None
) -> BroadcastInfo:
    """Archive the bulletin (once) and queue its messages for every active subscriber."""
    bulletin_id, _ = await bulletins.add(store, prepared.bulletin)
    return await outbox.create_broadcast(
        store,
        bulletin_id,
        [(m.task_number, m.html) for m in prepared.messages],
        requested_by=requested_by,
        admin_chat_id=admin_chat_id,
    )
