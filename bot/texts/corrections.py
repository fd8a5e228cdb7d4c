"""What admins and subscribers read about corrections (issue 12, point 4): edit a task's text, retract
it, or send a notice that replies to it. Vietnamese first, English beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Protocol

from bot.texts.archive import shorten


class _Tally(Protocol):
    @property
    def done(self) -> int: ...
    @property
    def not_modified(self) -> int: ...
    @property
    def edited_instead(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def cancelled(self) -> int: ...
    @property
    def pending(self) -> int: ...


def _n(value: int) -> str:
    """Vietnamese thousands separator: 12.345."""
    return f"{value:,}".replace(",", ".")


# -- buttons ---------------------------------------------------------------------------------------
CORRECT_BUTTON = "✏️ Đính chính · Correct"
EDIT_BUTTON = "✏️ Sửa nội dung · Edit text"
RETRACT_BUTTON = "🗑 Thu hồi · Retract"
NOTICE_BUTTON = "📣 Gửi đính chính · Send notice"
CONFIRM_BUTTON = "✅ Xác nhận · Confirm"
CANCEL_BUTTON = "✖️ Hủy · Cancel"
BACK_BUTTON = "↩️ Chọn nhiệm vụ khác · Other task"


def correct_button(broadcast_id: int) -> str:
    """Under a finished broadcast in /broadcasts (its controls, while active, start with "#id")."""
    return f"✏️ Đính chính #{broadcast_id} · Correct"


def task_button(number: int) -> str:
    return f"Nhiệm vụ {number} · Task {number}"


# -- the dialog ------------------------------------------------------------------------------------
USAGE = (
    "Cách dùng: <code>/dinhchinh SỐ</code> — số của lần gửi trong /broadcasts.\n"
    "<i>Usage: <code>/correct ID</code> — the broadcast's number in /broadcasts.</i>"
)
EMPTY_TEXT = "Nội dung trống. Hãy gửi lại. · <i>The text is empty. Please send it again.</i>"
NOBODY = (
    "Không có ai đã nhận nhiệm vụ này: không có gì để đính chính. · "
    "<i>Nobody received this task: nothing to correct.</i>"
)
EXPIRED = (
    "Yêu cầu đính chính này đã hết hạn (bot đã khởi động lại hoặc đã làm xong). Mở lại bằng /dinhchinh. · "
    "<i>This correction request expired (the bot restarted, or it is done). Start again with /correct.</i>"
)
CANCELLED = "Đã hủy đính chính. · <i>Correction cancelled.</i>"
CANCELLED_ALERT = "Đã hủy · Cancelled"


def no_such_broadcast(broadcast_id: int) -> str:
    return f"Không có lần gửi #{broadcast_id}. · <i>There is no broadcast #{broadcast_id}.</i> /broadcasts"


def no_such_task(broadcast_id: int, number: int) -> str:
    return (
        f"Lần gửi #{broadcast_id} không có nhiệm vụ {number}. · <i>Broadcast #{broadcast_id} has no task {number}.</i>"
    )


def is_a_correction(broadcast_id: int, original: int) -> str:
    return (
        f"#{broadcast_id} là một lần đính chính; hãy đính chính bản tin gốc: /dinhchinh {original} · "
        f"<i>#{broadcast_id} is a correction; correct the original: /correct {original}</i>"
    )


def is_a_reminder(broadcast_id: int) -> str:
    return (
        f"#{broadcast_id} là tin nhắc «Đã nhận», không có nhiệm vụ để đính chính. · "
        f"<i>#{broadcast_id} is a reminder; it has no task to correct.</i>"
    )


def still_sending(broadcast_id: int) -> str:
    return (
        f"Lần gửi #{broadcast_id} chưa xong; đính chính khi đã gửi xong (hoặc hủy nó). · "
        f"<i>Broadcast #{broadcast_id} is still going; correct it once it has finished (or cancel it).</i>"
    )


def too_long(number: int, parts: int) -> str:
    return (
        f"Nội dung mới của nhiệm vụ {number} cần nhiều tin nhắn hơn bản đã gửi ({parts}). "
        "Hãy rút gọn rồi gửi lại. · "
        f"<i>The new text of task {number} needs more messages than were sent ({parts}). "
        "Shorten it and send it again.</i>"
    )


def notice_too_long(limit: int) -> str:
    return (
        f"Thông báo đính chính cần ngắn (tối đa {_n(limit)} ký tự). · "
        f"<i>A correction notice must be short (at most {_n(limit)} characters).</i>"
    )


def choose_task(broadcast_id: int, title: str, tasks: Sequence[tuple[int, str]]) -> str:
    """The first step: which task of the broadcast. ``tasks``: (number, its text as archived)."""
    lines = [
        f"✏️ <b>Đính chính lần gửi #{broadcast_id}</b> · <i>Correct broadcast #{broadcast_id}</i>",
        f"<b>{escape(shorten(title, 80))}</b>",
        "Chọn nhiệm vụ cần đính chính: · <i>Choose the task to correct:</i>",
    ]
    lines += [f"<b>{number}.</b> {escape(shorten(text, 90))}" for number, text in tasks]
    return "\n".join(lines)


def choose_kind(broadcast_id: int, number: int, text: str) -> str:
    return (
        f"✏️ Lần gửi #{broadcast_id} · nhiệm vụ {number} · <i>broadcast #{broadcast_id}, task {number}</i>\n"
        f"{escape(shorten(text, 300))}\n\n"
        "Sửa nội dung cho mọi người đã nhận, thu hồi, hay gửi một thông báo đính chính trả lời tin này? · "
        "<i>Edit the text for everyone who got it, retract it, or send a correction notice replying to it?</i>"
    )


def ask_edit(broadcast_id: int, number: int) -> str:
    return (
        f"✏️ Gửi nội dung mới của nhiệm vụ {number} (lần gửi #{broadcast_id}) trong tin nhắn tiếp theo, "
        "chỉ phần nội dung, không cần tiêu đề. · "
        f"<i>Send the new text of task {number} (broadcast #{broadcast_id}) as your next message: the text "
        "only, no header.</i>"
    )


def ask_notice(broadcast_id: int, number: int) -> str:
    return (
        f"📣 Gõ thông báo đính chính ngắn cho nhiệm vụ {number} (lần gửi #{broadcast_id}); nó sẽ được gửi "
        "dưới dạng trả lời tin nhắn của nhiệm vụ đó. · "
        f"<i>Type a short correction notice for task {number} (broadcast #{broadcast_id}); it goes as a "
        "reply to that task's message.</i>"
    )


def preview_head(kind: str, number: int) -> str:
    if kind == "edit":
        return f"👁 Xem trước · <i>Preview</i> — nhiệm vụ {number} sẽ thành: · <i>task {number} will read:</i>"
    return f"👁 Xem trước · <i>Preview</i> — thông báo trả lời nhiệm vụ {number}: · <i>the notice:</i>"


def confirm(kind: str, broadcast_id: int, number: int, chats: int) -> str:
    """The question before anything is queued, with the exact number of chats."""
    if kind == "edit":
        return (
            f"Sửa nhiệm vụ {number} của lần gửi #{broadcast_id} ở <b>{_n(chats)}</b> cuộc trò chuyện? · "
            f"<i>Edit task {number} of broadcast #{broadcast_id} in {_n(chats)} chats?</i>"
        )
    if kind == "retract":
        return (
            f"🗑 Thu hồi nhiệm vụ {number} của lần gửi #{broadcast_id} ở <b>{_n(chats)}</b> cuộc trò chuyện? "
            "Tin gửi chưa quá 48 giờ sẽ bị xoá; tin cũ hơn được sửa thành «đã thu hồi». · "
            f"<i>Retract task {number} of broadcast #{broadcast_id} in {_n(chats)} chats? Messages under 48 "
            "hours old are deleted; older ones are edited into a “withdrawn” notice.</i>"
        )
    return (
        f"Gửi thông báo này tới <b>{_n(chats)}</b> cuộc trò chuyện, trả lời nhiệm vụ {number}? · "
        f"<i>Send this notice to {_n(chats)} chats, replying to task {number}?</i>"
    )


_KIND = {
    "edit": ("sửa nội dung", "edit"),
    "retract": ("thu hồi", "retract"),
    "notice": ("thông báo đính chính", "notice"),
}


def queued(kind: str, correction_id: int, original: int, number: int, chats: int) -> str:
    vietnamese, english = _KIND.get(kind, (kind, kind))
    return (
        f"✅ Đã xếp hàng đính chính #{correction_id} ({vietnamese}) nhiệm vụ {number} của #{original} "
        f"cho {_n(chats)} cuộc trò chuyện; tiến độ ở /broadcasts. · "
        f"<i>Correction #{correction_id} ({english}) of task {number} of #{original} queued for "
        f"{_n(chats)} chats; progress in /broadcasts.</i>"
    )


def action_detail(correction_id: int, number: int) -> str:
    """The detail recorded with the admin's action on the original broadcast."""
    return f"#{correction_id}, nhiệm vụ {number} · task {number}"


# -- what subscribers see ----------------------------------------------------------------------------
# The archived text of a withdrawn task: archive answers show this in its place, and its old words
# are no longer found by search.
WITHDRAWN_ARCHIVE = "🚫 Nhiệm vụ này đã được thu hồi. · This task has been withdrawn."


def withdrawn_part(header: str) -> str:
    """What a retracted part is edited into where it can no longer be deleted; ``header`` is the
    part's own bold header as sent (HTML), so the reader sees which task went."""
    head = f"<b>{header}</b>\n\n" if header else ""
    return f"{head}🚫 <i>Nhiệm vụ này đã thu hồi · This task has been withdrawn.</i>"


def merged_part(header: str) -> str:
    """A part left over when an edited task needs fewer messages than it had."""
    head = f"<b>{header}</b>\n\n" if header else ""
    return f"{head}<i>(Phần này đã được gộp vào phần trên · This part was merged into the one above.)</i>"


def notice_message(number: int, text: str) -> str:
    return f"📣 <b>Đính chính nhiệm vụ {number} · Correction to task {number}</b>\n\n{escape(text)}"


# -- reports -----------------------------------------------------------------------------------------
def correction_head(correction_id: int, original: int, number: int, kind: str) -> str:
    vietnamese, english = _KIND.get(kind, (kind, kind))
    return (
        f"✏️ Đính chính #{correction_id} của lần gửi #{original}, nhiệm vụ {number} ({vietnamese}) · "
        f"<i>correction of #{original}, task {number} ({english})</i>"
    )


def tally_line(kind: str, tally: _Tally) -> str:
    """ "Đã sửa 57 · Edited 57, không đổi 2 · not modified 2, lỗi 1 · failed 1" and the like."""
    if kind == "edit":
        parts = [
            f"Đã sửa {_n(tally.done)} · Edited {_n(tally.done)}",
            f"không đổi {_n(tally.not_modified)} · not modified {_n(tally.not_modified)}",
        ]
    elif kind == "retract":
        parts = [
            f"Đã xoá {_n(tally.done)} · Deleted {_n(tally.done)}",
            f"sửa thành «đã thu hồi» {_n(tally.edited_instead)} · edited into notice {_n(tally.edited_instead)}",
        ]
    else:
        parts = [f"Đã gửi {_n(tally.done)} · Sent {_n(tally.done)}"]
    parts.append(f"lỗi {_n(tally.failed)} · failed {_n(tally.failed)}")
    if tally.cancelled:
        parts.append(f"bỏ qua {_n(tally.cancelled)} · skipped {_n(tally.cancelled)}")
    if tally.pending:
        parts.append(f"còn chờ {_n(tally.pending)} · pending {_n(tally.pending)}")
    return ", ".join(parts)


_STATUS = {
    "done": "xong · done",
    "running": "đang gửi · running",
    "queued": "chờ · queued",
    "paused": "tạm dừng · paused",
    "cancelled": "đã hủy · cancelled",
    "aborted": "dừng vì lỗi · aborted",
}


def corrections_line(made: Sequence[tuple[int, str, str]]) -> str:
    """Under a corrected broadcast: its corrections, (id, kind, status) oldest first."""
    counted = {kind: sum(1 for _, k, _ in made if k == kind) for kind in ("edit", "retract", "notice")}
    head = (
        f"✏️ Đính chính · <i>Corrections</i>: sửa {counted['edit']} · edited {counted['edit']}, "
        f"thu hồi {counted['retract']} · retracted {counted['retract']}, "
        f"thông báo {counted['notice']} · notices {counted['notice']}"
    )
    listed = "; ".join(f"#{i} {_KIND.get(k, (k, k))[0]} ({_STATUS.get(s, s)})" for i, k, s in made[-5:])
    return f"{head} — {listed}"


def correct_link(broadcast_id: int) -> str:
    """Under a finished broadcast's final report: the command that corrects one of its tasks."""
    return f"✏️ Đính chính · <i>Correct a task</i>: /dinhchinh_{broadcast_id}"
