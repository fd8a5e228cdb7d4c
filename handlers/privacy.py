"""/forget (/xoadulieu): a subscriber has what the bot stores about them deleted (issue 13, point 5).

The command asks first, with two buttons; only "🗑 Xóa dữ liệu của tôi" deletes
(``data.privacy.forget``: one transaction) and the question is edited into what was deleted. The
buttons carry no state (``forget:yes:0``): a press acts on the private chat its message sits in, and
only for the user that chat belongs to, so forged data cannot name anyone else. A second press, or a
press after the data is gone, finds nothing and says so in a toast, leaving the answer shown.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.ptb.context import AppContext
from bot.texts import privacy as texts
from data import privacy
from handlers.callbacks import Buttons, edit_text, read_press

log = logging.getLogger(__name__)

FORGET = Buttons("forget", ("yes", "no"))


def confirm_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.DELETE_BUTTON, callback_data=FORGET.data("yes", 0))],
            [InlineKeyboardButton(texts.KEEP_BUTTON, callback_data=FORGET.data("no", 0))],
        ]
    )


async def forget_command(update: Update, context: AppContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    if chat.type != Chat.PRIVATE:
        await message.reply_text(texts.PRIVATE_ONLY)
        return
    await message.reply_text(texts.CONFIRM, reply_markup=confirm_keyboard())


async def on_press(update: Update, context: AppContext) -> None:
    pressed = await read_press(update, FORGET)
    if pressed is None:
        return
    query, press = pressed
    assert query.message is not None
    chat = query.message.chat
    # Private chats only, and only the person the chat is with (their user id is the chat's id).
    if chat.type != Chat.PRIVATE or query.from_user.id != chat.id or press.id != 0:
        await query.answer(texts.NOT_YOURS)
        return
    if press.action == "no":
        await query.answer()
        await edit_text(query, texts.KEPT)
        return
    try:
        done = await privacy.forget(context.bot_data.store, chat.id, user_id=query.from_user.id)
    except Exception:
        log.exception("forget failed for a chat")
        await query.answer(texts.FAILED)
        return
    if not done.anything:
        # Nothing (left) to delete: a double tap, a stale question, or someone never subscribed. A
        # toast, and the buttons go; the text stays, so a double tap keeps the first press's answer.
        await query.answer(texts.NOTHING, show_alert=True)
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        return
    if context.bot_data.has_engine:
        context.bot_data.engine.forget_chat(chat.id)
    # Nothing kept in memory about them either (PTB's per-chat and per-user dicts).
    if context.chat_data is not None:
        context.chat_data.clear()
    if context.user_data is not None:
        context.user_data.clear()
    log.info("a chat was forgotten at its request (%s delivery rows anonymised)", done.deliveries)
    await query.answer()
    try:
        await edit_text(query, texts.forgotten(done))
    except TelegramError as exc:  # the deletion stands; say it in a new message instead
        log.warning("could not edit the forget question: %s", type(exc).__name__)
        await context.bot.send_message(chat.id, texts.forgotten(done))


def register(app: Application) -> None:  # type: ignore[type-arg]
    only_new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler(["forget", "xoadulieu"], forget_command, filters=only_new))
    app.add_handler(CallbackQueryHandler(on_press, pattern=FORGET.pattern))
