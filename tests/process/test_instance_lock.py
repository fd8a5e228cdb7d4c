"""One bot per database, as real processes: a second ``run`` is refused with one line and exit 2 while
the first keeps delivering; ``publish`` still works beside it; after ``kill -9`` a new ``run`` starts."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.offline.localtg import LocalTelegram
from tests.conftest import DATA
from tests.process.test_process import PARTS, all_recorded, bot_env, prepare, start_bot

CASE03_PARTS = 6  # python -m bot publish case03.txt queues 6 messages (see test_process.py)


async def test_second_run_refused_first_keeps_delivering_then_kill_9_frees_it(
    tmp_path: Path, tg: LocalTelegram
) -> None:
    chats = list(range(1, 21))
    db = await prepare(tmp_path, chats)
    env = bot_env(tg, db, SEND_RATE="25")
    first = await start_bot(env)
    try:
        await tg.wait_for(lambda: len(tg.sent) >= 20, timeout=30)

        second = await start_bot(env)
        stdout, stderr = await asyncio.wait_for(second.communicate(), timeout=30)
        assert second.returncode == 2, stderr.decode()
        assert stdout.decode() == ""
        lines = stderr.decode().strip().splitlines()
        assert lines == [
            f"error: another bot is already running on {db} (process {first.pid} holds {db}.lock); "
            "stop it first, or use another DATABASE_PATH"
        ]

        seen = len(tg.sent)
        await tg.wait_for(lambda: len(tg.sent) > seen, timeout=30)  # the first one goes on delivering

        # publish only writes to the store: it works while the bot runs.
        publish = await start_bot(env, "publish", str(DATA / "case03.txt"), "--yes")
        stdout, stderr = await asyncio.wait_for(publish.communicate(), timeout=30)
        assert publish.returncode == 0, stderr.decode()
        assert f"{CASE03_PARTS} messages × {len(chats)} subscribers" in stdout.decode()
    finally:
        first.kill()  # SIGKILL: the kernel drops the flock
        await first.communicate()

    third = await start_bot(env)
    try:
        await all_recorded(db, len(chats) * (PARTS + CASE03_PARTS))
    finally:
        third.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(third.communicate(), timeout=10)
    assert third.returncode == 0, stderr.decode()[-2000:]
    assert "already running" not in stderr.decode()
