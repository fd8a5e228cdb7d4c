"""Publishing: read an uploaded, fetched or pasted bulletin, and turn a draft into an archived bulletin
and a queued broadcast.

Every way in goes through ``bot.ingest`` (one loader per format) and ``parse_document``; the slow,
CPU-bound parts (opening a PDF or a Word file, parsing) run in a worker thread, so a large upload
never holds up other chats. Refusals are ``UnsupportedDocument`` (the file) or
``BulletinParseError`` (the text), each worded for people by ``bot.texts``.

**Never twice.** A bulletin already broadcast is not sent to a chat again unless the admin chooses
to resend it to everyone (``Audience.EVERYONE``). Every other send (the plain Send, "send to those
who have not got it", ``publish --yes``) goes to the active subscribers who do not have it yet:
who has it is decided inside the transaction that creates the broadcast, so two previews of one
bulletin pressed one after the other (or the CLI beside the bot) cannot both reach everyone.

*The same bulletin* is any archived bulletin with the same ``content_key``: the same conference
month and the same task texts once joined and normalised (Unicode NFC, case folded, every run of
white space one space). So a re-upload as another format, with other line breaks or spacing, with
an edited title, or with tasks merged or split differently, is the same bulletin; a changed word in
a task, a dropped task or another month is a new one. Title, organizer, intro and the date line do
not count: they are not what subscribers act on. A chat *has* a bulletin when every row of some
broadcast of it that it was given is sent or still pending (``data.outbox``), so a chat that got
only part of it (cancelled, failed) is among those who have not got it.

**Scheduled** (``at``): the broadcast waits, 'scheduled', until that time (``bot.delivery.schedule``
starts it). Its rows are written when it is scheduled, for the subscribers it would go to now;
who subscribes before the time gets it too: when it starts, the active subscribers without a row in
it are added (for a plain send, those of them who do not have the bulletin; for "resend to everyone",
all of them). Who unsubscribes meanwhile does not get it (their rows are cancelled when it starts).

**Audience** (issue 12): a send may be for some roles and/or units only (``Target``); every count
here and every fan-out reads the one target condition in ``data.outbox``, so the count a preview
states is the number of chats the send reaches. A draft carries the admin's choice
(``drafts.target_*``) and ``send_draft`` copies it to the broadcast. Each send is recorded
(``data.admin_actions``: SEND or SCHEDULE, and TARGET when the audience is not everyone) in the
transaction that queues it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from aiosqlite import Connection

from bot import ingest
from bot.delivery.when import to_utc_text
from bot.domain.audience import ROLE_NAMES, Target
from bot.domain.blocks import Document
from bot.domain.parser import parse_document
from bot.domain.records import Bulletin, BulletinParseError, ParseErrorCode
from bot.domain.rendering import OutgoingMessage, render_bulletin
from data import admin_actions, bulletins, drafts, outbox, units
from data.outbox import BroadcastInfo, EarlierBroadcast, Schedule
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


class Audience(StrEnum):
    """Who a send of a bulletin goes to."""

    WITHOUT_IT = "without"  # the active subscribers who do not have it yet (the default)
    EVERYONE = "everyone"  # every active subscriber, whatever they got before (explicit resend)


@dataclass(frozen=True, slots=True)
class History:
    """What happened to a bulletin before: its broadcasts and who has it now."""

    earlier: tuple[EarlierBroadcast, ...]
    bulletin_ids: tuple[int, ...]  # the archived rows that are this bulletin and were broadcast
    subscribers: int  # active now
    without: int  # active subscribers who do not have it (nor a pending row of it)

    @property
    def sent_before(self) -> bool:
        return bool(self.earlier)

    @property
    def have_it(self) -> int:
        return self.subscribers - self.without


@dataclass(frozen=True, slots=True)
class Queued:
    """The outcome of a send: the broadcast, or None when everyone already had the bulletin (then
    nothing was created, and a draft stays pending); ``history`` as it was when this was decided."""

    info: BroadcastInfo | None
    history: History
    audience: Audience

    @property
    def left_out(self) -> int:
        """Active subscribers not included because they already have the bulletin."""
        return self.history.have_it if self.audience is Audience.WITHOUT_IT else 0


class _NobodyLeft(Exception):
    def __init__(self, history: History) -> None:
        super().__init__("every active subscriber already has this bulletin")
        self.history = history


def content_key(month: str, task_texts: Iterable[str]) -> str:
    """The identity of "the same bulletin" (see the module's docstring)."""
    joined = unicodedata.normalize("NFC", " ".join(task_texts)).casefold()
    return f"{month}\x00{' '.join(joined.split())}"


async def same_bulletins(db: Store | Connection, bulletin: Bulletin) -> list[int]:
    """Ids of the archived bulletins that were broadcast and are the same bulletin as ``bulletin``."""
    key = content_key(bulletin.month, (t.text for t in bulletin.tasks))
    found = await outbox.broadcast_bulletin_tasks(db, bulletin.month)
    return [bulletin_id for bulletin_id, texts in found.items() if content_key(bulletin.month, texts) == key]


async def history(db: Store | Connection, bulletin: Bulletin, target: Target | None = None) -> History:
    """Earlier broadcasts of ``bulletin`` (any row of it) and who has it; what a preview says. With
    ``target``, ``subscribers`` and ``without`` count only the chats it takes."""
    ids = await same_bulletins(db, bulletin)
    if target is None or target.everyone:
        subscribers = await outbox.count_active(db)
    else:
        subscribers = await outbox.count_targeted(db, target)
    if not ids:
        return History((), (), subscribers, subscribers)
    earlier = tuple(await outbox.earlier_broadcasts(db, ids))
    if target is None or target.everyone:
        without = await outbox.count_without(db, ids)
    else:
        without = await outbox.count_targeted(db, target, ids)
    return History(earlier, tuple(ids), subscribers, without)


@dataclass(frozen=True, slots=True)
class By:
    """Who asked for a send, as ``data.admin_actions`` records it: an admin (user id and name), the
    CLI (both None) or the bot itself (``BOT``)."""

    user_id: int | None = None
    name: str | None = None


CLI = By()
BOT = By(None, admin_actions.BY_BOT)


async def describe_target(db: Store | Connection, target: Target) -> str:
    """The audience in words for the action log ("Tuyên truyền viên · Phường 1, Phường 2")."""
    parts = []
    if target.roles is not None:
        parts.append(", ".join(ROLE_NAMES[k] for k in target.roles))
    if target.units is not None:
        names = []
        for unit_id in target.units:
            unit = await units.get(db, unit_id)
            names.append(unit.name if unit is not None else f"#{unit_id}")
        parts.append(", ".join(names))
    detail = " · ".join(parts) or "*"
    return detail if target.late_joiners else f"{detail} (no late joiners)"


async def _record(conn: Connection, broadcast_id: int, at: dt.datetime | None, target: Target, by: By) -> None:
    action = admin_actions.SEND if at is None else admin_actions.SCHEDULE
    detail = "" if at is None else to_utc_text(at)
    actions = [(action, detail)]
    if not target.everyone:
        actions.append((admin_actions.TARGET, await describe_target(conn, target)))
    for code, text in actions:
        await admin_actions.record(
            conn, code, admin_user_id=by.user_id, admin_name=by.name, broadcast_id=broadcast_id, detail=text
        )


async def _queue_in(
    conn: Connection,
    prepared: Prepared,
    *,
    requested_by: int | None,
    admin_chat_id: int | None,
    audience: Audience,
    at: dt.datetime | None = None,
    target: Target | None = None,
    by: By = CLI,
) -> tuple[int, History]:
    """Archive and queue (or schedule, ``at``) inside the caller's transaction, for ``target`` (None:
    everyone) and recorded as done ``by``; raises _NobodyLeft (the caller rolls back) when the send is
    for those without it and every subscriber it targets has it (and it is not scheduled: by then
    others may have joined)."""
    target = Target() if target is None else target
    found = await history(conn, prepared.bulletin, target)
    nobody = found.sent_before and found.subscribers > 0 and found.without == 0
    if audience is Audience.WITHOUT_IT and nobody and at is None:
        raise _NobodyLeft(found)
    bulletin_id, _ = await bulletins.insert(conn, prepared.bulletin)
    parts = _parts(prepared)
    schedule = None if at is None else Schedule(to_utc_text(at), audience.value, found.bulletin_ids)
    if audience is Audience.EVERYONE or not found.sent_before:
        broadcast_id = await outbox.insert_broadcast(
            conn,
            bulletin_id,
            parts,
            requested_by=requested_by,
            admin_chat_id=admin_chat_id,
            schedule=schedule,
            target=target,
        )
    else:
        broadcast_id = await outbox.insert_broadcast_without(
            conn,
            bulletin_id,
            parts,
            requested_by=requested_by,
            admin_chat_id=admin_chat_id,
            have_it=found.bulletin_ids,
            schedule=schedule,
            target=target,
        )
    await _record(conn, broadcast_id, at, target, by)
    return broadcast_id, found


async def queue_broadcast(
    store: Store,
    prepared: Prepared,
    *,
    requested_by: int | None,
    admin_chat_id: int | None,
    audience: Audience = Audience.WITHOUT_IT,
    at: dt.datetime | None = None,
    target: Target | None = None,
    by: By = CLI,
) -> Queued:
    """Archive the bulletin (once) and queue its messages, in one transaction, for the active
    subscribers who do not have it yet (every one with ``Audience.EVERYONE``) among those ``target``
    takes (None: everyone, late joiners too); with ``at`` (an aware
    datetime), scheduled to start then. Recorded as done ``by`` (the CLI unless told)."""
    try:
        async with store.transaction() as conn:
            broadcast_id, found = await _queue_in(
                conn,
                prepared,
                requested_by=requested_by,
                admin_chat_id=admin_chat_id,
                audience=audience,
                at=at,
                target=target,
                by=by,
            )
    except _NobodyLeft as nobody:
        return Queued(None, nobody.history, audience)
    info = await outbox.get_broadcast(store, broadcast_id)
    assert info is not None
    return Queued(info, found, audience)


async def send_draft(
    store: Store,
    draft: drafts.Draft,
    prepared: Prepared,
    *,
    version: int | None,
    audience: Audience = Audience.WITHOUT_IT,
    at: dt.datetime | None = None,
    by: By | None = None,
) -> Queued | None:
    """An admin pressed Send on a preview: claim the draft (at ``version``, the one the pressed
    button showed), archive its bulletin and queue the broadcast in one transaction, so a failure
    anywhere leaves the draft pending (and its Send button working) with nothing queued. None when
    the draft was sent, cancelled or replaced meanwhile, or changed since that button was shown.
    When everyone already has the bulletin (and ``audience`` is not EVERYONE) nothing is queued and
    the draft stays pending: ``Queued.info`` is None. With ``at``, the broadcast is scheduled then.
    The draft's audience (``target_for``) goes with it; the send is recorded as done ``by`` (default:
    the draft's admin, without a name)."""
    try:
        async with store.transaction() as conn:
            if not await drafts.claim(conn, draft.id, "sent", version):
                return None
            broadcast_id, found = await _queue_in(
                conn,
                prepared,
                requested_by=draft.admin_user_id,
                admin_chat_id=draft.chat_id,
                audience=audience,
                at=at,
                target=target_for(draft),
                by=By(draft.admin_user_id) if by is None else by,
            )
            await drafts.link(conn, draft.id, broadcast_id)
    except _NobodyLeft as nobody:
        return Queued(None, nobody.history, audience)
    info = await outbox.get_broadcast(store, broadcast_id)
    assert info is not None
    return Queued(info, found, audience)


def target_for(draft: drafts.Draft) -> Target:
    """The audience an admin chose in a draft's preview (everyone, late joiners included, unless
    changed)."""
    return Target.from_columns(draft.target_roles, draft.target_units, draft.late_joiners)


def _parts(prepared: Prepared) -> list[tuple[int, str]]:
    return [(m.task_number, m.html) for m in prepared.messages]
