"""Scheduled broadcasts through the real processes (issue 12): ``python -m bot publish FILE --yes --at
TIME`` exits 0 and says when; a running ``python -m bot run`` sends nothing before TIME and starts at
TIME; a bot that was down at TIME starts as soon as it is up and tells the admins how late; a past or
malformed TIME is refused with exit status 2. Times are 2 s ahead, never more."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import time
from pathlib import Path

from bot.offline.localtg import LocalTelegram
from data import outbox
from data.store import Store
from tests.conftest import DATA
from tests.delivery_helpers import add_subscribers, until
from tests.process.test_process import bot_env, start_bot

CHATS = [5, 6, 7]
ADMIN = 9001
BULLETIN = str(DATA / "case03.txt")  # six tasks
VIETNAM = dt.timezone(dt.timedelta(hours=7))


async def _run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await start_bot(env, *args)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, stdout.decode(), stderr.decode()


async def _subscribed(db: Path) -> None:
    async with await Store.open(db) as store:
        await add_subscribers(store, CHATS)


def _ahead(seconds: float) -> tuple[dt.datetime, float]:
    """A time ``seconds`` from now (Vietnam time, whole seconds) and the same moment on
    ``time.monotonic()``, the clock the imitation stamps deliveries with."""
    wall = dt.datetime.now(VIETNAM)
    target = (wall + dt.timedelta(seconds=seconds + 1)).replace(microsecond=0)
    return target, time.monotonic() + (target - wall).total_seconds()


def _received(tg: LocalTelegram) -> list[float]:
    return [m.at for chat in CHATS for m in tg.messages_for(chat)]


async def _stop(proc: asyncio.subprocess.Process) -> str:
    proc.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=10)
    return stderr.decode()


async def test_publish_at_waits_for_its_time_on_a_running_bot(tmp_path: Path, tg: LocalTelegram) -> None:
    db = tmp_path / "bot.db"
    await _subscribed(db)
    env = bot_env(tg, db, ADMIN_IDS=str(ADMIN))
    bot = await start_bot(env, "run")
    try:
        await tg.wait_for(lambda: tg.stats()["methods"].get("getUpdates", 0) > 0, timeout=30)
        target, target_mono = _ahead(2)
        code, out, err = await _run(env, "publish", BULLETIN, "--yes", "--at", target.isoformat())
        assert code == 0, err
        local = target.strftime("%Y-%m-%d %H:%M")
        utc = target.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
        assert f"scheduled broadcast #1: 6 messages × 3 subscribers; it goes out at {local} Asia/Ho_Chi_Minh" in out
        assert f"{utc} UTC" in out
        async with await Store.open(db) as store:
            info = await outbox.get_broadcast(store, 1)
        assert info is not None and info.status == "scheduled"
        await tg.wait_for(lambda: len(_received(tg)) == len(CHATS) * 6, timeout=30)
    finally:
        stderr = await _stop(bot)
    arrivals = _received(tg)
    # Nothing before TIME (50 ms for mapping the wall clock onto the monotonic one), and it started
    # at TIME, not at some later poll.
    assert min(arrivals) >= target_mono - 0.05, (min(arrivals) - target_mono, stderr[-2000:])
    assert min(arrivals) - target_mono < 2.5
    first = [m.text for m in tg.messages_for(CHATS[0])]
    assert len(first) == 6 and all(m.disable_notification for m in tg.messages_for(CHATS[0])[1:])
    assert all([m.text for m in tg.messages_for(chat)] == first for chat in CHATS)  # the same parts, in order
    # On time: the admins are not told it was late (it was scheduled from the CLI: no admin chat).
    assert not any("muộn" in (m.text or "") for m in tg.messages_for(ADMIN))


async def test_a_bot_down_at_time_starts_when_up_and_tells_the_admins_how_late(
    tmp_path: Path, tg: LocalTelegram
) -> None:
    db = tmp_path / "bot.db"
    await _subscribed(db)
    env = bot_env(tg, db, ADMIN_IDS=str(ADMIN))
    target, target_mono = _ahead(1)
    code, out, err = await _run(env, "publish", BULLETIN, "--yes", "--at", target.strftime("%Y-%m-%d %H:%M:%S"))
    # "YYYY-MM-DD HH:MM" in TIMEZONE (seconds allowed too, so the test waits only a second or two)
    assert code == 0 and "scheduled broadcast #1" in out, err
    async with await Store.open(db) as store:  # a subscriber who joins before TIME gets it too
        await add_subscribers(store, [8])
    await until(lambda: time.monotonic() > target_mono + 1.0, timeout=10)  # TIME passes; no bot running
    assert _received(tg) == []
    bot = await start_bot(env, "run")
    try:
        await tg.wait_for(lambda: all(len(tg.messages_for(c)) == 6 for c in [*CHATS, 8]), timeout=30)
        await tg.wait_for(lambda: any("muộn" in (m.text or "") for m in tg.messages_for(ADMIN)), timeout=10)
    finally:
        await _stop(bot)
    [notice] = [m.text or "" for m in tg.messages_for(ADMIN) if "muộn" in (m.text or "")]
    assert "Bản tin #1" in notice and "vì lúc đó bot không chạy" in notice
    assert "started" in notice and "late because the bot was not running then" in notice
    assert "giây" in notice or "phút" in notice  # how late, in words
    async with await Store.open(db) as store:
        info = await outbox.get_broadcast(store, 1)
        counts = await outbox.counts(store, 1)
    assert info is not None and info.recipients == 4 and counts.sent == 24


async def test_a_past_or_malformed_time_is_refused_with_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    await _subscribed(db)
    env = bot_env(None, db)
    code, out, err = await _run(env, "publish", BULLETIN, "--yes", "--at", "2020-01-02 07:30")
    assert code == 2 and "in the past" in err and "nothing queued" in err and "Traceback" not in err
    code, out, err = await _run(env, "publish", BULLETIN, "--yes", "--at", "sáng mai")
    assert code == 2 and "2026-12-02T07:30:00+07:00" in err and "YYYY-MM-DD" not in out
    assert "2026-12-02 07:30 (in TIMEZONE)" in err
    # Within a minute in the past: that is now.
    just_now = (dt.datetime.now(VIETNAM) - dt.timedelta(seconds=20)).isoformat(timespec="seconds")
    code, out, err = await _run(env, "publish", BULLETIN, "--yes", "--at", just_now)
    assert code == 0 and "queued broadcast #1: 6 messages × 3 subscribers" in out, err
    async with await Store.open(db) as store:
        info = await outbox.get_broadcast(store, 1)
    assert info is not None and info.status == "queued" and info.scheduled_at is None


async def test_timezone_setting_is_used_and_an_unknown_one_refused(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    await _subscribed(db)
    code, _, err = await _run(bot_env(None, db, TIMEZONE="Mars/Olympus"), "publish", BULLETIN, "--yes")
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "TIMEZONE" in lines[0] and "Mars/Olympus" in lines[0]
    # 2099-01-01 07:30 in UTC is 07:30 UTC, not 00:30 UTC as in Vietnam.
    code, out, err = await _run(
        bot_env(None, db, TIMEZONE="UTC"), "publish", BULLETIN, "--yes", "--at", "2099-01-01 07:30"
    )
    assert code == 0 and "2099-01-01 07:30 UTC" in out, err
    async with await Store.open(db) as store:
        info = await outbox.get_broadcast(store, 1)
    assert info is not None and info.scheduled_at == "2099-01-01T07:30:00.000000Z"
