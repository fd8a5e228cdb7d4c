"""Texts for answers from the archive: a bulletin, a task, a month, the list, search results, nothing found.

Vietnamese first with English beside it in <i>…</i>; every value from a bulletin or a user is escaped.
Each function returns Telegram HTML whose visible text stays under the 4096-character limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.domain.intents import (
    Bulletins,
    Greeting,
    Help,
    History,
    Intent,
    Latest,
    Month,
    Period,
    Search,
    TaskQuery,
    Unknown,
    Usage,
)
from bot.domain.records import ArchivedBulletin
from bot.domain.rendering import MESSAGE_LIMIT, display_text, html_to_plain, month_label, plain_length, render_task
from bot.services.archive import (
    HISTORY_PAGE_SIZE,
    LIST_PAGE_SIZE,
    SEARCH_PAGE_SIZE,
    Answer,
    BulletinAnswer,
    BulletinList,
    GreetingAnswer,
    HelpAnswer,
    HighlightedHit,
    HistoryPage,
    MonthAnswer,
    NothingFound,
    OrganizerChoice,
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
    "chuyển đổi số năm 2024",
    "quý IV/2025",
    "Đảng ủy Khối",
    "nq 57",
    "latest conference",
    "task 3",
)
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip

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
    """The HTML message(s) of an answer: one, except a very long task (as the broadcast splits it) or
    a bulletin with more tasks than one message can list."""
    match answer:
        case TaskAnswer(bulletin=bulletin, task=task):
            return [m.html for m in render_task(bulletin, task)]
        case BulletinAnswer():
            return bulletin_pages(answer.bulletin)
        case TaskOutOfRange():
            return [task_out_of_range(answer)]
        case MonthAnswer():
            return [month_choice(answer)]
        case HistoryPage():
            return [history(answer)]
        case BulletinList():
            return [bulletin_list(answer)]
        case OrganizerChoice():
            return [organizer_choice(answer)]
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
    """Title, month, organizer, date, and each task shortened; the full task is one tap away. A
    bulletin too long for one message gives its first page here (``bulletin_pages`` gives all)."""
    return bulletin_pages(bulletin)[0]


def bulletin_pages(bulletin: ArchivedBulletin) -> list[str]:
    """The bulletin as one message, previews shortened until it fits; a bulletin with so many tasks
    that even short previews do not fit is paged at whole lines (never inside a word or a tag)."""
    for limit in (SNIPPET, 120, 60):  # a bulletin with many long tasks gets shorter previews
        html = "\n".join(_bulletin_lines(bulletin, limit))
        if fits(html):
            return [html]
    return paged(_bulletin_lines(bulletin, 60))


def paged(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """``lines`` (each whole HTML, shorter than ``limit`` when visible) packed into messages of at
    most ``limit`` visible characters, in order."""
    pages: list[list[str]] = [[]]
    size = 0
    for line in lines:
        visible = plain_length(html_to_plain(line)) + 1  # and its newline
        if pages[-1] and size + visible > limit:
            pages.append([])
            size = 0
        pages[-1].append(line)
        size += visible
    return ["\n".join(page).strip("\n") for page in pages]


def _bulletin_lines(bulletin: ArchivedBulletin, limit: int) -> list[str]:
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
    return lines


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


def _quoted(text: str) -> str:
    return escape(shorten(text, 100))


def search_head(results: SearchResults) -> list[str]:
    """What the hits are, truthfully: the count, whether they hold the phrase, the diacritics as typed,
    a corrected spelling or only some of the words, and what the search was limited to."""
    n, q = results.total, _quoted(results.query)
    lines: list[str] = []
    if results.quality == "corrected" and results.corrected:
        c = _quoted(results.corrected)
        lines += [
            f"Không tìm thấy «{q}». Có phải bạn muốn tìm «<b>{c}</b>»?",
            f"<i>Nothing found for “{q}”. Did you mean “{c}”?</i>",
        ]
        q = c
    if results.document is not None:
        label = escape(results.document.label)
        head = (
            f"🔎 <b>{n} nhiệm vụ nhắc đến {label}</b> · <i>{english_count(n, 'task cites', 'tasks cite')} {label}</i>"
        )
    elif results.quality == "partial":
        head = (
            f"🔎 <b>Không nhiệm vụ nào có đủ các từ «{q}»</b>; {n} nhiệm vụ có một phần các từ đó.\n"
            f"<i>No task has all of “{q}”; {english_count(n, 'task has', 'tasks have')} some of the words.</i>"
        )
    elif results.quality == "folded":
        head = (
            f"🔎 <b>{n} nhiệm vụ gần đúng với «{q}»</b> · <i>{english_count(n, 'close match', 'close matches')}</i>\n"
            "Không có nhiệm vụ nào đúng dấu như bạn gõ; đây là các kết quả khi bỏ dấu.\n"
            "<i>Nothing matches the diacritics as typed; these match without them.</i>"
        )
    elif results.phrase:
        head = (
            f"🔎 <b>{n} nhiệm vụ có cụm «{q}»</b> · "
            f"<i>{english_count(n, 'task contains', 'tasks contain')} the phrase “{q}”</i>"
        )
    elif results.apart:
        head = (
            f"🔎 <b>{n} nhiệm vụ có đủ các từ «{q}»</b> (không liền nhau) · "
            f"<i>{english_count(n, 'task has', 'tasks have')} all the words, not side by side</i>"
        )
    else:
        head = f"🔎 <b>{n} nhiệm vụ có «{q}»</b> · <i>{english_count(n, 'task matches', 'tasks match')}</i>"
    lines.append(head)
    scope = _scope(results.period, results.organizer)
    if scope:
        lines.append(scope)
    return lines


def _scope(period: Period | None, organizer: str | None) -> str:
    """ "Tìm trong quý IV/2025 · của «tỉnh ủy hà giang»" with its English, or "" when nothing narrows."""
    vietnamese, english = _scope_words(period, organizer)
    return f"Tìm {vietnamese} · <i>searched {english}</i>" if vietnamese else ""


def _scope_words(period: Period | None, organizer: str | None) -> tuple[str, str]:
    """("trong năm 2024 của «tỉnh ủy hà giang»", "in 2024 by “tỉnh ủy hà giang”"), or empty strings."""
    vietnamese, english = [], []
    if period is not None:
        vietnamese.append(f"trong {escape(period.label)}")
        english.append(f"in {escape(period.label_en)}")
    if organizer is not None:
        o = _quoted(organizer)
        vietnamese.append(f"của «{o}»")
        english.append(f"by “{o}”")
    return " ".join(vietnamese), " ".join(english)


def _search_results(results: SearchResults, limit: int) -> str:
    first = (results.page - 1) * SEARCH_PAGE_SIZE + 1
    lines = [
        *search_head(results),
        f"Trang {results.page}/{results.pages} · <i>page {results.page} of {results.pages}</i>",
        "",
    ]
    for index, item in enumerate(results.hits, start=first):
        lines.append(_hit(item, index, limit))
    lines += ["", "Bấm số để đọc toàn văn nhiệm vụ · <i>tap a number for the full task</i>"]
    if results.alternative is not None:
        other = understood(results.alternative)
        lines.append(f"Hay bạn muốn xem <i>(or did you mean)</i>: {other}? Bấm nút bên dưới · <i>tap below</i>")
    return "\n".join(lines)


def _hit(item: HighlightedHit, index: int, limit: int) -> str:
    """Which task of which bulletin (its short title, month, organizer), and the snippet highlighted."""
    hit = item.hit
    organizer = escape(shorten(hit.organizer, 60)) if hit.organizer else "—"
    return (
        f"<b>{index}.</b> Nhiệm vụ {hit.task_number}/{hit.task_count} · tháng {month_label(hit.month)} · {organizer}\n"
        f"    <i>{escape(shorten(hit.title, 70))}</i>\n"
        f"{highlight(hit.text, item.spans, limit)}"
    )


def alternative_button(intent: Intent) -> str:
    """The label of the button to the other reading of a question ("📅 Bản tin tháng 10 · October
    bulletin"); short, as Telegram shows a few words per button."""
    match intent:
        case Month(year=year, month=month):
            shown = f"{month}/{year}" if year is not None else str(month)
            english = EN_MONTHS[month - 1] + (f" {year}" if year is not None else "")
            return f"📅 Bản tin tháng {shown} · {english} bulletin"
        case TaskQuery(number=n):
            return f"📌 Nhiệm vụ {n} · task {n}"
        case Bulletins(period=Period() as period):
            return f"📚 Bản tin {shorten(period.label, 30)} · {shorten(period.label_en, 30)}"
        case Search(query=query):
            return f"🔎 «{shorten(query, 30)}»"
    return "↪ " + shorten(html_to_plain(understood(intent)), 50)


def bulletin_list(answer: BulletinList) -> str:
    """A page of the bulletins of a period and/or an organizer, newest first."""
    n = answer.total
    what_vi, what_en = _list_scope(answer.intent)
    lines = [
        f"📚 <b>{n} bản tin {what_vi}</b> · <i>{english_count(n, 'bulletin')} {what_en}</i>",
        f"Trang {answer.page}/{answer.pages} · <i>page {answer.page} of {answer.pages}</i>",
        "",
    ]
    first = (answer.page - 1) * LIST_PAGE_SIZE + 1
    lines += [_bulletin_line(b, i) for i, b in enumerate(answer.items, start=first)]
    lines += ["", "Bấm để mở một bản tin · <i>tap one to open it</i>"]
    return "\n".join(lines)


def _list_scope(intent: Bulletins) -> tuple[str, str]:
    return _scope_words(intent.period, intent.organizer)


def organizer_choice(answer: OrganizerChoice) -> str:
    """The organizer phrase names several organizers: which one? (asked back, one button each)."""
    o, n = _quoted(answer.organizer), max(answer.total, len(answer.bulletins))
    wanted = f" để xem nhiệm vụ {answer.task_number}" if answer.task_number is not None else ""
    wanted_en = f" to see task {answer.task_number}" if answer.task_number is not None else ""
    lines = [
        f"«{o}» có trong tên {n} đơn vị tổ chức khác nhau. Bạn muốn xem bản tin mới nhất của đơn vị nào{wanted}?",
        f"<i>“{o}” is in the names of {n} different organizers; whose latest bulletin{wanted_en}?</i>",
        "",
    ]
    lines += [_bulletin_line(b, i) for i, b in enumerate(answer.bulletins, start=1)]
    return "\n".join(lines)


def organizer_button(bulletin: ArchivedBulletin, index: int) -> str:
    return f"{index}. {shorten(bulletin.organizer or bulletin.title, 40)} · {month_label(bulletin.month)}"


ALL_OF_ORGANIZER = "📚 Tất cả bản tin · all bulletins"


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
        case Latest(organizer=None):
            return "hội nghị mới nhất · <i>the latest conference</i>"
        case Latest(organizer=str(organizer)):
            o = _quoted(organizer)
            return f"bản tin mới nhất của «{o}» · <i>the latest bulletin by “{o}”</i>"
        case Month(year=None, month=m):
            english = EN_MONTHS[m - 1] if 1 <= m <= 12 else f"month {m}"
            return f"tháng {m} gần nhất{_of(intent.organizer)} · <i>the latest {english}{_by(intent.organizer)}</i>"
        case Month():
            return f"tháng {intent.label}{_of(intent.organizer)} · <i>{intent.label}{_by(intent.organizer)}</i>"
        case TaskQuery(number=n, month=None, organizer=organizer):
            return (
                f"nhiệm vụ {n} của bản tin mới nhất{_of(organizer)} · "
                f"<i>task {n} of the latest bulletin{_by(organizer)}</i>"
            )
        case TaskQuery(number=n, month=Month() as month, organizer=organizer):
            return f"nhiệm vụ {n} tháng {month.label}{_of(organizer)} · <i>task {n}, {month.label}{_by(organizer)}</i>"
        case Bulletins():
            vietnamese, english = _list_scope(intent)
            return f"các bản tin {vietnamese} · <i>the bulletins {english}</i>"
        case History():
            return "danh sách các hội nghị · <i>the list of conferences</i>"
        case Search(query=query, document=document):
            q = escape(document.label) if document is not None else _quoted(query)
            vietnamese, english = _scope_words(intent.period, intent.organizer)
            return f"tìm «{q}» {vietnamese}".rstrip() + f" · <i>search for “{q}” {english}</i>".replace(" </i>", "</i>")
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


def _of(organizer: str | None) -> str:
    return f" của «{_quoted(organizer)}»" if organizer else ""


def _by(organizer: str | None) -> str:
    return f" by “{_quoted(organizer)}”" if organizer else ""


def _reason(answer: NothingFound) -> str:
    match answer.reason:
        case "empty_archive":
            return (
                "Kho lưu trữ chưa có bản tin nào. Khi có bản tin mới, bot sẽ gửi đến bạn.\n"
                "<i>The archive is empty for now; new bulletins will be sent to you.</i>"
            )
        case "no_month":
            return "Không có bản tin nào cho tháng này.\n<i>No bulletin for that month.</i>"
        case "no_period":
            period = _period_of(answer.intent)
            if period is not None:
                return (
                    f"Kho không có bản tin nào trong {escape(period.label)}.\n"
                    f"<i>The archive holds no bulletin in {escape(period.label_en)}.</i>"
                )
            return "Kho không có bản tin nào như vậy.\n<i>The archive holds no such bulletin.</i>"
        case "no_organizer":
            o = _quoted(_organizer_of(answer.intent) or "")
            return f"Kho không có bản tin nào của «{o}».\n<i>The archive holds no bulletin by “{o}”.</i>"
        case "no_match":
            return "Không tìm thấy nhiệm vụ nào phù hợp.\n<i>No task matches.</i>"
        case "gone":
            return "Bản tin này không còn trong kho.\n<i>This bulletin is no longer in the archive.</i>"
    return "Xin lỗi, tôi chưa hiểu câu hỏi.\n<i>Sorry, I did not understand the question.</i>"


def _period_of(intent: Intent | None) -> Period | None:
    if isinstance(intent, Bulletins | Search):
        return intent.period
    return None


def _organizer_of(intent: Intent | None) -> str | None:
    if isinstance(intent, Latest | Month | TaskQuery | Bulletins | Search):
        return intent.organizer
    return None


def holdings(answer: NothingFound) -> list[str]:
    """What the archive holds, as the answer to a question it has no bulletin for: its span and
    years for a month or period, the organizers for an organizer, the recent months otherwise."""
    lines: list[str] = []
    if answer.first_month and answer.last_month:
        first, last = month_label(answer.first_month), month_label(answer.last_month)
        years = ", ".join(f"{year} ({n})" for year, n in answer.years)
        lines += [
            f"Kho có {answer.count} bản tin, từ tháng {first} đến tháng {last}; theo năm: {years}.",
            f"<i>The archive holds {english_count(answer.count, 'bulletin')}, {first} to {last}; by year: {years}.</i>",
        ]
    elif answer.organizers:
        names = "\n".join(f"• {escape(shorten(name, 80))} ({n})" for name, n in answer.organizers)
        lines += [
            f"Kho có {answer.count} bản tin, của các đơn vị · "
            f"<i>the archive holds {english_count(answer.count, 'bulletin')}, by</i>:",
            names,
        ]
    else:
        months = ", ".join(month_label(m) + (f" ({n})" if n > 1 else "") for m, n in answer.recent_months)
        lines += [
            f"Kho đang có {answer.count} bản tin; gần đây: {months}.",
            f"<i>The archive holds {english_count(answer.count, 'bulletin')}; recent months: {months}.</i>",
        ]
    if answer.first_month and answer.recent_months:
        months = ", ".join(month_label(m) + (f" ({n})" if n > 1 else "") for m, n in answer.recent_months)
        lines.append(f"Gần đây · <i>recent</i>: {months}.")
    return lines


def nothing_found(answer: NothingFound) -> str:
    lines = [_reason(answer)]
    if answer.intent is not None and answer.reason != "unknown":
        lines += ["", f"Đã hiểu là <i>(understood as)</i>: {understood(answer.intent)}"]
    if answer.count:
        lines += ["", *holdings(answer)]
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
