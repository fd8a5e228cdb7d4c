"""Benchmark: the /stats reports (issue 12, point 7): rendering the chart, and the CSV export.

Chart: the median time of several renders of a full chart (30 days, 5 broadcasts) drawn in the
calling thread, through ``asyncio.to_thread`` (what ``bot.reports.chart.render`` does), and through a
warm worker process (``bot.reports.chart.render``, the way chosen; its first, cold call is printed apart),
each with the event loop's longest stall measured meanwhile by a ticker coroutine that sleeps 1 ms
and records the longest gap between two of its wake-ups (less the 1 ms). Bars: a render ≤ 500 ms,
and off the loop (the stall while rendering stays far below the render time).

CSV: ``bot.reports.csv_export.chunks`` over a broadcast of 10,000 and of 100,000 recipients (six parts
each, so 60,000 and 600,000 outbox rows; every state present, a fifth acknowledged), written to
a sink that only counts them: seconds (timed alone), and the peak of Python allocations during a
second, identical export (tracemalloc), which must not grow with the row count. Bar: 100,000 rows ≤ 2 s.

    .venv/bin/python benchmarks/campaign_reports.py            # both (~1 min)
    .venv/bin/python benchmarks/campaign_reports.py --only chart
    .venv/bin/python benchmarks/campaign_reports.py --only csv --rows 10000,100000
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable as a script from any directory

from bot.delivery.when import resolve_zone  # noqa: E402
from bot.reports import chart, csv_export  # noqa: E402
from data.store import Store, utcnow  # noqa: E402

CHART_BAR_S = 0.5
CSV_BAR_S = 2.0
ZONE_NAME = "Asia/Ho_Chi_Minh"


def chart_data() -> chart.ChartData:
    start = dt.date(2026, 11, 4)
    days = [chart.DayPoint(start + dt.timedelta(days=i), 40 + i % 17, i % 9, i % 4, 9_000 + 35 * i) for i in range(30)]
    broadcasts = [chart.BroadcastPoint(40 + i, 10_000, 9_700 - 150 * i, 6_000 + 500 * i) for i in range(5)]
    return chart.ChartData(tuple(days), tuple(broadcasts))


async def with_ticker(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """(seconds ``work`` took, the event loop's longest stall meanwhile in seconds)."""
    longest = 0.0
    running = True

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest = max(longest, now - last - 0.001)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    await work()
    took = time.perf_counter() - started
    running = False
    await task
    return took, longest


async def bench_chart(rounds: int) -> bool:
    data = chart_data()
    chart.render_png(data)  # import matplotlib and its fonts once, as the first /stats does

    async def inline() -> object:
        return chart.render_png(data)

    async def threaded() -> object:
        return await asyncio.to_thread(chart.render_png, data)

    async def in_process() -> object:  # what the bot does: bot.reports.chart.render
        return await chart.render(data)

    chart.shutdown()
    cold, cold_stall = await with_ticker(in_process)
    print(
        f"chart  process pool, first call (spawn + import matplotlib): {cold * 1000:.0f} ms, "
        f"loop's max stall {cold_stall * 1000:.1f} ms"
    )
    results = {}
    for name, way in (
        ("in the loop's thread", inline),
        ("asyncio.to_thread", threaded),
        ("process (chosen)", in_process),
    ):
        runs = [await with_ticker(way) for _ in range(rounds)]
        took = statistics.median(r[0] for r in runs)
        stall = max(r[1] for r in runs)
        results[name] = (took, stall)
        print(
            f"chart  {name:<22} median {took * 1000:6.0f} ms  loop's max stall {stall * 1000:6.1f} ms  ({rounds} runs)"
        )
    chart.shutdown()
    took, stall = results["process (chosen)"]
    size = len(chart.render_png(data))
    ok = took <= CHART_BAR_S and stall < 20e-3
    print(
        f"chart  chosen: one worker process · {took * 1000:.0f} ms ≤ {CHART_BAR_S * 1000:.0f} ms, "
        f"loop stalls ≤ {stall * 1000:.1f} ms (bar 20 ms) · PNG {size / 1024:.0f} KB · {'met' if ok else 'MISSED'}"
    )
    return ok


async def build(store: Store, recipients: int, parts: int = 6) -> int:
    """A broadcast of ``parts`` parts to ``recipients`` chats, with every state of a recipient."""
    now = utcnow()
    async with store.transaction() as conn:
        await conn.execute(
            "INSERT INTO bulletins (id, title, month, source_sha256, created_at) "
            "VALUES (1, 'Bản tin', '2026-12', 'x', ?)",
            (now,),
        )
        await conn.execute(
            "INSERT INTO broadcasts (id, bulletin_id, status, created_at, started_at) VALUES (1, 1, 'running', ?, ?)",
            (now, now),
        )
        await conn.executemany(
            "INSERT INTO broadcast_messages (broadcast_id, seq, task_number, html, ack_for) VALUES (1, ?, ?, 'x', ?)",
            [(seq, seq, 1 if seq == parts else None) for seq in range(1, parts + 1)],
        )
        await conn.executemany(
            "INSERT INTO subscribers (chat_id, chat_type, display_name, role, unit, active, subscribed_at, updated_at) "
            "VALUES (?, 'private', ?, 'Báo cáo viên', ?, 1, ?, ?)",
            [
                (chat, f"Nguyễn Thị Hồng {chat}", f"Phường số {chat % 40}", now, now)
                for chat in range(1, recipients + 1)
            ],
        )

        def state(chat: int) -> tuple[str, str | None]:
            if chat % 50 == 0:
                return "cancelled", "blocked: Forbidden: bot was blocked by the user"
            if chat % 71 == 0:
                return "failed", "Bad Request: chat not found"
            if chat % 13 == 0:
                return "pending", None
            return "sent", None

        # Times as a real broadcast writes them: 30 messages a second, each row its own microsecond.
        start = dt.datetime(2026, 12, 3, 0, 30, tzinfo=dt.UTC)

        def stamp(n: int) -> str:
            return (start + dt.timedelta(seconds=n / 30)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

        rows = []
        for chat in range(1, recipients + 1):
            status, error = state(chat)
            for seq in range(1, parts + 1):
                last = seq == parts
                at = stamp((chat - 1) * parts + seq)
                rows.append((chat, seq, status if last else "sent", error if last else None, at))
        await conn.executemany(
            "INSERT INTO deliveries (broadcast_id, chat_id, seq, status, error, updated_at) VALUES (1, ?, ?, ?, ?, ?)",
            rows,
        )
        await conn.executemany(
            "INSERT INTO acknowledgements (broadcast_id, chat_id, at) VALUES (1, ?, ?)",
            [(chat, stamp(chat * parts + 7 * chat % 3600)) for chat in range(1, recipients + 1, 5)],
        )
    return 1


async def bench_csv(sizes: list[int]) -> bool:
    zone = resolve_zone(ZONE_NAME)
    ok = True
    peaks = {}
    for recipients in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-csv-") as tmp:
            async with await Store.open(Path(tmp) / "bench.db") as store:
                broadcast = await build(store, recipients)
                # A first pass warms SQLite's page cache, as a database in use would be.
                async for _ in csv_export.chunks(store, broadcast, zone, ZONE_NAME):
                    pass
                # Timed without tracemalloc (which slows Python's allocations more than twofold),
                # then the same export again for its peak memory.
                started = time.perf_counter()
                size = lines = 0
                async for chunk in csv_export.chunks(store, broadcast, zone, ZONE_NAME):
                    size += len(chunk)
                    lines += chunk.count(b"\r\n")
                took = time.perf_counter() - started
                tracemalloc.start()
                async for _chunk in csv_export.chunks(store, broadcast, zone, ZONE_NAME):
                    pass
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
        peaks[recipients] = peak
        assert lines == recipients + 1, (lines, recipients)
        met = took <= CSV_BAR_S or recipients < 100_000
        ok = ok and met
        print(
            f"csv    {recipients:>7,} rows ({recipients * 6:,} outbox rows)  {took:6.2f} s  "
            f"{size / 1e6:6.1f} MB written  peak Python memory {peak / 1e6:5.2f} MB"
        )
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        ratio = peaks[large] / peaks[small]
        flat = ratio < 1.5
        ok = ok and flat
        print(
            f"csv    peak memory {large:,} rows / {small:,} rows = {ratio:.2f} "
            f"({'flat' if flat else 'GROWS'}) · 100,000 rows ≤ {CSV_BAR_S:.0f} s: {'met' if ok else 'MISSED'}"
        )
    return ok


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("chart", "csv"))
    parser.add_argument("--rounds", type=int, default=7, help="renders per way (median)")
    parser.add_argument("--rows", default="10000,100000", help="recipients of the CSV exports, comma-separated")
    args = parser.parse_args()
    ok = True
    if args.only in (None, "chart"):
        ok = await bench_chart(args.rounds) and ok
    if args.only in (None, "csv"):
        ok = await bench_csv([int(n) for n in args.rows.split(",")]) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
