"""Texts of scheduled broadcasts: "Gửi lúc…" in the preview, the times offered and typed, the
scheduled line in /broadcasts, and what admins are told when one starts (Vietnamese first, English
beside it; Telegram HTML)."""

from __future__ import annotations

import datetime as dt
from html import escape

from bot.delivery.when import from_utc_text
from bot.domain.rendering import month_label
from bot.texts.archive import shorten

SCHEDULE_BUTTON = "🕖 Gửi lúc… · Send at…"
OTHER_TIME_BUTTON = "✍️ Giờ khác · Other time"
BACK_BUTTON = "↩️ Quay lại · Back"
CANCEL_SCHEDULED_BUTTON = "✖️ Hủy · Cancel"
SEND_NOW_BUTTON = "🚀 Gửi ngay · Send now"
PAST_ALERT = "Giờ này đã qua; hãy chọn lại · That time has passed; pick again"
ASK_TIME_NOTICE = "Trả lời tin nhắn bằng giờ gửi · Reply with the time"
SCHEDULING_NOTICE = "Đang hẹn giờ · Scheduling"

_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _both(vietnamese: str, english: str) -> str:
    return f"{vietnamese} · <i>{english}</i>"


def _local(moment: dt.datetime | str, zone: dt.tzinfo) -> dt.datetime:
    if isinstance(moment, str):
        moment = from_utc_text(moment)
    return moment.astimezone(zone)


def at_text(moment: dt.datetime | str, zone: dt.tzinfo) -> tuple[str, str]:
    """A time as ("07:30 Thứ Tư 02/12/2026", "07:30 Wed 02/12/2026") in ``zone``."""
    local = _local(moment, zone)
    clock, day = local.strftime("%H:%M"), local.strftime("%d/%m/%Y")
    return f"{clock} {_WEEKDAYS[local.weekday()]} {day}", f"{clock} {_WEEKDAYS_EN[local.weekday()]} {day}"


def zone_name(moment: dt.datetime | str, zone: dt.tzinfo) -> str:
    """How the zone is named beside a time: its abbreviation or offset, e.g. "+07"."""
    return _local(moment, zone).tzname() or str(zone)


def today_button(moment: dt.datetime) -> str:
    return f"🌅 Hôm nay {moment:%H:%M} · Today {moment:%H:%M}"


def tomorrow_button(moment: dt.datetime) -> str:
    return f"🌄 Ngày mai {moment:%H:%M} ({moment:%d/%m}) · Tomorrow {moment:%H:%M}"


def choose_time(question: str) -> str:
    """The question under the preview once "Gửi lúc…" is pressed: the same question, and the choice."""
    return f"{question}\n\n🕖 " + _both("Chọn giờ gửi:", "Pick when it goes out:")


def ask_time(zone_label: str) -> str:
    """After "Giờ khác · Other time": the admin replies with a time."""
    return (
        "🕖 Hãy trả lời (reply) tin nhắn này bằng giờ gửi, ví dụ <code>07:30</code> (hôm nay, hoặc ngày mai "
        "nếu đã qua), <code>7h30 mai</code>, <code>2026-12-05 07:30</code>. "
        f"Giờ theo múi {escape(zone_label)}.\n"
        "<i>Reply to this message with the time to send it, e.g. 07:30 (today, or tomorrow if it has "
        f"passed), 7h30 mai (tomorrow), 2026-12-05 07:30. Times are in {escape(zone_label)}.</i>"
    )


def bad_time(text: str) -> str:
    return (
        f"Không hiểu giờ «{escape(shorten(text, 40))}». Hãy ghi như <code>07:30</code>, <code>7h30 mai</code> "
        "hoặc <code>2026-12-05 07:30</code>. · "
        "<i>That is not a time; write it like 07:30, 7h30 mai (tomorrow) or 2026-12-05 07:30.</i>"
    )


def past_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    vi, en = at_text(moment, zone)
    return _both(f"⏳ {vi} đã qua rồi; hãy chọn một giờ sắp tới.", f"{en} has passed; pick a time ahead.")


def scheduled(broadcast_id: int, recipients: int, messages: int, at: str, zone: dt.tzinfo) -> str:
    """The question, once the broadcast is scheduled: when it goes out and how to change it."""
    vi, en = at_text(at, zone)
    return (
        f"🗓 Đã hẹn giờ bản tin #{broadcast_id}: gửi lúc <b>{vi}</b> ({escape(zone_name(at, zone))}) tới "
        f"{_n(recipients)} người đăng ký, {_n(recipients * messages)} tin nhắn; ai đăng ký trước giờ đó cũng "
        "sẽ nhận. Hủy hoặc gửi ngay: /broadcasts\n"
        f"<i>Broadcast #{broadcast_id} scheduled: it goes out at {en} to {recipients:,} subscriber"
        f"{'s' if recipients != 1 else ''} ({recipients * messages:,} messages); whoever subscribes before then "
        "gets it too. To cancel it or send it now: /broadcasts</i>"
    )


def scheduled_line(at: str, zone: dt.tzinfo) -> str:
    """Under a scheduled broadcast in /broadcasts."""
    vi, en = at_text(at, zone)
    return f"🗓 sẽ gửi lúc {vi} · <i>goes out at {en}</i>"


def _duration(late: dt.timedelta) -> tuple[str, str]:
    seconds = max(0, round(late.total_seconds()))
    if seconds < 60:
        return f"{seconds} giây", f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    hours, rest = divmod(minutes, 60)
    if hours:
        vi = f"{hours} giờ {rest} phút" if rest else f"{hours} giờ"
        en = f"{hours} h {rest} min" if rest else f"{hours} hour{'s' if hours != 1 else ''}"
        return vi, en
    return f"{minutes} phút", f"{minutes} minute{'s' if minutes != 1 else ''}"


def started_late(broadcast_id: int, title: str, at: str, late: dt.timedelta, zone: dt.tzinfo, *, missed: bool) -> str:
    """A scheduled broadcast started after its time: how late, and why."""
    vi_at, en_at = at_text(at, zone)
    vi_late, en_late = _duration(late)
    why_vi = "vì lúc đó bot không chạy" if missed else "vì bot bị chậm"
    why_en = "because the bot was not running then" if missed else "because the bot was held up"
    return (
        f"⏰ Bản tin #{broadcast_id} được hẹn gửi lúc {vi_at} nhưng bắt đầu gửi muộn <b>{vi_late}</b> {why_vi}.\n"
        f"<b>{escape(title)}</b>\n"
        f"<i>Broadcast #{broadcast_id}, scheduled for {en_at}, started {en_late} late {why_en}.</i>"
    )


def started(broadcast_id: int, title: str, month: str, joined: int, *, early: bool = False) -> str:
    """A scheduled broadcast started on time (``early``: "Send now" before it), said in its admin chat."""
    extra = ""
    if joined:
        extra = "\n" + _both(
            f"Thêm {_n(joined)} người mới đăng ký từ lúc hẹn giờ.",
            f"{joined:,} who subscribed since it was scheduled were added.",
        )
    return (
        "🗓 "
        + _both(
            f"Bản tin #{broadcast_id} (tháng {month_label(month)}) bắt đầu gửi ngay, trước giờ hẹn."
            if early
            else f"Bản tin #{broadcast_id} (tháng {month_label(month)}) bắt đầu gửi theo lịch.",
            f"Broadcast #{broadcast_id} started now, before its scheduled time."
            if early
            else f"Scheduled broadcast #{broadcast_id} started.",
        )
        + f"\n<b>{escape(title)}</b>{extra}"
    )


def cli_scheduled(broadcast_id: int, messages: int, recipients: int, at: str, zone: dt.tzinfo, zone_label: str) -> str:
    """The CLI's line after ``publish --at``: when it goes out, in TIMEZONE and in UTC."""
    local = _local(at, zone)
    utc = from_utc_text(at)
    return (
        f"scheduled broadcast #{broadcast_id}: {messages} messages × {recipients} subscribers; it goes out at "
        f"{local:%Y-%m-%d %H:%M} {zone_label} ({local:%z}), {utc:%Y-%m-%d %H:%M} UTC; whoever subscribes before "
        "then gets it too; a running bot starts it then (or as soon as it is up again)"
    )
