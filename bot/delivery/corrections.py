"""What the engine needs to carry out a correction's row (an edit, a retract, a notice), Telegram-free.

A correction (issue 12.4, ``data.corrections``) is a broadcast whose parts act on a message the
original already put in the chat: ``edit`` it (editMessageText), ``delete`` it (a retract), or
``reply`` to it with a notice. The Telegram side (``bot.ptb.sending``) performs the ``Correction``;
the engine builds it from the outbox row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# "A message can only be deleted if it was sent less than 48 hours ago"
# (https://core.telegram.org/bots/api#deletemessage). The time recorded is when the answer was
# written, a moment after Telegram dated the message, and the delete is sent a moment after it is
# decided: inside the margin it edits into the withdrawn notice rather than be refused.
DELETE_WINDOW = timedelta(hours=48)
DELETE_MARGIN = timedelta(minutes=10)

# deliveries.outcome when what was done differed from the plan (migration 0011).
NOT_MODIFIED = "not_modified"  # an edit Telegram answered "message is not modified": already so
EDITED_INSTEAD = "edited_instead"  # a retract that could not delete and edited into the notice

ACTIONS = ("edit", "delete", "reply")


@dataclass(frozen=True, slots=True)
class Correction:
    """One correction row for one chat: ``action`` on the message ``target_message_id``.

    ``deletable``: a retract may try deleteMessage (the message is young enough); otherwise, or when
    Telegram refuses, it edits the message into the row's HTML (the withdrawn notice).
    ``ack_for``: the edited part carries the "Đã nhận" button of that broadcast, pressed at
    ``acked_at`` (UTC text) when the chat already acknowledged it, so an edit keeps the label."""

    action: str
    target_message_id: int
    deletable: bool = False
    ack_for: int | None = None
    acked_at: str | None = None


def parse_utc(at: str) -> datetime:
    """A stored timestamp (``data.store.utcnow``'s format, with or without the fraction)."""
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(at, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"not a stored timestamp: {at!r}")


def deletable(sent_at: str | None, now: datetime) -> bool:
    """Whether a message sent at ``sent_at`` may still be deleted at ``now`` (None or unreadable:
    not known, so not tried; the retract edits)."""
    if not sent_at:
        return False
    try:
        sent = parse_utc(sent_at)
    except ValueError:
        return False
    return now - sent < DELETE_WINDOW - DELETE_MARGIN
