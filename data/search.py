"""Full-text search over archived tasks: true matches, true counts, true highlights.

The index (``tasks_fts``, migrations 0002 and 0005) has two columns: ``folded`` (diacritics removed,
đ → d) and ``exact`` (each word's key, ``bot.domain.textnorm.word_key``: marks kept, tone placement
normalised). A question typed with diacritics is matched on ``exact``, so "tham nhũng" no longer
finds "thăm … những" and "hôm nay" no longer finds "này"; a question typed without them on
``folded``. Every word is quoted as an FTS5 string before ``MATCH``, so no input can raise an FTS
syntax error (https://sqlite.org/fts5.html#full_text_query_syntax).

What is tried, in order; the first step that finds anything answers (``SearchPage.quality``):

1. ``exact``: the words as typed (in a question with diacritics every word, so "nay" is not
   "này"). The whole phrase (adjacent words, as an FTS5 phrase matches them); only when no task
   holds the phrase, every word. Scattered words are never listed under phrase matches:
   Vietnamese words are syllables, and scattered syllables are mostly other words.
2. ``folded``: a question with diacritics that matched nothing, folded (the phrase, then every
   word). When the words found differ from those typed by one letter or mark in all ("chuyen doi
   sô" finds "chuyển đổi số"; words typed without marks are taken folded), the words found are
   searched exactly instead and the answer is ``corrected`` to them.
3. ``corrected``: a word the archive does not hold, replaced by a word of the archive one edit
   away (a letter or mark deleted, inserted, changed or two swapped), the respelling whose phrase
   is most frequent first: "tham nhũg" → "tham nhũng", "tham nhunh" → "tham nhung". Trusted only
   if the phrase is found. ``corrected`` holds the query searched.
4. ``partial``: tasks holding some of the words as typed; words in over half the tasks left out.
   A question with diacritics is never answered by folded partial matches: "nhũng" folded alone
   is also "những", another word.

A cited document (``DocumentRef``) is found by its number and kind in the index, then by a pattern
on the folded text ("57-NQ/TW", "Nghị quyết số 57", "NQ 57"; never "157-NQ/TW" or "57 tỉnh").

Typos: a spelling fallback, chosen over an FTS5 trigram index
(https://sqlite.org/fts5.html#the_trigram_tokenizer) by ``benchmarks/search.py --typos`` on the same
16 one-letter typos of phrases the archive holds (found = the first hit holds the phrase), the
trigram index ranked by the number of the query's trigrams a task holds:

    360 bulletins     spelling: 16/16 found, p50 5.5 ms, p99 11.2 ms, no extra index
                      trigram:  15/16 found, p50 3.7 ms, p99 8.2 ms, index 1.4 MB
    36,000 bulletins  spelling: 15/16 found, p50 6.1 ms, p99 8.8 ms, no extra index (the
                                vocabulary is read once per archive change: 448 ms)
                      trigram:  15/16 found, p50 292 ms, p99 520 ms, index 138 MB (9.5 s to build)

(The one miss at 36,000 is no miss: "bau cuu" is a phrase the generated archive holds.) Ranking
trigrams walks every trigram's whole doclist, which grows with the archive; one edit over the
vocabulary does not, and it corrects only words the archive does not hold, so it never replaces
what the user typed with a near neighbour.

Bounded cost: FTS5's own ``bm25()`` and the ``fts5vocab`` counts both walk a word's whole doclist,
which grows with the archive. Instead each step reads at most ``CANDIDATES`` of the newest matching
tasks (``ORDER BY rowid DESC`` walks the index backwards and stops), word frequencies are estimated
on the newest ``SAMPLE`` tasks, and BM25 is computed here on the candidates. The vocabulary for
corrections is read once and kept until the archive changes (``_vocabulary``).

Filters (``SearchFilter``: months, organizer) are applied in SQL before the candidate limit: a filter
that leaves few bulletins (``SMALL_SCOPE``) reads their tasks and matches them here; a wider one is a
condition on each row of the index scan.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from bot.domain.intents import DocumentRef
from bot.domain.records import SearchHit
from bot.domain.textnorm import exact_text, fold, fold_query, has_diacritics, word_key
from data.store import Store

CANDIDATES = 200  # newest matching tasks ranked per step
SAMPLE = 2000  # newest tasks on which word frequencies are estimated
SMALL_SCOPE = 60  # a filter leaving at most this many bulletins (some 400 tasks) is matched here, on their tasks
MAX_TERMS = 12
MAX_TERM_LENGTH = 40
MAX_QUERY = 2000
# A word found in more than this share of tasks ("tuyen truyen") says nothing about relevance;
# it is left out of the "any word" tier when the query has other words.
COMMON_SHARE = 0.5
BM25_K1, BM25_B = 1.2, 0.75  # the usual constants, as FTS5's bm25() uses
TIER_PHRASE, TIER_ALL, TIER_ANY = 0, 1, 2

Column = Literal["folded", "exact"]
Quality = Literal["exact", "folded", "corrected", "partial"]

# {columns} reads only the column searched (the other as ''): half the text to carry.
TIER_CANDIDATES = """
SELECT f.rowid AS id, {columns} FROM tasks_fts AS f WHERE tasks_fts MATCH ?
ORDER BY f.rowid DESC LIMIT ?
"""
COLUMNS = {"folded": "f.folded, '' AS exact", "exact": "'' AS folded, f.exact"}
# The same, for a wide filter: {where} is filter_clause over the alias b, checked row by row as the
# index is walked newest first, so the LIMIT still stops the walk.
FILTERED_CANDIDATES = """
SELECT f.rowid AS id, {columns} FROM tasks_fts AS f
WHERE tasks_fts MATCH ?
  AND EXISTS (SELECT 1 FROM tasks AS t JOIN bulletins AS b ON b.id = t.bulletin_id
              WHERE t.id = f.rowid AND {where})
ORDER BY f.rowid DESC LIMIT ?
"""
SCOPE_BULLETINS = "SELECT id FROM bulletins AS b WHERE {where} ORDER BY id DESC LIMIT ?"
SCOPE_TASKS = """
SELECT id, folded, exact FROM tasks WHERE bulletin_id IN (SELECT value FROM json_each(?))
ORDER BY id DESC
"""
# Documents containing each expression among the newest tasks (ids above the largest minus ?), and
# that largest id: json_each feeds the expressions. max(id) is an index lookup; a true count(*)
# would scan the table, and a share needs no precision.
SAMPLE_DOCS = """
WITH span AS (SELECT coalesce(max(id), 0) AS top FROM tasks)
SELECT j.key AS i, span.top AS top,
       (SELECT count(*) FROM tasks_fts WHERE tasks_fts MATCH j.value AND rowid > span.top - ?) AS n
FROM json_each(?) AS j, span
"""
# Changes when bulletins are added or removed: when the cached vocabulary is read again.
ARCHIVE_SIGNATURE = "SELECT (SELECT coalesce(max(id), 0) FROM tasks), (SELECT count(*) FROM bulletins)"
VOCABULARY = "SELECT term, col, doc FROM tasks_vocab"
HITS = """
SELECT t.id, t.bulletin_id, t.number, t.text, t.folded, b.title, b.month, b.organizer,
       (SELECT count(*) FROM tasks AS c WHERE c.bulletin_id = t.bulletin_id) AS task_count
FROM tasks AS t JOIN bulletins AS b ON b.id = t.bulletin_id
WHERE t.id IN (SELECT value FROM json_each(?))
"""
TEXT_OF = "SELECT text FROM tasks WHERE id = ?"
TEXTS = "SELECT id, text FROM tasks WHERE id IN (SELECT value FROM json_each(?))"
ORGANIZER_MATCH = "b.id IN (SELECT rowid FROM bulletins_fts WHERE bulletins_fts MATCH ?)"

_WORD = re.compile(r"[^\W_]+")


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


# --------------------------------------------------------------------------------------------------
# Words and MATCH expressions
# --------------------------------------------------------------------------------------------------


def _dedupe(words: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for word in words:
        seen.setdefault(word[:MAX_TERM_LENGTH], None)
    return list(seen)[:MAX_TERMS]


def query_terms(query: str) -> list[str]:
    """The folded words of a query, as the FTS5 ``unicode61`` tokenizer would cut them, deduplicated."""
    return _dedupe(_WORD.findall(fold_query(query[:MAX_QUERY])))


def phrase_words(query: str) -> list[str]:
    """The folded words of a query in order, repeats kept ("thành ủy thành phố" is a phrase of four)."""
    return [word[:MAX_TERM_LENGTH] for word in _WORD.findall(fold_query(query[:MAX_QUERY]))][:MAX_TERMS]


def exact_terms(query: str) -> list[str]:
    """The words of a query as exact keys (``word_key``: marks kept, tone placement normalised), in
    order, repeats kept."""
    return [word[:MAX_TERM_LENGTH] for word in exact_text(query[:MAX_QUERY]).split()][:MAX_TERMS]


def fts_string(text: str) -> str:
    """``text`` as an FTS5 string literal: inside double quotes every operator is plain text."""
    return '"' + text.replace('"', '""') + '"'


def match_expressions(
    terms: list[str], common: frozenset[str] = frozenset(), column: Column = "folded"
) -> list[tuple[int, str]]:
    """(tier, MATCH expression on ``column``) to run in order; a one-word query needs a single tier."""
    if not terms:
        return []
    if len(terms) == 1:
        return [(TIER_PHRASE, f"{column} : {fts_string(terms[0])}")]
    rare = [t for t in terms if t not in common] or terms
    tiers = [
        (TIER_PHRASE, f"{column} : {fts_string(' '.join(terms))}"),
        (TIER_ALL, f"{column} : (" + " AND ".join(fts_string(t) for t in terms) + ")"),
    ]
    if len(rare) > 1 or rare != terms:
        tiers.append((TIER_ANY, f"{column} : (" + " OR ".join(fts_string(t) for t in rare) + ")"))
    return tiers


# Short forms of "trung ương" in organizers ("Ban Tuyên giáo T.Ư", "TƯ", "TW"): searched in the
# organizer column only, where "tu" is not "tháng Tư".
_CENTRAL = ("trung", "uong")
_CENTRAL_SHORT = (("t", "u"), ("t", "w"), ("tw",), ("tu",))


def organizer_expression(organizer: str) -> str | None:
    """The ``bulletins_fts`` MATCH expression for an organizer phrase: its folded words, consecutive,
    in the organizer or the title ("tinh uy ha giang" in "Ban Tuyên giáo Tỉnh ủy Hà Giang"). None
    when the phrase has no words."""
    words = phrase_words(organizer)
    if not words:
        return None
    alternatives = [f"{{organizer_folded title_folded}} : {fts_string(' '.join(words))}"]
    for i in range(len(words) - 1):
        if (words[i], words[i + 1]) == _CENTRAL:
            for short in _CENTRAL_SHORT:
                variant = [*words[:i], *short, *words[i + 2 :]]
                alternatives.append(f"organizer_folded : {fts_string(' '.join(variant))}")
            break
    return " OR ".join(alternatives)


def filter_clause(where: SearchFilter | None) -> tuple[str, list[object]]:
    """``where`` as an SQL condition on a bulletin aliased ``b``, and its parameters ("1" if none)."""
    if where is None:
        return "1", []
    parts: list[str] = []
    params: list[object] = []
    if where.start:
        parts.append("b.month >= ?")
        params.append(where.start)
    if where.end:
        parts.append("b.month <= ?")
        params.append(where.end)
    if where.organizer:
        expression = organizer_expression(where.organizer)
        if expression is not None:
            parts.append(ORGANIZER_MATCH)
            params.append(expression)
    return (" AND ".join(parts) or "1"), params


# --------------------------------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------------------------------


async def sample_frequencies(store: Store, terms: list[str], column: Column = "folded") -> tuple[dict[str, int], int]:
    """How many of the newest ``SAMPLE`` tasks hold each term (in ``column``), and the sample's size."""
    expressions = [f"{column} : {fts_string(t)}" for t in terms]
    rows = await store.fetchall(SAMPLE_DOCS, (SAMPLE, json.dumps(expressions)))
    if not rows:
        return {}, 0
    return {terms[int(r["i"])]: int(r["n"]) for r in rows}, min(SAMPLE, int(rows[0]["top"]))


def common_terms(frequencies: dict[str, int], sample: int) -> frozenset[str]:
    """The terms in more than ``COMMON_SHARE`` of the sample (none if no rarer word occurs at all)."""
    common = frozenset(t for t, n in frequencies.items() if n > COMMON_SHARE * sample)
    # Dropping common words only helps if a rarer word is left that occurs at all.
    return common if any(n for t, n in frequencies.items() if t not in common) else frozenset()


def _words_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """Any of ``terms`` as a whole word (never inside another)."""
    return re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(t) for t in terms) + r")(?![^\W_])")


def _phrase_pattern(terms: list[str]) -> re.Pattern[str]:
    """The terms as consecutive tokens, whatever separates them, as an FTS5 phrase matches them."""
    return re.compile(r"(?<![^\W_])" + r"[\W_]+".join(re.escape(t) for t in terms) + r"(?![^\W_])")


def bm25(
    candidates: list[tuple[int, str]], terms: list[str], frequencies: dict[str, int], sample: int
) -> dict[int, float]:
    """BM25 of each (id, indexed text), higher is better, with document frequencies from the sample."""
    if not candidates:
        return {}
    pattern = _words_pattern(terms)
    idf = {t: math.log(1 + (sample - n + 0.5) / (n + 0.5)) for t, n in frequencies.items()}
    average = sum(len(text) for _, text in candidates) / len(candidates) or 1.0
    scores = {}
    for task_id, text in candidates:
        counts = Counter(pattern.findall(text))
        norm = BM25_K1 * (1 - BM25_B + BM25_B * len(text) / average)
        scores[task_id] = sum(idf.get(t, 0.0) * tf * (BM25_K1 + 1) / (tf + norm) for t, tf in counts.items())
    return scores


# --------------------------------------------------------------------------------------------------
# Where to look: the whole index, or the tasks a filter leaves
# --------------------------------------------------------------------------------------------------

Row3 = tuple[int, str, str]  # (task id, folded, exact), newest first


@dataclass(slots=True)
class _Scope:
    """The tasks a search may return: all (``clause`` "1"), those of a wide filter (``clause``), or
    the tasks of a few bulletins, read once (``rows``)."""

    clause: str
    params: list[object]
    rows: list[Row3] | None = None

    async def candidates(
        self, store: Store, expression: str, test: Callable[[Row3], bool], column: Column
    ) -> list[Row3]:
        """The newest ``CANDIDATES`` tasks matching ``expression`` (an FTS5 query) or, for a few
        bulletins' tasks, ``test`` (the same condition, in Python); with the text of ``column``."""
        if self.rows is not None:
            found = [row for row in self.rows if test(row)]
            return found[:CANDIDATES]
        columns = COLUMNS[column]
        if self.clause == "1":
            rows = await store.fetchall(TIER_CANDIDATES.format(columns=columns), (expression, CANDIDATES))
        else:
            rows = await store.fetchall(
                FILTERED_CANDIDATES.format(columns=columns, where=self.clause),
                [expression, *self.params, CANDIDATES],
            )
        return [(int(r["id"]), str(r["folded"]), str(r["exact"])) for r in rows]


async def _scope(store: Store, where: SearchFilter | None) -> _Scope | None:
    """Where to look, or None when the filter leaves no bulletin at all."""
    clause, params = filter_clause(where)
    if clause == "1":
        return _Scope(clause, params)
    ids = [int(r[0]) for r in await store.fetchall(SCOPE_BULLETINS.format(where=clause), [*params, SMALL_SCOPE + 1])]
    if not ids:
        return None
    if len(ids) > SMALL_SCOPE:
        return _Scope(clause, params)
    rows = await store.fetchall(SCOPE_TASKS, (json.dumps(ids),))
    return _Scope(clause, params, [(int(r["id"]), str(r["folded"]), str(r["exact"])) for r in rows])


def _text_of(column: Column) -> Callable[[Row3], str]:
    return (lambda row: row[1]) if column == "folded" else (lambda row: row[2])


# --------------------------------------------------------------------------------------------------
# One attempt: words on one column, phrase first, then every word, optionally then any word
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Found:
    ranked: dict[int, tuple[int, float]]  # task id -> (tier, -score)
    words: list[str]
    column: Column


async def _attempt(
    store: Store,
    scope: _Scope,
    words: list[str],
    column: Column,
    *,
    any_word: bool = False,
    phrase_only: bool = False,
    rank: bool = True,
) -> _Found | None:
    """Tasks holding the phrase, else (unless ``phrase_only``) every word; with ``any_word``, some of
    the words instead. Only the best tier that matches anything is kept. None when nothing matches.

    Word frequencies (one query) are read only when there is something to rank, or common words to
    leave out of the any-word tier."""
    text_of = _text_of(column)
    sampled: list[tuple[dict[str, int], int]] = []

    async def frequencies() -> tuple[dict[str, int], int]:
        if not sampled:
            sampled.append(await sample_frequencies(store, words, column))
        return sampled[0]

    async def ranked(tier: int, rows: list[Row3], searched: list[str] = words) -> _Found | None:
        if not rows:
            return None
        if not rank:  # newest first, no frequencies to read
            return _Found({row[0]: (tier, 0.0) for row in rows}, searched, column)
        counts, sample = await frequencies()
        scores = bm25([(row[0], text_of(row)) for row in rows], searched, counts, sample)
        return _Found({i: (tier, -s) for i, s in scores.items()}, searched, column)

    pattern = _words_pattern(words)
    needed = len(set(words))

    def holds_all(row: Row3) -> bool:
        return len(set(pattern.findall(text_of(row)))) >= needed

    phrase = _phrase_pattern(words)
    if not any_word:
        tiers = dict(match_expressions(words, frozenset(), column))
        if len(words) == 1:
            return await ranked(TIER_PHRASE, await scope.candidates(store, tiers[TIER_PHRASE], holds_all, column))
        every = await scope.candidates(store, tiers[TIER_ALL], holds_all, column)
        # The phrase ones among the tasks holding every word: a regex on their text finds them
        # without a second (position-reading) FTS query. When every task holding the words is here
        # (fewer than CANDIDATES), that is all of them; otherwise the newest batch is enough to
        # answer, and only a batch without the phrase needs the phrase query.
        with_phrase = [row for row in every if phrase.search(text_of(row))]
        if not with_phrase and len(every) >= CANDIDATES:
            with_phrase = await scope.candidates(
                store, tiers[TIER_PHRASE], lambda row: phrase.search(text_of(row)) is not None, column
            )
        found = await ranked(TIER_PHRASE, with_phrase)
        return found if found is not None or phrase_only else await ranked(TIER_ALL, every)
    counts, sample = await frequencies()
    common = common_terms(counts, sample)
    tiers = dict(match_expressions(words, common, column))
    if TIER_ANY not in tiers:
        return None
    rare = [w for w in words if w not in common] or words
    some = _words_pattern(rare)
    rows = await scope.candidates(store, tiers[TIER_ANY], lambda row: some.search(text_of(row)) is not None, column)
    return await ranked(TIER_ANY, rows, rare)


# --------------------------------------------------------------------------------------------------
# Corrections: a word the archive does not hold, replaced by its most frequent neighbour
# --------------------------------------------------------------------------------------------------

_TONED = "".join(
    unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in ("", *"\u0301\u0300\u0309\u0303\u0323")
)
ALPHABET: dict[Column, str] = {
    "folded": "abcdefghijklmnopqrstuvwxyz0123456789",
    "exact": "bcdfghjklmnpqrstvwxzđ0123456789" + _TONED,
}


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Document counts of every word of the index, per column, and the archive state they are of."""

    signature: tuple[int, int]
    words: dict[Column, dict[str, int]]


_VOCABULARIES: weakref.WeakKeyDictionary[Store, Vocabulary] = weakref.WeakKeyDictionary()


async def _vocabulary(store: Store) -> Vocabulary:
    """The archive's words, read from ``tasks_vocab`` (https://sqlite.org/fts5.html#the_fts5vocab_virtual_table_module)
    once and again only when bulletins were added or removed: reading it walks the whole index."""
    row = await store.fetchone(ARCHIVE_SIGNATURE)
    signature = (int(row[0]), int(row[1])) if row is not None else (0, 0)
    cached = _VOCABULARIES.get(store)
    if cached is not None and cached.signature == signature:
        return cached
    words: dict[Column, dict[str, int]] = {"folded": {}, "exact": {}}
    for r in await store.fetchall(VOCABULARY):
        known = words.get(r["col"])
        if known is not None:
            known[str(r["term"])] = int(r["doc"])
    vocabulary = Vocabulary(signature, words)
    _VOCABULARIES[store] = vocabulary
    return vocabulary


def one_edit(word: str, alphabet: str) -> set[str]:
    """Every string one edit from ``word``: a character deleted, swapped with the next, changed or
    inserted (https://norvig.com/spell-correct.html)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changes = {a + c + b[1:] for a, b in splits if b for c in alphabet}
    inserts = {a + c + b for a, b in splits for c in alphabet}
    return (deletes | swaps | changes | inserts) - {word}


def corrections(words: list[str], known: dict[str, int], alphabet: str, tries: int = 3) -> list[list[str]]:
    """Up to ``tries`` respellings of ``words``: each word the archive does not hold replaced by a held
    word one edit away, the most frequent first (ties: alphabetical order); the first such word's
    next candidates make the further tries. Empty if no word can be replaced. Words of one letter,
    or with digits, are kept: their neighbours are anything."""
    best: list[str] = []
    choices: list[list[str]] = []
    for word in words:
        neighbours: list[str] = []
        if word not in known and len(word) >= 2 and not any(ch.isdigit() for ch in word):
            neighbours = sorted((w for w in one_edit(word, alphabet) if w in known), key=lambda w: (-known[w], w))
        best.append(neighbours[0] if neighbours else word)
        choices.append(neighbours)
    first = next((i for i, options in enumerate(choices) if options), None)
    if first is None:
        return []
    return [[*best[:first], option, *best[first + 1 :]] for option in choices[first][:tries]]


# --------------------------------------------------------------------------------------------------
# Documents: "57-NQ/TW", "Nghị quyết số 57", "NQ 57", "Kết luận số 01"
# --------------------------------------------------------------------------------------------------

KIND_WORDS = {
    "NQ": "nghi quyet",
    "KL": "ket luan",
    "QĐ": "quy dinh",
    "CT": "chi thi",
    "HD": "huong dan",
    "TB": "thong bao",
}


def _issuer_key(issuer: str) -> str:
    """An issuer as written ("TW", "TƯ", "T.Ư", "TU", "BCT") as one comparable key: "TƯ" is "TW"
    (Trung ương), but "TU" is a Tỉnh ủy, so the horn decides and the unfolded text is compared."""
    key = "".join(ch for ch in unicodedata.normalize("NFC", issuer).upper() if ch.isalnum())
    return {"TƯ": "tw"}.get(key, fold(key))


def document_pattern(ref: DocumentRef) -> re.Pattern[str]:
    """A citation of ``ref`` in folded text: "57-NQ/TW" (the issuer in group ``issuer``), "Nghị quyết
    số 57", "NQ 57", "NQ57"; never "157-NQ/TW", "57 tỉnh" or "Nghị quyết 570"."""
    code = re.escape(fold(ref.kind))
    words = r"\s+".join(re.escape(w) for w in KIND_WORDS[ref.kind].split())
    kind = rf"(?:{words}|{code})"
    number = rf"0*{ref.number}"
    coded = (
        rf"(?<![\w/.-])(?:{kind}\s*(?:so\s*)?)?{number}\s*-\s*{code}"
        r"(?:\s*/\s*(?P<issuer>[a-z0-9&.]+(?:-[a-z0-9&.]+)*))?(?!\w)"
    )
    named = rf"(?<!\w){kind}\s*(?:so\s*)?{number}(?![\w/-])"
    return re.compile(f"{coded}|{named}")


def document_expression(ref: DocumentRef) -> str:
    """An FTS5 prefilter for ``document_pattern``: the number (with the zeros it may be written with)
    and the kind, by its code or its words."""
    numbers = " OR ".join(fts_string("0" * z + str(ref.number)) for z in range(3))
    code = fold(ref.kind)
    kind = f"{fts_string(code)} OR {fts_string(KIND_WORDS[ref.kind])} OR {fts_string(code + str(ref.number))}"
    return f"folded : ({numbers} OR {fts_string(code + str(ref.number))}) AND folded : ({kind})"


def document_spans(text: str, folded: str, ref: DocumentRef) -> list[tuple[int, int]]:
    """Where ``text`` (``folded`` its fold) cites ``ref``; an issuer the question gave must match the
    one the citation names, if it names one."""
    wanted = None if ref.issuer is None else _issuer_key(ref.issuer)
    spans = []
    for m in document_pattern(ref).finditer(folded):
        if wanted is not None and m.group("issuer") is not None:
            start, end = m.span("issuer")
            if _issuer_key(text[start:end]) != wanted:
                continue
        spans.append(m.span())
    return spans


# --------------------------------------------------------------------------------------------------
# Highlights
# --------------------------------------------------------------------------------------------------


def _tokens(text: str, folded: str, column: Column, wanted: frozenset[str] | None = None) -> list[tuple[int, int, str]]:
    """(start, end, form) of each word of ``text``; form as ``column`` indexes it. With ``wanted``
    (folded words), the exact key is worked out only for words that fold to one of them."""
    out = []
    for m in _WORD.finditer(text):
        start, end = m.span()
        form = folded[start:end]
        if column == "exact" and (wanted is None or form in wanted):
            form = word_key(m.group())
        elif column == "exact":
            form = ""
        out.append((start, end, form))
    return out


def _merge(spans: Iterable[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        # Words next to each other ("tham nhũng") become one span: one <b> around the phrase.
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def hit_spans(text: str, folded: str, words: list[str], column: Column, tier: int) -> list[tuple[int, int]]:
    """Where a hit really matches: each occurrence of the phrase for a phrase hit (words in a
    ``TIER_PHRASE`` hit of several words), the words as searched otherwise; offsets into ``text``."""
    if len(folded) != len(text):
        folded = fold(text)
    tokens = _tokens(text, folded, column, frozenset(fold(w) for w in words))
    forms = [form for _, _, form in tokens]
    n = len(words)
    if tier == TIER_PHRASE and n > 1:
        spans = [(tokens[i][0], tokens[i + n - 1][1]) for i in range(len(tokens) - n + 1) if forms[i : i + n] == words]
        if spans:
            return _merge(spans, text)
    wanted = set(words)
    return _merge(((s, e) for s, e, form in tokens if form in wanted), text)


def match_spans(text: str, terms: list[str], folded: str | None = None) -> list[tuple[int, int]]:
    """Where the folded query words occur in ``text`` (NFC), as merged (start, end) offsets. Search
    hits carry their own, truer ``spans``; this is for text that was not found by a search."""
    if not terms:
        return []
    if folded is None or len(folded) != len(text):
        folded = fold(text)
    pattern = _words_pattern(terms)
    return _merge((m.span() for m in pattern.finditer(folded)), text)


# --------------------------------------------------------------------------------------------------
# search_tasks
# --------------------------------------------------------------------------------------------------


async def search_tasks(
    store: Store,
    query: str,
    limit: int = 10,
    offset: int = 0,
    *,
    where: SearchFilter | None = None,
    document: DocumentRef | None = None,
) -> SearchPage:
    """One page of tasks matching ``query`` (any text; it is folded and quoted here), and the total,
    within ``where``; with ``document``, the tasks citing that document (``query`` is then not
    searched: it holds the citation's words).

    The total counts true matches among the newest ``CANDIDATES`` read, so on a huge archive a very
    common query reports at most a couple of hundred; the best of them are still first.
    """
    terms = query_terms(query)
    if document is None and not terms:
        return SearchPage([], 0)
    scope = await _scope(store, where)
    if scope is None:
        return SearchPage([], 0, tuple(terms))
    if document is not None:
        return await _document_page(store, scope, document, limit, offset)

    marked = has_diacritics(query[:MAX_QUERY])
    folded = phrase_words(query)  # in order, repeats kept: phrases are searched with them
    strict: tuple[list[str], Column] = (exact_terms(query), "exact") if marked else (folded, "folded")
    quality: Quality = "exact"
    corrected: str | None = None
    found = await _attempt(store, scope, *strict)
    if found is None and marked and set(folded) <= (await _vocabulary(store)).words["folded"].keys():
        # (A folded word the archive does not hold cannot match: no query needed to know.)
        # The diacritics matched nothing but the letters did. If the words found (in the newest
        # task) differ from those typed by one letter or mark ("chuyen doi sô" for "chuyển đổi
        # số"), that was a typo: search what was found, as typed words, and say so.
        loose = await _attempt(store, scope, folded, "folded", rank=False)
        spelling = None if loose is None else await _spelling_found(store, loose, query)
        if spelling is not None:
            found = await _attempt(store, scope, spelling, "exact", phrase_only=True)
            quality, corrected = "corrected", " ".join(spelling)
        if found is None and loose is not None:
            found, quality, corrected = await _attempt(store, scope, folded, "folded"), "folded", None
    if found is None:
        vocabulary = await _vocabulary(store)
        tries = [strict] if not marked else [strict, (folded, "folded")]
        for words, column in tries:
            # A guess is trusted only if the corrected words occur together, as a phrase ("hôm nay"
            # must not become "hoi nay" found as "Hội … này"); of a few guesses, the one found most.
            options = corrections(words, vocabulary.words[column], ALPHABET[column])
            if not options:
                continue
            # The respelling whose phrase is most frequent among the newest tasks is tried first
            # (one query counts them all); the others only if it is not found.
            counts, _ = await sample_frequencies(store, [" ".join(option) for option in options], column)
            ordered = sorted(options, key=lambda option: -counts.get(" ".join(option), 0))
            if not any(counts.values()):  # none among the newest tasks: only the likeliest is tried
                ordered = ordered[:1]
            for option in ordered:
                found = await _attempt(store, scope, option, column, phrase_only=True)
                if found is not None:
                    quality, corrected = "corrected", " ".join(option)
                    break
            if found is not None:
                break
    if found is None:
        found, quality = await _attempt(store, scope, *strict, any_word=True), "partial"
    if found is None:
        return SearchPage([], 0, tuple(terms))
    ranked = found.ranked
    # Best tier first, then BM25, then the newer task.
    order = sorted(ranked, key=lambda task_id: (*ranked[task_id], -task_id))
    page_ids = order[max(0, offset) : max(0, offset) + max(0, limit)]
    hits = await _hits(
        store,
        page_ids,
        lambda task_id: ranked[task_id][0],
        lambda text, folded, tier: hit_spans(text, folded, found.words, found.column, tier),
    )
    return SearchPage(hits, len(order), tuple(query_terms(" ".join(found.words))), quality, corrected)


def within_one_edit(a: str, b: str) -> bool:
    """True if ``b`` is ``a`` with at most one character deleted, inserted, changed, or two swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        return swapped or a[i + 1 :] == b[i + 1 :]
    return a[i + 1 :] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1 :]


async def _spelling_found(store: Store, found: _Found, query: str) -> list[str] | None:
    """The words (exact keys) the best folded hit (the newest, if unranked) holds for the question's
    words, when the words typed with diacritics differ from them by one edit in all; None otherwise.
    Words typed without diacritics are taken as found: the question meant them folded."""
    typed = exact_terms(query)
    if len(typed) != len(found.words) or not found.ranked:
        return None
    best = min(found.ranked, key=lambda task_id: (*found.ranked[task_id], -task_id))
    text = await store.fetchval(TEXT_OF, (best,))
    if text is None:
        return None
    text = unicodedata.normalize("NFC", str(text))
    tokens = _tokens(text, fold(text), "folded")
    forms = [form for _, _, form in tokens]
    n = len(found.words)
    at = next((i for i in range(len(forms) - n + 1) if forms[i : i + n] == found.words), None)
    if at is not None:
        spelled = [word_key(text[s:e]) for s, e, _ in tokens[at : at + n]]
    else:
        first = {form: word_key(text[s:e]) for s, e, form in reversed(tokens)}
        spelled = [first.get(word, "") for word in found.words]
    edits = 0
    for word, spelling in zip(typed, spelled, strict=True):
        if not spelling:
            return None
        if has_diacritics(word) and word != spelling:
            if not within_one_edit(word, spelling):
                return None
            edits += 1
    return spelled if 0 < edits <= 1 else None


async def _document_page(store: Store, scope: _Scope, ref: DocumentRef, limit: int, offset: int) -> SearchPage:
    """The tasks citing ``ref``, newest first. The index finds tasks holding the number and the kind;
    the pattern keeps those citing it (an issuer the question gave is checked on the task's own text:
    "TƯ" and "TU" fold alike)."""
    pattern = document_pattern(ref)
    candidates = await scope.candidates(
        store, document_expression(ref), lambda row: pattern.search(row[1]) is not None, "folded"
    )
    cited = [(task_id, folded) for task_id, folded, _ in candidates if pattern.search(folded)]
    if ref.issuer is not None and cited:
        rows = await store.fetchall(TEXTS, (json.dumps([task_id for task_id, _ in cited]),))
        texts = {int(r["id"]): unicodedata.normalize("NFC", r["text"]) for r in rows}
        cited = [(i, f) for i, f in cited if len(texts.get(i, "")) == len(f) and document_spans(texts[i], f, ref)]
    order = [task_id for task_id, _ in cited]
    page_ids = order[max(0, offset) : max(0, offset) + max(0, limit)]
    hits = await _hits(
        store, page_ids, lambda _: TIER_PHRASE, lambda text, folded, _: document_spans(text, folded, ref)
    )
    return SearchPage(hits, len(order), tuple(query_terms(ref.label)))


async def _hits(
    store: Store,
    page_ids: list[int],
    tier_of: Callable[[int], int],
    spans_of: Callable[[str, str, int], list[tuple[int, int]]],
) -> list[SearchHit]:
    if not page_ids:
        return []
    rows = await store.fetchall(HITS, (json.dumps(page_ids),))
    by_id = {int(r["id"]): r for r in rows}
    hits = []
    for task_id in page_ids:
        row = by_id.get(task_id)
        if row is None:
            continue
        text = unicodedata.normalize("NFC", row["text"])
        folded = row["folded"] if len(row["folded"]) == len(text) else fold(text)
        tier = tier_of(task_id)
        hits.append(
            SearchHit(
                task_id=task_id,
                bulletin_id=int(row["bulletin_id"]),
                title=row["title"],
                month=row["month"],
                organizer=row["organizer"],
                task_number=int(row["number"]),
                task_count=int(row["task_count"]),
                text=text,
                folded=folded,
                tier=tier,
                spans=tuple(spans_of(text, folded, tier)),
            )
        )
    return hits
