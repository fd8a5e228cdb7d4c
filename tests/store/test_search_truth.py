"""Search that counts and highlights only true matches (issue 10, points 5-6), on a real migrated
database: diacritics as typed, tone placement, phrases over scattered syllables, one-letter typos,
filters by months and organizer, documents cited by number, and hostile input to all of them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.intents import DocumentRef
from bot.domain.records import Bulletin, SearchHit, Task
from bot.domain.textnorm import fold
from data import bulletins, search
from data.search import TIER_ALL, TIER_ANY, TIER_PHRASE, SearchFilter, SearchPage, search_tasks
from data.store import Store


def bulletin(
    month: str, *texts: str, organizer: str = "Ban Tuyên giáo Trung ương", title: str | None = None
) -> Bulletin:
    return Bulletin(
        title=title if title is not None else f"Hội nghị Báo cáo viên tháng {month}",
        month=month,
        published=None,
        organizer=organizer,
        intro="",
        tasks=tuple(Task(number=i, text=t) for i, t in enumerate(texts, start=1)),
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(tmp_path / "truth.db") as opened:
        yield opened


def marked(hit: SearchHit) -> list[str]:
    """The highlighted pieces of a hit, as they appear in its text."""
    return [hit.text[start:end] for start, end in hit.spans]


def texts(page: SearchPage) -> list[str]:
    return [h.text for h in page.hits]


# ------------------------------------------------------------------------------------------------
# The known bad answers
# ------------------------------------------------------------------------------------------------

CORRUPTION = "Tuyên truyền công tác phòng, chống tham nhũng, tiêu cực."
VISIT = "Tổ chức thăm hỏi, tặng quà những gia đình chính sách."


async def test_tham_nhung_counts_the_one_task_with_the_phrase_and_bolds_only_it(store: Store) -> None:
    # Before: "2 nhiệm vụ có «tham nhũng»", and both snippets bolded "những".
    await bulletins.add(store, bulletin("2024-03", CORRUPTION, VISIT))
    for query in ("tham nhũng", "tham nhung", "THAM NHŨNG", "Tham Nhung"):
        found = await search_tasks(store, query)
        assert (texts(found), found.total, found.quality) == ([CORRUPTION], 1, "exact"), query
        assert marked(found.hits[0]) == ["tham nhũng"], query
        assert found.hits[0].tier == TIER_PHRASE


async def test_tham_nhung_with_diacritics_never_takes_tham_nhung_of_other_words(store: Store) -> None:
    # With diacritics the words must be these words: the visit task holds "thăm" and "những" only.
    await bulletins.add(store, bulletin("2024-03", VISIT, "Phòng, chống tham nhũng trong doanh nghiệp."))
    found = await search_tasks(store, "nhũng tham")  # not the phrase: every word, exactly
    assert texts(found) == ["Phòng, chống tham nhũng trong doanh nghiệp."]
    assert marked(found.hits[0]) == ["tham nhũng"]  # adjacent words: one highlight
    found = await search_tasks(store, "nhung tham")  # without diacritics both tasks hold both words
    assert set(texts(found)) == {VISIT, "Phòng, chống tham nhũng trong doanh nghiệp."}
    assert found.total == 2


async def test_chuyen_doi_so_does_not_return_foreign_affairs_with_doi_bolded(store: Store) -> None:
    digital = "Tuyên truyền Ngày Chuyển đổi số quốc gia 10/10."
    foreign = "Chuyến thăm của lãnh đạo cấp cao, công tác đối ngoại và số liệu kinh tế."
    await bulletins.add(store, bulletin("2024-10", digital, foreign))
    for query in ("chuyen doi so", "chuyển đổi số", "Chuyển Đổi Số"):
        found = await search_tasks(store, query)
        assert texts(found) == [digital], query
        assert found.total == 1
        assert marked(found.hits[0]) == ["Chuyển đổi số"]


async def test_hom_nay_does_not_match_nay_the_demonstrative(store: Store) -> None:
    demonstrative = "Nội dung này cần được tuyên truyền rộng rãi."
    now = "Hôm qua và hiện nay, tình hình vẫn phức tạp."
    await bulletins.add(store, bulletin("2024-01", demonstrative, now))
    found = await search_tasks(store, "hôm nay")
    assert texts(found) == [now]
    assert marked(found.hits[0]) == ["Hôm", "nay"]
    assert found.hits[0].tier == TIER_ALL
    for hit in found.hits:
        assert "này" not in marked(hit)


async def test_a_phrase_match_hides_tasks_holding_the_syllables_scattered(store: Store) -> None:
    phrase = "Bảo vệ chủ quyền biển, đảo của Tổ quốc."
    scattered = "Đảo Phú Quốc và vùng biển Tây Nam."
    await bulletins.add(store, bulletin("2023-01", phrase))
    await bulletins.add(store, bulletin("2023-02", scattered))  # newer
    for query in ("biển đảo", "bien dao"):
        found = await search_tasks(store, query)
        assert (texts(found), found.total) == ([phrase], 1), query
        assert marked(found.hits[0]) == ["biển, đảo"]
    found = await search_tasks(store, "đảo biển")  # no task has this phrase: both hold both words
    assert set(texts(found)) == {phrase, scattered} and found.total == 2


# ------------------------------------------------------------------------------------------------
# Diacritics as typed, tone placement, folded fallback
# ------------------------------------------------------------------------------------------------


async def test_old_and_new_tone_placement_match_each_other(store: Store) -> None:
    await bulletins.add(store, bulletin("2024-01", "Chỉ đạo của Tỉnh ủy về công tác hòa giải."))
    await bulletins.add(store, bulletin("2024-02", "Thông báo của Tỉnh uỷ về hoà giải ở cơ sở."))
    for query in ("tỉnh ủy", "Tỉnh uỷ", "TỈNH UỶ", "hòa giải", "hoà giải"):
        found = await search_tasks(store, query)
        assert found.total == 2 and found.quality == "exact", query
    found = await search_tasks(store, "tỉnh ủy")
    assert sorted(m for h in found.hits for m in marked(h)) == ["Tỉnh uỷ", "Tỉnh ủy"]


async def test_exact_matches_only_and_folded_only_matches_never_ahead(store: Store) -> None:
    # "Đội" (team) and "đối" (towards) fold alike; asked "đội", only the team is an answer.
    team = "Phát huy vai trò của đội ngũ báo cáo viên."
    towards = "Công tác đối ngoại nhân dân."
    await bulletins.add(store, bulletin("2024-01", team))
    await bulletins.add(store, bulletin("2024-02", towards))  # newer
    found = await search_tasks(store, "đội ngũ")
    assert (texts(found), found.quality) == ([team], "exact")
    found = await search_tasks(store, "đội")
    assert (texts(found), found.total) == ([team], 1)
    found = await search_tasks(store, "doi")
    assert set(texts(found)) == {team, towards}


async def test_diacritics_that_match_nothing_fall_back_to_folded_and_say_so(store: Store) -> None:
    await bulletins.add(store, bulletin("2024-01", "Thăm nhung hươu ở Hương Sơn.", "Việc khác."))
    found = await search_tasks(store, "thám nhùng")  # no task holds these words; two marks away
    assert texts(found) == ["Thăm nhung hươu ở Hương Sơn."]
    assert found.quality == "folded" and found.corrected is None
    assert marked(found.hits[0]) == ["Thăm nhung"]


async def test_one_mark_away_is_a_correction_to_the_words_found(store: Store) -> None:
    await bulletins.add(store, bulletin("2024-01", "Thăm nhung hươu ở Hương Sơn.", "Việc khác."))
    found = await search_tasks(store, "tham nhũng")  # "nhũng" is one mark from "nhung"
    assert (texts(found), found.quality, found.corrected) == (
        ["Thăm nhung hươu ở Hương Sơn."],
        "corrected",
        "thăm nhung",
    )
    # Half-typed diacritics ("sô" for "số"): the words typed without marks are taken folded.
    digital = "Đẩy mạnh chuyển đổi số."
    await bulletins.add(store, bulletin("2024-02", digital, "Đổi mới công tác số hóa chuyên đề."))
    found = await search_tasks(store, "chuyen doi sô")
    assert (texts(found), found.quality, found.corrected) == ([digital], "corrected", "chuyển đổi số")
    assert marked(found.hits[0]) == ["chuyển đổi số"]


async def test_every_spelling_of_d_bar_matches(store: Store) -> None:
    await bulletins.add(store, bulletin("2024-01", "Nghị quyết của Ðảng (U+00D0).", "Xây dựng Đảng (U+0110)."))
    for query in ("Đảng", "Ðảng", "đảng", "ĐẢNG", "dang", "ddang"):
        assert (await search_tasks(store, query)).total == 2, query


# ------------------------------------------------------------------------------------------------
# One-letter typos
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "corrected"),
    [
        ("tham nhũg", "tham nhũng"),  # a letter left out, diacritics typed
        ("tham nhunh", "tham nhung"),  # a letter changed, no diacritics
        ("tham nhugn", "tham nhung"),  # two letters swapped
        ("thamm nhung", "tham nhung"),  # a letter too many
        ("tham nhùng", "tham nhũng"),  # the wrong tone
    ],
)
async def test_one_letter_typos_still_find_the_phrase(store: Store, query: str, corrected: str) -> None:
    await bulletins.add(store, bulletin("2024-03", CORRUPTION, VISIT, "Phòng chống tham nhũng vặt."))
    found = await search_tasks(store, query)
    assert found.quality == "corrected" and found.corrected == corrected
    assert set(texts(found)) == {CORRUPTION, "Phòng chống tham nhũng vặt."}
    assert all(marked(h) == ["tham nhũng"] for h in found.hits)


async def test_words_that_exist_are_not_corrected(store: Store) -> None:
    await bulletins.add(store, bulletin("2024-03", "Bảo vệ chủ quyền biển, đảo.", "Biển xanh."))
    found = await search_tasks(store, "bien dao")
    assert (found.quality, found.corrected, texts(found)) == ("exact", None, ["Bảo vệ chủ quyền biển, đảo."])


async def test_a_correction_is_used_only_when_it_gives_the_phrase(store: Store) -> None:
    # "hom" is one letter from "hoi", but "hoi nay" is no phrase here: no guess, some words instead.
    await bulletins.add(store, bulletin("2024-01", "Hội nghị lần này bàn về kinh tế.", "Hiện nay còn khó khăn."))
    found = await search_tasks(store, "hôm nay")
    assert found.quality == "partial" and found.corrected is None
    assert texts(found) == ["Hiện nay còn khó khăn."]
    assert {h.tier for h in found.hits} == {TIER_ANY}


async def test_the_vocabulary_follows_the_archive(store: Store) -> None:
    await bulletins.add(store, bulletin("2024-01", "Tuyên truyền bầu cử.", "Khác."))
    assert (await search_tasks(store, "covld")).total == 0  # nothing like it yet (and the cache is filled)
    await bulletins.add(store, bulletin("2024-02", "Phòng chống dịch Covid-19.", "Khác nữa."))
    found = await search_tasks(store, "covld")
    assert (found.quality, found.corrected, found.total) == ("corrected", "covid", 1)


async def test_nothing_close_is_nothing_found(store: Store) -> None:
    await bulletins.add(store, bulletin("2024-01", CORRUPTION, VISIT))
    found = await search_tasks(store, "xyzzy")
    assert (found.hits, found.total) == ([], 0)


# ------------------------------------------------------------------------------------------------
# Filters: months and organizer
# ------------------------------------------------------------------------------------------------

ORGANIZERS = [
    "Ban Tuyên giáo Tỉnh ủy Hà Giang",
    "Ban Tuyên giáo Tỉnh uỷ Hà Giang",  # the other tone placement
    "Ban Tuyên giáo Tỉnh ủy Hà Nam",
    "Ban Tuyên giáo Trung ương",
    "Ban Tuyên giáo T.Ư",
    "Đảng ủy Khối các cơ quan Trung ương",
    "Ban Tuyên giáo Thành ủy Hải Phòng",
]


@pytest.fixture(params=[search.SMALL_SCOPE, 0], ids=["few-bulletins", "index-walk"])
async def archive(request: pytest.FixtureRequest, store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """One bulletin per organizer a month, each with a task on corruption; both ways a filter is
    applied (matching a few bulletins' tasks here, or a condition on the index walk)."""
    monkeypatch.setattr(search, "SMALL_SCOPE", request.param)
    for month in ("2023-11", "2024-03", "2024-09"):
        for organizer in ORGANIZERS:
            await bulletins.add(
                store, bulletin(month, f"{organizer}: phòng, chống tham nhũng {month}.", organizer=organizer)
            )
    return store


async def organizers_found(store: Store, query: str, where: SearchFilter) -> set[tuple[str, str]]:
    found = await search_tasks(store, query, 100, where=where)
    assert found.total == len(found.hits)
    return {(h.organizer, h.month) for h in found.hits}


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("tinh uy ha giang", {ORGANIZERS[0], ORGANIZERS[1]}),
        ("Tỉnh ủy Hà Giang", {ORGANIZERS[0], ORGANIZERS[1]}),
        ("tỉnh uỷ", {ORGANIZERS[0], ORGANIZERS[1], ORGANIZERS[2]}),
        ("trung uong", {ORGANIZERS[3], ORGANIZERS[4], ORGANIZERS[5]}),
        ("ban tuyen giao trung uong", {ORGANIZERS[3], ORGANIZERS[4]}),
        ("dang uy khoi", {ORGANIZERS[5]}),
        ("Đảng ủy Khối", {ORGANIZERS[5]}),
        ("hai phong", {ORGANIZERS[6]}),
        ("ha giang", {ORGANIZERS[0], ORGANIZERS[1]}),
    ],
)
async def test_organizer_filter_matches_consecutive_folded_words(
    archive: Store, phrase: str, expected: set[str]
) -> None:
    found = await organizers_found(archive, "tham nhũng", SearchFilter(organizer=phrase))
    assert {o for o, _ in found} == expected, phrase
    assert {m for _, m in found} == {"2023-11", "2024-03", "2024-09"}


async def test_organizer_words_out_of_order_or_cut_do_not_match(archive: Store) -> None:
    assert await organizers_found(archive, "tham nhung", SearchFilter(organizer="giang ha")) == set()
    assert await organizers_found(archive, "tham nhung", SearchFilter(organizer="gian")) == set()
    assert await organizers_found(archive, "tham nhung", SearchFilter(organizer="tinh uy hai phong")) == set()


async def test_month_filter_is_inclusive_and_either_end_may_be_open(archive: Store) -> None:
    everyone = set(ORGANIZERS)
    found = await organizers_found(archive, "tham nhung", SearchFilter(start="2024-01", end="2024-12"))
    assert {m for _, m in found} == {"2024-03", "2024-09"} and {o for o, _ in found} == everyone
    found = await organizers_found(archive, "tham nhung", SearchFilter(start="2024-09"))
    assert {m for _, m in found} == {"2024-09"}
    found = await organizers_found(archive, "tham nhung", SearchFilter(end="2023-11"))
    assert {m for _, m in found} == {"2023-11"}
    found = await organizers_found(archive, "tham nhung", SearchFilter(start="2024-03", end="2024-03"))
    assert {m for _, m in found} == {"2024-03"}
    assert await organizers_found(archive, "tham nhung", SearchFilter(start="2025-01")) == set()


async def test_months_and_organizer_together(archive: Store) -> None:
    where = SearchFilter(start="2024-01", end="2024-06", organizer="tinh uy ha giang")
    found = await organizers_found(archive, "tham nhũng", where)
    assert found == {(ORGANIZERS[0], "2024-03"), (ORGANIZERS[1], "2024-03")}


async def test_the_organizer_title_is_searched_too(store: Store) -> None:
    await bulletins.add(
        store,
        bulletin(
            "2024-09", "Tuyên truyền bầu cử.", organizer="", title="Hội nghị báo cáo viên Tỉnh ủy Yên Bái tháng 9/2024"
        ),
    )
    await bulletins.add(store, bulletin("2024-09", "Tuyên truyền bầu cử đại biểu."))
    found = await search_tasks(store, "bầu cử", where=SearchFilter(organizer="tỉnh ủy yên bái"))
    assert texts(found) == ["Tuyên truyền bầu cử."]


@pytest.mark.parametrize("small_scope", [search.SMALL_SCOPE, 0], ids=["few-bulletins", "index-walk"])
async def test_a_rare_organizer_is_not_lost_behind_newer_matches(
    store: Store, monkeypatch: pytest.MonkeyPatch, small_scope: int
) -> None:
    monkeypatch.setattr(search, "SMALL_SCOPE", small_scope)
    await bulletins.add(store, bulletin("2019-01", "Phòng chống tham nhũng ở xã.", organizer="Đảng ủy xã Tân Lập"))
    for i in range(search.CANDIDATES + 30):  # newer matches than one candidate batch holds
        await bulletins.add(store, bulletin("2024-01", f"Phòng chống tham nhũng, đợt {i}."))
    found = await search_tasks(store, "tham nhũng", where=SearchFilter(organizer="dang uy xa tan lap"))
    assert (texts(found), found.total) == (["Phòng chống tham nhũng ở xã."], 1)
    found = await search_tasks(store, "tham nhũng", where=SearchFilter(end="2019-12"))
    assert texts(found) == ["Phòng chống tham nhũng ở xã."]


async def test_a_filter_that_leaves_nothing_finds_nothing(store: Store) -> None:
    await bulletins.add(store, bulletin("2024-01", CORRUPTION))
    found = await search_tasks(store, "tham nhung", where=SearchFilter(organizer="tinh uy ca mau"))
    assert (found.hits, found.total) == ([], 0)


# ------------------------------------------------------------------------------------------------
# Documents cited by number
# ------------------------------------------------------------------------------------------------

CITING = {
    "nq57tw": "Tuyên truyền Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về khoa học.",
    "nq57": "Quán triệt Nghị quyết 57 về đột phá phát triển khoa học, công nghệ.",
    "nq57short": "Thực hiện NQ 57 ở cơ sở.",
    "bare": "Học tập 57-NQ/TW trong toàn Đảng bộ.",
    "nq57tu": "Triển khai Nghị quyết số 57-NQ/TU của Tỉnh ủy.",  # TU: a Tỉnh ủy's own, not TƯ
    "nq57tu_horn": "Nghị quyết số 57-NQ/TƯ (cách viết khác).",
    "provinces": "Có 57 tỉnh, thành phố đã tổ chức hội nghị.",
    "nq157": "Thực hiện Nghị quyết số 157-NQ/TW.",
    "nq570": "Nghị quyết 570 của Hội đồng nhân dân.",
    "kl01": "Thực hiện Kết luận số 01-KL/TW của Bộ Chính trị.",
    "kl1": "Kết luận 1 về học tập và làm theo tư tưởng Hồ Chí Minh.",
    "ct35": "Thực hiện Chỉ thị số 35-CT/TW về đại hội đảng bộ các cấp.",
    "kl57": "Kết luận số 57-KL/TW.",
}


@pytest.fixture
async def documents(store: Store) -> Store:
    await bulletins.add(store, bulletin("2025-01", *CITING.values()))
    return store


async def cited(store: Store, ref: DocumentRef, where: SearchFilter | None = None) -> set[str]:
    found = await search_tasks(store, ref.label, 50, where=where, document=ref)
    assert found.total == len(found.hits)
    names = {text: name for name, text in CITING.items()}
    return {names[h.text] for h in found.hits}


async def test_a_resolution_by_number_with_its_issuer(documents: Store) -> None:
    ref = DocumentRef("NQ", 57, "TW", "Nghị quyết 57-NQ/TW")
    assert await cited(documents, ref) == {"nq57tw", "nq57", "nq57short", "bare", "nq57tu_horn"}


async def test_a_resolution_by_number_alone(documents: Store) -> None:
    ref = DocumentRef("NQ", 57, None, "Nghị quyết 57")
    assert await cited(documents, ref) == {"nq57tw", "nq57", "nq57short", "bare", "nq57tu", "nq57tu_horn"}


async def test_a_provincial_issuer_is_its_own(documents: Store) -> None:
    ref = DocumentRef("NQ", 57, "TU", "Nghị quyết 57-NQ/TU")
    assert await cited(documents, ref) == {"nq57", "nq57short", "nq57tu"}


async def test_conclusions_and_directives_leading_zeros_equal(documents: Store) -> None:
    assert await cited(documents, DocumentRef("KL", 1, None, "Kết luận 01")) == {"kl01", "kl1"}
    assert await cited(documents, DocumentRef("KL", 1, "TW", "Kết luận 01-KL/TW")) == {"kl01", "kl1"}
    assert await cited(documents, DocumentRef("CT", 35, "TW", "Chỉ thị 35-CT/TW")) == {"ct35"}
    assert await cited(documents, DocumentRef("KL", 57, None, "Kết luận 57")) == {"kl57"}
    assert await cited(documents, DocumentRef("QĐ", 57, None, "Quy định 57")) == set()


async def test_the_citation_is_highlighted(documents: Store) -> None:
    ref = DocumentRef("NQ", 57, "TW", "Nghị quyết 57-NQ/TW")
    found = await search_tasks(documents, "nghị quyết 57", 50, document=ref)
    highlights = {h.text: marked(h) for h in found.hits}
    assert highlights[CITING["nq57tw"]] == ["Nghị quyết số 57-NQ/TW"]
    assert highlights[CITING["nq57"]] == ["Nghị quyết 57"]
    assert highlights[CITING["nq57short"]] == ["NQ 57"]
    assert highlights[CITING["bare"]] == ["57-NQ/TW"]


async def test_documents_within_a_filter(documents: Store) -> None:
    await bulletins.add(store=documents, bulletin=bulletin("2023-05", "Nghị quyết số 57-NQ/TW (bản cũ)."))
    ref = DocumentRef("NQ", 57, "TW", "Nghị quyết 57-NQ/TW")
    found = await search_tasks(documents, "", 50, where=SearchFilter(end="2023-12"), document=ref)
    assert texts(found) == ["Nghị quyết số 57-NQ/TW (bản cũ)."]


# ------------------------------------------------------------------------------------------------
# Hostile input, to the query, the filter and the document search
# ------------------------------------------------------------------------------------------------

HOSTILE = [
    '"',
    'tham "nhũng',
    "NEAR(tham nhũng)",
    "nhũng OR tham",
    "{folded exact}: tham",
    "exact : tham",
    "tham*",
    "x" * 10_000,
    "tham nhũng " * 1000,
    "đ" * 10_000,
    "!!! ??? ... ,,, ;;; ---",
    "\x00",
    "tham\x00nhũng",
    "\u0301\u0300",  # tone marks with no letter
    "ñ España",
    "'; DROP TABLE tasks; --",
]


@pytest.mark.parametrize("query", HOSTILE)
async def test_hostile_queries_filters_and_documents_never_raise(store: Store, query: str) -> None:
    await bulletins.add(store, bulletin("2024-01", CORRUPTION, "AND OR NOT NEAR exact folded"))
    for where in (None, SearchFilter(organizer=query), SearchFilter(start=query, end=query, organizer=query)):
        found = await search_tasks(store, query, where=where)
        assert found.total >= len(found.hits)
        for hit in found.hits:
            assert all(0 <= s < e <= len(hit.text) for s, e in hit.spans)
        found = await search_tasks(store, query, where=where, document=DocumentRef("NQ", 57, query, "x"))
        assert found.total >= len(found.hits)
    listed, total = await bulletins.listing(store, SearchFilter(organizer=query))
    assert total >= len(listed)


async def test_only_punctuation_is_no_search(store: Store) -> None:
    await bulletins.add(store, bulletin("2024-01", CORRUPTION))
    found = await search_tasks(store, "!!! ... ---")
    assert (found.hits, found.total, found.terms) == ([], 0, ())


async def test_operator_words_with_diacritics_are_words(store: Store) -> None:
    await bulletins.add(store, bulletin("2024-01", CORRUPTION, "Chữ NEAR và OR ở đây."))
    found = await search_tasks(store, "chữ NEAR")
    assert texts(found) == ["Chữ NEAR và OR ở đây."]


def test_spans_of_a_phrase_are_its_occurrences_only() -> None:
    text = "Tham nhũng là giặc; chống tham nhũng, không để những kẻ tham lam."
    spans = search.hit_spans(text, fold(text), ["tham", "nhung"], "folded", TIER_PHRASE)
    assert [text[s:e] for s, e in spans] == ["Tham nhũng", "tham nhũng"]
    spans = search.hit_spans(text, fold(text), search.exact_terms("những tham"), "exact", TIER_ALL)
    assert [text[s:e] for s, e in spans] == ["Tham", "tham", "những", "tham"]


async def test_a_phrase_may_repeat_a_word(store: Store) -> None:
    # "Thành ủy Thành phố": the phrase holds "thành" twice; dropping the repeat would lose it.
    city = "Ban Tuyên giáo Thành ủy Thành phố Hồ Chí Minh"
    await bulletins.add(store, bulletin("2024-01", "Tuyên truyền về Thành ủy Thành phố Hồ Chí Minh.", organizer=city))
    await bulletins.add(store, bulletin("2024-02", "Thành ủy họp ở thành phố.", organizer="Ban Tuyên giáo Tỉnh ủy"))
    found = await search_tasks(store, "thành ủy thành phố")
    assert (texts(found), found.total) == (["Tuyên truyền về Thành ủy Thành phố Hồ Chí Minh."], 1)
    assert marked(found.hits[0]) == ["Thành ủy Thành phố"]
    found = await search_tasks(store, "thanh uy", where=SearchFilter(organizer="thanh uy thanh pho ho chi minh"))
    assert [h.organizer for h in found.hits] == [city]
    listed, total = await bulletins.listing(store, SearchFilter(organizer="Thành ủy Thành phố Hồ Chí Minh"))
    assert total == 1 and listed[0].organizer == city
