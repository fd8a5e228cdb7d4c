"""A draft as the admin sees and fixes it, before anything is sent. Pure functions, no Telegram.

``DraftState`` is the bulletin exactly as the preview shows it: the parse result, then every fix
the admin made (merge a task with the next, split one at a paragraph or sentence, replace its text,
drop it, change the month or the title). It is stored with the draft as JSON and Send renders from
it, never by parsing the source again, so what goes out is what was last shown. ``reparse`` is the
one way back to the parser's split.

``Layout`` records which chat messages show the preview (for in-place updates, and for finding the
task a button or a reply belongs to after a restart). ``check`` says why a draft should not be sent
without a second look. The rest reads what arrives in chat: a URL, a pasted bulletin's first
message, a bulletin in several messages.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from bot.domain.blocks import Block, BlockKind, Document
from bot.domain.parser import LOW_CONFIDENCE
from bot.domain.parser.assess import ends_mid_sentence
from bot.domain.records import Bulletin, Task
from bot.domain.textnorm import fold

MAX_TITLE_CHARS = 300
MAX_SPLIT_POINTS = 8
_STATE_VERSION = 1
_DOCUMENT_VERSION = 1

# --- the state -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftState:
    """The bulletin a preview shows. ``change`` is the last fix, for the preview to say what happened
    (``("merged", "2", "3")``, ``("split", "2")``, ``("reparsed",)``…); ``edited`` is True once the
    admin changed anything (their review then stands in for the parser's confidence)."""

    title: str
    month: str
    published: str | None
    organizer: str
    intro: str
    tasks: tuple[Task, ...]
    method: str = ""
    confidence: float = 1.0
    stated_count: int | None = None
    source_format: str = "text"
    encoding: str | None = None
    edited: bool = False
    change: tuple[str, ...] = field(default_factory=tuple)


def from_bulletin(bulletin: Bulletin, document: Document | None = None) -> DraftState:
    return DraftState(
        title=bulletin.title,
        month=bulletin.month,
        published=bulletin.published,
        organizer=bulletin.organizer,
        intro=bulletin.intro,
        tasks=_numbered(bulletin.tasks),
        method=bulletin.method,
        confidence=bulletin.confidence,
        stated_count=bulletin.stated_count,
        source_format=document.source_format if document is not None else "text",
        encoding=document.encoding if document is not None else None,
    )


def to_bulletin(state: DraftState) -> Bulletin:
    """The bulletin to render, archive and send."""
    return Bulletin(
        title=state.title,
        month=state.month,
        published=state.published,
        organizer=state.organizer,
        intro=state.intro,
        tasks=_numbered(state.tasks),
        method=state.method,
        confidence=state.confidence,
        stated_count=state.stated_count,
    )


def _numbered(tasks: Sequence[Task]) -> tuple[Task, ...]:
    return tuple(Task(number=n, text=t.text, enumerator=t.enumerator) for n, t in enumerate(tasks, start=1))


def state_to_json(state: DraftState) -> str:
    data = dataclasses.asdict(state)
    data["tasks"] = [{"text": t.text, "enumerator": t.enumerator} for t in state.tasks]
    data["change"] = list(state.change)
    data["v"] = _STATE_VERSION
    return json.dumps(data, ensure_ascii=False)


def state_from_json(raw: str) -> DraftState:
    data = json.loads(raw)
    data.pop("v", None)
    tasks = tuple(
        Task(number=n, text=t["text"], enumerator=t.get("enumerator", "")) for n, t in enumerate(data.pop("tasks"), 1)
    )
    change = tuple(str(c) for c in data.pop("change", ()))
    known = {f.name for f in dataclasses.fields(DraftState)}
    return DraftState(tasks=tasks, change=change, **{k: v for k, v in data.items() if k in known})


def document_to_json(document: Document) -> str:
    """The loaded document, so that "re-parse" starts from the same blocks (Word numbering and all)."""
    blocks = [
        {f.name: getattr(b, f.name) for f in dataclasses.fields(Block) if getattr(b, f.name) != f.default}
        for b in document.blocks
    ]
    meta = {
        f.name: getattr(document, f.name) for f in dataclasses.fields(Document) if f.name not in {"blocks", "notes"}
    }
    return json.dumps(
        {"v": _DOCUMENT_VERSION, "blocks": blocks, **meta, "notes": list(document.notes)}, ensure_ascii=False
    )


def document_from_json(raw: str) -> Document:
    data: dict[str, Any] = json.loads(raw)
    data.pop("v", None)
    block_fields = {f.name for f in dataclasses.fields(Block)}
    blocks = []
    for raw_block in data.pop("blocks"):
        values: dict[str, Any] = {k: v for k, v in raw_block.items() if k in block_fields}
        if "kind" in values:
            values["kind"] = BlockKind(values["kind"])
        blocks.append(Block(**values))
    notes = tuple(data.pop("notes", ()))
    known = {f.name for f in dataclasses.fields(Document)}
    return Document(blocks=tuple(blocks), notes=notes, **{k: v for k, v in data.items() if k in known})


# --- the admin's fixes --------------------------------------------------------------------------------


class EditError(ValueError):
    """A fix that does not apply (no next task to merge with, the only task, an empty text)."""


def _edited(state: DraftState, tasks: Sequence[Task] | None = None, **changes: Any) -> DraftState:
    if tasks is not None:
        changes["tasks"] = _numbered(tasks)
    return replace(state, edited=True, **changes)


def _task_index(state: DraftState, index: int) -> None:
    if not 0 <= index < len(state.tasks):
        raise EditError(f"there is no task {index + 1}")


def merge_with_next(state: DraftState, index: int) -> DraftState:
    _task_index(state, index)
    if index + 1 >= len(state.tasks):
        raise EditError("the last task has no next task to merge with")
    first, second = state.tasks[index], state.tasks[index + 1]
    merged = Task(
        number=first.number, text=f"{first.text.rstrip()}\n{second.text.lstrip()}", enumerator=first.enumerator
    )
    tasks = [*state.tasks[:index], merged, *state.tasks[index + 2 :]]
    return _edited(state, tasks, change=("merged", str(index + 1), str(index + 2)))


def split_task(state: DraftState, index: int, offset: int) -> DraftState:
    _task_index(state, index)
    task = state.tasks[index]
    head, tail = task.text[:offset].rstrip(), task.text[offset:].strip()
    if not head or not tail:
        raise EditError("a split must leave text on both sides")
    tasks = [
        *state.tasks[:index],
        Task(number=0, text=head, enumerator=task.enumerator),
        Task(number=0, text=tail, enumerator=""),
        *state.tasks[index + 1 :],
    ]
    return _edited(state, tasks, change=("split", str(index + 1)))


def replace_task(state: DraftState, index: int, text: str) -> DraftState:
    _task_index(state, index)
    cleaned = clean_text(text)
    if not cleaned:
        raise EditError("the new text is empty")
    old = state.tasks[index]
    tasks = [*state.tasks[:index], Task(number=0, text=cleaned, enumerator=old.enumerator), *state.tasks[index + 1 :]]
    return _edited(state, tasks, change=("replaced", str(index + 1)))


def drop_task(state: DraftState, index: int) -> DraftState:
    _task_index(state, index)
    if len(state.tasks) == 1:
        raise EditError("the only task cannot be dropped")
    tasks = [*state.tasks[:index], *state.tasks[index + 1 :]]
    return _edited(state, tasks, change=("dropped", str(index + 1)))


def set_title(state: DraftState, text: str) -> DraftState:
    title = " ".join(unicodedata.normalize("NFC", text).split())
    if not title:
        raise EditError("the title is empty")
    return _edited(state, title=title[:MAX_TITLE_CHARS], change=("title",))


def set_month(state: DraftState, month: str) -> DraftState:
    """``month`` as ``YYYY-MM`` (see ``read_month``)."""
    return _edited(state, month=month, change=("month", month))


def reparsed(fresh: DraftState) -> DraftState:
    """A state from parsing the source again: the admin's fixes are gone, and the preview says so."""
    return replace(fresh, change=("reparsed",))


def clean_text(text: str) -> str:
    """A task's text as the admin typed it: NFC, one line break between paragraphs, no blank lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


_MONTH_FIRST = re.compile(r"^(?:thang|th|t)?\s*(\d{1,2})\s*(?:[/\-.]|\s+nam\s+|\s+)\s*(\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")


def read_month(text: str) -> str | None:
    """The month an admin typed: ``10/2021``, ``10-2021``, ``2021-10``, ``tháng 10/2021``,
    ``T10/2021``, ``tháng 10 năm 2021`` → ``2021-10``; None for anything else."""
    folded = " ".join(fold(text).strip().split())
    match = _MONTH_FIRST.match(folded)
    if match is not None:
        month, year = int(match.group(1)), int(match.group(2))
    else:
        match = _YEAR_FIRST.match(folded)
        if match is None:
            return None
        year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return f"{year:04d}-{month:02d}"


# --- where a task can be split -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SplitPoint:
    """Where the second piece would start: a paragraph or a sentence, with its first words."""

    offset: int
    kind: str  # "paragraph" or "sentence"
    words: str


_SENTENCE = re.compile(r"(?<=[.!?…;])\s+(?=\S)")


def split_points(text: str, limit: int = MAX_SPLIT_POINTS) -> list[SplitPoint]:
    """The places a task may be cut, in reading order: every paragraph break first, then sentence
    ends, at most ``limit``. Never at the very start or end, and never after a "sentence" of fewer
    than three words (an item number "1.", an abbreviation)."""
    points: dict[int, str] = {}
    for match in re.finditer(r"\n+", text):
        if text[match.end() :].strip():
            points[match.end()] = "paragraph"
    for match in _SENTENCE.finditer(text):
        if len(points) >= limit:
            break
        start = text.rfind("\n", 0, match.start()) + 1
        previous = max([start, *(p for p in points if p <= match.start())])
        if "\n" not in match.group() and len(text[previous : match.start()].split()) >= 3:
            points.setdefault(match.end(), "sentence")
    return [SplitPoint(offset, kind, _first_words(text[offset:])) for offset, kind in sorted(points.items())[:limit]]


def _first_words(text: str, n: int = 4, max_chars: int = 28) -> str:
    words = text.split()[:n]
    out = " ".join(words)
    return out if len(out) <= max_chars else out[: max_chars - 1].rstrip() + "…"


# --- should it be sent as it is? -------------------------------------------------------------------------


class Concern(StrEnum):
    COUNT = "count"  # the text announces a number of tasks and another number was found
    UNFINISHED = "unfinished"  # a task stops mid-sentence: cut off, or its points went elsewhere
    LOW_CONFIDENCE = "low_confidence"  # the parser is not sure of the split (no enumerator, bullets)


@dataclass(frozen=True, slots=True)
class Check:
    concern: Concern
    found: int
    stated: int | None = None
    task: int | None = None  # 1-based, for UNFINISHED
    confidence: float = 1.0
    method: str = ""


def check(state: DraftState) -> Check | None:
    """Why the draft may be incomplete or wrongly split, the most telling reason first; None when
    it looks sound. Send then needs an explicit "Vẫn gửi · Send anyway"."""
    found = len(state.tasks)
    if state.stated_count is not None and state.stated_count != found:
        return Check(Concern.COUNT, found, stated=state.stated_count)
    unfinished = unfinished_task(state.tasks)
    if unfinished is not None:
        return Check(Concern.UNFINISHED, found, task=unfinished)
    if not state.edited and state.confidence < LOW_CONFIDENCE:
        return Check(Concern.LOW_CONFIDENCE, found, confidence=state.confidence, method=state.method)
    return None


def unfinished_task(tasks: Sequence[Task]) -> int | None:
    """The first task (1-based) that stops mid-sentence: the last one without a closing full stop (a
    text cut off), or any that ends on a colon (its points were split away). Middle tasks of a list
    ending without a full stop are normal (bullet and ';' lists), so only the colon counts there."""
    for number, task in enumerate(tasks, start=1):
        text = task.text.rstrip()
        if not text:
            continue
        if text.endswith(":") or (number == len(tasks) and ends_mid_sentence(text)):
            return number
    return None


# --- what arrives in chat --------------------------------------------------------------------------------

_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_MONTH_LABEL = re.compile(r"\bthang\s+(?:\d{1,2}|mot|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi)\b")
# A message this long is not a question, and one about this long is a piece of a longer paste
# (Telegram clients cut a message at 4,096 characters).
LONG_TEXT = 2000
NEAR_MESSAGE_LIMIT = 3800


def is_url(text: str) -> bool:
    """The whole message is one http(s) link."""
    return bool(_URL.match(text.strip()))


def looks_like_bulletin_start(text: str) -> bool:
    """A pasted text that is the start of a bulletin rather than a question: long, or several lines
    that name the conference ("Hội nghị Báo cáo viên", a month) near the top."""
    stripped = text.strip()
    if len(stripped) >= LONG_TEXT:
        return True
    lines = [line for line in stripped.splitlines() if line.strip()]
    if len(stripped) < 400 or len(lines) < 3:
        return False
    head = fold(" ".join(lines[:6]))[:1200]
    return "bao cao vien" in head or ("hoi nghi" in head and bool(_MONTH_LABEL.search(head)))


_SENTENCE_END = ".!?…:;\"'”’»)]"


def join_parts(parts: Sequence[str]) -> str:
    """One text from a bulletin pasted in several messages. Telegram cuts a long message at a line
    break or a space and trims both sides: after a sentence end the next part starts a new line,
    otherwise it continues the sentence."""
    text = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if not text:
            text = part
        elif text[-1] in _SENTENCE_END:
            text = f"{text}\n{part}"
        else:
            text = f"{text} {part}"
    return text


# --- the preview in the chat -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shown:
    """One message of a preview: the header, a task (``part`` of it), or the confirm question."""

    message_id: int
    kind: str  # "header", "task", "confirm"
    task: int | None = None  # 0-based index of the task
    last: bool = True  # the task's last message (the one with its Edit button)
    digest: str = ""  # of the text and buttons last put there


@dataclass(frozen=True, slots=True)
class Prompt:
    """A question the bot asked (new title, new month, a task's new text); a reply to it answers.
    ``version`` is the draft's at the time: a reply after other edits is refused."""

    message_id: int
    field: str  # "title", "month", "task"
    version: int
    task: int | None = None


@dataclass(frozen=True, slots=True)
class Layout:
    messages: tuple[Shown, ...] = ()
    prompts: tuple[Prompt, ...] = ()

    def find(self, message_id: int) -> Shown | None:
        return next((m for m in self.messages if m.message_id == message_id), None)

    def prompt(self, message_id: int) -> Prompt | None:
        return next((p for p in self.prompts if p.message_id == message_id), None)

    def with_prompt(self, prompt: Prompt) -> Layout:
        return replace(self, prompts=(*self.prompts[-4:], prompt))

    def with_digest(self, message_id: int, digest: str) -> Layout:
        messages = tuple(replace(m, digest=digest) if m.message_id == message_id else m for m in self.messages)
        return replace(self, messages=messages)


def layout_to_json(layout: Layout) -> str:
    return json.dumps(
        {
            "messages": [dataclasses.asdict(m) for m in layout.messages],
            "prompts": [dataclasses.asdict(p) for p in layout.prompts],
        }
    )


def layout_from_json(raw: str | None) -> Layout:
    if not raw:
        return Layout()
    data = json.loads(raw)
    return Layout(
        messages=tuple(Shown(**m) for m in data.get("messages", ())),
        prompts=tuple(Prompt(**p) for p in data.get("prompts", ())),
    )
