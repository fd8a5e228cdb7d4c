"""Runs: the hits of one family (and one group) that together make a list of tasks.

A numbered run is the longest chain 1, 2, …, k in document order; a bullet or heading run is a stretch of
hits close to each other. A hit on a unit whose number the document itself rendered (``Unit.label``:
Word's automatic numbering, an ``<ol>``) is *structural* and only chains with hits of the same list level.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.parser import noise
from bot.domain.parser.families import Family
from bot.domain.parser.units import Unit

# Bullets of one list may have a few continuation paragraphs between them, not more.
MAX_BULLET_GAP = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    pos: int  # index into the unit list
    number: int
    enumerator: str
    rest: str


@dataclass(frozen=True, slots=True)
class Run:
    family: Family
    items: tuple[Candidate, ...]
    structural: bool = False
    group: str = ""

    @property
    def start(self) -> int:
        return self.items[0].pos

    @property
    def key(self) -> tuple[str, str, bool]:
        return self.family.name, self.group, self.structural

    def __len__(self) -> int:
        return len(self.items)


Groups = dict[tuple[str, bool], list[Candidate]]


def collect(
    families: Sequence[Family], units: Sequence[Unit], junk: Sequence[bool], lo: int, hi: int
) -> dict[str, Groups]:
    """Hits of each family in ``units[lo:hi]``, by family name, then by (group, structural).

    One pass over the units; each unit is shown only to the families whose hits can begin with its
    first character (``Family.starts``), so a long text costs one dictionary look-up per unit.
    """
    anywhere = tuple(family for family in families if not family.starts)
    by_char: dict[str, tuple[Family, ...]] = {}
    for family in families:
        for ch in family.starts:
            by_char[ch] = (*by_char.get(ch, ()), family)
    by_char = {ch: (*found, *anywhere) for ch, found in by_char.items()}
    out: dict[str, Groups] = {family.name: {} for family in families}
    for pos in range(lo, hi):
        if junk[pos]:
            continue
        unit = units[pos]
        for family in by_char.get(unit.head[:1], anywhere):
            hit = family.match(unit)
            if hit is None:
                continue
            structural = bool(unit.label)
            group = f"L{unit.level}:{hit.group}" if structural else hit.group
            out[family.name].setdefault((group, structural), []).append(
                Candidate(pos, hit.number, hit.enumerator, hit.rest)
            )
    return out


def longest_run(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Longest chain 1, 2, …, k in document order (other numbers in between are skipped).

    One pass: ``ends[n]`` is the latest candidate seen so far that ends a valid chain 1..n, and each
    candidate remembers its predecessor, so the chain is rebuilt backwards. Using the *latest* "1"
    before the "2" keeps stray header items ("1. Trang chủ") out of the run.
    """
    ends: dict[int, int] = {}
    prev: list[int | None] = [None] * len(candidates)
    best: int | None = None
    for i, candidate in enumerate(candidates):
        n = candidate.number
        if n == 1:
            ends[1] = i
        elif n - 1 in ends:
            prev[i] = ends[n - 1]
            ends[n] = i
        else:
            continue
        if best is None or n > candidates[best].number:
            best = i
    chain: list[Candidate] = []
    cursor = best
    while cursor is not None:
        chain.append(candidates[cursor])
        cursor = prev[cursor]
    chain.reverse()
    return chain


# A line between bullets that announces the tasks ("Hội nghị định hướng các nội dung sau:"): the
# bullets above it are another list (participants, last month's results).
_ANNOUNCES_RE = re.compile(
    r"(?:noi dung|nhiem vu|van de|dinh huong|tuyen truyen)(?!\w).{0,80}(?:sau|sau day|nhu sau)\s?:$"
)


def _breaks_bullets(unit: Unit) -> bool:
    if noise.is_all_caps(unit) or noise.is_footer(unit) or noise.is_related_head(unit) or unit.heading or unit.bold:
        return True
    return _ANNOUNCES_RE.search(unit.folded[-160:].rstrip()) is not None


def _close(a: int, b: int, units: Sequence[Unit], junk: Sequence[bool]) -> bool:
    """Bullets at ``a`` and ``b`` belong to one list: few paragraphs between them, none a heading."""
    gap = 0
    for i in range(a + 1, b):
        if junk[i]:
            continue
        gap += 1
        if gap > MAX_BULLET_GAP or _breaks_bullets(units[i]):
            return False
    return True


def bullet_runs(candidates: Sequence[Candidate], units: Sequence[Unit], junk: Sequence[bool]) -> list[list[Candidate]]:
    """Stretches of bullets with at most ``MAX_BULLET_GAP`` other paragraphs between neighbours."""
    runs: list[list[Candidate]] = []
    current: list[Candidate] = []
    for candidate in candidates:
        if current and not _close(current[-1].pos, candidate.pos, units, junk):
            runs.append(current)
            current = []
        current.append(candidate)
    if current:
        runs.append(current)
    return [[Candidate(c.pos, n, c.enumerator, c.rest) for n, c in enumerate(run, start=1)] for run in runs]


def heading_run(candidates: Sequence[Candidate], units: Sequence[Unit], junk: Sequence[bool]) -> list[Candidate]:
    """Headings that each have a body: the next kept unit is prose, not another heading or the footer.

    Headings before the first prose paragraph (the title, the site's own headings) are left out.
    """
    seen_prose = False
    by_pos = {c.pos: c for c in candidates}
    run: list[Candidate] = []
    for pos, unit in enumerate(units):
        if junk[pos]:
            continue
        candidate = by_pos.get(pos)
        if candidate is None:
            if not seen_prose and (noise.ends_sentence(unit.text) or unit.words >= 12) and not noise.is_nav(unit):
                seen_prose = True
            continue
        if not seen_prose:
            continue
        following = next((i for i in range(pos + 1, len(units)) if not junk[i]), None)
        if following is None or following in by_pos:
            continue
        if noise.ends_article(units[following], None) and not noise.ends_sentence(units[following].text):
            continue
        run.append(candidate)
    return [Candidate(c.pos, n, c.enumerator, c.rest) for n, c in enumerate(run, start=1)]
