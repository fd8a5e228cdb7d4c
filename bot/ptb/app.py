"""The application factory: one place that wires settings, store, delivery and handlers together."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot.delivery.monitor import BroadcastMonitor
from bot.delivery.outcomes import Notifier
from bot.delivery.schedule import Started, StartHandler
from bot.ptb.context import BotData
from bot.ptb.delivery_wiring import DeliveryChain, wire_delivery
from bot.ptb.sending import TelegramNotifier
from bot.ptb.watch_wiring import build_watcher, close_watcher
from bot.reports import chart
from bot.services.daily_backup import DailyBackups
from bot.services.db_guard import DatabaseGuard
from bot.settings import Settings
from bot.texts import commands as command_texts
from bot.texts import delivery as delivery_texts
from bot.texts import schedule as schedule_texts
from data import outbox
from data.store import Store

log = logging.getLogger(__name__)

USER_COMMANDS = [BotCommand(name, description) for name, description in command_texts.USER_COMMANDS]
ADMIN_COMMANDS = [BotCommand(name, description) for name, description in command_texts.ADMIN_COMMANDS]


@dataclass
class Runtime:
    """What the lifecycle hooks share; lives in ``application.bot_data``'s services."""

    settings: Settings
    delivery: DeliveryChain
    with_delivery: bool = True
    monitor: BroadcastMonitor | None = field(default=None)
    backups: DailyBackups | None = field(default=None)  # BACKUP_DIR set: the daily backup task
    guard: DatabaseGuard | None = field(default=None)  # the database file watched while delivering


def build_application(settings: Settings, *, with_delivery: bool = True) -> Application:  # type: ignore[type-arg]
    """Build the bot. Nothing is opened or sent until the application is initialised."""
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required to build the application")
    delivery = wire_delivery(
        settings.bot_token.get_secret_value(),
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        send_rate=settings.send_rate,
        paid_rate=settings.paid_send_rate if settings.paid_broadcast else None,
        defaults=Defaults(parse_mode="HTML"),
    )
    runtime = Runtime(settings=settings, delivery=delivery, with_delivery=with_delivery)

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        await _post_init(app, runtime)

    async def post_stop(app: Application) -> None:  # type: ignore[type-arg]
        await _post_stop(app, runtime)

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        data: BotData = app.bot_data
        # The /stats chart's worker process, if a chart was drawn (it holds matplotlib in memory).
        await asyncio.to_thread(chart.shutdown)
        if data.has_store:
            await data.store.close()

    application = (
        ApplicationBuilder()
        .bot(delivery.bot)  # paced by the same Pacer as broadcasts
        .context_types(ContextTypes(bot_data=BotData))
        # Replies wait for pacing slots; handle several updates at once so one wait stalls no one.
        .concurrent_updates(16)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    handlers.register_all(application)
    return application


async def _post_init(app: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    settings = runtime.settings
    store = await Store.open(settings.database_path)
    store.mark_created()  # from now on, a start without this database is refused (data/store.lost_database)
    data: BotData = app.bot_data
    engine = None
    if runtime.with_delivery:
        notifier = TelegramNotifier(app.bot)
        monitor = BroadcastMonitor(
            store, notifier, pacer=runtime.delivery.pacer, paid=runtime.delivery.paid, zone=settings.zone
        )
        runtime.monitor = monitor

        async def on_abort(broadcast_id: int, reason: str) -> None:
            info = await outbox.get_broadcast(store, broadcast_id)
            chats = {info.admin_chat_id} if info and info.admin_chat_id else set(settings.admin_ids)
            for chat_id in chats:
                await notifier.post(chat_id, delivery_texts.abort_alert(broadcast_id, reason))
            await monitor.report(broadcast_id)

        engine = runtime.delivery.engine(store, on_abort=on_abort, zone=settings.zone)
        engine.schedules.on_start = _on_scheduled_start(store, notifier, settings)
    data.setup(settings, store, engine, runtime.monitor)
    await _set_commands(app, settings)
    if engine is not None and runtime.monitor is not None:
        await engine.start()
        await runtime.monitor.start()
        data.watcher = build_watcher(app, settings, store)
        await data.watcher.start(settings.watch_sources)
        if settings.backup_dir is not None:
            runtime.backups = DailyBackups(store.path, settings.backup_dir, settings.backup_keep, settings.zone)
            runtime.backups.start()
        runtime.guard = DatabaseGuard(
            store,
            notifier,
            settings.admin_ids,
            interval=settings.database_check_seconds,
            stop_work=engine.stop,
            halt=data.halt,
        )
        runtime.guard.start()
    log.info("bot @%s ready; database %s", app.bot.username, store.path)


def _on_scheduled_start(store: Store, notifier: Notifier, settings: Settings) -> StartHandler:
    """What the admins are told when a scheduled broadcast starts: how late, if it is (in its admin
    chat, or to every ADMIN_IDS for one scheduled from the CLI); and in its admin chat, that it
    started, with the progress message the monitor keeps up to date."""

    async def on_start(started: Started) -> None:
        info = started.info
        zone = settings.zone
        if started.tell_late and info.scheduled_at is not None:
            text = schedule_texts.started_late(
                info.id, info.title, info.scheduled_at, started.late, zone, missed=started.missed
            )
            for chat_id in {info.admin_chat_id} if info.admin_chat_id else set(settings.admin_ids):
                await notifier.post(chat_id, text)
        if info.admin_chat_id is None or info.recipients == 0:
            return
        if not started.tell_late:
            await notifier.post(
                info.admin_chat_id,
                schedule_texts.started(
                    info.id, info.title, info.month, started.joined, early=started.late < dt.timedelta(0)
                ),
            )
        counts = await outbox.counts(store, info.id)
        progress = delivery_texts.progress(
            info.id,
            info.title,
            done=counts.sent,
            total=counts.total,
            rate=0.0,
            eta_seconds=None,
            failed=counts.failed,
            blocked=counts.blocked_chats,
            status="queued",
        )
        message_id = await notifier.post(info.admin_chat_id, progress)
        if message_id is not None:
            await outbox.set_progress_message(store, info.id, message_id)

    return on_start


async def _set_commands(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    try:
        await app.bot.set_my_commands(USER_COMMANDS)
        for admin_id in settings.admin_ids:
            await app.bot.set_my_commands(ADMIN_COMMANDS, scope=BotCommandScopeChat(admin_id))
    except TelegramError as exc:  # an admin who never opened the bot: not worth failing start-up
        log.warning("could not register commands: %s", type(exc).__name__)


async def _post_stop(app: Application, runtime: Runtime) -> None:  # type: ignore[type-arg]
    data: BotData = app.bot_data
    if runtime.guard is not None:
        await runtime.guard.stop()
        runtime.guard = None
    if runtime.backups is not None:
        await runtime.backups.stop()
        runtime.backups = None
    await data.button_edits.close()
    if data.has_watcher:
        await close_watcher(data.watcher)
        data.watcher = None
    if runtime.monitor is not None:
        await runtime.monitor.stop()
    if data.has_engine:
        await data.engine.stop(timeout=1.0)
