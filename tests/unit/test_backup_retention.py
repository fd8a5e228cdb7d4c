"""Daily backups: the retention keeps the newest BACKUP_KEEP of the bot's own files and nothing else
is touched; a running bot writes one at start only when today has none, named in TIMEZONE; the
settings read BACKUP_DIR (empty: off; relative: beside the .env file) and BACKUP_KEEP."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.services.daily_backup import DailyBackups
from bot.settings import Settings
from data import backup
from data.store import Store

VIETNAM = dt.timezone(dt.timedelta(hours=7))


def touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_bytes(b"x")


def test_prune_keeps_the_newest_and_ignores_other_files(tmp_path: Path) -> None:
    days = [f"bulletin-202611{d:02d}-0300.db" for d in range(1, 11)]
    touch(tmp_path, *reversed(days), "notes.txt", "bulletin-latest.db", "bulletin-20261101-0300.db.tmp")
    deleted = backup.prune(tmp_path, keep=7)
    assert [p.name for p in deleted] == days[:3]
    assert [p.name for p in backup.daily_backups(tmp_path)] == days[3:]
    assert {"notes.txt", "bulletin-latest.db", "bulletin-20261101-0300.db.tmp"} <= {p.name for p in tmp_path.iterdir()}
    assert backup.prune(tmp_path, keep=7) == []  # within the count: nothing more
    assert [p.name for p in backup.prune(tmp_path, keep=1)] == days[3:9]
    assert backup.prune(tmp_path / "absent", keep=1) == []


async def test_daily_backup_written_at_start_only_when_today_has_none(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    async with await Store.open(db):
        pass
    folder = tmp_path / "backups"
    folder.mkdir()
    touch(folder, "bulletin-20261129-0300.db", "bulletin-20261130-0300.db", "bulletin-20261201-0300.db")
    # 2026-12-02 18:30 UTC is already 2026-12-03 01:30 in Vietnam: the name and "today" are local.
    clock = dt.datetime(2026, 12, 2, 18, 30, tzinfo=dt.UTC)
    backups = DailyBackups(db, folder, keep=3, zone=VIETNAM, clock=lambda: clock)

    written = await backups.run_once()
    assert written == folder / "bulletin-20261203-0130.db"
    assert backup.check(written).schema_version == backup.head_version()  # a real, sound copy
    assert [p.name for p in backup.daily_backups(folder)] == [
        "bulletin-20261130-0300.db",
        "bulletin-20261201-0300.db",
        "bulletin-20261203-0130.db",
    ]
    clock += dt.timedelta(hours=20)  # 21:30 the same local day: nothing more
    assert await backups.run_once() is None
    clock += dt.timedelta(hours=4)  # the next local day
    assert await backups.run_once() == folder / "bulletin-20261204-0130.db"
    assert len(backup.daily_backups(folder)) == 3


async def test_a_failed_daily_backup_is_logged_and_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    backups = DailyBackups(tmp_path / "gone.db", folder, keep=3, zone=dt.UTC)
    assert await backups.run_once() is None
    assert backup.daily_backups(folder) == []


def test_settings_backup_dir_and_keep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / "bot.env"
    env.write_text("BACKUP_DIR=\n", encoding="utf-8")
    monkeypatch.setenv("BULLETIN_ENV_FILE", str(env))
    monkeypatch.delenv("BACKUP_DIR", raising=False)
    monkeypatch.delenv("BACKUP_KEEP", raising=False)
    settings = Settings.load()
    assert settings.backup_dir is None and settings.backup_keep == 7
    env.write_text("BACKUP_DIR=var/backups\nBACKUP_KEEP=30\n", encoding="utf-8")
    settings = Settings.load()
    assert settings.backup_dir == tmp_path / "var" / "backups" and settings.backup_keep == 30
    monkeypatch.setenv("BACKUP_KEEP", "0")
    with pytest.raises(ValueError, match="backup_keep"):
        Settings.load()
