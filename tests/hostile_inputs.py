"""Inputs shaped to make a naive parser slow (backtracking regexes, a rescan per line, quadratic joins),
shared by the tests and the parse benchmark.

The tests check what each one parses to (tests/unit/test_bulletin_parser.py, test_parser_chooser.py,
test_parser_documents.py). How long each takes, and whether that grows linearly with its size, is
measured by ``benchmarks/parse.py --only hostile``, not asserted by the tests: a stopwatch in a test
fails on a slow or busy machine without anything being wrong.

Each entry builds its input at a ``scale``: 1.0 is the size the tests parse (the larger ones close to
the parser's 200,000-character cap); the benchmark also builds them at 0.5 to compare the two costs.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.blocks import Block, BlockKind, Document
from bot.domain.records import Bulletin, BulletinParseError, ParseErrorCode

# What an input parses to: the typed refusal, or the method and the tasks' enumerators.
Outcome = ParseErrorCode | tuple[str, list[str]]


def outcome(parse: Callable[[], Bulletin]) -> Outcome:
    try:
        bulletin = parse()
    except BulletinParseError as error:
        return error.code
    return bulletin.method, [t.enumerator for t in bulletin.tasks]


def _n(count: int, scale: float) -> int:
    return max(1, round(count * scale))


# Plain text for the enumerator families (tests/unit/test_bulletin_parser.py).
TEXTS: dict[str, Callable[[float], str]] = {
    "long line": lambda k: "Thứ nhất, " + "tuyên truyền " * _n(15_000, k),
    "long line of digits": lambda k: "1" * _n(190_000, k),
    "many dots": lambda k: "1." * _n(90_000, k),
    "many thu": lambda k: "Thứ nhất, " * _n(18_000, k),
    "thu lines": lambda k: "Thứ nhất, a\nThứ hai, b\n" * _n(7_000, k),
    "tag soup": lambda k: "<p" * _n(90_000, k),
    "entity soup": lambda k: "&#" * _n(90_000, k) + "<b>",
    "nested parens": lambda k: "(" * _n(90_000, k) + "1)" + ")" * _n(90_000, k),
    "month soup": lambda k: "tháng 1/" * _n(20_000, k) + "\n1. a\n2. b",
    "organizer soup": lambda k: "Ban tổ chức hội nghị, " * _n(8_000, k) + "\n1. a\n2. b",
    "count soup": lambda k: "6 nhiệm vụ " * _n(16_000, k) + "\n1. a\n2. b",
    "related soup": lambda k: "Tin liên quan\n" + "» a (01/01/2020)\n" * _n(10_000, k),
    "caption soup": lambda k: "Ảnh: " * _n(30_000, k),
    "date soup": lambda k: "12/12/2021 " * _n(15_000, k) + "\n1. a\n2. b",
    "space soup": lambda k: " " * _n(190_000, k) + "1. a\n2. b",
    "numbered lines": lambda k: "".join(f"{i % 10 + 1}. a\n" for i in range(_n(25_000, k))),
}

# Plain text for the families without enumerators: outlines, lead-ins, bullets, headings, clauses
# (tests/unit/test_parser_chooser.py).
FAMILY_TEXTS: dict[str, Callable[[float], str]] = {
    "outline groups": lambda k: (
        "tháng 5/2022\n" + "".join(f"{g}.{i}. a\n" for g in range(1, 100) for i in (1, 2)) * _n(40, k)
    ),
    "linking lead-ins": lambda k: "tháng 5/2022\n" + "Trong đó, các nội dung sau:\n" * _n(6500, k),
    "lead-ins with continuations": lambda k: (
        "tháng 5/2022\n" + "tuyên truyền các nội dung sau:\nTrong đó, a b c d e f.\n" * _n(3000, k)
    ),
    "emoji of many kinds": lambda k: (
        "tháng 5/2022\n" + "".join(f"{chr(0x1F300 + i)} a\n{chr(0x1F300 + i)} b\n" for i in range(700)) * _n(8, k)
    ),
    "caps headings": lambda k: (
        "tháng 5/2022\nMột đoạn văn có dấu chấm ở cuối câu này.\n"
        + "TIÊU ĐỀ VIẾT HOA\nĐoạn văn bản thân bài có dấu chấm.\n" * _n(3500, k)
    ),
    "semicolons": lambda k: "tháng 5/2022\n" + ("a b c; " * _n(2000, k) + "\n") * 10,
    "directive sentences": lambda k: "tháng 5/2022\n" + ("Tuyên truyền a b c. " * _n(1000, k) + "\n") * 9,
    "bold lines": lambda k: "tháng 5/2022\n" + "Tuyên truyền a b c d e f.\n" * _n(6_000, k),
}

# Loaded documents, as bot.ingest hands them to parse_document (tests/unit/test_parser_documents.py).
DOCUMENTS: dict[str, Callable[[float], Document]] = {
    "page furniture": lambda k: Document(
        tuple(Block("Trang 1", kind=BlockKind.FURNITURE) for _ in range(_n(19_000, k)))
    ),
    "list items of one label": lambda k: Document(
        tuple(Block(f"{i % 12 + 1}. a", kind=BlockKind.LIST_ITEM, label="1.") for i in range(_n(19_000, k)))
    ),
    "captions": lambda k: Document(tuple(Block("Ảnh: PV") for _ in range(_n(19_000, k)))),
    "one huge block": lambda k: Document((Block("tuyên truyền " * _n(150_000, k)),)),
}
