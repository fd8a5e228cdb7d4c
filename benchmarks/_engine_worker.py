"""The sending process of ``benchmarks/broadcast.py``: the delivery engine, or the naive baseline.

Runs in its own process so that its CPU time and peak RSS are its own (the local Telegram imitation
runs in a third process). It opens a database that ``broadcast.py`` prepared, sends to the imitation
at ``--base-url`` (127.0.0.1 only), and writes JSON lines to stdout:

- ``{"event": "started", ...}`` once sending starts (pid, flush interval, concurrency, RSS so far);
- ``{"event": "progress", ...}`` every ``--progress`` seconds: sent so far, max in flight, ``in_flight``
  (sends started whose outcome is not on disk yet: on the wire, or acknowledged and not yet written,
  so exactly the rows a restart would send again) and ``t`` (``time.monotonic()``, which on Linux is
  one clock for every process, so the parent knows how old the snapshot is). The last one seen is all
  the parent has of a worker it killed with SIGKILL;
- ``{"event": "done", ...}`` at the end: CPU seconds while sending, peak RSS, wall time, stats.

Modes:

    engine   the delivery chain as ``bot.ptb.app`` wires it (``bot.ptb.delivery_wiring``); exits when
             nothing is pending and the engine is idle, after ``--max-seconds``, or on SIGTERM
             (``engine.stop()`` either way).
    baseline "what people would write": ExtBot with PTB's AIORateLimiter(overall_max_rate=rate,
             max_retries=3) and the default httpx request; one task per chat sends its parts in
             order, at most ``rate`` chats at once; Forbidden/BadRequest (and any other
             TelegramError) are caught and counted.

Not meant to be run by hand; see ``broadcast.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import logging
import os
import resource
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable as a script from any directory

from telegram.constants import ParseMode  # noqa: E402
from telegram.error import BadRequest, Forbidden, TelegramError  # noqa: E402
from telegram.ext import ExtBot  # noqa: E402

from bot import eventloop  # noqa: E402
from bot.ptb.delivery_wiring import wire_delivery  # noqa: E402
from bot.ptb.sending import NO_PREVIEW  # noqa: E402
from data import outbox  # noqa: E402
from data.store import Store  # noqa: E402

TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"
FREE_RATE = 30.0  # the Pacer's non-paid budget when the engine runs paid (interactive replies)


def emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def cpu_split() -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"user": round(usage.ru_utime, 3), "sys": round(usage.ru_stime, 3)}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def outcome_pending(engine: Any) -> int:
    """Sends started whose outcome is not recorded: in flight, or acknowledged but not yet written.

    Reads the engine's private state on purpose: this is what a ``kill -9`` would send twice, and
    the engine has no public counter of it."""
    rows = {item.row_id for item in engine._in_flight.values()}
    return len(rows | engine._acks.unwritten)


def _stats_dict(stats: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(stats):
        value = getattr(stats, f.name)
        out[f.name] = {str(k): v for k, v in value.items()} if isinstance(value, dict) else value
    return out


async def run_engine(args: argparse.Namespace) -> None:
    store = await Store.open(args.db)
    rate: float = args.rate
    chain = wire_delivery(
        TOKEN,
        base_url=args.base_url,
        base_file_url=args.base_file_url,
        send_rate=FREE_RATE if args.paid else rate,
        paid_rate=rate if args.paid else None,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    sleeper: asyncio.Future[None] | None = None

    def on_sigterm() -> None:
        stop.set()
        if sleeper is not None and not sleeper.done():
            sleeper.set_result(None)

    loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    reason = "drained"
    async with chain.bot:
        # --flush-interval is for experiments; None leaves the engine's own default.
        engine = chain.engine(store, flush_interval=args.flush_interval)
        await engine.start()
        # As bot.ptb.runner does once started: full collections would otherwise scan every module
        # and pause the loop 40-50 ms with sends in flight (seen in (b), and the 429s they caused).
        gc.freeze()
        cpu0, t0 = time.process_time(), time.monotonic()
        emit(
            "started",
            pid=os.getpid(),
            flush_interval=engine.flush_interval,
            concurrency=engine.concurrency,
            rss_mb_at_start=round(peak_rss_mb(), 1),
        )
        deadline = t0 + args.max_seconds
        next_progress = t0
        # One timer per progress line: this loop's wake-ups are the harness's CPU, counted with the
        # engine's, so it wakes no more often than it reports (SIGTERM wakes it at once).
        tick = args.progress
        while True:
            sleeper = loop.create_future()
            handle = loop.call_later(tick, lambda f=sleeper: f.done() or f.set_result(None))
            await sleeper
            handle.cancel()
            now = time.monotonic()
            if now >= next_progress:
                next_progress = now + args.progress
                emit(
                    "progress",
                    sent=engine.stats.sent,
                    max_in_flight=engine.stats.max_in_flight,
                    in_flight=outcome_pending(engine),
                    t=time.monotonic(),
                )
            if stop.is_set():
                reason = "sigterm"
                break
            if now >= deadline:
                reason = "max_seconds"
                break
            if engine.fatal_error is not None:
                reason = f"fatal: {engine.fatal_error}"
                break
            if engine.idle and not await outbox.any_pending(store):
                break
        await engine.stop()
        wall = time.monotonic() - t0
        cpu = time.process_time() - cpu0
    await store.close()
    emit(
        "done",
        reason=reason,
        wall=round(wall, 3),
        cpu=round(cpu, 3),
        cpu_total=round(time.process_time(), 3),
        cpu_split=cpu_split(),
        peak_rss_mb=round(peak_rss_mb(), 1),
        sent=engine.stats.sent,
        flush_interval=engine.flush_interval,
        stats=_stats_dict(engine.stats),
    )


async def run_baseline(args: argparse.Namespace) -> None:
    from telegram.ext import AIORateLimiter  # needs aiolimiter: python-telegram-bot[rate-limiter]

    store = await Store.open(args.db)
    chats = [int(r[0]) for r in await store.fetchall("SELECT chat_id FROM subscribers WHERE active = 1")]
    broadcast_id = int(await store.fetchval("SELECT max(id) FROM broadcasts"))
    parts = [html for _, _, html in await outbox.messages(store, broadcast_id)]
    await store.close()

    rate: float = args.rate
    limiter = AIORateLimiter(overall_max_rate=rate, max_retries=3)
    bot: ExtBot[int] = ExtBot(TOKEN, base_url=args.base_url, base_file_url=args.base_file_url, rate_limiter=limiter)
    outcomes: Counter[str] = Counter()
    sent = 0
    gate = asyncio.Semaphore(max(1, int(rate)))

    async def send_all(chat_id: int) -> None:
        nonlocal sent
        async with gate:
            for part in parts:
                try:
                    await bot.send_message(
                        chat_id,
                        part,
                        parse_mode=ParseMode.HTML,
                        link_preview_options=NO_PREVIEW,
                        allow_paid_broadcast=args.paid or None,
                    )
                    sent += 1
                except Forbidden:
                    outcomes["Forbidden"] += 1
                    return  # blocked: the remaining parts would fail too
                except BadRequest:
                    outcomes["BadRequest"] += 1
                except TelegramError as exc:  # RetryAfter after 3 retries, NetworkError (5xx), ...
                    outcomes[type(exc).__name__] += 1

    async def progress() -> None:
        while True:
            emit("progress", sent=sent, max_in_flight=0, in_flight=0, t=time.monotonic())
            await asyncio.sleep(args.progress)

    async with bot:
        cpu0, t0 = time.process_time(), time.monotonic()
        emit(
            "started",
            pid=os.getpid(),
            flush_interval=0.0,
            concurrency=int(rate),
            rss_mb_at_start=round(peak_rss_mb(), 1),
        )
        reporter = asyncio.create_task(progress())
        reason = "drained"
        try:
            await asyncio.wait_for(asyncio.gather(*(send_all(c) for c in chats)), args.max_seconds)
        except TimeoutError:
            reason = "max_seconds"
        reporter.cancel()
        wall = time.monotonic() - t0
        cpu = time.process_time() - cpu0
    emit(
        "done",
        reason=reason,
        wall=round(wall, 3),
        cpu=round(cpu, 3),
        cpu_total=round(time.process_time(), 3),
        cpu_split=cpu_split(),
        peak_rss_mb=round(peak_rss_mb(), 1),
        sent=sent,
        flush_interval=0.0,
        stats={"errors": dict(outcomes), "max_in_flight": 0},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("engine", "baseline"))
    parser.add_argument("--db", required=True)
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:PORT/bot")
    parser.add_argument("--base-file-url", required=True)
    parser.add_argument("--rate", type=float, required=True, help="messages per second")
    parser.add_argument("--paid", action="store_true", help="allow_paid_broadcast")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="give up (and stop) after this long")
    parser.add_argument("--progress", type=float, default=0.5, help="seconds between progress lines")
    parser.add_argument("--flush-interval", type=float, help="override the engine's flush interval (experiments)")
    args = parser.parse_args(argv)
    if not args.base_url.startswith("http://127.0.0.1:"):
        parser.error("the benchmark only talks to a local imitation on 127.0.0.1")
    # The baseline logs every exhausted retry with a traceback; keep stderr to real problems.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    logging.getLogger("bot.delivery").setLevel(logging.ERROR)  # one warning per 429 otherwise
    # The engine on the loop the bot runs on; the baseline on asyncio's, as people would write it.
    if args.mode == "engine":
        eventloop.run(run_engine(args))
    else:
        asyncio.run(run_baseline(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
