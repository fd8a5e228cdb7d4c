"""Texts admins see when the database file goes missing or becomes read-only under a running bot."""

from __future__ import annotations

from html import escape
from pathlib import Path

# What Store.check_file reports, in Vietnamese; anything else is shown in English only.
_PROBLEMS_VI = {
    "the database file was deleted or moved": "tệp cơ sở dữ liệu đã bị xoá hoặc di chuyển",
    "the database file was deleted or replaced by another file": "tệp cơ sở dữ liệu đã bị xoá hoặc thay bằng tệp khác",
    "the database file is read-only": "tệp cơ sở dữ liệu chỉ cho đọc, không ghi được",
}


def problem_alert(path: Path, problem: str, rescued: Path | None) -> str:
    """Sent once to every ADMIN_IDS before the bot stops: what happened, that it stopped, what to do."""
    vi = _PROBLEMS_VI.get(problem, "không ghi được vào tệp cơ sở dữ liệu")
    where = f"<code>{escape(str(path))}</code>"
    lines = [
        "⛔ <b>Cơ sở dữ liệu gặp sự cố · Database problem</b>",
        f"{where}: {escape(vi)} · {escape(problem)}.",
        "Bot đã dừng gửi và sẽ thoát để không mất thêm dữ liệu; bot không tạo lại tệp trống. "
        "· The bot stopped delivering and exits so that no more work is lost; it does not recreate an empty file.",
    ]
    if rescued is not None:
        copy = f"<code>{escape(str(rescued))}</code>"
        lines.append(
            f"Bản sao những gì bot còn mở được lưu tại {copy}; khôi phục bằng "
            f"<code>python -m bot restore {escape(str(rescued))}</code> "
            f"· A copy of what the bot still had open is saved at {copy}; restore it with the command above."
        )
    else:
        lines.append(
            "Khôi phục bản sao lưu bằng <code>python -m bot restore FILE</code> hoặc sửa quyền ghi, rồi khởi động lại. "
            "· Restore a backup with <code>python -m bot restore FILE</code> or fix the permissions, then restart."
        )
    return "\n".join(lines)
