"""Admins publish a bulletin: from a file, a link, or pasted text, to a preview they can fix, to Send.

::

    upload (.txt any encoding, .html, .docx, .pdf) ─┐
    a message that is just an http(s) link ─────────┼──────────────────────────► preview ──► Send / Cancel
    /publish <text> ────────────────────────────────┘                              ▲  │
    bare /publish, or a pasted bulletin's first message ─► collecting ── Done ─────┘  └─► ✏️ fixes (in place)
                                │   (more messages are more parts)
                                └── /cancel, Stop, or DIALOG_TIMEOUT without a part ──► end

    preview ── 🕖 Gửi lúc… ──► today 07:30 / tomorrow 07:30 ──────────────────► scheduled (the question says when)
                          └─► Giờ khác ──► the admin replies "07:30", "7h30 mai", "2026-12-05 07:30" ──┘

The state of every step is in the database (``data.drafts``), not in memory: a collection, a
preview and its buttons and replies keep working after the bot restarts, and an update is read
against the state the previous one left, whatever order the concurrent updates are handled in
(all changes to one chat's drafts take that chat's lock, in arrival order). That is why this is not
a ``ConversationHandler``: its state is in memory and moves only when a callback returns, so the
second half of a long paste, handled while the first was still being stored, was read as a question.

The admin's text in a private chat is looked at first (handler group -1): a collection's next
part, a reply that fixes a draft, a link, or the start of a pasted bulletin are taken and stop the
update there; anything else goes on to the archive, which answers it as a question. A non-admin's
file with a caption is a question too; without one it gets the polite refusal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Awaitable

from telegram import Chat, Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, CommandHandler, MessageHandler, filters

from bot import ingest
from bot.delivery.schedule import utc_now
from bot.delivery.when import TimeFormatError, parse_typed, settle
from bot.domain.blocks import Document
from bot.domain.records import Bulletin, BulletinParseError
from bot.ptb.context import AppContext
from bot.services import drafts as model
from bot.services import publishing
from bot.texts import delivery as texts
from bot.texts import ingest as ingest_texts
from bot.texts import publish as ptexts
from bot.texts import schedule as stexts
from bot.texts import watch as wtexts
from data import drafts, outbox, watch
from handlers import publish_edit
from handlers import publish_preview as preview
from handlers.callbacks import Buttons, edit_text, read_press
from handlers.gate import AdminButtons, AdminGate, refusals

log = logging.getLogger(__name__)

DIALOG_TIMEOUT = dt.timedelta(minutes=10)  # a collection with no new part for this long stops waiting
COMMAND = "publish"
# Buttons of previews shown before drafts kept their fixes (migration 0004): Send and Cancel by id.
DECISION = Buttons("pub", ("send", "cancel"))
_PREFIXES = re.compile(r"^(?:pub|pc|pe|ps|pk|pt):")
_COMMAND_PREFIX = re.compile(r"^/\w+(?:@\w+)?")
# An upload that is a publish request: any document in a private chat, or captioned /publish.
UPLOAD = filters.Document.ALL & (filters.CaptionRegex(r"^/publish\b") | filters.ChatType.PRIVATE)
# What a non-admin is refused: a captioned /publish anywhere, a bare file in private. A file with
# another caption is a question (the archive reads captions).
_REFUSED_UPLOAD = filters.Document.ALL & (
    filters.CaptionRegex(r"^/publish\b") | (filters.ChatType.PRIVATE & ~filters.CAPTION)
)


def command_body(text: str) -> str:
    """What follows ``/publish`` or ``/publish@botname``, line breaks kept (``context.args`` would
    lose them), whether a space or a line break comes after the command."""
    return _COMMAND_PREFIX.sub("", text, count=1).strip()


def _minutes() -> int:
    return max(1, round(DIALOG_TIMEOUT.total_seconds() / 60))


# --- a new preview --------------------------------------------------------------------------------------


async def _open_preview(
    context: AppContext,
    chat_id: int,
    user_id: int,
    document: Document,
    bulletin: Bulletin,
    *,
    origin: str,
    name: str | None,
    source_text: str,
) -> None:
    """Store a new draft (replacing the admin's open one here, which then says so) and show it."""
    store = context.bot_data.store
    previous = await drafts.open_drafts(store, chat_id, user_id)
    state = model.from_bulletin(bulletin, document)
    draft_id = await drafts.create_pending(
        store,
        user_id,
        chat_id,
        origin=origin,
        source_name=name,
        source_text=source_text,
        document_json=model.document_to_json(document),
        bulletin_json=model.state_to_json(state),
    )
    notice = await _retire_all(context, previous)
    draft = await drafts.get(store, draft_id)
    assert draft is not None
    await preview.publish_state(context, draft, state, notice=notice)


async def _retire_all(context: AppContext, previous: list[drafts.Draft]) -> str | None:
    """The drafts a new one replaced: their buttons stop, their question says so; returns the
    sentence the new preview starts with."""
    lines = []
    for old in previous:
        _cancel_expiry(context, old.id)
        await preview.retire(context, old)
        if old.status == "pending" and old.bulletin_json:
            state = model.state_from_json(old.bulletin_json)
            lines.append(ptexts.replaced_notice(state.title, state.month))
        elif old.status == "pending":
            lines.append(ptexts.replaced_notice("", None))
        else:
            parts, _ = await drafts.part_stats(context.bot_data.store, old.id)
            lines.append(ptexts.replaced_notice(None, None, parts))
    return "\n".join(lines) or None


async def _refuse_document(message: Message, exc: ingest.UnsupportedDocument) -> None:
    await message.reply_text(ingest_texts.refusal(exc))


async def _parse_or_refuse(message: Message, document: Document) -> Bulletin | None:
    try:
        return await publishing.parse_async(document)
    except BulletinParseError as exc:
        await message.reply_text(ptexts.parse_refusal(exc, document.encoding))
        return None


async def _preview_text(update: Update, context: AppContext, text: str) -> None:
    await _preview_document(update, context, publishing.load_pasted(text), origin="text", source_text=text)


async def _preview_url(update: Update, context: AppContext, url: str) -> None:
    """A link: fetched (the wait is the fetch's own, other chats go on), read, previewed."""
    assert update.effective_chat is not None
    await _typing(context, update.effective_chat.id)
    await _preview_document(update, context, publishing.fetch(url.strip()), origin="url", name=url.strip())


async def _preview_document(
    update: Update,
    context: AppContext,
    reading: Awaitable[Document],
    *,
    origin: str,
    name: str | None = None,
    source_text: str | None = None,
) -> None:
    """Read a paste, a link or an upload, parse it and open its preview; a refusal is answered and
    nothing is stored. A fetched page is named by the URL it ended at."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    try:
        document = await reading
    except ingest.UnsupportedDocument as exc:
        await _refuse_document(message, exc)
        return
    bulletin = await _parse_or_refuse(message, document)
    if bulletin is not None:
        await _open_preview(
            context,
            chat.id,
            user.id,
            document,
            bulletin,
            origin=origin,
            name=document.url or name,
            source_text=document.text if source_text is None else source_text,
        )


async def _typing(context: AppContext, chat_id: int) -> None:
    with contextlib.suppress(TelegramError):  # only a courtesy
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)


# --- entering ---------------------------------------------------------------------------------------------


async def on_publish(update: Update, context: AppContext) -> None:
    """/publish with the bulletin after it; bare, in a private chat: collect it from the next messages."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    body = command_body(message.text or "")
    async with preview.chat_lock(context):
        private = chat.type == Chat.PRIVATE
        if body and private and len(message.text or "") >= model.NEAR_MESSAGE_LIMIT:
            # As long as Telegram lets one message be: the rest is probably on its way.
            draft = await _start_collecting(context, chat.id, user.id)
            await _collect(context, message, draft, body)
        elif body:
            await _preview_text(update, context, body)
        elif not private:  # in a group the admin's next message is not taken from the group
            await message.reply_text(texts.publish_usage())
        else:
            draft = await _start_collecting(context, chat.id, user.id)
            await message.reply_text(ptexts.collecting(_minutes()))
            _schedule_expiry(context, draft)


async def on_document(update: Update, context: AppContext) -> None:
    """An uploaded document: in a private chat, or with the caption /publish anywhere."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or message.document is None or chat is None or user is None:
        return
    async with preview.chat_lock(context):
        file = message.document
        if file.file_size is not None and file.file_size > ingest.MAX_BYTES:
            too_large = ingest.UnsupportedDocument(
                ingest.Reason.TOO_LARGE, "the upload is too large", size=file.file_size, limit=ingest.MAX_BYTES
            )
            await _refuse_document(message, too_large)
            return
        await _typing(context, chat.id)
        try:
            content = bytes(await (await file.get_file()).download_as_bytearray())
        except TelegramError as exc:
            log.warning("could not download a document: %s", type(exc).__name__)
            await message.reply_text(texts.bad_file("download_failed"))
            return
        reading = publishing.load_upload(content, filename=file.file_name, content_type=file.mime_type)
        await _preview_document(update, context, reading, origin="file", name=file.file_name)


async def on_admin_text(update: Update, context: AppContext) -> None:
    """An admin's text in a private chat, before anything else reads it (group -1): taken when it is
    a collection's next part, a fix of a draft (a reply), a link, or the start of a pasted bulletin;
    anything else is left to the archive."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None or not message.text:
        return
    text = message.text
    async with preview.chat_lock(context):
        if await take_time_reply(update, context) or await publish_edit.take_reply(update, context):
            raise ApplicationHandlerStop
        collecting = await _collecting(context, chat.id, user.id)
        if collecting is not None:
            parts, _ = await drafts.part_stats(context.bot_data.store, collecting.id)
            if parts == 0 and model.is_url(text):  # bare /publish, then a link
                await _preview_url(update, context, text)
            else:
                await _collect(context, message, collecting, text)
            raise ApplicationHandlerStop
        if model.is_url(text):
            await _preview_url(update, context, text)
            raise ApplicationHandlerStop
        if model.looks_like_bulletin_start(text):
            draft = await _start_collecting(context, chat.id, user.id)
            await _collect(context, message, draft, text)
            raise ApplicationHandlerStop


async def on_admin_reply(update: Update, context: AppContext) -> None:
    """In a group, only a reply can fix a draft there (a task's new text, a title, a month): the
    group's other messages are not the bot's to collect."""
    async with preview.chat_lock(context):
        if await take_time_reply(update, context) or await publish_edit.take_reply(update, context):
            raise ApplicationHandlerStop


async def on_cancel(update: Update, context: AppContext) -> None:
    """/cancel while collecting stops it; otherwise the command is anyone else's."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    async with preview.chat_lock(context):
        collecting = await _collecting(context, chat.id, user.id)
        if collecting is None:
            return
        await _finish_collecting(context, collecting, "cancelled")
        await message.reply_text(texts.collecting_cancelled())
        raise ApplicationHandlerStop


# --- collecting a bulletin pasted in several messages -------------------------------------------------------


async def _start_collecting(context: AppContext, chat_id: int, user_id: int) -> drafts.Draft:
    store = context.bot_data.store
    for old in await drafts.open_drafts(store, chat_id, user_id):
        if old.status == "collecting":
            _cancel_expiry(context, old.id)
            await preview.retire(context, old)
    draft = await drafts.get(store, await drafts.start_collecting(store, user_id, chat_id))
    assert draft is not None
    return draft


async def _collecting(context: AppContext, chat_id: int, user_id: int) -> drafts.Draft | None:
    """The admin's collection in this chat, if one is waiting (one left waiting past the timeout,
    say across a restart, is expired here without a word)."""
    store = context.bot_data.store
    draft = next((d for d in await drafts.open_drafts(store, chat_id, user_id) if d.status == "collecting"), None)
    if draft is None:
        return None
    last = dt.datetime.strptime(draft.updated_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    if dt.datetime.now(dt.UTC) - last > DIALOG_TIMEOUT:
        await _finish_collecting(context, draft, "expired")
        return None
    return draft


async def _collect(context: AppContext, message: Message, draft: drafts.Draft, text: str) -> None:
    """Keep one part and answer with the running total and a "Xong · Done" button (the previous
    answer's button goes, so only the last one can be pressed)."""
    store = context.bot_data.store
    parts, characters = await drafts.add_part(store, draft.id, message.message_id, text)
    for old in model.layout_from_json(draft.preview_json).messages:
        await _delete_or_strip(context, draft.chat_id, old.message_id)
    ack = await context.bot.send_message(
        draft.chat_id, ptexts.part_received(parts, characters), reply_markup=preview.collect_keyboard(draft.id)
    )
    layout = model.Layout(messages=(model.Shown(ack.message_id, "ack"),))
    await drafts.set_preview(store, draft.id, model.layout_to_json(layout))
    _schedule_expiry(context, draft)


async def _delete_or_strip(context: AppContext, chat_id: int, message_id: int) -> None:
    try:
        await context.bot.delete_message(chat_id, message_id)
    except TelegramError:
        await preview.edit_markup(context, chat_id, message_id, None)


async def _finish_collecting(context: AppContext, draft: drafts.Draft, status: str) -> bool:
    _cancel_expiry(context, draft.id)
    if not await drafts.finish(context.bot_data.store, draft.id, status, was="collecting"):
        return False
    for message in model.layout_from_json(draft.preview_json).messages:
        await preview.edit_markup(context, draft.chat_id, message.message_id, None)
    return True


def _expiry_name(draft_id: int) -> str:
    return f"publish-collect-{draft_id}"


def _cancel_expiry(context: AppContext, draft_id: int) -> None:
    if context.job_queue is not None:
        for job in context.job_queue.get_jobs_by_name(_expiry_name(draft_id)):
            job.schedule_removal()


def _schedule_expiry(context: AppContext, draft: drafts.Draft) -> None:
    """DIALOG_TIMEOUT after the last part, the collection stops waiting and says so."""
    if context.job_queue is None:
        return
    _cancel_expiry(context, draft.id)
    context.job_queue.run_once(
        _expire, DIALOG_TIMEOUT, data=draft.id, name=_expiry_name(draft.id), chat_id=draft.chat_id
    )


async def _expire(context: AppContext) -> None:
    job = context.job
    if job is None or not isinstance(job.data, int):
        return
    async with preview.chat_lock(context):
        draft = await drafts.get(context.bot_data.store, job.data)
        if draft is None or draft.status != "collecting":
            return
        if await _finish_collecting(context, draft, "expired"):
            await context.bot.send_message(draft.chat_id, texts.collecting_timed_out(_minutes()))


async def on_collect(update: Update, context: AppContext) -> None:
    """Done (parse everything collected, then the preview) or Stop under a collection."""
    pressed = await read_press(update, preview.COLLECT)
    if pressed is None:
        return
    query, press = pressed
    async with preview.chat_lock(context):
        store = context.bot_data.store
        draft = await drafts.get(store, press.id)
        if draft is None or draft.status != "collecting":
            # Its buttons were taken away when it ended (or it became the preview's header, whose
            # buttons stay): only an old view of the chat can still press this.
            await query.answer(ptexts.COLLECTION_GONE_ALERT)
            return
        if press.action == "stop":
            await _finish_collecting(context, draft, "cancelled")
            await query.answer(texts.CANCELLED_NOTICE)
            await edit_text(query, texts.collecting_cancelled())
            return
        parts = await drafts.parts(store, draft.id)
        if not parts:
            await query.answer(ptexts.NOTHING_COLLECTED_ALERT, show_alert=True)
            return
        await query.answer()
        await _done(context, draft, model.join_parts(parts))


async def _done(context: AppContext, draft: drafts.Draft, text: str) -> None:
    """The collected text becomes a preview; one that does not parse keeps the collection open."""
    store = context.bot_data.store
    try:
        document = await publishing.load_pasted(text)
        bulletin = await publishing.parse_async(document)
    except ingest.UnsupportedDocument as exc:
        await context.bot.send_message(draft.chat_id, ingest_texts.refusal(exc))
        return
    except BulletinParseError as exc:
        await context.bot.send_message(draft.chat_id, ptexts.parse_refusal(exc))
        return
    previous = [d for d in await drafts.open_drafts(store, draft.chat_id, draft.admin_user_id) if d.id != draft.id]
    state = model.from_bulletin(bulletin, document)
    promoted = await drafts.promote(
        store,
        draft,
        source_text=text,
        document_json=model.document_to_json(document),
        bulletin_json=model.state_to_json(state),
    )
    if not promoted:
        await context.bot.send_message(draft.chat_id, ptexts.collection_gone())
        return
    _cancel_expiry(context, draft.id)
    notice = await _retire_all(context, previous)
    fresh = await drafts.get(store, draft.id)
    assert fresh is not None
    # The collection's last answer (the one with Done) becomes the preview's header.
    await preview.publish_state(context, fresh, state, notice=notice)


# --- Send, Send anyway, Cancel -----------------------------------------------------------------------------


async def on_confirm(update: Update, context: AppContext) -> None:
    """The question under a preview. Deciding is once only: a second press, by anyone, is told the
    draft was handled (or replaced); a Send pressed on an older view of a draft that changed since is
    refused; a failure while queueing leaves the draft pending, its buttons working."""
    query = update.callback_query
    if query is None:
        return
    version: int | None = None
    legacy = DECISION.read(query.data)
    if legacy is not None:
        action, draft_id = legacy.action, legacy.id
    else:
        press = preview.CONFIRM.read(query.data)
        if press is None:
            await query.answer(texts.STALE_BUTTON_NOTICE)
            return
        action = press.action
        draft_id, version = preview.read_confirm_id(press.id)
    async with preview.chat_lock(context):
        await _decide(update, context, action, draft_id, version)


async def _decide(update: Update, context: AppContext, action: str, draft_id: int, version: int | None) -> None:
    query = update.callback_query
    assert query is not None
    store = context.bot_data.store
    draft = await drafts.get(store, draft_id)
    if draft is None or draft.status != "pending":
        await query.answer()
        await edit_text(query, ptexts.draft_replaced() if draft and draft.status == "replaced" else texts.draft_gone())
        return
    if action == "cancel":
        if await drafts.finish(store, draft.id, "cancelled"):
            await query.answer(texts.CANCELLED_NOTICE)
            if draft.offer_id is not None:  # "Bỏ qua": the bulletin stays in the archive, unsent
                await edit_text(query, wtexts.offer_skipped())
                await _settle_offer(context, draft, "skipped", query.from_user.full_name, query.from_user.id)
            else:
                await edit_text(query, texts.draft_cancelled())
        else:
            await query.answer()
            await edit_text(query, texts.draft_gone())
        return
    if version is not None and draft.version % 100 != version:
        await query.answer(ptexts.CHANGED_ALERT, show_alert=True)
        return
    state = await publish_edit.load_state(draft)
    if state is None or (action == "send" and version is not None and model.check(state) is not None):
        await query.answer(ptexts.CHANGED_ALERT, show_alert=True)
        return
    if action == "all":  # resending to everyone is asked once more
        await query.answer()
        if query.message is not None:
            await preview.ask_resend(context, draft, state, query.message.message_id)
        return
    if action == "back":
        await query.answer()
        await preview.publish_state(context, draft, state)
        return
    # Every send but the confirmed resend goes to those who do not have the bulletin yet, decided
    # when the broadcast is created (another preview of it may have been sent since this one).
    audience = publishing.Audience.EVERYONE if action == "resend" else publishing.Audience.WITHOUT_IT
    prepared = publishing.prepare(model.to_bulletin(state))
    await query.answer(texts.QUEUING_NOTICE)
    by = publishing.By(query.from_user.id, query.from_user.full_name)
    queued = await publishing.send_draft(
        store, draft, prepared, version=draft.version if version is not None else None, audience=audience, by=by
    )
    if queued is None:  # decided or changed meanwhile
        await edit_text(query, texts.draft_gone())
        return
    info = queued.info
    if info is None:  # everyone has it: nothing queued, the draft stays open (resend or cancel)
        await context.bot.send_message(draft.chat_id, ptexts.nobody_left(queued.history))
        await preview.publish_state(context, draft, state)
        return
    if info.recipients == 0:
        await edit_text(query, texts.no_subscribers())
    else:
        done = texts.queued(info.id, info.recipients, info.message_count)
        await edit_text(query, f"{done}\n{ptexts.left_out(queued.left_out)}" if queued.left_out else done)
        progress = await context.bot.send_message(
            draft.chat_id, texts.queued_progress(info.id, info.title, info.recipients * info.message_count)
        )
        await outbox.set_progress_message(store, info.id, progress.message_id)
    if draft.offer_id is not None:
        await _settle_offer(context, draft, "sent", query.from_user.full_name, query.from_user.id, info.id)
    if context.bot_data.has_engine:
        context.bot_data.engine.wake()


# --- Send at… (issue 12) -------------------------------------------------------------------------------------


def _now(context: AppContext) -> dt.datetime:
    """The wall clock the scheduler uses (tests move it instead of waiting)."""
    return context.bot_data.engine.schedules.now() if context.bot_data.has_engine else utc_now()


async def on_when(update: Update, context: AppContext) -> None:
    """ "Gửi lúc…" under a preview's question, and the times it offers: a chosen time schedules the
    broadcast at once (the press is the confirmation; the question then says when)."""
    query = update.callback_query
    if query is None:
        return
    read = preview.WHEN.read_at(query.data)
    if read is None or query.message is None:
        await query.answer(texts.STALE_BUTTON_NOTICE)
        return
    press, moment = read
    draft_id, version = preview.read_confirm_id(press.id)
    async with preview.chat_lock(context):
        store = context.bot_data.store
        draft = await drafts.get(store, draft_id)
        if draft is None or draft.status != "pending":
            await query.answer()
            await edit_text(
                query, ptexts.draft_replaced() if draft and draft.status == "replaced" else texts.draft_gone()
            )
            return
        state = await publish_edit.load_state(draft)
        if state is None or draft.version % 100 != version:
            await query.answer(ptexts.CHANGED_ALERT, show_alert=True)
            return
        settings = context.bot_data.settings
        now = _now(context)
        if press.action == "back":
            await query.answer()
            await preview.publish_state(context, draft, state)
        elif press.action == "open":
            await query.answer()
            question = await _question(context, state, draft)
            await preview.ask_when(context, draft, query.message.message_id, question, now, settings.zone)
        elif press.action == "other":
            await query.answer(stexts.ASK_TIME_NOTICE)
            await preview.ask_time(context, draft, settings.timezone)
        elif moment is not None:
            at = settle(moment, now)
            if at is None:
                await query.answer(stexts.PAST_ALERT, show_alert=True)
                question = await _question(context, state, draft)
                await preview.ask_when(context, draft, query.message.message_id, question, now, settings.zone)
                return
            await query.answer(stexts.SCHEDULING_NOTICE)
            await _schedule(context, draft, state, at, by=(query.from_user.full_name, query.from_user.id))


async def _question(context: AppContext, state: model.DraftState, draft: drafts.Draft) -> str:
    """The preview's question (the bulletin and how many its audience has), above the times offered."""
    target = publishing.target_for(draft)
    history = await publishing.history(context.bot_data.store, model.to_bulletin(state), target)
    return texts.confirm_prompt(state.title, state.month, history.subscribers)


async def take_time_reply(update: Update, context: AppContext) -> bool:
    """An admin's reply to the bot's "Giờ khác · Other time" question: schedule the draft then. False
    when the message is not such a reply (it is read as anything else). Runs under the chat's lock."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return False
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return False
    store = context.bot_data.store
    for draft in await drafts.pending_in_chat(store, message.chat_id):
        prompt = model.layout_from_json(draft.preview_json).prompt(replied.message_id)
        if draft.admin_user_id != user.id or prompt is None or prompt.field != "when":
            continue
        state = await publish_edit.load_state(draft)
        if state is None or prompt.version != draft.version:
            await message.reply_text(ptexts.prompt_outdated())
            return True
        settings = context.bot_data.settings
        now = _now(context)
        try:
            moment = parse_typed(message.text, settings.zone, now)
        except TimeFormatError:
            await message.reply_text(stexts.bad_time(message.text))
            return True
        at = settle(moment, now)
        if at is None:
            await message.reply_text(stexts.past_time(moment, settings.zone))
            return True
        info = await _schedule(context, draft, state, at, by=(user.full_name, user.id))
        if info is not None and info.scheduled_at is not None:
            await message.reply_text(
                stexts.scheduled(info.id, info.recipients, info.message_count, info.scheduled_at, settings.zone)
            )
        return True
    return False


async def _schedule(
    context: AppContext, draft: drafts.Draft, state: model.DraftState, at: dt.datetime, *, by: tuple[str, int]
) -> outbox.BroadcastInfo | None:
    """Archive the draft's bulletin and schedule its broadcast at ``at``, for those who do not have it
    (``publishing``: and whoever subscribes before then); the question says when. None (and the
    question says so) when the draft was decided or changed meanwhile."""
    store = context.bot_data.store
    prepared = publishing.prepare(model.to_bulletin(state))
    queued = await publishing.send_draft(
        store, draft, prepared, version=draft.version, at=at, by=publishing.By(by[1], by[0])
    )
    layout = model.layout_from_json(draft.preview_json)
    question = layout.messages[-1].message_id if layout.messages else None
    info = None if queued is None else queued.info
    if info is None or info.scheduled_at is None:
        if question is not None:
            await preview.edit_message(context, draft.chat_id, question, texts.draft_gone(), None)
        return None
    if question is not None:
        text = stexts.scheduled(
            info.id, info.recipients, info.message_count, info.scheduled_at, context.bot_data.settings.zone
        )
        await preview.edit_message(context, draft.chat_id, question, text, None)
    if draft.offer_id is not None:
        await _settle_offer(context, draft, "sent", by[0], by[1], info.id)
    if context.bot_data.has_engine:
        context.bot_data.engine.schedules.changed()
    return info


async def _settle_offer(
    context: AppContext, draft: drafts.Draft, status: str, by: str, by_id: int, broadcast_id: int | None = None
) -> None:
    """One admin decided on a bulletin found on a watched portal: the offer is settled, and every other
    admin's copy of it stops asking and says who decided what."""
    assert draft.offer_id is not None
    store = context.bot_data.store
    await watch.decide_offer(store, draft.offer_id, status, by_id, broadcast_id)
    for other in await drafts.of_offer(store, draft.offer_id):
        if other.id == draft.id or not await drafts.finish(store, other.id, "cancelled"):
            continue
        layout = model.layout_from_json(other.preview_json)
        if layout.messages:
            notice = wtexts.offer_decided_elsewhere(status, by)
            await preview.edit_message(context, other.chat_id, layout.messages[-1].message_id, notice, None)


# --- wiring -------------------------------------------------------------------------------------------------


def register(app: Application, admins: AdminGate) -> None:  # type: ignore[type-arg]
    only_new = filters.UpdateType.MESSAGE
    admin_private = only_new & admins & filters.ChatType.PRIVATE
    # Before every other feature reads an admin's text (see the module's docstring).
    app.add_handler(MessageHandler(admin_private & filters.TEXT & ~filters.COMMAND, on_admin_text), -1)
    admin_group_reply = only_new & admins & filters.ChatType.GROUPS & filters.REPLY
    app.add_handler(MessageHandler(admin_group_reply & filters.TEXT & ~filters.COMMAND, on_admin_reply), -1)
    app.add_handler(CommandHandler("cancel", on_cancel, filters=admin_private), -1)
    app.add_handler(CommandHandler(COMMAND, on_publish, filters=only_new & admins))
    app.add_handler(MessageHandler(only_new & admins & UPLOAD, on_document))
    # Buttons work whenever they are pressed: the draft they name is in the database.
    app.add_handler(AdminButtons(admins, on_confirm, pattern=preview.CONFIRM.pattern))
    app.add_handler(AdminButtons(admins, on_confirm, pattern=DECISION.pattern))
    app.add_handler(AdminButtons(admins, on_when, pattern=preview.WHEN.pattern))
    app.add_handler(AdminButtons(admins, publish_edit.on_edit, pattern=preview.EDIT.pattern))
    app.add_handler(AdminButtons(admins, publish_edit.on_split_at, pattern=preview.SPLIT_AT.pattern))
    app.add_handler(AdminButtons(admins, on_collect, pattern=preview.COLLECT.pattern))
    for handler in refusals("publish", commands=[COMMAND], messages=_REFUSED_UPLOAD, buttons=_PREFIXES):
        app.add_handler(handler)
