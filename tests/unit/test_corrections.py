"""The pure parts of corrections: the 48-hour delete window, the report's wording, the dialog's
callback data and command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery.corrections import DELETE_MARGIN, DELETE_WINDOW, deletable, parse_utc
from bot.texts import corrections as texts
from data.corrections import Tally
from handlers.corrections import _DATA, COMMAND, data

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_a_message_may_be_deleted_only_well_inside_48_hours() -> None:
    assert deletable(_at(NOW - timedelta(hours=1)), NOW)
    assert deletable(_at(NOW - DELETE_WINDOW + DELETE_MARGIN + timedelta(seconds=1)), NOW)
    assert not deletable(_at(NOW - DELETE_WINDOW + DELETE_MARGIN), NOW)  # too close: edit instead
    assert not deletable(_at(NOW - timedelta(days=3)), NOW)
    assert not deletable(None, NOW) and not deletable("", NOW) and not deletable("yesterday", NOW)
    assert parse_utc("2026-12-03T08:00:00Z") == NOW == parse_utc("2026-12-03T08:00:00.000000Z")
    with pytest.raises(ValueError):
        parse_utc("03/12/2026")


def test_the_report_counts_each_outcome_in_both_languages() -> None:
    assert texts.tally_line("edit", Tally(done=57, not_modified=2, failed=1)) == (
        "Đã sửa 57 · Edited 57, không đổi 2 · not modified 2, lỗi 1 · failed 1"
    )
    assert texts.tally_line("retract", Tally(done=40, edited_instead=17, cancelled=3)) == (
        "Đã xoá 40 · Deleted 40, sửa thành «đã thu hồi» 17 · edited into notice 17, lỗi 0 · failed 0, "
        "bỏ qua 3 · skipped 3"
    )
    assert texts.tally_line("notice", Tally(done=1234, pending=5)) == (
        "Đã gửi 1.234 · Sent 1.234, lỗi 0 · failed 0, còn chờ 5 · pending 5"
    )
    line = texts.corrections_line([(13, "edit", "done"), (14, "retract", "running")])
    assert line.startswith("✏️ Đính chính") and "sửa 1 · edited 1" in line and "#14 thu hồi (đang gửi · running)" in line


def test_subscriber_texts_escape_what_the_admin_typed() -> None:
    assert "&lt;b&gt;" in texts.notice_message(3, "<b>sai</b>")
    assert texts.withdrawn_part("📌 Nhiệm vụ 2/6").startswith("<b>📌 Nhiệm vụ 2/6</b>\n\n🚫")


def test_callback_data_and_the_command_read_back() -> None:
    assert data("go", 123456789012, 42) == "corr:go:123456789012:42"
    found = _DATA.match(data("task", 12, 3))
    assert found is not None and found.groups() == ("task", "12", "3")
    assert _DATA.match("corr:go:12:x") is None and _DATA.match("corr:go:-1") is None
    for command, wanted in [
        ("/dinhchinh 12", "12"),
        ("/dinhchinh_12", "12"),
        ("/correct #7", "7"),
        ("/correct@bot 9", "9"),
    ]:
        match = COMMAND.match(command)
        assert match is not None and (match.group(1) or match.group(2)) == wanted
    assert COMMAND.match("/dinhchinh abc") is None
    bare = COMMAND.match("/dinhchinh")
    assert bare is not None and bare.group(1) is None and bare.group(2) is None
