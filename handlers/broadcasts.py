"""/broadcasts: recent and running broadcasts with their figures, and Pause / Resume / Cancel."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler, filters

from bot.ptb.context import AppContext
from bot.texts import delivery as texts
from data import outbox
from handlers.callbacks import Buttons, edit_text, read_press
from handlers.gate import AdminButtons, AdminGate, refusals

LIST_SIZE = 5
COMMANDS = ("broadcasts", "tiendo")
CONTROL = Buttons("bc", ("pause", "resume", "cancel"))


async def _listing(context: AppContext) -> tuple[str, InlineKeyboardMarkup | None]:
    store = context.bot_data.store
    items = await outbox.recent_broadcasts(store, LIST_SIZE)
    if not items:
        return texts.broadcasts_empty(), None
    lines, rows = [], []
    for info in items:
        counts = await outbox.counts(store, info.id)
        lines.append(
            texts.broadcast_line(info.id, info.title, info.month, info.status, counts.sent, counts.total, counts.failed)
        )
        if info.status in ("queued", "running"):
            first = InlineKeyboardButton(
                f"#{info.id} {texts.PAUSE_BUTTON}", callback_data=CONTROL.data("pause", info.id)
            )
        elif info.status == "paused":
            first = InlineKeyboardButton(
                f"#{info.id} {texts.RESUME_BUTTON}", callback_data=CONTROL.data("resume", info.id)
            )
        else:
            continue
        rows.append(
            [
                first,
                InlineKeyboardButton(f"#{info.id} {texts.STOP_BUTTON}", callback_data=CONTROL.data("cancel", info.id)),
            ]
        )
    return "\n\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


async def list_broadcasts(update: Update, context: AppContext) -> None:
    message = update.effective_message
    if message is None:
        return
    text, markup = await _listing(context)
    await message.reply_text(text, reply_markup=markup)


async def control(update: Update, context: AppContext) -> None:
    """Pause, Resume or Cancel: the engine decides whether the broadcast's state allows it; the
    answer says what happened, or why not, and the list is shown again as it is now."""
    pressed = await read_press(update, CONTROL)
    if pressed is None:
        return
    query, press = pressed
    if not context.bot_data.has_engine:
        await query.answer(texts.control_unavailable(), show_alert=True)
        return
    engine = context.bot_data.engine
    action = {"pause": engine.pause, "resume": engine.resume, "cancel": engine.cancel}[press.action]
    if await action(press.id):
        await query.answer(texts.control_done(press.action, press.id))
        if press.action == "cancel":
            await context.bot_data.monitor.report(press.id)
    else:
        info = await outbox.get_broadcast(context.bot_data.store, press.id)
        refusal = (
            texts.control_unknown(press.id)
            if info is None
            else texts.control_refused(press.action, press.id, info.status)
        )
        await query.answer(refusal, show_alert=True)
    text, markup = await _listing(context)
    await edit_text(query, text, reply_markup=markup)


def register(app: Application, admins: AdminGate) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler(list(COMMANDS), list_broadcasts, filters=filters.UpdateType.MESSAGE & admins))
    app.add_handler(AdminButtons(admins, control, pattern=CONTROL.pattern))
    for handler in refusals("broadcasts", commands=COMMANDS, buttons=CONTROL.pattern):
        app.add_handler(handler)
