"""Benchmark: how fast the bot answers archive questions (understand + service + SQLite) as it grows.

Builds an archive of ``years × 12 months × 3 organizers`` bulletins (10 years = 360 bulletins), whose
tasks are the example bulletins' tasks (tests/data/*.txt, parsed by the real parser) recombined with
a few words swapped, then times ~50 realistic questions in process. ``--scale 100`` repeats the build
with 100 times as many years (~36,000 bulletins). One line of figures per archive size.

    .venv/bin/python benchmarks/search.py               # 1× and 100×
    .venv/bin/python benchmarks/search.py --scale 1     # 1× only
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable as a script from any directory

from bot.domain.intents import understand  # noqa: E402
from bot.domain.parser import parse_bulletin  # noqa: E402
from bot.domain.records import Bulletin  # noqa: E402
from bot.domain.textnorm import fold  # noqa: E402
from bot.services import archive  # noqa: E402
from data.store import Store  # noqa: E402

EXAMPLES = ROOT / "tests" / "data"
ORGANIZERS = (
    "Ban Tuyên giáo Trung ương",
    "Ban Tuyên giáo Thành ủy Hải Phòng",
    "Đảng ủy Khối các cơ quan Trung ương",
)
# Explicit ids let one executemany insert a whole batch; same columns as data.bulletins.INSERT_*.
INSERT_BULLETIN = """
INSERT INTO bulletins (id, title, month, published, organizer, intro, source_sha256, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00.000000Z')
"""
INSERT_TASK = "INSERT INTO tasks (id, bulletin_id, number, enumerator, text, folded) VALUES (?, ?, ?, ?, ?, ?)"
BATCH = 2000  # bulletins per transaction
ROUNDS = 6


def queries(last_year: int) -> list[str]:
    """~50 questions, in the mix users send: latest, months, tasks, keywords, English."""
    y = last_year
    return [
        "hội nghị mới nhất", "hoi nghi moi nhat", "bản tin mới", "có gì mới không", "latest conference",
        "/latest", "kỳ này", "tháng trước", "last month", "tháng này",
        f"tháng 9/{y}", f"9/{y - 1}", f"{y - 2}-03", f"T11/{y - 3}", f"tháng 6 năm {y - 4}",
        f"tháng chín năm {y - 1}", "tháng 10", "tháng 12", f"October {y - 1}", f"Oct {y - 2}",
        f"hội nghị báo cáo viên tháng 10/{y - 5}", "tháng 9/1999",
        "nhiệm vụ thứ ba", "nhiem vu thu ba", "nv 3", "task 3", "third task", "ý thứ 2",
        f"nhiệm vụ 2 tháng 11/{y - 1}", f"nhiệm vụ thứ ba tháng 4/{y - 2}", "gửi lại nhiệm vụ thứ hai tháng 10",
        "nhiệm vụ thứ mười", "lịch sử", "danh sách", "/history 3",
        "tham nhũng", "tham nhung", "doi ngoai", "chuyển đổi số", "chuyen doi so", "Covid", "biển đảo",
        "bầu cử", "tasks about corruption", "anything on digital transformation", "tuyên truyền",
        "tìm những nhiệm vụ về kỷ niệm ngày thành lập", "phòng chống thiên tai bão lũ",
        "đại hội XIV", "nghị quyết trung ương 4 khóa XIII", "xyzzy",
    ]  # fmt: skip


def examples() -> list[Bulletin]:
    return [parse_bulletin(p.read_bytes()) for p in sorted(EXAMPLES.glob("*.txt"))]


class Generator:
    """Bulletins made of the example tasks, recombined and lightly reworded, reproducibly."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.tasks = [t.text for b in examples() for t in b.tasks]
        self.split = [t.split() for t in self.tasks]
        vocabulary = sorted({w for words in self.split for w in words})
        self.vocabulary = vocabulary
        # fold() is per character and costs microseconds; fold each distinct word once and join
        # (folding is length-preserving and word-wise, so the join equals folding the whole text).
        self.folded = {w: fold(w) for w in vocabulary}

    def task(self) -> tuple[str, str]:
        words = list(self.rng.choice(self.split))
        for _ in range(max(1, len(words) // 20)):  # swap ~5% of the words
            words[self.rng.randrange(len(words))] = self.rng.choice(self.vocabulary)
        return " ".join(words), " ".join(self.folded[w] for w in words)


async def build(path: Path, years: int, last_year: int) -> tuple[Store, int, int, float]:
    started = time.perf_counter()
    store = await Store.open(path)  # the real migrations
    gen = Generator()
    bulletin_rows: list[tuple[object, ...]] = []
    task_rows: list[tuple[object, ...]] = []
    bulletin_id = task_id = 0

    async def flush() -> None:
        async with store.transaction() as conn:
            await conn.executemany(INSERT_BULLETIN, bulletin_rows)
            await conn.executemany(INSERT_TASK, task_rows)
        bulletin_rows.clear()
        task_rows.clear()

    for year in range(last_year - years + 1, last_year + 1):
        for month in range(1, 13):
            for organizer in ORGANIZERS:
                bulletin_id += 1
                label = f"{month}/{year}"
                bulletin_rows.append(
                    (
                        bulletin_id,
                        f"Hội nghị Báo cáo viên tháng {label}: các nhiệm vụ trọng tâm",
                        f"{year:04d}-{month:02d}",
                        f"{year:04d}-{month:02d}-15",
                        organizer,
                        f"{organizer} tổ chức Hội nghị Báo cáo viên tháng {label}.",
                        f"bench-{bulletin_id}",
                    )
                )
                for number in range(1, gen.rng.randint(4, 8) + 1):
                    task_id += 1
                    text, folded = gen.task()
                    task_rows.append((task_id, bulletin_id, number, "", text, folded))
                if len(bulletin_rows) >= BATCH:
                    await flush()
    if bulletin_rows:
        await flush()
    async with store.transaction() as conn:
        # Merge the index segments the bulk load left behind, as a long-lived archive would be.
        await conn.execute("INSERT INTO tasks_fts (tasks_fts) VALUES ('optimize')")
    return store, bulletin_id, task_id, time.perf_counter() - started


async def time_queries(store: Store, texts: list[str], today: dt.date) -> list[float]:
    for text in texts:  # warm the page cache and the statement cache
        await archive.answer(store, understand(text, today))
    samples = []
    for _ in range(ROUNDS):
        for text in texts:
            started = time.perf_counter()
            await archive.answer(store, understand(text, today))
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(scale: int, years: int) -> str:
    today = dt.date(2026, 1, 10)
    last_year = today.year - 1
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        store, n_bulletins, n_tasks, seconds = await build(Path(tmp) / "bench.db", years * scale, last_year)
        try:
            samples = await time_queries(store, queries(last_year), today)
        finally:
            await store.close()
    p50, p99 = statistics.median(samples), percentile(samples, 0.99)
    targets = "p50 ≤ 5 ms, p99 ≤ 20 ms" if scale == 1 else "p99 ≤ 50 ms"
    return (
        f"{scale}× archive: {n_bulletins:,} bulletins, {n_tasks:,} tasks, built in {seconds:.1f} s; "
        f"{len(samples)} questions: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {max(samples):.2f} ms "
        f"(targets {targets})"
    )


def long_question() -> str:
    """Understanding a 5,000-character message (what tests/unit/test_intents.py no longer times)."""
    text = "tham nhũng chuyển đổi số " * 200
    understand(text, dt.date(2026, 1, 10))
    samples = []
    for _ in range(200):
        started = time.perf_counter()
        understand(text, dt.date(2026, 1, 10))
        samples.append((time.perf_counter() - started) * 1000)
    return (
        f"understand() on a {len(text):,}-character message: p50 {statistics.median(samples):.3f} ms, "
        f"max {max(samples):.3f} ms (target ≤ 10 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, action="append", help="archive size multiple (repeatable)")
    parser.add_argument("--years", type=int, default=10, help="years of monthly bulletins at 1× (default 10)")
    args = parser.parse_args()
    print(long_question(), flush=True)
    for scale in args.scale or [1, 100]:
        print(asyncio.run(run(scale, args.years)), flush=True)


if __name__ == "__main__":
    main()
