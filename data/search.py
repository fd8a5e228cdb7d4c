"""Full-text search over archived tasks (FTS5 on the folded task text), ranked in three tiers.

Tiers: the whole phrase, then every word (AND), and, only when no task has every word, any word
(OR); BM25 orders each tier and a task appears once, in the best tier it reaches. Every user word
is folded and quoted as an FTS5 string before ``MATCH``, so no input can raise an FTS syntax error
(https://sqlite.org/fts5.html#full_text_query_syntax).

Bounded cost: FTS5's own ``bm25()`` and the ``fts5vocab`` counts both walk a word's whole doclist
(they need its document frequency), which grows with the archive. Instead each tier reads at most
``CANDIDATES`` of the newest matching tasks (``ORDER BY rowid DESC`` walks the index backwards and
stops), word frequencies are estimated on the newest ``SAMPLE`` tasks (a rowid range the index can
seek to), and BM25 is computed here on those candidates.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from bot.domain.intents import DocumentRef
from bot.domain.records import SearchHit
from bot.domain.textnorm import fold, fold_query
from data.store import Store

CANDIDATES = 200  # newest matching tasks ranked per tier
SAMPLE = 2000  # newest tasks on which word frequencies are estimated
MAX_TERMS = 12
MAX_TERM_LENGTH = 40
# A word found in more than this share of tasks ("tuyen truyen") says nothing about relevance;
# it is left out of the "any word" tier when the query has other words.
COMMON_SHARE = 0.5
BM25_K1, BM25_B = 1.2, 0.75  # the usual constants, as FTS5's bm25() uses
TIER_PHRASE, TIER_ALL, TIER_ANY = 0, 1, 2

TIER_CANDIDATES = """
SELECT rowid AS id, folded FROM tasks_fts WHERE tasks_fts MATCH ?
ORDER BY rowid DESC LIMIT ?
"""
# Documents containing each term among the tasks with id > ?: json_each feeds the quoted terms.
SAMPLE_DOCS = """
SELECT j.key AS i, (SELECT count(*) FROM tasks_fts WHERE tasks_fts MATCH j.value AND rowid > ?) AS n
FROM json_each(?) AS j
"""
# max(id) is an index lookup; a true count(*) would scan the table, and a share needs no precision.
TASK_ID_SPAN = "SELECT coalesce(max(id), 0) FROM tasks"
HITS = """
SELECT t.id, t.bulletin_id, t.number, t.text, t.folded, b.title, b.month, b.organizer,
       (SELECT count(*) FROM tasks AS c WHERE c.bulletin_id = t.bulletin_id) AS task_count
FROM tasks AS t JOIN bulletins AS b ON b.id = t.bulletin_id
WHERE t.id IN (SELECT value FROM json_each(?))
"""

_WORD = re.compile(r"[^\W_]+")

Quality = Literal["exact", "folded", "corrected", "partial"]


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """What narrows a search: months ``start``..``end`` (``YYYY-MM``, inclusive, either open) and an
    organizer, whose folded words must occur consecutively in a bulletin's organizer or title."""

    start: str | None = None
    end: str | None = None
    organizer: str | None = None


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of hits and what they are.

    ``total`` counts true matches only. ``quality``: ``exact`` (the words as typed, diacritics
    included when the question had them), ``folded`` (the question's diacritics matched nothing, so
    the folded words did), ``corrected`` (a one-letter typo, ``corrected`` holds the query searched
    instead), ``partial`` (no task holds every word; tasks holding some of them). ``terms`` are the
    folded words really searched for.
    """

    hits: list[SearchHit]
    total: int
    terms: tuple[str, ...] = ()
    quality: Quality = "exact"
    corrected: str | None = None


def query_terms(query: str) -> list[str]:
    """The folded words of a query, as the FTS5 ``unicode61`` tokenizer would cut them, deduplicated."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold_query(query[:2000])):
        seen.setdefault(word[:MAX_TERM_LENGTH], None)
    return list(seen)[:MAX_TERMS]


def fts_string(text: str) -> str:
    """``text`` as an FTS5 string literal: inside double quotes every operator is plain text."""
    return '"' + text.replace('"', '""') + '"'


def match_expressions(terms: list[str], common: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """(tier, MATCH expression) to run in order; a one-word query needs a single tier."""
    if not terms:
        return []
    if len(terms) == 1:
        return [(TIER_PHRASE, fts_string(terms[0]))]
    rare = [t for t in terms if t not in common] or terms
    tiers = [
        (TIER_PHRASE, fts_string(" ".join(terms))),
        (TIER_ALL, " AND ".join(fts_string(t) for t in terms)),
    ]
    if len(rare) > 1 or rare != terms:
        tiers.append((TIER_ANY, " OR ".join(fts_string(t) for t in rare)))
    return tiers


async def sample_frequencies(store: Store, terms: list[str]) -> tuple[dict[str, int], int]:
    """How many of the newest ``SAMPLE`` tasks hold each term, and the sample's size."""
    span = int(await store.fetchval(TASK_ID_SPAN))
    if span == 0:
        return {}, 0
    floor = max(0, span - SAMPLE)
    rows = await store.fetchall(SAMPLE_DOCS, (floor, json.dumps([fts_string(t) for t in terms])))
    return {terms[int(r["i"])]: int(r["n"]) for r in rows}, span - floor


def common_terms(frequencies: dict[str, int], sample: int) -> frozenset[str]:
    """The terms in more than ``COMMON_SHARE`` of the sample (none if no rarer word occurs at all)."""
    common = frozenset(t for t, n in frequencies.items() if n > COMMON_SHARE * sample)
    # Dropping common words only helps if a rarer word is left that occurs at all.
    return common if any(n for t, n in frequencies.items() if t not in common) else frozenset()


def bm25(
    candidates: list[tuple[int, str]], terms: list[str], frequencies: dict[str, int], sample: int
) -> dict[int, float]:
    """BM25 of each (id, folded text), higher is better, with document frequencies from the sample."""
    if not candidates:
        return {}
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(t) for t in terms) + r")(?![^\W_])")
    idf = {t: math.log(1 + (sample - n + 0.5) / (n + 0.5)) for t, n in frequencies.items()}
    average = sum(len(text) for _, text in candidates) / len(candidates) or 1.0
    scores = {}
    for task_id, text in candidates:
        counts = Counter(pattern.findall(text))
        norm = BM25_K1 * (1 - BM25_B + BM25_B * len(text) / average)
        scores[task_id] = sum(idf.get(t, 0.0) * tf * (BM25_K1 + 1) / (tf + norm) for t, tf in counts.items())
    return scores


async def search_tasks(
    store: Store,
    query: str,
    limit: int = 10,
    offset: int = 0,
    *,
    where: SearchFilter | None = None,
    document: DocumentRef | None = None,
) -> SearchPage:
    """One page of tasks matching ``query`` (any text; it is folded and quoted here), and the total.

    The total counts distinct matches among at most ``CANDIDATES`` per tier, so on a huge archive a
    very common query reports at most a few hundred; the best of them are still first.
    """
    terms = query_terms(query)
    if not terms:
        return SearchPage([], 0)
    frequencies, sample = await sample_frequencies(store, terms)
    ranked: dict[int, tuple[int, float]] = {}

    def rank(tier: int, rows: list[tuple[int, str]]) -> None:
        fresh = [(i, text) for i, text in rows if i not in ranked]
        for task_id, score in bm25(fresh, terms, frequencies, sample).items():
            ranked[task_id] = (tier, -score)

    tiers = dict(match_expressions(terms, common_terms(frequencies, sample)))
    if len(terms) == 1:
        rank(TIER_PHRASE, await _candidates(store, tiers[TIER_PHRASE]))
    else:
        every = await _candidates(store, tiers[TIER_ALL])
        if len(every) < CANDIDATES:
            # Every task holding all the words is here, so the phrase ones are among them: a regex
            # on their folded text finds them without a second (position-reading) FTS query.
            phrase = _phrase_pattern(terms)
            rank(TIER_PHRASE, [row for row in every if phrase.search(row[1])])
        else:
            rank(TIER_PHRASE, await _candidates(store, tiers[TIER_PHRASE]))
        rank(TIER_ALL, every)
        if not ranked and TIER_ANY in tiers:
            # Vietnamese words are syllables: "nhung" alone is also "nhưng"/"những" (but, the), so
            # any-word matches are mostly noise next to tasks holding every word. They are the
            # fallback for a query no task matches in full, not padding under good answers.
            rank(TIER_ANY, await _candidates(store, tiers[TIER_ANY]))
    # Best tier first, then BM25, then the newer task.
    order = sorted(ranked, key=lambda task_id: (*ranked[task_id], -task_id))
    page_ids = order[max(0, offset) : max(0, offset) + max(0, limit)]
    if not page_ids:
        return SearchPage([], len(order), tuple(terms))
    rows = await store.fetchall(HITS, (json.dumps(page_ids),))
    by_id = {int(r["id"]): r for r in rows}
    hits = [
        SearchHit(
            task_id=task_id,
            bulletin_id=int(row["bulletin_id"]),
            title=row["title"],
            month=row["month"],
            organizer=row["organizer"],
            task_number=int(row["number"]),
            task_count=int(row["task_count"]),
            text=unicodedata.normalize("NFC", row["text"]),
            folded=row["folded"],
            tier=ranked[task_id][0],
        )
        for task_id in page_ids
        if (row := by_id.get(task_id)) is not None
    ]
    quality: Quality = "partial" if ranked and min(tier for tier, _ in ranked.values()) == TIER_ANY else "exact"
    return SearchPage(hits, len(order), tuple(terms), quality)


async def _candidates(store: Store, expression: str) -> list[tuple[int, str]]:
    rows = await store.fetchall(TIER_CANDIDATES, (expression, CANDIDATES))
    return [(int(r["id"]), str(r["folded"])) for r in rows]


def _phrase_pattern(terms: list[str]) -> re.Pattern[str]:
    """The terms as consecutive tokens, whatever separates them, as an FTS5 phrase matches them."""
    return re.compile(r"(?<![^\W_])" + r"[\W_]+".join(re.escape(t) for t in terms) + r"(?![^\W_])")


def match_spans(text: str, terms: list[str], folded: str | None = None) -> list[tuple[int, int]]:
    """Where the query words occur in ``text`` (NFC), as merged (start, end) offsets.

    Found in ``fold(text)``, whose offsets are those of ``text`` because folding keeps the length.
    """
    if not terms:
        return []
    # Plain fold (not fold_query, whose Telex rewrite would shift offsets): task texts have no Telex.
    if folded is None or len(folded) != len(text):
        folded = fold(text)
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(t) for t in terms) + r")(?![^\W_])")
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(folded):
        # Words next to each other ("tham nhũng") become one span: one <b> around the phrase.
        if spans and not folded[spans[-1][1] : m.start()].strip():
            spans[-1] = (spans[-1][0], max(spans[-1][1], m.end()))
        else:
            spans.append(m.span())
    return spans
