"""Subscription rules that are not plain storage: how a profile ("role | unit") is read, and who may
change a group's subscription."""

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


# Who may change a group's subscription (/start, /stop, /profile): its owner and its administrators,
# as Telegram's getChatMember names them.
GROUP_MANAGER_STATUSES = frozenset({"creator", "administrator"})
# How long an answer from Telegram about a member's status is trusted.
MEMBER_STATUS_TTL = 60.0


class ExpiringAnswers:
    """Yes/no answers about members, each trusted for ``ttl`` seconds. The caller passes the time
    (a monotonic clock), so this stays pure; stale answers are dropped as they are met."""

    def __init__(self, ttl: float = MEMBER_STATUS_TTL) -> None:
        self.ttl = ttl
        self._answers: dict[int, tuple[bool, float]] = {}

    def get(self, key: int, now: float) -> bool | None:
        found = self._answers.get(key)
        if found is None:
            return None
        if now - found[1] >= self.ttl:
            del self._answers[key]
            return None
        return found[0]

    def put(self, key: int, value: bool, now: float) -> None:
        if len(self._answers) >= 256:  # a busy group: forget the stale ones before growing
            self._answers = {k: v for k, v in self._answers.items() if now - v[1] < self.ttl}
        self._answers[key] = (value, now)


def may_manage_group(status: str) -> bool:
    """Whether a member with this getChatMember ``status`` may change the group's subscription."""
    return status in GROUP_MANAGER_STATUSES
