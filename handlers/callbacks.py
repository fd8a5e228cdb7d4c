"""Inline buttons: their callback data (``prefix:action:id``), read back validated and typed, and
editing the message a button sits on, where showing what is already shown is no error.

Every feature's buttons are one ``Buttons`` family::

    DECISION = Buttons("pub", ("send", "cancel"))
    DECISION.data("send", 12)          # "pub:send:12", for InlineKeyboardButton(callback_data=...)
    DECISION.read(query.data)          # Press(action="send", id=12), or None for anything else
    CallbackQueryHandler(on_press, pattern=DECISION.pattern)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.ptb.errors import is_not_modified as is_not_modified  # re-exported for the handlers
from bot.texts.delivery import STALE_BUTTON_NOTICE

CALLBACK_LIMIT = 64  # bytes: https://core.telegram.org/bots/api#inlinekeyboardbutton
_ID = re.compile(r"[0-9]{1,12}")  # ASCII digits only (str.isdigit() also accepts "²" and "٣")

A = TypeVar("A", bound=str)


@dataclass(frozen=True, slots=True)
class Press(Generic[A]):
    """A pressed button of a family: what to do, to which item (a draft, a broadcast)."""

    action: A
    id: int


class Buttons(Generic[A]):
    """The buttons of one feature: ``prefix:action:id`` with a fixed set of actions."""

    def __init__(self, prefix: str, actions: tuple[A, ...]) -> None:
        if not re.fullmatch(r"[a-z]+", prefix) or not actions:
            raise ValueError(f"bad button family {prefix!r}: {actions!r}")
        self.prefix = prefix
        self.actions = actions
        # For CallbackQueryHandler: every press of this family, valid or not, so that a stale or
        # malformed one is still answered by this feature and not taken for another's.
        self.pattern = re.compile(rf"^{prefix}:")

    def data(self, action: A, item_id: int) -> str:
        if action not in self.actions or item_id < 0:
            raise ValueError(f"no {self.prefix} button {action!r} for {item_id}")
        data = f"{self.prefix}:{action}:{item_id}"
        assert len(data.encode()) <= CALLBACK_LIMIT
        return data

    def read(self, data: str | None) -> Press[A] | None:
        """The press ``data`` encodes, or None when it is not exactly one of this family's buttons."""
        prefix, action, raw_id = [*(data or "").split(":", 2), "", ""][:3]
        if prefix != self.prefix or not _ID.fullmatch(raw_id):
            return None
        for known in self.actions:  # gives ``action`` its declared type without a cast
            if known == action:
                return Press(known, int(raw_id))
        return None


async def edit_text(
    query: CallbackQuery,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    parse_mode: str | None = None,
) -> bool:
    """Edit the message ``query``'s button sits on. Pressing a button whose result is already shown
    (twice quickly, or a refresh with nothing new) is not an error: returns False, raises nothing.
    ``parse_mode`` None keeps the bot's default (HTML here)."""
    try:
        if parse_mode is None:
            await query.edit_message_text(text, reply_markup=reply_markup)
        else:
            await query.edit_message_text(text, reply_markup=reply_markup, parse_mode=parse_mode)
    except BadRequest as exc:
        if is_not_modified(exc):
            return False
        raise
    return True


async def read_press(update: Update, buttons: Buttons[A]) -> tuple[CallbackQuery, Press[A]] | None:
    """The pressed button of ``buttons`` and its query; a malformed or stale press (or one on a
    message the bot can no longer see) is answered "out of date" here, and None is returned."""
    query = update.callback_query
    if query is None:
        return None
    press = buttons.read(query.data)
    if press is None or query.message is None:
        await query.answer(STALE_BUTTON_NOTICE)
        return None
    return query, press
