"""Benchmark: how fast the bot answers archive questions (understand + answer + SQLite) as it grows.

Builds an archive of ``years × 12 months × 3 organizers`` bulletins (10 years = 360 bulletins), whose
tasks are the example bulletins' tasks (tests/data/*.txt, parsed by the real parser) recombined with
a few words swapped, then times ~90 realistic questions in process (``understand`` then
``archive.answer``, whatever is on main), the new kinds of issue 10 included: shorthand, documents,
periods, organizers, topics with month words, typos, diacritics. It also times ``search_tasks``
with filters on its own. ``--scale 100`` repeats the build with 100 times as many years (~36,000
bulletins). The organizers of each month are drawn from a list with rare ones, so an organizer
filter is sometimes selective and sometimes not.

``--typos`` compares the two ways of finding a one-letter typo on the same typo set: the spelling
fallback ``data.search`` uses (one edit over the archive's vocabulary) and an FTS5 trigram index
(https://sqlite.org/fts5.html#the_trigram_tokenizer) ranked by shared trigrams: found or not,
latency p50/p99 and the index's size on disk.

    .venv/bin/python benchmarks/search.py               # 1× and 100×
    .venv/bin/python benchmarks/search.py --scale 1     # 1× only
    .venv/bin/python benchmarks/search.py --typos       # the typo comparison, 1× and 100×
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable as a script from any directory

from bot.domain.intents import DocumentRef, understand  # noqa: E402
from bot.domain.parser import parse_bulletin  # noqa: E402
from bot.domain.records import Bulletin  # noqa: E402
from bot.domain.textnorm import exact_text, fold, fold_query  # noqa: E402
from bot.services import archive  # noqa: E402
from data import search  # noqa: E402
from data.search import SearchFilter, search_tasks  # noqa: E402
from data.store import Store  # noqa: E402

EXAMPLES = ROOT / "tests" / "data"
# Each month has one central bulletin, one of the bloc and one provincial or city one, drawn from
# the rest (so "tỉnh ủy hà giang" is a rare organizer and "trung ương" a common one).
CENTRAL = ("Ban Tuyên giáo Trung ương", "Đảng ủy Khối các cơ quan Trung ương")
LOCAL = (
    "Ban Tuyên giáo Thành ủy Hải Phòng",
    "Ban Tuyên giáo Tỉnh ủy Hà Giang",
    "Ban Tuyên giáo Tỉnh uỷ Yên Bái",
    "Ban Tuyên giáo Thành ủy Hà Nội",
    "Ban Tuyên giáo Tỉnh ủy Nghệ An",
    "Ban Tuyên giáo và Dân vận Tỉnh ủy Gia Lai",
)
# Explicit ids let one executemany insert a whole batch; same columns as data.bulletins.INSERT_*.
INSERT_BULLETIN = """
INSERT INTO bulletins (id, title, month, published, organizer, intro, source_sha256, created_at,
                       organizer_folded, title_folded)
VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00.000000Z', ?, ?)
"""
INSERT_TASK = """
INSERT INTO tasks (id, bulletin_id, number, enumerator, text, folded, exact) VALUES (?, ?, ?, ?, ?, ?, ?)
"""
WORD = re.compile(r"[^\W_]+")
BATCH = 2000  # bulletins per transaction
ROUNDS = 6


def queries(last_year: int) -> list[str]:
    """~90 questions, in the mix users send: latest, months, tasks, keywords, English, and the new
    kinds (shorthand, documents, periods, organizers, topics with month words, typos, diacritics)."""
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
        # shorthand
        "hn bcv mới nhất", "HNBCV", "bcv tw tháng 9", "nv 2", "ttv", "btg tu ha giang",
        # documents
        "Nghị quyết số 57-NQ/TW", "nghị quyết 57", "nq 57", "NQ57", "57-NQ/TW", "kết luận số 01",
        "chỉ thị số 35-CT/TW", "kl 14",
        # periods
        f"quý IV/{y}", f"quý 1 năm {y - 1}", f"năm {y - 2}", f"{y - 3}", f"6 tháng đầu năm {y}",
        f"từ tháng 3 đến tháng 6/{y}", "quý này", "năm ngoái",
        # organizers, alone and with the rest
        "tỉnh ủy hà giang", "tinh uy yen bai", "Đảng ủy Khối", "trung ương", f"nhiệm vụ 2 của tỉnh ủy tháng 9/{y}",
        f"tham nhũng năm {y - 1}", "chuyển đổi số tháng trước", "bầu cử tỉnh ủy nghệ an",
        # topics with month words or dates
        "cách mạng tháng mười", "Cách mạng Tháng Tám", "tết", "30/4", "2/9", "19/5",
        # typos and diacritics
        "tham nhũg", "chuyen doi sô", "tham nhunh", "bien dao", "hôm nay", "tuyên truyen", "bầu cữ",
        "Tỉnh uỷ", "hoà bình",
    ]  # fmt: skip


def filtered_searches(last_year: int) -> list[tuple[str, SearchFilter | None, DocumentRef | None]]:
    """``search_tasks`` calls with filters and documents, timed on their own."""
    y = last_year
    return [
        ("tham nhũng", SearchFilter(start=f"{y - 1}-01", end=f"{y - 1}-12"), None),
        ("tham nhung", SearchFilter(organizer="tinh uy ha giang"), None),
        ("chuyển đổi số", SearchFilter(organizer="trung uong"), None),
        ("tuyên truyền", SearchFilter(organizer="tỉnh ủy yên bái", start=f"{y - 5}-01"), None),
        ("bầu cử", SearchFilter(organizer="dang uy khoi", start=f"{y}-01", end=f"{y}-06"), None),
        ("covid", SearchFilter(start=f"{y - 30}-01", end=f"{y}-12"), None),
        ("", None, DocumentRef("NQ", 57, "TW", "Nghị quyết 57-NQ/TW")),
        ("", SearchFilter(organizer="ha giang"), DocumentRef("NQ", 57, None, "Nghị quyết 57")),
        ("", None, DocumentRef("KL", 1, None, "Kết luận 01")),
        ("tham nhũg", None, None),
        ("tham nhunh", SearchFilter(organizer="tinh uy ha giang"), None),
    ]


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
        self.exact = {w: exact_text(w) for w in vocabulary}

    def task(self) -> tuple[str, str, str]:
        words = list(self.rng.choice(self.split))
        for _ in range(max(1, len(words) // 20)):  # swap ~5% of the words
            words[self.rng.randrange(len(words))] = self.rng.choice(self.vocabulary)
        return " ".join(words), " ".join(self.folded[w] for w in words), " ".join(self.exact[w] for w in words)


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
            for organizer in (*CENTRAL, gen.rng.choice(LOCAL)):
                bulletin_id += 1
                label = f"{month}/{year}"
                title = f"Hội nghị Báo cáo viên tháng {label}: các nhiệm vụ trọng tâm"
                bulletin_rows.append(
                    (
                        bulletin_id,
                        title,
                        f"{year:04d}-{month:02d}",
                        f"{year:04d}-{month:02d}-15",
                        organizer,
                        f"{organizer} tổ chức Hội nghị Báo cáo viên tháng {label}.",
                        f"bench-{bulletin_id}",
                        fold(organizer),
                        fold(title),
                    )
                )
                for number in range(1, gen.rng.randint(4, 8) + 1):
                    task_id += 1
                    text, folded, exact = gen.task()
                    task_rows.append((task_id, bulletin_id, number, "", text, folded, exact))
                if len(bulletin_rows) >= BATCH:
                    await flush()
    if bulletin_rows:
        await flush()
    async with store.transaction() as conn:
        # Merge the index segments the bulk load left behind, as a long-lived archive would be.
        await conn.execute("INSERT INTO tasks_fts (tasks_fts) VALUES ('optimize')")
    return store, bulletin_id, task_id, time.perf_counter() - started


async def time_queries(store: Store, texts: list[str], today: dt.date) -> list[tuple[float, str]]:
    for text in texts:  # warm the page cache and the statement cache
        await archive.answer(store, understand(text, today))
    samples = []
    for _ in range(ROUNDS):
        for text in texts:
            started = time.perf_counter()
            await archive.answer(store, understand(text, today))
            samples.append(((time.perf_counter() - started) * 1000, text))
    return samples


async def time_filtered(
    store: Store, calls: list[tuple[str, SearchFilter | None, DocumentRef | None]]
) -> list[tuple[float, str]]:
    for query, where, document in calls:
        await search_tasks(store, query, 5, where=where, document=document)
    samples = []
    for _ in range(ROUNDS):
        for query, where, document in calls:
            started = time.perf_counter()
            await search_tasks(store, query, 5, where=where, document=document)
            samples.append(((time.perf_counter() - started) * 1000, f"{query!r} {where} {document}"))
    return samples


def figures(samples: list[tuple[float, str]]) -> str:
    times = [t for t, _ in samples]
    by_question: dict[str, list[float]] = {}
    for t, question in samples:
        by_question.setdefault(question, []).append(t)
    slowest = sorted(((statistics.median(ts), q) for q, ts in by_question.items()), reverse=True)[:3]
    named = "; ".join(f"{q[:50]} {t:.1f}" for t, q in slowest)
    return (
        f"p50 {statistics.median(times):.2f} ms, p99 {percentile(times, 0.99):.2f} ms, "
        f"max {max(times):.2f} ms; slowest medians: {named}"
    )


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(scale: int, years: int) -> str:
    today = dt.date(2026, 1, 10)
    last_year = today.year - 1
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        store, n_bulletins, n_tasks, seconds = await build(Path(tmp) / "bench.db", years * scale, last_year)
        try:
            answered = await time_queries(store, queries(last_year), today)
            filtered = await time_filtered(store, filtered_searches(last_year))
        finally:
            await store.close()
    target = "p99 ≤ 10 ms" if scale == 1 else "p99 ≤ 25 ms"
    return (
        f"{scale}× archive: {n_bulletins:,} bulletins, {n_tasks:,} tasks, built in {seconds:.1f} s\n"
        f"  understand + answer, {len(answered)} questions: {figures(answered)} (target {target})\n"
        f"  search_tasks with filters/documents, {len(filtered)} calls: {figures(filtered)}"
    )


# One-letter typos of phrases the generated archive holds, and the phrase (folded) each must find.
TYPOS = [
    ("tham nhũg", "tham nhung"), ("tham nhunh", "tham nhung"), ("chuyen doi sô", "chuyen doi so"),
    ("chuyển đỗi số", "chuyen doi so"), ("chuyen doj so", "chuyen doi so"), ("bien daoo", "bien dao"),
    ("bầu cữ", "bau cu"), ("bau cuu", "bau cu"), ("tuyen truyn", "tuyen truyen"), ("covdi", "covid"),
    ("thien taii", "thien tai"), ("doi ngaoi", "doi ngoai"), ("ky niemm", "ky niem"),
    ("đại hộ", "dai hoi"), ("nghị quyêt", "nghi quyet"), ("hồ chí mnh", "ho chi minh"),
]  # fmt: skip
# Ranked by the number of the query's trigrams a task holds (bm25 over OR-ed trigrams).
TRIGRAM_INDEX = """
CREATE VIRTUAL TABLE tasks_tri USING fts5 (folded, content = 'tasks', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO tasks_tri (tasks_tri) VALUES ('rebuild');
INSERT INTO tasks_tri (tasks_tri) VALUES ('optimize');
"""
TRIGRAM_SEARCH = "SELECT rowid, folded FROM tasks_tri WHERE tasks_tri MATCH ? ORDER BY rank LIMIT 5"


def trigram_expression(query: str) -> str:
    folded = " ".join(fold_query(query).split())
    grams = {folded[i : i + 3] for i in range(len(folded) - 2)}
    return " OR ".join(search.fts_string(g) for g in sorted(grams))


def holds(folded: str, phrase: str) -> bool:
    """True if the folded text holds the folded phrase, as consecutive words."""
    words = " ".join(WORD.findall(folded))
    return f" {phrase} " in f" {words} "


async def db_bytes(store: Store) -> int:
    return int(await store.fetchval("PRAGMA page_count")) * int(await store.fetchval("PRAGMA page_size"))


async def index_bytes(store: Store, prefix: str) -> int | None:
    """Bytes of the tables whose name starts with ``prefix``, if SQLite has the dbstat table."""
    try:
        value = await store.fetchval("SELECT sum(pgsize) FROM dbstat WHERE name LIKE ?", (prefix + "%",))
    except Exception:  # dbstat is a compile-time option (https://sqlite.org/dbstat.html)
        return None
    return None if value is None else int(value)


async def run_typos(scale: int, years: int) -> str:
    last_year = 2025
    lines = []
    with tempfile.TemporaryDirectory(prefix="bench-typos-") as tmp:
        store, n_bulletins, n_tasks, _ = await build(Path(tmp) / "bench.db", years * scale, last_year)
        try:
            lines.append(f"{scale}× archive: {n_bulletins:,} bulletins, {n_tasks:,} tasks")
            # The spelling fallback: the vocabulary read once (cold), then every search warm.
            started = time.perf_counter()
            await search._vocabulary(store)
            cold = (time.perf_counter() - started) * 1000
            spelled, found = [], 0
            for typo, phrase in TYPOS:
                page = await search_tasks(store, typo, 5)
                found += bool(page.hits) and holds(page.hits[0].folded, phrase)
            for _ in range(ROUNDS):
                for typo, _ in TYPOS:
                    started = time.perf_counter()
                    await search_tasks(store, typo, 5)
                    spelled.append((time.perf_counter() - started) * 1000)
            fts = await index_bytes(store, "tasks_fts")
            lines.append(
                f"  spelling fallback: found {found}/{len(TYPOS)}, p50 {statistics.median(spelled):.2f} ms, "
                f"p99 {percentile(spelled, 0.99):.2f} ms, vocabulary read once in {cold:.1f} ms; extra index 0 bytes "
                f"(fts5vocab reads tasks_fts, {fts if fts is None else f'{fts / 1e6:.1f} MB'} with both columns)"
            )
            before = await db_bytes(store)
            started = time.perf_counter()
            async with store.transaction() as conn:
                for statement in TRIGRAM_INDEX.strip().split(";\n"):
                    if statement.strip():
                        await conn.execute(statement)
            built = time.perf_counter() - started
            size = await index_bytes(store, "tasks_tri")
            size = size if size is not None else await db_bytes(store) - before
            trigram, found = [], 0
            for typo, phrase in TYPOS:
                rows = await store.fetchall(TRIGRAM_SEARCH, (trigram_expression(typo),))
                found += bool(rows) and holds(str(rows[0]["folded"]), phrase)
            for _ in range(ROUNDS):
                for typo, _ in TYPOS:
                    started = time.perf_counter()
                    await store.fetchall(TRIGRAM_SEARCH, (trigram_expression(typo),))
                    trigram.append((time.perf_counter() - started) * 1000)
            lines.append(
                f"  trigram index:     found {found}/{len(TYPOS)}, p50 {statistics.median(trigram):.2f} ms, "
                f"p99 {percentile(trigram, 0.99):.2f} ms, index {size / 1e6:.1f} MB built in {built:.1f} s"
            )
        finally:
            await store.close()
    return "\n".join(lines)


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
    parser.add_argument("--typos", action="store_true", help="compare the spelling fallback with a trigram index")
    args = parser.parse_args()
    if args.typos:
        for scale in args.scale or [1, 100]:
            print(asyncio.run(run_typos(scale, args.years)), flush=True)
        return
    print(long_question(), flush=True)
    for scale in args.scale or [1, 100]:
        print(asyncio.run(run(scale, args.years)), flush=True)


if __name__ == "__main__":
    main()
