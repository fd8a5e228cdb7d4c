"""TIMEZONE and the times admins type (bot/delivery/when.py): pure, "now" passed in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfoNotFoundError

import pytest
from pydantic import ValidationError

from bot.delivery.when import (
    VIETNAM_FIXED,
    TimeFormatError,
    ZoneError,
    parse_absolute,
    parse_typed,
    resolve_zone,
    settle,
    to_utc_text,
)
from bot.settings import Settings

VN = resolve_zone("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 12, 2, 8, 0, tzinfo=VN)  # a Wednesday, 08:00 in Vietnam


def _no_tz_database(name: str) -> dt.tzinfo:
    raise ZoneInfoNotFoundError(name)


def test_timezone_setting_default_known_unknown() -> None:
    assert Settings().timezone == "Asia/Ho_Chi_Minh"
    assert Settings().zone.utcoffset(dt.datetime(2026, 6, 1)) == dt.timedelta(hours=7)
    assert Settings(timezone="Europe/Paris").zone.utcoffset(dt.datetime(2026, 7, 1)) == dt.timedelta(hours=2)
    assert Settings(timezone="UTC").zone is dt.UTC
    with pytest.raises(ValidationError, match="unknown time zone 'Asia/Hanoi'"):
        Settings(timezone="Asia/Hanoi")  # not an IANA name (Hanoi keeps Asia/Bangkok's time)


def test_without_a_tz_database_vietnam_is_the_fixed_plus_seven_and_others_are_refused() -> None:
    assert resolve_zone("Asia/Ho_Chi_Minh", load=_no_tz_database, known=set) is VIETNAM_FIXED
    assert resolve_zone("Asia/Saigon", load=_no_tz_database, known=set) is VIETNAM_FIXED
    with pytest.raises(ZoneError, match="no time zone database"):
        resolve_zone("Europe/Paris", load=_no_tz_database, known=set)
    with pytest.raises(ZoneError, match="use an IANA name"):
        resolve_zone("Mars/Olympus", load=_no_tz_database, known=lambda: {"Asia/Ho_Chi_Minh"})


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-12-02T07:30:00+07:00", "2026-12-02T00:30:00.000000Z"),
        ("2026-12-02T00:30Z", "2026-12-02T00:30:00.000000Z"),
        ("2026-12-02 07:30", "2026-12-02T00:30:00.000000Z"),  # in TIMEZONE
        ("2026-12-02T07:30", "2026-12-02T00:30:00.000000Z"),
        ("02/12/2026 07:30", "2026-12-02T00:30:00.000000Z"),
    ],
)
def test_absolute_times(text: str, utc: str) -> None:
    assert to_utc_text(parse_absolute(text, VN)) == utc


@pytest.mark.parametrize("text", ["sáng mai", "2026-12-02", "2026-13-01 07:30", "07:30", ""])
def test_malformed_absolute_times_are_refused(text: str) -> None:
    with pytest.raises(TimeFormatError):
        parse_absolute(text, VN)


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("07:30", "2026-12-03 07:30"),  # passed today: tomorrow
        ("09:15", "2026-12-02 09:15"),  # still ahead today
        ("7h30 mai", "2026-12-03 07:30"),
        ("7h30 ngày mai", "2026-12-03 07:30"),
        ("mai 7h", "2026-12-03 07:00"),
        ("Lúc 21:00 hôm nay", "2026-12-02 21:00"),
        ("8h chiều", "2026-12-02 20:00"),
        ("2026-12-05 07:30", "2026-12-05 07:30"),
    ],
)
def test_typed_times(text: str, local: str) -> None:
    assert parse_typed(text, VN, NOW).strftime("%Y-%m-%d %H:%M") == local


@pytest.mark.parametrize("text", ["khi nào rảnh", "25:00", "7h99", "mai"])
def test_typed_nonsense_is_refused(text: str) -> None:
    with pytest.raises(TimeFormatError):
        parse_typed(text, VN, NOW)


def test_a_time_less_than_a_minute_ago_is_now_and_older_is_refused() -> None:
    assert settle(NOW + dt.timedelta(hours=1), NOW) == NOW + dt.timedelta(hours=1)
    assert settle(NOW - dt.timedelta(seconds=59), NOW) == NOW
    assert settle(NOW - dt.timedelta(seconds=61), NOW) is None
