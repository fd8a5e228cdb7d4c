"""PTB exceptions → outcomes: by type, and for a 400 by Telegram's description, with a named outcome
for the 400s we do not recognise."""

from __future__ import annotations

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.delivery.outcomes import Outcome
from bot.ptb.request import TimedOutBeforeSending
from bot.ptb.sending import classify


@pytest.mark.parametrize(
    ("exc", "outcome"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Outcome.GONE),
        (Forbidden("Forbidden: user is deactivated"), Outcome.GONE),
        (InvalidToken(), Outcome.FATAL),
        (Conflict("Conflict: terminated by other getUpdates request"), Outcome.FATAL),
        (BadRequest("Bad Request: can't parse entities: unsupported start tag"), Outcome.CONTENT),
        (BadRequest("Bad Request: message is too long"), Outcome.CONTENT),
        (BadRequest("Bad Request: chat not found"), Outcome.NOT_FOUND),
        (BadRequest("Bad Request: PEER_ID_INVALID"), Outcome.NOT_FOUND),
        (BadRequest("Bad Request: not enough rights to send text messages to the chat"), Outcome.REJECTED),
        (BadRequest("Bad Request: something Telegram adds next year"), Outcome.REJECTED),
        (NetworkError("Bad Gateway"), Outcome.TRANSIENT),
        (EndPointNotFound("Not Found"), Outcome.TRANSIENT),
        (ConnectionResetError(), Outcome.TRANSIENT),
    ],
)
def test_each_error_class_has_its_outcome(exc: Exception, outcome: Outcome) -> None:
    assert classify(exc).outcome is outcome


def test_an_unrecognised_400_keeps_telegrams_description_for_the_report() -> None:
    exc = BadRequest("Bad Request: TOPIC_CLOSED")
    result = classify(exc)
    assert (result.outcome, result.error) == (Outcome.REJECTED, str(exc))


def test_429_and_migration_carry_their_numbers() -> None:
    assert classify(RetryAfter(7)).retry_after == 7.0
    moved = classify(ChatMigrated(-1000000000500))
    assert (moved.outcome, moved.new_chat_id) == (Outcome.MIGRATED, -1000000000500)


def test_timeouts_are_told_apart_by_type_not_by_their_text() -> None:
    before = classify(TimedOutBeforeSending())
    assert (before.outcome, before.error) == (Outcome.TRANSIENT, "timed out before sending")
    assert classify(TimedOut()).outcome is Outcome.AMBIGUOUS
    # A timeout after sending stays ambiguous whatever its message says.
    assert classify(TimedOut("Pool timeout: request was *not* sent")).outcome is Outcome.AMBIGUOUS
    assert isinstance(TimedOutBeforeSending(), TimedOut)  # PTB and callers still see a TimedOut
