"""How sure the parser is: typed warnings, a confidence between 0 and 1, and whether a draft looks incomplete.

The confidence starts from the family's own worth (a clean numbered run ~0.9, bullets 0.55-0.72,
paragraphs after a lead-in 0.45, a best-effort split 0.2), goes up when the text's stated count
("sáu nội dung") agrees, and is capped low when the count disagrees, when the last task ends
mid-sentence (a text cut off) or when a task is empty.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bot.domain.parser import noise
from bot.domain.parser.metadata import Month
from bot.domain.parser.spans import Split
from bot.domain.records import Bulletin, ParseWarning, ParseWarningCode, Task

# Below this the preview says the split needs checking.
LOW_CONFIDENCE = 0.6
USUAL_TASKS = range(3, 11)
MAX_TASKS = 12

_PROSE = {
    "paragraphs": "the paragraphs after the lead-in",
    "semicolons": "the ';' clauses of one paragraph",
    "sentences": "the sentences of one paragraph",
    "directives": "paragraphs that open with a directive",
    "best-effort": "every body paragraph (best effort)",
}


# What may follow an emoji: variation selectors, skin tones, a zero-width joiner.
_EMOJI_TAIL = "\ufe0e\ufe0f\u200d\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"


def ends_mid_sentence(text: str) -> bool:
    """The text stops without a full stop (or ! ? … ;): cut off, or its sub-points are missing.

    A line that ends with an emoji ("… sau dịch 💪", a Facebook post) ends there: the emoji is its stop.
    """
    stripped = text.rstrip(noise.CLOSERS + " ")
    if not stripped:
        return True
    last = stripped.rstrip(_EMOJI_TAIL)[-1:]
    if last and unicodedata.category(last) == "So":
        return False
    return stripped[-1] not in ".!?…;"


def _warning(code: ParseWarningCode, message: str, **params: str | int) -> ParseWarning:
    return ParseWarning(code, message, tuple(params.items()))


def _base_method(method: str) -> str:
    return method.rsplit("+", 1)[-1]


def warnings(
    *,
    title: str,
    published: str | None,
    organizer: str,
    month: Month,
    stated: tuple[int, str] | None,
    split: Split,
) -> list[ParseWarning]:
    tasks = split.tasks
    out: list[ParseWarning] = []
    if month.source == "published":
        out.append(
            _warning(ParseWarningCode.MONTH_FROM_PUBLISHED, "no month label found; month taken from the published date")
        )
    elif month.source == "none":
        out.append(
            _warning(ParseWarningCode.MONTH_UNKNOWN, "no month label and no published date found; month unknown")
        )
    elif month.source == "no-year":
        out.append(
            _warning(
                ParseWarningCode.MONTH_WITHOUT_YEAR,
                f"month label 'tháng {month.month}' has no year and there is no published date",
                month=month.month or 0,
            )
        )
    if not title:
        out.append(_warning(ParseWarningCode.NO_TITLE, "no title line found before the first task"))
    if published is None:
        out.append(_warning(ParseWarningCode.NO_PUBLISHED, "no published date found near the title"))
    if not organizer:
        out.append(_warning(ParseWarningCode.NO_ORGANIZER, "no organizer found in the intro"))
    if stated is not None and stated[0] != len(tasks):
        out.append(
            _warning(
                ParseWarningCode.COUNT_MISMATCH,
                f"stated count '{stated[1]}' disagrees with {len(tasks)} parsed tasks",
                stated=stated[0],
                phrase=stated[1],
                found=len(tasks),
            )
        )
    if len(tasks) not in USUAL_TASKS:
        out.append(
            _warning(
                ParseWarningCode.UNUSUAL_COUNT,
                f"{len(tasks)} tasks parsed; bulletins usually have 3 to 10",
                found=len(tasks),
            )
        )
    base = _base_method(split.method)
    scoped = base != split.method
    if base == "dash" and not split.structural and not scoped:
        marker = tasks[0].enumerator if tasks else "-"
        out.append(
            _warning(
                ParseWarningCode.UNNUMBERED,
                f"tasks taken from '{marker} ' bullets (no numbered list found); check the split",
                marker=marker,
            )
        )
    elif base in _PROSE and not scoped:
        out.append(
            _warning(
                ParseWarningCode.NO_ENUMERATOR,
                f"tasks taken from {_PROSE[base]} (no enumerator found); check the split",
                method=base,
            )
        )
    out.extend(
        _warning(ParseWarningCode.EMPTY_TASK, f"task {task.number} is empty", task=task.number)
        for task in tasks
        if not task.text.strip()
    )
    if tasks and tasks[-1].text.strip() and ends_mid_sentence(tasks[-1].text):
        last = tasks[-1]
        tail = " ".join(last.text.split()[-6:])
        out.append(
            _warning(
                ParseWarningCode.UNFINISHED_TASK,
                f"task {last.number} ends mid-sentence ('…{tail}'); the text may be cut off",
                task=last.number,
                tail=tail,
            )
        )
    return out


def confidence(split: Split, stated: tuple[int, str] | None, month: Month, issues: Sequence[ParseWarning]) -> float:
    tasks = split.tasks
    score = split.confidence
    codes = {w.code for w in issues}
    if stated is not None:
        score = min(0.99, score + 0.07) if stated[0] == len(tasks) else min(score * 0.6, 0.45)
    if ParseWarningCode.UNFINISHED_TASK in codes:
        score = min(score, 0.4)
    if ParseWarningCode.EMPTY_TASK in codes:
        score = min(score, 0.3)
    if not 2 <= len(tasks) <= MAX_TASKS:
        score *= 0.7
    elif len(tasks) not in USUAL_TASKS:
        score -= 0.05
    if not month.value:
        score -= 0.1
    return round(min(0.99, max(0.05, score)), 2)


def last_task_unfinished(tasks: Sequence[Task]) -> bool:
    return bool(tasks) and ends_mid_sentence(tasks[-1].text)


def looks_incomplete(bulletin: Bulletin) -> bool:
    """The draft is probably not the whole bulletin: the stated count disagrees with the tasks found,
    or the last task stops mid-sentence. The preview should not offer Send without a "send anyway"."""
    if bulletin.stated_count is not None and bulletin.stated_count != len(bulletin.tasks):
        return True
    return last_task_unfinished(bulletin.tasks)


def is_low_confidence(bulletin: Bulletin) -> bool:
    return bulletin.confidence < LOW_CONFIDENCE
