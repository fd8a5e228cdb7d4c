"""``python -m bot publish FILE --yes --role … --unit …`` as a real process (issue 12): only the
subscribers of those roles and units are queued, the contract without them is unchanged, an unknown
unit queues nothing, and the CLI's send is recorded with no admin."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from data import admin_actions, subscribers, units
from data.store import Store
from tests.conftest import DATA
from tests.delivery_helpers import add_subscribers
from tests.process.test_cli_documents import run
from tests.process.test_process import bot_env


async def test_publish_with_role_and_unit_queues_only_them(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    env = bot_env(None, db)
    async with await Store.open(db) as store:
        hai, _ = await units.add(store, "Phường Đông Hải")
        await add_subscribers(store, [84_001, 84_002, 84_003])
        for chat, kind in ((84_001, "ttv"), (84_002, "ttv"), (84_003, "bcv")):
            await subscribers.set_role(store, chat, kind, kind)
        await subscribers.set_unit(store, 84_001, hai.id, hai.name)
        await subscribers.set_unit(store, 84_003, hai.id, hai.name)
    source = str(DATA / "case01.txt")
    code, _, err = await run(env, "publish", source, "--yes", "--unit", "Không Có")
    assert code == 2 and any("no unit called 'Không Có'" in line for line in err)
    code, out, err = await run(env, "publish", source, "--yes", "--role", "ttv", "--unit", "phuong dong hai")
    assert code == 0, err
    assert "queued broadcast #1: 6 messages × 1 subscribers" in out
    code, out, err = await run(env, "publish", source, "--yes", "--role", "ttv", "--role", "bcv")
    assert code == 0, err
    assert "queued broadcast #2: 6 messages × 2 subscribers" in out  # those without it: 84_002, 84_003
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT DISTINCT broadcast_id, chat_id FROM deliveries ORDER BY 1, 2").fetchall()
        targets = conn.execute("SELECT target_roles, late_joiners FROM broadcasts ORDER BY id").fetchall()
    assert rows == [(1, 84_001), (2, 84_002), (2, 84_003)]
    assert targets == [('["ttv"]', 1), ('["bcv", "ttv"]', 1)]
    async with await Store.open(db) as store:
        done = await admin_actions.for_broadcast(store, 1)
    assert [(a.action, a.admin_user_id, a.admin_name, a.detail) for a in done] == [
        (admin_actions.SEND, None, None, ""),
        (admin_actions.TARGET, None, None, "Tuyên truyền viên · Phường Đông Hải"),
    ]
    code, out, _ = await run(env, "publish", "--help")
    assert code == 0 and "--role" in out and "--unit" in out
