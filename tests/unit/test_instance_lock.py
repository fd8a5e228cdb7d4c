"""The instance lock: exclusive, never waits, names the holder, released on exit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from data.instance_lock import InstanceLocked, Probe, hold, lock_path, probe


def test_lock_file_sits_beside_the_database(tmp_path: Path) -> None:
    assert lock_path(tmp_path / "bot.db") == tmp_path / "bot.db.lock"


def test_a_second_holder_is_refused_at_once_and_told_who_holds_it(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "bot.db"
    with hold(db):
        assert lock_path(db).read_text().strip() == str(os.getpid())
        # flock belongs to the open file, so a second open in this very process is refused too.
        with pytest.raises(InstanceLocked) as refused, hold(db):
            pass  # pragma: no cover
        assert refused.value.pid == os.getpid()
        message = str(refused.value)
        assert "\n" not in message and str(db) in message and f"process {os.getpid()}" in message
    with hold(db):  # released on exit: taken again
        pass
    assert lock_path(db).read_text() == ""  # no stale pid left behind


def test_other_databases_are_independent(tmp_path: Path) -> None:
    with hold(tmp_path / "a.db"), hold(tmp_path / "b.db"):
        pass


def test_released_when_the_block_raises(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    with pytest.raises(ValueError), hold(db):
        raise ValueError
    with hold(db):
        pass


def test_probe_names_the_holder_without_keeping_or_creating_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "bot.db"
    assert probe(db) == Probe(False)
    assert not (tmp_path / "sub").exists()  # neither the folder nor a lock file was made
    with hold(db):
        assert probe(db) == Probe(True, os.getpid())
    assert probe(db) == Probe(False)
    with hold(db):  # probing did not keep the lock
        pass
