"""Texts for subscribing, leaving, help and errors."""

from __future__ import annotations

from html import escape

EXAMPLES = (
    "hội nghị mới nhất",
    "nhiệm vụ thứ ba tháng 11/2021",
    "tham nhung",
    "latest conference",
)


def _examples() -> str:
    return "\n".join(f"• <code>{escape(e)}</code>" for e in EXAMPLES)


def address(name: str | None, role: str | None, unit: str | None) -> str | None:
    """How a subscriber is greeted: "Lan (Báo cáo viên, Đảng ủy Khối)" when they set a profile."""
    detail = ", ".join(x for x in (role, unit) if x)
    if name and detail:
        return f"{name} ({detail})"
    return name or detail or None


def welcome(name: str | None, *, already: bool) -> str:
    hello = f"Xin chào {escape(name)}!" if name else "Xin chào!"
    state = (
        "Bạn đã đăng ký từ trước, không cần làm gì thêm."
        if already
        else "Bạn đã đăng ký nhận bản tin Hội nghị Báo cáo viên."
    )
    english = "You are already subscribed." if already else "You are subscribed to the reporters' conference bulletin."
    return (
        f"👋 {hello} {state}\n\n"
        "Mỗi tháng, khi có thông báo mới, bot sẽ gửi từng nhiệm vụ trọng tâm thành một tin nhắn riêng, "
        "theo đúng thứ tự.\n\n"
        "Hỏi lại bản tin cũ bằng lời thường, có dấu hay không dấu đều được:\n"
        f"{_examples()}\n\n"
        "Đặt cách xưng hô: /profile <i>chức danh</i> | <i>đơn vị</i>\n"
        "Ngừng nhận tin: /stop · Trợ giúp: /help\n\n"
        f"<i>{english} Each month you will get one message per key task, in order. "
        "Ask about past bulletins in plain words; /stop to leave, /help for help.</i>"
    )


def stopped(*, was_active: bool) -> str:
    if was_active:
        return (
            "Đã hủy đăng ký. Bot sẽ không gửi bản tin cho bạn nữa. Muốn nhận lại, gõ /start.\n"
            "<i>Unsubscribed: no more bulletins will be sent. Send /start to come back.</i>"
        )
    return (
        "Bạn chưa đăng ký nên không có gì để hủy. Gõ /start để đăng ký.\n"
        "<i>You were not subscribed. Send /start to subscribe.</i>"
    )


def help_text(*, is_admin: bool) -> str:
    lines = [
        "<b>Bot bản tin Hội nghị Báo cáo viên</b> · <i>Reporters' conference bulletin bot</i>",
        "",
        "/start — đăng ký nhận bản tin · <i>subscribe</i>",
        "/stop — ngừng nhận · <i>unsubscribe</i>",
        "/latest — hội nghị mới nhất · <i>latest bulletin</i>",
        "/task 3 — nhiệm vụ số 3 · <i>task 3</i>",
        "/month 10/2021 — bản tin theo tháng · <i>by month</i>",
        "/search tham nhũng — tìm theo từ khóa · <i>search</i>",
        "/history — các hội nghị đã lưu · <i>archive</i>",
        "/profile — vai trò, đơn vị (chọn bằng nút, hoặc <code>/profile Báo cáo viên | Đảng ủy Khối</code>) · "
        "<i>your role and unit</i>",
        "/forget — xóa dữ liệu bot lưu về bạn (hỏi lại trước khi xóa) · <i>delete your data (asks first)</i>",
        "",
        "Hoặc hỏi bằng lời thường · <i>or just ask</i>:",
        _examples(),
        "",
        "Trong nhóm: nhắc tên bot hoặc trả lời tin nhắn của bot; chỉ quản trị viên nhóm mới "
        "/start, /stop, /profile cho cả nhóm. · <i>In a group, mention the bot or reply to it; only the "
        "group's administrators can /start, /stop or /profile for the group.</i>",
    ]
    if is_admin:
        lines += [
            "",
            "<b>Quản trị · Admin</b>",
            "/publish — dán bản tin sau lệnh hoặc gửi tệp (.txt, .docx, .pdf, .html) hay đường dẫn · "
            "<i>paste, upload or link a bulletin</i>; trong bản xem trước, <b>Gửi lúc…</b> để hẹn giờ · "
            "<i>Send at… to schedule it</i>",
            "/broadcasts — tiến độ gửi, tạm dừng, tiếp tục, hủy · <i>delivery status and controls</i>",
            "/sources — các trang bot theo dõi để tìm bản tin mới (thêm, bỏ) · <i>watched portals (add, remove)</i>",
            "/units — danh sách đơn vị để người đăng ký chọn (thêm, bỏ); trong bản xem trước, <b>🎯 Đối tượng</b> "
            "để gửi theo vai trò, đơn vị · <i>units subscribers choose from; Audience in a preview targets roles "
            "and units</i>",
            "/dinhchinh 12 — đính chính bản tin đã gửi: sửa, thu hồi một nhiệm vụ hoặc gửi thông báo đính chính · "
            "<i>correct a sent broadcast: edit or retract a task, or send a notice</i>",
            "/stats — thống kê, biểu đồ; <code>/stats 12</code> kèm tệp CSV người nhận · "
            "<i>reports and chart; /stats 12 adds the recipients' CSV</i>",
        ]
    return "\n".join(lines)


def profile_saved(role: str | None, unit: str | None) -> str:
    shown = " · ".join(escape(x) for x in (role, unit) if x) or "—"
    return f"Đã lưu cách xưng hô: <b>{shown}</b>\n<i>Saved how you are addressed.</i>"


def profile_usage() -> str:
    return (
        "Cách dùng: <code>/profile chức danh | đơn vị</code>, ví dụ "
        "<code>/profile Báo cáo viên | Đảng ủy Khối các cơ quan tỉnh</code>. "
        "Gõ <code>/profile -</code> để xóa.\n"
        "<i>Usage: /profile role | unit; /profile - to clear.</i>"
    )


def profile_needs_subscription() -> str:
    return "Hãy gõ /start để đăng ký trước.\n<i>Send /start to subscribe first.</i>"


def internal_error() -> str:
    return (
        "Xin lỗi, đã có lỗi khi xử lý yêu cầu. Vui lòng thử lại sau ít phút.\n"
        "<i>Sorry, something went wrong. Please try again in a few minutes.</i>"
    )


# What a group member who is not its administrator asked to change, in both languages.
_GROUP_ACTIONS = {
    "start": ("đăng ký nhận bản tin cho nhóm", "subscribe the group"),
    "stop": ("hủy đăng ký của nhóm", "unsubscribe the group"),
    "profile": ("đổi cách xưng hô của nhóm", "change how the group is addressed"),
}


def group_admins_only(action: str) -> str:
    """A group member who is not an administrator tried /start, /stop or /profile for the group."""
    vietnamese, english = _GROUP_ACTIONS.get(action, _GROUP_ACTIONS["profile"])
    return (
        f"Chỉ quản trị viên của nhóm mới được {vietnamese}. "
        "Bạn vẫn có thể hỏi các bản tin đã có, hoặc nhắn riêng cho bot để tự đăng ký.\n"
        f"<i>Only the group's administrators can {english}. You can still ask about past bulletins, "
        "or message the bot privately to subscribe yourself.</i>"
    )


def admin_check_failed() -> str:
    return (
        "Chưa kiểm tra được quyền quản trị nhóm của bạn với Telegram. Vui lòng thử lại sau ít phút.\n"
        "<i>Could not check your group admin rights with Telegram. Please try again in a few minutes.</i>"
    )
