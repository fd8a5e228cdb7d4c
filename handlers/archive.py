"""Questions about past bulletins: commands, free text, navigation buttons and inline mode.

Thin adapters: take plain values out of the ``Update``, ask ``bot.services.archive``, render with
``bot.texts.archive``. Registered last (see ``handlers.register_all``): free text is the catch-all.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.domain.intents import understand
from bot.domain.records import ArchivedBulletin
from bot.ptb.context import AppContext
from bot.services import archive
from bot.services.archive import (
    Answer,
    BulletinAnswer,
    HistoryPage,
    MonthAnswer,
    NothingFound,
    SearchResults,
    TaskAnswer,
    TaskOutOfRange,
)
from bot.texts import archive as texts
from data.search import query_terms

log = logging.getLogger(__name__)

PREFIX = "ar"
CALLBACK_LIMIT = 64  # bytes: https://core.telegram.org/bots/api#inlinekeyboardbutton
TASKS_PER_ROW = 6
COMMANDS = {
    "latest": ("latest", "moinhat"),
    "task": ("task", "nhiemvu"),
    "month": ("month", "thang"),
    "search": ("search", "timkiem"),
    "history": ("history", "lichsu"),
}
_CALLBACK = re.compile(r"^ar:(?:b:(\d{1,12})|t:(\d{1,12}):(\d{1,3})|h:(\d{1,4})|s:(\d{1,4}):(.*)|x)$", re.DOTALL)

try:
    _VIETNAM: dt.tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
except ZoneInfoNotFoundError:  # no tz database on the host: Vietnam has had UTC+7 without DST since 1975
    _VIETNAM = dt.timezone(dt.timedelta(hours=7))


def today() -> dt.date:
    """The date in Vietnam, which "tháng này" / "tháng trước" are relative to."""
    return dt.datetime.now(_VIETNAM).date()


# --- keyboards ------------------------------------------------------------------------------------


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _noop(label: str) -> InlineKeyboardButton:
    return _button(label, f"{PREFIX}:x")


def search_callback(page: int, query: str) -> str:
    """``ar:s:<page>:<folded words>``, cut at a word so it fits Telegram's 64 bytes."""
    head = f"{PREFIX}:s:{page}:"
    words: list[str] = []
    for term in query_terms(query):
        candidate = " ".join([*words, term])
        if len((head + candidate).encode("utf-8")) > CALLBACK_LIMIT:
            break
        words.append(term)
    return head + " ".join(words)


def _task_rows(bulletin: ArchivedBulletin) -> list[list[InlineKeyboardButton]]:
    buttons = [_button(str(t.number), f"{PREFIX}:t:{bulletin.id}:{t.number}") for t in bulletin.tasks]
    return [buttons[i : i + TASKS_PER_ROW] for i in range(0, len(buttons), TASKS_PER_ROW)]


def _pager(page: int, pages: int, data: Callable[[int], str]) -> list[InlineKeyboardButton]:
    """◀ page/pages ▶; ``data`` gives the callback string of a page."""
    row = [_button(texts.PREV_PAGE, data(page - 1))] if page > 1 else []
    row.append(_noop(f"{page}/{pages}"))
    if page < pages:
        row.append(_button(texts.NEXT_PAGE, data(page + 1)))
    return row


def keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    """The buttons under an answer; every callback string stays within 64 bytes."""
    rows: list[list[InlineKeyboardButton]] = []
    list_button = _button(texts.LIST, f"{PREFIX}:h:1")
    match answer:
        case BulletinAnswer(bulletin=bulletin, older_id=older, newer_id=newer):
            rows = _task_rows(bulletin)
            nav = [_button(texts.OLDER, f"{PREFIX}:b:{older}")] if older is not None else []
            nav.append(list_button)
            if newer is not None:
                nav.append(_button(texts.NEWER, f"{PREFIX}:b:{newer}"))
            rows.append(nav)
        case TaskAnswer(bulletin=bulletin, task=task):
            nav = []
            if bulletin.task(task.number - 1) is not None:
                nav.append(_button(f"◀ {task.number - 1}", f"{PREFIX}:t:{bulletin.id}:{task.number - 1}"))
            nav.append(_button(texts.BACK_TO_BULLETIN, f"{PREFIX}:b:{bulletin.id}"))
            if bulletin.task(task.number + 1) is not None:
                nav.append(_button(f"{task.number + 1} ▶", f"{PREFIX}:t:{bulletin.id}:{task.number + 1}"))
            rows = [nav]
        case TaskOutOfRange(bulletin=bulletin):
            rows = [*_task_rows(bulletin), [_button(texts.BACK_TO_BULLETIN, f"{PREFIX}:b:{bulletin.id}")]]
        case MonthAnswer(bulletins=found, task_number=number):
            for index, bulletin in enumerate(found, start=1):
                data = f"{PREFIX}:b:{bulletin.id}" if number is None else f"{PREFIX}:t:{bulletin.id}:{number}"
                rows.append([_button(texts.month_button(bulletin, index), data)])
        case HistoryPage(items=items, page=page, pages=pages):
            rows = [[_button(texts.history_button(b), f"{PREFIX}:b:{b.id}")] for b in items]
            if pages > 1:
                rows.append(_pager(page, pages, lambda p: f"{PREFIX}:h:{p}"))
        case SearchResults(hits=hits, page=page, pages=pages, query=query):
            first = (page - 1) * archive.SEARCH_PAGE_SIZE + 1
            rows = [
                [
                    _button(str(i), f"{PREFIX}:t:{h.hit.bulletin_id}:{h.hit.task_number}")
                    for i, h in enumerate(hits, start=first)
                ]
            ]
            if pages > 1:
                rows.append(_pager(page, pages, lambda p: search_callback(p, query)))
        case NothingFound(count=count) if count:
            rows = [[list_button]]
    return InlineKeyboardMarkup(rows) if rows else None


# --- sending --------------------------------------------------------------------------------------


async def _reply(message: Message, answer: Answer) -> None:
    pages = texts.render(answer)
    markup = keyboard(answer)
    for index, html in enumerate(pages):
        last = index == len(pages) - 1
        await message.reply_text(html, parse_mode=ParseMode.HTML, reply_markup=markup if last else None)


async def _answer_text(message: Message, text: str, context: AppContext) -> None:
    intent = understand(text, today())
    log.debug("archive question in chat %s: %s", message.chat_id, type(intent).__name__)
    await _reply(message, await archive.answer(context.bot_data.store, intent))


async def on_command(update: Update, context: AppContext) -> None:
    """/latest, /task N [month], /month M/YYYY, /search words, /history [page] and their aliases."""
    message = update.effective_message
    if message is None or not message.text:
        return
    await _answer_text(message, message.text, context)


def _addressed(message: Message, context: AppContext) -> tuple[bool, str]:
    """In a group, is the message for this bot (a mention or a reply to it)? And its text without
    the mention. Privacy mode already limits what a bot sees, but with it off every line would arrive."""
    text = message.text or ""
    bot_id, username = context.bot.id, (context.bot.username or "").lower()
    addressed = bool(
        message.reply_to_message
        and message.reply_to_message.from_user
        and message.reply_to_message.from_user.id == bot_id
    )
    for entity, value in sorted(
        message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items(),
        key=lambda item: -item[0].offset,
    ):
        mine = (entity.type == MessageEntity.MENTION and value.lower() == f"@{username}") or (
            entity.type == MessageEntity.TEXT_MENTION and entity.user is not None and entity.user.id == bot_id
        )
        if mine:
            addressed = True
            text = text.replace(value, " ")
    # A client that sent no entity (or an imitation of one) still wrote "@name" in plain text.
    mention = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE) if username else None
    if mention is not None and mention.search(text):
        addressed = True
        text = mention.sub(" ", text)
    return addressed, " ".join(text.split())


async def on_text(update: Update, context: AppContext) -> None:
    """Free text: understand it and answer; in groups only when the bot is addressed."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    text = message.text
    if chat.type in (Chat.GROUP, Chat.SUPERGROUP):
        addressed, text = _addressed(message, context)
        if not addressed:
            return
    await _answer_text(message, text, context)


# --- buttons --------------------------------------------------------------------------------------


async def on_button(update: Update, context: AppContext) -> None:
    """A navigation button: edit the message in place; always answer the callback."""
    query = update.callback_query
    if query is None:
        return
    notice: str | None = None
    try:
        match = _CALLBACK.match(query.data or "")
        if match is None:
            notice = texts.STALE_BUTTON
            return
        answer = await _answer_for_button(match, context)
        if answer is None:  # the page-number button: nothing to do
            return
        if isinstance(answer, NothingFound) and answer.reason == "gone":
            notice = texts.GONE_BUTTON
        pages = texts.render(answer)
        try:
            await query.edit_message_text(pages[0], parse_mode=ParseMode.HTML, reply_markup=keyboard(answer))
        except BadRequest as exc:
            # Pressing the button of what is already shown is not an error worth reporting.
            if "not modified" not in str(exc).lower():
                raise
        # A task longer than one message: the rest follows as new messages, as in a broadcast.
        if len(pages) > 1 and query.message is not None:
            for html in pages[1:]:
                await context.bot.send_message(query.message.chat.id, html, parse_mode=ParseMode.HTML)
    finally:
        await query.answer(notice)


async def _answer_for_button(match: re.Match[str], context: AppContext) -> Answer | None:
    store = context.bot_data.store
    bulletin_id, task_bulletin, task_number, history_page, search_page, search_words = match.groups()
    if bulletin_id is not None:
        return await archive.bulletin_view(store, int(bulletin_id))
    if task_bulletin is not None:
        return await archive.task_view(store, int(task_bulletin), int(task_number))
    if history_page is not None:
        return await archive.history_page(store, int(history_page))
    if search_page is not None:
        return await archive.search(store, search_words, page=int(search_page))
    return None


async def on_unknown_button(update: Update, context: AppContext) -> None:
    """Any button no handler claimed (an old message from an earlier version): a polite note."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.STALE_BUTTON)


# --- inline mode ----------------------------------------------------------------------------------


async def on_inline(update: Update, context: AppContext) -> None:
    """``@bot tham nhũng``: up to 10 matching tasks, each sent as the broadcast's task message."""
    inline = update.inline_query
    if inline is None:
        return
    text = inline.query.strip()
    found = await archive.inline_tasks(context.bot_data.store, understand(text, today()) if text else None)
    results = []
    for item in found:
        (first, *_) = texts.render(item)
        results.append(
            InlineQueryResultArticle(
                id=f"{item.bulletin.id}-{item.task.number}",
                title=texts.inline_title(item),
                description=texts.inline_description(item),
                input_message_content=InputTextMessageContent(first, parse_mode=ParseMode.HTML),
            )
        )
    # Results are the same for everyone; a short cache still spares repeated keystrokes.
    await inline.answer(results, cache_time=30, is_personal=False)


def register(app: Application) -> None:  # type: ignore[type-arg]
    # New messages only: an edited question or a channel post is not answered twice (or at all).
    only_new = filters.UpdateType.MESSAGE
    for names in COMMANDS.values():
        app.add_handler(CommandHandler(names, on_command, filters=only_new))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"))
    app.add_handler(InlineQueryHandler(on_inline))
    app.add_handler(MessageHandler(only_new & filters.TEXT & ~filters.COMMAND, on_text))
    # Last of all: buttons that no feature claims still get an answer, so the client stops spinning.
    app.add_handler(CallbackQueryHandler(on_unknown_button))
