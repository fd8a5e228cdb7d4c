"""``/stats`` (alias ``/thongke``), admins only: the figures and the chart; ``/stats <id>``: one
broadcast's figures, who did what on it, and its recipients as a CSV document.

Thin: ``data.stats`` reads the figures, ``bot.reports`` draws the chart (in its worker process, off
the event loop) and writes the CSV (streamed to a temporary file), ``bot.texts.reports`` words it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import tempfile
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, filters

from bot.ptb.context import AppContext
from bot.reports import chart, csv_export
from bot.services import corrections
from bot.texts import admin_actions as who_texts
from bot.texts import reports as texts
from data import admin_actions, outbox, stats
from data.store import Store
from handlers.gate import AdminGate

log = logging.getLogger(__name__)

COMMANDS = ("stats", "thongke")
DAYS = 30
_ID = re.compile(r"^#?(\d{1,12})$")
# Telegram's limit for a document a bot sends (https://core.telegram.org/bots/api#senddocument): a
# CSV of about 400,000 recipients; beyond it the CLI export is the way.
DOCUMENT_LIMIT = 50 * 1024 * 1024


async def _figures(store: Store, broadcast_id: int, zone: dt.tzinfo) -> tuple[str, list[str], stats.BroadcastStats]:
    """A broadcast's head line, its figure lines, and the figures themselves (for the chart)."""
    info = await outbox.get_broadcast(store, broadcast_id)
    assert info is not None
    figures = await stats.broadcast_stats(store, broadcast_id)
    return (
        texts.broadcast_head(info.id, info.title, info.month, info.status, info.started_at, zone),
        texts.broadcast_figures(
            recipients=figures.outcome.recipients,
            delivered=figures.outcome.delivered,
            failed=figures.outcome.failed,
            blocked=figures.outcome.blocked,
            pending=figures.outcome.pending,
            cancelled=figures.outcome.cancelled,
            acknowledged=figures.acknowledged,
            to_90_delivered=figures.to_90_delivered,
            to_50_acknowledged=figures.to_50_acknowledged,
        ),
        figures,
    )


async def on_stats(update: Update, context: AppContext) -> None:
    message = update.effective_message
    if message is None:
        return
    args = context.args or []
    if not args:
        await _overview(update, context)
        return
    match = _ID.match(args[0]) if len(args) == 1 else None
    if match is None:
        await message.reply_text(texts.bad_id(" ".join(args)))
        return
    await _one_broadcast(update, context, int(match.group(1)))


async def _overview(update: Update, context: AppContext) -> None:
    message = update.effective_message
    assert message is not None
    store, zone = context.bot_data.store, context.bot_data.settings.zone
    days = await stats.subscribers_over_time(store, zone, days=DAYS)
    ids = await stats.recent_broadcast_ids(store, texts.SHOWN_BROADCASTS)
    shown = [await _figures(store, broadcast_id, zone) for broadcast_id in ids]
    await message.reply_text(
        texts.summary(
            active=await stats.active_subscribers(store),
            days=DAYS,
            joins=sum(d.joins for d in days),
            leaves=sum(d.leaves for d in days),
            blocked=sum(d.blocked for d in days),
            broadcasts=[(head, lines) for head, lines, _ in shown],
        )
    )
    data = chart.ChartData(
        days=tuple(chart.DayPoint(d.day, d.joins, d.leaves, d.blocked, d.active) for d in days),
        broadcasts=tuple(
            chart.BroadcastPoint(f.broadcast_id, f.outcome.recipients, f.outcome.delivered, f.acknowledged)
            for _, _, f in reversed(shown)
        ),
    )
    try:
        png = await chart.render(data)
    except Exception:  # the figures went out already; the chart is a bonus
        log.exception("the /stats chart could not be drawn")
        await message.reply_text(texts.CHART_FAILED)
        return
    await message.reply_photo(photo=png, filename="stats.png", caption=texts.CHART_CAPTION)


async def _one_broadcast(update: Update, context: AppContext, broadcast_id: int) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None
    store, settings = context.bot_data.store, context.bot_data.settings
    if not await stats.exists(store, broadcast_id):
        await message.reply_text(texts.no_such_broadcast(broadcast_id))
        return
    head, lines, figures = await _figures(store, broadcast_id, settings.zone)
    actions = who_texts.report_lines(await admin_actions.for_broadcast(store, broadcast_id), settings.zone)
    lines += await corrections.report_lines(store, broadcast_id)  # its corrections, or this correction's tally
    await message.reply_text(texts.broadcast_report(head, lines, actions))
    name = csv_export.filename(broadcast_id)
    with tempfile.TemporaryDirectory(prefix="bulletin-csv-") as folder:
        path = Path(folder) / name
        try:
            size = await csv_export.export_to_path(store, broadcast_id, settings.zone, settings.timezone, path)
        except (OSError, csv_export.NoSuchBroadcast):
            log.exception("CSV export of broadcast %s failed", broadcast_id)
            await message.reply_text(texts.CSV_FAILED)
            return
        if size > DOCUMENT_LIMIT:
            await message.reply_text(texts.too_big(broadcast_id, size))
            return
        content = await asyncio.to_thread(path.read_bytes)
    try:
        await message.reply_document(
            document=content, filename=name, caption=texts.csv_caption(broadcast_id, figures.outcome.recipients)
        )
    except TelegramError as exc:
        log.warning("sending the CSV of broadcast %s failed: %s", broadcast_id, exc)
        await message.reply_text(texts.CSV_FAILED)
        return
    await admin_actions.record(
        store,
        admin_actions.EXPORT,
        admin_user_id=user.id if user else None,
        admin_name=user.full_name if user else None,
        broadcast_id=broadcast_id,
        detail=name,
    )


async def _refuse(update: Update, context: AppContext) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(texts.ADMINS_ONLY)


def register(app: Application, admins: AdminGate) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler(list(COMMANDS), on_stats, filters=filters.UpdateType.MESSAGE & admins))
    # Everyone else (registered after the gated handler): a polite refusal.
    app.add_handler(CommandHandler(list(COMMANDS), _refuse, filters=filters.UpdateType.MESSAGE))
