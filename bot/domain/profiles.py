"""Subscription rules that are not plain storage: how a profile ("role | unit") is read."""

from __future__ import annotations

MAX_FIELD = 80


def parse_profile(text: str) -> tuple[str | None, str | None] | None:
    """``"Báo cáo viên | Đảng ủy Khối"`` → (role, unit); ``"-"`` clears both; None if unusable."""
    text = " ".join(text.split())
    if not text:
        return None
    if text in {"-", "xóa", "xoá", "clear"}:
        return (None, None)
    role, _, unit = text.partition("|")
    role_clean = role.strip()[:MAX_FIELD] or None
    unit_clean = unit.strip()[:MAX_FIELD] or None
    if role_clean is None and unit_clean is None:
        return None
    return role_clean, unit_clean
