"""Texts for answers from the archive: a bulletin, a task, a month, the list, search results, nothing found.

Vietnamese first with English beside it in <i>…</i>; every value from a bulletin or a user is escaped.
Each function returns Telegram HTML whose visible text stays under the 4096-character limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.domain.intents import Greeting, Help, History, Intent, Latest, Month, Search, TaskQuery, Unknown, Usage
from bot.domain.records import ArchivedBulletin
from bot.domain.rendering import MESSAGE_LIMIT, display_text, html_to_plain, month_label, plain_length, render_task
from bot.services.archive import (
    HISTORY_PAGE_SIZE,
    SEARCH_PAGE_SIZE,
    Answer,
    BulletinAnswer,
    GreetingAnswer,
    HelpAnswer,
    HighlightedHit,
    HistoryPage,
    MonthAnswer,
    NothingFound,
    SearchResults,
    TaskAnswer,
    TaskOutOfRange,
    UsageAnswer,
)

SNIPPET = 200
EXAMPLES = (
    "hội nghị mới nhất",
    "tháng 10/2021",
    "nhiệm vụ thứ ba tháng 11/2021",
    "tham nhung",
    "chuyển đổi số",
    "latest conference",
    "task 3",
)

# Button labels (short: Telegram shows a few words per button).
OLDER = "◀ Cũ hơn"
NEWER = "Mới hơn ▶"
LIST = "📚 Danh sách"
BACK_TO_BULLETIN = "↩ Bản tin"
PREV_PAGE = "◀"
NEXT_PAGE = "▶"
STALE_BUTTON = "Nút này đã cũ, vui lòng hỏi lại. · This button has expired, please ask again."
GONE_BUTTON = "Bản tin này không còn trong kho. · This bulletin is no longer in the archive."


def render(answer: Answer) -> list[str]:
    """The HTML message(s) of an answer: one, except a very long task (as the broadcast splits it)."""
    match answer:
        case TaskAnswer(bulletin=bulletin, task=task):
            return [m.html for m in render_task(bulletin, task)]
        case BulletinAnswer():
            return [bulletin_view(answer.bulletin)]
        case TaskOutOfRange():
            return [task_out_of_range(answer)]
        case MonthAnswer():
            return [month_choice(answer)]
        case HistoryPage():
            return [history(answer)]
        case SearchResults():
            return [search_results(answer)]
        case HelpAnswer():
            return [help_text()]
        case GreetingAnswer():
            return [greeting(answer)]
        case UsageAnswer():
            return [usage(answer)]
        case NothingFound():
            return [nothing_found(answer)]
    return [nothing_found(NothingFound(None, "unknown", 0, ()))]  # pragma: no cover - exhaustive


def english_count(count: int, singular: str, plural: str | None = None) -> str:
    """``1 task``, ``2 tasks``: English needs the plural that Vietnamese does without."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def task_range(count: int) -> str:
    """The numbers to pick from: ``1–6`` (just ``1`` when there is one task)."""
    return "1" if count <= 1 else f"1–{count}"


def fits(html: str) -> bool:
    return plain_length(html_to_plain(html)) <= MESSAGE_LIMIT


def shorten(text: str, limit: int = SNIPPET) -> str:
    """``text`` on one line, cut at a word boundary near ``limit`` with "…" (plain text, not escaped)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(" ,;:.") + "…"


def _organizer(bulletin: ArchivedBulletin) -> str:
    return escape(bulletin.organizer) if bulletin.organizer else "—"


def bulletin_view(bulletin: ArchivedBulletin) -> str:
    """Title, month, organizer, date, and each task shortened; the full task is one tap away."""
    for limit in (SNIPPET, 120, 60):  # a bulletin with many long tasks gets shorter previews
        html = _bulletin_view(bulletin, limit)
        if fits(html):
            return html
    return _bulletin_view(bulletin, 30)


def _bulletin_view(bulletin: ArchivedBulletin, limit: int) -> str:
    count = len(bulletin.tasks)
    lines = [
        f"🗂 <b>{escape(shorten(bulletin.title, 300))}</b>",
        f"Hội nghị Báo cáo viên tháng {month_label(bulletin.month)} · <i>reporters' conference</i>",
        f"Đơn vị tổ chức <i>(organizer)</i>: {_organizer(bulletin)}",
    ]
    if bulletin.published:
        lines.append(f"Ngày đăng <i>(published)</i>: {_date(bulletin.published)}")
    lines += ["", f"<b>{count} nhiệm vụ trọng tâm</b> · <i>{english_count(count, 'key task')}</i>:"]
    lines += [f"<b>{t.number}.</b> {escape(shorten(display_text(t.text), limit))}" for t in bulletin.tasks]
    lines += [
        "",
        "Bấm số để đọc toàn văn, hoặc gõ /task N · <i>tap a number or send /task N for the full task</i>",
    ]
    return "\n".join(lines)


def _date(iso: str) -> str:
    year, _, rest = iso.partition("-")
    month, _, day = rest.partition("-")
    return f"{day}/{month}/{year}" if day and month else escape(iso)


def task_out_of_range(answer: TaskOutOfRange) -> str:
    label, count, number = month_label(answer.bulletin.month), answer.count, answer.number
    picks = task_range(count)
    if number < 1:
        return (
            f"Nhiệm vụ được đánh số từ 1. Bản tin tháng {label} có {count} nhiệm vụ: hãy chọn {picks}, "
            f"ví dụ /task 1.\n"
            f"<i>Tasks are numbered from 1. The {label} bulletin has {english_count(count, 'task')}: "
            f"pick {picks}, e.g. /task 1.</i>"
        )
    return (
        f"Bản tin tháng {label} chỉ có {count} nhiệm vụ, không có nhiệm vụ {number}. Hãy chọn {picks}.\n"
        f"<i>The {label} bulletin has only {english_count(count, 'task')}, not task {number}; pick {picks}.</i>"
    )


def _bulletin_line(bulletin: ArchivedBulletin, index: int | None = None) -> str:
    head = f"<b>{index}.</b> " if index is not None else ""
    return (
        f"{head}Tháng {month_label(bulletin.month)} · {_organizer(bulletin)} · "
        f"{len(bulletin.tasks)} nhiệm vụ\n    <i>{escape(shorten(bulletin.title, 150))}</i>"
    )


def month_choice(answer: MonthAnswer) -> str:
    label = month_label(answer.month)
    n = max(answer.total, len(answer.bulletins))
    wanted = (
        f" Chọn bản tin để xem nhiệm vụ {answer.task_number}."
        if answer.task_number is not None
        else " Chọn một bản tin."
    )
    english = f"{english_count(n, 'bulletin')} for {label}; pick one" + (
        f" to see task {answer.task_number}." if answer.task_number is not None else "."
    )
    lines = [f"Tháng {label} có {n} bản tin.{wanted}", f"<i>{english}</i>", ""]
    lines += [_bulletin_line(b, i) for i, b in enumerate(answer.bulletins, start=1)]
    return "\n".join(lines)


def month_button(bulletin: ArchivedBulletin, index: int) -> str:
    return f"{index}. {shorten(bulletin.organizer or bulletin.title, 40)}"


def history(page: HistoryPage) -> str:
    lines = [
        f"📚 <b>Các hội nghị đã lưu</b> · <i>archived conferences</i> ({page.total})",
        f"Trang {page.page}/{page.pages} · <i>page {page.page} of {page.pages}</i>",
        "",
    ]
    first = (page.page - 1) * HISTORY_PAGE_SIZE + 1
    lines += [_bulletin_line(b, i) for i, b in enumerate(page.items, start=first)]
    lines += ["", "Bấm để mở một bản tin · <i>tap one to open it</i>"]
    return "\n".join(lines)


def history_button(bulletin: ArchivedBulletin) -> str:
    return f"{month_label(bulletin.month)} · {shorten(bulletin.organizer or bulletin.title, 36)}"


def highlight(text: str, spans: Sequence[tuple[int, int]], limit: int = SNIPPET) -> str:
    """A snippet of ``text`` around the first match, matched words in <b>…</b>, the rest escaped.

    ``spans`` are offsets in ``text`` (found in its folded form, which has the same length).
    """
    first = spans[0][0] if spans else 0
    start = max(0, first - limit // 4)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + limit)
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space > start:
            end = space
    out: list[str] = ["…" if start else ""]
    cursor = start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out += [escape(text[cursor:s]), "<b>", escape(text[s:e]), "</b>"]
        cursor = e
    out.append(escape(text[cursor:end]))
    out.append("…" if end < len(text) else "")
    return " ".join("".join(out).split())


def search_results(results: SearchResults) -> str:
    for limit in (SNIPPET, 120, 60):
        html = _search_results(results, limit)
        if fits(html):
            return html
    return _search_results(results, 30)


def _search_results(results: SearchResults, limit: int) -> str:
    query = escape(shorten(results.query, 100))
    first = (results.page - 1) * SEARCH_PAGE_SIZE + 1
    lines = [
        f"🔎 <b>{results.total} nhiệm vụ có «{query}»</b> · "
        f"<i>{english_count(results.total, 'task matches', 'tasks match')}</i>",
        f"Trang {results.page}/{results.pages} · <i>page {results.page} of {results.pages}</i>",
        "",
    ]
    for index, item in enumerate(results.hits, start=first):
        lines.append(_hit(item, index, limit))
    lines += ["", "Bấm số để đọc toàn văn nhiệm vụ · <i>tap a number for the full task</i>"]
    return "\n".join(lines)


def _hit(item: HighlightedHit, index: int, limit: int) -> str:
    hit = item.hit
    return (
        f"<b>{index}.</b> Nhiệm vụ {hit.task_number}/{hit.task_count} · tháng {month_label(hit.month)}"
        f" · {escape(shorten(hit.organizer, 60)) if hit.organizer else '—'}\n"
        f"{highlight(hit.text, item.spans, limit)}"
    )


def help_text() -> str:
    examples = _examples()
    return (
        "<b>Hỏi về các bản tin đã lưu</b> · <i>ask about archived bulletins</i>\n\n"
        "Gõ bằng lời thường, có dấu hay không dấu đều được · "
        "<i>plain words, with or without diacritics</i>:\n"
        f"{examples}\n\n"
        "/latest · /task 3 · /month 10/2021 · /search tham nhũng · /history"
    )


def understood(intent: Intent | None) -> str:
    """What the bot took the question to mean, in both languages."""
    match intent:
        case Latest():
            return "hội nghị mới nhất · <i>the latest conference</i>"
        case Month(year=None, month=m):
            return f"tháng {m} gần nhất · <i>the latest month {m}</i>"
        case Month():
            return f"tháng {intent.label} · <i>{intent.label}</i>"
        case TaskQuery(number=n, month=None):
            return f"nhiệm vụ {n} của bản tin mới nhất · <i>task {n} of the latest bulletin</i>"
        case TaskQuery(number=n, month=Month() as month):
            return f"nhiệm vụ {n} tháng {month.label} · <i>task {n}, {month.label}</i>"
        case History():
            return "danh sách các hội nghị · <i>the list of conferences</i>"
        case Search(query=query):
            q = escape(shorten(query, 100))
            return f"tìm «{q}» · <i>search for “{q}”</i>"
        case Help():
            return "trợ giúp · <i>help</i>"
        case Greeting():
            return "lời chào · <i>a greeting</i>"
        case Usage(command=command, given=given):
            shown = f" {escape(shorten(given, 100))}" if given else ""
            return f"<code>/{command}{shown}</code>"
        case Unknown(text=text) if text:
            return f"«{escape(shorten(text, 100))}» · <i>not understood</i>"
    return "—"


def _reason(answer: NothingFound) -> str:
    match answer.reason:
        case "empty_archive":
            return (
                "Kho lưu trữ chưa có bản tin nào. Khi có bản tin mới, bot sẽ gửi đến bạn.\n"
                "<i>The archive is empty for now; new bulletins will be sent to you.</i>"
            )
        case "no_month":
            return "Không có bản tin nào cho tháng này.\n<i>No bulletin for that month.</i>"
        case "no_match":
            return "Không tìm thấy nhiệm vụ nào phù hợp.\n<i>No task matches.</i>"
        case "gone":
            return "Bản tin này không còn trong kho.\n<i>This bulletin is no longer in the archive.</i>"
    return "Xin lỗi, tôi chưa hiểu câu hỏi.\n<i>Sorry, I did not understand the question.</i>"


def nothing_found(answer: NothingFound) -> str:
    lines = [_reason(answer)]
    if answer.intent is not None and answer.reason != "unknown":
        lines += ["", f"Đã hiểu là <i>(understood as)</i>: {understood(answer.intent)}"]
    if answer.count:
        months = ", ".join(month_label(m) + (f" ({n})" if n > 1 else "") for m, n in answer.recent_months)
        lines += [
            "",
            f"Kho đang có {answer.count} bản tin; gần đây: {months}.",
            f"<i>The archive holds {english_count(answer.count, 'bulletin')}; recent months: {months}.</i>",
        ]
    examples = _examples()
    lines += ["", "Thử hỏi · <i>try</i>:", examples]
    return "\n".join(lines)


def inline_title(answer: TaskAnswer) -> str:
    b = answer.bulletin
    return f"Nhiệm vụ {answer.task.number}/{len(b.tasks)} · tháng {month_label(b.month)}"


def inline_description(answer: TaskAnswer) -> str:
    return shorten(display_text(answer.task.text), 120)


# --- replies that are not archive answers: greetings, command usage, other kinds of message --------

QUICK_COMMANDS = "/latest · /task 3 · /month 10/2021 · /search tham nhũng · /history · /help"
QUICK_EXAMPLES = ("hội nghị mới nhất", "nhiệm vụ 3", "tham nhung")


def _examples(examples: Sequence[str] = EXAMPLES) -> str:
    return "\n".join(f"• <code>{escape(e)}</code>" for e in examples)


def greeting(answer: GreetingAnswer) -> str:
    name = f" {escape(shorten(answer.name, 60))}" if answer.name else ""
    lines = [
        f"👋 Xin chào{name}! Tôi là bot bản tin Hội nghị Báo cáo viên.",
        f"<i>Hello{name}! I am the reporters' conference bulletin bot.</i>",
        "",
        "Hãy hỏi tôi về các bản tin, có dấu hay không dấu đều được · "
        "<i>ask me about the bulletins, with or without diacritics</i>:",
        _examples(),
    ]
    if answer.subscribed is False:
        lines += ["", "Gõ /start để nhận bản tin mỗi tháng · <i>send /start to get the bulletin every month</i>"]
    lines += ["", "Trợ giúp · <i>help</i>: /help"]
    return "\n".join(lines)


def _usage_head(usage: Usage, example: str) -> tuple[str, str]:
    """(Vietnamese, English) of what was wrong, with an example of the right form."""
    given = escape(shorten(usage.given, 60))
    match usage.command, usage.problem:
        case "task", "missing":
            return (
                "Hãy ghi số nhiệm vụ sau lệnh, ví dụ <code>/task 3</code>.",
                "Put the task number after the command, e.g. /task 3.",
            )
        case "task", "out_of_range":
            return (
                f"Không có nhiệm vụ {usage.number}. Nhiệm vụ được đánh số từ 1, ví dụ <code>/task 3</code>.",
                f"There is no task {usage.number}. Tasks are numbered from 1, e.g. /task 3.",
            )
        case "task", _:
            return (
                f"Không hiểu «{given}» là nhiệm vụ số mấy. Hãy ghi số, ví dụ <code>/task 3</code>.",
                f"“{given}” is not a task number. Put a number, e.g. /task 3.",
            )
        case "month", "missing":
            return (
                f"Hãy ghi tháng sau lệnh, ví dụ <code>/month {example}</code>.",
                f"Put the month after the command, e.g. /month {example}.",
            )
        case "month", "out_of_range":
            return (
                f"Không có tháng {usage.number}: tháng phải từ 1 đến 12, ví dụ <code>/month {example}</code>.",
                f"There is no month {usage.number}: months go from 1 to 12, e.g. /month {example}.",
            )
        case "month", _:
            return (
                f"Không hiểu «{given}» là tháng nào. Hãy ghi tháng/năm, ví dụ <code>/month {example}</code>.",
                f"“{given}” is not a month. Write month/year, e.g. /month {example}.",
            )
    return (
        "Hãy ghi từ khóa sau lệnh, ví dụ <code>/search tham nhũng</code> hoặc <code>/search chuyển đổi số</code>. "
        "Cũng có thể gõ thẳng từ khóa, không cần lệnh.",
        "Put the words to look for after the command, e.g. /search tham nhũng, or just send the words.",
    )


def usage(answer: UsageAnswer) -> str:
    """What to type instead of a command that could not be used, with what the archive holds."""
    latest = answer.latest
    example = month_label(latest.month) if latest is not None else "10/2021"
    vietnamese, english = _usage_head(answer.usage, example)
    lines = [vietnamese, f"<i>{english}</i>"]
    if latest is not None and answer.usage.command == "task":
        count, picks = len(latest.tasks), task_range(len(latest.tasks))
        lines += [
            "",
            f"Bản tin mới nhất (tháng {example}) có {count} nhiệm vụ: chọn {picks}. "
            f"Thêm tháng để xem bản tin khác: <code>/task 3 {example}</code>.",
            f"<i>The latest bulletin ({example}) has {english_count(count, 'task')}: pick {picks}. "
            f"Add a month for another bulletin: /task 3 {example}.</i>",
        ]
    elif answer.recent_months and answer.usage.command == "month":
        months = ", ".join(month_label(m) + (f" ({n})" if n > 1 else "") for m, n in answer.recent_months)
        lines += ["", f"Các tháng gần đây trong kho: {months}.", f"<i>Recent months in the archive: {months}.</i>"]
    return "\n".join(lines)


def unknown_command(name: str) -> str:
    shown = escape(shorten(name, 40))
    return (
        f"Không có lệnh /{shown}. · <i>There is no /{shown} command.</i>\n\n"
        f"Các lệnh · <i>commands</i>:\n{QUICK_COMMANDS}\n\n"
        "Hoặc hỏi bằng lời thường · <i>or just ask</i>:\n"
        f"{_examples(QUICK_EXAMPLES)}"
    )


# What the bot says about a message it cannot read, by kind (see ``handlers.archive``).
MESSAGE_KIND_HINTS = {
    "sticker": ("Bot chỉ đọc được chữ, chưa hiểu nhãn dán.", "I can only read text, not stickers."),
    "voice": (
        "Bot chưa nghe được tin nhắn thoại hay âm thanh.",
        "I cannot listen to voice or audio messages.",
    ),
    "location": ("Bot không cần vị trí của bạn.", "I don't need your location."),
    "contact": (
        "Bot không dùng danh bạ; số điện thoại bạn gửi không được lưu.",
        "I don't use contacts; the number you sent is not stored.",
    ),
    "media": (
        "Bot không đọc được nội dung ảnh, video hay tệp. Muốn hỏi, hãy gõ chữ hoặc ghi câu hỏi vào chú thích.",
        "I cannot read photos, videos or files: type your question, or put it in the caption.",
    ),
    "other": ("Bot chỉ hiểu tin nhắn chữ.", "I only understand text messages."),
}


def message_kind_hint(kind: str) -> str:
    vietnamese, english = MESSAGE_KIND_HINTS.get(kind, MESSAGE_KIND_HINTS["other"])
    return (
        f"{vietnamese}\n<i>{english}</i>\n\n"
        "Hãy gõ câu hỏi, ví dụ · <i>type a question, e.g.</i>:\n"
        f"{_examples(QUICK_EXAMPLES)}\n\n"
        "Trợ giúp · <i>help</i>: /help"
    )
