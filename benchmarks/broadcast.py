"""Benchmark: the broadcast delivery engine against Telegram's limits, next to a naive PTB baseline.

Three processes per run, so each one's CPU is its own (the machine has 2 cores):

- the local Telegram imitation (``python -m bot.offline.localtg``), limits enforced, ``--flood-ban`` on so a
  client that ignores ``retry_after`` is caught (every send during a global 429 is refused);
- the sending process, ``benchmarks/_engine_worker.py``: the real DeliveryEngine (``engine``) or a
  plain loop through PTB's AIORateLimiter (``baseline``), on a SQLite database prepared here with the
  real migrations, subscribers and ``data.outbox.create_broadcast`` (6 messages of the sample
  bulletin, rendered by the real parser and renderer, ~300–1,500 characters of Vietnamese HTML);
- this script, which prepares, injects faults, kills, and checks the imitation's record.

Each run prints ONE line: scenario, implementation, subscribers, messages queued, configured rate
(and the imitation's limit when it differs), achieved rate (delivered / (last − first delivery), on
the imitation's delivery clock), its ratio to the configured rate, 429s by kind (``storm`` is
injected, ``in_flight`` were already under way when a 429 was answered; every other kind is a limit
violation), lost (expected (chat, seq) never delivered), duplicated ((chat, seq) delivered more than
once), out of order (chats whose first deliveries are not in seq order), CPU seconds per 1,000
messages (= ms per message) and peak RSS of the sending process (CPU counted from the start of
sending, imports excluded), scenario notes, and ``targets=met`` or ``targets=missed(<which>)``.
Messages are told apart by the imitation's digest (sha1 of the text), so nothing is added to them.

Scenarios:
  a       300 chats × 6 at 30/s (imitation global limit 30/s)
  a_group 200 chats + 1 group that migrates to a supergroup at its first send, × 6 at 28/s (imitation
          30/s, a group 20 a minute); also prints when the group's first and last part went out and
          when every private chat was done (seconds from the first delivery): no group tail
  a_hog   scenario a with one CPU-spinning process per core beside the sender while it sends
  b       10,000 chats × 6 at 1,000/s paid (imitation paid limit 1,000/s)
  b_hog   scenario b with the CPU hog (no limit may be exceeded at the imitation's side)
  c       1,000 chats × 6 at 30/s with faults: 5% blocked (403), 1% 502s, a 429 storm (retry_after 3,
          3 requests) at half-way, one group that migrates to a supergroup
  d       2,000 chats × 6 at 200/s; the engine is SIGKILLed at 50% and restarted on the same database
  d28     120 chats × 6 at 28/s (imitation 30/s), SIGKILLed at 50% and restarted
  e       120 chats, 12 of them gone (403 "bot was blocked by the user" / "user is deactivated"), 2%
          of sends answered 502, plus the migrating group, × 6 at 28/s (imitation 30/s); every 502
          must be retried (the engine's transient count at least the imitation's 502s)
  queue   time to queue a broadcast for 100,000 subscribers (600,000 outbox rows), no sending
  memory  engine peak RSS over the first 20 s of a 100,000-subscriber broadcast at 1,000/s paid,
          next to the same for 10,000 subscribers (memory must not grow with subscribers × parts)

The baseline runs beside the engine where it says something: not in the kill scenarios (it keeps no
state to restart from) nor with the hog. Targets (constants below, from issue 9): ratio ≥ 0.95 in a,
b and a_group, ≥ 0.9 in e; 0 violations, 0 lost and 0 out of order everywhere; 0 duplicated except
after a kill, where duplicates ≤ ``dup_bound``: the sends whose outcome was not on disk in the
worker's last progress line before the SIGKILL (the kill follows that line at once, and a send the
Pacer could start in that line's age is added); CPU ≤ 0.5 ms per message at 30/s-class rates (a,
a_group, a_hog, e, d28), ≤ 0.4 ms at 1,000/s (b, b_hog), ≤ 1 ms in c and d; peak RSS ≤ 150 MB.

    .venv/bin/python benchmarks/broadcast.py                         # everything, full scale (~25 min)
    .venv/bin/python benchmarks/broadcast.py --scenarios a,d --quick # a scaled-down smoke run
    .venv/bin/python benchmarks/broadcast.py --scenarios a_group,e,d28,b_hog --impl engine

The baseline needs aiolimiter (``pip install "python-telegram-bot[rate-limiter]==22.8"``); without it
the baseline runs are reported as skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import importlib.util
import json
import math
import os
import re
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable as a script from any directory

from bot.domain.parser import parse_bulletin  # noqa: E402
from bot.domain.rendering import render_bulletin  # noqa: E402
from data import bulletins, outbox  # noqa: E402
from data.store import Store, utcnow  # noqa: E402

SEED = ROOT / "tests" / "data" / "seed-2021-10-haiphong.txt"
WORKER = Path(__file__).resolve().parent / "_engine_worker.py"
PYTHON = sys.executable
PROFILE_DIR: Path | None = None  # --profile: run the workers under pyinstrument, reports saved here
DUMP_DIR: Path | None = None  # --dump: the imitation's record of each run saved here, as JSON
FIRST_CHAT = 10_000_000  # private chats get FIRST_CHAT + i
GROUP_CHAT = -4_000_000_001  # the group that migrates (c, e, a_group)
SUPERGROUP_CHAT = -1_002_000_000_001
VIOLATIONS = ("global", "paid", "per_chat", "group", "ignored_retry_after")
# "storm" is injected; "in_flight" are sends already under way when a 429 was answered.
KINDS = (*VIOLATIONS, "storm", "in_flight")
# Targets from the issues; never weakened here. Ratio is achieved / configured rate.
MIN_RATIO = 0.95  # a, b, a_group
MIN_RATIO_FAULTS = 0.9  # e: 2% 502s, blocked chats and a migrating group
MAX_CPU_PER_1K = 1.0  # ms of CPU per message, scenarios the CPU targets below do not name (c, d)
MAX_CPU_PER_1K_30 = 0.5  # at 30/s-class rates: a, a_group, a_hog, e, d28
MAX_CPU_PER_1K_1000 = 0.4  # at 1,000/s: b, b_hog
MAX_RSS_MB = 150.0
MAX_QUEUE_SECONDS = 2.0
PROGRESS_KILL = 0.05  # seconds between a worker's progress lines when it is to be SIGKILLed
EMPTY_PROGRESS: dict[str, Any] = {"sent": 0, "max_in_flight": 0, "in_flight": 0, "t": 0.0}


@dataclass(frozen=True)
class Scenario:
    key: str
    chats: int  # private chats (the migrating group, if any, comes on top)
    rate: float  # the sender's configured rate
    tg_rate: float | None = None  # the imitation's global (or paid) limit; None: the same as ``rate``
    paid: bool = False
    group: bool = False  # one group among them that migrates to a supergroup on its first send
    gone_every: int = 0  # every n-th private chat is gone: blocked, or its user deleted (403)
    gone_kinds: tuple[str, ...] = ("blocked",)
    error_p: float = 0.0  # share of sends answered 502
    storm: bool = False  # a 429 storm (retry_after 3, 3 requests) at half-way
    hog: bool = False  # one CPU-spinning process per core beside the sender while it sends
    kill_at: float | None = None  # fraction of messages delivered when the engine is SIGKILLed
    min_ratio: float | None = None
    max_cpu_per_1k: float = MAX_CPU_PER_1K
    baseline: bool = True  # whether a baseline run says anything here

    @property
    def limit(self) -> float:
        return self.tg_rate or self.rate


ALL = ("a", "a_group", "a_hog", "b", "b_hog", "c", "d", "d28", "e", "queue", "memory")


def scenarios(quick: bool) -> dict[str, Scenario]:
    q = 10 if quick else 1
    cpu30, cpu1k = MAX_CPU_PER_1K_30, MAX_CPU_PER_1K_1000
    a = Scenario("a", 300 // (3 if quick else 1), 30.0, min_ratio=MIN_RATIO, max_cpu_per_1k=cpu30)
    b = Scenario("b", 10_000 // q, 1000.0, paid=True, min_ratio=MIN_RATIO, max_cpu_per_1k=cpu1k)
    return {
        "a": a,
        "b": b,
        "c": Scenario("c", 1_000 // (4 if quick else 1) - 1, 30.0, group=True, gone_every=20, error_p=0.01, storm=True),
        "d": Scenario("d", 2_000 // (4 if quick else 1), 200.0, kill_at=0.5, baseline=False),
        # Issue 9: what real audiences have. A group takes 20 a minute, so its 6 parts need 15 s:
        # scaled down, there must still be more than 15 s of private chats' work (100 × 6 at 28/s).
        "a_group": Scenario(
            "a_group", 100 if quick else 200, 28.0, tg_rate=30.0, group=True, min_ratio=MIN_RATIO, max_cpu_per_1k=cpu30
        ),
        "e": Scenario(
            "e",
            100 if quick else 120,
            28.0,
            tg_rate=30.0,
            group=True,
            gone_every=10,
            gone_kinds=("blocked", "deactivated"),
            error_p=0.02,
            min_ratio=MIN_RATIO_FAULTS,
            max_cpu_per_1k=cpu30,
        ),
        "a_hog": Scenario("a_hog", a.chats, 30.0, hog=True, max_cpu_per_1k=cpu30, baseline=False),
        "b_hog": Scenario("b_hog", b.chats, 1000.0, paid=True, hog=True, max_cpu_per_1k=cpu1k, baseline=False),
        "d28": Scenario(
            "d28", 60 if quick else 120, 28.0, tg_rate=30.0, kill_at=0.5, max_cpu_per_1k=cpu30, baseline=False
        ),
    }


# ---------------------------------------------------------------------------------- the imitation


class Imitation:
    """``python -m bot.offline.localtg`` in a child process, and its /_control/ API."""

    def __init__(self, *args: str) -> None:
        self._args = args
        self._proc: asyncio.subprocess.Process | None = None
        self._http: aiohttp.ClientSession | None = None
        self.url = self.base_url = self.base_file_url = ""

    async def __aenter__(self) -> Imitation:
        self._proc = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "bot.offline.localtg", "--host", "127.0.0.1", "--port", "0", *self._args,
            cwd=ROOT, stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert self._proc.stdout is not None
            line = (await asyncio.wait_for(self._proc.stdout.readline(), 20)).decode()
            found = dict(re.findall(r"(\w+)=(\S+)", line))
            self.base_url, self.base_file_url = found["base_url"], found["base_file_url"]
            self.url = self.base_url.rsplit("/bot", 1)[0]
            if not self.url.startswith("http://127.0.0.1:"):
                raise RuntimeError(f"imitation is not local: {line!r}")
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()
        await _terminate(self._proc)

    async def get(self, path: str, **params: str) -> Any:
        assert self._http is not None
        async with self._http.get(f"{self.url}/_control/{path}", params=params) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def post(self, path: str, body: dict[str, Any]) -> None:
        assert self._http is not None
        async with self._http.post(f"{self.url}/_control/{path}", json=body) as resp:
            resp.raise_for_status()

    async def delivered(self) -> int:
        return int((await self.get("stats"))["delivered"])


async def _terminate(proc: asyncio.subprocess.Process | None, grace: float = 5.0) -> None:
    if proc is None or proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()


# ------------------------------------------------------------------------------------ the worker


@dataclass
class Worker:
    """One run of ``_engine_worker.py``; keeps the JSON lines it printed."""

    proc: asyncio.subprocess.Process
    stderr_path: Path
    started: dict[str, Any] = field(default_factory=dict)
    progress: dict[str, Any] = field(default_factory=lambda: dict(EMPTY_PROGRESS))
    done: dict[str, Any] | None = None
    reader: asyncio.Task[None] | None = None
    progressed: asyncio.Event = field(default_factory=asyncio.Event)  # set at each progress line

    @classmethod
    async def start(cls, mode: str, db: Path, tg: Imitation, sc: Scenario, tmp: Path, *extra: str) -> Worker:
        stderr_path = tmp / f"{mode}-{time.monotonic_ns()}.stderr"
        args = [str(WORKER), mode, "--db", str(db), "--base-url", tg.base_url, "--base-file-url", tg.base_file_url]
        args += ["--rate", str(sc.rate), *(["--paid"] if sc.paid else []), *extra]
        if PROFILE_DIR is not None:
            report = PROFILE_DIR / f"{sc.key}-{mode}-{time.monotonic_ns()}.txt"
            args = ["-m", "pyinstrument", "--renderer", "text", "--show-all", "-o", str(report), *args]
        with stderr_path.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                PYTHON, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=err, stdin=asyncio.subprocess.DEVNULL
            )
        worker = cls(proc, stderr_path)
        worker.reader = asyncio.create_task(worker._read())
        return worker

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            with contextlib.suppress(ValueError):
                msg = json.loads(raw)
                event = msg.pop("event", "")
                if event == "started":
                    self.started = msg
                elif event == "progress":
                    self.progress = msg
                    self.progressed.set()
                elif event == "done":
                    self.done = msg

    async def wait(self, timeout: float) -> dict[str, Any]:
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            await _terminate(self.proc)
        if self.reader is not None:
            await self.reader
        if self.done is None:
            tail = self.stderr_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"worker exited with {self.proc.returncode} and no result:\n{tail}")
        return self.done

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        if self.reader is not None:
            await self.reader

    async def kill_after_progress(self) -> tuple[dict[str, Any], float]:
        """SIGKILL right after the worker's next progress line; returns that line and its age at the
        kill (seconds, one monotonic clock for both processes)."""
        self.progressed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.progressed.wait(), 5)
        snapshot = dict(self.progress)
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)
        age = time.monotonic() - float(snapshot.get("t") or 0.0) if snapshot.get("t") else float("inf")
        await self.kill()
        return snapshot, age


@contextlib.asynccontextmanager
async def cpu_hog(on: bool) -> AsyncIterator[int]:
    """One process spinning per core while the body runs (none when ``on`` is false); yields how many."""
    hogs: list[asyncio.subprocess.Process] = []
    try:
        for _ in range((os.cpu_count() or 1) if on else 0):
            hogs.append(
                await asyncio.create_subprocess_exec(PYTHON, "-c", "while True: pass", stdin=asyncio.subprocess.DEVNULL)
            )
        yield len(hogs)
    finally:
        for hog in hogs:  # only the processes started here
            with contextlib.suppress(ProcessLookupError):
                hog.kill()
            await hog.wait()


# ---------------------------------------------------------------------------------- the database


@dataclass(frozen=True)
class Prepared:
    db: Path
    parts: list[str]
    chats: list[int]
    queue_seconds: float


async def prepare(db: Path, chats: list[int]) -> Prepared:
    """A fresh database with ``chats`` subscribed and one broadcast of the sample bulletin queued."""
    bulletin = parse_bulletin(SEED.read_bytes())
    parts = [(m.task_number, m.html) for m in render_bulletin(bulletin)]
    now = utcnow()
    async with await Store.open(db) as store:
        async with store.transaction() as conn:
            await conn.executemany(
                "INSERT INTO subscribers (chat_id, chat_type, active, subscribed_at, updated_at)"
                " VALUES (?, ?, 1, ?, ?)",
                [(c, "private" if c > 0 else "group", now, now) for c in chats],
            )
        bulletin_id, _ = await bulletins.add(store, bulletin)
        t0 = time.perf_counter()
        await outbox.create_broadcast(store, bulletin_id, parts, requested_by=None, admin_chat_id=None)
        queue_seconds = time.perf_counter() - t0
    return Prepared(db, [html for _, html in parts], chats, queue_seconds)


# ------------------------------------------------------------------------------------- checking


def digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]  # as bot.offline.localtg.server._digest


@dataclass
class Check:
    delivered: int = 0
    rate: float = 0.0
    lost: int = 0
    duplicated: int = 0
    out_of_order: int = 0
    stray: int = 0  # deliveries to chats that should get nothing, or of unknown texts
    first: float = 0.0
    last: float = 0.0


def check(rows: list[list[Any]], fields: list[str], expected: dict[int, int], parts: list[str]) -> Check:
    """Compare the imitation's record with what each chat should have got (chat → number of parts)."""
    col = {name: i for i, name in enumerate(fields)}
    i_chat, i_at, i_digest = col["chat_id"], col["at"], col["digest"]
    seq_of = {digest(text): seq for seq, text in enumerate(parts, 1)}
    got: dict[int, list[int]] = defaultdict(list)
    result = Check()
    times: list[float] = []
    for row in rows:
        seq = seq_of.get(row[i_digest])
        times.append(row[i_at])
        if seq is None or row[i_chat] not in expected:
            result.stray += 1
            continue
        got[row[i_chat]].append(seq)
    result.delivered = len(rows)
    if times:
        result.first, result.last = min(times), max(times)
        span = result.last - result.first
        result.rate = len(times) / span if span > 0 else 0.0
    for chat, n in expected.items():
        seqs = got.get(chat, [])
        counts = Counter(seqs)
        result.lost += sum(1 for s in range(1, n + 1) if s not in counts)
        result.duplicated += sum(1 for c in counts.values() if c > 1)
        firsts = list(dict.fromkeys(seqs))  # first delivery of each part, in arrival order
        if firsts != sorted(firsts):
            result.out_of_order += 1
    return result


# -------------------------------------------------------------------------------------- one run


@dataclass
class RunResult:
    line: str
    met: bool


def _fmt_kinds(limited: dict[str, int]) -> str:
    return ",".join(f"{k}:{limited.get(k, 0)}" for k in KINDS)


async def run_one(sc: Scenario, impl: str, tmp: Path) -> RunResult:
    private = [FIRST_CHAT + i for i in range(sc.chats)]
    chats = [*private, *([GROUP_CHAT] if sc.group else [])]
    gone: dict[int, str] = {}
    if sc.gone_every:
        picked = private[:: sc.gone_every][: len(chats) // sc.gone_every]
        gone = {c: sc.gone_kinds[i % len(sc.gone_kinds)] for i, c in enumerate(picked)}
    db = tmp / f"{sc.key}-{impl}.db"
    prep = await prepare(db, chats)
    n_parts = len(prep.parts)
    expected = {c: n_parts for c in chats if c not in gone}
    if sc.group:
        expected[SUPERGROUP_CHAT] = expected.pop(GROUP_CHAT)
    queued = len(chats) * n_parts
    want = sum(expected.values())

    limit = int(sc.limit)
    flags = ["--flood-ban", "--global-rate", str(limit), "--paid-rate", str(limit if sc.paid else 1000)]
    budget = 120 + 3 * queued / sc.rate  # generous: the baseline may crawl through retries
    notes: list[str] = []
    killed: tuple[dict[str, Any], float] | None = None
    extra = ["--max-seconds", str(budget)]
    # Frequent progress lines only from the worker to be killed; the restart's CPU is the one measured.
    first_extra = [*extra, "--progress", str(PROGRESS_KILL)] if sc.kill_at is not None else extra
    async with Imitation(*flags) as tg:
        for kind in sorted(set(gone.values())):
            await tg.post("block", {"chat_ids": [c for c, k in gone.items() if k == kind], "kind": kind})
        if sc.group:
            await tg.post("migrate", {"chat_id": GROUP_CHAT, "new_chat_id": SUPERGROUP_CHAT})
        if sc.error_p:
            await tg.post("error_rate", {"p": sc.error_p, "status": 502, "seed": 7})
        async with cpu_hog(sc.hog) as hogs:
            t0 = time.monotonic()
            worker = await Worker.start(impl, db, tg, sc, tmp, *first_extra)
            runs = [worker]
            if sc.storm:
                await _at_fraction(tg, want, 0.5, budget, lambda: tg.post("storm", {"retry_after": 3, "requests": 3}))
            if sc.kill_at is not None:

                async def kill() -> None:
                    nonlocal killed
                    killed = await worker.kill_after_progress()

                await _at_fraction(tg, want, sc.kill_at, budget, kill)
                at_kill = await tg.delivered()
                restart = await Worker.start(impl, db, tg, sc, tmp, *extra)
                runs.append(restart)
                done = await restart.wait(budget + 30)
                notes.append(f"killed_at={at_kill}/{want}")
            else:
                done = await worker.wait(budget + 30)
            wall = time.monotonic() - t0
        if hogs:
            notes.append(f"cpu_hogs={hogs}")
        stats = await tg.get("stats")
        sent = await tg.get("sent")
    if DUMP_DIR is not None:
        DUMP_DIR.mkdir(parents=True, exist_ok=True)
        (DUMP_DIR / f"{sc.key}-{impl}.json").write_text(json.dumps({"sent": sent, "stats": stats}))
    result = check(sent["rows"], sent["fields"], expected, prep.parts)
    limited: dict[str, int] = stats["rate_limited"]
    violations = sum(limited.get(k, 0) for k in VIOLATIONS)

    # CPU per message of the runs that reported (a SIGKILLed worker cannot): its own sends only.
    finished = [r.done for r in runs if r.done is not None]
    cpu_per_1k = 1000 * sum(d["cpu"] for d in finished) / max(1, sum(d["sent"] for d in finished))
    rss = max(d["peak_rss_mb"] for d in finished)
    ratio = result.rate / sc.rate
    missed: list[str] = []
    if sc.min_ratio is not None and ratio < sc.min_ratio:
        missed.append(f"ratio<{sc.min_ratio:g}")
    if violations:
        missed.append("violations")
    if result.lost:
        missed.append("lost")
    if result.out_of_order:
        missed.append("out_of_order")
    if cpu_per_1k > sc.max_cpu_per_1k:
        missed.append(f"cpu>{sc.max_cpu_per_1k:g}ms")
    if rss > MAX_RSS_MB:
        missed.append("rss")
    if sc.kill_at is None:
        if result.duplicated:
            missed.append("dup")
    else:
        # The rows a restart sends again are those whose outcome was not on disk at the kill: the
        # worker's last snapshot of them, plus any send the Pacer could start in the snapshot's age.
        snap, age = killed if killed is not None else (dict(EMPTY_PROGRESS), float("inf"))
        could_start = math.ceil(sc.rate * age) if math.isfinite(age) else queued
        bound = int(snap["in_flight"]) + could_start
        notes.append(
            f"dup_bound={bound}(in_flight={snap['in_flight']} at kill-{1000 * age:.1f}ms +{could_start};"
            f" max_in_flight={snap['max_in_flight']})"
        )
        if result.duplicated > bound:
            missed.append("dup>bound")
    if sc.group:
        notes.append(_group_timing(sent["rows"], sent["fields"], result.first))
    if impl == "engine" and (sc.gone_every or sc.group or sc.error_p):
        s = done["stats"]
        injected = stats["status_counts"].get("502", 0)
        notes.append(f"gone={s['gone']}/{len(gone)} migrated={s['migrated']} 502s={injected} retried={s['transient']}")
        if s["transient"] < injected:
            missed.append("502s_not_retried")
    elif impl == "baseline" and done["stats"]["errors"]:
        notes.append(f"errors={done['stats']['errors']}")
    if result.stray:
        notes.append(f"stray={result.stray}")
    if done["reason"] != "drained":
        notes.append(f"stopped={done['reason']}")
        missed.append("stopped")
    met = not missed
    # The baseline is a reference, not held to the targets.
    verdict = "n/a(baseline)" if impl == "baseline" else ("met" if met else f"missed({','.join(missed)})")
    line = (
        f"scenario={sc.key} impl={impl} subscribers={len(chats)} messages={queued} delivered={result.delivered} "
        f"limit={sc.rate:g}/s{' paid' if sc.paid else ''}"
        f"{f' (imitation {sc.limit:g}/s)' if sc.limit != sc.rate else ''} "
        f"achieved={result.rate:.1f}/s(imitation clock) "
        f"ratio={ratio:.3f} max_1s={stats['max_rate_1s']} 429s[{_fmt_kinds(limited)}] lost={result.lost} "
        f"dup={result.duplicated} out_of_order={result.out_of_order} cpu_s_per_1k={cpu_per_1k:.3f} "
        f"peak_rss_mb={rss:.0f} wall={wall:.1f}s {' '.join(notes)} targets={verdict}"
    )
    return RunResult(line, met or impl == "baseline")


def _group_timing(rows: list[list[Any]], fields: list[str], first: float) -> str:
    """When the migrated group's first and last part went out and when every private chat was done,
    in seconds from the first delivery: the group must not form the tail."""
    col = {name: i for i, name in enumerate(fields)}
    group = [r[col["at"]] - first for r in rows if r[col["chat_id"]] == SUPERGROUP_CHAT]
    private = [r[col["at"]] - first for r in rows if r[col["chat_id"]] > 0]
    g = f"{min(group):.1f}s..{max(group):.1f}s({len(group)} parts)" if group else "none"
    return f"group={g} private_done={max(private, default=0.0):.1f}s"


async def _at_fraction(
    tg: Imitation, total: int, fraction: float, budget: float, action: Callable[[], Awaitable[None]]
) -> None:
    """Run ``action`` once the imitation has delivered ``fraction`` of ``total`` (or give up)."""
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        if await tg.delivered() >= total * fraction:
            await action()
            return
        await asyncio.sleep(0.02)


# ---------------------------------------------------------------------------- queue and memory


async def run_queue(tmp: Path, subscribers: int) -> RunResult:
    prep = await prepare(tmp / "queue.db", [FIRST_CHAT + i for i in range(subscribers)])
    rows = subscribers * len(prep.parts)
    met = prep.queue_seconds <= MAX_QUEUE_SECONDS
    line = (
        f"scenario=queue subscribers={subscribers} rows={rows} create_broadcast={prep.queue_seconds:.2f}s "
        f"({rows / prep.queue_seconds:,.0f} rows/s) target<={MAX_QUEUE_SECONDS:g}s targets={'met' if met else 'MISSED'}"
    )
    return RunResult(line, met)


async def run_memory(tmp: Path, subscribers: int, seconds: float) -> RunResult:
    sc = Scenario("memory", subscribers, 1000.0, paid=True)
    prep = await prepare(tmp / f"memory-{subscribers}.db", [FIRST_CHAT + i for i in range(subscribers)])
    async with Imitation("--flood-ban", "--paid-rate", "1000", "--no-record-texts") as tg:
        worker = await Worker.start("engine", prep.db, tg, sc, tmp, "--max-seconds", str(seconds))
        done = await worker.wait(seconds + 60)
        stats = await tg.get("stats")
    sent = done["sent"]
    rss = done["peak_rss_mb"]
    cpu_per_1k = 1000 * done["cpu"] / max(1, sent)
    met = rss <= MAX_RSS_MB
    line = (
        f"scenario=memory impl=engine subscribers={subscribers} messages={subscribers * len(prep.parts)} "
        f"limit=1000/s paid drained={sent} in {done['wall']:.1f}s ({sent / done['wall']:.0f}/s) "
        f"429s[{_fmt_kinds(stats['rate_limited'])}] peak_rss_mb={rss:.0f} "
        f"(at start {worker.started.get('rss_mb_at_start', 0):.0f}) cpu_s_per_1k={cpu_per_1k:.3f} "
        f"target<={MAX_RSS_MB:g}MB targets={'met' if met else 'MISSED'}"
    )
    return RunResult(line, met)


# ------------------------------------------------------------------------------------------ main


async def amain(args: argparse.Namespace) -> int:
    wanted = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    impls = [s.strip() for s in args.impl.split(",") if s.strip()]
    table = scenarios(args.quick)
    unknown = [s for s in wanted if s not in (*table, "queue", "memory")]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    if "baseline" in impls and importlib.util.find_spec("aiolimiter") is None:
        print("baseline skipped: aiolimiter is not installed (python-telegram-bot[rate-limiter])", flush=True)
        impls = [i for i in impls if i != "baseline"]
    big = 10_000 if args.quick else 100_000
    ok = True
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as name:
        tmp = Path(name)
        for key in wanted:
            if key == "queue":
                results = [await run_queue(tmp, big)]
            elif key == "memory":
                seconds = 5.0 if args.quick else 20.0
                results = [await run_memory(tmp, big // 10, seconds), await run_memory(tmp, big, seconds)]
            else:
                sc = table[key]
                results = [await run_one(sc, impl, tmp) for impl in impls if sc.baseline or impl != "baseline"]
            for r in results:
                print(r.line, flush=True)
                ok = ok and r.met
            for db in tmp.glob("*.db*"):
                db.unlink()  # hundreds of MB at full scale; the next scenario starts fresh anyway
    print(f"total wall {time.monotonic() - t0:.0f}s; engine targets {'all met' if ok else 'NOT all met'}", flush=True)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", default=",".join(ALL), help=f"comma-separated: {','.join(ALL)}")
    parser.add_argument("--impl", default="engine,baseline", help="engine, baseline or both")
    parser.add_argument("--quick", action="store_true", help="about a tenth of the scale, for a smoke run")
    parser.add_argument("--profile", type=Path, help="run the sending processes under pyinstrument; reports here")
    parser.add_argument(
        "--dump", type=Path, help="save the imitation's record of each run here (<scenario>-<impl>.json)"
    )
    args = parser.parse_args(argv)
    if args.profile is not None:
        global PROFILE_DIR
        PROFILE_DIR = args.profile.resolve()
        PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    if args.dump is not None:
        global DUMP_DIR
        DUMP_DIR = args.dump.resolve()
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return asyncio.run(amain(args))


if __name__ == "__main__":
    sys.exit(main())
