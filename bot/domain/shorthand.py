"""The shorthand of the field, written out before a question is read: "hn bcv", "HNBCV", "BCV TW",
"ĐUK", "BTG", "TTV". Document abbreviations ("nq 57", "KL14") are read by ``bot.domain.documents``.

Pure, on the question as typed (NFC), so capitals still tell "TU" (Tỉnh ủy) from "tư"/"từ" (four,
from), and "TƯ" (Trung ương) from "TU". Clashes are resolved the careful way: "hn" is also Hà Nội
("thành ủy hn"), so it is "hội nghị" only before bcv/ttv/báo cáo viên or at the start before words
that follow a conference (mới nhất, tháng, kỳ…).
"""

from __future__ import annotations

import re

_I = re.IGNORECASE
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bh\.?\s?n\.?\s?b\.?\s?c\.?\s?v\b\.?", _I), "hội nghị báo cáo viên"),
    (re.compile(r"\bbtg\s?tw\b", _I), "ban tuyên giáo trung ương"),
    (re.compile(r"\bbtg\s?t\.?ư\b", _I), "ban tuyên giáo trung ương"),
    (re.compile(r"\bbtg\s+tu\b", _I), "ban tuyên giáo tỉnh ủy"),
    (re.compile(r"\b(?:đ|ð|d)uk\b", _I), "đảng ủy khối"),
    (re.compile(r"\bbtg\b", _I), "ban tuyên giáo"),
    (re.compile(r"\bhn(?=\s+(?:bcv|ttv|báo cáo viên|bao cao vien)\b)", _I), "hội nghị"),
    (re.compile(r"^hn(?=\s+(?:mới|moi|tháng|thang|kỳ|ky|gần|gan|đợt|dot|tw|tư|trung)\b)", _I), "hội nghị"),
    (re.compile(r"\bbcv\b", _I), "báo cáo viên"),
    (re.compile(r"\bttv\b", _I), "tuyên truyền viên"),
    (re.compile(r"\bt\.?w\b\.?", _I), "trung ương"),
    # "TƯ" in capitals, or "tư" right after the words it qualifies, is Trung ương; "tư" alone is four.
    (re.compile(r"\bT\.?Ư\b\.?"), "trung ương"),
    (re.compile(r"\b(báo cáo viên|hội nghị|tuyên giáo) tư\b", _I), r"\1 trung ương"),
    # "TU" in capitals is Tỉnh ủy; in lower case it is "từ"/"tu" typed without marks.
    (re.compile(r"\bTU\b"), "tỉnh ủy"),
    # Document kinds without a number (a number makes them a document, read first): "nq trung ương 4".
    (re.compile(r"\bnq\b", _I), "nghị quyết"),
    (re.compile(r"\bkl\b", _I), "kết luận"),
    (re.compile(r"\bq(?:đ|ð|d)\b", _I), "quy định"),
    (re.compile(r"\bct\b", _I), "chỉ thị"),
    (re.compile(r"\bhd\b", _I), "hướng dẫn"),
)


def expand(text: str) -> str:
    """``text`` with the field's shorthand written out (everything else unchanged)."""
    for pattern, words in _RULES:
        text = pattern.sub(words, text)
    return text
