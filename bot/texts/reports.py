"""What admins read in /stats (alias /thongke): the summary under the chart, one broadcast's figures
above its CSV, and the answers to a bad request. Vietnamese first, English beside it.

Counts are of recipients (chats), as ``data.stats`` counts them; the "Đã nhận" share is of all
recipients of the broadcast, and the times run from its start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from bot.delivery.when import from_utc_text
from bot.domain.rendering import month_label
from bot.texts.archive import shorten

SHOWN_BROADCASTS = 5

ADMINS_ONLY = (
    "Xin lỗi, chỉ quản trị viên của bot mới xem được thống kê. Bạn vẫn có thể hỏi các bản tin đã có.\n"
    "<i>Sorry, only the bot's admins can see the reports. You can still ask about past bulletins.</i>"
)
USAGE = (
    "Dùng: /stats (tổng quan và biểu đồ) hoặc /stats &lt;số bản tin&gt;, ví dụ /stats 12 (số ở /broadcasts), "
    "để xem một bản tin và tải tệp CSV người nhận.\n"
    "<i>Usage: /stats (overview and chart) or /stats &lt;broadcast number&gt;, e.g. /stats 12 (numbers in "
    "/broadcasts), for one broadcast and its recipients as a CSV file.</i>"
)
CHART_CAPTION = "📈 Người đăng ký và các bản tin gần đây · Subscribers and recent broadcasts"
CHART_FAILED = (
    "Không vẽ được biểu đồ lúc này; các số liệu ở trên vẫn đúng. · "
    "<i>Could not draw the chart now; the figures above are right.</i>"
)
CSV_FAILED = (
    "Không tạo được tệp CSV lúc này, xin thử lại sau. · <i>Could not make the CSV file now; try again later.</i>"
)


def bad_id(given: str) -> str:
    return f"«{escape(shorten(given, 40))}» không phải số bản tin. · <i>That is not a broadcast number.</i>\n\n" + USAGE


def no_such_broadcast(broadcast_id: int) -> str:
    return (
        f"Không có bản tin #{broadcast_id}. Xem các số ở /broadcasts. · "
        f"<i>There is no broadcast #{broadcast_id}; see /broadcasts for the numbers.</i>"
    )


def duration(span: dt.timedelta | None) -> str:
    """``45 giây``, ``12 phút``, ``2 giờ 05 phút``, ``3 ngày 4 giờ``; "chưa đạt · not yet" for None."""
    if span is None:
        return "chưa đạt · not yet"
    seconds = int(span.total_seconds())
    if seconds < 60:
        return f"{seconds} giây · {seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} phút · {minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} giờ {minutes:02d} phút · {hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} ngày {hours} giờ · {days} d {hours} h"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def _local(stamp: str | None, zone: dt.tzinfo) -> str:
    if not stamp:
        return "—"
    local = from_utc_text(stamp).astimezone(zone)
    return f"{local:%H:%M} {local.day}/{local.month}/{local.year}"


def broadcast_figures(
    *,
    recipients: int,
    delivered: int,
    failed: int,
    blocked: int,
    pending: int,
    cancelled: int,
    acknowledged: int | None,
    to_90_delivered: dt.timedelta | None,
    to_50_acknowledged: dt.timedelta | None,
) -> list[str]:
    """The figures of one broadcast, a few short lines."""
    if recipients == 0:
        return ["   không có người nhận · no recipients"]
    line = (
        f"   ✅ gửi đủ · delivered {delivered}/{recipients} ({percent(delivered, recipients)})"
        f" · ⚠️ lỗi · failed {failed} · 🚫 chặn · blocked {blocked}"
    )
    if pending:
        line += f" · ⏳ chờ · pending {pending}"
    if cancelled:
        line += f" · hủy · cancelled {cancelled}"
    lines = [line]
    timing = f"   ⏱ 90% gửi đủ sau · 90% delivered in {duration(to_90_delivered)}"
    if acknowledged is not None:
        lines.append(f"   🙋 đã nhận · acknowledged {acknowledged}/{recipients} ({percent(acknowledged, recipients)})")
        timing += f"; 50% đã nhận sau · 50% acknowledged in {duration(to_50_acknowledged)}"
    lines.append(timing)
    return lines


STATUSES = {
    "scheduled": "🕖 hẹn giờ · scheduled",
    "queued": "⏳ chờ gửi · queued",
    "running": "📤 đang gửi · sending",
    "paused": "⏸ tạm dừng · paused",
    "done": "✅ đã gửi xong · done",
    "cancelled": "✖️ đã hủy · cancelled",
    "aborted": "⛔ đã dừng · aborted",
}


def broadcast_head(
    broadcast_id: int, title: str, month: str, status: str, started_at: str | None, zone: dt.tzinfo
) -> str:
    return (
        f"<b>#{broadcast_id}</b> {escape(shorten(title, 60))} (tháng {escape(month_label(month))}) · "
        f"{STATUSES.get(status, escape(status))} · bắt đầu · started {_local(started_at, zone)}"
    )


def summary(
    *,
    active: int,
    days: int,
    joins: int,
    leaves: int,
    blocked: int,
    broadcasts: Sequence[tuple[str, list[str]]],
) -> str:
    """/stats: subscribers now and over ``days`` days, then the last broadcasts (their head line and
    figures, ``broadcast_head`` and ``broadcast_figures``)."""
    lines = [
        "📊 <b>Thống kê · Reports</b>",
        f"👥 Đang nhận bản tin · Subscribed now: <b>{active}</b>",
        f"{days} ngày qua · last {days} days: +{joins} đăng ký · joined, −{leaves} rời · left, "
        f"−{blocked} chặn bot · blocked the bot",
    ]
    if not broadcasts:
        lines += ["", "Chưa gửi bản tin nào. · <i>No broadcast yet.</i>"]
    else:
        lines += ["", f"📨 {len(broadcasts)} bản tin gần nhất · latest {len(broadcasts)} broadcasts:"]
        for head, figures in broadcasts:
            lines += [head, *figures]
        lines += ["", "Chi tiết và tệp CSV · Details and CSV: /stats &lt;số · number&gt;"]
    return "\n".join(lines)


def broadcast_report(head: str, figures: list[str], actions: list[str]) -> str:
    """/stats <id>: one broadcast's figures and who did what on it."""
    lines = ["📊 <b>Thống kê bản tin · Broadcast report</b>", head, *figures]
    if actions:
        lines += ["", *actions]
    lines += ["", "📎 Tệp CSV người nhận ở dưới · The recipients' CSV file is below."]
    return "\n".join(lines)


def too_big(broadcast_id: int, size: int) -> str:
    megabytes = size / 1024 / 1024
    return (
        f"Tệp CSV của bản tin #{broadcast_id} nặng {megabytes:.0f} MB, quá giới hạn 50 MB của Telegram; xin xuất bằng "
        f"dòng lệnh: <code>python -m bot export {broadcast_id} --csv tep.csv</code>\n"
        f"<i>The CSV of #{broadcast_id} is {megabytes:.0f} MB, over Telegram's 50 MB limit; export it from the command "
        "line instead.</i>"
    )


def csv_caption(broadcast_id: int, recipients: int) -> str:
    return (
        f"Người nhận bản tin #{broadcast_id}: {recipients} người (UTF-8, mở được bằng Excel). · "
        f"<i>Recipients of #{broadcast_id}: {recipients} (UTF-8, opens in Excel).</i>"
    )
