"""Texts admins see about broadcasts: preview, progress, final report, list, alerts."""

from __future__ import annotations

from html import escape

from bot.domain.rendering import month_label
from bot.texts.archive import shorten


def _n(value: int) -> str:
    """Vietnamese thousands separator: 12.345."""
    return f"{value:,}".replace(",", ".")


def _en(value: int, noun: str) -> str:
    """``1 subscriber``, ``12.345 subscribers``: English needs the plural Vietnamese does without."""
    return f"{_n(value)} {noun if value == 1 else noun + 's'}"


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} giờ {minutes} phút"
    if minutes:
        return f"{minutes} phút {secs} giây"
    return f"{secs} giây"


def preview_header(title: str, month: str, tasks: int, messages: int, recipients: int, warnings: list[str]) -> str:
    lines = [
        "📝 <b>Xem trước bản tin</b> · <i>Preview</i>",
        f"<b>{escape(title)}</b>",
        f"Tháng {month_label(month)} · {tasks} nhiệm vụ · {messages} tin nhắn",
        f"Sẽ gửi tới <b>{_n(recipients)}</b> người đăng ký · <i>to {_en(recipients, 'subscriber')}</i>",
        "",
        "Dưới đây là đúng các tin nhắn sẽ được gửi. · <i>Below are exactly the messages that will go out.</i>",
    ]
    if warnings:
        lines += ["", "⚠️ Lưu ý · <i>Warnings</i>:"] + [f"• {escape(w)}" for w in warnings]
    return "\n".join(lines)


def confirm_prompt(recipients: int) -> str:
    return (
        f"Gửi bản tin này tới {_n(recipients)} người đăng ký?\n"
        f"<i>Send this bulletin to {_en(recipients, 'subscriber')}?</i>"
    )


SEND_BUTTON = "✅ Gửi · Send"
CANCEL_BUTTON = "✖️ Hủy · Cancel"
PAUSE_BUTTON = "⏸ Tạm dừng · Pause"
RESUME_BUTTON = "▶️ Tiếp tục · Resume"
STOP_BUTTON = "⏹ Hủy gửi · Cancel"


def draft_cancelled() -> str:
    return "Đã hủy, không gửi gì. · <i>Cancelled; nothing was sent.</i>"


def draft_gone() -> str:
    return "Bản nháp này đã được xử lý hoặc không còn nữa. · <i>This draft was already handled or no longer exists.</i>"


def queued(broadcast_id: int, recipients: int, messages: int) -> str:
    return (
        f"📤 Đã xếp hàng bản tin #{broadcast_id}: {_n(recipients * messages)} tin nhắn tới "
        f"{_n(recipients)} người đăng ký.\n"
        f"<i>Broadcast #{broadcast_id} queued: {_en(recipients * messages, 'message')} "
        f"to {_en(recipients, 'subscriber')}.</i>"
    )


def no_subscribers() -> str:
    return (
        "Chưa có ai đăng ký nên bản tin chỉ được lưu vào kho, không gửi cho ai. · "
        "<i>No subscribers yet: the bulletin was archived, nothing was sent.</i>"
    )


def publish_usage() -> str:
    return (
        "Dán nội dung bản tin ngay sau lệnh <code>/publish</code>, hoặc gửi tệp <code>.txt</code> "
        "(UTF-8) kèm chú thích <code>/publish</code>.\n"
        "<i>Paste the bulletin after /publish, or upload a UTF-8 .txt file with the caption /publish.</i>"
    )


def parse_failed(reason: str) -> str:
    return (
        "❌ Không tách được bản tin thành các nhiệm vụ. Hãy kiểm tra nội dung có các mục "
        "«Thứ nhất, … Thứ hai, …» hoặc «1. 2. 3.» rồi gửi lại.\n"
        f"Chi tiết: <code>{escape(reason)}</code>\n"
        "<i>Could not split the bulletin into tasks. Check that it has enumerated items "
        "(Thứ nhất…, 1. 2. 3.) and send it again.</i>"
    )


def bad_file(reason: str) -> str:
    return f"❌ Không đọc được tệp: {escape(reason)}\n<i>Could not read the file: {escape(reason)}</i>"


def progress(
    broadcast_id: int,
    title: str,
    *,
    done: int,
    total: int,
    rate: float,
    eta_seconds: float | None,
    failed: int,
    blocked: int,
    status: str,
) -> str:
    percent = 100.0 * done / total if total else 100.0
    state = {
        "paused": "⏸ Tạm dừng · Paused",
        "queued": "⏳ Chờ gửi · Queued",
        "done": "✅ Đã gửi xong · Done",
        "cancelled": "⏹ Đã hủy · Cancelled",
        "aborted": "🛑 Đã dừng · Aborted",
    }.get(status, "📤 Đang gửi · Sending")
    eta = _duration(eta_seconds) if eta_seconds is not None else "—"
    return (
        f"{state} — bản tin #{broadcast_id}\n<b>{escape(title)}</b>\n"
        f"Đã gửi · sent: <b>{_n(done)}/{_n(total)}</b> ({percent:.0f}%)\n"
        f"Tốc độ · rate: {rate:.1f} tin/giây · msg/s\n"
        f"Còn lại · time left: {eta}\n"
        f"Lỗi · failed: {_n(failed)} · Chặn bot · blocked: {_n(blocked)}"
    )


def final_report(
    broadcast_id: int,
    title: str,
    *,
    status: str,
    sent: int,
    total: int,
    failed: int,
    cancelled: int,
    blocked: int,
    errors: list[tuple[str, int]],
    duration_seconds: float | None,
    reason: str | None,
) -> str:
    head = {
        "done": "✅ Đã gửi xong · Delivered",
        "cancelled": "⏹ Đã hủy · Cancelled",
        "aborted": "🛑 Đã dừng vì lỗi nội dung · Aborted (content error)",
    }.get(status, status)
    lines = [
        f"{head} — bản tin #{broadcast_id}",
        f"<b>{escape(title)}</b>",
        f"Đã gửi · delivered: <b>{_n(sent)}/{_n(total)}</b> tin nhắn",
        f"Người dùng chặn bot · blocked: {_n(blocked)}",
        f"Không gửi được · failed: {_n(failed)} · Đã hủy · cancelled: {_n(cancelled)}",
    ]
    if duration_seconds is not None:
        lines.append(f"Thời gian · duration: {_duration(duration_seconds)}")
    if reason:
        lines.append(f"Lý do · reason: <code>{escape(reason)}</code>")
    if errors:
        lines.append("Lỗi thường gặp · errors:")
        lines += [f"• {escape(error)} — {_n(count)}" for error, count in errors]
    return "\n".join(lines)


def abort_alert(broadcast_id: int, reason: str) -> str:
    return (
        f"🛑 Bản tin #{broadcast_id} đã dừng: Telegram từ chối nội dung (mọi người nhận đều sẽ lỗi giống nhau). "
        "Hãy sửa nội dung rồi đăng lại.\n"
        f"<code>{escape(reason)}</code>\n"
        f"<i>Broadcast #{broadcast_id} stopped: Telegram rejected its content; fix it and publish again.</i>"
    )


def broadcasts_empty() -> str:
    return "Chưa có lần gửi nào. · <i>No broadcasts yet.</i>"


STATUS_LABELS = {
    "queued": "⏳ chờ · queued",
    "running": "📤 đang gửi · running",
    "paused": "⏸ tạm dừng · paused",
    "done": "✅ xong · done",
    "cancelled": "⏹ đã hủy · cancelled",
    "aborted": "🛑 dừng vì lỗi · aborted",
}


def broadcast_line(broadcast_id: int, title: str, month: str, status: str, sent: int, total: int, failed: int) -> str:
    label = STATUS_LABELS.get(status, status)
    return (
        f"#{broadcast_id} · tháng {month_label(month)} · {label}\n"
        f"   {escape(shorten(title, 80))}\n"
        f"   {_n(sent)}/{_n(total)} đã gửi · sent, {_n(failed)} lỗi · failed"
    )


def control_done(action: str, broadcast_id: int, ok: bool) -> str:
    names = {"pause": "tạm dừng · paused", "resume": "tiếp tục · resumed", "cancel": "hủy · cancelled"}
    if ok:
        return f"Bản tin #{broadcast_id}: đã {names.get(action, action)}."
    return f"Bản tin #{broadcast_id}: không thể {action} ở trạng thái hiện tại · not possible in its current state."
