"""The texts naming what admins did (bot/texts/admin_actions.py): every recorded code has a label in
both languages, the CLI and the bot are named as such, names are escaped, times are local, and the
one-line log under a broadcast stays short while the final report lists everything."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.domain.rendering import html_to_plain
from bot.texts import admin_actions as texts
from bot.texts import delivery
from data import admin_actions
from data.admin_actions import AdminAction

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _action(action: str, at: str, user: int | None = 7, name: str | None = "Lan", detail: str = "") -> AdminAction:
    return AdminAction(at, user, name, action, 1, detail)


def test_every_recorded_code_has_a_label_in_both_languages() -> None:
    assert set(texts.LABELS) == set(admin_actions.CODES)
    for code in admin_actions.CODES:
        vietnamese, english = texts.label(code)
        assert vietnamese and english and vietnamese != code, code
    assert texts.label("something_new") == ("something_new", "something_new")


def test_the_cli_and_the_bot_are_named_and_an_admin_by_name_or_id() -> None:
    assert texts.who(None, None) == "dòng lệnh · CLI"
    assert texts.who(None, admin_actions.BY_BOT) == "bot tự động · the bot"
    assert texts.who(5, "Trần Minh") == "Trần Minh"
    assert texts.who(5, "  ") == "#5"
    assert texts.who(5, "<b>Lan & co</b>") == "&lt;b&gt;Lan &amp; co&lt;/b&gt;"
    line = texts.action_line(_action("cancel", "2026-12-03T01:02:00.000Z", None, None), HANOI)
    assert line == "08:02 3/12 · dòng lệnh · CLI: hủy · cancelled"


def test_the_summary_is_the_log_on_one_line_in_local_time() -> None:
    done = [
        _action("send", "2026-12-03T00:30:00.000Z", 7, "Lan"),
        _action("pause", "2026-12-03T00:41:00.000Z", 8, "Trần Minh"),
        _action("resume", "2026-12-03T00:45:00.000Z", 9, "An"),
    ]
    assert texts.summary([], HANOI) is None
    assert html_to_plain(texts.summary(done, HANOI) or "") == (
        "👤 Đã làm · Actions: 07:30 3/12 Lan: gửi · sent; 07:41 Trần Minh: tạm dừng · paused;"
        " 07:45 An: tiếp tục · resumed"
    )
    # The day is named again when the local day changes (17:30 UTC is 00:30 the next day in Hanoi).
    late = _action("cancel", "2026-12-03T17:30:00.000Z", None, admin_actions.BY_BOT)
    assert html_to_plain(texts.summary([done[0], late], HANOI) or "").endswith(
        "07:30 3/12 Lan: gửi · sent; 00:30 4/12 bot tự động · the bot: hủy · cancelled"
    )


def test_a_long_log_keeps_who_sent_it_and_the_latest_on_the_line() -> None:
    first = _action("send", "2026-12-03T00:30:00.000Z", 7, "Lan")
    toggles = [
        _action("pause" if i % 2 == 0 else "resume", f"2026-12-03T01:{i:02d}:00.000Z", 8, f"Minh {i}") for i in range(7)
    ]
    line = html_to_plain(texts.summary([first, *toggles], HANOI) or "")
    assert line.startswith("👤 Đã làm · Actions: 07:30 3/12 Lan: gửi · sent; … và 4 thao tác nữa · and 4 more; ")
    assert line.endswith(
        "08:04 Minh 4: tạm dừng · paused; 08:05 Minh 5: tiếp tục · resumed; 08:06 Minh 6: tạm dừng · paused"
    )
    # Without a send or schedule among the earlier ones, the latest four.
    line = html_to_plain(texts.summary(toggles, HANOI) or "")
    assert line.startswith("👤 Đã làm · Actions: … và 3 thao tác nữa · and 3 more; 08:03 3/12 Minh 3")


def test_the_report_lists_every_action_with_its_detail_then_counts_the_rest() -> None:
    done = [_action("remind", "2026-12-03T02:00:00.000Z", 8, "Minh", detail="#4")]
    assert texts.report_lines([], HANOI) == []
    assert [html_to_plain(x) for x in texts.report_lines(done, HANOI)] == [
        "👤 Đã làm · Actions:",
        "• 09:00 3/12 · Minh: nhắc người chưa nhận · reminded (#4)",
    ]
    many = [replace(done[0], detail=str(i)) for i in range(texts.REPORT_SHOWN + 3)]
    lines = texts.report_lines(many, HANOI)
    assert len(lines) == 1 + texts.REPORT_SHOWN + 1
    assert html_to_plain(lines[-1]) == "… và 3 thao tác nữa · and 3 more"


def test_progress_and_final_report_carry_the_log() -> None:
    done = [_action("pause", "2026-12-03T00:41:00.000Z", 8, "Trần Minh")]
    line = texts.summary(done, HANOI)
    progress = delivery.progress(
        1, "T", done=1, total=2, rate=0.0, eta_seconds=None, failed=0, blocked=0, status="paused", done_by=line
    )
    assert html_to_plain(progress).splitlines()[-1] == "👤 Đã làm · Actions: 07:41 3/12 Trần Minh: tạm dừng · paused"
    report = delivery.final_report(
        1,
        "T",
        status="cancelled",
        sent=1,
        total=2,
        failed=0,
        cancelled=1,
        blocked=0,
        errors=[],
        duration_seconds=3.0,
        reason="cancelled by admin",
        done_by=texts.report_lines(done, HANOI),
    )
    assert html_to_plain(report).splitlines()[-2:] == [
        "👤 Đã làm · Actions:",
        "• 07:41 3/12 · Trần Minh: tạm dừng · paused",
    ]


def test_the_requester_is_told_who_controlled_their_broadcast() -> None:
    told = html_to_plain(texts.controlled_by_other("pause", 3, "Tháng 11 <b>", 8, "Trần Minh"))
    assert told.splitlines() == [
        "👤 Trần Minh đã tạm dừng bản tin #3 của bạn.",
        "Tháng 11 <b>",
        "Trần Minh paused your broadcast #3. /broadcasts",
    ]
