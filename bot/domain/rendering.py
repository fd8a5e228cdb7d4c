"""Turn a bulletin into the exact HTML messages that go out, one per task (more for a very long task).

Telegram counts the 4096-character limit on the text *after* entity parsing, in code points
(https://core.telegram.org/bots/api#sendmessage); we also keep the UTF-16 length under it, the stricter of the two.
Every piece of text is HTML-escaped: only our own tags reach Telegram.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.domain.records import ArchivedBulletin, Bulletin, Task

MESSAGE_LIMIT = 4096
_SENTENCE_END = re.compile(r"(?<=[.!?;:…])\s+")


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message of a broadcast: which task it carries, and its HTML."""

    task_number: int
    html: str


def plain_length(text: str) -> int:
    """The length Telegram checks: the larger of code points and UTF-16 units."""
    return max(len(text), len(text.encode("utf-16-le")) // 2)


def month_label(month: str) -> str:
    """``2021-10`` → ``10/2021``."""
    year, _, mon = month.partition("-")
    return f"{int(mon)}/{year}" if mon.isdigit() else month


def source_label(bulletin: Bulletin | ArchivedBulletin) -> str:
    """Short name of the conference a task comes from, e.g. "Hội nghị Báo cáo viên tháng 10/2021"."""
    return f"Hội nghị Báo cáo viên tháng {month_label(bulletin.month)}"


def _header(task: Task, total: int, source: str, part: int, parts: int) -> str:
    piece = f" (phần {part}/{parts})" if parts > 1 else ""
    return f"📌 Nhiệm vụ {task.number}/{total}{piece} · {source}"


def _split_text(text: str, budget: int) -> list[str]:
    """Split ``text`` into chunks of at most ``budget`` characters, preferring paragraph breaks,
    then sentence ends, then spaces; a single over-long word is cut as a last resort."""
    if plain_length(text) <= budget:
        return [text]
    chunks: list[str] = []
    current = ""
    for unit in _units(text, budget):
        sep = "\n" if current and unit.startswith("\n") else ""
        candidate = current + sep + unit.lstrip("\n") if current else unit.lstrip("\n")
        if plain_length(candidate) <= budget:
            current = candidate
        else:
            if current:
                chunks.append(current.strip())
            current = unit.lstrip("\n")
    if current.strip():
        chunks.append(current.strip())
    return chunks


def _units(text: str, budget: int) -> list[str]:
    """Pieces no longer than ``budget``: paragraphs, else sentences, else words, else slices."""
    units: list[str] = []
    for index, paragraph in enumerate(text.split("\n")):
        lead = "\n" if index else ""
        if plain_length(paragraph) <= budget:
            units.append(lead + paragraph)
            continue
        first = True
        for sentence in _SENTENCE_END.split(paragraph):
            pieces = [sentence] if plain_length(sentence) <= budget else _words(sentence, budget)
            for piece in pieces:
                units.append((lead if first else " ") + piece if units else piece)
                first = False
    return units


def _words(sentence: str, budget: int) -> list[str]:
    out: list[str] = []
    for word in sentence.split(" "):
        while plain_length(word) > budget:
            out.append(word[: budget // 2])
            word = word[budget // 2 :]
        out.append(word)
    return out


def display_text(text: str) -> str:
    """A task as shown: the enumerator was removed, so "tuyên truyền …" starts with a capital."""
    text = text.strip()
    return text[:1].upper() + text[1:]


def render_task(bulletin: Bulletin | ArchivedBulletin, task: Task) -> list[OutgoingMessage]:
    """The message(s) carrying one task: a header with its place and source, then the task."""
    total = len(bulletin.tasks)
    source = source_label(bulletin)
    # Reserve room for the longest header this task could get, plus the blank line after it.
    header_room = plain_length(_header(task, total, source, 99, 99)) + 2
    chunks = _split_text(display_text(task.text), MESSAGE_LIMIT - header_room)
    messages = []
    for part, chunk in enumerate(chunks, start=1):
        header = _header(task, total, source, part, len(chunks))
        body = f"<b>{html.escape(header)}</b>\n\n{html.escape(chunk)}"
        messages.append(OutgoingMessage(task_number=task.number, html=body))
    return messages


def render_bulletin(bulletin: Bulletin | ArchivedBulletin) -> list[OutgoingMessage]:
    """Every message of a broadcast, in the order they must reach each chat."""
    return [message for task in bulletin.tasks for message in render_task(bulletin, task)]


_TAG = re.compile(r"<[^>]+>")


def html_to_plain(text: str) -> str:
    """What a Telegram client shows for our HTML (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub("", text))
