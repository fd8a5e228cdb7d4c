"""Answers about documents the bot cannot read, and the encoding line of a preview (Telegram HTML)."""

from __future__ import annotations

from html import escape

from bot.ingest.errors import MAX_BYTES, Reason, UnsupportedDocument

_MB = 1024 * 1024


def accepted() -> str:
    """What the bot reads, in both languages (ends every refusal)."""
    limit = MAX_BYTES // _MB
    return (
        f"Bot đọc được: văn bản dán trực tiếp, tệp .txt, .html/.htm, .docx (Word), .pdf có lớp chữ, hoặc một "
        f"đường link tới trang tin; tối đa {limit} MB.\n"
        f"<i>Accepted: pasted text, .txt, .html/.htm, .docx (Word), .pdf with a text layer, or a link to the "
        f"page; up to {limit} MB.</i>"
    )


def _size(value: object) -> str:
    if isinstance(value, int) and value >= _MB:
        return f"{value / _MB:.1f} MB"
    if isinstance(value, int):
        return f"{max(1, value // 1024)} KB"
    return "?"


def _kind(error: UnsupportedDocument) -> str:
    kind = error.details.get("kind")
    return escape(str(kind)) if kind else ""


def refusal(error: UnsupportedDocument) -> str:
    """Why the document was refused and what to send instead, Vietnamese first, English in italics."""
    vi, en = _reason(error)
    return f"⚠️ {vi}\n<i>{en}</i>\n\n{accepted()}"


def _reason(error: UnsupportedDocument) -> tuple[str, str]:
    reason = error.reason
    kind = _kind(error)
    details = error.details
    if reason is Reason.EMPTY:
        return "Tệp hoặc tin nhắn không có nội dung.", "The file or message is empty."
    if reason is Reason.TOO_LARGE:
        if "tags" in details:
            return (
                "Trang HTML quá phức tạp để đọc (quá nhiều thẻ). Hãy dán nội dung bài hoặc gửi link bài viết.",
                "The HTML page is too complex to read (too much markup). Paste the article's text or send its link.",
            )
        if "pages" in details:
            pages, limit = details.get("pages"), details.get("limit")
            return (
                f"Tệp PDF dài quá {limit} trang, không giống một bản tin.",
                f"The PDF has more than {limit} pages ({pages}); that is not a bulletin.",
            )
        size, limit = _size(details.get("size")), _size(details.get("limit"))
        return f"Tệp quá lớn ({size}; tối đa {limit}).", f"The file is too large ({size}; the limit is {limit})."
    if reason is Reason.LEGACY_WORD:
        name = "RTF" if kind == "rtf" else "Word 97-2003 (.doc)"
        return (
            f"Bot chưa đọc được tệp {name}. Hãy mở tệp trong Word và lưu lại dạng .docx hoặc PDF, rồi gửi lại.",
            f"{name} files cannot be read. Open it in Word, save it as .docx or PDF, and send it again.",
        )
    if reason is Reason.IMAGE:
        return (
            f"Đây là một ảnh ({kind}), bot không đọc chữ trong ảnh. Hãy gửi văn bản, tệp Word hoặc link bài viết.",
            f"This is a picture ({kind}); the bot does not read text in pictures. "
            "Send the text, the Word file or a link instead.",
        )
    if reason is Reason.ARCHIVE:
        return (
            f"Đây là tệp nén ({kind}). Hãy giải nén và gửi riêng tệp bản tin.",
            f"This is an archive ({kind}). Unpack it and send the bulletin file itself.",
        )
    if reason is Reason.UNSUPPORTED_FORMAT:
        return (
            f"Bot không đọc được loại tệp này ({kind or 'không rõ'}).",
            f"This kind of file cannot be read ({kind or 'unknown'}).",
        )
    if reason is Reason.NOT_TEXT:
        return (
            "Tệp không phải văn bản đọc được (có thể là tệp nhị phân hoặc sai bảng mã).",
            "The file is not readable text (binary data, or an encoding the bot does not know).",
        )
    if reason is Reason.DAMAGED:
        name = f" {kind}" if kind else ""
        return (
            f"Không mở được tệp{name}: tệp có thể bị hỏng. Hãy lưu lại rồi gửi lần nữa.",
            f"The{name} file could not be opened; it may be damaged. Save it again and resend.",
        )
    if reason is Reason.NO_TEXT:
        return "Tệp không có chữ nào.", "The document holds no text."
    if reason is Reason.PDF_NO_TEXT_LAYER:
        return (
            "Tệp PDF này là bản quét (ảnh chụp trang), không có lớp chữ. Hãy gửi bản Word, bản PDF xuất từ "
            "Word, hoặc dán nội dung.",
            "This PDF is a scan (pictures of pages) with no text layer. Send the Word file, a PDF exported "
            "from Word, or paste the text.",
        )
    if reason is Reason.PDF_ENCRYPTED:
        return (
            "Tệp PDF có mật khẩu, bot không mở được. Hãy gửi bản không đặt mật khẩu.",
            "This PDF is password-protected. Send a copy without a password.",
        )
    if reason is Reason.BAD_URL:
        return (
            "Đường link không hợp lệ (cần bắt đầu bằng http:// hoặc https://).",
            "That is not a valid link (it must start with http:// or https://).",
        )
    if reason is Reason.UNREACHABLE:
        return (
            "Không kết nối được tới trang web (sai địa chỉ, trang đang lỗi hoặc chặn truy cập).",
            "Could not reach the website (wrong address, the site is down, or it refused the connection).",
        )
    if reason is Reason.TIMEOUT:
        seconds = details.get("seconds")
        return (
            f"Trang web không trả lời trong {seconds:g} giây. Hãy thử lại sau hoặc gửi tệp."
            if isinstance(seconds, int | float)
            else "Trang web không trả lời kịp. Hãy thử lại sau hoặc gửi tệp.",
            "The website did not answer in time. Try again later or send the file.",
        )
    if reason is Reason.HTTP_ERROR:
        status = details.get("status")
        if status in {401, 403}:
            return (
                f"Trang web từ chối truy cập (lỗi {status}).",
                f"The website refused access (error {status}).",
            )
        if status == 404:
            return "Không tìm thấy trang (lỗi 404). Hãy kiểm tra lại link.", "Page not found (404). Check the link."
        return f"Trang web báo lỗi {status}. Hãy thử lại sau.", f"The website answered with error {status}. Try later."
    if reason is Reason.TOO_MANY_REDIRECTS:
        return (
            "Trang web chuyển hướng quá nhiều lần (có thể bị vòng lặp).",
            "The website redirected too many times (probably a loop).",
        )
    return "Bot không đọc được tài liệu này.", "The document could not be read."


def encoding_note(encoding: str | None) -> str | None:
    """The preview's line about a text file that was not UTF-8, or None."""
    if not encoding:
        return None
    name = escape(encoding)
    return (
        f"Bảng mã của tệp: {name} (đã chuyển sang Unicode; hãy kiểm tra dấu tiếng Việt).\n"
        f"<i>The file's encoding was {name}; converted to Unicode — check the diacritics.</i>"
    )
