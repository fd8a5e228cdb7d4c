"""/broadcasts: recent and running broadcasts with their figures, and Pause / Resume / Cancel."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.ptb.context import AppContext
from bot.texts import common as common_texts
from bot.texts import delivery as texts
from data import outbox

LIST_SIZE = 5


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
            rows.append(
                [
                    InlineKeyboardButton(f"#{info.id} {texts.PAUSE_BUTTON}", callback_data=f"bc:pause:{info.id}"),
                    InlineKeyboardButton(f"#{info.id} {texts.STOP_BUTTON}", callback_data=f"bc:cancel:{info.id}"),
                ]
            )
        elif info.status == "paused":
            rows.append(
                [
                    InlineKeyboardButton(f"#{info.id} {texts.RESUME_BUTTON}", callback_data=f"bc:resume:{info.id}"),
                    InlineKeyboardButton(f"#{info.id} {texts.STOP_BUTTON}", callback_data=f"bc:cancel:{info.id}"),
                ]
            )
    return "\n\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


async def list_broadcasts(update: Update, context: AppContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None:
        return
    if not context.bot_data.settings.is_admin(user.id if user else None):
        await message.reply_text(common_texts.not_admin())
        return
    text, markup = await _listing(context)
    await message.reply_text(text, reply_markup=markup)


async def control(update: Update, context: AppContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None:
        return
    if not context.bot_data.settings.is_admin(user.id if user else None):
        await query.answer("Chỉ quản trị viên · Admins only", show_alert=True)
        return
    _, action, raw_id = [*query.data.split(":"), "", ""][:3]
    if not raw_id.isdigit() or action not in ("pause", "resume", "cancel") or not context.bot_data.has_engine:
        await query.answer()
        return
    broadcast_id = int(raw_id)
    engine = context.bot_data.engine
    ok = await {"pause": engine.pause, "resume": engine.resume, "cancel": engine.cancel}[action](broadcast_id)
    await query.answer(texts.control_done(action, broadcast_id, ok)[:200])
    if ok and action == "cancel":
        await context.bot_data.monitor.report(broadcast_id)
    text, markup = await _listing(context)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler(["broadcasts", "tiendo"], list_broadcasts))
    app.add_handler(CallbackQueryHandler(control, pattern=r"^bc:"))
