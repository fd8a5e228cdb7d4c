"""When a scheduled broadcast goes out: the ``TIMEZONE`` setting, and the times an admin may type.

Pure functions (no I/O, no clock of their own: "now" is always passed in), shared by the CLI
(``publish --at``) and the chat (the preview's "Gửi lúc…"). Accepted:

- ISO 8601 with an offset: ``2026-12-02T07:30:00+07:00``, ``2026-12-02T00:30Z``;
- a date and a time in ``TIMEZONE``: ``2026-12-02 07:30`` (or ``T`` between them, or ``02/12/2026 07:30``);
- in chat, a time alone or with a day: ``07:30``, ``7h30``, ``7h``, ``7:30 mai`` / ``7h30 ngày mai``
  (tomorrow), ``hôm nay`` (today), ``tomorrow``; a time alone is today when still ahead, else tomorrow.

Times are stored in UTC (``data.store.utcnow()``'s format).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
# Vietnam has kept UTC+7 all year since 1975: without a tz database (Windows without the tzdata
# package) the default zone is this fixed offset, as bot/texts/publish.py's ``_vietnam_zone`` does.
VIETNAM_FIXED = dt.timezone(dt.timedelta(hours=7), "ICT")
_VIETNAM_NAMES = {"asia/ho_chi_minh", "asia/saigon"}
# A time in the past by less than this is "now" (the admin typed the current minute).
PAST_GRACE = dt.timedelta(minutes=1)
FORMATS_HELP = "2026-12-02T07:30:00+07:00 (ISO 8601 with an offset) or 2026-12-02 07:30 (in TIMEZONE)"


class ZoneError(ValueError):
    """``TIMEZONE`` names no time zone this machine knows."""


class TimeFormatError(ValueError):
    """Not a time in any accepted format."""


def resolve_zone(
    name: str,
    *,
    load: Callable[[str], dt.tzinfo] = ZoneInfo,
    known: Callable[[], set[str]] = available_timezones,
) -> dt.tzinfo:
    """The zone ``name`` (an IANA name such as ``Asia/Ho_Chi_Minh``, or ``UTC``). Without a tz
    database at all, the Vietnam names are the fixed +07:00; any other name then, and an unknown name
    always, raises ``ZoneError`` with a line that says what to do."""
    cleaned = name.strip()
    if cleaned.upper() in {"UTC", "Z", "ETC/UTC"}:
        return dt.UTC
    try:
        return load(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    if not known():  # no tz database on this machine
        if cleaned.lower() in _VIETNAM_NAMES:
            return VIETNAM_FIXED
        raise ZoneError(
            f"unknown time zone {cleaned!r}: this machine has no time zone database "
            "(install the tzdata package), or use Asia/Ho_Chi_Minh or UTC"
        )
    raise ZoneError(f"unknown time zone {cleaned!r}: use an IANA name such as Asia/Ho_Chi_Minh, Asia/Bangkok or UTC")


def to_utc_text(moment: dt.datetime) -> str:
    """An aware datetime as stored: ISO-8601 UTC text (``data.store.utcnow()``'s format)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_utc_text(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


_DATE_TIME = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})[ T](?P<H>\d{1,2})[:h](?P<M>\d{2})(?::(?P<S>\d{2}))?$"
)
_DMY_TIME = re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4}) +(?P<H>\d{1,2})[:h](?P<M>\d{2})$")
_TIME = re.compile(r"^(?P<H>\d{1,2})(?:(?::|h|g|giờ)(?P<M>\d{2})?)?(?P<ampm>am|pm|sáng|chiều|tối)?$")
_TOMORROW = ("ngày mai", "sáng mai", "mai", "tomorrow")
_TODAY = ("hôm nay", "sáng nay", "nay", "today")


def parse_absolute(text: str, zone: dt.tzinfo) -> dt.datetime:
    """ISO 8601 with an offset, or a date and time in ``zone``: the CLI's ``--at``. Raises
    ``TimeFormatError``."""
    cleaned = " ".join(text.strip().split())
    match = _DATE_TIME.match(cleaned) or _DMY_TIME.match(cleaned)
    if match:
        return _build(match, zone)
    try:
        moment = dt.datetime.fromisoformat(cleaned.replace("z", "Z"))
    except ValueError:
        raise TimeFormatError(f"not a time: {text.strip()[:60]!r}; accepted: {FORMATS_HELP}") from None
    if moment.tzinfo is None:
        if moment.time() == dt.time() and len(cleaned) <= 10:  # a date alone: no time of day given
            raise TimeFormatError(f"no time of day in {text.strip()[:60]!r}; accepted: {FORMATS_HELP}")
        return moment.replace(tzinfo=zone)
    return moment


def _build(match: re.Match[str], zone: dt.tzinfo) -> dt.datetime:
    parts = match.groupdict()
    try:
        return dt.datetime(
            int(parts["y"]),
            int(parts["m"]),
            int(parts["d"]),
            int(parts["H"]),
            int(parts["M"]),
            int(parts.get("S") or 0),
            tzinfo=zone,
        )
    except ValueError as exc:
        raise TimeFormatError(f"not a real date or time: {match.group(0)!r} ({exc})") from None


def parse_typed(text: str, zone: dt.tzinfo, now: dt.datetime) -> dt.datetime:
    """What an admin typed in chat (see the module docstring), relative to ``now``. Raises
    ``TimeFormatError``."""
    cleaned = unicodedata.normalize("NFC", " ".join(text.strip().lower().split())).removeprefix("lúc ")
    try:
        return parse_absolute(cleaned, zone)
    except TimeFormatError:
        pass
    day: int | None = None
    for words, offset in ((_TOMORROW, 1), (_TODAY, 0)):
        for word in words:  # the longer phrases first: "ngày mai" before "mai"
            if cleaned.endswith(" " + word) or cleaned.startswith(word + " "):
                cleaned = cleaned.removesuffix(" " + word).removeprefix(word + " ").strip()
                day = offset
                break
        if day is not None:
            break
    cleaned = cleaned.removesuffix(" ngày").strip()
    match = _TIME.match(cleaned.replace(" ", ""))
    if match is None:
        raise TimeFormatError(f"not a time: {text.strip()[:60]!r}")
    hour, minute = int(match["H"]), int(match["M"] or 0)
    if match["ampm"] in ("pm", "chiều", "tối") and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        raise TimeFormatError(f"not a time of day: {text.strip()[:60]!r}")
    local_now = now.astimezone(zone)
    moment = dt.datetime.combine(local_now.date(), dt.time(hour, minute), tzinfo=zone)
    if day is not None:
        return moment + dt.timedelta(days=day)
    return moment if moment > local_now else moment + dt.timedelta(days=1)


def next_at(hour: int, minute: int, zone: dt.tzinfo, now: dt.datetime, *, days: int) -> dt.datetime:
    """``hour:minute`` in ``zone``, ``days`` after ``now``'s day there (0: today)."""
    local = now.astimezone(zone).date() + dt.timedelta(days=days)
    return dt.datetime.combine(local, dt.time(hour, minute), tzinfo=zone)


def settle(moment: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """The time to schedule for: ``moment``; ``now`` if it passed less than ``PAST_GRACE`` ago; None
    if it is further in the past (refused)."""
    if moment > now:
        return moment
    return now if now - moment < PAST_GRACE else None
