"""``Store.write_small``: done at once on the loop's thread when the database is free, otherwise as any
other write (behind this process's open transaction, or another connection's lock), never lost."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from data.store import Store

INSERT = "INSERT INTO subscribers (chat_id, subscribed_at, updated_at) VALUES (?, 'x', 'x')"
TOUCH = "UPDATE subscribers SET updated_at = ? WHERE chat_id = ?"


async def updated(store: Store, chat_id: int) -> str | None:
    value = await store.fetchval("SELECT updated_at FROM subscribers WHERE chat_id = ?", (chat_id,))
    return None if value is None else str(value)


async def test_a_free_database_is_written_without_waiting_for_the_writer_thread(store: Store) -> None:
    await store.executemany(INSERT, [(1,), (2,)])
    pending = store.write_small(TOUCH, [("one", 1)])
    with pytest.raises(StopIteration):  # finished at the first step: it never awaited anything
        pending.send(None)
    await store.write_small(TOUCH, [("two-a", 1), ("two-b", 2)])  # several rows: one transaction
    assert (await updated(store, 1), await updated(store, 2)) == ("two-a", "two-b")


async def test_it_never_lands_inside_an_open_transaction_of_this_process(store: Store) -> None:
    await store.executemany(INSERT, [(1,)])
    task: asyncio.Task[None] | None = None
    with pytest.raises(RuntimeError, match="rolled back"):
        async with store.transaction() as conn:
            await conn.execute(INSERT, (2,))
            task = asyncio.create_task(store.write_small(TOUCH, [("kept", 1)]))
            await asyncio.sleep(0)  # let it start: it must wait for this transaction
            assert not task.done()
            raise RuntimeError("rolled back")
    assert task is not None
    await asyncio.wait_for(task, timeout=10)
    assert await updated(store, 1) == "kept"  # written after the rollback, not undone by it
    assert await updated(store, 2) is None


async def test_another_connection_holding_the_lock_is_waited_for_off_the_loop(store: Store) -> None:
    await store.executemany(INSERT, [(1,)])
    other = sqlite3.connect(store.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute(INSERT, (3,))
        task = asyncio.create_task(store.write_small(TOUCH, [("after", 1)]))
        await asyncio.sleep(0)
        assert not task.done()  # busy: handed to the writer's thread, which waits for the lock
        other.execute("COMMIT")
        await asyncio.wait_for(task, timeout=10)
    finally:
        other.close()
    assert await updated(store, 1) == "after"
    assert await updated(store, 3) == "x"


async def test_an_error_is_raised_as_by_executemany(store: Store) -> None:
    await store.executemany(INSERT, [(1,)])
    with pytest.raises(sqlite3.IntegrityError):
        await store.write_small(INSERT, [(1,)])
    await store.write_small(TOUCH, [("still works", 1)])
    assert await updated(store, 1) == "still works"


async def test_a_few_rows_are_written_at_once_in_one_transaction(store: Store) -> None:
    await store.executemany(INSERT, [(1,), (2,), (3,)])
    pending = store.write_small(TOUCH, [("a", 1), ("b", 2), ("c", 3)])  # one pass's acknowledgements
    with pytest.raises(StopIteration):  # on the loop's thread: it never awaited anything
        pending.send(None)
    assert [await updated(store, c) for c in (1, 2, 3)] == ["a", "b", "c"]
    # all or nothing: the second row fails, so the first is not kept either
    with pytest.raises(sqlite3.IntegrityError):
        await store.write_small(INSERT, [(4,), (1,)])
    assert await updated(store, 4) is None
    many = [(f"m{i}", 1) for i in range(Store.QUICK_ROWS + 1)]
    await store.write_small(TOUCH, many)  # more than a pass's worth: through the writer's thread
    assert await updated(store, 1) == f"m{Store.QUICK_ROWS}"
