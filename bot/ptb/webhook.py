"""The webhook server: Telegram POSTs updates here instead of the bot polling getUpdates.

A small aiohttp server feeding ``Application.update_queue``, the way PTB documents custom webhook
servers (https://docs.python-telegram-bot.org/en/stable/examples.customwebhookbot.html), rather than
``Updater.start_webhook``. PTB's tornado handler (telegram/ext/_utils/webhookhandler.py, 22.8) answers
403 to a missing or wrong secret, as we do, but 500 to a body that is not JSON (``json.loads`` runs
outside its ``try``), which Telegram treats as a failure and retries; it logs a rejected body whole at
CRITICAL, compares the secret with ``!=``, has no place for a health check, and needs tornado, a
dependency more. aiohttp is already here (the local imitation, the watcher).

Routes: ``POST <path of WEBHOOK_URL>`` (with or without a trailing slash) and ``GET /healthz``.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ExtBot

from bot.webhook_config import HEALTH_PATH, SECRET_HEADER, WebhookConfig

log = logging.getLogger(__name__)

# An update is small (files travel as ids); this bounds what an anonymous client can make us read.
MAX_BODY = 1024 * 1024
# How long stopping waits for requests in flight before cutting them (SIGTERM stops within ~2 s).
SHUTDOWN_TIMEOUT = 0.5


class WebhookListenError(Exception):
    """The webhook server could not bind its address (port taken, address not here, port < 1024)."""


def _plain(status: int, text: str) -> web.Response:
    return web.json_response({"ok": 200 <= status < 300, "description": text}, status=status)


class WebhookServer:
    """Serves one application's webhook; ``start()`` binds, ``stop()`` unbinds within a second."""

    def __init__(self, app: Application, config: WebhookConfig) -> None:  # type: ignore[type-arg]
        self._app = app
        self._config = config
        self._secret = config.secret.encode()
        self._runner: web.AppRunner | None = None
        self.port = config.port
        self.received = 0  # updates accepted and queued (for /healthz and the logs)
        self.rejected = 0  # requests refused: wrong secret, bad body

    def make_app(self) -> web.Application:
        web_app = web.Application(client_max_size=MAX_BODY)
        path = self._config.path
        web_app.router.add_post(path, self._handle_update)
        if path != "/":
            web_app.router.add_post(path + "/", self._handle_update)
        web_app.router.add_get(HEALTH_PATH, self._handle_health)
        return web_app

    async def start(self) -> None:
        runner = web.AppRunner(
            self.make_app(), access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._config.listen, self._config.port, reuse_address=True)
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise WebhookListenError(
                f"cannot listen on {self._config.listen}:{self._config.port} for the webhook: {exc}"
            ) from None
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        if runner.addresses:
            self.port = int(runner.addresses[0][1])
        log.info(
            "webhook server listening on %s:%d, path %s (health check %s)",
            self._config.listen,
            self.port,
            self._config.path,
            HEALTH_PATH,
        )

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    def _reject(self, status: int, why: str, request: web.Request) -> web.Response:
        self.rejected += 1
        # The remote address and the reason only: never the body or the header's value.
        log.warning("webhook: refused a request from %s: %s (HTTP %d)", request.remote, why, status)
        return _plain(status, why)

    async def _handle_update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if not given:
            return self._reject(403, "missing secret token", request)
        # Constant time, so the secret cannot be guessed byte by byte from response times.
        if not hmac.compare_digest(given.encode("utf-8", "replace"), self._secret):
            return self._reject(403, "wrong secret token", request)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._reject(413, "body too large", request)
        try:
            data: Any = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            return self._reject(400, "body is not JSON", request)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return self._reject(400, "body is not an update (no update_id)", request)
        try:
            update = Update.de_json(data, self._app.bot)
        except Exception as exc:  # any shape PTB cannot read is the sender's fault
            return self._reject(400, f"update {data['update_id']} could not be read ({type(exc).__name__})", request)
        if isinstance(self._app.bot, ExtBot):
            # What PTB's own updaters do with each update (arbitrary callback data, when enabled).
            self._app.bot.insert_callback_data(update)
        await self._app.update_queue.put(update)
        self.received += 1
        return _plain(200, "ok")

    async def _handle_health(self, request: web.Request) -> web.Response:
        running = self._app.running
        payload = {
            "ok": running,
            "mode": "webhook",
            "running": running,
            "queued_updates": self._app.update_queue.qsize(),
            "received": self.received,
            "rejected": self.rejected,
        }
        return web.json_response(payload, status=200 if running else 503)
