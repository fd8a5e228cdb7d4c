"""Admins publish a bulletin: paste it after /publish or upload a file → preview → Send / Cancel."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain.records import BulletinParseError
from bot.ptb.context import AppContext
from bot.services import publishing
from bot.texts import common as common_texts
from bot.texts import delivery as texts
from data import outbox, subscribers

log = logging.getLogger(__name__)

AWAITING = "awaiting_bulletin"


def _command_body(message: Message) -> str:
    """The text after ``/publish`` with its line breaks kept (``context.args`` would lose them)."""
    text = message.text or message.caption or ""
    _, _, body = text.partition(" ") if not text.startswith("/publish\n") else text.partition("\n")
    return body.strip()


def _is_admin(update: Update, context: AppContext) -> bool:
    user = update.effective_user
    return context.bot_data.settings.is_admin(user.id if user else None)


async def publish_command(update: Update, context: AppContext) -> None:
    message = update.effective_message
    if message is None:
        return
    if not _is_admin(update, context):
        await message.reply_text(common_texts.not_admin())
        return
    if message.document is not None:
        await _from_document(update, context)
        return
    body = _command_body(message)
    if not body:
        if context.chat_data is not None:
            context.chat_data[AWAITING] = True
        await message.reply_text(texts.publish_usage())
        return
    await _preview(update, context, body)


async def document_upload(update: Update, context: AppContext) -> None:
    message = update.effective_message
    if message is None or message.document is None:
        return
    if not _is_admin(update, context):
        await message.reply_text(common_texts.not_admin())
        return
    await _from_document(update, context)


async def awaited_text(update: Update, context: AppContext) -> None:
    """After a bare /publish, the admin's next text message is the bulletin (not a question)."""
    message = update.effective_message
    if message is None or not message.text or not context.chat_data or not context.chat_data.get(AWAITING):
        return
    context.chat_data.pop(AWAITING, None)
    if _is_admin(update, context):
        await _preview(update, context, message.text)
    raise ApplicationHandlerStop


async def _from_document(update: Update, context: AppContext) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    problem = publishing.check_upload(document.file_name, document.file_size)
    if problem is not None:
        await message.reply_text(texts.bad_file(problem))
        return
    try:
        file = await document.get_file()
        content = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.warning("could not download a document: %s", type(exc).__name__)
        await message.reply_text(texts.bad_file("tải tệp thất bại (download failed)"))
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        await message.reply_text(texts.bad_file("tệp không phải văn bản UTF-8 (not UTF-8 text)"))
        return
    if context.chat_data is not None:
        context.chat_data.pop(AWAITING, None)
    await _preview(update, context, text)


async def _preview(update: Update, context: AppContext, source: str) -> None:
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    try:
        prepared = publishing.prepare(source)
    except BulletinParseError as exc:
        await message.reply_text(texts.parse_failed(str(exc)))
        return
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
                InlineKeyboardButton(texts.SEND_BUTTON, callback_data=f"pub:send:{draft_id}"),
                InlineKeyboardButton(texts.CANCEL_BUTTON, callback_data=f"pub:cancel:{draft_id}"),
            ]
        ]
    )
    await context.bot.send_message(chat.id, texts.confirm_prompt(recipients), reply_markup=keyboard)


async def decide(update: Update, context: AppContext) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    if not _is_admin(update, context):
        await query.answer("Chỉ quản trị viên · Admins only", show_alert=True)
        return
    _, action, raw_id = [*query.data.split(":"), "", ""][:3]
    if not raw_id.isdigit():
        await query.answer()
        return
    store = context.bot_data.store
    draft = await outbox.get_draft(store, int(raw_id))
    if draft is None or not await outbox.claim_draft(store, draft.id, "sent" if action == "send" else "cancelled"):
        await query.answer()
        await query.edit_message_text(texts.draft_gone())
        return
    if action != "send":
        await query.answer("Đã hủy · Cancelled")
        await query.edit_message_text(texts.draft_cancelled())
        return
    await query.answer("Đang xếp hàng gửi · Queuing")
    try:
        prepared = publishing.prepare(draft.source_text)
    except BulletinParseError as exc:  # the parser changed between preview and send
        await query.edit_message_text(texts.parse_failed(str(exc)))
        return
    info = await publishing.queue_broadcast(
        store, prepared, requested_by=draft.admin_user_id, admin_chat_id=draft.chat_id
    )
    await outbox.link_draft(store, draft.id, info.id)
    if info.recipients == 0:
        await query.edit_message_text(texts.no_subscribers())
    else:
        await query.edit_message_text(texts.queued(info.id, info.recipients, info.message_count))
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


def register(app: Application) -> None:  # type: ignore[type-arg]
    # Group -1 runs before the archive's free-text handler; it stops processing only when it
    # consumed the message (see awaited_text).
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, awaited_text), -1)
    app.add_handler(CommandHandler("publish", publish_command))
    app.add_handler(MessageHandler(filters.CaptionRegex(r"^/publish") & filters.Document.ALL, publish_command))
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.Document.ALL, document_upload))
    app.add_handler(CallbackQueryHandler(decide, pattern=r"^pub:"))
