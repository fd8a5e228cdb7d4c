"""What a subscriber reads about ``/forget`` (issue 13, point 5): the question, the buttons, the answer.

Vietnamese first, English beside it, as every text of the bot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data.privacy import Forgotten

DELETE_BUTTON = "🗑 Xóa dữ liệu của tôi · Delete my data"
KEEP_BUTTON = "✖️ Không · Keep"

CONFIRM = (
    "<b>Xóa dữ liệu của bạn? · Delete your data?</b>\n\n"
    "Bot sẽ xóa đăng ký nhận bản tin và hồ sơ của bạn (tên, vai trò, đơn vị), hủy các tin còn chờ gửi, "
    "và xóa số cuộc trò chuyện khỏi lịch sử gửi và xác nhận «Đã nhận» (chỉ giữ lại con số thống kê, "
    "không ai biết là của bạn). Không thể hoàn tác; bạn có thể /start để đăng ký lại bất cứ lúc nào.\n"
    "<i>The bot will delete your subscription and profile (name, role, unit), cancel messages still "
    "waiting to be sent, and remove your chat id from the delivery and “Received” history (only the "
    "anonymous counts stay). This cannot be undone; you can /start again at any time.</i>"
)
KEPT = "Đã giữ nguyên, không xóa gì. · Kept: nothing was deleted."
PRIVATE_ONLY = (
    "Lệnh /forget chỉ dùng trong cuộc trò chuyện riêng với bot. · /forget works only in a private chat with the bot."
)
NOT_YOURS = "Nút này không dành cho bạn. · This button is not for you."
NOTHING = "Bot không lưu dữ liệu nào về bạn. · The bot holds no data about you."
FAILED = "Chưa xóa được, xin thử lại sau. · Could not delete it now, please try again later."


def _lines(done: Forgotten) -> list[str]:
    lines = []
    if done.subscriber:
        lines.append("• đăng ký và hồ sơ (tên, vai trò, đơn vị) đã xóa · subscription and profile deleted")
    if done.deliveries:
        lines.append(
            f"• {done.deliveries} lượt gửi đã ẩn danh · {done.deliveries} deliveries anonymised"
            + (f" ({done.cancelled} tin chờ gửi đã hủy · {done.cancelled} pending cancelled)" if done.cancelled else "")
        )
    if done.acknowledgements:
        n = done.acknowledgements
        lines.append(f"• {n} xác nhận «Đã nhận» đã ẩn danh · {n} acknowledgements anonymised")
    if done.events:
        lines.append(f"• {done.events} mục lịch sử đăng ký đã ẩn danh · {done.events} subscription events anonymised")
    if done.drafts:
        lines.append(f"• {done.drafts} bản nháp đã xóa · {done.drafts} drafts deleted")
    if done.admin_actions or done.other:
        n = done.admin_actions + done.other
        lines.append(f"• tên bạn đã xóa khỏi {n} bản ghi quản trị · your name removed from {n} admin records")
    return lines


def forgotten(done: Forgotten) -> str:
    """The answer once deleted: what went, in the order the confirmation named it."""
    if not done.anything:
        return NOTHING
    return "\n".join(
        [
            "🗑 <b>Đã xóa dữ liệu của bạn · Your data was deleted</b>",
            *_lines(done),
            "",
            "Bot sẽ không gửi gì cho bạn nữa; /start để đăng ký lại. · The bot will send you nothing more; "
            "/start to subscribe again.",
        ]
    )


def forgotten_plain(chat_id: int, done: Forgotten) -> str:
    """The CLI's report (stdout), plain text."""
    parts = [
        f"forgot chat {chat_id}:",
        f"subscriber {'deleted' if done.subscriber else 'none'}",
        f"{done.deliveries} deliveries anonymised ({done.cancelled} pending cancelled)",
        f"{done.acknowledgements} acknowledgements anonymised",
        f"{done.events} subscription events anonymised",
        f"{done.drafts} drafts deleted",
        f"{done.admin_actions + done.other} admin records anonymised",
    ]
    return parts[0] + " " + "; ".join(parts[1:])
