"""Reads through the shared reader connection see every write committed before they started, even
while many other reads are in flight (a read left half-fetched must not pin an old snapshot)."""

from __future__ import annotations

import asyncio

from data.store import Store


async def test_concurrent_reads_right_after_a_commit_see_it(store: Store) -> None:
    await store.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER PRIMARY KEY)")
    stop = asyncio.Event()

    async def background_reader() -> None:
        while not stop.is_set():
            await store.fetchall("SELECT n FROM probe ORDER BY n")
            await store.fetchval("SELECT count(*) FROM probe")

    readers = [asyncio.create_task(background_reader()) for _ in range(20)]
    missed = 0
    try:
        for n in range(300):
            await store.execute("INSERT INTO probe (n) VALUES (?)", (n,))
            if await store.fetchval("SELECT 1 FROM probe WHERE n = ?", (n,)) is None:
                missed += 1
            rows = await store.fetchall("SELECT n FROM probe WHERE n = ?", (n,))
            if [r[0] for r in rows] != [n]:
                missed += 1
    finally:
        stop.set()
        await asyncio.gather(*readers)
    assert missed == 0
