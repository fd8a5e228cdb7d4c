"""Benchmark: how fast a bulletin is read and split.

Each section prints one line per input kind with p50 / p99 / max; the targets are in issue 8.

    .venv/bin/python benchmarks/parse.py                # every section
    .venv/bin/python benchmarks/parse.py --only text    # the parser on plain text only
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable as a script from any directory

from bot.domain.parser import parse_bulletin  # noqa: E402
from bot.domain.records import BulletinParseError  # noqa: E402

EXAMPLES = ROOT / "tests" / "data"


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99, ordered[-1]


def _time(fn: Callable[[], object], rounds: int) -> list[float]:
    fn()  # warm up (regex compilation, imports)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _line(name: str, size: int, samples: list[float], target_ms: float) -> bool:
    p50, p99, worst = _percentiles(samples)
    met = p99 * 1000 <= target_ms
    print(
        f"{name:<34} {size / 1000:6.1f} KB  n={len(samples):<5} p50 {p50 * 1000:6.2f} ms  "
        f"p99 {p99 * 1000:6.2f} ms  max {worst * 1000:6.2f} ms  target p99 ≤ {target_ms:g} ms: "
        f"{'met' if met else 'MISSED'}"
    )
    return met


# --------------------------------------------------------------------------------------------------
# Section "text": the parser on a 5 KB text (parser helper's section)
# --------------------------------------------------------------------------------------------------

TEXT_TARGET_MS = 10.0
TEXT_SIZE = 5_000


def _five_kb(raw: str) -> str:
    """The example cut or repeated-in-the-middle to about 5 KB, keeping its header and its end."""
    data = raw.encode("utf-8")
    if len(data) >= TEXT_SIZE:
        return raw
    lines = raw.split("\n")
    middle = len(lines) // 2
    padding = "Trong công tác tuyên truyền, cần tuyên truyền đậm nét kết quả quan trọng của các chuyến thăm."
    out = lines[:middle]
    while len("\n".join(out + lines[middle:]).encode("utf-8")) < TEXT_SIZE:
        out.append(padding)
    return "\n".join(out + lines[middle:])


def _hostile() -> dict[str, str]:
    """5 KB of the patterns that make naive regexes slow."""
    return {
        "hostile: numbered lines": "".join(f"{i % 12 + 1}. a\n" for i in range(TEXT_SIZE // 5)),
        "hostile: ordinal soup": "Thứ nhất, " * (TEXT_SIZE // 10),
        "hostile: semicolon soup": "tuyên truyền a; " * (TEXT_SIZE // 16) + "\nHội nghị báo cáo viên tháng 5/2022",
        "hostile: one long line": "tuyên truyền " * (TEXT_SIZE // 13),
        "hostile: dates": "12/12/2021 " * (TEXT_SIZE // 11) + "\n1. a\n2. b",
    }


def bench_text(rounds: int) -> bool:
    print(f"parse 5 KB text (parse_bulletin, {rounds} rounds per input)")
    inputs: dict[str, str] = {}
    for path in sorted(EXAMPLES.glob("*.txt")):
        inputs[path.stem] = _five_kb(path.read_bytes().decode("utf-8-sig"))
    all_samples: list[float] = []
    ok = True
    for name, text in inputs.items():
        samples = _time(lambda text=text: parse_bulletin(text), rounds)  # type: ignore[misc]
        all_samples += samples
        _, p99, _ = _percentiles(samples)
        if p99 * 1000 > TEXT_TARGET_MS:
            ok = _line(name, len(text.encode()), samples, TEXT_TARGET_MS) and ok
    ok = _line(f"all {len(inputs)} examples at ~5 KB", TEXT_SIZE, all_samples, TEXT_TARGET_MS) and ok
    for name, text in _hostile().items():

        def attempt(text: str = text) -> None:
            with contextlib.suppress(BulletinParseError):
                parse_bulletin(text)

        ok = _line(name, len(text.encode()), _time(attempt, max(20, rounds // 5)), TEXT_TARGET_MS) and ok
    return ok


SECTIONS: dict[str, Callable[[int], bool]] = {"text": bench_text}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append", help="run only this section")
    parser.add_argument("--rounds", type=int, default=200, help="timed runs per input (default 200)")
    args = parser.parse_args(argv)
    ok = True
    for name in args.only or list(SECTIONS):
        ok = SECTIONS[name](args.rounds) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
