"""Telegram error answers that are told apart by their description, in one place.

The Bot API gives most 400s no code of their own, only a description
(https://core.telegram.org/bots/api#making-requests), so the few we act on are matched here.
"""

from __future__ import annotations

from telegram.error import BadRequest


def is_not_modified(error: BadRequest) -> bool:
    """ "Bad Request: message is not modified": the edit asked for exactly what the message shows."""
    return "message is not modified" in str(error).lower()
