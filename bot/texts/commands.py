"""The command menus Telegram shows beside the message field: (command, description) pairs.

``bot.ptb.app`` registers them with ``setMyCommands``: the user menu for everyone, the admin menu
for each admin's private chat.
"""

from __future__ import annotations

USER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Đăng ký nhận bản tin · Subscribe"),
    ("latest", "Hội nghị mới nhất · Latest bulletin"),
    ("task", "Nhiệm vụ số N · Task N"),
    ("month", "Bản tin theo tháng · By month"),
    ("search", "Tìm theo từ khóa · Search"),
    ("history", "Các hội nghị đã lưu · Archive"),
    ("profile", "Cách xưng hô · How to address you"),
    ("help", "Trợ giúp · Help"),
    ("stop", "Ngừng nhận · Unsubscribe"),
    ("forget", "Xóa dữ liệu của tôi · Delete my data"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    *USER_COMMANDS,
    ("publish", "Đăng bản tin · Publish a bulletin"),
    ("broadcasts", "Tiến độ gửi · Delivery status"),
    ("sources", "Trang theo dõi · Watched portals"),
    ("stats", "Thống kê, biểu đồ, CSV · Reports"),
    ("units", "Đơn vị · Units"),
    ("dinhchinh", "Đính chính bản tin đã gửi · Correct a sent bulletin"),
)
