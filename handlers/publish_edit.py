"""The admin fixes a draft's split in Telegram, before anything is sent.

Under each task of a preview, "✏️ Sửa · Edit" opens that task's tools in place: merge with the next
task, split it (at a paragraph or sentence the admin picks from buttons), replace its text (a reply
to the task's message, or to the bot's question after "Replace"), drop it. The header's buttons
change the month or the title (the bot asks; the admin replies) or re-parse from scratch. Each fix
is stored with the draft (a new version) and the preview is updated in place
(``handlers.publish_preview.show``); Send sends that stored state.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message, Update

from bot import ingest
from bot.domain.records import BulletinParseError
from bot.ptb.context import AppContext
from bot.services import drafts as model
from bot.services import publishing
from bot.services.drafts import DraftState, EditError, Layout, Prompt, Shown
from bot.texts import publish as ptexts
from data import drafts
from handlers import publish_preview as preview
from handlers.callbacks import Press, read_press

log = logging.getLogger(__name__)


async def load_state(draft: drafts.Draft) -> DraftState | None:
    """The state a draft shows; a draft from before drafts kept it is parsed from its text once."""
    if draft.bulletin_json:
        return model.state_from_json(draft.bulletin_json)
    try:
        document = await publishing.load_pasted(draft.source_text)
        bulletin = await publishing.parse_async(document)
    except (ingest.UnsupportedDocument, BulletinParseError):
        return None
    return model.from_bulletin(bulletin, document)


async def pending_draft(query: CallbackQuery, context: AppContext, draft_id: int) -> drafts.Draft | None:
    """The draft a button is for, if it is still being previewed; otherwise the press is answered
    with what became of it (replaced by a newer one, sent or cancelled)."""
    draft = await drafts.get(context.bot_data.store, draft_id)
    if draft is not None and draft.status == "pending":
        return draft
    await query.answer(ptexts.REPLACED_ALERT if draft is not None and draft.status == "replaced" else ptexts.GONE_ALERT)
    return None


async def apply(context: AppContext, draft: drafts.Draft, state: DraftState) -> drafts.Draft | None:
    """Store a fixed state as the draft's next version and show it; None if the draft moved on."""
    store = context.bot_data.store
    if not await drafts.save_bulletin(store, draft.id, draft.version, model.state_to_json(state)):
        return None
    fresh = await drafts.get(store, draft.id)
    assert fresh is not None
    await preview.publish_state(context, fresh, state)
    return fresh


async def _set_markup(
    context: AppContext, draft: drafts.Draft, state: DraftState, shown: Shown, markup: InlineKeyboardMarkup
) -> None:
    """Put other buttons under one message of the preview (the tools of a task), and remember it so
    that the next update of the preview puts the usual ones back."""
    layout = model.layout_from_json(draft.preview_json)
    desired = await preview.render(context, draft, state)
    position = next(i for i, m in enumerate(layout.messages) if m.message_id == shown.message_id)
    text = desired[position].text if position < len(desired) else ""
    await preview.edit_message(context, draft.chat_id, shown.message_id, text, markup)
    layout = layout.with_digest(shown.message_id, preview.digest(text, markup))
    await drafts.set_preview(context.bot_data.store, draft.id, model.layout_to_json(layout))


async def _ask(
    context: AppContext, draft: drafts.Draft, layout: Layout, field: str, text: str, task: int | None
) -> None:
    """Ask for a new title, month or task text; the admin's reply to this question answers it."""
    asked = await context.bot.send_message(draft.chat_id, text, reply_markup=ForceReply(selective=True))
    prompt = Prompt(asked.message_id, field, draft.version, task)
    await drafts.set_preview(context.bot_data.store, draft.id, model.layout_to_json(layout.with_prompt(prompt)))


# --- the buttons ---------------------------------------------------------------------------------------


async def on_edit(update: Update, context: AppContext) -> None:
    pressed = await read_press(update, preview.EDIT)
    if pressed is None:
        return
    query, press = pressed
    assert query.message is not None  # read_press answers a press it cannot place
    async with preview.chat_lock(context):
        draft = await pending_draft(query, context, press.id)
        if draft is None:
            return
        layout = model.layout_from_json(draft.preview_json)
        shown = layout.find(query.message.message_id)
        state = await load_state(draft)
        if shown is None or state is None:
            await query.answer(ptexts.OUTDATED_ALERT, show_alert=True)
            return
        await _on_edit(query, context, press, draft, state, layout, shown)


async def _on_edit(
    query: CallbackQuery,
    context: AppContext,
    press: Press[str],
    draft: drafts.Draft,
    state: DraftState,
    layout: Layout,
    shown: Shown,
) -> None:
    action = press.action
    if action in {"month", "title", "reparse"}:
        await _on_header(query, context, action, draft, state, layout)
        return
    if shown.kind != "task" or shown.task is None or shown.task >= len(state.tasks):
        await query.answer(ptexts.OUTDATED_ALERT, show_alert=True)
        return
    index, count = shown.task, len(state.tasks)
    task = state.tasks[index]
    if action == "edit":
        await query.answer(ptexts.TOOLS_NOTICE)
        await _set_markup(context, draft, state, shown, preview.tools_keyboard(draft.id, index, count))
    elif action == "close":
        await query.answer()
        await _set_markup(context, draft, state, shown, preview.task_keyboard(draft.id))
    elif action == "split":
        points = model.split_points(task.text)
        if not points:
            await query.answer(ptexts.NO_SPLIT_ALERT, show_alert=True)
            return
        await query.answer(ptexts.split_choose(index + 1))
        await _set_markup(context, draft, state, shown, preview.split_keyboard(draft.id, task.text, points))
    elif action == "replace":
        await query.answer(ptexts.REPLACE_NOTICE)
        await _ask(context, draft, layout, "task", ptexts.replace_prompt(index + 1), index)
    elif action in {"merge", "drop"}:
        if action == "merge" and index + 1 >= count:
            await query.answer(ptexts.LAST_TASK_ALERT, show_alert=True)
            return
        if action == "drop" and count == 1:
            await query.answer(ptexts.ONLY_TASK_ALERT, show_alert=True)
            return
        fixed = model.merge_with_next(state, index) if action == "merge" else model.drop_task(state, index)
        await _fix(query, context, draft, fixed)


async def _on_header(
    query: CallbackQuery, context: AppContext, action: str, draft: drafts.Draft, state: DraftState, layout: Layout
) -> None:
    if action == "month":
        await query.answer(ptexts.ASK_NOTICE)
        await _ask(context, draft, layout, "month", ptexts.month_prompt(state.month), None)
    elif action == "title":
        await query.answer(ptexts.ASK_NOTICE)
        await _ask(context, draft, layout, "title", ptexts.title_prompt(state.title), None)
    else:
        fresh = await _reparsed(draft)
        if isinstance(fresh, str):
            await query.answer(fresh, show_alert=True)
            return
        await _fix(query, context, draft, fresh)


async def _reparsed(draft: drafts.Draft) -> DraftState | str:
    """The draft's source parsed again, or why it cannot be (a short alert)."""
    try:
        if draft.document_json:
            document = model.document_from_json(draft.document_json)
        elif draft.source_text:
            document = await publishing.load_pasted(draft.source_text)
        else:
            return ptexts.REPARSE_UNAVAILABLE_ALERT
        bulletin = await publishing.parse_async(document)
    except (ingest.UnsupportedDocument, BulletinParseError, ValueError, KeyError) as exc:
        log.info("re-parse of draft %s failed: %s", draft.id, exc)
        return ptexts.REPARSE_UNAVAILABLE_ALERT
    return model.reparsed(model.from_bulletin(bulletin, document))


async def _fix(query: CallbackQuery, context: AppContext, draft: drafts.Draft, fixed: DraftState) -> None:
    await query.answer(ptexts.done_notice(fixed.change))
    if await apply(context, draft, fixed) is None:
        await context.bot.send_message(draft.chat_id, ptexts.prompt_outdated())


async def on_split_at(update: Update, context: AppContext) -> None:
    """A split point was picked: the task becomes two, cut there."""
    pressed = await read_press(update, preview.SPLIT_AT)
    if pressed is None:
        return
    query, press = pressed
    assert query.message is not None  # read_press answers a press it cannot place
    draft_id, check, point = preview.read_split_id(press.id)
    async with preview.chat_lock(context):
        draft = await pending_draft(query, context, draft_id)
        if draft is None:
            return
        shown = model.layout_from_json(draft.preview_json).find(query.message.message_id)
        state = await load_state(draft)
        if shown is None or shown.task is None or state is None or shown.task >= len(state.tasks):
            await query.answer(ptexts.OUTDATED_ALERT, show_alert=True)
            return
        text = state.tasks[shown.task].text
        points = model.split_points(text)
        if preview.text_check(text) != check or point >= len(points):
            await query.answer(ptexts.CHANGED_ALERT, show_alert=True)
            return
        await _fix(query, context, draft, model.split_task(state, shown.task, points[point].offset))


# --- replies: a task's new text, a new title or month ----------------------------------------------------


async def take_reply(update: Update, context: AppContext) -> bool:
    """An admin's reply to a task of their preview, or to the bot's question for a fix: apply it.
    False when the reply is not about a draft (it is then read as any other message). Runs under
    the chat's lock."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return False
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        return False
    for draft in await drafts.pending_in_chat(context.bot_data.store, message.chat_id):
        if draft.admin_user_id != user.id:
            continue
        layout = model.layout_from_json(draft.preview_json)
        prompt = layout.prompt(replied.message_id)
        shown = layout.find(replied.message_id)
        if prompt is not None:
            await _answer_prompt(message, context, draft, prompt)
            return True
        if shown is not None and shown.kind == "task" and shown.task is not None:
            await _answer_prompt(message, context, draft, Prompt(replied.message_id, "task", draft.version, shown.task))
            return True
    return False


async def _answer_prompt(message: Message, context: AppContext, draft: drafts.Draft, prompt: Prompt) -> None:
    text = message.text or ""
    state = await load_state(draft)
    if state is None or prompt.version != draft.version:
        await message.reply_text(ptexts.prompt_outdated())
        return
    try:
        if prompt.field == "month":
            month = model.read_month(text)
            if month is None:
                await message.reply_text(ptexts.bad_month(text))
                return
            fixed = model.set_month(state, month)
        elif prompt.field == "title":
            fixed = model.set_title(state, text)
        elif prompt.task is not None and prompt.task < len(state.tasks):
            fixed = model.replace_task(state, prompt.task, text)
        else:
            await message.reply_text(ptexts.prompt_outdated())
            return
    except EditError:
        await message.reply_text(ptexts.edited_text_empty())
        return
    if await apply(context, draft, fixed) is None:
        await message.reply_text(ptexts.prompt_outdated())
        return
    await message.reply_text(ptexts.reply_applied(fixed.change))
