"""Texts admins see: the publish dialog and its preview, progress, final report, list, controls, alerts."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.domain.rendering import month_label
from bot.texts import acks as ack_texts
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


def preview_header(
    title: str,
    month: str,
    tasks: int,
    messages: int,
    recipients: int,
    warnings: Sequence[str] = (),
    *,
    notes: Sequence[str] = (),
    hint: str | None = None,
) -> str:
    """The first message of a preview. ``warnings`` are ready lines (the preview has at most one,
    ``bot.texts.publish.warning_line``); ``notes`` say where the draft came from, its encoding and
    the last fix; ``hint`` how to fix the split."""
    lines = [
        "📝 <b>Xem trước bản tin</b> · <i>Preview</i>",
        f"<b>{escape(title)}</b>",
        f"Tháng {month_label(month)} · {tasks} nhiệm vụ · {messages} tin nhắn · "
        f"<i>{_en(tasks, 'task')}, {_en(messages, 'message')}</i>",
        f"Sẽ gửi tới <b>{_n(recipients)}</b> người đăng ký · <i>to {_en(recipients, 'subscriber')}</i>",
        *notes,
        *warnings,
        "",
        "Dưới đây là đúng các tin nhắn sẽ được gửi. · <i>Below are exactly the messages that will go out.</i>",
    ]
    if hint:
        lines.append(hint)
    return "\n".join(lines)


def confirm_prompt(title: str, month: str, recipients: int, warning: str | None = None) -> str:
    """The question under a preview, naming the bulletin: an admin may have several previews open.
    With a ``warning``, what to check before pressing Send anyway."""
    text = (
        f"Gửi bản tin này tới {_n(recipients)} người đăng ký?\n"
        f"<b>{escape(title)}</b> · tháng {month_label(month)}\n"
        f"<i>Send this bulletin ({month_label(month)}) to {_en(recipients, 'subscriber')}?</i>"
    )
    return f"{text}\n\n{warning}" if warning else text


SEND_BUTTON = "✅ Gửi · Send"
CANCEL_BUTTON = "✖️ Hủy · Cancel"
PAUSE_BUTTON = "⏸ Tạm dừng · Pause"
RESUME_BUTTON = "▶️ Tiếp tục · Resume"
STOP_BUTTON = "⏹ Hủy gửi · Cancel"
PREV_BUTTON = "◀ Trước · Prev"
NEXT_BUTTON = "Sau · Next ▶"


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
    """A bare /publish in a group, where the bot does not take the admin's next message (in a private
    chat it waits: ``bot.texts.publish.collecting``)."""
    return (
        "Dán nội dung bản tin ngay sau lệnh <code>/publish</code> trong cùng một tin nhắn, hoặc gửi tệp "
        "(.txt, .html, .docx, .pdf) kèm chú thích <code>/publish</code>. Bản tin dài nhiều tin nhắn thì hãy "
        "gửi cho bot trong chat riêng.\n"
        "<i>Paste the bulletin right after /publish in the same message, or upload a file (.txt, .html, .docx, "
        ".pdf) with the caption /publish. Send a bulletin longer than one message to the bot in a private "
        "chat.</i>"
    )


def collecting_timed_out(waiting_minutes: int) -> str:
    return (
        f"⌛ Đã chờ {waiting_minutes} phút mà chưa nhận được bản tin nên bot thôi chờ: tin nhắn tiếp theo "
        "của bạn sẽ được hiểu là câu hỏi như thường. Gõ <code>/publish</code> khi bạn sẵn sàng.\n"
        f"<i>No bulletin arrived within {_en(waiting_minutes, 'minute')}, so the bot stopped waiting: your "
        "next message is read as a question again. Send /publish when you are ready.</i>"
    )


def collecting_cancelled() -> str:
    return "Đã thôi chờ bản tin; không có gì được gửi. · <i>Stopped waiting for a bulletin; nothing was sent.</i>"


# Why an upload could not be fetched from Telegram: (Vietnamese, English). What the loaders refuse
# is worded by ``bot.texts.ingest.refusal``.
_FILE_PROBLEMS = {
    "not_text_file": (
        "chỉ nhận tệp .txt, .html, .docx hoặc .pdf",
        "only .txt, .html, .docx or .pdf files are accepted",
    ),
    "too_large": ("tệp lớn hơn 10 MB", "the file is larger than 10 MB"),
    "download_failed": ("không tải được tệp từ Telegram, hãy gửi lại", "it could not be downloaded; send it again"),
    "not_utf8": ("tệp không phải văn bản đọc được", "it is not readable text"),
}


def bad_file(problem: str) -> str:
    vietnamese, english = _FILE_PROBLEMS.get(problem, (problem, problem))
    return f"❌ Không đọc được tệp: {vietnamese}.\n<i>Could not read the file: {english}.</i>"


def admins_only(action: str) -> str:
    """A user who is not one of the bot's admins (ADMIN_IDS) tried /publish or /broadcasts."""
    if action == "sources":
        return (
            "Xin lỗi, chỉ quản trị viên của bot mới được quản lý các trang theo dõi. "
            "Bạn vẫn có thể hỏi các bản tin đã có.\n"
            "<i>Sorry, only the bot's admins can manage watched portals. You can still ask about past "
            "bulletins.</i>"
        )
    if action == "broadcasts":
        return (
            "Xin lỗi, chỉ quản trị viên của bot mới được xem và điều khiển việc gửi bản tin. "
            "Bạn vẫn có thể hỏi các bản tin đã có.\n"
            "<i>Sorry, only the bot's admins can see and control deliveries. You can still ask about "
            "past bulletins.</i>"
        )
    return (
        "Xin lỗi, chỉ quản trị viên của bot mới được đăng bản tin. Bạn vẫn có thể hỏi các bản tin đã có.\n"
        "<i>Sorry, only the bot's admins can publish bulletins. You can still ask about past ones.</i>"
    )


ADMINS_ONLY_ALERT = "Chỉ quản trị viên của bot · Bot admins only"
QUEUING_NOTICE = "Đang xếp hàng gửi · Queuing"
CANCELLED_NOTICE = "Đã hủy · Cancelled"
STALE_BUTTON_NOTICE = "Nút này đã cũ · This button is out of date"


def queued_progress(broadcast_id: int, title: str, total: int) -> str:
    """The progress message as first posted, when a broadcast has just been queued."""
    return progress(
        broadcast_id, title, done=0, total=total, rate=0.0, eta_seconds=None, failed=0, blocked=0, status="queued"
    )


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
    pacing: tuple[float, float] | None = None,
    acked: tuple[int, int] | None = None,
    done_by: str | None = None,
) -> str:
    """``pacing``: the rate the Pacer is using and the configured limit (lower after a 429, or on a
    loaded machine), shown beside the achieved rate. ``acked``: (acknowledged, received) of the
    "Đã nhận" button. ``done_by``: who sent it and the latest action
    (``bot.texts.admin_actions.summary``)."""
    percent = 100.0 * done / total if total else 100.0
    state = {
        "paused": "⏸ Tạm dừng · Paused",
        "queued": "⏳ Chờ gửi · Queued",
        "done": "✅ Đã gửi xong · Done",
        "cancelled": "⏹ Đã hủy · Cancelled",
        "aborted": "🛑 Đã dừng · Aborted",
    }.get(status, "📤 Đang gửi · Sending")
    eta = _duration(eta_seconds) if eta_seconds is not None else "—"
    pace = ""
    if pacing is not None:
        in_use, limit = pacing
        pace = f" (giới hạn đang dùng · pacing at {in_use:.1f}/{limit:g})"
    lines = [
        f"{state} — bản tin #{broadcast_id}\n<b>{escape(title)}</b>",
        f"Đã gửi · sent: <b>{_n(done)}/{_n(total)}</b> ({percent:.0f}%)",
        f"Tốc độ · rate: {rate:.1f} tin/giây · msg/s{pace}",
        f"Còn lại · time left: {eta}",
        f"Lỗi · failed: {_n(failed)} · Chặn bot · blocked: {_n(blocked)}",
    ]
    if acked is not None:
        lines.append(ack_texts.rate(*acked).capitalize())
    if done_by is not None:
        lines.append(done_by)
    return "\n".join(lines)


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
    acked: tuple[int, int] | None = None,
    done_by: Sequence[str] = (),
) -> str:
    """``done_by``: who did what to it (``bot.texts.admin_actions.report_lines``)."""
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
    if acked is not None:
        lines.append(ack_texts.rate(*acked).capitalize())
    if duration_seconds is not None:
        lines.append(f"Thời gian · duration: {_duration(duration_seconds)}")
    if reason:
        lines.append(f"Lý do · reason: <code>{escape(reason)}</code>")
    if errors:
        lines.append("Lỗi thường gặp · errors:")
        lines += [f"• {escape(error)} — {_n(count)}" for error, count in errors]
    lines += done_by
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
    "scheduled": "🗓 hẹn giờ · scheduled",
    "done": "✅ xong · done",
    "cancelled": "⏹ đã hủy · cancelled",
    "aborted": "🛑 dừng vì lỗi · aborted",
}


def broadcasts_header(active: int) -> str:
    """The first line of /broadcasts: how many broadcasts are still active (listed first)."""
    if not active:
        return "📋 <b>Các lần gửi bản tin</b> · <i>Broadcasts</i> — không có lần nào chưa xong · <i>none active</i>"
    return f"📋 <b>Các lần gửi bản tin</b> · <i>Broadcasts</i> — {_n(active)} chưa xong · <i>{_n(active)} active</i>"


def page_line(page: int, pages: int) -> str:
    return f"Trang {page}/{pages} · <i>Page {page}/{pages}</i>"


def _ids(broadcast_ids: Sequence[int]) -> str:
    return ", ".join(f"#{i}" for i in broadcast_ids)


def waiting_line(ahead: Sequence[int]) -> str:
    """Why a queued broadcast has sent nothing yet: the earlier ones it waits for in the same chats
    (a chat gets broadcasts in order), or nothing, and it starts in a moment."""
    if not ahead:
        return "▶️ sẽ bắt đầu trong giây lát · <i>starts in a moment</i>"
    return (
        f"⏳ chờ bản tin {_ids(ahead)} gửi xong cho cùng người nhận · "
        f"<i>waiting for {_ids(ahead)} to finish in the same chats</i>"
    )


def broadcast_line(
    broadcast_id: int,
    title: str,
    month: str,
    status: str,
    sent: int,
    total: int,
    failed: int,
    *,
    waiting: Sequence[int] | None = None,
) -> str:
    """One broadcast in /broadcasts; ``waiting`` (a queued one): the broadcasts it waits for."""
    label = STATUS_LABELS.get(status, status)
    line = (
        f"#{broadcast_id} · tháng {month_label(month)} · {label}\n"
        f"   {escape(shorten(title, 80))}\n"
        f"   {_n(sent)}/{_n(total)} đã gửi · sent, {_n(failed)} lỗi · failed"
    )
    return line if waiting is None else f"{line}\n   {waiting_line(waiting)}"


# (Vietnamese verb, English verb, English past participle) of each control.
_CONTROLS = {
    "pause": ("tạm dừng", "pause", "paused"),
    "resume": ("tiếp tục", "resume", "resumed"),
    "cancel": ("hủy", "cancel", "cancelled"),
    "sendnow": ("bắt đầu gửi", "send now", "started"),
}
# Where a broadcast is, in words that fit "Bản tin #3 …" and "Broadcast #3 is …".
_STATES = {
    "queued": ("đang chờ gửi", "queued"),
    "running": ("đang gửi", "sending"),
    "paused": ("đang tạm dừng", "paused"),
    "scheduled": ("đã được hẹn giờ", "scheduled"),
    "done": ("đã gửi xong", "done"),
    "cancelled": ("đã bị hủy", "cancelled"),
    "aborted": ("đã dừng vì lỗi nội dung", "stopped by a content error"),
}


def control_done(action: str, broadcast_id: int) -> str:
    vietnamese, _, english = _CONTROLS[action]
    return f"Bản tin #{broadcast_id}: đã {vietnamese}. · Broadcast #{broadcast_id} {english}."


def control_refused(action: str, broadcast_id: int, status: str) -> str:
    """The control does not apply to where the broadcast is now (e.g. pausing one that is done)."""
    verb, _, english = _CONTROLS[action]
    where, english_where = _STATES.get(status, (status, status))
    return (
        f"Bản tin #{broadcast_id} {where}, không thể {verb}. · "
        f"Broadcast #{broadcast_id} is {english_where}; it can't be {english} now."
    )


def control_unknown(broadcast_id: int) -> str:
    return f"Không có bản tin #{broadcast_id}. · There is no broadcast #{broadcast_id}."


def control_unavailable() -> str:
    return "Bộ gửi tin không chạy nên chưa điều khiển được. · Delivery is not running; try again later."
