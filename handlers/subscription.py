"""/start, /subscribe, /stop, /unsubscribe, /help and /profile."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.domain.profiles import parse_profile
from bot.ptb.context import AppContext
from bot.texts import common as texts
from data import subscribers


async def start(update: Update, context: AppContext) -> None:
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or message is None:
        return
    # In a group the subscriber is the group, so it is greeted and stored by its title.
    name = chat.title if chat.type != "private" and chat.title else (user.first_name if user else None)
    store = context.bot_data.store
    created = await subscribers.subscribe(
        store,
        chat.id,
        user_id=user.id if user else None,
        chat_type=chat.type,
        display_name=name,
    )
    profile = await subscribers.get(store, chat.id)
    greeting = texts.address(name, profile.role, profile.unit) if profile else name
    await message.reply_text(texts.welcome(greeting, already=not created))


async def stop(update: Update, context: AppContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    was_active = await subscribers.leave(context.bot_data.store, chat.id, reason="user: /stop")
    await message.reply_text(texts.stopped(was_active=was_active))


async def help_command(update: Update, context: AppContext) -> None:
    user, message = update.effective_user, update.effective_message
    if message is None:
        return
    is_admin = context.bot_data.settings.is_admin(user.id if user else None)
    await message.reply_text(texts.help_text(is_admin=is_admin))


async def profile(update: Update, context: AppContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    parsed = parse_profile(" ".join(context.args or []))
    if parsed is None:
        await message.reply_text(texts.profile_usage())
        return
    role, unit = parsed
    if not await subscribers.set_profile(context.bot_data.store, chat.id, role=role, unit=unit):
        await message.reply_text(texts.profile_needs_subscription())
        return
    await message.reply_text(texts.profile_saved(role, unit))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler(["start", "subscribe", "dangky"], start))
    app.add_handler(CommandHandler(["stop", "unsubscribe", "huy"], stop))
    app.add_handler(CommandHandler(["help", "trogiup"], help_command))
    app.add_handler(CommandHandler(["profile", "xungho"], profile))
