"""The "✅ Đã nhận · Received" button under a bulletin's last part (and under a reminder).

A press records (broadcast, chat, time) once, answers the callback at once, and turns the button
into "✅ Đã nhận lúc 08:12 · Received" when its turn comes (``bot.delivery.button_edits``: edits
are paced like sends, one at a time beside the replies); a second press says when it was recorded.
Everything is read from the callback data (the broadcast id) and the database, so a button works
months later and after any restart. A press from a chat that was never sent that broadcast, or with data that is not one
of these buttons, is answered politely and records nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, tzinfo
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, ExtBot

from bot.delivery.button_edits import Edit
from bot.ptb.context import AppContext
from bot.ptb.errors import is_not_modified
from bot.ptb.sending import ack_data
from bot.texts import acks as texts
from data import acks
from handlers.callbacks import Buttons, read_press

log = logging.getLogger(__name__)

# ``ack:got:<broadcast id>``, written by ``bot.ptb.sending.ack_data``.
ACK = Buttons("ack", ("got",))


def local_time(at: str, zone: tzinfo) -> datetime:
    """A stored UTC timestamp (``data.store.utcnow``'s format) in ``zone``."""
    return datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).astimezone(zone)


def acked_keyboard(broadcast_id: int, at: datetime) -> InlineKeyboardMarkup:
    """The pressed button: the time it was pressed, the same data (a later press is told it is recorded)."""
    label = texts.acked_button(at.strftime("%H:%M"))
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=ack_data(broadcast_id))]])


async def on_ack(update: Update, context: AppContext) -> None:
    pressed = await read_press(update, ACK)
    if pressed is None:
        return
    query, press = pressed
    message = query.message
    assert message is not None
    chat_id = message.chat.id
    store = context.bot_data.store
    broadcast_id = await acks.original(store, press.id)
    if broadcast_id is None or not await acks.is_recipient(store, broadcast_id, chat_id):
        await query.answer(texts.NOT_RECIPIENT)
        return
    first, at = await acks.record(store, broadcast_id, chat_id)
    when = local_time(at, context.bot_data.settings.zone)
    if first:
        log.info("chat %s acknowledged broadcast %s", chat_id, broadcast_id)
        await query.answer(texts.RECORDED)
    else:
        await query.answer(texts.already_recorded(when.strftime("%H:%M %d/%m/%Y")))
    # The button's edit counts against the flood limits (a reply's slot): it waits its turn in
    # ButtonEdits, one at a time, rather than here, where hundreds of presses would queue ahead of
    # every reply (benchmarks/campaign_acks.py).
    markup = acked_keyboard(broadcast_id, when)
    edit = _edit_button(context.bot, chat_id, message.message_id, markup)
    context.bot_data.button_edits.put((chat_id, message.message_id), edit)


def _edit_button(bot: ExtBot[Any], chat_id: int, message_id: int, markup: InlineKeyboardMarkup) -> Edit:
    async def edit() -> None:
        try:
            # Paced like every other reply, but in the background: it takes a slot only when no
            # reply is waiting for one (bot.ptb.rate_limiter).
            await bot.edit_message_reply_markup(
                chat_id, message_id, reply_markup=markup, rate_limit_args={"background": True}
            )
        except BadRequest as exc:
            if not is_not_modified(exc):  # e.g. a message too old to edit: the record stands
                log.warning("could not edit the ack button in chat %s: %s", chat_id, exc)
        except TelegramError as exc:
            log.warning("could not edit the ack button in chat %s: %s", chat_id, type(exc).__name__)

    return edit


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(on_ack, pattern=ACK.pattern))
