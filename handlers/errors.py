"""The error handler: log what failed (ids only, never the Update or the token) and tell the user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.ptb.context import AppContext
from bot.texts import common as texts

log = logging.getLogger(__name__)


async def on_error(update: object, context: AppContext) -> None:
    error = context.error
    chat_id = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    log.error("handler failed for chat %s: %s", chat_id, type(error).__name__, exc_info=error)
    if isinstance(update, Update) and update.effective_message is not None and not isinstance(error, TelegramError):
        try:
            await update.effective_message.reply_text(texts.internal_error())
        except TelegramError:
            log.warning("could not tell chat %s about the error", chat_id)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_error_handler(on_error)
