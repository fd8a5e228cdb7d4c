"""Tasks with no enumerator at all, the most common form in newspaper reports.

- ``paragraphs``: after a lead-in ("… tập trung tuyên truyền các nội dung sau:", "… cụ thể:"), each
  following paragraph starts a task, up to the first one that reports rather than directs
  ("Hội nghị cũng đã…"), a byline or the footer. Paragraphs that open with a linking phrase
  ("Trong đó, …", "Qua đó, …") and sub-bullets continue the task before them.
- ``semicolons``: one paragraph holding a ";"-separated list, one task per clause.
- ``sentences``: one paragraph whose sentences each open with a directive ("Tuyên truyền …").
- ``directives``: no lead-in, but consecutive paragraphs that each open with a directive
  ("Tuyên truyền …", "Đẩy mạnh …").
- ``best-effort``: every paragraph of the body after the lead, with the lowest confidence.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from bot.domain.parser import noise
from bot.domain.parser.families import NUMBERED
from bot.domain.parser.families.bullets import SYMBOL_FAMILY as SYMBOL_BULLETS
from bot.domain.parser.spans import Split, task_text
from bot.domain.parser.units import Unit, ffold
from bot.domain.records import Task

MAX_PROSE_TASKS = 12
MIN_CLAUSE_WORDS = 3

CONFIDENCE = {"paragraphs": 0.45, "semicolons": 0.4, "sentences": 0.38, "directives": 0.35, "best-effort": 0.2}

# Folded words of a lead-in that announces a list.
_LEAD_CUES = re.compile(
    r"(?<!\w)(?:sau|sau day|nhu sau|cu the|gom|bao gom|noi dung|nhiem vu|van de|viec|tuyen truyen|de nghi"
    r"|yeu cau|tap trung|dinh huong|giai phap|chu de)(?!\w)"
)
_LEAD_END_RE = re.compile(r"(?<!\w)(?:sau|sau day|nhu sau|cu the)\s?\.$")
# Folded openings that continue the previous task rather than start one.
_LINKING = (
    "trong do",
    "qua do",
    "nhat la",
    "cu the",
    "theo do",
    "tu do",
    "dac biet la",
    "ben canh do",
    "cung voi do",
    "dong thoi,",
    "tuyen truyen nhan manh",
    "tuyen truyen khang dinh",
)
# Folded openings of a directive paragraph.
_DIRECTIVES = noise.DIRECTIVES
_CONFERENCE_RE = re.compile(r"bao cao vien|tuyen truyen mieng|dinh huong tuyen truyen|noi dung tuyen truyen")


def _closing(text: str) -> str:
    return text.rstrip(noise.CLOSERS + " ")


# "… đề nghị tập trung tuyên truyền các nội dung trọng tâm." (a lead-in that ends with a full stop).
_LIST_NOUN_RE = re.compile(
    r"(?<!\w)(?:cac|nhung|mot so|\d{1,2}|hai|ba|bon|nam|sau|bay|tam|chin|muoi)\s(?:nhom\s)?"
    r"(?:noi dung|nhiem vu|van de|viec|giai phap|dinh huong|chu de)(?!\w)"
)
_REQUEST_RE = re.compile(r"(?<!\w)(?:de nghi|tap trung|yeu cau|can|chi ro|neu|nhan manh|luu y)(?!\w)")


def is_lead_sentence(folded: str) -> bool:
    """A sentence that announces a list ("… tập trung tuyên truyền các nội dung trọng tâm.")."""
    tail = folded[-240:]
    return _LIST_NOUN_RE.search(tail) is not None and _REQUEST_RE.search(tail) is not None


def is_lead_in(unit: Unit) -> bool:
    """A lead-in to a list: "… tập trung tuyên truyền các nội dung sau:" (or "… như sau.", or a last
    sentence that asks for "các nội dung trọng tâm")."""
    folded = _closing(unit.folded)
    if folded.endswith(":"):
        return _LEAD_CUES.search(folded[-200:]) is not None
    if _LEAD_END_RE.search(folded) is not None:
        return True
    if not folded.endswith(".") or noise.is_sub_item(unit):
        return False
    starts = _sentence_starts(unit.text)
    return is_lead_sentence(folded[starts[-1] if starts else 0 :])


_TASK_CUES = re.compile(r"(?<!\w)(?:noi dung|nhiem vu|van de|tuyen truyen|dinh huong|trong tam|chu de)(?!\w)")


def announces_tasks(unit: Unit) -> bool:
    """A lead-in that names what follows as tasks ("… các nội dung sau:"), not just "… gồm:" (a list of
    participants)."""
    return is_lead_in(unit) and _TASK_CUES.search(unit.folded[-200:]) is not None


def is_directive(unit: Unit) -> bool:
    return unit.folded.startswith(_DIRECTIVES)


def _links_back(unit: Unit) -> bool:
    return unit.folded.startswith(_LINKING)


# A line of a paragraph wrapped by hand (a PDF or Word copy) is usually this long.
WRAPPED_LINE_WORDS = 10


def wraps(prev: Unit, unit: Unit) -> bool:
    """``unit`` is the rest of ``prev``'s sentence, cut by a hard line wrap: ``prev`` stops mid-sentence
    and ``unit`` opens in lower case, with a digit or a bracket, or (after a full-length line) with
    anything but a directive ("… phong cách" / "Hồ Chí Minh.")."""
    if noise.ends_sentence(prev.text) or noise.is_sub_item(unit):
        return False
    first = unit.text[:1]
    if first.islower() or first.isdigit() or first in "([\"“'-–":
        return True
    # A byline, footer or report paragraph after an unpunctuated last line is not its rest.
    return prev.words >= WRAPPED_LINE_WORDS and not is_directive(unit) and not noise.ends_article(unit, None)


def names_conference(units: Sequence[Unit], upto: int) -> bool:
    """The first lines mention a reporters' conference or propaganda guidance."""
    return any(_CONFERENCE_RE.search(u.folded) for u in units[: min(upto, 12)])


def _paragraph_tasks(units: Sequence[Unit], junk: Sequence[bool], start: int, hi: int) -> tuple[list[int], int]:
    """Starts of the tasks that follow ``start`` (exclusive), and the index one past the last task."""
    starts: list[int] = []
    prev: Unit | None = None
    body_of: Unit | None = None  # a heading line whose body paragraph comes next
    for i in range(start + 1, min(hi, start + 1 + noise.MAX_TASK_UNITS)):
        if len(starts) > MAX_PROSE_TASKS:
            break  # too many to be the tasks; the caller refuses this lead-in
        if junk[i]:
            continue
        unit = units[i]
        last, prev = prev, unit
        if noise.is_sub_item(unit):
            if not starts:
                return starts, i  # bullets right after the lead-in are a bullet list, not paragraphs
            continue  # a sub-point of the task before
        if starts and last is not None and wraps(last, unit):
            continue  # the rest of a line cut by a hard wrap (before any test of how it opens)
        if body_of is not None and body_of == last:
            body_of = None
            if is_directive(unit) and noise.ends_sentence(unit.text):
                continue  # the paragraph under a task's heading line
        if _is_task_heading(units, junk, i, hi):
            starts.append(i)
            body_of = unit
            continue
        if _ends_list(unit, units[i + 1] if i + 1 < len(units) else None):
            return starts, i
        if starts and _links_back(unit):
            continue
        starts.append(i)
    return starts, min(hi, start + 1 + noise.MAX_TASK_UNITS)


# A task's heading line ("Về công tác xây dựng Đảng") is short, as a byline is.
MAX_HEADING_WORDS = 15


def _is_task_heading(units: Sequence[Unit], junk: Sequence[bool], i: int, hi: int) -> bool:
    """A short line without a full stop ("Về công tác xây dựng Đảng", bold in the document it was
    copied from) right above a directive paragraph: the heading of a task, not a byline."""
    unit = units[i]
    if unit.words > MAX_HEADING_WORDS or noise.ends_sentence(unit.text) or unit.text.endswith(","):
        return False
    if noise.is_footer(unit) or noise.is_related_head(unit) or noise.is_caption(unit) or noise.reports(unit):
        return False
    if not unit.folded.startswith(("ve ", "cong tac ", "linh vuc ", "nhom ")):
        return False
    j = next((k for k in range(i + 1, min(hi, i + 4)) if not junk[k]), None)
    return j is not None and is_directive(units[j]) and noise.ends_sentence(units[j].text)


def _ends_list(unit: Unit, next_unit: Unit | None) -> bool:
    """``noise.ends_article``, except that a short directive line without a full stop ("Tuyên truyền năm
    học mới 2022 - 2023", a list typed without punctuation) is a task, not a byline."""
    if not noise.ends_article(unit, next_unit):
        return False
    if not (noise.is_byline(unit) and is_directive(unit) and unit.words >= MIN_CLAUSE_WORDS):
        return True
    if noise.is_footer(unit) or noise.is_related_head(unit) or noise.is_caption(unit) or noise.is_all_caps(unit):
        return True
    return noise.reports(unit) or (next_unit is not None and next_unit.text == unit.text)


def _split(method: str, units: Sequence[Unit], junk: Sequence[bool], starts: Sequence[int], end: int) -> Split:
    ends = [*starts[1:], end]
    # Paragraphs that each open with an emoji of their own ("🔴 …", "🟠 …": no list of one symbol) keep
    # it as their enumerator, as a bullet list would.
    hits = [SYMBOL_BULLETS.hit(units[s]) for s in starts]
    tasks = tuple(
        Task(
            number=n,
            text=task_text(units[s].text if hit is None else hit.rest, units, junk, s + 1, e),
            enumerator="" if hit is None else hit.enumerator,
        )
        for n, (s, e, hit) in enumerate(zip(starts, ends, hits, strict=True), start=1)
    )
    return Split(
        method=method,
        tasks=tasks,
        first=starts[0],
        end=end,
        confidence=CONFIDENCE[method],
        intro_end=starts[0],
        line=units[starts[0]].no,
    )


def paragraphs(units: Sequence[Unit], junk: Sequence[bool], lo: int, hi: int) -> Split | None:
    """Paragraphs after a lead-in; of several lead-ins, the one followed by the most tasks (then the last)."""
    best: tuple[int, int, list[int], int] | None = None
    for pos in range(lo, hi):
        if junk[pos] or not is_lead_in(units[pos]):
            continue
        starts, end = _paragraph_tasks(units, junk, pos, hi)
        if 2 <= len(starts) <= MAX_PROSE_TASKS and (best is None or len(starts) >= best[0]):
            best = (len(starts), pos, starts, end)
    if best is None:
        return None
    return _split("paragraphs", units, junk, best[2], best[3])


def directives(units: Sequence[Unit], junk: Sequence[bool], lo: int, hi: int) -> Split | None:
    """The longest stretch of consecutive directive paragraphs (at least two)."""
    best: list[int] = []
    current: list[int] = []
    prev: Unit | None = None
    for pos in range(lo, hi):
        if junk[pos]:
            continue
        unit = units[pos]
        last, prev = prev, unit
        if current and last is not None and wraps(last, unit):
            continue
        if is_directive(unit) and (noise.ends_sentence(unit.text) or unit.words >= 12):
            current.append(pos)
            continue
        if current and (noise.is_sub_item(unit) or _links_back(unit)):
            continue
        if len(current) > len(best):
            best = current
        current = []
    if len(current) > len(best):
        best = current
    if not 2 <= len(best) <= MAX_PROSE_TASKS:
        return None
    end = noise.last_task_end(units, best[-1], hi)
    return _split("directives", units, junk, best, end)


_SENTENCE_END_RE = re.compile(r"[.!?…]\s+")


def _sentence_starts(text: str, start: int = 0) -> list[int]:
    """Offsets where a new sentence begins (after ". " and before a capital letter)."""
    return [m.end() for m in _SENTENCE_END_RE.finditer(text, start) if text[m.end() : m.end() + 1].isupper()]


def _clauses(text: str) -> tuple[str, list[str]] | None:
    """The lead (before the list) and the ";" clauses of a paragraph, or None when it holds no list."""
    first_semi = text.find(";")
    if first_semi < 0:
        return None
    colon = text.rfind(": ", 0, first_semi)
    lead, body = (text[: colon + 1], text[colon + 2 :]) if colon >= 0 else ("", text)
    after = _sentence_starts(body, body.rfind(";"))
    if after:
        body = body[: after[0]].rstrip()
    clauses = [c.strip() for c in body.split(";")]
    clauses = [c.removeprefix("và ").removeprefix("và, ") for c in clauses if c]
    if not clauses:
        return None
    if colon < 0:
        # Without a lead-in colon the list is the sentence holding the semicolons.
        starts = _sentence_starts(clauses[0])
        if starts:
            lead = clauses[0][: starts[-1]].strip()
            clauses[0] = clauses[0][starts[-1] :]
    return lead, clauses


def _strip_inline_enumerators(clauses: list[str]) -> tuple[list[str], list[str]]:
    """ "thứ nhất, …; thứ hai, …" inside one paragraph: take the ordinals off when they count 1, 2, …"""
    for family in NUMBERED:
        hits = [family.hit(Unit(0, c, ffold(c))) for c in clauses]
        if all(h is not None and h.number == n for n, h in enumerate(hits, start=1)):
            return [h.rest for h in hits if h is not None], [h.enumerator for h in hits if h is not None]
    return clauses, [""] * len(clauses)


def semicolons(units: Sequence[Unit], junk: Sequence[bool], lo: int, hi: int) -> Split | None:
    """The paragraph with the most ";" clauses (three or more; two after a lead-in)."""
    best: tuple[int, int, str, list[str]] | None = None
    previous_lead_in = False
    for pos in range(lo, hi):
        if junk[pos]:
            continue
        unit = units[pos]
        found = _clauses(unit.text) if ";" in unit.text else None
        after_lead = previous_lead_in
        previous_lead_in = is_lead_in(unit)
        if found is None:
            continue
        lead, clauses = found
        if any(c.count(" ") + 1 < MIN_CLAUSE_WORDS for c in clauses):
            continue
        introduced = after_lead or (lead.endswith(":") and _LEAD_CUES.search(ffold(lead[-200:])) is not None)
        if not (len(clauses) >= 3 or (introduced and len(clauses) >= 2)) or len(clauses) > MAX_PROSE_TASKS:
            continue
        if best is None or len(clauses) > len(best[3]):
            best = (pos, unit.no, lead, clauses)
    if best is None:
        return None
    pos, line, lead, clauses = best
    texts, enumerators = _strip_inline_enumerators(clauses)
    tasks = tuple(
        Task(number=n, text=t, enumerator=e) for n, (t, e) in enumerate(zip(texts, enumerators, strict=True), start=1)
    )
    return Split(
        method="semicolons",
        tasks=tasks,
        first=pos,
        end=pos + 1,
        confidence=CONFIDENCE["semicolons"],
        intro_end=pos,
        line=line,
        lead=lead,
    )


def _directive_text(text: str) -> bool:
    folded = ffold(text)
    return folded.startswith(_DIRECTIVES) and not is_lead_sentence(folded) and text.count(" ") + 1 >= MIN_CLAUSE_WORDS


def _directive_stretches(parts: Sequence[str]) -> list[tuple[int, int]]:
    """(start, stop) of each stretch of consecutive directive sentences."""
    stretches: list[tuple[int, int]] = []
    i = 0
    while i < len(parts):
        j = i
        while j < len(parts) and _directive_text(parts[j]):
            j += 1
        if j > i:
            stretches.append((i, j))
        i = max(j, i + 1)
    return stretches


def sentences(units: Sequence[Unit], junk: Sequence[bool], lo: int, hi: int) -> Split | None:
    """The paragraph with the longest stretch of directive sentences (three or more; two after a lead)."""
    best: tuple[int, int, str, list[str]] | None = None
    previous_lead_in = False
    for pos in range(lo, hi):
        if junk[pos]:
            continue
        unit = units[pos]
        after_lead, previous_lead_in = previous_lead_in, is_lead_in(unit)
        starts = _sentence_starts(unit.text)
        if not starts:
            continue
        bounds = [0, *starts, len(unit.text)]
        parts = [unit.text[a:b].strip() for a, b in itertools.pairwise(bounds)]
        for i, j in _directive_stretches(parts):
            introduced = (after_lead and i == 0) or (i > 0 and is_lead_sentence(ffold(parts[i - 1])))
            count = j - i
            fits = (count >= 3 or (introduced and count >= 2)) and count <= MAX_PROSE_TASKS
            if fits and (best is None or count > len(best[3])):
                best = (pos, unit.no, " ".join(parts[:i]), parts[i:j])
    if best is None:
        return None
    pos, line, lead, texts = best
    return Split(
        method="sentences",
        tasks=tuple(Task(number=n, text=t, enumerator="") for n, t in enumerate(texts, start=1)),
        first=pos,
        end=pos + 1,
        confidence=CONFIDENCE["sentences"],
        intro_end=pos,
        line=line,
        lead=lead,
    )


def section_paragraphs(units: Sequence[Unit], junk: Sequence[bool], head: int, stop: int) -> Split | None:
    """The paragraphs of one section, each a task (its heading is the lead-in)."""
    starts, end = _paragraph_tasks(units, junk, head, stop)
    if not 2 <= len(starts) <= MAX_PROSE_TASKS:
        return None
    return _split("paragraphs", units, junk, starts, end)


def best_effort(units: Sequence[Unit], junk: Sequence[bool], lo: int, hi: int) -> Split | None:
    """Every body paragraph after the first prose paragraph (the lead), up to the end of the article."""
    lead = next(
        (i for i in range(lo, hi) if not junk[i] and not noise.is_nav(units[i]) and _is_prose(units[i])),
        None,
    )
    if lead is None:
        return None
    starts, end = _paragraph_tasks(units, junk, lead, hi)
    starts = [s for s in starts if _is_prose(units[s])]
    if not 2 <= len(starts) <= MAX_PROSE_TASKS:
        return None
    return _split("best-effort", units, junk, starts, end)


def _is_prose(unit: Unit) -> bool:
    return noise.ends_sentence(unit.text) and unit.words >= 6
