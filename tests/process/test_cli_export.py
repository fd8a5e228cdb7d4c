"""``python -m bot export BROADCAST --csv [FILE]`` as a real process: the contract checked from outside.
With FILE: the CSV is written whole and the exit code is 0; without FILE: stdout is the CSV and
nothing else; a bad or unknown broadcast: one line on stderr, exit code != 0, and no file."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

from data.store import Store
from tests.delivery_helpers import add_subscribers, queue
from tests.process.test_process import bot_env, start_bot

BOM = b"\xef\xbb\xbf"


async def run(env: dict[str, str], *args: str, cwd: Path | None = None) -> tuple[int, bytes, str]:
    proc = await (start_bot(env, *args) if cwd is None else start_bot(env, *args, cwd=cwd))
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, stdout, stderr.decode()


async def prepared(tmp_path: Path) -> tuple[Path, int]:
    db = tmp_path / "bot.db"
    async with await Store.open(db) as store:
        await add_subscribers(store, [801, 802, 803])
        await store.execute("UPDATE subscribers SET display_name = 'Đặng Thị Thu, \"Hà\"' WHERE chat_id = 802")
        info = await queue(store, n=2)
        await store.execute(
            "UPDATE deliveries SET status = 'sent', message_id = 1, updated_at = ? WHERE chat_id = 801",
            ("2026-12-02T17:30:00.000000Z",),
        )
    return db, info.id


def parsed(content: bytes) -> list[list[str]]:
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


async def test_export_to_a_file_and_to_stdout(tmp_path: Path) -> None:
    db, broadcast = await prepared(tmp_path)
    env = bot_env(None, db)
    target = tmp_path / "out" / f"broadcast-{broadcast}.csv"
    target.parent.mkdir()

    code, out, err = await run(env, "export", str(broadcast), "--csv", str(target))
    assert code == 0, err
    assert out == b""
    rows = parsed(target.read_bytes())
    assert [r[0] for r in rows[1:]] == ["801", "802", "803"]
    assert rows[2][1] == 'Đặng Thị Thu, "Hà"'
    assert rows[1][4] == "đã gửi đủ · delivered" and rows[1][5] == "2026-12-03 00:30:00"
    assert rows[3][4] == "đang chờ gửi · pending"
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no temporary file left

    code, out, err = await run(env, "export", f"#{broadcast}", "--csv")
    assert code == 0, err
    assert out == target.read_bytes()  # stdout is the CSV and nothing else
    assert f"exported broadcast #{broadcast}" in err


async def test_bad_or_unknown_broadcast_fails_with_one_line_and_no_file(tmp_path: Path) -> None:
    db, broadcast = await prepared(tmp_path)
    env = bot_env(None, db)
    target = tmp_path / "x.csv"

    code, out, err = await run(env, "export", "999", "--csv", str(target))
    assert code != 0 and out == b""
    assert "there is no broadcast #999" in err and not target.exists()

    code, out, err = await run(env, "export", "mười", "--csv", str(target))
    assert code != 0 and out == b""
    assert "is not a broadcast number" in err and not target.exists()

    code, out, err = await run(env, "export", "999", "--csv")
    assert code != 0 and out == b""

    missing = tmp_path / "no-such-folder" / "x.csv"
    code, out, err = await run(env, "export", str(broadcast), "--csv", str(missing))
    assert code != 0 and "cannot write" in err and not missing.parent.exists()

    code, _, err = await run(bot_env(None, tmp_path / "none.db"), "export", str(broadcast), "--csv", str(target))
    assert code != 0 and "there is no database" in err
    assert not (tmp_path / "none.db").exists() and not target.exists()

    assert [p.name for p in tmp_path.iterdir() if p.suffix in {".csv", ".part"}] == []
