"""``python -m bot forget CHAT_ID [--yes]`` as a real process on a real SQLite file: --yes deletes and
prints what, exit 0; without --yes it asks on a terminal and refuses without one; an unknown or bad
id is one line on stderr, exit 1, and nothing changes."""

from __future__ import annotations

import asyncio
import os
import pty
import sys
from pathlib import Path

from data import acks, outbox, privacy, subscribers
from data.store import Store
from tests.delivery_helpers import add_subscribers, queue
from tests.process.test_process import ROOT, bot_env

CHAT = 7391046252


async def forget(env: dict[str, str], *args: str, stdin: int | None = None) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "forget",
        *args,
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL if stdin is None else stdin,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def prepared(tmp_path: Path) -> Path:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        await add_subscribers(store, [801])
        await subscribers.subscribe(store, CHAT, user_id=CHAT, chat_type="private", display_name="Hoa")
        info = await queue(store, n=2)
        rows = await store.fetchall("SELECT id FROM deliveries WHERE chat_id = ? ORDER BY seq", (CHAT,))
        await outbox.mark_sent(store, [(int(rows[0][0]), 11)])  # one part sent, one pending
        await acks.record(store, info.id, CHAT)
    return db


async def remembered(db: Path) -> bool:
    async with await Store.open(db) as store:
        return await privacy.known(store, CHAT)


async def test_yes_deletes_and_says_what(tmp_path: Path) -> None:
    db = await prepared(tmp_path)
    env = bot_env(None, db)
    code, out, err = await forget(env, str(CHAT), "--yes")
    assert code == 0, err
    assert out.strip() == (
        f"forgot chat {CHAT}: subscriber deleted; 2 deliveries anonymised (1 pending cancelled); "
        "1 acknowledgements anonymised; 1 subscription events anonymised; 0 drafts deleted; 0 admin records anonymised"
    )
    assert not await remembered(db)
    async with await Store.open(db) as store:
        assert await subscribers.get(store, 801) is not None  # nobody else
    # The same id again is now unknown.
    code, out, err = await forget(env, str(CHAT), "--yes")
    assert code == 1 and out == ""
    assert err.strip().splitlines()[-1] == f"error: nothing is stored about chat {CHAT} in {db}; nothing deleted"


async def test_without_yes_a_pipe_is_refused_and_a_terminal_is_asked(tmp_path: Path) -> None:
    db = await prepared(tmp_path)
    env = bot_env(None, db)
    code, out, err = await forget(env, str(CHAT))
    assert code == 1 and "add --yes" in err and await remembered(db)

    for answer, deleted in ((b"n\n", False), (b"y\n", True)):
        main, child = pty.openpty()
        try:
            os.write(main, answer)  # typed ahead; the prompt reads it
            code, out, err = await forget(env, str(CHAT), stdin=child)
        finally:
            os.close(child)
            os.close(main)
        assert code == (0 if deleted else 1), err
        assert ("forgot chat" in out) is deleted and ("cancelled; nothing deleted" in out) is not deleted
        assert await remembered(db) is not deleted


async def test_a_bad_or_unknown_id_is_one_line_and_exit_1(tmp_path: Path) -> None:
    db = await prepared(tmp_path)
    env = bot_env(None, db)
    for bad in ("abc", "12x", "١٢٣", "99999999999999999999", str(privacy.ANON_BASE + 1), "424242"):
        code, out, err = await forget(env, bad, "--yes")
        assert code == 1 and out == "", bad
        [line] = [x for x in err.splitlines() if x.startswith("error:")]
        assert "nothing deleted" in line, bad
    assert await remembered(db)
    code, _, err = await forget(bot_env(None, tmp_path / "missing.db"), str(CHAT), "--yes")
    assert code == 1 and "there is no database" in err
    assert not (tmp_path / "missing.db").exists()
