"""The bot as a real process: configuration and start-up errors, where settings and the database are
found, what the logs never hold, SIGTERM mid-broadcast with nothing lost, and kill -9 then restart."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.offline.localtg import LocalTelegram
from bot.settings import Settings
from data import outbox
from data.store import Store
from tests.conftest import DATA, TOKEN
from tests.delivery_helpers import add_subscribers, queue, until

ROOT = Path(__file__).resolve().parents[2]
PARTS = 6


# Every setting the bot reads (LOG_FORMAT, WEBHOOK_URL ... included), so none leaks in from outside.
SETTINGS = {name.upper() for name in Settings.model_fields} | {"BULLETIN_ENV_FILE"}


def clean_env() -> dict[str, str]:
    """This process's environment without any of the bot's settings."""
    return {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS}


def bot_env(tg: LocalTelegram | None, db: Path, **extra: str) -> dict[str, str]:
    """Settings for a bot process; an empty .env beside ``db``, so no .env of the checkout leaks in."""
    env_file = db.parent / "empty.env"
    env_file.touch()
    env = clean_env()
    env.update({"DATABASE_PATH": str(db), "LOG_LEVEL": "INFO", "BULLETIN_ENV_FILE": str(env_file)})
    if tg is not None:
        env.update({"BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": tg.base_url, "TELEGRAM_FILE_URL": tg.base_file_url})
    env.update(extra)
    return env


async def start_bot(env: dict[str, str], *args: str, cwd: Path = ROOT) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *(args or ("run",)),
        cwd=cwd,
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


def sent_rows_now(db: Path) -> int:
    """The same, read-only and without migrating: for polling while the bot process writes."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT count(*) FROM deliveries WHERE status = 'sent'").fetchone()[0])


async def all_recorded(db: Path, n: int) -> None:
    """Until every one of the ``n`` rows is recorded as sent: then no part can be sent again, so what
    the imitation holds after this is final (no sleeping to let a duplicate arrive)."""
    await until(lambda: sent_rows_now(db) == n, timeout=60)


async def test_sigterm_stops_mid_broadcast_with_state_saved(tmp_path: Path, tg: LocalTelegram) -> None:
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
    print(f"SIGTERM to exit: {took:.2f} s")  # reported, not asserted: the suite is no stopwatch
    delivered = sum(len(v) for v in broadcast_messages(tg, chats).values())
    assert 60 <= delivered < len(chats) * PARTS  # it stopped, rather than finishing the broadcast first
    assert await sent_rows(db) == delivered  # every delivered message was recorded before exit
    assert TOKEN not in stderr.decode()

    # Restart: the rest arrives, nothing twice, in order.
    proc = await start_bot(bot_env(tg, db, SEND_RATE="25"))
    try:
        await tg.wait_for(lambda: len(tg.sent) >= len(chats) * PARTS, timeout=40)
        await all_recorded(db, len(chats) * PARTS)
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
        await all_recorded(db, len(chats) * PARTS)
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
        ({"BULLETIN_ENV_FILE": "/nonexistent/bulletin.env"}, "BULLETIN_ENV_FILE"),
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
    assert {"title", "month", "published", "organizer", "tasks", "warnings"} <= set(got)
    for key in ("title", "month", "published", "organizer", "task_count", "task_starts"):
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


async def failed_start(env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    """Exit code and stderr lines of a start that must fail, checked for what no failure may print."""
    proc = await start_bot(env, *(args or ("run",)))
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    err = stderr.decode()
    assert proc.returncode is not None and proc.returncode != 0, err[-2000:]
    assert "Traceback" not in err and TOKEN not in err, err[-2000:]
    # The request sessions are closed on the way out, whatever failed.
    assert "Unclosed" not in err, err[-2000:]
    return proc.returncode, err.strip().splitlines()


def start_up_line(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("database "))


async def test_a_rejected_token_is_explained(tmp_path: Path) -> None:
    # An unreachable Telegram is waited for instead: tests/process/test_startup_wait.py.
    async with LocalTelegram(valid_tokens=["42:only-this-token-is-valid-here"]) as tg:
        code, lines = await failed_start(bot_env(tg, tmp_path / "y.db"))
    assert code == 2 and "rejected BOT_TOKEN" in lines[-1]


async def test_a_wrong_api_url_is_named_as_such_not_as_a_rejected_token(tmp_path: Path, tg: LocalTelegram) -> None:
    wrong = tg.base_url.replace("/bot", "/wrong/bot")  # a server that answers 404 to every path
    code, lines = await failed_start(bot_env(tg, tmp_path / "x.db", TELEGRAM_API_URL=wrong))
    assert code == 2
    assert lines[-1].startswith("error: TELEGRAM_API_URL looks wrong") and wrong in lines[-1]
    assert not any("BOT_TOKEN" in line for line in lines)
    assert len(lines) == 2 and lines[0] == start_up_line(lines)  # no PTB traceback of its JSON parse


def read_only_database(db: Path) -> None:
    """A database SQLite itself treats as read-only, even for root, who ignores file modes: a file
    format write version above 2 (https://sqlite.org/fileformat2.html#file_format_version_numbers)."""
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    header = bytearray(db.read_bytes())
    header[18] = 3
    db.write_bytes(bytes(header))


@pytest.mark.parametrize("command", ["run", "import"])
async def test_a_read_only_database_is_one_clear_line_and_exit_2(
    tmp_path: Path, tg: LocalTelegram, command: str
) -> None:
    db = tmp_path / "ro.db"
    read_only_database(db)
    args = ("import", str(DATA / "case01.txt")) if command == "import" else ("run",)
    code, lines = await failed_start(bot_env(tg, db), *args)
    assert code == 2
    errors = [line for line in lines if line != start_up_line(lines)]
    assert errors == [f"error: cannot use the database {db}: {errors[0].split(': ', 2)[2]}"]
    assert "read-only" in errors[0] and "DATABASE_PATH" in errors[0]


async def test_env_file_and_database_are_found_wherever_the_command_runs(tmp_path: Path) -> None:
    home, elsewhere = tmp_path / "deploy", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    (home / ".env").write_text("DATABASE_PATH=var/archive.db\nLOG_LEVEL=WARNING\n", encoding="utf-8")
    bulletin = str(DATA / "case01.txt")
    db = (home / "var" / "archive.db").resolve()

    # Named by BULLETIN_ENV_FILE, run from another folder: the .env is read, and the relative
    # DATABASE_PATH is beside it, not in the working directory.
    env = {**clean_env(), "BULLETIN_ENV_FILE": str(home / ".env")}
    proc = await start_bot(env, "import", bulletin, cwd=elsewhere)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, stderr.decode()
    assert "added as #1" in stdout.decode()
    assert stderr.decode().splitlines()[0] == (
        f"database {db} · settings from the environment and {(home / '.env').resolve()}"
    )
    assert db.is_file() and not (elsewhere / "var").exists()

    # The .env of the working directory, found without being named: the same archive.
    proc = await start_bot(clean_env(), "import", bulletin, cwd=home)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, stderr.decode()
    assert "already in the archive as #1" in stdout.decode()
    assert str(db) in stderr.decode().splitlines()[0]

    # The environment wins over the file; an absolute DATABASE_PATH is taken as it is.
    other = tmp_path / "other.db"
    proc = await start_bot({**env, "DATABASE_PATH": str(other)}, "import", bulletin, cwd=elsewhere)
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0 and "added as #1" in stdout.decode()
    assert stderr.decode().startswith(f"database {other} ")


async def test_debug_logging_holds_no_sql_and_no_personal_data(tmp_path: Path, tg: LocalTelegram) -> None:
    name = "Nguyễn Thị Bảo Mật"
    proc = await start_bot(bot_env(tg, tmp_path / "bot.db", LOG_LEVEL="DEBUG"))
    try:
        tg.user_message(77, "/start", user_id=77, first_name=name)  # queued until the bot polls
        await tg.wait_for_messages(77, 1, timeout=30)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=10)
    err = stderr.decode()
    assert proc.returncode == 0, err[-2000:]
    assert " DEBUG " in err  # DEBUG is on for the bot's own loggers
    assert "aiosqlite" not in err and "INSERT INTO" not in err.upper()
    assert name not in err and TOKEN not in err
