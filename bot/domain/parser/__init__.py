"""Split a reporters' conference bulletin ("Hội nghị Báo cáo viên tháng N") into its tasks.

``parse_document`` (a ``Document`` of blocks from a loader) and ``parse_bulletin`` (text, UTF-8 bytes or
an HTML fragment) are pure functions: a ``Bulletin`` out, or ``BulletinParseError`` with a typed
``code``, a reason and, where it can tell, the line it gave up on.

How it works, in order (one module each):

1. ``units``: the blocks (or lines) as units, with what the document said about them (list label,
   level, bold, heading, page furniture).
2. ``noise``: captions, related-news blocks and furniture are masked; footers, bylines, widgets and
   reporting paragraphs end the article.
3. ``families``: one small rule per enumeration family finds the units that may start a task.
4. ``chooser``: the best run (longest 1, 2, 3, …; structural labels count most; sub-points stay inside
   their task; only the task section of a sectioned document), else bullets or headings, else
   ``prose`` (paragraphs after a lead-in, a ";" list, directive paragraphs, best effort).
5. ``spans``: each task runs to the next; the last to the end of the article.
6. ``metadata``: title, date line, intro, month label, organizer and stated count, before the tasks.
7. ``assess``: typed warnings, a confidence, and ``looks_incomplete`` for the preview.

All regular expressions are anchored or bounded and runs are found in one pass, so the parser stays
linear on hostile input; oversized input is rejected up front.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.blocks import Document
from bot.domain.parser import assess, chooser, metadata, noise, prose
from bot.domain.parser.assess import LOW_CONFIDENCE, is_low_confidence, looks_incomplete
from bot.domain.parser.families import NUMBERED, Hit
from bot.domain.parser.units import MAX_INPUT_CHARS, MAX_TEXT_CHARS, Unit, units_from_document, units_from_text
from bot.domain.records import Bulletin, BulletinParseError, ParseErrorCode

# The values of ``Bulletin.method``: how the tasks were found. A split inside one section of a
# sectioned document is "section+<method>" ("section+arabic").
METHODS: dict[str, str] = {
    "thu": "'Thứ nhất, … Thứ hai, …' (also 'Thứ nhất là,', 'Thứ nhất:')",
    "la": "'Một là, … Hai là, …'",
    "keyword": "'Nội dung 1:', 'Nhiệm vụ 1.'",
    "roman": "Roman numerals 'I.', 'II.'",
    "arabic": "numbers '1.', '1)', '1/'",
    "keycaps": "emoji keycaps '1️⃣ 2️⃣'",
    "paren": "'(1)', '(2)'",
    "outline": "'1.1.', '1.2.'",
    "letters": "letters 'a) b) c) d) đ)'",
    "auto-numbered": "the document's own list numbering (Word, <ol>)",
    "auto-bullets": "the document's own bullets (Word, <ul>)",
    "bullet": "symbol or emoji bullets ('🔹', '•')",
    "headings": "bold or heading lines",
    "dash": "'- ' or '+ ' bullets",
    "paragraphs": "one paragraph per task after a lead-in ('… các nội dung sau:')",
    "semicolons": "one ';' clause per task",
    "sentences": "one sentence per task, in one paragraph",
    "directives": "paragraphs that open with a directive ('Tuyên truyền …')",
    "best-effort": "every body paragraph (no list found)",
}

# How far into the text a month label or a conference name makes it "a bulletin" for the fallbacks.
_HEADER_UNITS = 40

__all__ = [
    "LOW_CONFIDENCE",
    "MAX_INPUT_CHARS",
    "MAX_TEXT_CHARS",
    "METHODS",
    "is_low_confidence",
    "looks_incomplete",
    "parse_bulletin",
    "parse_document",
]


def parse_bulletin(text: str | bytes) -> Bulletin:
    """Parse plain text, UTF-8 bytes or an HTML fragment into title, month, date, organizer and tasks.

    Raises BulletinParseError when the text cannot be split into at least two tasks: empty, binary or
    oversized input, a lone enumerator, or no task list in a text that is not a bulletin. Softer
    problems (no month label, no date, stated count ≠ parsed count, a split without enumerators)
    become ``warnings`` and lower ``confidence``.
    """
    return _parse(units_from_text(text), None)


def parse_document(document: Document) -> Bulletin:
    """Parse a loaded document (blocks with list labels, headings, bold, furniture) into a bulletin.

    The document's own metadata (``title``, ``published``) is used only when the text has none.
    """
    return _parse(units_from_document(document), document)


def _parse(units: list[Unit], document: Document | None) -> Bulletin:
    junk = noise.junk_mask(units)
    split = chooser.choose(units, junk)
    if split is None or len(split.tasks) < chooser.MIN_TASKS:
        # Nothing gives two tasks: say whether this is a bulletin at all (a conference month or name).
        bulletin_like = metadata.has_month_label(units, _HEADER_UNITS) or prose.names_conference(units, _HEADER_UNITS)
        raise _refusal(units, junk, bulletin_like)

    first = split.intro_end
    title_pos = metadata.find_title(units, junk, first)
    start = metadata.body_start(units, title_pos, first)
    title = metadata.title_text(units, junk, title_pos) if title_pos is not None else ""
    if not title and document is not None and document.title:
        title = " ".join(document.title.split())
    published = metadata.published(units, junk, title_pos, max(start, metadata.header_end(units, title_pos, first)))
    if published is None and document is not None:
        published = metadata.iso_date(document.published)
    intro = metadata.intro_lines(units, junk, start, first)
    if split.lead:
        intro.append(split.lead)

    month = metadata.resolve_month([title, *intro], published)
    organizer = metadata.find_organizer([*intro, title]) or ""
    stated = metadata.stated_count([*reversed(intro), title])
    issues = assess.warnings(
        title=title, published=published, organizer=organizer, month=month, stated=stated, split=split
    )
    return Bulletin(
        title=title,
        month=month.value,
        published=published,
        organizer=organizer,
        intro="\n".join(intro),
        tasks=split.tasks,
        warnings=tuple(w.message for w in issues),
        method=split.method,
        confidence=assess.confidence(split, stated, month, issues),
        stated_count=stated[0] if stated else None,
        parse_warnings=tuple(issues),
    )


def _refusal(units: Sequence[Unit], junk: Sequence[bool], bulletin_like: bool) -> BulletinParseError:
    """Why nothing splits, pointing at the enumerator that is alone or out of order when there is one."""
    hits = [(pos, hit) for pos, unit in enumerate(units) if not junk[pos] for hit in _numbered_hits(unit)]
    first_one = next(((pos, hit) for pos, hit in hits if hit.number == 1), None)
    if first_one is not None:
        pos, hit = first_one
        return BulletinParseError(
            f"found only one task enumerator ({hit.enumerator!r}) and no second one; cannot split into tasks",
            line=units[pos].no,
            code=ParseErrorCode.ONE_TASK,
            details=(("enumerator", hit.enumerator),),
        )
    if hits:
        pos, hit = hits[0]
        return BulletinParseError(
            f"no task list found: enumerator {hit.enumerator!r} is not part of a run that starts at 1",
            line=units[pos].no,
            code=ParseErrorCode.BROKEN_LIST,
            details=(("enumerator", hit.enumerator),),
        )
    paragraphs = sum(1 for pos, unit in enumerate(units) if not junk[pos] and unit.words >= 6)
    code = ParseErrorCode.NO_TASKS if bulletin_like else ParseErrorCode.NOT_A_BULLETIN
    detail = "" if bulletin_like else "; it names no conference month"
    return BulletinParseError(
        f"no task list found in {len(units)} lines{detail}: no run of enumerators such as 'Thứ nhất,', "
        f"'Một là,', '1.', 'I.', '(1)' or '- ' bullets, and no lead-in followed by two or more paragraphs",
        line=units[-1].no,
        code=code,
        details=(("lines", len(units)), ("paragraphs", paragraphs)),
    )


def _numbered_hits(unit: Unit) -> list[Hit]:
    return [hit for family in NUMBERED if (hit := family.hit(unit)) is not None][:1]
