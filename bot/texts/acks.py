"""What subscribers and admins read about "Đã nhận" acknowledgements (issue 12, point 3).

Vietnamese first, English beside it, as every text of the bot.
"""

from __future__ import annotations

from html import escape

# The button under a bulletin's last part (and under a reminder).
ACK_BUTTON = "✅ Đã nhận · Received"

RECORDED = "✅ Đã ghi nhận, cảm ơn! · Recorded, thank you."
NOT_RECIPIENT = "Bản tin này không được gửi tới cuộc trò chuyện này. · This bulletin was not sent to this chat."
NOT_AVAILABLE = "Không ghi nhận được lúc này, xin thử lại sau. · Could not record it now, please try again later."


def acked_button(hhmm: str) -> str:
    """The button once pressed: ``hhmm`` local time ("08:12")."""
    return f"✅ Đã nhận lúc {hhmm} · Received"


def already_recorded(when: str) -> str:
    """A second press: ``when`` local time and date ("08:12 03/12/2026")."""
    return f"Đã ghi nhận từ trước, lúc {when}. · Already recorded at {when}."


def rate(acked: int, recipients: int) -> str:
    """ "đã nhận N/M (P%)" for reports and listings."""
    percent = 0 if recipients <= 0 else round(100 * acked / recipients)
    return f"đã nhận · acknowledged {acked}/{recipients} ({percent}%)"


WHO_BUTTON = "👀 Ai chưa nhận · Who has not"
REMIND_BUTTON = "🔔 Nhắc · Remind"
NO_UNIT = "chưa ghi đơn vị · no unit given"


def rate_line(acked: int, received: int) -> str:
    """Under a broadcast in /broadcasts."""
    return "   " + rate(acked, received)


def reminder_of_line(original: int) -> str:
    return f"   🔔 nhắc bản tin #{original} · reminder of #{original}"


def reminder(title: str, month: str) -> str:
    """The reminder itself (HTML), sent with the same button as the bulletin's last part."""
    return (
        f"🔔 Xin bấm «✅ Đã nhận» khi đã đọc bản tin <b>{escape(title)}</b> (tháng {escape(month)}).\n"
        f"Reminder: please press “Received” once you have read the bulletin <b>{escape(title)}</b> ({escape(month)})."
    )


def reminder_queued(original: int, reminder_id: int, recipients: int) -> str:
    return (
        f"Đã xếp hàng nhắc {recipients} người chưa nhận bản tin #{original} (#{reminder_id}). · "
        f"Reminder #{reminder_id} queued for {recipients} who have not acknowledged #{original}."
    )


def reminder_running(original: int, reminder_id: int) -> str:
    return (
        f"Lời nhắc #{reminder_id} cho bản tin #{original} vẫn đang gửi. · "
        f"Reminder #{reminder_id} of #{original} is still being sent."
    )


NOBODY_TO_REMIND = "Mọi người đã nhận, không cần nhắc. · Everyone has acknowledged; no reminder needed."
NO_SUCH_BROADCAST = "Không tìm thấy bản tin này. · No such broadcast."


def who_has_not(
    broadcast_id: int, title: str, groups: list[tuple[str, list[str]]], *, total: int, page: int, pages: int
) -> str:
    """One page of who has not acknowledged ``broadcast_id``: ``groups`` (unit, names) in order
    (unit '' is shown as "chưa ghi đơn vị")."""
    head = f"👀 Chưa nhận · Not acknowledged — bản tin #{broadcast_id}\n<b>{escape(title)}</b>"
    if total == 0:
        return head + "\n\nMọi người đã nhận. · Everyone has acknowledged."
    lines = [head, f"{total} người · people" + (f" — trang {page}/{pages} · page {page}/{pages}" if pages > 1 else "")]
    for unit, names in groups:
        lines.append(f"\n<b>{escape(unit or NO_UNIT)}</b>")
        lines += [f"• {escape(name)}" for name in names]
    return "\n".join(lines)


WHO_USAGE = (
    "Dùng: /chuanhan &lt;số bản tin&gt;, ví dụ /chuanhan_12 (số ở /broadcasts). · "
    "Usage: /whohasnot &lt;broadcast number&gt;, e.g. /chuanhan_12 (numbers in /broadcasts)."
)
