"""``/sources``: the portals the bot watches for new bulletins (admins only).

``/sources`` lists them with their last check, status, items seen and bulletins found;
``/sources add URL`` adds one and checks it at once, saying what it found; ``/sources remove N``
stops watching the N-th; ``/sources auto N on|off`` sets its "send without asking" switch (off by
default). Thin: the store's named queries and the watcher do the work (``bot.watch``). Adding and
removing a source is recorded with who did it (``data.admin_actions``).
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.ptb.context import AppContext
from bot.texts import watch as texts
from data import admin_actions, watch
from data.watch import Source
from handlers.gate import AdminGate, refusals

COMMANDS = ("sources", "nguon")
_URL = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)
_ON = {"on", "bat", "bật", "1", "yes", "có"}
_OFF = {"off", "tat", "tắt", "0", "no", "không"}


def _line(index: int, source: Source) -> str:
    return texts.source_line(
        index,
        source.url,
        kind=source.kind,
        last_check=source.last_check_at,
        status=source.last_status,
        error=source.last_error,
        failures=source.failures,
        items=source.items_seen,
        found=source.bulletins_found,
        auto=source.auto_send,
    )


async def on_sources(update: Update, context: AppContext) -> None:
    message = update.effective_message
    if message is None:
        return
    args = context.args or []
    store = context.bot_data.store
    sources = await watch.active_sources(store)
    verb = args[0].lower() if args else ""
    if verb in {"add", "them", "thêm"} and len(args) >= 2:
        await _add(update, context, args[1])
        return
    if verb in {"remove", "xoa", "xóa", "delete", "rm"} and len(args) >= 2:
        source = _pick(sources, args[1])
        if source is None:
            await message.reply_text(texts.no_such_source(args[1], len(sources)))
            return
        await watch.remove_source(store, source.id)
        user = update.effective_user
        await admin_actions.record(
            store,
            admin_actions.SOURCE_REMOVE,
            admin_user_id=user.id if user else None,
            admin_name=user.full_name if user else None,
            detail=source.url,
        )
        if context.bot_data.has_watcher:
            context.bot_data.watcher.reload()
        await message.reply_text(texts.source_removed(source.url))
        return
    if verb in {"auto", "tudong", "tự động"} and len(args) >= 3 and args[2].lower() in _ON | _OFF:
        source = _pick(sources, args[1])
        if source is None:
            await message.reply_text(texts.no_such_source(args[1], len(sources)))
            return
        on = args[2].lower() in _ON
        await watch.set_auto_send(store, source.id, on)
        await message.reply_text(texts.auto_switched(source.url, on))
        return
    if args and verb not in {"list", "ds"}:
        await message.reply_text(texts.sources_usage())
        return
    lines = [_line(i, s) for i, s in enumerate(sources, start=1)]
    await message.reply_text(texts.sources_list(lines, context.bot_data.settings.watch_interval))


def _pick(sources: list[Source], given: str) -> Source | None:
    number = given.lstrip("#")
    if not number.isdigit() or not 1 <= int(number) <= len(sources):
        return None
    return sources[int(number) - 1]


async def _add(update: Update, context: AppContext, url: str) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None
    url = url.strip().strip("<>")
    if not _URL.match(url) or len(url) > 2000:
        await message.reply_text(texts.bad_source_url(url))
        return
    store = context.bot_data.store
    source_id, fresh = await watch.add_source(store, url, user.id if user else None)
    if not fresh:
        await message.reply_text(texts.source_already(url))
        return
    await admin_actions.record(
        store,
        admin_actions.SOURCE_ADD,
        admin_user_id=user.id if user else None,
        admin_name=user.full_name if user else None,
        detail=url,
    )
    if not context.bot_data.has_watcher:
        await message.reply_text(texts.not_running())
        return
    await message.reply_text(texts.source_added(url, again=False))
    watcher = context.bot_data.watcher
    report = await watcher.check(source_id)
    watcher.reload()  # its own schedule from now on
    if report is not None:
        await message.reply_text(
            texts.check_result(
                ok=report.ok,
                status=report.status,
                error=report.error,
                kind=report.kind,
                listed=report.listed,
                archived=report.archived,
                offered=report.offered,
                not_bulletins=report.not_bulletins,
                unread=report.unread,
                backfill=report.backfill,
            )
        )


def register(app: Application, admins: AdminGate) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler(list(COMMANDS), on_sources, filters=filters.UpdateType.MESSAGE & admins))
    for handler in refusals("sources", commands=COMMANDS):
        app.add_handler(handler)
