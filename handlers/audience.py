"""The audience in the chat (issue 12, point 1).

Subscribers: the welcome after /start (and a bare /profile) carries the role buttons; a role
pressed asks for the unit (the listed units as buttons, "Đơn vị khác" to type it, "Bỏ qua"); a
typed unit is read by ``on_typed_unit`` in handler group -3, before the admins' text steps
(corrections at -2, publishing at -1) and the archive's questions, and only for a chat the bot
asked (``asked_unit_at``, stored, so the question survives a restart). Buttons are
``au:<action>:<n>`` and name nothing but the role or unit: the chat is the one the button is in.

Admins: ``/units`` (``/donvi``) lists the units with their subscribers, ``/units add …`` and
``/units remove …`` change the list. In a preview, "🎯 Đối tượng" opens the audience menu
(``publish_preview.AUDIENCE``): roles and units toggled, late joiners yes/no, and the exact count;
the choice is stored on the draft, so it survives a restart and goes with Send.

Choosing or joining while a broadcast runs gets the chat that broadcast too (``catch_up``), and the
delivery engine is woken.
"""

from __future__ import annotations

import datetime as dt
import logging

from telegram import CallbackQuery, Chat, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain.audience import ROLE_KINDS, ROLE_NAMES, UnitNameError
from bot.domain.profiles import may_manage_group
from bot.ptb.context import AppContext
from bot.services import audience as service
from bot.services import drafts as model
from bot.services import publishing
from bot.texts import audience as texts
from bot.texts import delivery as dtexts
from bot.texts import publish as ptexts
from data import drafts, subscribers, units
from data.units import Unit
from handlers import publish_edit
from handlers import publish_preview as preview
from handlers.callbacks import Buttons, edit_text, read_press
from handlers.gate import AdminButtons, AdminGate

log = logging.getLogger(__name__)

# au:role:<index in ROLE_KINDS>, au:unit:<unit id>, au:other:0, au:skip:0
CHOICE = Buttons("au", ("role", "unit", "other", "skip"))
UNITS_COMMANDS = ("units", "donvi")
_ADD = {"add", "them", "thêm", "+"}
_REMOVE = {"remove", "rm", "del", "bo", "bỏ", "xoa", "xóa", "xoá", "-"}


# --- keyboards ----------------------------------------------------------------------------------------------


def role_keyboard() -> InlineKeyboardMarkup:
    """The first tap: one role a row (the labels are long), then Skip."""
    rows = [
        [InlineKeyboardButton(texts.ROLE_BUTTONS[kind], callback_data=CHOICE.data("role", i))]
        for i, kind in enumerate(ROLE_KINDS)
    ]
    rows.append([InlineKeyboardButton(texts.SKIP_BUTTON, callback_data=CHOICE.data("skip", 0))])
    return InlineKeyboardMarkup(rows)


def unit_keyboard(offered: list[Unit]) -> InlineKeyboardMarkup:
    """The second tap: the listed units two a row, then "Đơn vị khác" and Skip."""
    buttons = [InlineKeyboardButton(u.name, callback_data=CHOICE.data("unit", u.id)) for u in offered]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(texts.OTHER_UNIT_BUTTON, callback_data=CHOICE.data("other", 0)),
            InlineKeyboardButton(texts.SKIP_BUTTON, callback_data=CHOICE.data("skip", 0)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def audience_keyboard(draft_id: int, choice: service.Choice) -> InlineKeyboardMarkup:
    """The preview's audience menu: roles (✓ when chosen), units, late joiners, Everyone and Done."""
    target = choice.target
    chosen_roles = set(target.roles or ())
    chosen_units = set(target.units or ())
    aud = preview.AUDIENCE

    def button(label: str, data: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=data)

    roles = [
        button(texts.toggle(texts.ROLE_SHORT[kind], kind in chosen_roles), aud.value("role", draft_id, i))
        for i, kind in enumerate(ROLE_KINDS)
    ]
    offered = [
        button(texts.toggle(u.name, u.id in chosen_units), aud.value("unit", draft_id, u.id)) for u in choice.offered
    ]
    rows = [roles, *(offered[i : i + 2] for i in range(0, len(offered), 2))]
    rows.append([button(texts.late_button(target.late_joiners), aud.value("late", draft_id, 0))])
    rows.append(
        [
            button(texts.EVERYONE_BUTTON, aud.value("all", draft_id, 0)),
            button(texts.DONE_BUTTON, aud.value("done", draft_id, 0)),
        ]
    )
    return InlineKeyboardMarkup(rows)


# --- late joiners ---------------------------------------------------------------------------------------------


async def catch_up(context: AppContext, chat_id: int) -> int:
    """Give the chat every running broadcast that now takes it, and wake the engine for it; returns
    how many. Never fails the caller's answer: the choice itself is stored already."""
    try:
        added = await service.catch_up(context.bot_data.store, chat_id)
    except Exception:
        log.exception("late joiner %s: could not add the running broadcasts", chat_id)
        return 0
    if added and context.bot_data.has_engine:
        context.bot_data.engine.wake()
    if added:
        log.info("late joiner %s: added to broadcasts %s", chat_id, added)
    return len(added)


# --- a subscriber's choice ------------------------------------------------------------------------------------


async def _may_change(query: CallbackQuery, context: AppContext) -> bool:
    """In a private chat, always; in a group, only its owner and administrators (Telegram asked)."""
    message = query.message
    if message is None or message.chat.type == Chat.PRIVATE:
        return True
    try:
        member = await context.bot.get_chat_member(message.chat.id, query.from_user.id)
    except TelegramError as exc:
        log.warning("getChatMember failed for chat %s: %s", message.chat.id, type(exc).__name__)
        return False
    return may_manage_group(member.status)


async def on_choice(update: Update, context: AppContext) -> None:
    read = await read_press(update, CHOICE)
    if read is None:
        return
    query, press = read
    assert query.message is not None
    chat_id = query.message.chat.id
    if not await _may_change(query, context):
        await query.answer(texts.GROUP_ADMINS_ALERT, show_alert=True)
        return
    store = context.bot_data.store
    if press.action == "role":
        kind = ROLE_KINDS[press.id] if press.id < len(ROLE_KINDS) else ""
        if not await service.choose_role(store, chat_id, kind):
            await query.answer(texts.NOT_SUBSCRIBED_ALERT, show_alert=True)
            return
        added = await catch_up(context, chat_id)
        await query.answer(_saved_notice(added))
        offered, _more = await service.offered_units(store)
        await edit_text(
            query, texts.choose_unit(ROLE_NAMES[kind], offered=len(offered)), reply_markup=unit_keyboard(offered)
        )
    elif press.action == "unit":
        unit = await service.choose_unit(store, chat_id, press.id)
        if unit is None:
            subscribed = await subscribers.get(store, chat_id)
            alert = (
                texts.UNIT_GONE_ALERT if subscribed is not None and subscribed.active else texts.NOT_SUBSCRIBED_ALERT
            )
            await query.answer(alert, show_alert=True)
            return
        added = await catch_up(context, chat_id)
        await query.answer(_saved_notice(added))
        await edit_text(query, await _chosen(context, chat_id))
    elif press.action == "other":
        if not await service.ask_unit(store, chat_id):
            await query.answer(texts.NOT_SUBSCRIBED_ALERT, show_alert=True)
            return
        await query.answer()
        await edit_text(query, texts.ask_unit_name())
        if query.message.chat.type != Chat.PRIVATE:  # a group's bot sees only replies to it: ask for one
            await context.bot.send_message(chat_id, texts.ask_unit_name(), reply_markup=ForceReply(selective=True))
    else:  # skip
        await service.skip(store, chat_id)
        await query.answer(texts.SKIPPED_NOTICE)
        await edit_text(query, texts.profile_skipped())


def _saved_notice(added: int) -> str:
    return texts.SAVED_NOTICE if not added else f"{texts.SAVED_NOTICE} — {texts.late_joined_notice(added)}"


async def _chosen(context: AppContext, chat_id: int) -> str:
    profile = await subscribers.get(context.bot_data.store, chat_id)
    return texts.profile_chosen(profile.role if profile else None, profile.unit if profile else None)


async def on_typed_unit(update: Update, context: AppContext) -> None:
    """A chat's text while the bot waits for its unit (group -3): stored, and the update stops here.
    Any other text goes on (to publishing, then the archive)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    if chat.type != Chat.PRIVATE and not _replies_to_bot(message, context):
        return
    store = context.bot_data.store
    if not await service.waits_for_unit(store, chat.id, dt.datetime.now(dt.UTC)):
        return
    if chat.type != Chat.PRIVATE and not await _is_manager(message, context):
        return
    try:
        await service.type_unit(store, chat.id, message.text)
    except UnitNameError as exc:
        await message.reply_text(texts.unit_name_refused(exc.reason, exc.length))
        raise ApplicationHandlerStop from None
    added = await catch_up(context, chat.id)
    text = await _chosen(context, chat.id)
    await message.reply_text(f"{text}\n{texts.late_joined(added)}" if added else text)
    raise ApplicationHandlerStop


async def on_skip(update: Update, context: AppContext) -> None:
    """/skip while the bot waits for a typed unit."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if not await subscribers.clear_ask(context.bot_data.store, chat.id):
        return
    await message.reply_text(texts.profile_skipped())
    raise ApplicationHandlerStop


def _replies_to_bot(message: Message, context: AppContext) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == context.bot.id


async def _is_manager(message: Message, context: AppContext) -> bool:
    if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
        return True  # an anonymous administrator
    if message.from_user is None:
        return False
    try:
        member = await context.bot.get_chat_member(message.chat.id, message.from_user.id)
    except TelegramError:
        return False
    return may_manage_group(member.status)


# --- /units ---------------------------------------------------------------------------------------------------


async def on_units(update: Update, context: AppContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    body = " ".join((message.text or "").split()[1:])
    verb, _, rest = body.partition(" ")
    store = context.bot_data.store
    if not body:
        found = await units.with_counts(store)
        await message.reply_text(texts.units_list([(u.name, u.listed, u.subscribers) for u in found]))
        return
    if verb.casefold() in _ADD and rest.strip():
        try:
            unit, new = await service.add_unit(store, rest, admin_user_id=user.id, admin_name=user.full_name)
        except UnitNameError as exc:
            await message.reply_text(texts.unit_name_refused(exc.reason, exc.length))
            return
        await message.reply_text(texts.unit_added(unit.name, new=new))
    elif verb.casefold() in _REMOVE and rest.strip():
        removed = await service.remove_unit(store, rest, admin_user_id=user.id, admin_name=user.full_name)
        if removed is None:
            await message.reply_text(texts.unit_not_listed(rest.strip()[:200]))
        else:
            await message.reply_text(texts.unit_removed(removed.name, removed.subscribers))
    else:
        await message.reply_text(texts.units_usage())


async def on_units_refused(update: Update, context: AppContext) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.units_admins_only())


# --- the preview's audience menu ---------------------------------------------------------------------------------


async def on_audience(update: Update, context: AppContext) -> None:
    """ "🎯 Đối tượng" under a preview's question, and the menu's toggles: each press stores the
    choice on the draft and shows the menu again with the new count; Done shows the question."""
    query = update.callback_query
    if query is None:
        return
    read = preview.AUDIENCE.read_value(query.data)
    if read is None or query.message is None:
        await query.answer(dtexts.STALE_BUTTON_NOTICE)
        return
    action, draft_id, value = read
    message_id = query.message.message_id
    async with preview.chat_lock(context):
        store = context.bot_data.store
        draft = await drafts.get(store, draft_id)
        if draft is None or draft.status != "pending":
            await query.answer()
            await edit_text(
                query, ptexts.draft_replaced() if draft and draft.status == "replaced" else dtexts.draft_gone()
            )
            return
        state = await publish_edit.load_state(draft)
        if state is None:
            await query.answer(ptexts.CHANGED_ALERT, show_alert=True)
            return
        if action == "done":
            await query.answer()
            await preview.publish_state(context, draft, state)
            return
        target = publishing.target_for(draft)
        if action == "role" and value < len(ROLE_KINDS):
            target = target.toggle_role(ROLE_KINDS[value])
        elif action == "unit":
            target = target.toggle_unit(value)
        elif action == "late":
            target = target.toggle_late()
        elif action == "all":
            target = target.with_everyone()
        if target != publishing.target_for(draft):
            await service.set_target(store, draft, target)
            fresh = await drafts.get(store, draft.id)
            draft = fresh if fresh is not None else draft
            await query.answer(texts.AUDIENCE_CHANGED_NOTICE)
        else:
            await query.answer()
        choice = await service.choice(store, draft, model.to_bulletin(state))
        text = texts.audience_menu(state.title, choice.target, choice.names, choice.count, more=choice.more)
        await preview.show_in_question(context, draft, message_id, text, audience_keyboard(draft.id, choice))


# --- wiring -----------------------------------------------------------------------------------------------------


def register(app: Application, admins: AdminGate) -> None:  # type: ignore[type-arg]
    only_new = filters.UpdateType.MESSAGE
    # Group -3: before the admins' text steps (-2, -1) and the archive (see the docstring).
    app.add_handler(MessageHandler(only_new & filters.TEXT & ~filters.COMMAND, on_typed_unit), -3)
    app.add_handler(CommandHandler("skip", on_skip, filters=only_new), -3)
    app.add_handler(CallbackQueryHandler(on_choice, pattern=CHOICE.pattern))
    app.add_handler(CommandHandler(list(UNITS_COMMANDS), on_units, filters=only_new & admins))
    app.add_handler(CommandHandler(list(UNITS_COMMANDS), on_units_refused, filters=only_new))
    app.add_handler(AdminButtons(admins, on_audience, pattern=preview.AUDIENCE.pattern))
    app.add_handler(CallbackQueryHandler(_refuse_button, pattern=preview.AUDIENCE.pattern))


async def _refuse_button(update: Update, context: AppContext) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(dtexts.ADMINS_ONLY_ALERT, show_alert=True)
