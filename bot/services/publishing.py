"""Publishing: read an uploaded, fetched or pasted bulletin, and turn a draft into an archived bulletin
and a queued broadcast.

Every way in goes through ``bot.ingest`` (one loader per format) and ``parse_document``; the slow,
CPU-bound parts (opening a PDF or a Word file, parsing) run in a worker thread, so a large upload
never holds up other chats. Refusals are ``UnsupportedDocument`` (the file) or
``BulletinParseError`` (the text), each worded for people by ``bot.texts``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot import ingest
from bot.domain.blocks import Document
from bot.domain.parser import parse_document
from bot.domain.records import Bulletin, BulletinParseError, ParseErrorCode
from bot.domain.rendering import OutgoingMessage, render_bulletin
from data import bulletins, drafts, outbox
from data.outbox import BroadcastInfo
from data.store import Store


class NoMonthError(BulletinParseError):
    """The text was read, but no conference month was found in its title or first paragraph."""

    def __init__(self) -> None:
        super().__init__(
            "no conference month found: the title or the first paragraph should say 'tháng MM/YYYY'",
            code=ParseErrorCode.NO_MONTH,
        )


@dataclass(frozen=True, slots=True)
class Prepared:
    """A bulletin and exactly the messages a broadcast of it sends."""

    bulletin: Bulletin
    messages: tuple[OutgoingMessage, ...]


def parse(document: Document) -> Bulletin:
    """The bulletin in a document; BulletinParseError (NoMonthError without a month) with a reason."""
    bulletin = parse_document(document)
    if not bulletin.month:
        raise NoMonthError
    return bulletin


def prepare(bulletin: Bulletin) -> Prepared:
    """The messages of a broadcast of ``bulletin``: the preview shows them, Send queues them."""
    return Prepared(bulletin, tuple(render_bulletin(bulletin)))


async def load_upload(data: bytes, *, filename: str | None, content_type: str | None) -> Document:
    """An uploaded file as a document (in a worker thread). Raises UnsupportedDocument."""
    return await asyncio.to_thread(ingest.load, data, filename=filename, content_type=content_type)


async def load_pasted(text: str) -> Document:
    return await asyncio.to_thread(ingest.load_text, text)


async def fetch(url: str) -> Document:
    """A page, PDF or Word file at ``url`` (timeout, size cap, the bot's User-Agent)."""
    return await ingest.fetch_url(url)


async def parse_async(document: Document) -> Bulletin:
    """``parse`` in a worker thread."""
    return await asyncio.to_thread(parse, document)


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


async def send_draft(
    store: Store, draft: drafts.Draft, prepared: Prepared, *, version: int | None
) -> BroadcastInfo | None:
    """An admin pressed Send on a preview: claim the draft (at ``version``, the one the pressed
    button showed), archive its bulletin and queue the broadcast in one transaction, so a failure
    anywhere leaves the draft pending (and its Send button working) with nothing queued. None when
    the draft was sent, cancelled or replaced meanwhile, or changed since that button was shown."""
    async with store.transaction() as conn:
        if not await drafts.claim(conn, draft.id, "sent", version):
            return None
        bulletin_id, _ = await bulletins.insert(conn, prepared.bulletin)
        broadcast_id = await outbox.insert_broadcast(
            conn,
            bulletin_id,
            _parts(prepared),
            requested_by=draft.admin_user_id,
            admin_chat_id=draft.chat_id,
        )
        await drafts.link(conn, draft.id, broadcast_id)
    info = await outbox.get_broadcast(store, broadcast_id)
    assert info is not None
    return info


def _parts(prepared: Prepared) -> list[tuple[int, str]]:
    return [(m.task_number, m.html) for m in prepared.messages]
