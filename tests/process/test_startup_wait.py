"""``python -m bot run`` started while Telegram is unreachable: it waits with back-off, saying so once per
attempt, comes up when Telegram does and answers /start; SIGTERM while it waits exits at once with rc 0;
a rejected token still fails at once, with one clear line."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import time
from pathlib import Path

from bot.offline.localtg import LocalTelegram
from tests.conftest import TOKEN
from tests.process.test_process import bot_env, failed_start, start_bot

RETRY = re.compile(r"Telegram unreachable \((?P<reason>.+)\), retrying in (?P<delay>\d+\.\d) s")


def free_port() -> int:
    """A port nothing listens on (bound and released; the kernel does not hand it out again at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for_port(tmp_path: Path, port: int) -> dict[str, str]:
    return bot_env(
        None,
        tmp_path / "bot.db",
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=f"http://127.0.0.1:{port}/bot",
        TELEGRAM_FILE_URL=f"http://127.0.0.1:{port}/file/bot",
    )


async def read_until(stream: asyncio.StreamReader, pattern: re.Pattern[str], count: int, seen: list[str]) -> None:
    """Read stderr lines into ``seen`` until ``pattern`` matched ``count`` of them."""
    while sum(1 for line in seen if pattern.search(line)) < count:
        raw = await asyncio.wait_for(stream.readline(), timeout=30)
        if not raw:
            raise AssertionError("the bot exited while waiting for Telegram:\n" + "\n".join(seen[-20:]))
        seen.append(raw.decode().rstrip("\n"))


async def test_waits_for_telegram_then_answers_start(tmp_path: Path) -> None:
    port = free_port()
    proc = await start_bot(env_for_port(tmp_path, port))
    assert proc.stderr is not None
    seen: list[str] = []
    tg = LocalTelegram()
    try:
        await read_until(proc.stderr, RETRY, 2, seen)
        retries = [m for line in seen if (m := RETRY.search(line))]
        assert "cannot connect" in retries[0]["reason"].lower()  # the reason, from the HTTP client
        # 1 s then 2 s, each less a jitter of at most 20 %.
        assert 0.8 <= float(retries[0]["delay"]) <= 1.0 and 1.6 <= float(retries[1]["delay"]) <= 2.0
        assert proc.returncode is None

        await tg.start("127.0.0.1", port)  # Telegram is back
        tg.user_message(501, "/start")
        await tg.wait_for_messages(501, 1, timeout=30)
        assert "Xin chào" in (tg.messages_for(501)[0].text or "")
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(proc.stderr.read(), timeout=15)
        await proc.wait()
        await tg.stop()
    err = "\n".join(seen) + rest.decode()
    assert proc.returncode == 0, err[-2000:]
    assert "Telegram reachable again after 3 attempts" in err
    assert "Traceback" not in err and "Unclosed" not in err and TOKEN not in err


async def test_sigterm_while_waiting_exits_at_once_with_rc_0(tmp_path: Path) -> None:
    proc = await start_bot(env_for_port(tmp_path, free_port()))
    assert proc.stderr is not None
    seen: list[str] = []
    try:
        await read_until(proc.stderr, RETRY, 3, seen)  # now in a 4 s wait
    except BaseException:
        proc.kill()
        raise
    proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    rest = await asyncio.wait_for(proc.stderr.read(), timeout=10)
    await proc.wait()
    took = time.monotonic() - started
    print(f"SIGTERM while waiting to exit: {took:.2f} s")  # reported, not asserted: no stopwatch here
    err = "\n".join(seen) + rest.decode()
    assert proc.returncode == 0, err[-2000:]
    assert "stopped while waiting for Telegram" in err
    # Not one attempt more after the signal: it did not sit out the 4 s wait.
    assert len(RETRY.findall(err)) == 3
    assert "Traceback" not in err and "Unclosed" not in err and TOKEN not in err


async def test_a_rejected_token_fails_at_once_without_retrying(tmp_path: Path) -> None:
    async with LocalTelegram(valid_tokens=["42:only-this-token-is-valid-here"]) as tg:
        code, lines = await failed_start(bot_env(tg, tmp_path / "x.db"))
        asked = tg.stats()["methods"].get("getMe", 0)
    assert code == 2 and lines[-1] == "error: Telegram rejected BOT_TOKEN: check it with @BotFather"
    assert not any("retrying" in line for line in lines)
    assert asked == 1  # asked once, not again and again
