"""Run the local Telegram imitation standalone: ``python -m bot.offline.localtg --port 8081 [--no-limits]``.

Benchmarks start it in a separate process so that the server's CPU time does not skew the bot's. It
prints one line with its base URL (flushed, so a parent process can wait for it) and stops cleanly on
SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys

from .limits import Limits
from .server import LocalTelegram


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.offline.localtg", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--no-limits", action="store_true", help="do not enforce any rate limit")
    parser.add_argument("--global-rate", type=int, default=30, help="sends per second over all chats")
    parser.add_argument("--paid-rate", type=int, default=1000, help="allow_paid_broadcast sends per second")
    parser.add_argument("--group-rate", type=int, default=20, help="sends per minute to one group")
    parser.add_argument("--private-interval", type=float, default=1.0, help="seconds between sends to a user")
    parser.add_argument("--flood-ban", action="store_true", help="429 every send during a global retry_after")
    parser.add_argument("--no-record-texts", action="store_true", help="keep counters and digests only")
    parser.add_argument("--token", action="append", help="accept only these tokens (repeatable)")
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    limits = Limits(
        enforce=not args.no_limits,
        global_rate=args.global_rate,
        paid_rate=args.paid_rate,
        group_rate=args.group_rate,
        private_interval=args.private_interval,
        flood_ban=args.flood_ban,
    )
    tg = LocalTelegram(limits=limits, valid_tokens=args.token, record_texts=not args.no_record_texts)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows event loops
            loop.add_signal_handler(sig, stop.set)
    await tg.start(args.host, args.port)
    # A full garbage collection pauses the server ~100 ms; requests that arrived meanwhile are then
    # stamped together and look like a burst to the rolling-window check (a false 429). Freeze the
    # start-up objects and make full collections rare, as a long-running benchmark peer should.
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)
    try:
        print(
            f"Local Telegram Bot API: base_url={tg.base_url} base_file_url={tg.base_file_url} control={tg.control_url}",
            flush=True,
        )
        await stop.wait()
    finally:
        await tg.stop()


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
