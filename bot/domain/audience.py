"""Who a broadcast is for (issue 12, point 1): a subscriber's role kind and unit, and an admin's
target (roles and/or units, NULL for everyone) with whether late joiners get it too.

Pure values: the SQL that applies a target is in ``data.outbox``; the wording in
``bot.texts.audience``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TypeVar

from bot.domain.textnorm import fold

# The three roles, in the order they are offered. Their stored names (``subscribers.role``, shown
# in greetings and reports) are ``ROLE_NAMES``; buttons and summaries are in bot.texts.audience.
ROLE_KINDS: tuple[str, ...] = ("bcv", "ttv", "other")
ROLE_NAMES: dict[str, str] = {"bcv": "Báo cáo viên", "ttv": "Tuyên truyền viên", "other": "Cán bộ khác"}
_T = TypeVar("_T")
MAX_UNIT_NAME = 80  # as a typed /profile field (bot.domain.profiles.MAX_FIELD)


def role_kind_of(text: str | None) -> str | None:
    """A free-text role read the way people write it ("BCV tỉnh", "tuyên truyền viên"): the same
    rule migration 0010 applied to the roles typed before it."""
    if text is None or not text.strip():
        return None
    folded = fold(text)
    words = f" {' '.join(folded.split())} "
    if " bcv " in words or "bao cao vien" in folded:
        return "bcv"
    if " ttv " in words or "tuyen truyen vien" in folded:
        return "ttv"
    return "other"


class UnitNameError(ValueError):
    """A typed unit name that cannot be stored: empty, or longer than ``MAX_UNIT_NAME``."""

    def __init__(self, reason: str, length: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason  # "empty" or "too_long"
        self.length = length


def clean_unit_name(text: str) -> str:
    """A unit name as stored: one line, runs of white space one space, no control characters.
    Raises ``UnitNameError``."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    name = " ".join(printable.split())
    if not name:
        raise UnitNameError("empty")
    if len(name) > MAX_UNIT_NAME:
        raise UnitNameError("too_long", len(name))
    return name


def unit_key(name: str) -> str:
    """``units.folded``: how two spellings of one unit are recognised ("Phường Đông Hải" =
    "phuong dong hai")."""
    return fold(" ".join(name.split()))


@dataclass(frozen=True, slots=True)
class Target:
    """An admin's choice of recipients: ``roles`` (role kinds) and ``units`` (unit ids), each None
    for "any"; both set means both must match. ``late_joiners``: who subscribes (or sets a matching
    role or unit) while the broadcast runs gets it too."""

    roles: tuple[str, ...] | None = None
    units: tuple[int, ...] | None = None
    late_joiners: bool = True

    def __post_init__(self) -> None:
        # An empty choice is no choice: everyone (a toggle turned off again).
        if self.roles is not None:
            roles = tuple(k for k in ROLE_KINDS if k in self.roles)
            object.__setattr__(self, "roles", roles or None)
        if self.units is not None:
            object.__setattr__(self, "units", tuple(sorted(set(self.units))) or None)

    @property
    def everyone(self) -> bool:
        return self.roles is None and self.units is None

    @property
    def roles_json(self) -> str | None:
        return None if self.roles is None else json.dumps(list(self.roles))

    @property
    def units_json(self) -> str | None:
        return None if self.units is None else json.dumps(list(self.units))

    @classmethod
    def from_columns(cls, roles: str | None, units: str | None, late_joiners: int | bool | None) -> Target:
        """From the ``target_roles``, ``target_units``, ``late_joiners`` columns; anything unreadable
        there counts as "any" (never as "nobody")."""
        return cls(_json_list(roles, str), _json_list(units, int), bool(late_joiners))

    def toggle_role(self, kind: str) -> Target:
        current = set(self.roles or ())
        current ^= {kind}
        return Target(tuple(current) or None, self.units, self.late_joiners)

    def toggle_unit(self, unit_id: int) -> Target:
        current = set(self.units or ())
        current ^= {unit_id}
        return Target(self.roles, tuple(current) or None, self.late_joiners)

    def toggle_late(self) -> Target:
        return Target(self.roles, self.units, not self.late_joiners)

    def with_everyone(self) -> Target:
        return Target(None, None, self.late_joiners)


def _json_list(text: str | None, kind: type[_T]) -> tuple[_T, ...] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    return tuple(v for v in value if isinstance(v, kind) and not isinstance(v, bool)) or None
