"""Roman numerals for the list labels Word and HTML render but a document's text does not contain."""

from __future__ import annotations

_NUMERALS = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def roman(value: int) -> str:
    """``4`` → ``"IV"``; for 1 to 3999 (both list formats stop there)."""
    out = []
    for number, numeral in _NUMERALS:
        while value >= number:
            out.append(numeral)
            value -= number
    return "".join(out)
