"""Publishing: turn an uploaded or pasted bulletin into an archived bulletin and a queued broadcast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.domain.parser import parse_bulletin
from bot.domain.records import Bulletin, BulletinParseError
from bot.domain.rendering import OutgoingMessage, render_bulletin
from data import bulletins, outbox
from data.outbox import BroadcastInfo, Draft
from data.store import Store

MAX_UPLOAD_BYTES = 1_000_000
ALLOWED_SUFFIXES = (".txt", ".text", ".html", ".htm")

# Why an uploaded document cannot be read as a bulletin; ``bot.texts.delivery.bad_file`` says it.
UploadProblem = Literal["not_text_file", "too_large", "download_failed", "not_utf8"]


class NoMonthError(BulletinParseError):
    """The text was read, but no conference month was found in its title or first paragraph."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed bulletin and exactly the messages a broadcast of it sends."""

    bulletin: Bulletin
    messages: tuple[OutgoingMessage, ...]


def prepare(source: str | bytes) -> Prepared:
    """Parse and render; raises BulletinParseError (NoMonthError without a month) with a reason."""
    if isinstance(source, bytes) and len(source) > MAX_UPLOAD_BYTES:
        raise BulletinParseError(f"file is larger than {MAX_UPLOAD_BYTES // 1000} KB")
    bulletin = parse_bulletin(source)
    if not bulletin.month:
        raise NoMonthError("no conference month found: the title or the first paragraph should say 'tháng MM/YYYY'")
    return Prepared(bulletin, tuple(render_bulletin(bulletin)))


def check_upload(file_name: str | None, size: int | None) -> UploadProblem | None:
    """Why an uploaded document cannot be a bulletin, or None when it may be one."""
    name = (file_name or "").lower()
    if not name.endswith(ALLOWED_SUFFIXES):
        return "not_text_file"
    if size is not None and size > MAX_UPLOAD_BYTES:
        return "too_large"
    return None


def decode_upload(content: bytes) -> str | None:
    """An uploaded file's text (UTF-8, with or without a BOM), or None when it is not UTF-8 text."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


async def queue_broadcast(
    store: Store, prepared: Prepared, *, requested_by: int | None, admin_chat_id: int | None
) -> BroadcastInfo:
    """Archive the bulletin (once) and queue its messages for every active subscriber."""
    bulletin_id, _ = await bulletins.add(store, prepared.bulletin)
    return await outbox.create_broadcast(
        store,
        bulletin_id,
        _parts(prepared),
        requested_by=requested_by,
        admin_chat_id=admin_chat_id,
    )


async def send_draft(store: Store, draft: Draft, prepared: Prepared) -> BroadcastInfo | None:
    """An admin pressed Send on a preview: claim the draft, archive its bulletin and queue the
    broadcast in one transaction, so that a failure anywhere leaves the draft pending (and its Send
    button working) with nothing queued. None when the draft was already sent or cancelled."""
    async with store.transaction() as conn:
        if not await outbox.claim_draft(conn, draft.id, "sent"):
            return None
        bulletin_id, _ = await bulletins.insert(conn, prepared.bulletin)
        broadcast_id = await outbox.insert_broadcast(
            conn,
            bulletin_id,
            _parts(prepared),
            requested_by=draft.admin_user_id,
            admin_chat_id=draft.chat_id,
        )
        await outbox.link_draft(conn, draft.id, broadcast_id)
    info = await outbox.get_broadcast(store, broadcast_id)
    assert info is not None
    return info


def _parts(prepared: Prepared) -> list[tuple[int, str]]:
    return [(m.task_number, m.html) for m in prepared.messages]
