"""/broadcasts (alias /tiendo): every active broadcast, then the recent finished ones, five a page,
with Pause / Resume / Cancel under each active one (a scheduled one: when it goes out, with
"Gửi ngay · Send now" and "Hủy · Cancel") and Prev / Next to page.

What is listed, and in which order, is ``data.outbox.broadcast_page``: the active ones (running,
paused, queued, scheduled) oldest first, which is the order they reach each chat, so each one waits
only for those above it and a paused one never drops out of reach; then the most recent finished
ones, newest first. A queued one says what it waits for. Every button edits the listing in place; a
control remembers the page it sits on, so the listing stays there after the press. A press on a
listing that changed since it was shown gets the page as it is now (past the end: the last one).

Under each bulletin broadcast that has started, its "Đã nhận" rate and a command,
``/chuanhan_<id>`` (or ``/chuanhan <id>``, ``/whohasnot <id>``), which lists who has not
acknowledged it, by unit, paged, with "🔔 Nhắc · Remind": a reminder to those only, queued in the
outbox as a broadcast of its own (``data.acks.queue_reminder``) and sent by the engine.

Every admin sees the same listing and controls. Each control and reminder is recorded with who
pressed it (``data.admin_actions``); under each broadcast, who sent it and the latest action. When
another admin pauses, resumes or starts a broadcast, the admin who requested it is told who did
it in their chat (a cancel is told there by the final report, which names who did what).
"""

from __future__ import annotations

import logging
import re
from itertools import groupby
from typing import Literal

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.domain.rendering import month_label
from bot.ptb.context import AppContext
from bot.services import corrections as correction_service
from bot.texts import acks as atexts
from bot.texts import admin_actions as who_texts
from bot.texts import delivery as texts
from bot.texts import schedule as stexts
from data import acks, admin_actions, corrections, outbox
from data.outbox import BroadcastInfo
from handlers.callbacks import CALLBACK_LIMIT, Buttons, Press, edit_text, read_press
from handlers.corrections import correct_button
from handlers.gate import AdminButtons, AdminGate, refusals

log = logging.getLogger(__name__)

PAGE_SIZE = 5
FINISHED_SHOWN = 20  # the most recent finished broadcasts listed after the active ones
COMMANDS = ("broadcasts", "tiendo")

Control = Literal["pause", "resume", "cancel", "sendnow"]
_PAGE = re.compile(r"[0-9]{1,4}")


def _split_page(data: str | None) -> tuple[str | None, int]:
    """``bc:pause:12:2`` → (``bc:pause:12``, 2). Data without a page (a listing shown before paging
    existed) is page 1; a malformed page is left in place, so the press reads as stale."""
    head, _, page = (data or "").rpartition(":")
    if head.count(":") == 2 and _PAGE.fullmatch(page):
        return head, int(page)
    return data, 1


class _Controls(Buttons[Control]):
    """``bc:<action>:<broadcast id>:<page>``: a control that knows the listing page it sits on."""

    def on_page(self, action: Control, broadcast_id: int, page: int) -> str:
        data = f"{self.data(action, broadcast_id)}:{page}"
        assert len(data.encode()) <= CALLBACK_LIMIT
        return data

    def read(self, data: str | None) -> Press[Control] | None:
        return super().read(_split_page(data)[0])

    @staticmethod
    def page(data: str | None) -> int:
        return _split_page(data)[1]


CONTROL = _Controls("bc", ("pause", "resume", "cancel", "sendnow"))
# What each control is recorded as.
RECORDED: dict[Control, str] = {
    "pause": admin_actions.PAUSE,
    "resume": admin_actions.RESUME,
    "cancel": admin_actions.CANCEL,
    "sendnow": admin_actions.SEND_NOW,
}
PAGE = Buttons("bclist", ("page",))  # bclist:page:<page>

AckAction = Literal["who", "remind"]
WHO_PAGE_SIZE = 40  # names on one page of who has not acknowledged
WHO_COMMAND = re.compile(r"^/(?:chuanhan|whohasnot)(?:_([0-9]{1,12}))?(?:@\w+)?(?:\s+#?([0-9]{1,12}))?\s*$")
STARTED = ("running", "paused", "done", "cancelled", "aborted")
FINISHED = ("done", "cancelled", "aborted")  # may be corrected (handlers.corrections)


class _AckButtons(Buttons[AckAction]):
    """``bcack:<action>:<broadcast id>:<page>``: who has not acknowledged (a page of it), Remind."""

    def on_page(self, action: AckAction, broadcast_id: int, page: int) -> str:
        data = f"{self.data(action, broadcast_id)}:{page}"
        assert len(data.encode()) <= CALLBACK_LIMIT
        return data

    def read(self, data: str | None) -> Press[AckAction] | None:
        return super().read(_split_page(data)[0])

    @staticmethod
    def page(data: str | None) -> int:
        return _split_page(data)[1]


ACKS = _AckButtons("bcack", ("who", "remind"))


def _controls(info: BroadcastInfo, page: int) -> list[InlineKeyboardButton]:
    """The buttons of one broadcast: Pause or Resume where they apply, and Cancel while it is active."""
    if info.status not in outbox.ACTIVE_STATUSES:
        return []
    actions: list[tuple[Control, str]] = []
    if info.status == "scheduled":
        actions = [("sendnow", stexts.SEND_NOW_BUTTON), ("cancel", stexts.CANCEL_SCHEDULED_BUTTON)]
    elif info.status in ("queued", "running"):
        actions.append(("pause", texts.PAUSE_BUTTON))
    elif info.status == "paused":
        actions.append(("resume", texts.RESUME_BUTTON))
    if info.status != "scheduled":
        actions.append(("cancel", texts.STOP_BUTTON))
    return [
        InlineKeyboardButton(f"#{info.id} {label}", callback_data=CONTROL.on_page(action, info.id, page))
        for action, label in actions
    ]


async def _listing(context: AppContext, page: int = 1) -> tuple[str, InlineKeyboardMarkup | None]:
    store = context.bot_data.store
    listed = await outbox.broadcast_page(store, page, size=PAGE_SIZE, finished=FINISHED_SHOWN)
    if not listed.items:
        return texts.broadcasts_empty(), None
    page = listed.page
    zone = context.bot_data.settings.zone
    lines, rows = [texts.broadcasts_header(listed.active)], []
    for info in listed.items:
        counts = await outbox.counts(store, info.id)
        waiting = await outbox.waiting_for(store, info.id) if info.status == "queued" else None
        line = texts.broadcast_line(
            info.id, info.title, info.month, info.status, counts.sent, counts.total, counts.failed, waiting=waiting
        )
        if info.status == "scheduled" and info.scheduled_at is not None:
            line += "\n   " + stexts.scheduled_line(info.scheduled_at, zone)
        original = await acks.original(store, info.id)
        correction = await corrections.correction_of(store, info.id)
        corrected = await correction_service.report_lines(store, info.id)  # corrections made, or this one's tally
        if original is not None and original != info.id:
            line += "\n" + atexts.reminder_of_line(original)
        elif correction is not None:
            pass  # a correction's button is its original's: no rate of its own
        elif info.status in STARTED:
            rate = await acks.rate(store, info.id)
            line += "\n" + atexts.rate_line(rate.acked, rate.received) + f" — /chuanhan_{info.id}"
        if done_by := who_texts.summary(await admin_actions.for_broadcast(store, info.id), zone):
            line += "\n   " + done_by
        line += "".join("\n   " + c for c in corrected)
        lines.append(line)
        if buttons := _controls(info, page):
            rows.append(buttons)
        elif info.status in FINISHED and counts.sent and correction is None and original == info.id:
            rows.append([correct_button(info.id)])  # issue 12.4: edit, retract or notice a task
    if listed.pages > 1:
        lines.append(texts.page_line(page, listed.pages))
        nav = []
        if page > 1:
            nav.append(InlineKeyboardButton(texts.PREV_BUTTON, callback_data=PAGE.data("page", page - 1)))
        if page < listed.pages:
            nav.append(InlineKeyboardButton(texts.NEXT_BUTTON, callback_data=PAGE.data("page", page + 1)))
        rows.append(nav)
    return "\n\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


async def list_broadcasts(update: Update, context: AppContext) -> None:
    """``/broadcasts`` shows page 1; ``/broadcasts 2`` another page."""
    message = update.effective_message
    if message is None:
        return
    args = context.args or []
    page = int(args[0]) if args and _PAGE.fullmatch(args[0]) else 1
    text, markup = await _listing(context, page)
    await message.reply_text(text, reply_markup=markup)


async def turn_page(update: Update, context: AppContext) -> None:
    """Prev / Next: the listing's page as it is now, in place."""
    pressed = await read_press(update, PAGE)
    if pressed is None:
        return
    query, press = pressed
    await query.answer()
    text, markup = await _listing(context, press.id)
    await edit_text(query, text, reply_markup=markup)


async def control(update: Update, context: AppContext) -> None:
    """Pause, Resume, Cancel or Send now: the engine decides whether the broadcast's state allows it; the
    answer says what happened, or why not, and the listing is shown again as it is now, on the page
    the button was on."""
    pressed = await read_press(update, CONTROL)
    if pressed is None:
        return
    query, press = pressed
    if not context.bot_data.has_engine:
        await query.answer(texts.control_unavailable(), show_alert=True)
        return
    engine = context.bot_data.engine
    action = {"pause": engine.pause, "resume": engine.resume, "cancel": engine.cancel, "sendnow": engine.send_now}[
        press.action
    ]
    if await action(press.id):
        user = query.from_user
        store = context.bot_data.store
        # After the engine's own transaction: the control is done whether or not this lands.
        code = RECORDED[press.action]
        await admin_actions.record(store, code, admin_user_id=user.id, admin_name=user.full_name, broadcast_id=press.id)
        await query.answer(texts.control_done(press.action, press.id))
        if press.action == "cancel":
            await context.bot_data.monitor.report(press.id)
        else:
            await _tell_requester(context, press.id, code, user.id, user.full_name, query)
    else:
        info = await outbox.get_broadcast(context.bot_data.store, press.id)
        refusal = (
            texts.control_unknown(press.id)
            if info is None
            else texts.control_refused(press.action, press.id, info.status)
        )
        await query.answer(refusal, show_alert=True)
    text, markup = await _listing(context, CONTROL.page(query.data))
    await edit_text(query, text, reply_markup=markup)


async def _tell_requester(
    context: AppContext, broadcast_id: int, code: str, user_id: int, name: str, query: CallbackQuery
) -> None:
    """Another admin paused, resumed or started the broadcast: tell the chat it was requested from."""
    info = await outbox.get_broadcast(context.bot_data.store, broadcast_id)
    here = query.message.chat.id if query.message is not None else None
    if info is None or info.admin_chat_id is None or info.admin_chat_id in (here, user_id):
        return
    text = who_texts.controlled_by_other(code, broadcast_id, info.title, user_id, name)
    try:
        await context.bot.send_message(info.admin_chat_id, text)
    except TelegramError as exc:  # e.g. that admin blocked the bot: the action stands
        log.warning("could not tell chat %s about broadcast %s: %s", info.admin_chat_id, broadcast_id, exc)


async def _who_has_not(
    context: AppContext, broadcast_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """A page of who has not acknowledged ``broadcast_id``, by unit, with Remind and Prev / Next;
    None if there is no such broadcast."""
    store = context.bot_data.store
    original = await acks.original(store, broadcast_id)
    info = None if original is None else await outbox.get_broadcast(store, original)
    if info is None:
        return None
    people = await acks.not_acked(store, info.id)
    pages = max(1, -(-len(people) // WHO_PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = people[(page - 1) * WHO_PAGE_SIZE : page * WHO_PAGE_SIZE]
    groups = [
        (unit, [p.name or f"#{p.chat_id}" for p in members]) for unit, members in groupby(shown, key=lambda p: p.unit)
    ]
    text = atexts.who_has_not(info.id, info.title, groups, total=len(people), page=page, pages=pages)
    rows: list[list[InlineKeyboardButton]] = []
    if people:
        rows.append([InlineKeyboardButton(atexts.REMIND_BUTTON, callback_data=ACKS.on_page("remind", info.id, page))])
    nav = []
    if page > 1:
        nav.append(InlineKeyboardButton(texts.PREV_BUTTON, callback_data=ACKS.on_page("who", info.id, page - 1)))
    if page < pages:
        nav.append(InlineKeyboardButton(texts.NEXT_BUTTON, callback_data=ACKS.on_page("who", info.id, page + 1)))
    if nav:
        rows.append(nav)
    return text, InlineKeyboardMarkup(rows) if rows else None


async def who_has_not(update: Update, context: AppContext) -> None:
    """``/chuanhan_12``, ``/chuanhan 12``, ``/whohasnot 12``: who has not acknowledged #12."""
    message = update.effective_message
    if message is None:
        return
    found = WHO_COMMAND.match(message.text or "")
    raw = (found[1] or found[2]) if found else None
    shown = None if raw is None else await _who_has_not(context, int(raw), 1)
    if shown is None:
        await message.reply_text(atexts.WHO_USAGE)
        return
    text, markup = shown
    await message.reply_text(text, reply_markup=markup)


async def ack_control(update: Update, context: AppContext) -> None:
    """Prev / Next of who has not acknowledged (in place), and Remind."""
    pressed = await read_press(update, ACKS)
    if pressed is None:
        return
    query, press = pressed
    page = ACKS.page(query.data)
    if press.action == "remind":
        await _remind(update, context, press.id)
    else:
        await query.answer()
    shown = await _who_has_not(context, press.id, page)
    if shown is not None:
        await edit_text(query, shown[0], reply_markup=shown[1])


async def _remind(update: Update, context: AppContext, broadcast_id: int) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    store = context.bot_data.store
    info = await outbox.get_broadcast(store, broadcast_id)
    if info is None or not context.bot_data.has_engine:
        await query.answer(atexts.NO_SUCH_BROADCAST if info is None else texts.control_unavailable(), show_alert=True)
        return
    html = atexts.reminder(info.title, month_label(info.month))
    user = query.from_user
    reminder = await acks.queue_reminder(
        store, info.id, html, requested_by=user.id, admin_chat_id=query.message.chat.id, requested_name=user.full_name
    )
    if reminder is None:
        await query.answer(atexts.NO_SUCH_BROADCAST, show_alert=True)
    elif not reminder.queued:
        refusal = atexts.NOBODY_TO_REMIND if reminder.id == 0 else atexts.reminder_running(info.id, reminder.id)
        await query.answer(refusal, show_alert=True)
    else:
        context.bot_data.engine.wake()
        await query.answer(atexts.reminder_queued(info.id, reminder.id, reminder.recipients), show_alert=True)


def register(app: Application, admins: AdminGate) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler(list(COMMANDS), list_broadcasts, filters=filters.UpdateType.MESSAGE & admins))
    # /chuanhan_12 is a command Telegram makes clickable; CommandHandler matches whole names only.
    who = filters.Regex(r"^/(?:chuanhan|whohasnot)(?:_[0-9]|@|\s|$)")
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & who & admins, who_has_not))
    app.add_handler(AdminButtons(admins, ack_control, pattern=ACKS.pattern))
    for handler in refusals("broadcasts", messages=filters.TEXT & who, buttons=ACKS.pattern):
        app.add_handler(handler)
    app.add_handler(AdminButtons(admins, control, pattern=CONTROL.pattern))
    app.add_handler(AdminButtons(admins, turn_page, pattern=PAGE.pattern))
    for handler in refusals("broadcasts", commands=COMMANDS, buttons=CONTROL.pattern):
        app.add_handler(handler)
    for handler in refusals("broadcasts", buttons=PAGE.pattern):
        app.add_handler(handler)
