"""Benchmark: how fast a bulletin is read and split.

Each section prints one line per input kind with p50 / p99 / max; the targets are in issue 8.

    .venv/bin/python benchmarks/parse.py                # every section
    .venv/bin/python benchmarks/parse.py --only text    # the parser on plain text only
    .venv/bin/python benchmarks/parse.py --only hostile # the tests' hostile inputs: cost and growth
    .venv/bin/python benchmarks/parse.py --only documents --only memory   # the loaders
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


# --------------------------------------------------------------------------------------------------
# Section "hostile": the inputs of tests/hostile_inputs.py at the size the tests parse them (the tests
# check what each parses to; here is what each costs), and at half that size: a linear parser takes
# about twice as long for twice the input, a quadratic one four times as long.
# --------------------------------------------------------------------------------------------------

HOSTILE_TARGET_MS = 1000.0  # at full size: up to 190,000 characters, close to the 200,000 cap
HOSTILE_MAX_GROWTH = 3.0  # full size / half size; linear is ~2, quadratic ~4
HOSTILE_NOISE_MS = 20.0  # below this at full size the ratio is timer noise, not a growth rate


def _hostile_cases() -> dict[str, Callable[[float], Callable[[], None]]]:
    """Name → (scale → one parse of that input at that scale, refusals included)."""
    from bot.domain.parser import parse_document
    from tests import hostile_inputs as hostile

    def text_case(build: Callable[[float], str]) -> Callable[[float], Callable[[], None]]:
        def at(scale: float) -> Callable[[], None]:
            text = build(scale)
            return lambda: _refusal_is_fine(lambda: parse_bulletin(text))

        return at

    def document_case(build: Callable[[float], Any]) -> Callable[[float], Callable[[], None]]:
        def at(scale: float) -> Callable[[], None]:
            document = build(scale)
            return lambda: _refusal_is_fine(lambda: parse_document(document))

        return at

    cases = {f"text: {name}": text_case(build) for name, build in {**hostile.TEXTS, **hostile.FAMILY_TEXTS}.items()}
    cases |= {f"document: {name}": document_case(build) for name, build in hostile.DOCUMENTS.items()}
    return cases


def _refusal_is_fine(parse: Callable[[], object]) -> None:
    with contextlib.suppress(BulletinParseError):
        parse()


def bench_hostile(rounds: int) -> bool:
    rounds = max(3, rounds // 40)
    print(f"hostile inputs (tests/hostile_inputs.py) at full and half size, {rounds} rounds each (p50)")
    ok = True
    for name, at in _hostile_cases().items():
        full = statistics.median(_time(at(1.0), rounds))
        half = statistics.median(_time(at(0.5), rounds))
        growth = full / half if half > 0 else float("inf")
        linear = growth <= HOSTILE_MAX_GROWTH or full * 1000 < HOSTILE_NOISE_MS
        met = full * 1000 <= HOSTILE_TARGET_MS and linear
        print(
            f"{name:<42} full {full * 1000:7.1f} ms  half {half * 1000:7.1f} ms  growth ×{growth:4.1f}  "
            f"target ≤ {HOSTILE_TARGET_MS:g} ms and ×{HOSTILE_MAX_GROWTH:g}: {'met' if met else 'MISSED'}"
        )
        ok = met and ok
    return ok


# --------------------------------------------------------------------------------------------------
# Sections "documents" and "memory": the loaders (bot.ingest), then the parser on their Document
# (ingest helper's sections). Inputs are the committed fixtures in tests/data/documents; the 300 KB
# page and the 10 MB uploads are grown from them in memory here, deterministically.
# --------------------------------------------------------------------------------------------------

DOCUMENTS = EXAMPLES / "documents"
DOC_TARGETS_MS = {"docx": 100.0, "pdf": 300.0, "html": 150.0}
MEMORY_TARGET_MB = 100.0
UPLOAD_BYTES = 10 * 1024 * 1024


def _load_and_parse(data: bytes, filename: str) -> None:
    from bot.domain.parser import parse_document
    from bot.ingest import load

    with contextlib.suppress(BulletinParseError):
        parse_document(load(data, filename=filename))


def _page_of(size: int) -> bytes:
    """The saved portal page grown to ``size`` bytes with more sidebar boxes and comment threads (DOM,
    not just script text), the article unchanged."""
    page = (DOCUMENTS / "portal-case01.html").read_bytes()
    start = page.index(b'<div class="box"><h3 class="box-title">Tin m')
    end = page.index(b"</aside>")
    boxes = page[start:end]
    comments_at = page.index(b'<div class="comment-item">')
    comment = page[comments_at : page.index(b'<div class="comment-form">')]
    grown = page
    while len(grown) < size:
        grown = grown.replace(b"</aside>", boxes + b"</aside>", 1).replace(
            b'<div class="comment-form">', comment + b'<div class="comment-form">', 1
        )
    return grown


def bench_documents(rounds: int) -> bool:
    rounds = max(30, rounds // 2)
    print(f"load + parse_document (bot.ingest.load, then the parser; {rounds} rounds per input)")
    inputs = {
        "docx": ("2-page .docx, Word numbering", (DOCUMENTS / "notice-fam-roman-sections.docx").read_bytes(), "a.docx"),
        "pdf": ("2-page .pdf, header/footer", (DOCUMENTS / "print-seed.pdf").read_bytes(), "a.pdf"),
        "html": ("300 KB saved portal page", _page_of(300_000), "a.html"),
    }
    ok = True
    for kind, (name, data, filename) in inputs.items():
        samples = _time(lambda data=data, filename=filename: _load_and_parse(data, filename), rounds)  # type: ignore[misc]
        ok = _line(name, len(data), samples, DOC_TARGETS_MS[kind]) and ok
    _compare_pdf_libraries(max(10, rounds // 3))
    return ok


def _compare_pdf_libraries(rounds: int) -> None:
    """Why pdfminer.six: text-only extraction times of the same PDF (pypdf only if installed)."""
    import io

    data = (DOCUMENTS / "print-seed.pdf").read_bytes()
    from pdfminer.high_level import extract_text

    p50, _, _ = _percentiles(_time(lambda: extract_text(io.BytesIO(data)), rounds))
    line = f"  pdf text only, same file: pdfminer.six {p50 * 1000:.1f} ms"
    try:
        import pypdf
    except ImportError:
        print(line + " (pypdf not installed)")
        return
    p50, _, _ = _percentiles(
        _time(lambda: [pg.extract_text() for pg in pypdf.PdfReader(io.BytesIO(data)).pages], rounds)
    )
    print(line + f", pypdf {p50 * 1000:.1f} ms (p50; pypdf gives no line positions)")


def _png(width: int, height: int, seed: int) -> bytes:
    """A valid, incompressible greyscale PNG (a photo's worth of bytes) without an imaging library."""
    import random
    import struct
    import zlib

    rng = random.Random(seed)
    rows = b"".join(b"\x00" + rng.randbytes(width) for _ in range(height))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b"")


def _docx_10mb() -> bytes:
    import io

    import docx

    word = docx.Document(io.BytesIO((DOCUMENTS / "notice-fam-roman-sections.docx").read_bytes()))
    side = int((UPLOAD_BYTES * 0.97) ** 0.5)
    word.add_picture(io.BytesIO(_png(side, side, 1)))
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _pdf_10mb() -> bytes:
    """A one-page PDF written by hand: a text line and a 10 MB image XObject (a scan-sized photo)."""
    import random

    side = int(UPLOAD_BYTES**0.5)
    pixels = random.Random(2).randbytes(side * side)
    text = b"BT /F1 12 Tf 72 760 Td (Hoi nghi Bao cao vien thang 10/2021: Thu nhat, tuyen truyen.) Tj ET\n"
    content = text + b"q 400 0 0 400 100 200 cm /Im1 Do Q\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Length %d >>\nstream\n" % (side, side, len(pixels)) + pixels + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _text_10mb(encoding: str) -> bytes:
    text = (EXAMPLES / "case02.txt").read_text(encoding="utf-8")
    if encoding == "cp1258":
        import importlib.util

        spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts" / "make_test_documents.py")
        assert spec is not None and spec.loader is not None
        gen = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(gen)
        unit = gen.to_cp1258(text)
    else:
        unit = text.encode(encoding)
    return (unit * (UPLOAD_BYTES // len(unit) + 1))[: UPLOAD_BYTES - 16]


def _html_10mb(dense: bool) -> bytes:
    if dense:
        return _page_of(UPLOAD_BYTES - 200_000)
    # What a 10 MB saved page usually is: the page with its photos inlined as base64 data URIs.
    import base64

    page = (DOCUMENTS / "portal-case01.html").read_bytes()
    photo = base64.b64encode(_png(2000, 1800, 3))
    figure = b'<figure><img src="data:image/png;base64,' + photo + b'"><figcaption>Photo</figcaption></figure>'
    grown = page
    while len(grown) + len(figure) < UPLOAD_BYTES:
        grown = grown.replace(b"</aside>", figure + b"</aside>", 1)
    return grown


MEMORY_CASES: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "txt": ("10 MB .txt (UTF-8)", lambda: _text_10mb("utf-8"), "a.txt"),
    "txt1258": ("10 MB .txt (Windows-1258)", lambda: _text_10mb("cp1258"), "a.txt"),
    "docx": ("10 MB .docx (2 pages + a photo)", _docx_10mb, "a.docx"),
    "pdf": ("10 MB .pdf (text + a scan-sized image)", _pdf_10mb, "a.pdf"),
    "html": ("10 MB saved page (inline photos)", lambda: _html_10mb(False), "a.html"),
    "html-dense": ("9.8 MB page of pure markup (hostile)", lambda: _html_10mb(True), "a.html"),
}


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS (Linux ≥ 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def _memory_child(case: str, path: str) -> None:
    """In a fresh process: read the upload, warm the loaders up, then load + parse it once; print the
    RSS before and the peak RSS during that one load."""
    import gc

    from bot.ingest import UnsupportedDocument

    _name, _build, filename = MEMORY_CASES[case]
    for warm in ("notice-fam-roman-sections.docx", "print-seed.pdf", "portal-case01.html", "case04-utf-16.txt"):
        _load_and_parse((DOCUMENTS / warm).read_bytes(), warm)
    gc.collect()
    before = _status_mb("VmRSS")
    if not _reset_peak():
        raise SystemExit("cannot reset the peak RSS (/proc/self/clear_refs)")
    start = time.perf_counter()
    outcome = "loaded"
    try:
        _load_and_parse(Path(path).read_bytes(), filename)  # the upload's own bytes count too
    except UnsupportedDocument as error:
        outcome = f"refused:{error.reason.value}"
    elapsed = time.perf_counter() - start
    print(f"{before:.1f} {_status_mb('VmHWM'):.1f} {elapsed:.3f} {outcome}")


def bench_memory(rounds: int) -> bool:
    import subprocess
    import tempfile

    print("peak memory of one 10 MB upload (read + load + parse in a warmed-up process; growth = peak − before)")
    ok = True
    for case, (name, build, _) in MEMORY_CASES.items():
        data = build()
        with tempfile.NamedTemporaryFile(suffix=".upload") as upload:
            upload.write(data)
            upload.flush()
            result = subprocess.run(
                [sys.executable, __file__, "--memory-child", case, upload.name],
                capture_output=True,
                text=True,
                check=False,
            )
        if result.returncode != 0:
            print(f"{name:<40} failed: {result.stderr.strip().splitlines()[-1:]}")
            ok = False
            continue
        before, peak, elapsed, outcome = result.stdout.split()
        growth = float(peak) - float(before)
        hostile = case == "html-dense"
        met = growth <= MEMORY_TARGET_MB
        if not hostile:
            ok = met and ok
        verdict = "met" if met else ("over (hostile input, no target)" if hostile else "MISSED")
        print(
            f"{name:<40} {len(data) / 1e6:5.1f} MB  {float(elapsed) * 1000:6.0f} ms  {outcome:<8}  "
            f"RSS {float(before):4.0f} → peak {float(peak):4.0f} MB  growth {growth:4.0f} MB  "
            f"target ≤ {MEMORY_TARGET_MB:g} MB: {verdict}"
        )
    return ok


SECTIONS: dict[str, Callable[[int], bool]] = {
    "text": bench_text,
    "hostile": bench_hostile,
    "documents": bench_documents,
    "memory": bench_memory,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append", help="run only this section")
    parser.add_argument("--rounds", type=int, default=200, help="timed runs per input (default 200)")
    parser.add_argument("--memory-child", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        _memory_child(*args.memory_child)
        return 0
    ok = True
    for name in args.only or list(SECTIONS):
        ok = SECTIONS[name](args.rounds) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
