"""The bot as a real process: configuration errors, SIGTERM within 2 s, and kill -9 then restart."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.offline.localtg import LocalTelegram
from data import outbox
from data.store import Store
from tests.conftest import DATA, TOKEN
from tests.delivery_helpers import add_subscribers, queue

ROOT = Path(__file__).resolve().parents[2]
PARTS = 6


def bot_env(tg: LocalTelegram | None, db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "ADMIN_IDS", "SEND_RATE"}}
    env.update({"DATABASE_PATH": str(db), "LOG_LEVEL": "INFO"})
    if tg is not None:
        env.update({"BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": tg.base_url, "TELEGRAM_FILE_URL": tg.base_file_url})
    env.update(extra)
    return env


async def start_bot(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *(args or ("run",)),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def broadcast_messages(tg: LocalTelegram, chats: list[int]) -> dict[int, list[str]]:
    return {c: [m.text or "" for m in tg.messages_for(c)] for c in chats}


async def prepare(tmp_path: Path, chats: list[int]) -> Path:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        await add_subscribers(store, chats)
        await queue(store, n=PARTS)
    return db


async def sent_rows(db: Path) -> int:
    async with await Store.open(db) as store:
        return int(await store.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'"))


async def test_sigterm_stops_within_two_seconds_with_state_saved(tmp_path: Path, tg: LocalTelegram) -> None:
    chats = list(range(1, 61))
    db = await prepare(tmp_path, chats)
    proc = await start_bot(bot_env(tg, db, SEND_RATE="25"))
    try:
        await tg.wait_for(lambda: len(tg.sent) >= 60, timeout=30)
    except TimeoutError:
        proc.kill()
        raise
    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=10)
    took = time.monotonic() - started
    assert proc.returncode == 0, stderr.decode()[-2000:]
    print(f"SIGTERM to exit: {took:.2f} s")
    assert took < 2.0, f"took {took:.2f}s to stop"
    delivered = sum(len(v) for v in broadcast_messages(tg, chats).values())
    assert 60 <= delivered < len(chats) * PARTS
    assert await sent_rows(db) == delivered  # every delivered message was recorded before exit
    assert TOKEN not in stderr.decode()

    # Restart: the rest arrives, nothing twice, in order.
    proc = await start_bot(bot_env(tg, db, SEND_RATE="25"))
    try:
        await tg.wait_for(lambda: len(tg.sent) >= len(chats) * PARTS, timeout=40)
        await asyncio.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.communicate(), timeout=10)
    for chat, texts in broadcast_messages(tg, chats).items():
        assert texts == [f"<b>Phần {i}</b> nhiệm vụ số {i}" for i in range(1, PARTS + 1)], chat


async def test_kill_9_then_restart_loses_nothing(tmp_path: Path, tg: LocalTelegram) -> None:
    chats = list(range(1, 81))
    db = await prepare(tmp_path, chats)
    proc = await start_bot(bot_env(tg, db, SEND_RATE="30"))
    try:
        await tg.wait_for(lambda: len(tg.sent) >= 200, timeout=30)
    finally:
        proc.kill()  # SIGKILL: no cleanup at all
        await proc.communicate()
    proc = await start_bot(bot_env(tg, db, SEND_RATE="30"))
    try:
        await tg.wait_for(lambda: all(len(set(t)) == PARTS for t in broadcast_messages(tg, chats).values()), timeout=60)
        await asyncio.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.communicate(), timeout=10)
    expected = [f"<b>Phần {i}</b> nhiệm vụ số {i}" for i in range(1, PARTS + 1)]
    duplicates = 0
    for chat, texts in broadcast_messages(tg, chats).items():
        assert sorted(set(texts)) == sorted(expected), chat  # nothing lost
        deduped = [t for i, t in enumerate(texts) if i == 0 or t != texts[i - 1]]
        assert deduped == expected, chat  # in order; a duplicate can only repeat the previous part
        duplicates += sum(n - 1 for n in Counter(texts).values())
    # Only messages in flight (or acknowledged but not yet written) at the kill can repeat.
    assert duplicates <= 16
    async with await Store.open(db) as store:
        [info] = await outbox.recent_broadcasts(store)
        counts = await outbox.counts(store, info.id)
    assert counts.pending == 0 and counts.sent == len(chats) * PARTS


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"SEND_RATE": "fast"}, "SEND_RATE"),
        ({"ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
        ({"BOT_TOKEN": ""}, "BOT_TOKEN"),
    ],
)
async def test_bad_settings_give_one_clear_line_and_exit_2(tmp_path: Path, env: dict[str, str], needle: str) -> None:
    proc = await start_bot({**bot_env(None, tmp_path / "x.db"), **env}, "run")
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    lines = stderr.decode().strip().splitlines()
    assert proc.returncode == 2
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in stderr.decode()


async def test_parse_json_agrees_with_expected(tmp_path: Path) -> None:
    proc = await start_bot(bot_env(None, tmp_path / "x.db"), "parse", str(DATA / "seed-2021-10-haiphong.txt"), "--json")
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, stderr.decode()
    got = json.loads(stdout)
    expected = json.loads((DATA / "seed-2021-10-haiphong.expected.json").read_text(encoding="utf-8"))
    assert set(got) == {"title", "month", "published", "organizer", "tasks", "warnings"}
    for key in ("title", "month", "published", "organizer"):
        assert got[key] == expected[key]
    assert [t["number"] for t in got["tasks"]] == list(range(1, 7))
    starts = [" ".join(t["text"].split()[:8]) for t in got["tasks"]]
    assert starts == expected["task_starts"]


async def test_import_and_publish_cli(tmp_path: Path) -> None:
    env = bot_env(None, tmp_path / "cli.db")
    files = [str(DATA / "case01.txt"), str(DATA / "case02.txt"), str(DATA / "case01.txt")]
    proc = await start_bot(env, "import", *files)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    out = stdout.decode()
    assert proc.returncode == 0, stderr.decode()
    assert out.count("added as #") == 2 and "already in the archive" in out
    bad = tmp_path / "bad.txt"
    bad.write_text("không có nhiệm vụ", encoding="utf-8")
    proc = await start_bot(env, "import", str(bad))
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 1 and "not imported" in stderr.decode()

    async with await Store.open(tmp_path / "cli.db") as store:
        await add_subscribers(store, [5, 6])
    proc = await start_bot(env, "publish", str(DATA / "case03.txt"), "--yes")
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, stderr.decode()
    assert "queued broadcast #1: 6 messages × 2 subscribers" in stdout.decode()
    proc = await start_bot(env, "publish", str(DATA / "case03.txt"))  # no --yes and no terminal
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 1 and "--yes" in stderr.decode()


async def test_console_answers_the_scripted_questions(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=ROOT,
        env=bot_env(None, tmp_path / "unused.db"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate("/start\n/latest\nnhiệm vụ 3\n".encode()), timeout=90)
    out = stdout.decode()
    assert proc.returncode == 0, stderr.decode()[-2000:]
    first_line = out.splitlines()[0]
    assert "No BOT_TOKEN" in first_line and "offline console" in first_line
    welcome = out.index("Xin chào")
    bulletin = out.index("Hội nghị Báo cáo viên tháng 10/2021: 6 nhóm nhiệm vụ trọng tâm")
    task = out.index("📌 Nhiệm vụ 3/6 · Hội nghị Báo cáo viên tháng 10/2021")
    assert welcome < bulletin < task
    assert "Kết luận số 14-KL/TW" in out[task:]
    assert "Traceback" not in out + stderr.decode()


async def test_unreachable_telegram_and_rejected_token_are_explained(tmp_path: Path) -> None:
    env = bot_env(None, tmp_path / "x.db", BOT_TOKEN=TOKEN, TELEGRAM_API_URL="http://127.0.0.1:9/bot")
    proc = await start_bot(env, "run")
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    err = stderr.decode()
    assert proc.returncode == 1 and "cannot reach the Telegram Bot API" in err
    assert "Traceback" not in err and TOKEN not in err

    async with LocalTelegram(valid_tokens=["42:only-this-token-is-valid-here"]) as tg:
        proc = await start_bot(bot_env(tg, tmp_path / "y.db"), "run")
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    err = stderr.decode()
    assert proc.returncode == 2 and "rejected BOT_TOKEN" in err
    assert "Traceback" not in err and TOKEN not in err
