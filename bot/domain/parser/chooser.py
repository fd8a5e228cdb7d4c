"""Choose how the text splits into tasks.

1. Every numbered family gives its longest run 1, 2, 3, … (per group, structural labels apart).
2. Sections: when the items of an outer run (``I.``, ``1.``) are sections and only the ones about
   tasks or orientation ("NHIỆM VỤ…", "Định hướng…", "Nội dung tuyên truyền") hold the tasks, while
   others report results or organisation ("Kết quả…", "Tổ chức thực hiện"), the tasks are looked for
   inside that section only.
3. The longest run wins; on a tie the one right after a lead-in ("… các nội dung sau:"), then a
   structural run (Word numbering, ``<ol>``), then the earliest. A run of a higher rank that holds the winner
   inside its items wins instead: those are sub-points.
4. With no numbered run of two or more: bullet and heading runs, the same way (an earlier bullet list
   holds bullets of another kind under its items).
5. With none of those: paragraphs after a lead-in, a ";" list, directive sentences of one paragraph,
   directive paragraphs, and last every body paragraph (``bot.domain.parser.prose``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from bot.domain.parser import noise, prose
from bot.domain.parser.families import NUMBERED, UNNUMBERED, Family
from bot.domain.parser.families.headings import FAMILY as HEADINGS
from bot.domain.parser.runs import Candidate, Run, bullet_runs, collect, heading_run, longest_run
from bot.domain.parser.spans import Split, split_run
from bot.domain.parser.units import Unit, ffold

MIN_TASKS = 2

# Folded openings of a section heading that holds the tasks, and of one that does not.
_TASK_SECTIONS = (
    "nhiem vu",
    "dinh huong",
    "noi dung",
    "phuong huong",
    "trong tam",
    "cong tac tuyen truyen thoi gian toi",
    "tuyen truyen trong thoi gian toi",
)
_OTHER_SECTIONS = (
    "ket qua",
    "to chuc thuc hien",
    "muc dich",
    "yeu cau",
    "danh gia",
    "tinh hinh",
    "thong tin",
    "boi canh",
    "phan cong",
    "trach nhiem",
    "kinh phi",
    "che do",
    "hieu qua",
    "tong quan",
    "thuc trang",
    "dac diem",
    "trien khai thuc hien",
    "giai phap thuc hien",
    "khen thuong",
)
_SECTION_FILLERS = ("ve ", "mot so ", "nhung ", "cac ", "cong tac ")


def _section_kind(head: str) -> str | None:
    folded = ffold(head).lstrip(" \"“'(")
    changed = True
    while changed:
        changed = False
        for filler in _SECTION_FILLERS:
            if folded.startswith(filler):
                folded = folded[len(filler) :]
                changed = True
    if folded.startswith(_OTHER_SECTIONS):
        return "other"
    if folded.startswith(_TASK_SECTIONS):
        return "task"
    return None


_MAX_RESTARTS = 8


def _restarts(candidates: Sequence[Candidate]) -> list[list[Candidate]]:
    """The lists one numbering holds when it starts again at 1 ("1.–5." results, then "1.–4." tasks)."""
    segments: list[list[Candidate]] = []
    for candidate in candidates:
        if candidate.number == 1 or not segments:
            segments.append([])
        segments[-1].append(candidate)
    # A bulletin has a few such lists; hundreds (a hostile text) are not looked at one by one.
    return segments if 1 < len(segments) <= _MAX_RESTARTS else []


def _numbered_runs(units: Sequence[Unit], junk: Sequence[bool], lo: int, hi: int, exclude: Run | None) -> list[Run]:
    runs: list[Run] = []
    found = collect(NUMBERED, units, junk, lo, hi)
    for family in NUMBERED:
        for (group, structural), candidates in found[family.name].items():
            if exclude is not None and (family.name, group, structural) == exclude.key:
                continue
            chain = longest_run(candidates)
            if len(chain) >= MIN_TASKS:
                runs.append(Run(family, tuple(chain), structural, group))
            for segment in _restarts(candidates):
                part = longest_run(segment)
                if len(part) >= MIN_TASKS and part != chain:
                    runs.append(Run(family, tuple(part), structural, group))
    return _task_lists(runs, units, junk)


# A plain line that heads a list ("Kết quả công tác tuyên truyền tháng 9:", "Nhiệm vụ tháng 10:").
_LIST_HEAD_MAX_WORDS = 20


def _task_lists(runs: list[Run], units: Sequence[Unit], junk: Sequence[bool]) -> list[Run]:
    """Of lists headed by plain lines, the ones under a task heading ("Nhiệm vụ …:") when others sit
    under a results or organisation heading ("Kết quả …:")."""

    def kind(run: Run) -> str | None:
        before = next((i for i in range(run.start - 1, max(-1, run.start - 4), -1) if not junk[i]), None)
        if before is None or units[before].words > _LIST_HEAD_MAX_WORDS:
            return None
        return _section_kind(units[before].text)

    kinds = [kind(run) for run in runs]
    if "task" not in kinds or "other" not in kinds:
        return runs
    return [run for run, k in zip(runs, kinds, strict=True) if k != "other"]


# More bullets or headings than this are a list of something else (participants, links), not tasks.
MAX_MARKED_TASKS = 20
# ALL-CAPS lines of plain text are a weaker sign of headings than bold or <h3>: it takes three of them.
MIN_CAPS_HEADINGS = 3


def _unnumbered_runs(
    units: Sequence[Unit], junk: Sequence[bool], lo: int, hi: int, families: Sequence[Family]
) -> list[Run]:
    runs: list[Run] = []
    found = collect(families, units, junk, lo, hi)
    for family in families:
        for (group, structural), candidates in found[family.name].items():
            if family.name == "headings":
                chains = [heading_run(candidates, units, junk)]
            else:
                chains = [_without_intro(c) for c in bullet_runs(candidates, units, junk)]
            runs.extend(
                Run(family, tuple(c), structural, group) for c in chains if MIN_TASKS <= len(c) <= MAX_MARKED_TASKS
            )
    return runs


# A bullet that tells the conference took place ("👉 Sáng 9/8, Ban … tổ chức Hội nghị …"): the intro,
# bulleted like everything else in a social-media post, not a task.
_INTRO_ITEM_RE = re.compile(
    r"(?:(?:sang|chieu|toi|trua|ngay|hom nay|hom qua),? \d{1,2}[/.\-]\d{1,2}(?!\d)"
    r"|.{0,160}(?<!\w)to chuc (?:thanh cong )?hoi nghi)"
)


def _without_intro(chain: list[Candidate]) -> list[Candidate]:
    start = 0
    while start < len(chain) and _INTRO_ITEM_RE.match(ffold(chain[start].rest)) is not None:
        start += 1
    return chain[start:]


def _real_headings(run: Run, units: Sequence[Unit]) -> bool:
    """Bold or heading lines, or at least ``MIN_CAPS_HEADINGS`` ALL-CAPS lines of plain text."""
    return len(run) >= MIN_CAPS_HEADINGS or any(units[c.pos].bold or units[c.pos].heading for c in run.items)


def _end_of(run: Run, units: Sequence[Unit], hi: int) -> int:
    return noise.last_task_end(units, run.items[-1].pos, hi)


def _held_by(outer: Run, inner: Run, units: Sequence[Unit], hi: int) -> int:
    """How many items of ``outer`` hold ``inner`` (0 when it is not inside ``outer``)."""
    end = _end_of(outer, units, hi)
    if not (outer.start < inner.start and inner.items[-1].pos < end):
        return 0
    bounds = [c.pos for c in outer.items]
    return bisect_right(bounds, inner.items[-1].pos) - bisect_right(bounds, inner.start) + 1


def _bullets_hold(outer: Run, inner: Run, units: Sequence[Unit], junk: Sequence[bool]) -> bool:
    """Bullets of one kind under bullets of another ("- …" then "+ …" under it): the earlier list is outer
    when the later one sits between its items, or right under its last item (not after a lead-in)."""
    if not outer.start < inner.start:
        return False
    bounds = [c.pos for c in outer.items]
    if inner.items[-1].pos < bounds[-1] or bisect_right(bounds, inner.start) < len(bounds):
        return True
    if prose.is_lead_in(units[bounds[-1]]) and len(inner) > len(outer):
        # "📌 Sáng 3/11, … tổ chức …" / "📌 Hội nghị định hướng 3 nội dung:" then three "🔸": the
        # intro's last line announces the longer list under it, which is not its sub-points.
        return False
    between = 0
    for i in range(bounds[-1] + 1, inner.start):
        if junk[i]:
            continue
        between += 1
        if between > 1 or prose.is_lead_in(units[i]):
            return False
    return True


def _best(runs: Sequence[Run], units: Sequence[Unit], junk: Sequence[bool], hi: int, order: Sequence[Family]) -> Run:
    priority = {family.name: i for i, family in enumerate(order)}

    def after_lead_in(run: Run) -> int:
        """2 after "… các nội dung sau:", 1 after another lead-in ("… gồm:"), else 0."""
        before = next((i for i in range(run.start - 1, max(-1, run.start - 50), -1) if not junk[i]), None)
        if before is None or not prose.is_lead_in(units[before]):
            return 0
        return 2 if prose.announces_tasks(units[before]) else 1

    # Longest; then the list a lead-in announces ("… sau:"), not a list of talks in the intro; then the
    # document's own numbering; then the first (an outer list starts before the lists inside it).
    best = max(runs, key=lambda r: (len(r), after_lead_in(r), r.structural, -r.start, -priority[r.family.name]))
    outers = []
    for run in runs:
        if run is best:
            continue
        if run.family.rank > best.family.rank:
            held = _held_by(run, best, units, hi)
            # Inside one item of a list: sub-points. Across several: sub-points when the outer list is long.
            if (held == 1 and len(run) >= 2) or (held > 1 and len(run) >= 3):
                outers.append(run)
        elif not (run.family.numbered or best.family.numbered) and _bullets_hold(run, best, units, junk):
            outers.append(run)
    if outers:
        return max(outers, key=lambda r: (r.family.rank, -r.start, len(r)))
    return best


def _scoped(units: Sequence[Unit], junk: Sequence[bool], runs: Sequence[Run], hi: int) -> Split | None:
    """Tasks inside the one section (of several) that is about tasks or orientation."""
    best: Split | None = None
    for outer in runs:
        if outer.family.name not in {"roman", "arabic", "keyword", "headings"}:
            continue
        kinds = [_section_kind(item.rest) for item in outer.items]
        if "task" not in kinds or "other" not in kinds:
            continue
        end = _end_of(outer, units, hi)
        bounds = [*(c.pos for c in outer.items[1:]), end]
        for item, kind, stop in zip(outer.items, kinds, bounds, strict=True):
            if kind != "task":
                continue
            inner = choose(units, junk, item.pos + 1, stop, outer=outer) or prose.section_paragraphs(
                units, junk, item.pos, stop
            )
            if inner is None:
                continue
            scoped = Split(
                method=f"section+{inner.method}",
                tasks=inner.tasks,
                first=inner.first,
                end=inner.end,
                # The section heading says these are the tasks: even bullets or paragraphs are likely right.
                confidence=min(max(inner.confidence, 0.7), 0.88),
                intro_end=outer.start,
                line=inner.line,
                structural=inner.structural,
                lead=inner.lead,
            )
            if best is None or len(scoped.tasks) > len(best.tasks):
                best = scoped
    return best


def choose(
    units: Sequence[Unit],
    junk: Sequence[bool],
    lo: int = 0,
    hi: int | None = None,
    *,
    outer: Run | None = None,
) -> Split | None:
    """The best split of ``units[lo:hi]``, or None when nothing gives two tasks.

    ``outer`` is set when looking inside one section of an outer run (its own items are left out).
    """
    hi = len(units) if hi is None else hi
    limit = hi if outer is not None else None
    runs = _numbered_runs(units, junk, lo, hi, outer)
    headings = _unnumbered_runs(units, junk, lo, hi, [HEADINGS])
    if outer is None:
        scoped = _scoped(units, junk, [*runs, *headings], hi)
        if scoped is not None:
            return scoped
    if runs:
        return split_run(_best(runs, units, junk, hi, NUMBERED), units, junk, limit=limit)
    bullets = [family for family in UNNUMBERED if family is not HEADINGS]
    marked = [run for run in headings if _real_headings(run, units)]
    marked += _unnumbered_runs(units, junk, lo, hi, bullets)
    if marked:
        return split_run(_best(marked, units, junk, hi, UNNUMBERED), units, junk, limit=limit)
    if outer is not None:
        return None
    return (
        prose.paragraphs(units, junk, lo, hi)
        or prose.semicolons(units, junk, lo, hi)
        or prose.sentences(units, junk, lo, hi)
        or prose.directives(units, junk, lo, hi)
        or prose.best_effort(units, junk, lo, hi)
    )
