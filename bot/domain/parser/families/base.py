"""What an enumeration family is: a rule that reads one unit and says whether it starts a task, and how."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.parser.units import Unit, ffold
from bot.domain.textnorm import VI_NUMBER_WORDS


@dataclass(frozen=True, slots=True)
class Hit:
    """A unit that may start a task.

    ``number`` is its place in its list (1, 2, …), 0 for a bullet; ``enumerator`` is the marker as
    written, without a trailing comma or colon ("Thứ nhất", "1.", "(1)", "a)", "🔹"); ``rest`` is the
    text after it; hits chain only with hits of the same ``group`` ("1." and "1)" are two lists).
    """

    number: int
    enumerator: str
    rest: str
    group: str = ""


@dataclass(frozen=True, slots=True)
class Family:
    """One way of enumerating tasks.

    ``numbered`` families form runs 1, 2, 3, …; the others (bullets, headings) form runs of
    neighbouring hits. ``rank`` orders nesting: a run of a higher rank that starts earlier and holds a
    run of a lower rank inside its items holds sub-points ("I." holds "1.", "1." holds "a)").
    ``confidence`` is what a clean run of this family is worth before cross-checks. ``starts`` lists
    the characters a hit can begin with ("" when any), so most units are passed over without a match.
    """

    name: str
    numbered: bool
    rank: int
    confidence: float
    match: Callable[[Unit], Hit | None]
    starts: str = ""

    def hit(self, unit: Unit) -> Hit | None:
        if self.starts and unit.head[:1] not in self.starts:
            return None
        return self.match(unit)


# "nhất" (first) and the number words up to twelve, folded: "Thứ nhất", "Hai là", "Thứ mười hai".
ORDINALS: dict[str, int] = {"nhat": 1, **VI_NUMBER_WORDS}


def ordinal_value(words: str) -> int | None:
    """1 for "nhất"/"Một", 12 for "mười hai" (any case, any diacritics)."""
    return ORDINALS.get(" ".join(ffold(words).split()))
