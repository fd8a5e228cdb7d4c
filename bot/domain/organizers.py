"""The organizer, unit or level a question names: "tỉnh ủy yên bái", "Đảng ủy Khối", "trung ương",
"ban tuyên giáo thành ủy hà nội", "huyện ủy".

Pure; read on the question after shorthand is written out. A head word (tỉnh ủy, thành ủy, huyện ủy,
quận ủy, thị ủy, đảng ủy khối, đảng ủy xã/phường…, ban tuyên giáo (và dân vận), trung ương) and the
place name after it: the words up to the first that cannot be part of a name (a number, a month or
period word, "mới nhất", "về", "của", a task word), at most ``MAX_NAME_WORDS``. The archive side
shortens a name that matches no organizer and gives the dropped words back to the keywords, so a
name read too long ("tỉnh ủy bắc ninh tham nhũng") still finds its answer.

"hội nghị trung ương" ("… 4", "… lần thứ …"), and "trung ương" with a plenum's number or term
("Nghị quyết Trung ương 4 khóa XIII", "Trung ương 8") are a Central Committee plenum, a topic, not an
organizer; "hội nghị báo cáo viên trung ương" is the central reporters' conference.
"""

from __future__ import annotations

import re

from bot.domain.textnorm import fold

MAX_NAME_WORDS = 6
_HEAD = re.compile(
    r"\b(?:ban tuyen giao(?: va dan van)?(?: (?:tinh|thanh|huyen|quan|thi) uy| dang uy khoi| trung uong)?"
    r"|dang uy khoi|dang uy (?:xa|phuong|thi tran|cac co quan|cong an|quan su)"
    r"|(?:tinh|thanh|huyen|quan|thi) uy|trung uong)(?![\w])"
)
# A plenum by its name or its number: "hội nghị Trung ương", "Nghị quyết Trung ương 4 khóa XIII",
# "Trung ương 8", "Trung ương lần thứ tư" (a number after "trung ương" that is no month: "12/2023" is).
_PLENUM = re.compile(
    r"\bhoi nghi (?:ban chap hanh )?trung uong\b"
    r"|\btrung uong (?:\d{1,2}\b(?!\s*[/.-]\s*\d)|lan thu\b|khoa\b)"
)
# Words that end a place name: what a question says around an organizer.
_NOT_NAME = frozenset(
    (
        "moi", "nhat", "gan", "day", "vua", "ra", "thang", "quy", "ky", "dot", "nhiem", "vu", "nv", "van", "de",
        "y", "muc", "phan", "viec", "diem", "so", "thu", "ve", "cua", "o", "tai", "trong", "den", "tu", "voi",
        "va", "hoac", "la", "gi", "nao", "khong", "ko", "co", "cho", "xem", "tim", "kiem", "hoi", "nghi", "bao",
        "cao", "vien", "tuyen", "truyen", "ban", "tin", "thong", "bao", "latest", "newest", "recent", "of", "in",
        "tasks", "task", "bulletin", "bulletins", "conference", "nay", "truoc", "ngoai", "dau", "cuoi", "nua",
        "lan", "hien",
    )
)  # fmt: skip
# "năm" is a year before a number or nay/ngoái/trước, and a place name otherwise ("Quảng Nam").
_YEAR_AHEAD = re.compile(r"\s*(?:\d|nay\b|ngoai\b|truoc\b|roi\b)")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def take_organizer(text: str) -> tuple[str | None, str]:
    """The organizer phrase ``text`` names (as typed) and ``text`` without it; (None, text) if none."""
    folded = fold(text)
    if len(folded) != len(text):  # pragma: no cover - fold keeps the length of NFC text
        return None, text
    plenum = _PLENUM.search(folded)
    for head in _HEAD.finditer(folded):
        if plenum is not None and plenum.start() <= head.start() < plenum.end():
            continue
        end = head.end()
        # "trung ương" ends a name; after other heads comes the place ("tỉnh ủy Hà Giang").
        if not head.group().endswith("trung uong"):
            taken = 0
            for word in _WORD.finditer(folded, end):
                between = folded[end : word.start()]
                if taken >= MAX_NAME_WORDS or between.strip(" ") or word.group() in _NOT_NAME:
                    break
                if word.group() == "nam" and _YEAR_AHEAD.match(folded, word.end()):
                    break
                if word.group().isdigit() and not folded[head.start() : end].endswith(("xa", "phuong")):
                    break
                end, taken = word.end(), taken + 1
        phrase = " ".join(text[head.start() : end].split())
        rest = " ".join(f"{text[: head.start()]} {text[end:]}".split())
        return phrase, rest
    return None, text
