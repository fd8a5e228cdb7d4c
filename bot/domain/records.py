"""Plain domain types shared by the parser, the store and the services (no Telegram, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Task:
    """One task of a bulletin: its 1-based number, the enumerator removed from it, and its text."""

    number: int
    text: str
    enumerator: str = ""


@dataclass(frozen=True, slots=True)
class Bulletin:
    """A parsed bulletin.

    ``month`` is ``YYYY-MM`` of the conference label (not the date it was held);
    ``published`` is ``YYYY-MM-DD`` of the article's own date line, or ``None``.
    """

    title: str
    month: str
    published: str | None
    organizer: str
    intro: str
    tasks: tuple[Task, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)


class BulletinParseError(ValueError):
    """The text cannot be split into tasks; ``reason`` says why, ``line`` where (1-based) if known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(reason if line is None else f"{reason} (line {line})")


@dataclass(frozen=True, slots=True)
class ArchivedBulletin:
    """A bulletin as stored in the archive, with its id and the time it was added."""

    id: int
    title: str
    month: str
    published: str | None
    organizer: str
    intro: str
    tasks: tuple[Task, ...]
    created_at: str

    def task(self, number: int) -> Task | None:
        return next((t for t in self.tasks if t.number == number), None)


@dataclass(frozen=True, slots=True)
class Subscriber:
    chat_id: int
    user_id: int | None
    chat_type: str
    display_name: str | None
    role: str | None
    unit: str | None
    language: str
    active: bool
    subscribed_at: str
    updated_at: str
