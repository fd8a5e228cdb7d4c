"""Party and State documents cited by number in a question: "57-NQ/TW", "nq 57", "NQ57", "nghị quyết
số 57-NQ/TW", "kl 14", "kết luận 14", "qđ 41", "chỉ thị 05", "hd 24", "24-HD/BTGTW".

Pure. Read on the question as typed, before shorthand is written out (so "TW" in "57-NQ/TW" stays the
issuer, and "TƯ" is told from "TU"). An abbreviation without a number ("ct", "hd") is not a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.domain.textnorm import fold

DocumentKind = Literal["NQ", "KL", "QĐ", "CT", "HD", "TB"]
KIND_NAMES: dict[str, str] = {
    "NQ": "Nghị quyết", "KL": "Kết luận", "QĐ": "Quy định", "CT": "Chỉ thị", "HD": "Hướng dẫn", "TB": "Thông báo",
}  # fmt: skip
_FOLDED_KIND = {
    "nq": "NQ", "nghi quyet": "NQ", "kl": "KL", "ket luan": "KL", "qd": "QĐ", "quy dinh": "QĐ",
    "ct": "CT", "chi thi": "CT", "hd": "HD", "huong dan": "HD", "tb": "TB", "thong bao": "TB",
}  # fmt: skip
MAX_NUMBER = 9999


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A Party or State document cited by its number: "57-NQ/TW", "nq 57", "NQ57", "nghị quyết 57",
    "kl 14", "chỉ thị 05". ``number`` has no leading zeros; ``issuer`` ("TW", "TƯ", "BCT", "BTGTW", …, as
    typed, upper case) only when the question gave one. ``label`` is how answers name it ("Nghị quyết
    57-NQ/TW", "Kết luận 14").
    """

    kind: DocumentKind
    number: int
    issuer: str | None
    label: str


def document(kind: DocumentKind, number: int, issuer: str | None = None) -> DocumentRef:
    short = "QĐ" if kind == "QĐ" else kind
    label = f"{KIND_NAMES[kind]} {number}" + (f"-{short}/{issuer}" if issuer else "")
    return DocumentRef(kind, number, issuer, label)


_ABBR = r"(nq|kl|qd|ct|hd|tb)"
_ISSUER = r"(?:\s*/\s*([a-z0-9&.]{1,12}(?:-[a-z0-9&.]{1,8})?))?"
# "57-NQ/TW", "57/NQ-TW" is rare; the number first, the kind, the issuer.
_NUMBER_FIRST = re.compile(rf"(?<![\w/-])(\d{{1,4}})\s*-\s*{_ABBR}{_ISSUER}(?![\w])")
# "nghị quyết (số) 57(-NQ/TW)", "nq 57", "NQ57", "nq-57", "kl số 14-KL/TW".
_KIND_FIRST = re.compile(
    rf"\b(nghi quyet|ket luan|quy dinh|chi thi|huong dan|thong bao|{_ABBR[1:-1]})\s*(?:so\s*)?[-.:]?\s*(\d{{1,4}})"
    rf"(?:\s*-\s*{_ABBR}{_ISSUER})?(?![\w/])"
)


def take_document(text: str) -> tuple[DocumentRef | None, str]:
    """The first document ``text`` cites, and ``text`` without the words that cited it."""
    folded = fold(text)
    if len(folded) != len(text):  # pragma: no cover - fold keeps the length of NFC text
        return None, text
    for pattern in (_KIND_FIRST, _NUMBER_FIRST):
        m = pattern.search(folded)
        if m is None:
            continue
        if pattern is _NUMBER_FIRST:
            number, kind, issuer_group = int(m.group(1)), _FOLDED_KIND[m.group(2)], 3
        else:
            number, kind, issuer_group = int(m.group(2)), _FOLDED_KIND[m.group(1)], 4
            if m.group(3) is not None:
                kind = _FOLDED_KIND[m.group(3)]
        if not 0 < number <= MAX_NUMBER:
            continue
        issuer = None
        if m.group(issuer_group) is not None:
            start, end = m.span(issuer_group)
            issuer = text[start:end].upper().replace(" ", "")
        rest = f"{text[: m.start()]} {text[m.end() :]}"
        return document(kind, number, issuer), " ".join(rest.split())  # type: ignore[arg-type]
    return None, text
