"""Benchmark: CPU of one broadcast POST, aiohttp's client session next to ``bot.ptb.keepalive``.

The local Telegram imitation runs in a process of its own (its limits raised out of the way); this
process POSTs sendMessage bodies of a Vietnamese part (~1,000 characters) to it, one after another,
and measures its own CPU time (``time.process_time``) per request:

- ``back to back``: the next request as soon as the answer is in;
- ``paced``: one request every 1/60 s, so the process goes idle between them, as a bot does at
  Telegram's 30/s (each request then pays a wake-up from idle and cold caches);
- ``idle wake-up``: the same sleeps without a request, the floor under ``paced``.

The aiohttp client is set up as ``bot.ptb.request`` set it up before ``keepalive`` (one session, a
``TCPConnector``, no cookie jar, JSON headers, a ``ClientTimeout``). Both clients alternate, in
rounds, so a noisy machine affects both alike.

    .venv/bin/python benchmarks/post_cpu.py            # about 1 minute
    .venv/bin/python benchmarks/post_cpu.py --rounds 1 # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable as a script from any directory

from bot import eventloop  # noqa: E402
from bot.ptb.keepalive import KeepAlivePool  # noqa: E402

TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz"
TEXT = "<b>Thứ nhất</b>, tiếp tục tuyên truyền sâu rộng kết quả Hội nghị Trung ương; " * 12

Post = Callable[[bytes], Awaitable[tuple[int, bytes]]]


async def per_request(post: Post, n: int, first_chat: int, pause: float) -> float:
    """CPU µs per request over ``n`` requests to distinct chats (the imitation's per-chat limit)."""
    text = json.dumps(TEXT, ensure_ascii=False).encode()
    c0 = time.process_time()
    for i in range(n):
        status, _ = await post(b'{"chat_id":%d,"text":%s,"parse_mode":"HTML"}' % (first_chat + i, text))
        if status != 200:
            raise RuntimeError(f"answer {status}")
        if pause:
            await asyncio.sleep(pause)
    return 1e6 * (time.process_time() - c0) / n


async def idle_wakeup(n: int, pause: float) -> float:
    c0 = time.process_time()
    for _ in range(n):
        await asyncio.sleep(pause)
    return 1e6 * (time.process_time() - c0) / n


async def amain(args: argparse.Namespace) -> int:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.offline.localtg", "--host", "127.0.0.1", "--port", "0",
        "--global-rate", "1000000", "--paid-rate", "1000000",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
    base = dict(re.findall(r"(\w+)=(\S+)", line))["base_url"]
    if not base.startswith("http://127.0.0.1:"):
        raise RuntimeError(f"imitation is not local: {line!r}")
    url = f"{base}{TOKEN}/sendMessage"
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=8), cookie_jar=aiohttp.DummyCookieJar())
    timeout = aiohttp.ClientTimeout(total=None, connect=6.0, sock_read=5.0)
    headers = {"Content-Type": "application/json"}
    pool = KeepAlivePool(limit=8, connect_timeout=5.0, pool_timeout=1.0, user_agent="bench")

    async def via_aiohttp(body: bytes) -> tuple[int, bytes]:
        async with session.request("POST", url, data=body, headers=headers, timeout=timeout) as response:
            return response.status, await response.read()

    async def via_keepalive(body: bytes) -> tuple[int, bytes]:
        return await pool.post(url, body, read_timeout=5.0)

    clients: dict[str, Post] = {"aiohttp session": via_aiohttp, "keepalive": via_keepalive}
    figures: dict[tuple[str, str], list[float]] = {}
    chat = 1_000
    try:
        for post in clients.values():  # connections open, code warm
            await per_request(post, 20, chat, 0.0)
            chat += 20
        for _ in range(args.rounds):
            for name, post in clients.items():
                figures.setdefault((name, "back to back"), []).append(await per_request(post, args.n, chat, 0.0))
                chat += args.n
                paced = await per_request(post, args.n // 5, chat, 1 / 60)
                figures.setdefault((name, "paced 60/s"), []).append(paced)
                chat += args.n // 5
            figures.setdefault(("no request", "idle wake-up 60/s"), []).append(await idle_wakeup(args.n // 5, 1 / 60))
    finally:
        await session.close()
        await pool.close()
        proc.terminate()
        await proc.wait()
    for (name, mode), values in figures.items():
        print(
            f"client={name!r} mode={mode!r} rounds={len(values)} "
            f"cpu_us_per_request median={statistics.median(values):.0f} min={min(values):.0f} max={max(values):.0f}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("-n", type=int, default=1000, help="requests per back-to-back measurement (a fifth paced)")
    return eventloop.run(amain(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
