"""What subscribers and admins read about "Đã nhận" acknowledgements (issue 12, point 3).

Vietnamese first, English beside it, as every text of the bot.
"""

from __future__ import annotations

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
    """"đã nhận N/M (P%)" for reports and listings."""
    percent = 0 if recipients <= 0 else round(100 * acked / recipients)
    return f"đã nhận · acknowledged {acked}/{recipients} ({percent}%)"
