"""Running the application: one lifecycle for live polling, the console and the tests.

We drive PTB's lifecycle ourselves instead of ``run_polling`` so that SIGTERM stops the bot within
about two seconds with delivery state saved: PTB's own shutdown waits for running tasks without a
time limit (``Application.stop`` awaits every pending update and job:
https://docs.python-telegram-bot.org/en/stable/telegram.ext.application.html#telegram.ext.Application.stop).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator

from telegram import Update
from telegram.ext import Application

from bot.ptb.startup import wait_for_telegram
from bot.ptb.webhook import WebhookServer
from bot.webhook_config import WebhookConfig

log = logging.getLogger(__name__)


class Halted(RuntimeError):
    """The bot stopped on its own (``BotData.halt``: the database file went missing or read-only);
    the message says why, and the process exits non-zero so that a supervisor notices."""


@contextlib.asynccontextmanager
async def running(
    app: Application,  # type: ignore[type-arg]
    *,
    poll_interval: float = 0.0,
    poll_timeout: int = 10,
    drop_pending_updates: bool = False,
    webhook: WebhookConfig | None = None,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Initialise, start polling (or, given ``webhook``, serve it and call setWebhook), yield; then
    stop and shut down in order, whatever happened."""
    server: WebhookServer | None = None
    try:
        await app.initialize()
    except BaseException:
        # ``Bot.initialize`` opens the request sessions and then calls getMe; when getMe fails (a
        # rejected token, a wrong URL, no network) the application is not initialised, so its
        # ``shutdown`` would do nothing and the sessions would be left open ("Unclosed client
        # session" at exit). ``Bot.shutdown`` closes whatever sessions were opened.
        await app.bot.shutdown()
        raise
    try:
        if app.post_init is not None:
            await app.post_init(app)
        # Everything built so far lives as long as the process: keep it out of garbage collection,
        # whose full passes would otherwise stall the event loop (and the send schedule) ~30 ms.
        gc.freeze()
        assert app.updater is not None
        if webhook is None:
            await app.updater.start_polling(
                poll_interval=poll_interval,
                timeout=poll_timeout,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=drop_pending_updates,
            )
        else:
            # Listen first, then tell Telegram: an update pushed at once finds the server up, and is
            # queued until ``app.start`` below begins processing.
            server = WebhookServer(app, webhook)
            await server.start()
            await app.bot.set_webhook(
                url=webhook.url,
                secret_token=webhook.secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=drop_pending_updates,
            )
        await app.start()
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if server is not None:
                # No new updates, then the queue is drained by ``app.stop``. The webhook stays set:
                # Telegram keeps the updates that arrive while we are down and posts them later.
                await server.stop()
                server = None
            if app.running:
                await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    finally:
        if server is not None:  # set_webhook or app.start failed
            await server.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def serve_until_signalled(app: Application, webhook: WebhookConfig | None = None) -> None:  # type: ignore[type-arg]
    """Run until SIGINT or SIGTERM, then stop promptly; long polling unless ``webhook`` is given."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        # Wait out an unreachable Telegram first (a SIGTERM meanwhile stops at once); ``running``'s
        # own initialize is then a no-op.
        if not await wait_for_telegram(app, stop):
            return
        async with running(app, webhook=webhook):
            if webhook is None:
                log.info("polling for updates; press Ctrl+C to stop")
            else:
                log.info("webhook set; waiting for Telegram's posts; press Ctrl+C to stop")
            halted: asyncio.Event | None = getattr(app.bot_data, "halted", None)
            waits = [asyncio.ensure_future(stop.wait())]
            if halted is not None:
                waits.append(asyncio.ensure_future(halted.wait()))
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiting in waits:
                    waiting.cancel()
            log.info("stopping")
        reason = getattr(app.bot_data, "halt_reason", None)
        if reason is not None:
            raise Halted(reason)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
