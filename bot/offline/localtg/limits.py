"""Telegram's flood limits as the local imitation enforces them.

Telegram does not publish exact limits; these are the documented rules of thumb (Bot FAQ, PTB's
``FloodLimit``): ~30 messages/s overall, 1 message/s per private chat, 20 messages/min per group, and
1000/s for ``allow_paid_broadcast`` requests. The checks are O(1) amortised (rolling windows as deques,
the last send time per private chat) so the server can take thousands of requests per second.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from dataclasses import dataclass
from typing import Any

from .state import ChatState

__all__ = ["FloodControl", "Limits", "Violation"]


@dataclass
class Limits:
    """Tunable limits and validation knobs. ``enforce=False`` switches every rate limit off (validation of
    texts stays on)."""

    enforce: bool = True
    global_rate: int = 30  # sends per ``global_window`` across all chats (non-paid)
    global_window: float = 1.0
    paid_rate: int = 1000  # allow_paid_broadcast sends per ``paid_window``; a separate budget
    paid_window: float = 1.0
    private_interval: float = 1.0  # minimum spacing between sends to one private chat
    group_rate: int = 20  # sends per ``group_window`` to one group/supergroup
    group_window: float = 60.0
    # Allowance for timer jitter: a client that sleeps exactly 1 s may arrive a few ms early.
    tolerance: float = 0.05
    # While a global 429 is in force, answer every further send with 429 (``ignored_retry_after``).
    flood_ban: bool = False
    # Sends arriving this soon after the ban began were already on their way when the client got
    # the 429 (concurrent requests): they still get a 429, counted as ``in_flight``, not as ignoring it.
    ban_grace: float = 0.1
    max_text_length: int = 4096  # after entity parsing
    max_caption_length: int = 1024
    max_raw_text_bytes: int = 32768  # before parsing; Bot API server's "Text is too long"
    # "codepoints" matches the Bot API server; "utf16" is the conservative reading (emoji count double).
    text_length_unit: str = "codepoints"
    # Telegram shows unknown named entities (&nbsp;) literally; strict mode turns them into a 400.
    html_strict_entities: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def updated(self, changes: dict[str, Any]) -> Limits:
        """A copy with ``changes`` applied; unknown keys or wrong types raise ValueError."""
        known = {f.name: f for f in dataclasses.fields(self)}
        values = self.to_dict()
        for key, value in changes.items():
            if key not in known:
                raise ValueError(f"unknown limit {key!r}; known: {', '.join(sorted(known))}")
            current = values[key]
            if isinstance(current, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{key} must be a boolean")
            elif isinstance(current, int):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{key} must be an integer")
            elif isinstance(current, float):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(f"{key} must be a number")
                value = float(value)
            elif isinstance(current, str) and not isinstance(value, str):
                raise ValueError(f"{key} must be a string")
            values[key] = value
        if values["text_length_unit"] not in ("codepoints", "utf16"):
            raise ValueError("text_length_unit must be 'codepoints' or 'utf16'")
        return Limits(**values)


@dataclass(frozen=True, slots=True)
class Violation:
    kind: str  # global | paid | per_chat | group | storm | in_flight | ignored_retry_after
    retry_after: int


def _retry_after(seconds: float) -> int:
    # Telegram reports whole seconds and never 0.
    return max(1, math.ceil(seconds))


class FloodControl:
    """Rolling-window accounting of delivered sends. ``check`` decides, ``commit`` records a delivery;
    they are separate so that a send rejected for another reason (or by a fault) costs nothing."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._global: deque[float] = deque()
        self._paid: deque[float] = deque()
        self._all: deque[float] = deque()  # every delivery, for the max-rate statistic
        self.max_rate = 0
        self.ban_until = 0.0
        self.ban_started = 0.0

    def reset(self) -> None:
        self._global.clear()
        self._paid.clear()
        self._all.clear()
        self.max_rate = 0
        self.ban_until = 0.0
        self.ban_started = 0.0

    def banned(self, now: float) -> Violation | None:
        """The flood-ban check; run before anything else so a client hammering during a 429 is visible."""
        lim = self.limits
        if lim.enforce and lim.flood_ban and now < self.ban_until - lim.tolerance:
            kind = "in_flight" if now < self.ban_started + lim.ban_grace else "ignored_retry_after"
            return Violation(kind, _retry_after(self.ban_until - now))
        return None

    def ban(self, now: float, retry_after: int) -> None:
        if self.limits.flood_ban:
            if now >= self.ban_until:
                self.ban_started = now
            self.ban_until = max(self.ban_until, now + retry_after)

    def check(self, chat: ChatState | None, paid: bool, now: float) -> Violation | None:
        lim = self.limits
        if not lim.enforce:
            return None
        if paid:
            window, rate, period, kind = self._paid, lim.paid_rate, lim.paid_window, "paid"
        else:
            window, rate, period, kind = self._global, lim.global_rate, lim.global_window, "global"
        horizon = now - period
        while window and window[0] <= horizon:
            window.popleft()
        if len(window) >= rate:
            ra = _retry_after(window[0] + period - now)
            if kind == "global":
                self.ban(now, ra)
            return Violation(kind, ra)
        if chat is None:
            return None
        if chat.group_times is None:
            last = chat.last_send
            if last is not None and now - last < lim.private_interval - lim.tolerance:
                return Violation("per_chat", _retry_after(last + lim.private_interval - now))
        else:
            times = chat.group_times
            horizon = now - lim.group_window
            while times and times[0] <= horizon:
                times.popleft()
            if len(times) >= lim.group_rate:
                return Violation("group", _retry_after(times[0] + lim.group_window - now))
        return None

    def commit(self, chat: ChatState | None, paid: bool, now: float) -> None:
        lim = self.limits
        if lim.enforce:
            (self._paid if paid else self._global).append(now)
            if chat is not None and chat.group_times is not None:
                chat.group_times.append(now)
        if chat is not None:
            chat.last_send = now
        # Max observed rate over any rolling second, measured on deliveries (limits on or off).
        allw = self._all
        allw.append(now)
        horizon = now - 1.0
        while allw[0] <= horizon:
            allw.popleft()
        if len(allw) > self.max_rate:
            self.max_rate = len(allw)
