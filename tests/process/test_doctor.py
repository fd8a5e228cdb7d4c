"""``python -m bot doctor`` as a real process against the local Telegram imitation and real SQLite
files: one line per check, a verdict, exit code 1 exactly when a check is ✗, never the token, and
the database only read (a missing one is reported, never created)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import stat
from pathlib import Path

from bot.offline.localtg import LocalTelegram
from bot.services.doctor import head_version
from data.instance_lock import hold, lock_path
from data.store import Store
from tests.conftest import TOKEN
from tests.delivery_helpers import add_subscribers, queue, until
from tests.process.test_process import bot_env, start_bot

# Not the imitation's accepted token, but token-shaped: what a typo'd BOT_TOKEN looks like.
WRONG_TOKEN = "123456:WRONG-token-abcdefghijklmnopqrstuvwx"
OLD = "2026-01-01T00:00:00.000000Z"


async def doctor(env: dict[str, str]) -> tuple[int, dict[str, str], str]:
    """Exit code, {check name: its whole line}, and all that was printed (stdout and stderr)."""
    proc = await start_bot(env, "doctor")
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    out = stdout.decode()
    lines: dict[str, str] = {}
    for line in out.splitlines()[:-1]:
        name = line[2:].split(":", 1)[0]
        lines.setdefault(name, line)
    assert out.splitlines()[-1].startswith("verdict: "), out
    return proc.returncode, lines, out + stderr.decode()


async def a_database(tmp_path: Path) -> Path:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        await add_subscribers(store, [1, 2, 3])
        await queue(store, n=2)
    return db


def sql(db: Path, *statements: str) -> None:
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as conn:
        for statement in statements:
            conn.execute(statement)


def garble(db: Path, page: int = 4096) -> None:
    """Overwrite every page but the first (the header and sqlite_schema) with junk."""
    with open(db, "r+b") as f:
        size = f.seek(0, os.SEEK_END)
        for offset in range(page, size, page):
            f.seek(offset)
            f.write(b"\xa5" * page)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_all_good_is_rc_0_with_every_check_and_no_token(tmp_path: Path, tg: LocalTelegram) -> None:
    db = await a_database(tmp_path)
    before = digest(db)
    code, lines, out = await doctor(bot_env(tg, db, ADMIN_IDS="9001"))
    assert code == 0, out
    assert TOKEN not in out and TOKEN.split(":")[1] not in out
    assert lines["token"].startswith("✓") and "@local_bulletin_bot" in lines["token"]
    assert lines["settings"].startswith("✓") and str(db) in lines["settings"] and "empty.env" in lines["settings"]
    assert lines["webhook"].startswith("✓") and "long polling" in lines["webhook"]
    assert lines["bot process"] == "✓ bot process: no bot is running on this database"
    assert lines["integrity"] == "✓ integrity: ok (integrity_check)"
    assert lines["schema"] == f"✓ schema: version {head_version()} (current)"
    assert lines["outbox"] == "✓ outbox: 6 pending row(s) (queued 6)"  # 3 chats × 2 parts
    for name in ("database", "writable", "stuck", "failed", "scheduled"):
        assert lines[name].startswith("✓"), lines[name]
    assert out.splitlines()[-1] == "verdict: ✓ healthy"
    assert digest(db) == before  # only read


async def test_a_wrong_token_is_a_cross_without_printing_it(tmp_path: Path) -> None:
    db = await a_database(tmp_path)
    async with LocalTelegram(valid_tokens=[TOKEN]) as tg:
        code, lines, out = await doctor(bot_env(tg, db, BOT_TOKEN=WRONG_TOKEN))
    assert code == 1
    assert lines["token"] == "✗ token: Telegram rejected BOT_TOKEN: check it with @BotFather"
    assert WRONG_TOKEN not in out and WRONG_TOKEN.split(":")[1] not in out
    assert lines["webhook"].startswith("⚠") and lines["integrity"].startswith("✓")  # the rest is still checked
    assert "verdict: ✗ not healthy" in out and "(token)" in out


async def test_telegram_unreachable_is_a_cross_with_the_reason(tmp_path: Path, tg: LocalTelegram) -> None:
    db = await a_database(tmp_path)
    closed = LocalTelegram()
    await closed.start()
    url = closed.base_url
    await closed.stop()  # nothing listens there any more
    code, lines, out = await doctor(bot_env(tg, db, TELEGRAM_API_URL=url))
    assert code == 1
    assert lines["token"].startswith("✗ token: cannot reach the Telegram Bot API at "), lines["token"]
    assert TOKEN not in out


async def test_a_missing_database_is_a_cross_and_is_not_created(tmp_path: Path, tg: LocalTelegram) -> None:
    db = tmp_path / "var" / "bot.db"
    env = bot_env(tg, tmp_path / "unused.db", DATABASE_PATH=str(db))  # its empty .env in tmp_path
    code, lines, _ = await doctor(env)
    assert code == 1
    assert lines["database"].startswith(f"✗ database: the database file is missing: {db}"), lines["database"]
    assert "(its folder does not exist either)" in lines["database"]
    assert not (tmp_path / "var").exists()  # neither the file, nor its folder, nor a lock file
    (tmp_path / "var").mkdir()
    code, lines, _ = await doctor(env)
    assert code == 1 and "folder" not in lines["database"]
    assert sorted(p.name for p in (tmp_path / "var").iterdir()) == []


async def test_a_database_deleted_under_a_running_bot_says_so(tmp_path: Path, tg: LocalTelegram) -> None:
    db = await a_database(tmp_path)
    with hold(db):
        code, lines, _ = await doctor(bot_env(tg, db))
        assert code == 0
        assert lines["bot process"] == f"✓ bot process: running (pid {os.getpid()})"
        db.unlink()
        code, lines, _ = await doctor(bot_env(tg, db))
    assert code == 1
    assert lines["database"].startswith(f"✗ database: the database file is missing while a bot runs on it: {db}")
    assert not db.exists()
    assert lock_path(db).exists()  # the bot's own lock file, left as it was


async def test_a_corrupt_database_is_a_cross_on_integrity(tmp_path: Path, tg: LocalTelegram) -> None:
    db = await a_database(tmp_path)
    garble(db)
    before = digest(db)
    code, lines, out = await doctor(bot_env(tg, db))
    assert code == 1
    assert lines["integrity"].startswith("✗ integrity: "), out
    assert "damaged" in lines["integrity"] or "malformed" in lines["integrity"]
    assert digest(db) == before

    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("Bản tin tháng 12\n" * 100, encoding="utf-8")
    code, lines, _ = await doctor(bot_env(tg, not_sqlite))
    assert code == 1 and lines["integrity"] == f"✗ integrity: {not_sqlite} is not an SQLite database"


async def test_schema_newer_is_a_cross_older_a_warning(tmp_path: Path, tg: LocalTelegram) -> None:
    db = await a_database(tmp_path)
    head = head_version()
    sql(db, f"PRAGMA user_version = {head + 2}")
    code, lines, _ = await doctor(bot_env(tg, db))
    assert code == 1
    assert lines["schema"].startswith(f"✗ schema: version {head + 2} is newer than this bot's migrations ({head})")

    sql(db, f"PRAGMA user_version = {head - 1}")
    code, lines, _ = await doctor(bot_env(tg, db, ADMIN_IDS="9001"))
    assert code == 0
    assert lines["schema"].startswith(f"⚠ schema: version {head - 1}, this bot's is {head}: will migrate")


async def test_a_read_only_database_is_a_cross(tmp_path: Path, tg: LocalTelegram) -> None:
    db = await a_database(tmp_path)
    db.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        code, lines, _ = await doctor(bot_env(tg, db))
    finally:
        db.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert code == 1
    assert lines["writable"].startswith("✗ writable: the database file is read-only")
    assert lines["integrity"].startswith("✓")


async def test_pending_failed_stuck_and_overdue_are_counted(tmp_path: Path, tg: LocalTelegram) -> None:
    db = await a_database(tmp_path)  # broadcast 1: 6 rows pending
    async with await Store.open(db) as store:
        await queue(store, ["Một", "Hai", "Ba"])  # broadcast 2: 9 rows
    now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    sql(
        db,
        # Broadcast 1 queued long ago and never moved: stuck.
        f"UPDATE broadcasts SET created_at = '{OLD}' WHERE id = 1",
        "UPDATE deliveries SET updated_at = NULL WHERE broadcast_id = 1",
        # Broadcast 2 running: two blocked chats failed today, one row an old failure (not counted).
        "UPDATE broadcasts SET status = 'running', started_at = " + now + " WHERE id = 2",
        "UPDATE deliveries SET status = 'failed', error = 'Forbidden: bot was blocked by the user', "
        f"updated_at = {now} WHERE broadcast_id = 2 AND chat_id IN (1, 2) AND seq = 1",
        f"UPDATE deliveries SET status = 'failed', error = 'old', updated_at = '{OLD}' "
        "WHERE broadcast_id = 2 AND chat_id = 3 AND seq = 1",
    )
    async with await Store.open(db) as store:
        await queue(store, ["Bốn"])  # broadcast 3: scheduled, an hour overdue
    sql(
        db,
        "UPDATE broadcasts SET status = 'scheduled', "
        "scheduled_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour') WHERE id = 3",
    )
    code, lines, out = await doctor(bot_env(tg, db, ADMIN_IDS="9001"))
    assert code == 0, out  # without a bot running, stuck and overdue are warnings
    assert lines["outbox"] == "✓ outbox: 15 pending row(s) (queued 6, running 6, scheduled 3)"
    assert lines["stuck"].startswith("⚠ stuck: #1 (queued, 6 pending) has not moved since 2026-01-01 07:00 (UTC+07)")
    assert lines["stuck"].endswith("no bot is running to deliver it")
    assert lines["failed"] == "⚠ failed: 2 row(s) in the last 7 days (Forbidden: bot was blocked by the user ×2)"
    assert lines["scheduled"].startswith("⚠ scheduled: #3 was due ") and "starts when the bot starts" in out

    with hold(db):  # a bot that runs and does not move them is not delivering
        code, lines, out = await doctor(bot_env(tg, db, ADMIN_IDS="9001"))
    assert code == 1
    assert lines["stuck"].startswith("✗ stuck: #1") and lines["scheduled"].startswith("✗ scheduled: #3")
    assert "verdict: ✗ not healthy: 2 problem(s) to fix (stuck, scheduled)" in out


async def test_webhook_info_last_error_and_url_are_shown_redacted(tmp_path: Path, tg: LocalTelegram) -> None:
    db = await a_database(tmp_path)
    tg.webhook_url = f"https://bot.example.org/hook/{TOKEN}"  # a token in the path must not leak either
    tg.webhook_last_error = (1764745200, "Wrong response from the webhook: 502 Bad Gateway")  # 2025-12-03 07:00Z
    code, lines, out = await doctor(bot_env(tg, db, ADMIN_IDS="9001"))
    assert code == 0
    assert TOKEN not in out
    assert lines["webhook"].startswith("⚠ webhook: Telegram posts updates to https://bot.example.org/hook/<redacted")
    assert "WEBHOOK_URL is not set" in lines["webhook"]
    assert lines["webhook error"] == (
        "⚠ webhook error: Telegram's last delivery to the webhook failed 2025-12-03 14:00 (UTC+07): "
        "Wrong response from the webhook: 502 Bad Gateway"
    )


async def test_a_bad_setting_is_a_cross_line_not_a_crash(tmp_path: Path, tg: LocalTelegram) -> None:
    db = await a_database(tmp_path)
    code, lines, out = await doctor(bot_env(tg, db, SEND_RATE="fast"))
    assert code == 1
    assert lines["settings"].startswith("✗ settings: invalid setting SEND_RATE"), out
    assert "Traceback" not in out


async def test_a_running_bot_logs_json_lines_and_doctor_sees_it(tmp_path: Path, tg: LocalTelegram) -> None:
    db = await a_database(tmp_path)  # broadcast 1: 3 chats × 2 parts
    env = bot_env(tg, db, ADMIN_IDS="9001", LOG_FORMAT="json")
    proc = await start_bot(env, "run")
    assert proc.stderr is not None
    records: list[dict[str, object]] = []
    raw: list[str] = []

    async def read() -> None:
        assert proc.stderr is not None
        async for line in proc.stderr:
            raw.append(line.decode())
            with contextlib.suppress(ValueError):
                records.append(json.loads(line))

    reader = asyncio.create_task(read())
    try:
        await until(lambda: any(r.get("broadcast_id") == 1 and r.get("status") == "done" for r in records), 30)
        code, lines, out = await doctor(env)
        assert code == 0, out
        assert lines["bot process"] == f"✓ bot process: running (pid {proc.pid})"
        assert lines["outbox"] == "✓ outbox: nothing pending" and lines["integrity"].startswith("✓")
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), timeout=10)
        await asyncio.wait_for(reader, timeout=10)
    assert proc.returncode == 0, "".join(raw)[-2000:]
    done = next(r for r in records if r.get("broadcast_id") == 1 and r.get("status") == "done")
    assert done["msg"] == "broadcast 1 done: 6/6 sent" and (done["sent"], done["total"]) == (6, 6)
    assert done["logger"] == "bot.delivery.monitor" and done["level"] == "INFO"
    assert len(records) == len(raw), raw  # every line of the log is one JSON object
    assert all({"ts", "level", "logger", "msg"} <= set(r) for r in records)
    assert TOKEN not in "".join(raw)


async def test_the_webhook_is_compared_with_webhook_url_and_the_secret_never_shown(
    tmp_path: Path, tg: LocalTelegram
) -> None:
    db = await a_database(tmp_path)
    secret = "s3cret_" + "x" * 40
    hook = "http://127.0.0.1:8443/telegram"
    env = bot_env(tg, db, ADMIN_IDS="9001", WEBHOOK_URL=hook, WEBHOOK_SECRET=secret)
    tg.webhook_url = hook
    code, lines, out = await doctor(env)
    assert code == 0, out
    assert lines["webhook"] == f"✓ webhook: {hook} (as WEBHOOK_URL), 0 update(s) waiting"
    tg.webhook_url = "https://old.example.org/hook"
    code, lines, out = await doctor(env)
    assert code == 0 and lines["webhook"].startswith("⚠ webhook: Telegram has https://old.example.org/hook, ")
    assert secret not in out and TOKEN not in out
