"""Corrections of a sent broadcast, for admins (issue 12, point 4): ``/dinhchinh <id>`` (or
``/dinhchinh_<id>``, ``/correct <id>``) or "✏️ Đính chính · Correct" under a finished broadcast in
/broadcasts opens it; the admin picks a task, then "Sửa nội dung · Edit text" (sends the new text,
sees the new message, confirms), "Thu hồi · Retract" (confirms) or "Gửi đính chính · Send notice"
(types a short notice, sees it, confirms). Every confirmation states the exact number of chats.

The logic is in ``bot.services.corrections``; a confirmed correction is queued through the outbox
and sent by the engine like any broadcast, with its own progress message and final report.

The text the admin types next is taken from their private chat (group -2, before a pasted bulletin
is taken for a new publish); what the dialog waits for lives in ``chat_data``, in memory: after a
restart the admin starts again with the command (what was queued is in the outbox and goes on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationHandlerStop, MessageHandler, filters

from bot.ptb.context import AppContext
from bot.services import corrections as service
from bot.services.corrections import CorrectionError, Plan
from bot.texts import corrections as texts
from bot.texts import delivery as dtexts
from data import outbox
from handlers.callbacks import CALLBACK_LIMIT, edit_text
from handlers.gate import AdminButtons, AdminGate, refusals

COMMANDS = ("dinhchinh", "correct")
COMMAND = re.compile(r"^/(?:dinhchinh|correct)(?:_([0-9]{1,12}))?(?:@\w+)?(?:\s+#?([0-9]{1,12}))?\s*$")
_COMMAND_START = filters.Regex(r"^/(?:dinhchinh|correct)(?:_[0-9]|@|\s|$)")
# ``corr:<action>:<broadcast>[:<task>]``
_DATA = re.compile(r"^corr:([a-z]+):([0-9]{1,12})(?::([0-9]{1,4}))?$")
ACTIONS = ("open", "task", "edit", "retract", "notice", "go", "cancel")
PATTERN = re.compile(r"^corr:")
_STATE = "correction"


def data(action: str, broadcast_id: int, task: int | None = None) -> str:
    assert action in ACTIONS
    text = f"corr:{action}:{broadcast_id}" + ("" if task is None else f":{task}")
    assert len(text.encode()) <= CALLBACK_LIMIT
    return text


def correct_button(broadcast_id: int) -> InlineKeyboardButton:
    """ "✏️ Đính chính · Correct" for a finished broadcast (``handlers.broadcasts`` shows it)."""
    return InlineKeyboardButton(texts.correct_button(broadcast_id), callback_data=data("open", broadcast_id))


@dataclass(slots=True)
class _Waiting:
    """What the dialog in one admin chat waits for: the text of an edit or a notice, then a Confirm."""

    original: int
    task: int
    kind: str  # 'edit' | 'retract' | 'notice'
    text: str | None = None  # None: still waiting for the admin's text


def _cancel_row(broadcast_id: int) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(texts.CANCEL_BUTTON, callback_data=data("cancel", broadcast_id))]


def _tasks_markup(original: service.Original) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(texts.task_button(t.number), callback_data=data("task", original.info.id, t.number))
        for t in original.tasks
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup([*rows, _cancel_row(original.info.id)])


def _kinds_markup(broadcast_id: int, task: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.EDIT_BUTTON, callback_data=data("edit", broadcast_id, task))],
            [InlineKeyboardButton(texts.RETRACT_BUTTON, callback_data=data("retract", broadcast_id, task))],
            [InlineKeyboardButton(texts.NOTICE_BUTTON, callback_data=data("notice", broadcast_id, task))],
            [
                InlineKeyboardButton(texts.BACK_BUTTON, callback_data=data("open", broadcast_id)),
                *_cancel_row(broadcast_id),
            ],
        ]
    )


def _confirm_markup(broadcast_id: int, task: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.CONFIRM_BUTTON, callback_data=data("go", broadcast_id, task)),
                *_cancel_row(broadcast_id),
            ]
        ]
    )


def _tasks_text(original: service.Original) -> str:
    listed = [(t.number, original.text_of(t.number)) for t in original.tasks]
    return texts.choose_task(original.info.id, original.info.title, listed)


async def on_command(update: Update, context: AppContext) -> None:
    message = update.effective_message
    if message is None:
        return
    found = COMMAND.match(message.text or "")
    raw = (found.group(1) or found.group(2)) if found else None
    if raw is None:
        await message.reply_text(texts.USAGE)
        return
    try:
        original = await service.load(context.bot_data.store, int(raw))
    except CorrectionError as exc:
        await message.reply_text(str(exc))
        return
    await message.reply_text(_tasks_text(original), reply_markup=_tasks_markup(original))


async def on_button(update: Update, context: AppContext) -> None:
    query = update.callback_query
    if query is None:
        return
    found = _DATA.match(query.data or "")
    if found is None or found.group(1) not in ACTIONS:
        await query.answer(dtexts.STALE_BUTTON_NOTICE)
        return
    action, broadcast_id = found.group(1), int(found.group(2))
    task = int(found.group(3)) if found.group(3) else None
    chat_data = context.chat_data if context.chat_data is not None else {}
    if action == "cancel":
        chat_data.pop(_STATE, None)
        await query.answer(texts.CANCELLED_ALERT)
        await edit_text(query, texts.CANCELLED)
        return
    store = context.bot_data.store
    try:
        original = await service.load(store, broadcast_id)
        if action == "open" or task is None:
            await query.answer()
            await edit_text(query, _tasks_text(original), reply_markup=_tasks_markup(original))
        elif action == "task":
            original.task(task)
            await query.answer()
            await edit_text(
                query,
                texts.choose_kind(broadcast_id, task, original.text_of(task)),
                reply_markup=_kinds_markup(broadcast_id, task),
            )
        elif action in ("edit", "notice"):
            original.task(task)
            chat_data[_STATE] = _Waiting(broadcast_id, task, action)
            await query.answer()
            ask = texts.ask_edit if action == "edit" else texts.ask_notice
            await edit_text(
                query, ask(broadcast_id, task), reply_markup=InlineKeyboardMarkup([_cancel_row(broadcast_id)])
            )
        elif action == "retract":
            plan = await service.plan_retract(store, original, task)
            chat_data[_STATE] = _Waiting(broadcast_id, task, "retract", "")
            await query.answer()
            await edit_text(
                query,
                texts.confirm("retract", broadcast_id, task, plan.chats),
                reply_markup=_confirm_markup(broadcast_id, task),
            )
        elif action == "go":
            await _go(update, context, original, task)
    except CorrectionError as exc:
        await query.answer()
        await edit_text(query, str(exc))


async def _plan(context: AppContext, original: service.Original, waiting: _Waiting) -> Plan:
    store = context.bot_data.store
    if waiting.kind == "edit":
        return await service.plan_edit(store, original, waiting.task, waiting.text or "")
    if waiting.kind == "notice":
        return await service.plan_notice(store, original, waiting.task, waiting.text or "")
    return await service.plan_retract(store, original, waiting.task)


async def _go(update: Update, context: AppContext, original: service.Original, task: int) -> None:
    """Confirm: plan again from what is stored now (the count may have changed) and queue it."""
    query = update.callback_query
    assert query is not None
    chat_data = context.chat_data if context.chat_data is not None else {}
    waiting = chat_data.get(_STATE)
    if (
        not isinstance(waiting, _Waiting)
        or waiting.text is None
        or (waiting.original, waiting.task) != (original.info.id, task)
    ):
        await query.answer()
        await edit_text(query, texts.EXPIRED)
        return
    plan = await _plan(context, original, waiting)
    user = query.from_user
    chat_id = query.message.chat.id if query.message is not None else user.id
    store = context.bot_data.store
    queued = await service.queue(store, plan, admin_user_id=user.id, admin_name=user.full_name, admin_chat_id=chat_id)
    chat_data.pop(_STATE, None)
    await query.answer()
    await edit_text(query, texts.queued(plan.kind, queued.id, original.info.id, task, queued.chats))
    info = await outbox.get_broadcast(store, queued.id)
    if info is not None:
        progress = await context.bot.send_message(
            chat_id, dtexts.queued_progress(info.id, info.title, info.recipients * info.message_count)
        )
        await outbox.set_progress_message(store, info.id, progress.message_id)
    if context.bot_data.has_engine:
        context.bot_data.engine.wake()


async def on_text(update: Update, context: AppContext) -> None:
    """The admin's next text, when the dialog waits for an edit's new text or a notice."""
    message = update.effective_message
    chat_data = context.chat_data
    if message is None or not message.text or chat_data is None:
        return
    waiting = chat_data.get(_STATE)
    if not isinstance(waiting, _Waiting) or waiting.text is not None or waiting.kind == "retract":
        return
    store = context.bot_data.store
    try:
        original = await service.load(store, waiting.original)
        candidate = _Waiting(waiting.original, waiting.task, waiting.kind, message.text)
        plan = await _plan(context, original, candidate)
    except CorrectionError as exc:
        await message.reply_text(str(exc))  # still waiting: the admin sends it again, or cancels
        raise ApplicationHandlerStop from None
    chat_data[_STATE] = candidate
    await message.reply_text(texts.preview_head(plan.kind, plan.task_number))
    for html in plan.preview:  # exactly what the recipients' messages will show
        await message.reply_text(html)
    await message.reply_text(
        texts.confirm(plan.kind, plan.original, plan.task_number, plan.chats),
        reply_markup=_confirm_markup(plan.original, plan.task_number),
    )
    raise ApplicationHandlerStop


def register(app: Application, admins: AdminGate) -> None:  # type: ignore[type-arg]
    admin_private = filters.UpdateType.MESSAGE & admins & filters.ChatType.PRIVATE
    # Before publish (group -1) reads an admin's text: an edit's new text may look like a bulletin.
    app.add_handler(MessageHandler(admin_private & filters.TEXT & ~filters.COMMAND, on_text), -2)
    # /dinhchinh_12 is a command Telegram makes clickable; CommandHandler matches whole names only.
    command = filters.UpdateType.MESSAGE & filters.TEXT & _COMMAND_START
    app.add_handler(MessageHandler(command & admins, on_command))
    app.add_handler(AdminButtons(admins, on_button, pattern=PATTERN))
    for handler in refusals("broadcasts", messages=filters.TEXT & _COMMAND_START, buttons=PATTERN):
        app.add_handler(handler)
