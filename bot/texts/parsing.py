"""Texts for what the parser says: every warning and every refusal, Vietnamese first with English beside it.

Each function returns Telegram HTML (values from the text are escaped). ``error_text`` says what was
found and how to fix it; ``warning_text`` is one line per typed warning; ``preview_warning`` is the one
line the preview shows when the split needs checking (low confidence, a stated count that disagrees,
a last task that stops mid-sentence).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from bot.domain.parser import LOW_CONFIDENCE, looks_incomplete
from bot.domain.records import Bulletin, BulletinParseError, ParseErrorCode, ParseWarning, ParseWarningCode

# How the tasks were found, for the preview ("Tách theo: …").
METHOD_LABELS: dict[str, tuple[str, str]] = {
    "thu": ("«Thứ nhất, Thứ hai, …»", "'Thứ nhất, Thứ hai, …'"),
    "la": ("«Một là, Hai là, …»", "'Một là, Hai là, …'"),
    "keyword": ("«Nội dung 1, Nhiệm vụ 1, …»", "'Nội dung 1, Nhiệm vụ 1, …'"),
    "roman": ("số La Mã I, II, III", "Roman numerals I, II, III"),
    "arabic": ("số thứ tự 1, 2, 3", "numbers 1, 2, 3"),
    "keycaps": ("biểu tượng số 1️⃣ 2️⃣", "keycap emoji 1️⃣ 2️⃣"),
    "paren": ("số trong ngoặc (1), (2)", "numbers in brackets (1), (2)"),
    "outline": ("số mục 1.1, 1.2", "outline numbers 1.1, 1.2"),
    "letters": ("chữ cái a), b), c)", "letters a), b), c)"),
    "auto-numbered": ("đánh số tự động của tài liệu", "the document's automatic numbering"),
    "auto-bullets": ("gạch đầu dòng tự động của tài liệu", "the document's own bullets"),
    "bullet": ("ký hiệu đầu dòng", "bullet symbols"),
    "headings": ("các dòng tiêu đề in đậm", "bold heading lines"),
    "dash": ("gạch đầu dòng «-» hoặc «+»", "'-' or '+' bullets"),
    "paragraphs": ("từng đoạn văn sau câu dẫn", "one paragraph per task after the lead-in"),
    "semicolons": ("từng vế câu ngăn bằng dấu «;»", "one ';' clause per task"),
    "sentences": ("từng câu trong một đoạn", "one sentence per task"),
    "directives": ("các đoạn bắt đầu bằng «Tuyên truyền…», «Đẩy mạnh…»", "paragraphs that open with a directive"),
    "best-effort": ("từng đoạn của bài (không tìm thấy danh sách)", "every body paragraph (no list found)"),
}


def _both(vietnamese: str, english: str) -> str:
    return f"{vietnamese} · <i>{english}</i>"


def method_label(method: str) -> tuple[str, str]:
    """(Vietnamese, English) description of ``Bulletin.method``; "section+arabic" names the section too."""
    section = method.startswith("section+")
    base = method.removeprefix("section+")
    vi, en = METHOD_LABELS.get(base, (base, base))
    if section:
        return f"{vi}, trong phần nhiệm vụ", f"{en}, in the tasks section"
    return vi, en


def _value(warning: ParseWarning, name: str) -> str:
    value = warning.get(name)
    return escape(str(value)) if value is not None else "?"


_WARNINGS: dict[ParseWarningCode, Callable[[ParseWarning], tuple[str, str]]] = {
    ParseWarningCode.NO_TITLE: lambda w: (
        "Không thấy dòng tiêu đề trước nhiệm vụ đầu tiên.",
        "No title line before the first task.",
    ),
    ParseWarningCode.NO_PUBLISHED: lambda w: (
        "Không thấy ngày đăng bài ở gần tiêu đề.",
        "No published date near the title.",
    ),
    ParseWarningCode.NO_ORGANIZER: lambda w: (
        "Không thấy đơn vị tổ chức hội nghị trong đoạn mở đầu.",
        "No organizer found in the intro.",
    ),
    ParseWarningCode.MONTH_FROM_PUBLISHED: lambda w: (
        "Tiêu đề không ghi tháng; tháng được lấy theo ngày đăng bài.",
        "No month label; the month is taken from the published date.",
    ),
    ParseWarningCode.MONTH_UNKNOWN: lambda w: (
        "Không thấy tháng hội nghị và ngày đăng; chưa rõ bản tin của tháng nào.",
        "No month label and no published date; the month is unknown.",
    ),
    ParseWarningCode.MONTH_WITHOUT_YEAR: lambda w: (
        f"Tiêu đề ghi «tháng {_value(w, 'month')}» nhưng không có năm, cũng không có ngày đăng.",
        f"The label 'tháng {_value(w, 'month')}' has no year and there is no published date.",
    ),
    ParseWarningCode.COUNT_MISMATCH: lambda w: (
        f"Bài viết nêu «{_value(w, 'phrase')}» nhưng chỉ tách được {_value(w, 'found')} nhiệm vụ.",
        f"The text says '{_value(w, 'phrase')}' but {_value(w, 'found')} tasks were found.",
    ),
    ParseWarningCode.UNUSUAL_COUNT: lambda w: (
        f"Tách được {_value(w, 'found')} nhiệm vụ; bản tin thường có từ 3 đến 10.",
        f"{_value(w, 'found')} tasks found; bulletins usually have 3 to 10.",
    ),
    ParseWarningCode.UNNUMBERED: lambda w: (
        f"Các nhiệm vụ được tách theo gạch đầu dòng «{_value(w, 'marker')}» (không có đánh số); hãy kiểm tra.",
        f"Tasks were taken from '{_value(w, 'marker')}' bullets (no numbers); please check.",
    ),
    ParseWarningCode.NO_ENUMERATOR: lambda w: (
        f"Bài không đánh số nhiệm vụ; đã tách theo {method_label(str(w.get('method')))[0]}. Hãy kiểm tra.",
        f"The tasks are not numbered; split by {method_label(str(w.get('method')))[1]}. Please check.",
    ),
    ParseWarningCode.EMPTY_TASK: lambda w: (
        f"Nhiệm vụ {_value(w, 'task')} không có nội dung.",
        f"Task {_value(w, 'task')} is empty.",
    ),
    ParseWarningCode.UNFINISHED_TASK: lambda w: (
        f"Nhiệm vụ {_value(w, 'task')} dừng giữa câu («…{_value(w, 'tail')}»); văn bản có thể bị thiếu.",
        f"Task {_value(w, 'task')} stops mid-sentence ('…{_value(w, 'tail')}'); the text may be cut off.",
    ),
}


def warning_text(warning: ParseWarning) -> str:
    """One warning, Vietnamese · English."""
    return _both(*_WARNINGS[warning.code](warning))


def warning_lines(bulletin: Bulletin) -> list[str]:
    """Every warning of a parsed bulletin, one line each (falls back to the English text)."""
    if bulletin.parse_warnings:
        return [warning_text(w) for w in bulletin.parse_warnings]
    return [escape(w) for w in bulletin.warnings]


def preview_warning(bulletin: Bulletin) -> str | None:
    """The one warning line of the preview, or None when the split looks sound."""
    found = len(bulletin.tasks)
    stated = bulletin.stated_count
    if stated is not None and stated != found:
        mismatch = next((w for w in bulletin.parse_warnings if w.code is ParseWarningCode.COUNT_MISMATCH), None)
        phrase = _value(mismatch, "phrase") if mismatch is not None else f"{stated} nội dung"
        return "⚠️ " + _both(
            f"Bài viết nêu «{phrase}» nhưng tách được {found} nhiệm vụ; hãy kiểm tra trước khi gửi.",
            f"The text announces {stated} items ('{phrase}') but {found} were found; check before sending.",
        )
    unfinished = next((w for w in bulletin.parse_warnings if w.code is ParseWarningCode.UNFINISHED_TASK), None)
    if unfinished is not None or looks_incomplete(bulletin):
        task = _value(unfinished, "task") if unfinished is not None else str(found)
        return "⚠️ " + _both(
            f"Nhiệm vụ {task} dừng giữa câu: văn bản có thể chưa đủ. Hãy kiểm tra trước khi gửi.",
            f"Task {task} stops mid-sentence: the text may be incomplete. Check before sending.",
        )
    if bulletin.confidence < LOW_CONFIDENCE:
        vi, en = method_label(bulletin.method)
        percent = round(bulletin.confidence * 100)
        return "⚠️ " + _both(
            f"Độ tin cậy thấp ({percent}%): đã tách theo {vi}. Hãy kiểm tra từng nhiệm vụ trước khi gửi.",
            f"Low confidence ({percent}%): split by {en}. Check each task before sending.",
        )
    return None


def _detail(exc: BulletinParseError, name: str) -> str:
    value = exc.detail(name)
    return escape(str(value)) if value is not None else "?"


def _where(exc: BulletinParseError) -> tuple[str, str]:
    return (f" (dòng {exc.line})", f" (line {exc.line})") if exc.line is not None else ("", "")


_HOW_TO_NUMBER = (
    "Hãy đánh số từng nhiệm vụ («Thứ nhất, …», «1.», «a)», «- »), hoặc viết một câu dẫn «… các nội dung sau:» "
    "rồi để mỗi nhiệm vụ một đoạn, và gửi lại.",
    "Number each task ('Thứ nhất, …', '1.', 'a)', '- '), or write a lead-in '… các nội dung sau:' with one "
    "paragraph per task, and send it again.",
)


def _error_parts(exc: BulletinParseError) -> tuple[str, str]:
    where_vi, where_en = _where(exc)
    match exc.code:
        case ParseErrorCode.NOT_TEXT:
            return "Dữ liệu gửi lên không phải văn bản.", "The input is not text."
        case ParseErrorCode.TOO_LARGE:
            return (
                f"Văn bản quá dài cho một bản tin ({_detail(exc, 'size')} ký tự, tối đa {_detail(exc, 'limit')}). "
                "Hãy gửi riêng bài viết về hội nghị.",
                f"Too long for a bulletin ({_detail(exc, 'size')} characters, limit {_detail(exc, 'limit')}). "
                "Send the conference article on its own.",
            )
        case ParseErrorCode.NOT_UTF8:
            return (
                "Tệp không phải văn bản UTF-8. Hãy mở tệp, lưu lại với mã UTF-8 rồi gửi lại.",
                "The file is not UTF-8 text. Open it, save it as UTF-8 and send it again.",
            )
        case ParseErrorCode.EMPTY:
            return "Văn bản trống, không có gì để tách.", "The text is empty."
        case ParseErrorCode.BINARY:
            return (
                "Tệp trông giống dữ liệu nhị phân chứ không phải văn bản. Hãy gửi tệp .txt, .html, .docx hoặc .pdf.",
                "The file looks like binary data, not text. Send a .txt, .html, .docx or .pdf file.",
            )
        case ParseErrorCode.ONE_TASK:
            return (
                f"Chỉ thấy một mục «{_detail(exc, 'enumerator')}»{where_vi} mà không có mục thứ hai. "
                "Hãy kiểm tra bài có đủ các nhiệm vụ rồi gửi lại.",
                f"Found only one item '{_detail(exc, 'enumerator')}'{where_en} and no second one. "
                "Check that the whole bulletin is there and send it again.",
            )
        case ParseErrorCode.BROKEN_LIST:
            return (
                f"Mục «{_detail(exc, 'enumerator')}»{where_vi} không thuộc một danh sách bắt đầu từ 1. "
                "Hãy sửa lại đánh số (1, 2, 3… hoặc Thứ nhất, Thứ hai…) rồi gửi lại.",
                f"The item '{_detail(exc, 'enumerator')}'{where_en} is not part of a list that starts at 1. "
                "Fix the numbering and send it again.",
            )
        case ParseErrorCode.NO_TASKS:
            return (
                f"Không tìm thấy danh sách nhiệm vụ trong {_detail(exc, 'lines')} dòng của bài: không có mục "
                f"đánh số và không có câu dẫn với từ hai đoạn trở lên. {_HOW_TO_NUMBER[0]}",
                f"No task list in the {_detail(exc, 'lines')} lines of the text: no numbered items and no "
                f"lead-in followed by two or more paragraphs. {_HOW_TO_NUMBER[1]}",
            )
        case ParseErrorCode.NOT_A_BULLETIN:
            return (
                "Văn bản này có vẻ không phải bản tin Hội nghị Báo cáo viên: không ghi tháng hội nghị "
                f"(ví dụ «tháng 10/2021») và không có từ hai nhiệm vụ. {_HOW_TO_NUMBER[0]}",
                "This does not look like a reporters' conference bulletin: no conference month "
                f"(such as 'tháng 10/2021') and fewer than two tasks. {_HOW_TO_NUMBER[1]}",
            )
        case ParseErrorCode.NO_MONTH:
            return (
                "Không tìm thấy tháng của hội nghị. Tiêu đề hoặc đoạn đầu cần ghi «tháng MM/YYYY», "
                "ví dụ «Hội nghị Báo cáo viên tháng 10/2021».",
                "No conference month found: the title or the first paragraph should say 'tháng MM/YYYY'.",
            )
    return f"Không tách được bản tin: {escape(exc.reason)}.", f"Could not split the bulletin: {escape(exc.reason)}."


def error_text(exc: BulletinParseError) -> str:
    """Why a text was refused and how to fix it: Vietnamese, then English in italics."""
    vietnamese, english = _error_parts(exc)
    return f"❌ {vietnamese}\n<i>{english}</i>"
