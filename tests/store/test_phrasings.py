"""The phrasing table (issue 10): questions as reporters type them, each with the answer it must get,
over an archive holding every example in tests/data/ (40 bulletins, parsed by the real parser) in a
real SQLite database, understood with a fixed date in March 2026.

Expectations were read off the example texts (the bulletin, the tasks by file name and number), not
off the bot's output. A search expectation is the whole set of hits over every page, so a count that
is too high or a stray match fails as surely as a missing one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.intents import understand
from bot.domain.parser import parse_bulletin
from bot.domain.records import ArchivedBulletin
from bot.domain.rendering import html_to_plain, plain_length
from bot.services import archive
from bot.services.archive import (
    BulletinAnswer,
    BulletinList,
    HelpAnswer,
    HighlightedHit,
    HistoryPage,
    MonthAnswer,
    NothingFound,
    OrganizerChoice,
    SearchResults,
    TaskAnswer,
    TaskOutOfRange,
)
from bot.texts import archive as texts
from data import bulletins
from data.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "data"
TODAY = dt.date(2026, 3, 10)  # the newest example is fam-paragraphs, February 2026
ARCHIVE_SIZE = 40


def example_name(path: Path) -> str:
    """``case01``, ``seed`` (seed-2021-10-haiphong), ``fam-letters``: the names the table uses."""
    return path.stem if path.stem.startswith("fam-") else path.stem.split("-")[0]


async def import_all(store: Store) -> dict[str, int]:
    ids = {}
    for path in sorted(EXAMPLES.glob("*.txt")):
        ids[example_name(path)], _ = await bulletins.add(store, parse_bulletin(path.read_bytes()))
    return ids


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The archive built once; each test gets its own copy of the database file."""
    folder = tmp_path_factory.mktemp("phrasings")

    async def build() -> dict[str, int]:
        async with await Store.open(folder / "archive.db") as store:
            return await import_all(store)

    return folder / "archive.db", asyncio.run(build())


@pytest.fixture
async def store(template: tuple[Path, dict[str, int]], tmp_path: Path) -> AsyncIterator[Store]:
    source, _ = template
    for file in source.parent.glob(source.name + "*"):
        shutil.copy(file, tmp_path / file.name)
    async with await Store.open(tmp_path / source.name) as opened:
        yield opened


@pytest.fixture
def ids(template: tuple[Path, dict[str, int]]) -> dict[str, int]:
    return template[1]


# Answers, as tuples:
#   ("bulletin", name)                 that one bulletin
#   ("task", name, n)                  task n of that bulletin
#   ("range", name, n)                 task n asked of a bulletin that has fewer
#   ("month", {names})                 a choice among the bulletins of one month
#   ("month_task", {names}, n)         the same, to read task n
#   ("list", {names})                  a list of bulletins (every page), newest first
#   ("choice", {names})                asked back: which organizer (the newest bulletin of each)
#   ("search", {(name, n), …})         exactly these tasks over every page
#   ("search", {…}, quality)           … and the search says how it matched (corrected, folded)
#   ("topic", {…})                     the tasks of a topic, the other reading offered with a button
#   ("history",) ("help",) ("nothing", reason)
TAMNHUNG = {
    ("case02", 4), ("case04", 3), ("fam-letters", 6), ("fam-nhiem-vu", 1), ("fam-noi-dung", 1),
    ("fam-roman-sections", 3), ("fam-two-digit", 10), ("seed", 4),
}  # fmt: skip
CHUYEN_DOI_SO = {
    ("case02", 7), ("case05", 4), ("fam-dash", 4), ("fam-emoji-bullets", 1), ("fam-keycaps", 4),
    ("fam-nhiem-vu", 6), ("fam-noi-dung", 5), ("fam-paragraphs", 4), ("fam-roman-tasks", 4), ("fam-slash", 6),
    ("fam-thu-nhat-la", 1), ("fam-two-digit", 5),
}  # fmt: skip
DOI_NGOAI = {("case03", 1), ("seed", 2)}
COVID = {
    ("case01", 2), ("case07", 3), ("fam-attendance-end", 2), ("fam-facebook-pins", 1), ("fam-nhiem-vu", 4),
    ("fam-official-letter", 2), ("fam-paren", 1), ("fam-pdf-page-number", 2), ("fam-slash", 2),
    ("fam-thu-nhat-colon", 1), ("seed", 2), ("seed", 5),
}  # fmt: skip
BIEN_DAO = {("case07", 2), ("fam-semicolon", 5)}  # "biển, đảo" and "biển đảo"; three more hold both apart
THIEN_TAI = {
    ("case02", 5), ("fam-attendance-end", 3), ("fam-date-sitetoday", 4), ("fam-noi-dung", 4), ("fam-slash", 5),
    ("fam-thu-nhat-colon", 5), ("fam-thu-nhat-la", 5),
}  # fmt: skip
BIEN_GIOI = {("case01", 4), ("fam-date-sitetoday", 4), ("fam-paragraphs", 3), ("fam-thu-nhat-colon", 3)}
OCTOBER_REVOLUTION = {("fam-letters", 3), ("seed", 6)}  # "Cách mạng Tháng Mười Nga"
AUGUST_REVOLUTION = {
    ("fam-facebook-intro-bullet", 1), ("fam-nhiem-vu", 3), ("fam-pdf-page-number", 1), ("fam-roman-tasks", 1),
    ("fam-semicolon", 1), ("fam-slash", 4),
}  # fmt: skip
APRIL_30 = {("case03", 4), ("case04", 4), ("fam-date-byline", 2), ("fam-emoji-bullets", 3), ("fam-two-digit", 7)}
SEPTEMBER_2 = {
    ("fam-facebook-intro-bullet", 1), ("fam-nhiem-vu", 3), ("fam-roman-tasks", 1), ("fam-semicolon", 1),
    ("fam-slash", 4),
}  # fmt: skip
MAY_19 = {
    ("case04", 4), ("fam-date-byline", 2), ("fam-date-sitetoday", 3), ("fam-emoji-bullets", 3),
    ("fam-facebook-keycaps", 1), ("fam-pdf-wraps", 1),
}  # fmt: skip
TET = {
    ("case05", 6), ("fam-caption-credit", 2), ("fam-date-print", 3), ("fam-keycaps", 3), ("fam-paragraphs", 3),
    ("fam-paragraphs", 5), ("fam-plus", 3), ("fam-quarter", 2), ("fam-two-digit", 2), ("fam-two-digit", 12),
}  # fmt: skip
TET_NGUYEN_DAN = {
    ("case05", 6), ("fam-date-print", 3), ("fam-keycaps", 3), ("fam-paragraphs", 5), ("fam-plus", 3),
    ("fam-two-digit", 2),
}  # fmt: skip
NQ_57 = {("fam-emoji-bullets", 1), ("fam-two-digit", 5)}  # "Nghị quyết 57-NQ/TW", "Nghị quyết số 57-NQ/TW"
KL_14 = {("seed", 3)}  # "Kết luận số 14-KL/TW"
PHU_NU = {
    ("case07", 5), ("fam-dash", 3), ("fam-keycaps", 1), ("fam-official-letter", 3), ("fam-paren", 4),
    ("fam-participants", 1), ("fam-results-then-tasks", 3), ("fam-thu-nhat-colon", 4), ("fam-thu-nhat-la", 6),
}  # fmt: skip
NOVEMBER_2021 = {"case01", "fam-facebook-pins"}
JUNE_2023 = {"case02", "fam-emoji-mixed", "fam-roman-sections"}
OCTOBER_2021 = {"case07", "seed"}
OCTOBER_2024 = {"fam-number-dash", "fam-results-then-tasks", "fam-thu-nhat-la"}
SEPTEMBER_2021 = {"fam-paren", "fam-pdf-page-number", "fam-thu-nhat-colon"}
JANUARY_2025 = {"fam-quarter", "fam-two-digit"}
YEAR_2023 = {
    "case03", "fam-date-byline", "fam-pdf-wraps", "case02", "fam-emoji-mixed", "fam-roman-sections",
    "fam-facebook-intro-bullet", "fam-dash", "fam-participants", "fam-plain-headings", "case05",
}  # fmt: skip
YEAR_2024 = {
    "fam-caption-credit", "fam-keycaps", "case04", "fam-number-dash", "fam-results-then-tasks", "fam-thu-nhat-la",
    "fam-letters",
}  # fmt: skip
YEAR_2025 = {"fam-quarter", "fam-two-digit", "fam-emoji-bullets", "fam-roman-tasks"}
HA_GIANG = {"fam-caption-credit", "fam-date-sitetoday"}
# Organizer or title holding "Đảng ủy Khối".
DANG_UY_KHOI = {"case04", "seed", "fam-paren", "fam-participants", "fam-plus", "fam-roman-sections"}
# The newest bulletin of each Đảng ủy Khối: các cơ quan Trung ương, Doanh nghiệp Trung ương, Long An,
# Ninh Thuận, Quảng Trị.
DANG_UY_KHOI_EACH = {"case04", "fam-roman-sections", "fam-paren", "fam-participants", "fam-plus"}
# Organizer or title holding "Trung ương".
CENTRAL = {"case01", "case03", "case05", "case07", "case04", "seed", "fam-paragraphs", "fam-roman-sections"}
HUYEN_UY = {
    "fam-dash", "fam-facebook-intro-bullet", "fam-facebook-keycaps", "fam-plain-headings", "fam-results-then-tasks",
    "fam-slash",
}  # fmt: skip
LATEST = ("bulletin", "fam-paragraphs")

# From tests/store/test_archive_service.py, the answers moved to this bigger archive.
CARRIED: list[tuple[str, tuple[object, ...]]] = [
    ("hội nghị mới nhất", LATEST),
    ("hoi nghi moi nhat", LATEST),
    ("bản tin mới", LATEST),
    ("bản tin mới nhất", LATEST),
    ("kỳ này", LATEST),
    ("có gì mới không", LATEST),
    ("latest conference", LATEST),
    ("latest bulletin", LATEST),
    ("/latest", LATEST),
    ("tháng trước", LATEST),  # February 2026
    ("last month", LATEST),
    ("tháng vừa rồi", LATEST),
    ("kỳ trước", LATEST),
    ("tháng này", ("nothing", "no_month")),  # March 2026
    ("hai tháng trước", ("nothing", "no_month")),  # January 2026
    ("tháng 11/2021", ("month", NOVEMBER_2021)),
    ("11/2021", ("month", NOVEMBER_2021)),
    ("11-2021", ("month", NOVEMBER_2021)),
    ("2021-11", ("month", NOVEMBER_2021)),
    ("T11/2021", ("month", NOVEMBER_2021)),
    ("tháng 11 năm 2021", ("month", NOVEMBER_2021)),
    ("tháng mười một năm 2021", ("month", NOVEMBER_2021)),
    ("November 2021", ("month", NOVEMBER_2021)),
    ("Nov 2021", ("month", NOVEMBER_2021)),
    ("tháng 6.2023", ("month", JUNE_2023)),
    ("tháng sáu năm 2023", ("month", JUNE_2023)),
    ("tháng 3", ("bulletin", "fam-keycaps")),  # the latest March: 2024
    ("tháng 12", ("bulletin", "case05")),  # 2023 (fam-plus is 2019)
    ("tháng chạp", ("bulletin", "case05")),
    ("December 2023", ("bulletin", "case05")),
    ("tháng 4 năm 2024", ("bulletin", "case04")),
    ("tháng 10/2021", ("month", OCTOBER_2021)),
    ("October 2021", ("month", OCTOBER_2021)),
    ("10/2021", ("month", OCTOBER_2021)),
    ("tháng 10", ("month", OCTOBER_2024)),
    ("hội nghị báo cáo viên tháng 10/2021", ("month", OCTOBER_2021)),
    ("tháng 9/2021", ("month", SEPTEMBER_2021)),
    ("tháng 9", ("bulletin", "fam-noi-dung")),  # 2022
    ("nhiệm vụ thứ ba", ("task", "fam-paragraphs", 3)),
    ("nhiem vu thu ba", ("task", "fam-paragraphs", 3)),
    ("nv 3", ("task", "fam-paragraphs", 3)),
    ("nhiệm vụ 3", ("task", "fam-paragraphs", 3)),
    ("task 3", ("task", "fam-paragraphs", 3)),
    ("third task", ("task", "fam-paragraphs", 3)),
    ("ý thứ 3", ("task", "fam-paragraphs", 3)),
    ("nội dung số 3", ("task", "fam-paragraphs", 3)),
    ("thứ 3", ("task", "fam-paragraphs", 3)),
    ("/task 5", ("task", "fam-paragraphs", 5)),
    ("nhiệm vụ thứ bảy", ("range", "fam-paragraphs", 7)),
    ("nhiệm vụ 2 tháng 11/2021", ("month_task", NOVEMBER_2021, 2)),
    ("nhiệm vụ thứ ba tháng 11/2021", ("month_task", NOVEMBER_2021, 3)),
    ("nhiệm vụ thứ bảy tháng 6/2023", ("month_task", JUNE_2023, 7)),
    ("nhiệm vụ thứ bảy tháng 4/2024", ("range", "case04", 7)),
    ("gửi lại nhiệm vụ thứ hai tháng 10", ("month_task", OCTOBER_2024, 2)),
    ("nhiệm vụ 1 tháng 9/2020", ("nothing", "no_month")),
    ("các hội nghị", ("history",)),
    ("lịch sử", ("history",)),
    ("danh sách", ("history",)),
    ("history", ("history",)),
    ("/history", ("history",)),
    ("help", ("help",)),
    ("trợ giúp", ("help",)),
    ("hướng dẫn", ("help",)),
    ("tham nhũng", ("search", TAMNHUNG)),
    ("tham nhung", ("search", TAMNHUNG)),
    ("tasks about corruption", ("search", TAMNHUNG)),
    ("doi ngoai", ("search", DOI_NGOAI)),
    ("đối ngoại", ("search", DOI_NGOAI)),
    ("foreign affairs", ("search", DOI_NGOAI)),
    ("chuyển đổi số", ("search", CHUYEN_DOI_SO)),
    ("chuyen doi so", ("search", CHUYEN_DOI_SO)),
    ("anything on digital transformation", ("search", CHUYEN_DOI_SO)),
    ("Covid", ("search", COVID)),
    ("biển đảo", ("search", BIEN_DAO)),
    ("sea islands", ("search", BIEN_DAO)),
    ("tìm những nhiệm vụ về thiên tai", ("search", THIEN_TAI)),
    ("biên giới", ("search", BIEN_GIOI)),
    ("xyzzy quux", ("nothing", "no_match")),
    ("🙂", ("nothing", "unknown")),
]

NEW: list[tuple[str, tuple[object, ...]]] = [
    # 1. The shorthand of the field.
    ("hn bcv mới nhất", LATEST),
    ("HNBCV mới nhất", LATEST),
    ("hnbcv moi nhat", LATEST),
    ("HN BCV mới nhất", LATEST),
    ("bcv tháng 10/2021", ("month", OCTOBER_2021)),
    ("hn bcv tháng 11/2024", ("bulletin", "fam-letters")),
    ("nv 2 tháng 11/2024", ("task", "fam-letters", 2)),
    ("NV3", ("task", "fam-paragraphs", 3)),
    ("nq 57", ("search", NQ_57)),
    ("NQ57", ("search", NQ_57)),
    ("NQ 57", ("search", NQ_57)),
    ("57-NQ/TW", ("search", NQ_57)),
    ("nghị quyết 57-NQ/TW", ("search", NQ_57)),
    ("nghị quyết 57", ("search", NQ_57)),
    ("nghi quyet 57", ("search", NQ_57)),
    ("kl 14", ("search", KL_14)),
    ("KL14", ("search", KL_14)),
    ("kết luận 14", ("search", KL_14)),
    ("14-KL/TW", ("search", KL_14)),
    ("ttv", ("search", {("case05", 1)})),  # tuyên truyền viên
    ("tuyên truyền viên", ("search", {("case05", 1)})),
    ("hn bcv tw mới nhất", LATEST),  # Ban Tuyên giáo và Dân vận Trung ương
    ("hội nghị báo cáo viên trung ương mới nhất", LATEST),
    ("bcv tw tháng 12/2023", ("bulletin", "case05")),
    ("ĐUK mới nhất", ("choice", DANG_UY_KHOI_EACH)),
    ("duk moi nhat", ("choice", DANG_UY_KHOI_EACH)),
    # 2. Topics holding month or number words.
    ("cách mạng tháng mười", ("topic", OCTOBER_REVOLUTION)),
    ("Cách mạng Tháng Mười", ("topic", OCTOBER_REVOLUTION)),
    ("cach mang thang muoi", ("topic", OCTOBER_REVOLUTION)),
    ("kỷ niệm Cách mạng Tháng Mười Nga", ("search", OCTOBER_REVOLUTION)),
    ("cách mạng tháng tám", ("topic", AUGUST_REVOLUTION)),
    ("cach mang thang tam", ("topic", AUGUST_REVOLUTION)),
    ("30/4", ("search", APRIL_30)),
    ("2/9", ("search", SEPTEMBER_2)),
    ("19/5", ("search", MAY_19)),
    ("Tết", ("search", TET)),
    ("tết nguyên đán", ("search", TET_NGUYEN_DAN)),
    ("tet nguyen dan", ("search", TET_NGUYEN_DAN)),
    # 3. Periods.
    ("quý I-2025", ("list", JANUARY_2025)),
    ("quý 1 năm 2025", ("list", JANUARY_2025)),
    ("quý IV/2024", ("list", {"fam-letters", *OCTOBER_2024})),
    ("quý 4 năm 2024", ("list", {"fam-letters", *OCTOBER_2024})),
    ("năm 2024", ("list", YEAR_2024)),
    ("2024", ("list", YEAR_2024)),
    ("các bản tin năm 2023", ("list", YEAR_2023)),
    ("6 tháng đầu năm 2024", ("list", {"fam-caption-credit", "fam-keycaps", "case04"})),
    (
        "6 tháng cuối năm 2023",
        ("list", {"fam-facebook-intro-bullet", "fam-dash", "fam-participants", "fam-plain-headings", "case05"}),
    ),
    ("từ tháng 3 đến tháng 6/2024", ("list", {"fam-keycaps", "case04"})),
    ("năm ngoái", ("list", YEAR_2025)),
    ("năm nay", LATEST),  # 2026 holds one bulletin
    ("quý này", LATEST),
    ("quý trước", ("nothing", "no_period")),  # Q4 2025
    ("quý IV/2025", ("nothing", "no_period")),
    ("năm 2018", ("nothing", "no_period")),
    ("tham nhũng năm 2023", ("search", {("case02", 4), ("fam-roman-sections", 3)})),
    ("chuyển đổi số năm 2024", ("search", {("fam-keycaps", 4), ("fam-thu-nhat-la", 1)})),
    ("chuyển đổi số tháng trước", ("search", {("fam-paragraphs", 4)})),
    (
        "Covid năm 2021",
        (
            "search",
            {
                ("case01", 2),
                ("case07", 3),
                ("fam-facebook-pins", 1),
                ("fam-paren", 1),
                ("fam-pdf-page-number", 2),
                ("fam-thu-nhat-colon", 1),
                ("seed", 2),
                ("seed", 5),
            },
        ),
    ),
    ("thiên tai quý III/2022", ("search", {("fam-noi-dung", 4)})),
    ("tham nhũng năm 2018", ("nothing", "no_period")),
    # 4. Organizers, alone and with the rest.
    ("tỉnh ủy hà giang", ("list", HA_GIANG)),
    ("Tỉnh ủy Hà Giang", ("list", HA_GIANG)),
    ("tinh uy ha giang", ("list", HA_GIANG)),
    ("Đảng ủy Khối", ("list", DANG_UY_KHOI)),
    ("Trung ương", ("list", CENTRAL)),
    ("huyện ủy", ("list", HUYEN_UY)),
    ("thành ủy đà nẵng tháng 11/2024", ("bulletin", "fam-letters")),
    ("tỉnh ủy bắc ninh", ("bulletin", "fam-keycaps")),  # fam-facebook-pins is the Thành ủy
    ("thành ủy bắc ninh", ("bulletin", "fam-facebook-pins")),
    ("thành ủy hải phòng", ("bulletin", "case02")),
    ("hn bcv tỉnh ủy nghệ an", ("bulletin", "fam-thu-nhat-la")),
    ("tỉnh ủy thanh hóa tháng 8/2025", ("bulletin", "fam-roman-tasks")),
    ("ban tuyên giáo thành ủy hà nội", ("bulletin", "fam-date-byline")),
    ("tỉnh ủy yên bái", ("nothing", "no_organizer")),
    ("nhiệm vụ 2 của tỉnh ủy hà giang tháng 5/2022", ("task", "fam-date-sitetoday", 2)),
    ("nhiệm vụ 3 của trung ương tháng 12/2023", ("task", "case05", 3)),
    ("nhiệm vụ 4 của thành ủy thành phố hồ chí minh", ("task", "fam-two-digit", 4)),
    ("đảng ủy khối mới nhất", ("choice", DANG_UY_KHOI_EACH)),
    ("tham nhũng của đảng ủy khối", ("search", {("case04", 3), ("seed", 4), ("fam-roman-sections", 3)})),
    ("thành ủy đà nẵng tham nhũng", ("search", {("fam-letters", 6)})),
    # Bắc Ninh's bulletins do not hold the phrase, nor "nhũng": its "những" is another word.
    ("tỉnh ủy bắc ninh tham nhũng", ("nothing", "no_match")),
    ("bcv tw năm 2023", ("list", {"case03", "case05", "fam-roman-sections"})),
    # 5-6. Diacritics, typos and true counts.
    ("tham nhũg", ("search", TAMNHUNG, "corrected")),
    ("chuyen doi sô", ("search", CHUYEN_DOI_SO)),
    ("chuyển đổi sô", ("search", CHUYEN_DOI_SO)),
    ("THAM NHŨNG", ("search", TAMNHUNG)),
    ("phòng, chống tham nhũng", ("search", TAMNHUNG)),
    ("thiên tai", ("search", THIEN_TAI)),
    ("phụ nữ", ("search", PHU_NU)),
    ("bầu cử", ("search", {("fam-paragraphs", 2), ("fam-paragraphs", 5)})),
    ("an toàn giao thông", ("search", {("fam-paragraphs", 5), ("fam-roman-tasks", 1)})),
    # No task says "hôm nay": the one that has "nay" ("hiện nay") is offered as a partial match, and
    # the many with "này" are not matches at all.
    ("hôm nay", ("search", {("fam-slash", 4)}, "partial")),
    # More months of the bigger archive.
    ("tháng 1", ("month", JANUARY_2025)),
    ("tháng 5/2022", ("month", {"fam-date-sitetoday", "fam-facebook-keycaps"})),
    ("tháng 1/2020", ("bulletin", "fam-date-print")),
    ("12/2019", ("bulletin", "fam-plus")),
    ("tháng 8", ("bulletin", "fam-roman-tasks")),
    ("nhiệm vụ 12 tháng 1/2025", ("month_task", JANUARY_2025, 12)),
]

CASES = CARRIED + NEW


def _name(ids: dict[str, int], bulletin_id: int) -> str:
    return next(name for name, i in ids.items() if i == bulletin_id)


async def _all_hits(store: Store, text: str, first: SearchResults) -> list[HighlightedHit]:
    """The hits of every page, as the ▶ button asks for them."""
    hits = list(first.hits)
    for page in range(2, first.pages + 1):
        later = await archive.answer(store, understand(text, TODAY), page=page)
        assert isinstance(later, SearchResults), later
        hits += later.hits
    return hits


async def _all_items(store: Store, text: str, first: BulletinList) -> list[ArchivedBulletin]:
    items = list(first.items)
    for page in range(2, first.pages + 1):
        later = await archive.answer(store, understand(text, TODAY), page=page)
        assert isinstance(later, BulletinList), later
        items += later.items
    return items


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_phrasing_gets_its_answer(
    store: Store, ids: dict[str, int], text: str, expected: tuple[object, ...]
) -> None:
    result = await archive.answer(store, understand(text, TODAY))
    kind = expected[0]
    if kind == "bulletin":
        assert isinstance(result, BulletinAnswer), result
        assert _name(ids, result.bulletin.id) == expected[1]
    elif kind == "task":
        assert isinstance(result, TaskAnswer), result
        assert (_name(ids, result.bulletin.id), result.task.number) == expected[1:]
    elif kind == "range":
        assert isinstance(result, TaskOutOfRange), result
        assert (_name(ids, result.bulletin.id), result.number) == expected[1:]
        assert result.count == len(result.bulletin.tasks)
    elif kind in {"month", "month_task"}:
        assert isinstance(result, MonthAnswer), result
        assert {_name(ids, b.id) for b in result.bulletins} == expected[1]
        assert result.task_number == (expected[2] if kind == "month_task" else None)
    elif kind == "list":
        assert isinstance(result, BulletinList), result
        items = await _all_items(store, text, result)
        assert {_name(ids, b.id) for b in items} == expected[1]
        assert result.total == len(items)
        assert [b.month for b in items] == sorted((b.month for b in items), reverse=True)
    elif kind == "choice":
        assert isinstance(result, OrganizerChoice), result
        assert {_name(ids, b.id) for b in result.bulletins} == expected[1]
    elif kind in {"search", "topic"}:
        assert isinstance(result, SearchResults), result
        hits = await _all_hits(store, text, result)
        assert {(_name(ids, h.hit.bulletin_id), h.hit.task_number) for h in hits} == expected[1]
        assert result.total == len(hits) == len(expected[1])
        assert all(h.spans for h in hits)
        if len(expected) > 2:
            assert result.quality == expected[2]
        assert (result.alternative is not None) == (kind == "topic")
    elif kind == "history":
        assert isinstance(result, HistoryPage), result
        assert result.total == ARCHIVE_SIZE
    elif kind == "help":
        assert isinstance(result, HelpAnswer), result
    else:
        assert isinstance(result, NothingFound), result
        assert result.reason == expected[1]
        assert result.count == ARCHIVE_SIZE
    # Whatever the answer, it renders to messages Telegram accepts.
    for html in texts.render(result):
        assert 0 < plain_length(html_to_plain(html)) <= 4096


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 150
    assert len(NEW) >= 60
    assert len({text for text, _ in CASES}) == len(CASES)  # no phrasing twice


async def test_the_archive_holds_every_example(store: Store, ids: dict[str, int]) -> None:
    assert len(ids) == ARCHIVE_SIZE == await bulletins.count(store)
