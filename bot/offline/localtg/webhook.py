"""The imitation's webhook side: after setWebhook with a url, queued updates are POSTed there.

As Telegram does (https://core.telegram.org/bots/api#setwebhook, #getwebhookinfo): one update per
request, JSON, with ``X-Telegram-Bot-Api-Secret-Token`` when a secret was set; an update leaves the
queue only on a 2xx answer; a failure is recorded as ``last_error_date`` / ``last_error_message`` and
retried with back-off. Unlike Telegram, plain http and any port are accepted (it only reaches
127.0.0.1), and updates go one at a time, in order (Telegram's ``max_connections`` is up to 100).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from .server import LocalTelegram

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass
class WebhookPost:
    """One POST the imitation made: the update, and the HTTP status (None: no answer, see error)."""

    update_id: int
    status: int | None
    error: str | None = None


@dataclass
class WebhookPusher:
    """Posts ``tg``'s queued updates to ``url`` until stopped."""

    tg: LocalTelegram
    url: str
    secret: str | None
    first_retry: float = 0.05
    max_retry: float = 2.0
    timeout: float = 10.0
    posts: list[WebhookPost] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="localtg-webhook")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        headers = {"Content-Type": "application/json"}
        if self.secret:
            headers[SECRET_HEADER] = self.secret
        delay = self.first_retry
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                wake = self.tg._update_event  # taken before looking, so an update added meanwhile wakes us
                update = self.tg._next_webhook_update()
                if update is None:
                    await wake.wait()
                    continue
                error = await self._post(session, update, headers)
                if error is None:
                    self.tg._webhook_delivered(update)
                    delay = self.first_retry
                    continue
                self.tg.webhook_last_error = (int(self.tg.wall_clock()), error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry)

    async def _post(
        self, session: aiohttp.ClientSession, update: dict[str, Any], headers: dict[str, str]
    ) -> str | None:
        """None when the webhook took the update, else Telegram's wording of what went wrong."""
        uid = int(update["update_id"])
        try:
            async with session.post(self.url, data=json.dumps(update), headers=headers) as response:
                await response.read()
                self.posts.append(WebhookPost(uid, response.status))
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason or ''}".rstrip()
        except TimeoutError:
            message = "Read timeout expired"
        except aiohttp.ClientConnectorError:
            message = "Connection refused"
        except aiohttp.ClientError as exc:
            message = f"Connection error: {type(exc).__name__}"
        self.posts.append(WebhookPost(uid, None, message))
        return message


def valid_secret(secret: str) -> bool:
    """1-256 characters of A-Z a-z 0-9 _ - (https://core.telegram.org/bots/api#setwebhook)."""
    return _SECRET.fullmatch(secret) is not None
