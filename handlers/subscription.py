"""/start, /subscribe, /stop, /unsubscribe, /help and /profile.

The welcome carries the optional role buttons (``handlers.audience``: role, then unit); a bare
/profile shows what is saved with the same buttons, and ``/profile Role | Unit`` still sets both as
text. Joining, or a new profile, while a broadcast runs gets the chat that broadcast too.

In a group the subscriber is the group, so only its administrators may subscribe it, unsubscribe it
or change its profile: Telegram is asked (``getChatMember``) and its answer kept for a minute.
"""

from __future__ import annotations

import logging
import time

from telegram import Chat, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, filters

from bot.domain.profiles import ExpiringAnswers, may_manage_group, parse_profile
from bot.ptb.context import AppContext
from bot.texts import audience as atexts
from bot.texts import common as texts
from data import subscribers
from handlers import audience

log = logging.getLogger(__name__)

# chat_data key of the chat's ExpiringAnswers: user id → may manage the group's subscription.
MANAGERS = "group_managers"


async def _may_manage(update: Update, context: AppContext, action: str) -> bool:
    """In a private chat, always; in a group, only its owner or an administrator. Says why not."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    assert chat is not None and message is not None
    if chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return True
    allowed = await _is_group_manager(message, context)
    if allowed is None:
        await message.reply_text(texts.admin_check_failed())
        return False
    if not allowed:
        log.info("chat %s: user %s may not %s the group", chat.id, user.id if user else None, action)
        await message.reply_text(texts.group_admins_only(action))
    return allowed


async def _is_group_manager(message: Message, context: AppContext) -> bool | None:
    """Whether the sender administers the group; None when Telegram could not say."""
    chat = message.chat
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator writes as the group itself
    user = message.from_user
    if user is None:
        return False
    cache = context.chat_data.setdefault(MANAGERS, ExpiringAnswers()) if context.chat_data is not None else None
    now = time.monotonic()
    known = cache.get(user.id, now) if isinstance(cache, ExpiringAnswers) else None
    if known is not None:
        return known
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("getChatMember failed for chat %s: %s", chat.id, type(exc).__name__)
        return None
    allowed = may_manage_group(member.status)
    if isinstance(cache, ExpiringAnswers):
        cache.put(user.id, allowed, now)
    return allowed


async def start(update: Update, context: AppContext) -> None:
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or message is None:
        return
    store = context.bot_data.store
    profile = await subscribers.get(store, chat.id)
    # In a group the subscriber is the group, so it is greeted and stored by its title.
    name = chat.title if chat.type != Chat.PRIVATE and chat.title else (user.first_name if user else None)
    already = profile is not None and profile.active
    # Saying /start in a group that is already subscribed changes nothing: anyone may.
    if not already and not await _may_manage(update, context, "start"):
        return
    created = await subscribers.subscribe(
        store,
        chat.id,
        user_id=user.id if user else None,
        chat_type=chat.type,
        display_name=name,
    )
    added = await audience.catch_up(context, chat.id)
    profile = await subscribers.get(store, chat.id)
    greeting = texts.address(name, profile.role, profile.unit) if profile else name
    # One reply: the welcome itself carries the first tap of the (optional) role and unit choice.
    lines = [texts.welcome(greeting, already=not created), atexts.choose_role_line()]
    if added:
        lines.insert(1, atexts.late_joined(added))
    await message.reply_text("\n\n".join(lines), reply_markup=audience.role_keyboard())


async def stop(update: Update, context: AppContext) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    if not await _may_manage(update, context, "stop"):
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
    if not context.args:  # bare: what is saved, and the buttons to change it
        current = await subscribers.get(context.bot_data.store, chat.id)
        if current is None or not current.active:
            await message.reply_text(texts.profile_needs_subscription())
            return
        if not await _may_manage(update, context, "profile"):
            return
        await message.reply_text(
            atexts.profile_current(current.role, current.unit), reply_markup=audience.role_keyboard()
        )
        return
    parsed = parse_profile(" ".join(context.args or []))
    if parsed is None:
        await message.reply_text(texts.profile_usage())
        return
    if not await _may_manage(update, context, "profile"):
        return
    role, unit = parsed
    if not await subscribers.set_profile(context.bot_data.store, chat.id, role=role, unit=unit):
        await message.reply_text(texts.profile_needs_subscription())
        return
    added = await audience.catch_up(context, chat.id)
    saved = texts.profile_saved(role, unit)
    await message.reply_text(f"{saved}\n{atexts.late_joined(added)}" if added else saved)


def register(app: Application) -> None:  # type: ignore[type-arg]
    # New messages only: an edited "/start" or "/stop" must not change a subscription.
    only_new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler(["start", "subscribe", "dangky"], start, filters=only_new))
    app.add_handler(CommandHandler(["stop", "unsubscribe", "huy"], stop, filters=only_new))
    app.add_handler(CommandHandler(["help", "trogiup", "huongdan"], help_command, filters=only_new))
    app.add_handler(CommandHandler(["profile", "xungho"], profile, filters=only_new))
