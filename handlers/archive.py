"""Questions about past bulletins: commands, free text, navigation buttons and inline mode, and the
answer every other message to the bot gets.

Thin adapters: take plain values out of the ``Update``, ask ``bot.services.archive``, render with
``bot.texts.archive``. Registered last (see ``handlers.register_all``): free text is the catch-all,
and after it come the replies to what no feature claimed (an unknown command, a sticker, a photo
without a caption), so no message to the bot goes unanswered. In a group the bot speaks only when
addressed: a mention, a reply to one of its messages, or a command (``/cmd@thisbot`` for one it
does not know). Edited messages are never acted on as new ones (see ``on_edited``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Callable
from itertools import chain
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
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.domain.intents import Bulletins, Greeting, Intent, as_question, understand
from bot.domain.records import ArchivedBulletin
from bot.domain.textnorm import fold_query
from bot.ptb.context import AppContext
from bot.services import archive
from bot.services.archive import (
    Answer,
    BulletinAnswer,
    BulletinList,
    GreetingAnswer,
    HistoryPage,
    MonthAnswer,
    NothingFound,
    OrganizerChoice,
    SearchResults,
    TaskAnswer,
    TaskOutOfRange,
    UsageAnswer,
)
from bot.texts import archive as texts
from data import subscribers
from data.search import query_terms
from handlers.callbacks import edit_text

log = logging.getLogger(__name__)

PREFIX = "ar"
CALLBACK_LIMIT = 64  # bytes: https://core.telegram.org/bots/api#inlinekeyboardbutton
TASKS_PER_ROW = 6
# Every name ``bot.domain.intents`` reads for these commands (help is ``handlers.subscription``'s).
COMMANDS = {
    "latest": ("latest", "moinhat", "new", "last"),
    "task": ("task", "nhiemvu", "nv"),
    "month": ("month", "thang"),
    "search": ("search", "timkiem", "tim", "find"),
    "history": ("history", "lichsu", "list", "archive", "danhsach"),
}
COMMAND_NAMES = frozenset(chain.from_iterable(COMMANDS.values()))
_COMMAND_TARGET = re.compile(r"^/(\w+)(?:@(\w+))?")
GROUP_CHATS = (Chat.GROUP, Chat.SUPERGROUP)
# b: a bulletin, t: a task, h: a page of the list, q: a page of the answer to a question (any search
# or list, or the other reading of one), s: a page of a search (messages sent before q existed), x: no-op.
_CALLBACK = re.compile(
    r"^ar:(?:b:(\d{1,12})|t:(\d{1,12}):(\d{1,3})|h:(\d{1,4})|s:(\d{1,4}):(.*)|q:(\d{1,4}):(.*)|x)$", re.DOTALL
)

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
    """``ar:s:<page>:<query>`` within Telegram's 64 bytes: the query as the user typed it when it fits
    (so the next page's header keeps their diacritics), else its folded words, cut at a word."""
    head = f"{PREFIX}:s:{page}:"
    typed = " ".join(query.split())
    if len((head + typed).encode("utf-8")) <= CALLBACK_LIMIT:
        return head + typed
    words: list[str] = []
    for term in query_terms(query):
        candidate = " ".join([*words, term])
        if len((head + candidate).encode("utf-8")) > CALLBACK_LIMIT:
            break
        words.append(term)
    return head + " ".join(words)


def question_callback(page: int, intent: Intent) -> str | None:
    """``ar:q:<page>:<question>``: a question that ``understand`` reads back as ``intent`` (re-read when
    the button is pressed), within Telegram's 64 bytes; a question longer than that as its folded
    words (cut at a word when even those are too long). None if the intent cannot be asked back."""
    try:
        question = " ".join(as_question(intent).split())
    except NotImplementedError:  # an intent kind the understanding cannot write back yet
        log.warning("no question for %s; its button is left out", type(intent).__name__)
        return None
    head = f"{PREFIX}:q:{page}:"
    if len((head + question).encode("utf-8")) <= CALLBACK_LIMIT:
        return head + question
    words: list[str] = []
    for word in fold_query(question).split():
        candidate = " ".join([*words, word])
        if len((head + candidate).encode("utf-8")) > CALLBACK_LIMIT:
            break
        words.append(word)
    return head + " ".join(words) if words else None


def _task_rows(bulletin: ArchivedBulletin) -> list[list[InlineKeyboardButton]]:
    buttons = [_button(str(t.number), f"{PREFIX}:t:{bulletin.id}:{t.number}") for t in bulletin.tasks]
    return [buttons[i : i + TASKS_PER_ROW] for i in range(0, len(buttons), TASKS_PER_ROW)]


def _pager(page: int, pages: int, data: Callable[[int], str | None]) -> list[InlineKeyboardButton]:
    """◀ page/pages ▶; ``data`` gives the callback string of a page (None: no button for it)."""
    before = data(page - 1) if page > 1 else None
    after = data(page + 1) if page < pages else None
    row = [_button(texts.PREV_PAGE, before)] if before is not None else []
    row.append(_noop(f"{page}/{pages}"))
    if after is not None:
        row.append(_button(texts.NEXT_PAGE, after))
    return row


def _question_pager(page: int, pages: int, intent: Intent) -> list[InlineKeyboardButton]:
    return _pager(page, pages, lambda p: question_callback(p, intent))


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
        case SearchResults(hits=hits, page=page, pages=pages, query=query, intent=intent):
            first = (page - 1) * archive.SEARCH_PAGE_SIZE + 1
            tasks = [
                _button(str(i), f"{PREFIX}:t:{h.hit.bulletin_id}:{h.hit.task_number}")
                for i, h in enumerate(hits, start=first)
            ]
            rows = [tasks[i : i + TASKS_PER_ROW] for i in range(0, len(tasks), TASKS_PER_ROW)]
            if pages > 1:
                if intent is None:
                    rows.append(_pager(page, pages, lambda p: search_callback(p, query)))
                else:
                    rows.append(_question_pager(page, pages, intent))
            other = answer.alternative
            if other is not None and (link := question_callback(1, other)) is not None:
                rows.append([_button(texts.alternative_button(other), link)])
        case BulletinList(items=items, page=page, pages=pages, intent=listed):
            rows = [[_button(texts.history_button(b), f"{PREFIX}:b:{b.id}")] for b in items]
            if pages > 1:
                rows.append(_question_pager(page, pages, listed))
        case OrganizerChoice(bulletins=found, task_number=number, organizer=organizer):
            for index, bulletin in enumerate(found, start=1):
                data = f"{PREFIX}:b:{bulletin.id}" if number is None else f"{PREFIX}:t:{bulletin.id}:{number}"
                rows.append([_button(texts.organizer_button(bulletin, index), data)])
            every = question_callback(1, Bulletins(organizer=organizer))
            if every is not None:
                rows.append([_button(texts.ALL_OF_ORGANIZER, every)])
        case UsageAnswer(usage=usage, latest=latest) if latest is not None:
            rows = _task_rows(latest) if usage.command == "task" else [[list_button]]
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
    # Nothing left once the mention is taken out ("@bot" alone) is a hello.
    intent = understand(text, today()) if text.strip() else Greeting()
    log.debug("archive question in chat %s: %s", message.chat_id, type(intent).__name__)
    answer = await archive.answer(context.bot_data.store, intent)
    if isinstance(answer, GreetingAnswer):
        answer = await _personal(answer, message, context)
    await _reply(message, answer)


async def _personal(answer: GreetingAnswer, message: Message, context: AppContext) -> GreetingAnswer:
    """A greeting by the sender's name that says /start when the chat is not subscribed."""
    subscriber = await subscribers.get(context.bot_data.store, message.chat_id)
    name = message.from_user.first_name if message.from_user else None
    return dataclasses.replace(answer, name=name, subscribed=subscriber is not None and subscriber.active)


async def on_command(update: Update, context: AppContext) -> None:
    """/latest, /task N [month], /month M/YYYY, /search words, /history [page] and their aliases."""
    message = update.effective_message
    if message is None or not message.text:
        return
    await _answer_text(message, message.text, context)


def _is_group(message: Message) -> bool:
    return message.chat.type in GROUP_CHATS


def _replies_to_bot(message: Message, context: AppContext) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and replied.from_user.id == context.bot.id)


def _addressed(message: Message, context: AppContext) -> tuple[bool, str]:
    """In a group, is the message for this bot (a mention or a reply to it)? And its text (or caption)
    without the mention. Privacy mode already limits what a bot sees, but with it off every line would
    arrive."""
    text = message.text or message.caption or ""
    bot_id, username = context.bot.id, (context.bot.username or "").lower()
    addressed = _replies_to_bot(message, context)
    kinds: list[str | None] = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    entities = message.parse_entities(kinds) if message.text else message.parse_caption_entities(kinds)
    for entity, value in sorted(entities.items(), key=lambda item: -item[0].offset):
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


def _question(message: Message, context: AppContext) -> str | None:
    """The text to answer (a caption counts), or None when the message is not for this bot."""
    text = message.text or message.caption
    if text is None:
        return None
    if not _is_group(message):
        return text
    addressed, text = _addressed(message, context)
    return text if addressed else None


async def on_text(update: Update, context: AppContext) -> None:
    """Free text, or a photo's or file's caption: understand it and answer; in groups only when the
    bot is addressed."""
    message = update.effective_message
    if message is None:
        return
    text = _question(message, context)
    if text is not None:
        await _answer_text(message, text, context)


def _command_target(message: Message, context: AppContext) -> tuple[str, bool] | None:
    """(command name, whether it is for this bot) of a ``/command`` message, or None."""
    match = _COMMAND_TARGET.match(message.text or "")
    if match is None:
        return None
    name, target = match.group(1), match.group(2)
    if target is not None:
        return name, target.lower() == (context.bot.username or "").lower()
    # Without "@bot", a command in a group may be for any bot there; a reply to this one is for it.
    return name, not _is_group(message) or _replies_to_bot(message, context)


async def on_unknown_command(update: Update, context: AppContext) -> None:
    """A command no feature knows: say so and list the ones there are."""
    message = update.effective_message
    if message is None:
        return
    target = _command_target(message, context)
    if target is not None and target[1]:
        await message.reply_text(texts.unknown_command(target[0]))


def message_kind(message: Message) -> str:
    """What a message that is not text is, as ``bot.texts.archive.MESSAGE_KIND_HINTS`` names it."""
    if message.sticker is not None:
        return "sticker"
    if message.voice is not None or message.audio is not None:
        return "voice"
    if message.location is not None or message.venue is not None:
        return "location"
    if message.contact is not None:
        return "contact"
    if (
        message.photo
        or message.video is not None
        or message.video_note is not None
        or message.animation is not None
        or message.document is not None
    ):
        return "media"
    return "other"


async def on_other_message(update: Update, context: AppContext) -> None:
    """A sticker, voice note, location, contact, or a photo or file without a caption: a short hint.
    In a group only when it replies to the bot."""
    message = update.effective_message
    if message is None or (_is_group(message) and not _replies_to_bot(message, context)):
        return
    await message.reply_text(texts.message_kind_hint(message_kind(message)))


async def on_edited(update: Update, context: AppContext) -> None:
    """An edited message is never acted on as a new one: an edited "/start" subscribes no one and an
    edited bulletin is not published. An edited question (free text, or one of the archive's own
    read-only commands) is answered again, since the user most likely corrected it; anything else is
    left alone. Runs before every other handler and stops the update there."""
    message = update.edited_message
    try:
        if message is not None and message.text and _edit_is_a_question(message, context):
            text = _question(message, context)
            if text is not None:
                await _answer_text(message, text, context)
    except Exception:  # the update stops here either way; a failed answer must not let it through
        log.exception("could not answer an edited message in chat %s", message.chat_id if message else None)
    raise ApplicationHandlerStop


def _edit_is_a_question(message: Message, context: AppContext) -> bool:
    target = _command_target(message, context)
    if target is None:
        return True
    name, for_me = target
    return for_me and name.lower() in COMMAND_NAMES


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
        await edit_text(query, pages[0], reply_markup=keyboard(answer), parse_mode=ParseMode.HTML)
        # A task longer than one message: the rest follows as new messages, as in a broadcast.
        if len(pages) > 1 and query.message is not None:
            for html in pages[1:]:
                await context.bot.send_message(query.message.chat.id, html, parse_mode=ParseMode.HTML)
    finally:
        await query.answer(notice)


async def _answer_for_button(match: re.Match[str], context: AppContext) -> Answer | None:
    store = context.bot_data.store
    bulletin_id, task_bulletin, task_number, history_page, search_page, search_words, page, question = match.groups()
    if bulletin_id is not None:
        return await archive.bulletin_view(store, int(bulletin_id))
    if task_bulletin is not None:
        return await archive.task_view(store, int(task_bulletin), int(task_number))
    if history_page is not None:
        return await archive.history_page(store, int(history_page))
    if search_page is not None:
        return await archive.search(store, search_words, page=int(search_page))
    if page is not None:
        # Re-read with today's date: a page of "tháng trước" pressed a month later is that month's.
        return await archive.answer(store, understand(question, today()), page=int(page))
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
    # Edits first of all (group -2, before the publish handlers' -1): see on_edited.
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, on_edited), -2)
    # New messages only: a channel post is not answered.
    only_new = filters.UpdateType.MESSAGE
    for names in COMMANDS.values():
        app.add_handler(CommandHandler(names, on_command, filters=only_new))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"))
    app.add_handler(InlineQueryHandler(on_inline))
    app.add_handler(MessageHandler(only_new & filters.TEXT & ~filters.COMMAND, on_text))
    # A caption is read as the question (an admin's bulletin upload was claimed by publish before).
    app.add_handler(MessageHandler(only_new & filters.CAPTION, on_text))
    # What no feature claimed still gets an answer.
    app.add_handler(MessageHandler(only_new & filters.COMMAND, on_unknown_command))
    other = (
        filters.Sticker.ALL
        | filters.VOICE
        | filters.AUDIO
        | filters.VIDEO_NOTE
        | filters.VIDEO
        | filters.ANIMATION
        | filters.PHOTO
        | filters.Document.ALL
        | filters.LOCATION
        | filters.VENUE
        | filters.CONTACT
        | filters.POLL
        | filters.Dice.ALL
        | filters.STORY
    )
    app.add_handler(MessageHandler(only_new & other, on_other_message))
    # Last of all: buttons that no feature claims still get an answer, so the client stops spinning.
    app.add_handler(CallbackQueryHandler(on_unknown_button))
