"""Full-text search over archived tasks (FTS5 on the folded task text), ranked in three tiers.

Tiers: the whole phrase, then every word (AND), and, only when no task has every word, any word
(OR); bm25 orders each tier and a task appears once, in the best tier it reaches. Every user word is folded and quoted as an FTS5
string before ``MATCH``, so no input can raise an FTS syntax error
(https://sqlite.org/fts5.html#full_text_query_syntax). Each tier reads at most ``CANDIDATES`` of the
newest matching tasks, which keeps a query bounded however large the archive grows.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from bot.intents import fold_query
from bot.textnorm import fold
from data.store import Store

# How many of the newest matching tasks each tier ranks. FTS5 computes bm25 for every row it
# returns, so ranking a common word over the whole archive would cost O(archive); reading the
# newest rows first (``ORDER BY rowid DESC`` walks the index backwards) and stopping here does not.
CANDIDATES = 300
MAX_TERMS = 12
MAX_TERM_LENGTH = 40
# A word found in more than this share of tasks ("tuyen truyen") says nothing about relevance;
# it is left out of the "any word" tier when the query has other words.
COMMON_SHARE = 0.5
TIER_PHRASE, TIER_ALL, TIER_ANY = 0, 1, 2

TIER_IDS = """
SELECT rowid AS id, bm25(tasks_fts) AS score
FROM tasks_fts WHERE tasks_fts MATCH ?
ORDER BY rowid DESC LIMIT ?
"""
# fts5vocab answers ``term = ?`` from the index itself; json_each feeds it one term at a time.
TERM_DOCS = """
SELECT v.term, v.doc FROM json_each(?) AS j JOIN tasks_fts_vocab AS v ON v.term = j.value
"""
# max(id) is an index lookup; a true count(*) would scan the table, and a share needs no precision.
TASK_ID_SPAN = "SELECT coalesce(max(id), 0) FROM tasks"
HITS = """
SELECT t.id, t.bulletin_id, t.number, t.text, b.title, b.month, b.organizer,
       (SELECT count(*) FROM tasks AS c WHERE c.bulletin_id = t.bulletin_id) AS task_count
FROM tasks AS t JOIN bulletins AS b ON b.id = t.bulletin_id
WHERE t.id IN (SELECT value FROM json_each(?))
"""

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching task and the bulletin it belongs to; ``text`` is NFC, as highlighting expects."""

    task_id: int
    bulletin_id: int
    title: str
    month: str
    organizer: str
    task_number: int
    task_count: int
    text: str
    tier: int
    score: float


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


async def common_terms(store: Store, terms: list[str]) -> frozenset[str]:
    """The terms that occur in more than ``COMMON_SHARE`` of all tasks (none if nothing else matches)."""
    if len(terms) < 2:
        return frozenset()
    span = int(await store.fetchval(TASK_ID_SPAN))
    if span == 0:
        return frozenset()
    docs = {str(r["term"]): int(r["doc"]) for r in await store.fetchall(TERM_DOCS, (json.dumps(terms),))}
    common = frozenset(t for t, n in docs.items() if n > COMMON_SHARE * span)
    # Dropping common words only helps if a rarer word is left that occurs at all.
    return common if any(n for t, n in docs.items() if t not in common) else frozenset()


async def search_tasks(store: Store, query: str, limit: int = 10, offset: int = 0) -> tuple[list[SearchHit], int]:
    """One page of tasks matching ``query`` (any text; it is folded and quoted here), and the total.

    The total counts distinct matches among at most ``CANDIDATES`` per tier, so on a huge archive a
    very common query reports at most a few hundred; the best of them are still first.
    """
    terms = query_terms(query)
    if not terms:
        return [], 0
    ranked: dict[int, tuple[int, float]] = {}
    for tier, expression in match_expressions(terms, await common_terms(store, terms)):
        if tier == TIER_ANY and ranked:
            # Vietnamese words are syllables: "nhung" alone is also "nhưng"/"những" (but, the), so
            # any-word matches are mostly noise next to tasks holding every word. They are the
            # fallback for a query no task matches in full, not padding under good answers.
            break
        for match in await store.fetchall(TIER_IDS, (expression, CANDIDATES)):
            ranked.setdefault(int(match["id"]), (tier, float(match["score"])))
        if tier == TIER_PHRASE and len(ranked) >= CANDIDATES:
            break  # enough whole-phrase matches: weaker tiers would never reach a page
    # Best tier first, then bm25 (lower is better), then the newer task.
    order = sorted(ranked, key=lambda task_id: (*ranked[task_id], -task_id))
    page_ids = order[max(0, offset) : max(0, offset) + max(0, limit)]
    if not page_ids:
        return [], len(order)
    rows = {int(r["id"]): r for r in await store.fetchall(HITS, (json.dumps(page_ids),))}
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
            tier=ranked[task_id][0],
            score=ranked[task_id][1],
        )
        for task_id in page_ids
        if (row := rows.get(task_id)) is not None
    ]
    return hits, len(order)


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the query words occur in ``text`` (NFC), as merged (start, end) offsets.

    Found in ``fold(text)``, whose offsets are those of ``text`` because folding keeps the length.
    """
    if not terms:
        return []
    # Plain fold (not fold_query, whose Telex rewrite would shift offsets): task texts have no Telex.
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
