"""A draft's preview in the chat: exactly the messages a broadcast sends, with the buttons that fix
it, kept up to date in place.

A preview is a header (title, month, counts, where it came from, the one warning line), one message
per task part exactly as subscribers get it (an "✏️ Sửa · Edit" button under each task), and the
question with Send (or "Vẫn gửi · Send anyway") and Cancel. ``show`` makes the chat show a state:
it edits only the messages whose text or buttons changed; when the number of messages changes it
edits in order and sends the extra ones at the end, or deletes the ones left over, so the chat
always reads top to bottom as one preview. Which messages those are is stored with the draft
(``Layout``), so buttons and replies find their task after a restart.

Every change to an admin chat's drafts runs under that chat's lock (``chat_lock``): two uploads in a
row never interleave their previews, and the parts of a long paste are kept in order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from bot.delivery.when import next_at
from bot.domain.audience import Target
from bot.domain.rendering import render_task
from bot.ptb.context import AppContext
from bot.services import drafts as model
from bot.services import publishing
from bot.services.drafts import DraftState, Layout, Shown
from bot.services.publishing import History
from bot.texts import audience as atexts
from bot.texts import delivery as texts
from bot.texts import ingest as ingest_texts
from bot.texts import publish as ptexts
from bot.texts import schedule as stexts
from bot.texts import watch as wtexts
from data import drafts, units
from handlers.callbacks import CALLBACK_LIMIT, Buttons, Press, is_not_modified

log = logging.getLogger(__name__)

# Buttons. Each carries the draft's id; which task a button is for is read from the message it sits
# on (the stored layout), so nothing depends on memory. The question's buttons also carry the
# draft's version (mod 100): a Send pressed on an older view of the draft is refused.
# A bulletin broadcast before offers "missing" (those without it) and "all" (resend to everyone),
# which asks once more ("resend", or "back" to the question).
CONFIRM = Buttons("pc", ("send", "anyway", "cancel", "missing", "all", "resend", "back"))
EDIT = Buttons("pe", ("edit", "close", "merge", "split", "replace", "drop", "month", "title", "reparse"))
SPLIT_AT = Buttons("ps", ("at",))
COLLECT = Buttons("pk", ("done", "stop"))
# "Gửi lúc… · Send at…" (issue 12): ``pt:<action>:<confirm id>``, and for a chosen time
# ``pt:at:<confirm id>:<minutes since the Unix epoch>``, so the time pressed is the time shown (a
# "tomorrow" offered before midnight and pressed after it is still that day).
MORNING = (7, 30)  # the usual time after a conference: the morning after, at 7:30


class _WhenButtons(Buttons[str]):
    def at(self, item: int, moment: dt.datetime) -> str:
        data = f"{self.data('at', item)}:{int(moment.timestamp() // 60)}"
        assert len(data.encode()) <= CALLBACK_LIMIT
        return data

    def read_at(self, data: str | None) -> tuple[Press[str], dt.datetime | None] | None:
        """The press, and for ``at`` the time it carries (None for the other actions)."""
        head, _, minutes = (data or "").rpartition(":")
        if head.count(":") == 2 and minutes.isascii() and minutes.isdigit():
            press = super().read(head)
            if press is not None and press.action == "at":
                return press, dt.datetime.fromtimestamp(int(minutes) * 60, dt.UTC)
        press = super().read(data)
        if press is None or press.action == "at":
            return None
        return press, None


WHEN = _WhenButtons("pt", ("open", "at", "other", "back"))


class _AudienceButtons(Buttons[str]):
    """ "🎯 Đối tượng · Audience" (issue 12): ``pa:<action>:<draft id>:<value>``, the value a role's
    index, a unit's id, or 0. The audience is no part of the draft's version, so a toggle pressed
    on an older view still applies to the same draft."""

    def value(self, action: str, draft_id: int, value: int) -> str:
        data = f"{self.data(action, draft_id)}:{value}"
        assert len(data.encode()) <= CALLBACK_LIMIT
        return data

    def read_value(self, data: str | None) -> tuple[str, int, int] | None:
        head, _, raw = (data or "").rpartition(":")
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
            return None
        press = super().read(head)
        return None if press is None else (press.action, press.id, int(raw))


AUDIENCE = _AudienceButtons("pa", ("open", "role", "unit", "late", "all", "done"))

_LOCK = "publish_lock"


def chat_lock(context: AppContext) -> asyncio.Lock:
    """The lock of this chat's drafts. Taken before the handler's first wait, so updates of one chat
    take it in the order they arrived (asyncio locks are first come, first served)."""
    data = context.chat_data
    if data is None:  # an update without a chat: nothing to serialize with
        return asyncio.Lock()
    lock = data.get(_LOCK)
    if not isinstance(lock, asyncio.Lock):
        lock = data[_LOCK] = asyncio.Lock()
    return lock


def confirm_id(draft_id: int, version: int) -> int:
    return draft_id * 100 + version % 100


def read_confirm_id(value: int) -> tuple[int, int]:
    """(draft id, version mod 100)."""
    return divmod(value, 100)


def text_check(text: str) -> int:
    """Two digits of a task's text, carried by its split buttons: a split offered for an older text
    of the task is refused."""
    return zlib.crc32(text.encode()) % 100


def split_id(draft_id: int, text: str, point: int) -> int:
    return (draft_id * 100 + text_check(text)) * 100 + point


def read_split_id(value: int) -> tuple[int, int, int]:
    """(draft id, text check, point index)."""
    rest, point = divmod(value, 100)
    draft_id, check = divmod(rest, 100)
    return draft_id, check, point


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message a preview should show."""

    kind: str
    text: str
    markup: InlineKeyboardMarkup | None
    task: int | None = None
    last: bool = True
    notify: bool = False

    @property
    def digest(self) -> str:
        return digest(self.text, self.markup)


def digest(text: str, markup: InlineKeyboardMarkup | None) -> str:
    keyboard = json.dumps(markup.to_dict(), sort_keys=True) if markup is not None else ""
    return hashlib.sha1(f"{text}\x00{keyboard}".encode()).hexdigest()[:16]


# --- keyboards -------------------------------------------------------------------------------------------


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def header_keyboard(draft_id: int, can_reparse: bool) -> InlineKeyboardMarkup:
    rows = [
        [
            _button(ptexts.MONTH_BUTTON, EDIT.data("month", draft_id)),
            _button(ptexts.TITLE_BUTTON, EDIT.data("title", draft_id)),
        ]
    ]
    if can_reparse:
        rows.append([_button(ptexts.REPARSE_BUTTON, EDIT.data("reparse", draft_id))])
    return InlineKeyboardMarkup(rows)


def task_keyboard(draft_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(ptexts.EDIT_BUTTON, EDIT.data("edit", draft_id))]])


def tools_keyboard(draft_id: int, index: int, count: int) -> InlineKeyboardMarkup:
    first = [_button(ptexts.SPLIT_BUTTON, EDIT.data("split", draft_id))]
    if index + 1 < count:
        first.insert(0, _button(ptexts.merge_button(index + 2), EDIT.data("merge", draft_id)))
    second = [_button(ptexts.REPLACE_BUTTON, EDIT.data("replace", draft_id))]
    if count > 1:
        second.append(_button(ptexts.DROP_BUTTON, EDIT.data("drop", draft_id)))
    return InlineKeyboardMarkup([first, second, [_button(ptexts.CLOSE_BUTTON, EDIT.data("close", draft_id))]])


def split_keyboard(draft_id: int, text: str, points: Sequence[model.SplitPoint]) -> InlineKeyboardMarkup:
    rows = [
        [_button(ptexts.split_point_button(p), SPLIT_AT.data("at", split_id(draft_id, text, i)))]
        for i, p in enumerate(points)
    ]
    rows.append([_button(ptexts.BACK_BUTTON, EDIT.data("edit", draft_id))])
    return InlineKeyboardMarkup(rows)


def _audience_row(draft_id: int) -> list[InlineKeyboardButton]:
    return [_button(atexts.AUDIENCE_BUTTON, AUDIENCE.value("open", draft_id, 0))]


def confirm_keyboard(draft_id: int, version: int, *, anyway: bool, offer: bool = False) -> InlineKeyboardMarkup:
    """Send (or Send anyway) and Cancel; for a bulletin found on a watched portal (``offer``), "Gửi"
    and "Bỏ qua" (skipping keeps it in the archive). Under a plain Send, "🕖 Gửi lúc… · Send at…"."""
    item = confirm_id(draft_id, version)
    if anyway:
        send = _button(wtexts.SEND_ANYWAY_BUTTON if offer else ptexts.SEND_ANYWAY_BUTTON, CONFIRM.data("anyway", item))
    else:
        send = _button(texts.SEND_BUTTON, CONFIRM.data("send", item))
    cancel = _button(wtexts.SKIP_BUTTON if offer else texts.CANCEL_BUTTON, CONFIRM.data("cancel", item))
    if anyway:  # a draft that may be wrong is fixed first, or sent now on purpose, not left to a timer
        return InlineKeyboardMarkup([[send, cancel], _audience_row(draft_id)])
    # Send stays first: "Gửi" finds it before "Gửi lúc…" in the row below.
    return InlineKeyboardMarkup(
        [[send, cancel], [_button(stexts.SCHEDULE_BUTTON, WHEN.data("open", item))], _audience_row(draft_id)]
    )


def when_keyboard(draft_id: int, version: int, now: dt.datetime, zone: dt.tzinfo) -> InlineKeyboardMarkup:
    """The times "Gửi lúc…" offers: today 07:30 while it is still ahead, tomorrow 07:30, another
    time (typed as a reply), and back to the question."""
    item = confirm_id(draft_id, version)
    rows = []
    today = next_at(*MORNING, zone, now, days=0)
    if today > now:
        rows.append([_button(stexts.today_button(today), WHEN.at(item, today))])
    tomorrow = next_at(*MORNING, zone, now, days=1)
    rows.append([_button(stexts.tomorrow_button(tomorrow), WHEN.at(item, tomorrow))])
    rows.append([_button(stexts.OTHER_TIME_BUTTON, WHEN.data("other", item))])
    rows.append([_button(stexts.BACK_BUTTON, WHEN.data("back", item))])
    return InlineKeyboardMarkup(rows)


def resend_keyboard(draft_id: int, version: int, missing: int, *, offer: bool = False) -> InlineKeyboardMarkup:
    """The question's buttons for a bulletin broadcast before: never a plain Send."""
    item = confirm_id(draft_id, version)
    rows = [[_button(ptexts.send_missing_button(missing), CONFIRM.data("missing", item))]] if missing else []
    rows.append([_button(ptexts.RESEND_ALL_BUTTON, CONFIRM.data("all", item))])
    rows.append([_button(wtexts.SKIP_BUTTON if offer else texts.CANCEL_BUTTON, CONFIRM.data("cancel", item))])
    rows.append(_audience_row(draft_id))
    return InlineKeyboardMarkup(rows)


def confirm_resend_keyboard(draft_id: int, version: int) -> InlineKeyboardMarkup:
    item = confirm_id(draft_id, version)
    return InlineKeyboardMarkup(
        [
            [_button(ptexts.CONFIRM_RESEND_BUTTON, CONFIRM.data("resend", item))],
            [_button(ptexts.BACK_BUTTON, CONFIRM.data("back", item))],
        ]
    )


def collect_keyboard(draft_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(ptexts.DONE_BUTTON, COLLECT.data("done", draft_id)),
                _button(ptexts.STOP_COLLECTING_BUTTON, COLLECT.data("stop", draft_id)),
            ]
        ]
    )


# --- what a preview shows --------------------------------------------------------------------------------


def build(
    draft: drafts.Draft,
    state: DraftState,
    recipients: int,
    *,
    notice: str | None = None,
    history: History | None = None,
    audience: tuple[Target, dict[int, str]] | None = None,
) -> list[Outgoing]:
    """Every message of the preview of ``state``, at the draft's current version. When ``history``
    says the bulletin was broadcast before, the question says when and to how many, and offers
    "send to those who have not got it" and "resend to everyone" instead of Send. ``audience``
    (the draft's target and its units' names): when it is not "everyone, late joiners too", the
    question says who and exactly how many it goes to."""
    bulletin = model.to_bulletin(state)
    parts = [render_task(bulletin, task) for task in bulletin.tasks]
    issue = model.check(state)
    notes = [
        line
        for line in (
            notice,
            ptexts.source_line(draft.origin, draft.source_name),
            ingest_texts.encoding_note(state.encoding),
            ptexts.change_line(state.change),
        )
        if line
    ]
    header = texts.preview_header(
        state.title,
        state.month,
        len(bulletin.tasks),
        sum(len(p) for p in parts),
        recipients,
        [ptexts.warning_line(issue)] if issue is not None else [],
        notes=notes,
        hint=ptexts.edit_hint(),
    )
    can_reparse = bool(draft.document_json or draft.source_text)
    out = [Outgoing("header", header, header_keyboard(draft.id, can_reparse), notify=True)]
    for index, messages in enumerate(parts):
        for n, message in enumerate(messages, start=1):
            last = n == len(messages)
            out.append(Outgoing("task", message.html, task_keyboard(draft.id) if last else None, task=index, last=last))
    warning = ptexts.check_before_sending() if issue is not None else None
    if history is not None and history.sent_before:
        question = ptexts.resend_prompt(state.title, state.month, history, warning)
        keyboard = resend_keyboard(draft.id, draft.version, history.without, offer=draft.offer_id is not None)
    else:
        question = texts.confirm_prompt(state.title, state.month, recipients, warning)
        keyboard = confirm_keyboard(draft.id, draft.version, anyway=issue is not None, offer=draft.offer_id is not None)
    if audience is not None and not (audience[0].everyone and audience[0].late_joiners):
        sent_before = history is not None and history.sent_before
        count = history.without if history is not None and sent_before else recipients
        question = f"{question}\n\n{atexts.audience_line(audience[0], audience[1], count)}"
    out.append(Outgoing("confirm", question, keyboard, notify=True))
    return out


async def render(
    context: AppContext, draft: drafts.Draft, state: DraftState, *, notice: str | None = None
) -> list[Outgoing]:
    store = context.bot_data.store
    target = publishing.target_for(draft)
    history = await publishing.history(store, model.to_bulletin(state), target)
    names = {} if target.units is None else await units.names(store, target.units)
    return build(draft, state, history.subscribers, notice=notice, history=history, audience=(target, names))


async def ask_resend(context: AppContext, draft: drafts.Draft, state: DraftState, message_id: int) -> None:
    """ "Resend to everyone" was pressed: the question asks once more. The stored layout gets the
    asked question's digest, so the next ``show`` (Back, a fix) puts the real question back."""
    history = await publishing.history(context.bot_data.store, model.to_bulletin(state))
    text = ptexts.confirm_resend(state.title, state.month, history.subscribers, history.have_it)
    markup = confirm_resend_keyboard(draft.id, draft.version)
    await edit_message(context, draft.chat_id, message_id, text, markup)
    layout = model.layout_from_json(draft.preview_json)
    messages = tuple(
        Shown(m.message_id, m.kind, m.task, m.last, digest(text, markup)) if m.message_id == message_id else m
        for m in layout.messages
    )
    await drafts.set_preview(
        context.bot_data.store, draft.id, model.layout_to_json(Layout(messages=messages, prompts=layout.prompts))
    )


async def ask_when(
    context: AppContext, draft: drafts.Draft, message_id: int, question: str, now: dt.datetime, zone: dt.tzinfo
) -> None:
    """ "Gửi lúc…" was pressed: the question offers the times. As with ``ask_resend``, the stored
    layout gets this digest, so the next ``show`` (Back, a fix) puts the real question back."""
    text = stexts.choose_time(question)
    markup = when_keyboard(draft.id, draft.version, now, zone)
    await edit_message(context, draft.chat_id, message_id, text, markup)
    layout = model.layout_from_json(draft.preview_json).with_digest(message_id, digest(text, markup))
    await drafts.set_preview(context.bot_data.store, draft.id, model.layout_to_json(layout))


async def show_in_question(
    context: AppContext, draft: drafts.Draft, message_id: int, text: str, markup: InlineKeyboardMarkup
) -> None:
    """Show ``text`` and ``markup`` in the question's place (the audience menu). As with
    ``ask_when``, the stored layout gets this digest, so the next ``show`` puts the question back."""
    await edit_message(context, draft.chat_id, message_id, text, markup)
    layout = model.layout_from_json(draft.preview_json).with_digest(message_id, digest(text, markup))
    await drafts.set_preview(context.bot_data.store, draft.id, model.layout_to_json(layout))


async def ask_time(context: AppContext, draft: drafts.Draft, zone_label: str) -> None:
    """ "Giờ khác · Other time": a message the admin replies to with a time, kept as the draft's
    prompt ``when``, so the reply finds it after a restart too."""
    sent = await context.bot.send_message(
        draft.chat_id, stexts.ask_time(zone_label), reply_markup=ForceReply(selective=True)
    )
    layout = model.layout_from_json(draft.preview_json)
    prompt = model.Prompt(sent.message_id, "when", draft.version)
    await drafts.set_preview(context.bot_data.store, draft.id, model.layout_to_json(layout.with_prompt(prompt)))


# --- putting it in the chat --------------------------------------------------------------------------------


async def edit_message(
    context: AppContext, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> bool:
    """Make a message show ``text`` and ``markup``. True when it does (already did: "not modified"),
    False when it cannot be edited any more (deleted, too old)."""
    try:
        await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except BadRequest as exc:
        if is_not_modified(exc):
            return True
        log.info("preview message %s not editable: %s", message_id, exc)
        return False
    return True


async def edit_markup(context: AppContext, chat_id: int, message_id: int, markup: InlineKeyboardMarkup | None) -> bool:
    try:
        await context.bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except BadRequest as exc:
        return is_not_modified(exc)
    return True


async def _send(context: AppContext, chat_id: int, want: Outgoing) -> Shown:
    sent = await context.bot.send_message(
        chat_id, want.text, reply_markup=want.markup, disable_notification=not want.notify
    )
    return Shown(sent.message_id, want.kind, want.task, want.last, want.digest)


async def show(
    context: AppContext,
    draft: drafts.Draft,
    desired: Sequence[Outgoing],
    layout: Layout,
    shown: list[Shown] | None = None,
) -> Layout:
    """Make the chat show ``desired`` where ``layout`` is, and return the new layout (prompts kept).

    Unchanged messages are left alone; changed ones are edited in place, in order; extra messages
    are sent at the end, messages left over are deleted. If a message of the old preview cannot be
    edited, the whole preview is sent again below and the old header says so. ``shown`` collects
    the messages done so far (for the caller to keep if Telegram fails half-way).
    """
    chat_id = draft.chat_id
    old = layout.messages
    shown = [] if shown is None else shown
    for index, want in enumerate(desired):
        if index < len(old):
            current = old[index]
            if current.digest != want.digest and not await edit_message(
                context, chat_id, current.message_id, want.text, want.markup
            ):
                return await _repost(context, draft, desired, layout)
            shown.append(Shown(current.message_id, want.kind, want.task, want.last, want.digest))
        else:
            shown.append(await _send(context, chat_id, want))
    for leftover in old[len(desired) :]:
        await _remove(context, chat_id, leftover.message_id)
    return Layout(messages=tuple(shown), prompts=layout.prompts)


async def _repost(context: AppContext, draft: drafts.Draft, desired: Sequence[Outgoing], layout: Layout) -> Layout:
    if layout.messages:
        first = layout.messages[0]
        await edit_message(context, draft.chat_id, first.message_id, ptexts.preview_moved(), None)
    fresh = [await _send(context, draft.chat_id, want) for want in desired]
    return Layout(messages=tuple(fresh), prompts=layout.prompts)


async def _remove(context: AppContext, chat_id: int, message_id: int) -> None:
    try:
        await context.bot.delete_message(chat_id, message_id)
    except TelegramError:  # older than 48 hours, or already gone: leave a short mark instead
        await edit_message(context, chat_id, message_id, ptexts.removed_message(), None)


async def publish_state(
    context: AppContext, draft: drafts.Draft, state: DraftState, *, notice: str | None = None
) -> Layout:
    """Show ``state`` for ``draft`` (whose layout may be empty: a new preview) and store the layout."""
    desired = await render(context, draft, state, notice=notice)
    old = model.layout_from_json(draft.preview_json)
    shown: list[Shown] = []
    try:
        layout = await show(context, draft, desired, old, shown)
    except TelegramError:
        # Keep what reached the chat, so its buttons still find their tasks; the next fix or a
        # press sets the rest right.
        partial = Layout(messages=(*shown, *old.messages[len(shown) :]), prompts=old.prompts)
        await drafts.set_preview(context.bot_data.store, draft.id, model.layout_to_json(partial))
        raise
    await drafts.set_preview(context.bot_data.store, draft.id, model.layout_to_json(layout))
    return layout


async def retire(context: AppContext, old: drafts.Draft) -> None:
    """An open draft was replaced by a newer one: its question (or a collection's last "Done"
    button) now says so, and its buttons answer that it was replaced."""
    layout = model.layout_from_json(old.preview_json)
    if old.status == "collecting" or not layout.messages:
        for message in layout.messages:
            await edit_markup(context, old.chat_id, message.message_id, None)
        return
    question = layout.messages[-1]
    await edit_message(context, old.chat_id, question.message_id, ptexts.draft_replaced(), None)
