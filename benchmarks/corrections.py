"""Benchmark (issue 12, point 4): a correction of a task sent to ``--chats`` chats, through the real
delivery chain (Pacer → fast-path sender → engine, as ``bot.ptb.delivery_wiring`` builds it) against
the local Telegram imitation with its limits enforced (``--rate`` overall, 1 s between two messages
to one chat; edits and deletes counted like sends), on a real SQLite outbox.

One process: the imitation and the engine share an event loop (as the seam tests do). A one-part
broadcast goes out first (its message ids are what the corrections act on); then, each timed from
the moment it is queued to the moment nothing is pending and every outcome is written:

``edit``       the task's text edited in every chat;
``again``      the same edit again: Telegram answers "message is not modified" everywhere (success);
``retract``    the task retracted, half of the chats' messages dated three days back (the outbox and
               Telegram both), so those are edited into the withdrawn notice and the rest deleted;
``notice``     a notice replying to the task's message.

Each line: seconds, the rate achieved, the outcome tally, chat-bound requests in the busiest sliding
second at the imitation (edits and sends; the imitation keeps no time for a delete, so a retract's
deletes are not in it, though they are counted against the limits), 429s and per-chat violations
(target 0).

    .venv/bin/python benchmarks/corrections.py                   # 200 chats at 28/s (~40 s)
    .venv/bin/python benchmarks/corrections.py --chats 1000 --rate 28
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.delivery.engine import DeliveryEngine  # noqa: E402
from bot.domain.parser import parse_bulletin  # noqa: E402
from bot.domain.rendering import render_bulletin  # noqa: E402
from bot.offline.console import sample_path  # noqa: E402
from bot.offline.localtg import LocalTelegram  # noqa: E402
from bot.offline.localtg.limits import Limits  # noqa: E402
from bot.ptb.delivery_wiring import wire_delivery  # noqa: E402
from bot.services import corrections as service  # noqa: E402
from data import bulletins, corrections, outbox, subscribers  # noqa: E402
from data.store import Store  # noqa: E402

TOKEN = "123456:benchmark-corrections"
THREE_DAYS = 3 * 24 * 3600


async def _drained(store: Store, engine: DeliveryEngine, broadcast_id: int) -> None:
    while True:
        pending = await store.fetchval(
            "SELECT count(*) FROM deliveries WHERE broadcast_id = ? AND status = 'pending'", (broadcast_id,)
        )
        if not pending and engine.idle:
            break
        await asyncio.sleep(0.02)
    await outbox.finish_if_complete(store, broadcast_id)


def _busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max((bisect.bisect_right(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


async def run(chats: int, rate: float) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-corrections-") as tmp:
        async with (
            await Store.open(Path(tmp) / "bench.db") as store,
            LocalTelegram(limits=Limits(global_rate=int(rate))) as tg,
        ):
            for i in range(chats):
                chat_id = 3_000_000 + i
                await subscribers.subscribe(store, chat_id, user_id=chat_id, chat_type="private", display_name=None)
            bulletin_id, _ = await bulletins.add(store, parse_bulletin(sample_path().read_bytes()))
            archived = await bulletins.get(store, bulletin_id)
            assert archived is not None
            first = render_bulletin(archived)[0]
            chain = wire_delivery(TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url, send_rate=rate)
            async with chain.bot:
                engine = chain.engine(store)
                await engine.start()
                try:
                    info = await outbox.create_broadcast(
                        store, bulletin_id, [(first.task_number, first.html)], requested_by=None, admin_chat_id=None
                    )
                    engine.wake()
                    await _drained(store, engine, info.id)
                    failures = 0

                    async def measure(name: str, plan: service.Plan) -> None:
                        nonlocal failures
                        edits_before, sent_before = len(tg.edits), len(tg.sent)
                        t0 = time.monotonic()
                        queued = await service.queue(
                            store, plan, admin_user_id=None, admin_name=None, admin_chat_id=None
                        )
                        engine.wake()
                        await _drained(store, engine, queued.id)
                        seconds = time.monotonic() - t0
                        tally = await corrections.tally(store, queued.id)
                        stamps = [e.at for e in tg.edits[edits_before:]] + [m.at for m in tg.sent[sent_before:]]
                        stats = tg.stats()
                        limited = stats["rate_limited_total"]
                        failures += limited + tally.failed
                        print(
                            f"{name:8} chats={queued.chats} seconds={seconds:.2f} rate={queued.chats / seconds:.1f}/s "
                            f"done={tally.done} not_modified={tally.not_modified} "
                            f"edited_instead={tally.edited_instead} "
                            f"failed={tally.failed} busiest_second={_busiest_second(stamps)} (limit {rate:g}) "
                            f"429s={limited} max_chat_violations={stats['max_per_chat_violations']}",
                            flush=True,
                        )

                    target = await service.load(store, info.id)
                    number = first.task_number
                    text = "Tổ chức quán triệt, tuyên truyền kết quả Hội nghị (nội dung đã đính chính)."
                    await measure("edit", await service.plan_edit(store, target, number, text))
                    await measure("again", await service.plan_edit(store, target, number, text))
                    # Half the messages three days old, for the outbox and for Telegram.
                    rows = await store.fetchall(
                        "SELECT id, chat_id, message_id FROM deliveries WHERE broadcast_id = ? ORDER BY chat_id",
                        (info.id,),
                    )
                    old = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() - THREE_DAYS))
                    for row in rows[::2]:
                        await store.execute("UPDATE deliveries SET updated_at = ? WHERE id = ?", (old, row[0]))
                        tg.set_message_date(int(row[1]), int(row[2]), time.time() - THREE_DAYS)
                    notice = await service.plan_notice(store, target, number, "Xin đọc lại nhiệm vụ này.")
                    await measure("retract", await service.plan_retract(store, target, number))
                    await measure("notice", notice)
                finally:
                    await engine.stop()
    print("targets=met" if failures == 0 else "targets=missed(429s or failures)")
    return 0 if failures == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--rate", type=float, default=28.0, help="SEND_RATE and the imitation's overall limit")
    args = parser.parse_args()
    return asyncio.run(run(args.chats, args.rate))


if __name__ == "__main__":
    raise SystemExit(main())
