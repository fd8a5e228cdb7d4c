"""The running bot's daily backup (BACKUP_DIR, BACKUP_KEEP): written at start when today has none, in
a background task beside the polling, the oldest beyond BACKUP_KEEP deleted; a restart the same day
writes no second one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.offline.localtg import LocalTelegram
from data import backup
from tests.delivery_helpers import until


async def test_the_running_bot_backs_up_once_a_day_and_keeps_the_newest(
    tg: LocalTelegram, bot_factory: Callable[..., Any], tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    old = ["bulletin-20200101-0300.db", "bulletin-20200102-0300.db", "bulletin-20200103-0300.db"]
    for name in old:
        (folder / name).write_bytes(b"x")
    async with bot_factory(tg, backup_dir=folder, backup_keep=2) as bot:
        today = dt.datetime.now(bot.settings.zone).date()
        await until(lambda: backup.has_backup_on(folder, today) and len(backup.daily_backups(folder)) == 2)
        assert await bot.ask(42, "/start")  # the bot answers meanwhile
    files = backup.daily_backups(folder)
    assert files[0].name == old[-1] and files[1].name.startswith(f"bulletin-{today:%Y%m%d}-")
    assert backup.check(files[1]).schema_version == backup.head_version()
    async with bot_factory(tg, backup_dir=folder, backup_keep=2) as bot:
        assert await bot.ask(42, "/help")
    assert backup.daily_backups(folder) == files  # the same day: no second backup
