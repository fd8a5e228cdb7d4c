"""Texts of a draft bulletin: collecting a paste in several messages, the preview's warning line and
edit tools, replaced drafts and "send anyway" (Telegram HTML; Vietnamese first, English beside it).

The preview's header and question, and the broadcast's progress, are in ``bot.texts.delivery``;
refusals of a file in ``bot.texts.ingest`` and of a text in ``bot.texts.parsing``.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.records import BulletinParseError
from bot.domain.rendering import month_label
from bot.services.drafts import Check, Concern, SplitPoint
from bot.texts.archive import shorten
from bot.texts.parsing import error_text, method_label

if TYPE_CHECKING:
    from bot.services.publishing import History
    from data.outbox import EarlierBroadcast


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _both(vietnamese: str, english: str) -> str:
    return f"{vietnamese} · <i>{english}</i>"


# --- buttons ------------------------------------------------------------------------------------------

DONE_BUTTON = "✅ Xong · Done"
STOP_COLLECTING_BUTTON = "✖️ Thôi · Stop"
EDIT_BUTTON = "✏️ Sửa · Edit"
SPLIT_BUTTON = "✂️ Tách đôi · Split"
REPLACE_BUTTON = "📝 Thay nội dung · Replace"
DROP_BUTTON = "🗑 Bỏ nhiệm vụ · Drop"
CLOSE_BUTTON = "↩️ Đóng · Close"
BACK_BUTTON = "↩️ Quay lại · Back"
MONTH_BUTTON = "📅 Đổi tháng · Month"
TITLE_BUTTON = "🏷 Đổi tiêu đề · Title"
REPARSE_BUTTON = "🔄 Tách lại · Re-parse"
SEND_ANYWAY_BUTTON = "⚠️ Vẫn gửi · Send anyway"


def merge_button(next_number: int) -> str:
    return f"🔗 Gộp với NV {next_number} · Merge with next"


def split_point_button(point: SplitPoint) -> str:
    """Where the second task would start: ¶ before a paragraph, … before a sentence."""
    mark = "¶" if point.kind == "paragraph" else "…"
    return f"✂️ {mark} {point.words}"


# --- collecting a bulletin pasted in several messages ----------------------------------------------------


def collecting(waiting_minutes: int) -> str:
    """After a bare /publish in a private chat."""
    return (
        "Hãy dán nội dung bản tin vào tin nhắn tiếp theo; bản tin dài có thể gửi thành nhiều tin nhắn, "
        f"rồi bấm «Xong». Bot chờ trong {waiting_minutes} phút; gõ <code>/cancel</code> để thôi. Cũng có "
        "thể gửi tệp (.txt, .html, .docx, .pdf) hoặc đường link bài viết.\n"
        "<i>Paste the bulletin in your next message; a long one may take several messages, then press "
        f"Done. The bot waits {waiting_minutes} minute{'s' if waiting_minutes != 1 else ''}; /cancel stops "
        "waiting. You can also upload a file (.txt, .html, .docx, .pdf) or send a link to the article.</i>"
    )


def part_received(parts: int, characters: int) -> str:
    return (
        f"📥 Đã nhận phần {parts} — tổng cộng {_n(characters)} ký tự. Nếu bản tin còn tiếp, hãy dán phần sau; "
        "khi đã đủ, bấm «Xong» để xem trước.\n"
        f"<i>Got part {parts}, {characters:,} characters in all. If the bulletin goes on, paste the next part; "
        "when it is all there, press Done to see the preview.</i>"
    )


def collection_gone() -> str:
    return (
        "Đợt gom bản tin này đã kết thúc (đã xem trước, đã hủy hoặc quá hạn). · "
        "<i>This collection is over (previewed, cancelled or expired).</i>"
    )


NOTHING_COLLECTED_ALERT = "Chưa có nội dung nào · Nothing pasted yet"
COLLECTION_GONE_ALERT = "Đợt gom này đã kết thúc · This collection is over"


# --- the preview -------------------------------------------------------------------------------------------


def source_line(origin: str, name: str | None) -> str | None:
    """Where the draft came from: a file's name or a page's address."""
    if not name:
        return None
    shown = escape(shorten(name, 80))
    if origin == "url":
        return f"🔗 Nguồn · <i>source</i>: {shown}"
    return f"📎 Tệp · <i>file</i>: {shown}"


def warning_line(check: Check) -> str:
    """The preview's one warning line: why the draft may be incomplete or wrongly split."""
    if check.concern is Concern.COUNT:
        return "⚠️ " + _both(
            f"Bài viết nêu {check.stated} nội dung nhưng bản nháp có {check.found} nhiệm vụ; "
            "hãy kiểm tra trước khi gửi.",
            f"The text announces {check.stated} items but the draft has {check.found}; check before sending.",
        )
    if check.concern is Concern.UNFINISHED:
        return "⚠️ " + _both(
            f"Nhiệm vụ {check.task} dừng giữa câu: văn bản có thể chưa đủ. Hãy dán tiếp phần còn thiếu hoặc sửa "
            "trước khi gửi.",
            f"Task {check.task} stops mid-sentence: the text may be incomplete. Add the missing part or fix it "
            "before sending.",
        )
    vietnamese, english = method_label(check.method)
    percent = round(check.confidence * 100)
    return "⚠️ " + _both(
        f"Độ tin cậy thấp ({percent}%): đã tách theo {vietnamese}. Hãy kiểm tra từng nhiệm vụ trước khi gửi.",
        f"Low confidence ({percent}%): split by {english}. Check each task before sending.",
    )


def change_line(change: tuple[str, ...]) -> str | None:
    """What the admin's last fix did, at the top of the preview."""
    if not change:
        return None
    kind, *args = change
    first = escape(args[0]) if args else "?"
    second = escape(args[1]) if len(args) > 1 else "?"
    match kind:
        case "merged":
            return "🔗 " + _both(f"Đã gộp nhiệm vụ {first} và {second}.", f"Tasks {first} and {second} were merged.")
        case "split":
            return "✂️ " + _both(f"Đã tách nhiệm vụ {first} làm hai.", f"Task {first} was split in two.")
        case "replaced":
            return "📝 " + _both(f"Đã thay nội dung nhiệm vụ {first}.", f"Task {first}'s text was replaced.")
        case "dropped":
            return "🗑 " + _both(f"Đã bỏ nhiệm vụ {first}.", f"Task {first} was dropped.")
        case "month":
            label = month_label(args[0]) if args else "?"
            return "📅 " + _both(f"Đã đổi tháng thành {label}.", f"The month is now {label}.")
        case "title":
            return "🏷 " + _both("Đã đổi tiêu đề.", "The title was changed.")
        case "reparsed":
            return "🔄 " + _both(
                "Đã tách lại từ đầu; các chỉnh sửa trước đó đã được bỏ.",
                "Split again from scratch; earlier edits were undone.",
            )
    return None


def edit_hint() -> str:
    return _both(
        "Bấm «✏️ Sửa» dưới một nhiệm vụ để gộp, tách, thay hoặc bỏ nó; trả lời (reply) một nhiệm vụ bằng nội "
        "dung đúng để thay nó.",
        "Press Edit under a task to merge, split, replace or drop it; reply to a task with the right text to "
        "replace it.",
    )


def check_before_sending() -> str:
    """Under the question when Send is replaced by Send anyway."""
    return _both(
        "Bản nháp có thể chưa đúng (xem cảnh báo). Hãy sửa, hoặc bấm «Vẫn gửi» nếu bạn đã kiểm tra.",
        "The draft may be wrong (see the warning). Fix it, or press Send anyway if you have checked it.",
    )


# --- edit tools ------------------------------------------------------------------------------------------


def split_choose(number: int) -> str:
    return f"Chọn chỗ tách nhiệm vụ {number} · Pick where task {number} splits"


def replace_prompt(number: int) -> str:
    return (
        f"📝 Hãy trả lời (reply) tin nhắn này bằng nội dung đúng của nhiệm vụ {number}.\n"
        f"<i>Reply to this message with the right text of task {number}.</i>"
    )


def title_prompt(current: str) -> str:
    return (
        f"🏷 Tiêu đề hiện tại: <b>{escape(current)}</b>\nHãy trả lời (reply) tin nhắn này bằng tiêu đề mới.\n"
        "<i>Reply to this message with the new title.</i>"
    )


def month_prompt(current: str) -> str:
    label = month_label(current) if current else "—"
    return (
        f"📅 Tháng hiện tại: <b>{label}</b>\nHãy trả lời (reply) tin nhắn này bằng tháng của hội nghị, ví dụ "
        "<code>11/2021</code>.\n<i>Reply to this message with the conference month, e.g. 11/2021.</i>"
    )


def bad_month(text: str) -> str:
    return (
        f"Không hiểu tháng «{escape(shorten(text, 40))}». Hãy ghi dạng <code>11/2021</code>. · "
        "<i>That is not a month; write it like 11/2021.</i>"
    )


def prompt_outdated() -> str:
    return (
        "Bản nháp đã thay đổi từ khi bot hỏi nên nội dung này chưa được dùng. Hãy bấm nút sửa lần nữa. · "
        "<i>The draft changed since the bot asked, so this was not used. Press the edit button again.</i>"
    )


def edited_text_empty() -> str:
    return "Nội dung trống nên không thay. · <i>The text is empty; nothing was replaced.</i>"


TOOLS_NOTICE = "Chọn cách sửa · Pick a fix"
REPLACE_NOTICE = "Trả lời tin nhắn bằng nội dung mới · Reply with the new text"
ASK_NOTICE = "Trả lời tin nhắn của bot · Reply to the bot's message"
OUTDATED_ALERT = "Bản xem trước này đã cũ, hãy dùng bản mới nhất · This preview is out of date; use the newest one"
CHANGED_ALERT = (
    "Bản nháp vừa thay đổi; hãy xem lại rồi bấm lần nữa · The draft changed just now; check it and press again"
)
GONE_ALERT = "Bản nháp này đã được gửi hoặc đã hủy · This draft was already sent or cancelled"
REPLACED_ALERT = "Bản nháp này đã được thay bằng bản mới hơn · This draft was replaced by a newer one"
NO_SPLIT_ALERT = "Nhiệm vụ chỉ có một câu, không tách được · One sentence only: nothing to split"
LAST_TASK_ALERT = "Đây là nhiệm vụ cuối, không có nhiệm vụ sau · This is the last task"
ONLY_TASK_ALERT = "Không bỏ được nhiệm vụ duy nhất · The only task can't be dropped"
REPARSE_UNAVAILABLE_ALERT = "Bản nháp này không còn nguồn để tách lại · No source kept to re-parse"


def reply_applied(change: tuple[str, ...]) -> str:
    """After a fix sent as a reply: what changed, and where to look."""
    line = change_line(change) or "✅"
    return f"{line}\n" + _both("Bản xem trước ở trên đã được cập nhật.", "The preview above is updated.")


def done_notice(change: tuple[str, ...]) -> str:
    """The toast after a fix (a callback answer: at most 200 characters, no HTML)."""
    kind = change[0] if change else ""
    return {
        "merged": "Đã gộp · Merged",
        "split": "Đã tách · Split",
        "replaced": "Đã thay · Replaced",
        "dropped": "Đã bỏ · Dropped",
        "month": "Đã đổi tháng · Month changed",
        "title": "Đã đổi tiêu đề · Title changed",
        "reparsed": "Đã tách lại · Re-parsed",
    }.get(kind, "Đã cập nhật · Updated")


# --- replaced drafts, outdated previews ---------------------------------------------------------------


def replaced_notice(title: str | None, month: str | None, parts: int | None = None) -> str:
    """Said with a new preview when the admin had another draft open: what happened to it."""
    if title is None:  # a collection that had not become a preview yet
        count = f"{parts} phần" if parts else "chưa có nội dung"
        english = f"{parts} part{'s' if parts != 1 else ''}" if parts else "nothing pasted yet"
        return "♻️ " + _both(
            f"Bản tin đang gom trước đó ({count}) đã được thay bằng bản này.",
            f"The bulletin being collected before ({english}) was replaced by this one.",
        )
    label = f" · tháng {month_label(month)}" if month else ""
    english_label = f", {month_label(month)}" if month else ""
    shown = escape(shorten(title or "không tiêu đề", 60))
    return "♻️ " + _both(
        f"Bản nháp trước («{shown}»{label}) đã được thay bằng bản này; các nút của nó không còn tác dụng.",
        f"The previous draft ('{shown}'{english_label}) was replaced by this one; its buttons no longer work.",
    )


def draft_replaced() -> str:
    """The old preview's question, edited in place once a newer draft replaced it."""
    return "♻️ " + _both(
        "Bản nháp này đã được thay bằng bản mới hơn (xem bên dưới); không có gì được gửi.",
        "This draft was replaced by a newer one (below); nothing was sent.",
    )


def preview_moved() -> str:
    """An old preview's header when a fresh preview of the same draft is posted below."""
    return "↪️ " + _both(
        "Bản xem trước này đã cũ; bản mới ở bên dưới.", "This preview is out of date; the current one is below."
    )


def removed_message() -> str:
    """A preview message that no longer shows anything (when it could not be deleted)."""
    return "— " + _both("(đã bỏ)", "(removed)")


# --- refusals ------------------------------------------------------------------------------------------------


def parse_refusal(exc: BulletinParseError, encoding: str | None = None) -> str:
    """A text that does not split into a bulletin: what was found and how to fix it; for a file
    that was not UTF-8, also how it was read (a wrongly guessed encoding reads as nonsense)."""
    lines = [
        "❌ " + _both("Không tách được bản tin thành các nhiệm vụ.", "Could not split the bulletin into tasks."),
        error_text(exc).removeprefix("❌ "),
    ]
    if encoding:
        name = escape(encoding)
        lines.append(
            _both(f"Tệp được đọc theo bảng mã {name} (không phải UTF-8).", f"The file was read as {name}, not UTF-8.")
        )
    return "\n".join(lines)


# --- the same bulletin again ------------------------------------------------------------------------------

RESEND_ALL_BUTTON = "🔁 Gửi lại cho tất cả · Resend to everyone"
CONFIRM_RESEND_BUTTON = "⚠️ Xác nhận gửi lại cho tất cả · Confirm: resend to everyone"
EVERYONE_HAS_IT_ALERT = "Mọi người đăng ký đã có bản tin này; không gửi gì · Everyone already has it; nothing was sent"
EARLIER_SHOWN = 3  # broadcasts of the bulletin named in the question; older ones are counted


def send_missing_button(missing: int) -> str:
    return f"📨 Gửi cho người chưa nhận ({_n(missing)}) · Send to those who have not got it"


def _vietnam_zone() -> dt.tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:  # no tz database (Windows without tzdata): Vietnam keeps UTC+7 all year
        return dt.timezone(dt.timedelta(hours=7), "ICT")


def vietnam_time(stamp: str) -> tuple[str, str]:
    """A stored UTC timestamp as Vietnam time: ("08:12 ngày 02/12/2026", "08:12 on 02/12/2026")."""
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(_vietnam_zone())
    clock, day = moment.strftime("%H:%M"), moment.strftime("%d/%m/%Y")
    return f"{clock} ngày {day}", f"{clock} on {day}"


def _en_people(n: int) -> str:
    return f"{n:,} {'person' if n == 1 else 'people'}"


def earlier_line(broadcast: EarlierBroadcast) -> str:
    """One earlier broadcast of the bulletin: when it went out and to how many, or how far it is."""
    vi_at, en_at = vietnam_time(broadcast.started_at or broadcast.created_at)
    number = f"#{broadcast.id}"
    received, recipients = broadcast.received, broadcast.recipients
    match broadcast.status:
        case "queued":
            return "⏳ " + _both(
                f"Bản tin này đã được xếp hàng lúc {vi_at} ({number}) cho {_n(recipients)} người, chưa bắt đầu gửi.",
                f"This bulletin was queued at {en_at} ({number}) for {_en_people(recipients)} and has not started.",
            )
        case "running":
            return "📤 " + _both(
                f"Bản tin này đang được gửi ({number}, từ {vi_at}): {_n(received)}/{_n(recipients)} người đã nhận.",
                f"This bulletin is being sent ({number}, since {en_at}): {received:,} of {recipients:,} have it.",
            )
        case "paused":
            return "⏸ " + _both(
                f"Bản tin này đang tạm dừng gửi ({number}, từ {vi_at}): {_n(received)}/{_n(recipients)} người đã nhận.",
                f"Sending this bulletin is paused ({number}, since {en_at}): {received:,} of {recipients:,} have it.",
            )
        case "done":
            return "✅ " + _both(
                f"Bản tin này đã được gửi lúc {vi_at} tới {_n(received)} người ({number}).",
                f"This bulletin went out at {en_at} to {_en_people(received)} ({number}).",
            )
    return "⏹ " + _both(  # cancelled or aborted part-way
        f"Bản tin này đã được gửi lúc {vi_at} tới {_n(received)} người rồi dừng giữa chừng ({number}).",
        f"This bulletin went out at {en_at} to {_en_people(received)}, then was stopped ({number}).",
    )


def _history_lines(history: History) -> list[str]:
    shown = history.earlier[-EARLIER_SHOWN:]
    lines = [earlier_line(b) for b in shown]
    older = len(history.earlier) - len(shown)
    if older:
        lines.insert(0, _both(f"(và {older} lần gửi trước nữa)", f"(and {older} earlier)"))
    return lines


def resend_prompt(title: str, month: str, history: History, warning: str | None = None) -> str:
    """The question under a preview of a bulletin that was broadcast before: when and to how many,
    how many do not have it, and the choice (those without it, or explicitly everyone)."""
    label = month_label(month)
    lines = [*_history_lines(history), f"<b>{escape(title)}</b> · tháng {label}"]
    total = history.subscribers
    if history.without:
        lines.append(
            f"Còn {_n(history.without)}/{_n(total)} người đăng ký chưa nhận. Gửi cho những người chưa nhận, hay "
            f"gửi lại cho tất cả {_n(total)} người?\n"
            f"<i>{history.without:,} of {total:,} subscribers have not got it. Send it to them, or resend it to "
            f"all {total:,}?</i>"
        )
    else:
        lines.append(
            f"Tất cả {_n(total)} người đăng ký đã nhận (hoặc đang chờ nhận) bản tin này; không cần gửi nữa.\n"
            f"<i>All {total:,} subscribers have it (or are about to); there is no one left to send it to. "
            "Resend it to everyone only if you mean to.</i>"
        )
    text = "\n".join(lines)
    return f"{text}\n\n{warning}" if warning else text


def confirm_resend(title: str, month: str, subscribers: int, have_it: int) -> str:
    """After "Resend to everyone": the explicit second step."""
    return (
        f"⚠️ Gửi lại <b>{escape(title)}</b> (tháng {month_label(month)}) cho tất cả {_n(subscribers)} người "
        f"đăng ký? {_n(have_it)} người đã có bản tin này sẽ nhận lại mọi nhiệm vụ lần nữa.\n"
        f"<i>Resend this bulletin ({month_label(month)}) to all {subscribers:,} subscribers? The {have_it:,} "
        "who already have it will get every task again.</i>"
    )


def left_out(have_it: int) -> str:
    """Under "queued" when the send left out those who already had the bulletin."""
    return "ℹ️ " + _both(
        f"{_n(have_it)} người đã có bản tin này nên không được gửi lại.",
        f"{have_it:,} subscriber{'s' if have_it != 1 else ''} already had it and were left out.",
    )


def nobody_left(history: History) -> str:
    """After Send when every active subscriber already had the bulletin: nothing was queued."""
    return "ℹ️ " + _both(
        f"Không gửi gì: tất cả {_n(history.subscribers)} người đăng ký đã có bản tin này. Muốn gửi lại cho mọi "
        "người thì bấm «Gửi lại cho tất cả».",
        f"Nothing was sent: all {history.subscribers:,} subscribers already have this bulletin. To send it to "
        "everyone again, press Resend to everyone.",
    )


def everyone_has_it(have_it: int) -> str:
    """The CLI's line when every active subscriber already has the bulletin (nothing queued)."""
    return _both(
        f"Tất cả {_n(have_it)} người đăng ký đã có bản tin này; không xếp hàng gì.",
        f"All {have_it:,} subscribers already have this bulletin; nothing was queued.",
    )
