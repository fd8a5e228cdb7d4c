"""``python -m bot run`` in webhook mode as a real process against the local imitation: it sets the
webhook, answers /start pushed to it, stops on SIGTERM with rc 0; without a valid secret it refuses to
start (one line, rc 2); a port already taken is one line and rc 1."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from bot.offline.localtg import LocalTelegram
from tests.conftest import TOKEN
from tests.process.test_process import ROOT, bot_env, start_bot

SECRET = "process-test_secret-42"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_run_serves_the_webhook_answers_start_and_stops_on_sigterm(tmp_path: Path, tg: LocalTelegram) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    env = bot_env(tg, tmp_path / "bot.db", WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET, WEBHOOK_LISTEN="127.0.0.1")
    env["WEBHOOK_PORT"] = str(port)
    proc = await start_bot(env)
    try:
        await tg.wait_for(lambda: tg.webhook_url == url, timeout=30)
        assert tg.webhook_secret == SECRET
        tg.user_message(111, "/start", first_name="Lan")
        [welcome] = await tg.wait_for_messages(111, 1, timeout=30)
        assert "Xin chào Lan!" in (welcome.text or "")
        assert [p.status for p in tg.webhook_posts] == [200]
        assert tg.stats()["methods"].get("getUpdates", 0) == 0
    except BaseException:
        proc.kill()
        raise
    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=10)
    took = time.monotonic() - started
    print(f"SIGTERM to exit in webhook mode: {took:.2f} s")  # reported; the 2 s bound is the seam test's
    out, err = stdout.decode(), stderr.decode()
    assert proc.returncode == 0, err[-2000:]
    assert f"Running live: webhook {url}, listening on 127.0.0.1:{port}" in out
    # http on port 18xxx is warned about (Telegram itself would not post there), not refused.
    assert "WEBHOOK_URL is not https" in err and f"port {port} is not one Telegram posts to" in err
    assert TOKEN not in out + err and SECRET not in out + err
    # Nothing listens any more; the webhook stays set, so Telegram keeps what arrives meanwhile.
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
    assert tg.webhook_url == url


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({}, "WEBHOOK_SECRET is not"),
        ({"WEBHOOK_SECRET": "not a valid secret!"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_SECRET": "x" * 257}, "WEBHOOK_SECRET"),
    ],
)
async def test_webhook_without_a_valid_secret_is_refused(
    tmp_path: Path, tg: LocalTelegram, extra: dict[str, str], needle: str
) -> None:
    env = bot_env(tg, tmp_path / "bot.db", WEBHOOK_URL="http://127.0.0.1:18443/hook", **extra)
    proc = await start_bot(env)
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    lines = stderr.decode().strip().splitlines()
    assert proc.returncode == 2, stderr.decode()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in stderr.decode()
    assert "not a valid secret!" not in lines[0]
    assert tg.stats()["methods"].get("setWebhook", 0) == 0  # refused before talking to Telegram


async def test_a_port_already_taken_is_one_line_and_rc_1(tmp_path: Path, tg: LocalTelegram) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        env = bot_env(tg, tmp_path / "bot.db", WEBHOOK_URL=f"http://127.0.0.1:{port}/hook", WEBHOOK_SECRET=SECRET)
        env.update({"WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(port)})
        proc = await start_bot(env)
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    err = stderr.decode()
    assert proc.returncode == 1, err
    assert f"cannot listen on 127.0.0.1:{port} for the webhook" in err and "Traceback" not in err
    assert tg.stats()["methods"].get("setWebhook", 0) == 0


async def test_console_in_webhook_mode(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "console",
        "--webhook",
        cwd=ROOT,
        env=bot_env(None, tmp_path / "unused.db"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(b"/start\n/latest\n"), timeout=90)
    out = stdout.decode()
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert "webhook mode: the imitation POSTs each update to http://127.0.0.1:" in out
    assert out.index("Xin chào") < out.index("Hội nghị Báo cáo viên tháng 10/2021: 6 nhóm nhiệm vụ trọng tâm")
    assert "Traceback" not in out + stderr.decode()
