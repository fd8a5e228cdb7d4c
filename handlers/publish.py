"""Admins publish a bulletin: a dialog from /publish to a preview and its Send / Cancel buttons.

::

    /publish <text>, or an uploaded file ──────────────► preview ──► PREVIEWING
    bare /publish (private chat) ──► COLLECTING ── text ──► preview ─┘     │
                                        │                                 Send / Cancel ──► end
                                        └── /cancel, or DIALOG_TIMEOUT without a bulletin ──► end

The dialog is a ``ConversationHandler`` per chat and admin, so adding a step is adding a state:
a bulletin pasted over several messages until a "Xong · Done" button is more handlers in
COLLECTING; per-task edit tools are more buttons in PREVIEWING. A draft lives in the database,
not in the dialog: the Send and Cancel buttons of a preview keep working after the dialog timed
out or the bot restarted (``decide`` is also registered outside the dialog).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.records import BulletinParseError
from bot.ptb.context import AppContext
from bot.services import publishing
from bot.texts import delivery as texts
from data import outbox, subscribers
from handlers.callbacks import Buttons, edit_text
from handlers.gate import AdminButtons, AdminGate, refusals

log = logging.getLogger(__name__)

COLLECTING = "collecting"  # after a bare /publish: the admin's next text is the bulletin
PREVIEWING = "previewing"  # the preview is shown; its buttons decide
END = ConversationHandler.END
DIALOG_TIMEOUT = dt.timedelta(minutes=10)  # a forgotten /publish stops waiting after this

DECISION = Buttons("pub", ("send", "cancel"))
COMMAND = "publish"
_COMMAND_PREFIX = re.compile(r"^/\w+(?:@\w+)?")
# An upload that is a publish request: any document in a private chat, or captioned /publish.
UPLOAD = filters.Document.ALL & (filters.CaptionRegex(r"^/publish\b") | filters.ChatType.PRIVATE)
# chat_data key, with the admin's user id: the dialog's state, for the timeout to know what expired.
_STATE = "publish_dialog_state"


def command_body(text: str) -> str:
    """What follows ``/publish`` or ``/publish@botname``, line breaks kept (``context.args`` would
    lose them), whether a space or a line break comes after the command."""
    return _COMMAND_PREFIX.sub("", text, count=1).strip()


def _minutes() -> int:
    return max(1, round(DIALOG_TIMEOUT.total_seconds() / 60))


def _enter(update: Update, context: AppContext, state: str | int) -> str | int:
    """Record the state the dialog moves to and return it (for the ConversationHandler)."""
    user = update.effective_user
    if context.chat_data is not None and user is not None:
        if state == END:
            context.chat_data.pop((_STATE, user.id), None)
        else:
            context.chat_data[(_STATE, user.id)] = state
    return state


# --- entering the dialog ----------------------------------------------------------------------


async def on_publish(update: Update, context: AppContext) -> str | int:
    """/publish with the bulletin after it, or bare: then wait for it (in a private chat)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return END
    body = command_body(message.text or "")
    if body:
        return await _preview(update, context, body, on_failure=END)
    if chat.type != Chat.PRIVATE:  # in a group the admin's next message is not taken from the group
        await message.reply_text(texts.publish_usage(None))
        return END
    # Answer once the dialog is in COLLECTING: an admin who pastes the bulletin right away, before
    # the answer arrives, must not have it read as a question.
    context.application.create_task(message.reply_text(texts.publish_usage(_minutes())), update=update)
    return _enter(update, context, COLLECTING)


async def on_document(update: Update, context: AppContext) -> str | int:
    """An uploaded .txt/.html: in a private chat, or with the caption /publish anywhere."""
    message = update.effective_message
    if message is None or message.document is None:
        return END
    text = await _read_upload(message)
    if text is None:
        return _enter(update, context, END)
    return await _preview(update, context, text, on_failure=END)


async def _read_upload(message: Message) -> str | None:
    """The document's text, or None after telling the admin why it cannot be read."""
    document = message.document
    assert document is not None
    problem = publishing.check_upload(document.file_name, document.file_size)
    if problem is None:
        try:
            file = await document.get_file()
            content = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("could not download a document: %s", type(exc).__name__)
            problem = "download_failed"
        else:
            text = publishing.decode_upload(content)
            if text is not None:
                return text
            problem = "not_utf8"
    await message.reply_text(texts.bad_file(problem))
    return None


# --- COLLECTING ---------------------------------------------------------------------------------


async def on_pasted(update: Update, context: AppContext) -> str | int:
    """The text after a bare /publish is the bulletin; one that cannot be read may be sent again."""
    message = update.effective_message
    if message is None or not message.text:
        return COLLECTING
    return await _preview(update, context, message.text, on_failure=COLLECTING)


async def on_stop_collecting(update: Update, context: AppContext) -> str | int:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.collecting_cancelled())
    return _enter(update, context, END)


async def on_timeout(update: object, context: AppContext) -> None:
    """DIALOG_TIMEOUT passed with no step: say so if the bot was waiting for a bulletin. A preview's
    buttons keep working (see ``decide``), so a dialog that ends while previewing ends silently."""
    if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
        return
    state = context.chat_data.pop((_STATE, update.effective_user.id), None) if context.chat_data is not None else None
    if state == COLLECTING:
        await context.bot.send_message(update.effective_chat.id, texts.collecting_timed_out(_minutes()))


# --- the preview ----------------------------------------------------------------------------------


async def _preview(update: Update, context: AppContext, source: str, *, on_failure: str | int) -> str | int:
    """Exactly the messages a broadcast would send, then the question with Send / Cancel."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    try:
        prepared = publishing.prepare(source)
    except publishing.NoMonthError:
        await message.reply_text(texts.no_month())
        return _enter(update, context, on_failure)
    except BulletinParseError as exc:
        await message.reply_text(texts.parse_failed(str(exc)))
        return _enter(update, context, on_failure)
    store = context.bot_data.store
    draft_id = await outbox.create_draft(store, user.id, chat.id, source)
    recipients = await subscribers.count_active(store)
    bulletin = prepared.bulletin
    await message.reply_text(
        texts.preview_header(
            bulletin.title,
            bulletin.month,
            len(bulletin.tasks),
            len(prepared.messages),
            recipients,
            list(bulletin.warnings),
        )
    )
    for outgoing in prepared.messages:
        await context.bot.send_message(chat.id, outgoing.html, disable_notification=True)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.SEND_BUTTON, callback_data=DECISION.data("send", draft_id)),
                InlineKeyboardButton(texts.CANCEL_BUTTON, callback_data=DECISION.data("cancel", draft_id)),
            ]
        ]
    )
    await context.bot.send_message(
        chat.id, texts.confirm_prompt(bulletin.title, bulletin.month, recipients), reply_markup=keyboard
    )
    return _enter(update, context, PREVIEWING)


async def decide(update: Update, context: AppContext) -> None:
    """Send or Cancel under a preview. Deciding is once only: a second press, by anyone, is told the
    draft was handled; a failure while queueing leaves the draft pending, its buttons working."""
    query = update.callback_query
    if query is None:
        return
    press = DECISION.read(query.data)
    if press is None:
        await query.answer(texts.STALE_BUTTON_NOTICE)
        return
    store = context.bot_data.store
    if press.action == "cancel":
        if not await outbox.cancel_draft(store, press.id):
            await query.answer()
            await edit_text(query, texts.draft_gone())
        else:
            await query.answer(texts.CANCELLED_NOTICE)
            await edit_text(query, texts.draft_cancelled())
        return
    draft = await outbox.get_draft(store, press.id)
    if draft is None or draft.status != "pending":
        await query.answer()
        await edit_text(query, texts.draft_gone())
        return
    try:
        prepared = publishing.prepare(draft.source_text)
    except BulletinParseError as exc:  # the parser changed between preview and send
        await query.answer()
        await edit_text(
            query, texts.no_month() if isinstance(exc, publishing.NoMonthError) else texts.parse_failed(str(exc))
        )
        return
    await query.answer(texts.QUEUING_NOTICE)
    info = await publishing.send_draft(store, draft, prepared)
    if info is None:  # decided meanwhile (another press, another admin)
        await edit_text(query, texts.draft_gone())
        return
    if info.recipients == 0:
        await edit_text(query, texts.no_subscribers())
    else:
        await edit_text(query, texts.queued(info.id, info.recipients, info.message_count))
        progress = await context.bot.send_message(
            draft.chat_id,
            texts.progress(
                info.id,
                info.title,
                done=0,
                total=info.recipients * info.message_count,
                rate=0.0,
                eta_seconds=None,
                failed=0,
                blocked=0,
                status="queued",
            ),
        )
        await outbox.set_progress_message(store, info.id, progress.message_id)
    if context.bot_data.has_engine:
        context.bot_data.engine.wake()


async def on_decision(update: Update, context: AppContext) -> str | int:
    """``decide`` as the dialog's last step."""
    await decide(update, context)
    return _enter(update, context, END)


# --- wiring -------------------------------------------------------------------------------------


def dialog(admins: AdminGate) -> ConversationHandler[AppContext]:
    """The publish dialog; only the admins can enter it."""
    states: dict[object, list[BaseHandler[Update, AppContext, object]]] = {
        COLLECTING: [
            MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_pasted),
            CommandHandler("cancel", on_stop_collecting),
        ],
        PREVIEWING: [AdminButtons(admins, on_decision, pattern=DECISION.pattern)],
        ConversationHandler.TIMEOUT: [TypeHandler(Update, on_timeout)],
    }
    with warnings.catch_warnings():
        # PTB notes that with per_message=False a button is tracked per chat and user, not per
        # message: that is what is meant here (any of the admin's previews in the chat may decide).
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler(COMMAND, on_publish, filters=filters.UpdateType.MESSAGE & admins),
                MessageHandler(filters.UpdateType.MESSAGE & admins & UPLOAD, on_document),
            ],
            states=states,
            fallbacks=[],
            allow_reentry=True,  # a new /publish or upload starts over from any state
            conversation_timeout=DIALOG_TIMEOUT,
            name="publish",
        )


def register(app: Application, admins: AdminGate) -> None:  # type: ignore[type-arg]
    app.add_handler(dialog(admins))
    # A preview's buttons outside the dialog: after it timed out, after a restart, another admin's.
    app.add_handler(AdminButtons(admins, decide, pattern=DECISION.pattern))
    for handler in refusals("publish", commands=[COMMAND], messages=UPLOAD, buttons=DECISION.pattern):
        app.add_handler(handler)
