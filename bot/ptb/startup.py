"""Start-up waits for Telegram: the first ``getMe`` is retried with capped exponential back-off.

A bot started while the network (or Telegram, or the reverse proxy in front of a local Bot API
server) is down should come up when it returns, as a service manager expects, not exit and leave the
restart to luck. A rejected token is different: retrying cannot fix it, so it fails at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import Application

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Delays of 1, 2, 4 … seconds, capped, each scaled by a random factor in ``[1 - jitter, 1]`` so
    that many bots restarted together (one host's reboot) do not knock in step
    (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/)."""

    first: float = 1.0
    cap: float = 60.0
    jitter: float = 0.2

    def delays(self, rng: random.Random) -> Iterator[float]:
        base = self.first
        while True:
            yield min(base, self.cap) * (1.0 - self.jitter * rng.random())
            base = min(base * 2, self.cap)


def _retry_after_seconds(exc: RetryAfter) -> float:
    # PTB 22 gives an int today and announces a timedelta (PTBDeprecationWarning); read both.
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _reason(exc: Exception) -> str:
    if isinstance(exc, RetryAfter):
        return f"flood control, retry after {_retry_after_seconds(exc):g} s"
    return str(exc) or type(exc).__name__


async def _unless_stopped(work: Awaitable[None], stop: asyncio.Event) -> bool:
    """Run ``work`` unless ``stop`` is set first (then cancel it): True when it finished (its
    exception, if any, is raised), False when stopped. A connect that hangs for its whole timeout
    must not delay a SIGTERM."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task in done:
        task.result()
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return False


async def wait_for_telegram(
    app: Application,  # type: ignore[type-arg]
    stop: asyncio.Event,
    *,
    backoff: Backoff = Backoff(),  # frozen, so one shared default is safe
    rng: random.Random | None = None,
) -> bool:
    """Initialise ``app`` (PTB's ``Bot.initialize`` calls ``getMe``), retrying while Telegram cannot be
    reached: one warning per attempt, "Telegram unreachable (reason), retrying in N s".

    Returns True once initialised, False when ``stop`` was set first (the request sessions are then
    closed). Retried: ``NetworkError`` (no connection, a timeout, a 5xx such as a proxy's 502 Bad
    Gateway; PTB maps those to it) except its subclass ``BadRequest`` (a 400 is an answer), and
    ``RetryAfter`` (a 429 waits at least as long as it says). Anything else, notably ``InvalidToken``
    (HTTP 401/404, which retrying cannot fix), is raised at once with the sessions closed.
    """
    delays = backoff.delays(rng or random.Random())
    attempt = 0
    try:
        while not stop.is_set():
            attempt += 1
            try:
                if not await _unless_stopped(app.initialize(), stop):
                    break
            except (NetworkError, RetryAfter) as exc:
                if isinstance(exc, BadRequest):  # PTB's BadRequest is a NetworkError, but an answer
                    raise
                delay = next(delays)
                if isinstance(exc, RetryAfter):
                    delay = max(delay, _retry_after_seconds(exc))
                log.warning("Telegram unreachable (%s), retrying in %.1f s", _reason(exc), delay)
                if not await _unless_stopped(asyncio.sleep(delay), stop):
                    break
                continue
            if attempt > 1:
                log.warning("Telegram reachable again after %d attempts", attempt)
            return True
    except BaseException:
        # Bot.initialize leaves its request sessions open when getMe fails; close them so nothing
        # reports "Unclosed client session" on the way out.
        await app.bot.shutdown()
        raise
    await app.bot.shutdown()
    log.info("stopped while waiting for Telegram")
    return False
