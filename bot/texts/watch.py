"""What the admins read about watched portals: the offer of a bulletin found on one, ``/sources``, and
the outcome of approving or skipping. Vietnamese first, English beside it."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.texts.archive import shorten
from bot.texts.publish import vietnam_time

SKIP_BUTTON = "⏭ Bỏ qua · Skip"
SEND_ANYWAY_BUTTON = "⚠️ Gửi dù có cảnh báo · Send anyway"
MAX_LISTED = 30


def _both(vietnamese: str, english: str) -> str:
    return f"{vietnamese} · <i>{english}</i>"


def _link(url: str) -> str:
    return escape(shorten(url, 90))


def offer_notice(source_url: str, link: str, *, uncertain: bool, reasons: str) -> str:
    """The first lines of an offer's preview: where it was found, and a warning when unsure."""
    lines = [
        "🔔 "
        + _both(
            "Bản tin mới tìm thấy trên một trang đang theo dõi; xem lại rồi bấm <b>Gửi</b> hoặc <b>Bỏ qua</b>.",
            "A new bulletin was found on a watched portal; review it, then Send or Skip.",
        ),
        f"🌐 Trang theo dõi · <i>watched</i>: {_link(source_url)}",
    ]
    if link:
        lines.append(f"📰 Bài · <i>article</i>: {_link(link)}")
    if uncertain:
        lines.append(
            "⚠️ "
            + _both(
                "Chưa chắc đây là bản tin Hội nghị Báo cáo viên; hãy kiểm tra kỹ trước khi gửi.",
                "Not sure this is a reporters' conference bulletin; check it before sending.",
            )
        )
        if reasons:
            lines.append(f"<i>({escape(shorten(reasons, 200))})</i>")
    return "\n".join(lines)


def offer_skipped() -> str:
    return "⏭ " + _both(
        "Đã bỏ qua: bản tin vẫn được lưu trong kho nhưng không gửi cho ai.",
        "Skipped: the bulletin stays in the archive, sent to nobody.",
    )


def offer_decided_elsewhere(status: str, by: str | None) -> str:
    """Another admin's copy of an offer, once one of them decided."""
    who = escape(by) if by else "một quản trị viên khác"
    who_en = escape(by) if by else "another admin"
    if status == "sent":
        return "✅ " + _both(f"{who} đã bấm Gửi bản tin này.", f"{who_en} sent this bulletin.")
    return "⏭ " + _both(
        f"{who} đã bỏ qua bản tin này (vẫn lưu trong kho).", f"{who_en} skipped this bulletin (kept in the archive)."
    )


def auto_sent(source_url: str, link: str, title: str, recipients: int | None) -> str:
    head = "📤 " + _both(
        f"Bản tin mới từ trang theo dõi đã được gửi tự động: «{escape(shorten(title, 120))}».",
        "A new bulletin from a watched portal was sent automatically (the source is set to send without asking).",
    )
    lines = [head, f"🌐 {_link(source_url)}"]
    if link:
        lines.append(f"📰 {_link(link)}")
    if recipients is None:
        lines.append(_both("Mọi người đăng ký đã có bản tin này; không gửi gì.", "Everyone had it; nothing sent."))
    else:
        lines.append(_both(f"Người nhận: {recipients:,}.", f"Recipients: {recipients:,}."))
    return "\n".join(lines)


# --- /sources ---------------------------------------------------------------------------------------


def _when(stamp: str | None) -> str:
    if not stamp:
        return "chưa kiểm tra · <i>not checked yet</i>"
    vietnamese, english = vietnam_time(stamp)
    return f"{vietnamese} · <i>{english}</i>"


def source_line(index: int, url: str, *, kind: str | None, last_check: str | None, status: str | None,
                error: str | None, failures: int, items: int, found: int, auto: bool) -> str:  # fmt: skip
    state = "🟢" if failures == 0 and last_check else ("🔴" if failures else "⚪")
    lines = [
        f"{state} <b>{index}.</b> {_link(url)}" + (f" ({escape(kind)})" if kind else ""),
        f"    Lần kiểm tra cuối · <i>last check</i>: {_when(last_check)}"
        + (f" · {escape(shorten(status, 40))}" if status else ""),
        f"    {items:,} mục đã thấy · <i>items seen</i> · {found:,} bản tin · <i>bulletins</i>"
        + (" · 📤 tự gửi · <i>sends without asking</i>" if auto else ""),
    ]
    if failures and error:
        lines.append(
            f"    ⚠️ Lỗi · <i>error</i> ({failures} lần · <i>times</i>): {escape(shorten(error, 160))}; "
            "sẽ thử lại thưa dần · <i>retrying with back-off</i>"
        )
    return "\n".join(lines)


def sources_list(lines: Sequence[str], interval: float) -> str:
    if not lines:
        head = "📡 " + _both("Chưa theo dõi trang nào.", "No portal is watched yet.")
    else:
        head = "📡 " + _both(
            f"Các trang đang theo dõi ({len(lines)}), mỗi trang kiểm tra {_every(interval)} một lần:",
            f"watched portals ({len(lines)}), each checked every {_every_en(interval)}:",
        )
    body = "\n\n".join(lines[:MAX_LISTED])
    more = f"\n… +{len(lines) - MAX_LISTED}" if len(lines) > MAX_LISTED else ""
    return f"{head}\n\n{body}{more}\n\n{sources_usage()}" if lines else f"{head}\n\n{sources_usage()}"


def _every(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} giờ"
    if seconds >= 60:
        return f"{seconds / 60:g} phút"
    return f"{seconds:g} giây"


def _every_en(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def sources_usage() -> str:
    return "\n".join(
        [
            "<code>/sources add URL</code> — thêm một trang (RSS, Atom hoặc trang danh sách bài) · "
            "<i>add a feed or listing page</i>",
            "<code>/sources remove N</code> — thôi theo dõi trang số N · <i>stop watching source N</i>",
            "<code>/sources auto N on|off</code> — tự gửi không cần hỏi (mặc định tắt) · "
            "<i>send without asking (off by default)</i>",
        ]
    )


def source_added(url: str, *, again: bool) -> str:
    what = "Đã theo dõi lại" if again else "Đã thêm"
    what_en = "Watching again" if again else "Added"
    return "📡 " + _both(f"{what} {_link(url)}; đang kiểm tra…", f"{what_en}; checking it now…")


def source_already(url: str) -> str:
    return "📡 " + _both(f"Trang này đã được theo dõi: {_link(url)}", "This portal is already watched.")


def check_result(*, ok: bool, status: str, error: str | None, kind: str | None, listed: int, archived: int,
                 offered: int, not_bulletins: int, unread: int, backfill: bool) -> str:  # fmt: skip
    if not ok:
        return "⚠️ " + _both(
            f"Chưa đọc được trang này ({escape(status)}: {escape(shorten(error or '', 160))}). Bot sẽ thử lại sau.",
            "Could not read it yet; the bot will try again later.",
        )
    if status == "304":
        return "✅ " + _both("Trang không đổi kể từ lần kiểm tra trước.", "Not modified since the last check.")
    kind_vi = {"rss": "nguồn RSS", "atom": "nguồn Atom", "html": "trang danh sách"}.get(kind or "", "trang")
    lines = [
        "✅ "
        + _both(
            f"Đọc được {kind_vi} với {listed:,} mục.",
            f"Read a {kind or 'page'} listing {listed:,} item{'s' if listed != 1 else ''}.",
        )
    ]
    if backfill:
        lines.append(
            _both(
                f"Lần đầu: {archived:,} bản tin hội nghị được lưu vào kho (không gửi); "
                "các bài khác được ghi nhận là đã xem.",
                f"First check: {archived:,} bulletin(s) archived, not sent; every item recorded as seen.",
            )
        )
    else:
        lines.append(
            _both(
                f"{offered:,} bản tin mới được đưa ra để duyệt; {not_bulletins:,} bài không phải bản tin.",
                f"{offered:,} new bulletin(s) offered for review; {not_bulletins:,} item(s) are not bulletins.",
            )
        )
    if unread:
        lines.append(
            _both(f"{unread:,} bài chưa mở được, sẽ thử lại.", f"{unread:,} page(s) could not be read; retrying later.")
        )
    lines.append(
        _both(
            "Bài mới xuất hiện sau này sẽ được gửi cho quản trị viên duyệt.",
            "New items that appear later are offered to the admins.",
        )
    )
    return "\n".join(lines)


def source_removed(url: str) -> str:
    return "🗑 " + _both(f"Đã thôi theo dõi {_link(url)}.", "No longer watched.")


def auto_switched(url: str, on: bool) -> str:
    if on:
        return "📤 " + _both(
            f"Bản tin chắc chắn từ {_link(url)} sẽ được gửi ngay, không hỏi (bản chưa chắc vẫn được hỏi).",
            "Sure bulletins from it are sent without asking (uncertain ones are still offered).",
        )
    return "🔔 " + _both(f"Bản tin từ {_link(url)} sẽ được hỏi trước khi gửi.", "Its bulletins are offered first.")


def no_such_source(given: str, count: int) -> str:
    return "❓ " + _both(
        f"Không có trang số «{escape(shorten(given, 20))}»; danh sách có {count} trang (xem /sources).",
        f"No source number “{escape(shorten(given, 20))}”; there are {count} (see /sources).",
    )


def bad_source_url(given: str) -> str:
    return "❓ " + _both(
        f"«{escape(shorten(given, 80))}» không phải địa chỉ http(s). Ví dụ: /sources add https://tuyengiao.vn/rss",
        "Not an http(s) address. Example: /sources add https://tuyengiao.vn/rss",
    )


def not_running() -> str:
    return "⚠️ " + _both("Bộ theo dõi chưa chạy; thử lại sau ít phút.", "The watcher is not running; try again shortly.")
