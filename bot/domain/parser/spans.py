"""Task spans: each task runs from its enumerator to the next one; the last one to the end of the article."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.parser import noise
from bot.domain.parser.runs import Run
from bot.domain.parser.units import Unit
from bot.domain.records import Task


@dataclass(frozen=True, slots=True)
class Split:
    """How the text splits into tasks.

    ``first`` is the first unit holding task text and ``end`` is one past the last one; ``intro_end``
    is where the header and intro stop (the first task, or the first section when the tasks sit in
    one section of several); ``lead`` is the lead-in of a paragraph whose ";" clauses are the tasks.
    ``line`` is the line (or block) number of the first task, for messages.
    """

    method: str
    tasks: tuple[Task, ...]
    first: int
    end: int
    confidence: float
    intro_end: int
    line: int
    structural: bool = False
    lead: str = ""


def task_text(first: str, units: Sequence[Unit], junk: Sequence[bool], lo: int, hi: int) -> str:
    parts = [first] if first else []
    parts += [units[i].head for i in range(lo, hi) if not junk[i]]
    return "\n".join(parts)


def split_run(
    run: Run,
    units: Sequence[Unit],
    junk: Sequence[bool],
    *,
    method: str | None = None,
    limit: int | None = None,
    intro_end: int | None = None,
) -> Split:
    """Cut the tasks of a run; the last one ends at the article's end, at ``limit`` at the latest."""
    items = run.items
    end = noise.last_task_end(units, items[-1].pos, limit)
    ends = [c.pos for c in items[1:]] + [end]
    tasks = tuple(
        Task(number=n, text=task_text(c.rest, units, junk, c.pos + 1, stop), enumerator=c.enumerator)
        for n, (c, stop) in enumerate(zip(items, ends, strict=True), start=1)
    )
    name = method or run.family.name
    if run.structural:
        name = "auto-numbered" if run.family.numbered else "auto-bullets"
    confidence = max(run.family.confidence, 0.95) if run.structural and run.family.numbered else run.family.confidence
    return Split(
        method=name,
        tasks=tasks,
        first=items[0].pos,
        end=end,
        confidence=confidence,
        intro_end=items[0].pos if intro_end is None else intro_end,
        line=units[items[0].pos].no,
        structural=run.structural,
    )
