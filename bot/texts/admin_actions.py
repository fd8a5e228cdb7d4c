"""Texts naming what the admins did (data/admin_actions.py): one action with who and when, the short
summary under a broadcast in /broadcasts and its progress, the "who did what" lines of its final
report, and the notice a requesting admin gets when another admin controls their broadcast.

Times are local (the ``TIMEZONE`` setting), as in bot/texts/schedule.py. An action recorded with no
user id was the command line's ("dòng lệnh · CLI") or, when its name is ``data.admin_actions.BY_BOT``,
the bot's own ("bot tự động · the bot").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from typing import Protocol

from bot.delivery.when import from_utc_text
from bot.texts.archive import shorten

# Each action code (data/admin_actions.py) → (Vietnamese verb, English past participle).
LABELS: dict[str, tuple[str, str]] = {
    "send": ("gửi", "sent"),
    "schedule": ("hẹn giờ", "scheduled"),
    "send_now": ("gửi ngay", "sent now"),
    "pause": ("tạm dừng", "paused"),
    "resume": ("tiếp tục", "resumed"),
    "cancel": ("hủy", "cancelled"),
    "remind": ("nhắc người chưa nhận", "reminded"),
    "target": ("chọn người nhận", "targeted"),
    "edit": ("sửa nội dung", "edited"),
    "retract": ("thu hồi", "withdrawn"),
    "notice": ("gửi đính chính", "correction sent"),
    "export": ("xuất CSV", "exported to CSV"),
    "unit_add": ("thêm đơn vị", "unit added"),
    "unit_remove": ("bỏ đơn vị", "unit removed"),
    "source_add": ("thêm nguồn theo dõi", "source added"),
    "source_remove": ("bỏ nguồn theo dõi", "source removed"),
}
CLI = "dòng lệnh · CLI"
BOT = "bot tự động · the bot"
BOT_NAME = "bot"  # the admin_name of the bot's own actions (data.admin_actions.BY_BOT)
ACTIONS_HEAD = "Đã làm · <i>Actions</i>"
# What starts a broadcast: a shortened summary keeps the first of these beside the latest actions.
ORIGINS = ("send", "schedule")
SUMMARY_SHOWN = 4  # actions on the one line under a broadcast (a listing page holds five broadcasts)
REPORT_SHOWN = 12  # actions listed in a final report; the oldest first, the rest counted


class Action(Protocol):
    """What is read of one recorded action (``data.admin_actions.AdminAction``)."""

    @property
    def at(self) -> str: ...
    @property
    def admin_user_id(self) -> int | None: ...
    @property
    def admin_name(self) -> str | None: ...
    @property
    def action(self) -> str: ...
    @property
    def detail(self) -> str: ...


def who(admin_user_id: int | None, admin_name: str | None) -> str:
    """The admin by name (their Telegram name then), or ``#id``; the CLI; the bot. HTML-escaped."""
    if admin_user_id is None:
        return BOT if admin_name == BOT_NAME else CLI
    name = (admin_name or "").strip()
    return escape(shorten(name, 40)) if name else f"#{admin_user_id}"


def label(action: str) -> tuple[str, str]:
    """(Vietnamese, English) of an action code; an unknown code as itself."""
    return LABELS.get(action, (action, action))


def when(at: str, zone: dt.tzinfo) -> str:
    """A stored UTC time as "08:12 3/12" in ``zone``."""
    local = from_utc_text(at).astimezone(zone)
    return f"{local:%H:%M} {local.day}/{local.month}"


def action_line(action: Action, zone: dt.tzinfo) -> str:
    """``08:12 3/12 · Nguyễn Lan: tạm dừng · paused`` (and its detail, if any)."""
    vietnamese, english = label(action.action)
    detail = f" ({escape(shorten(action.detail, 60))})" if action.detail else ""
    return f"{when(action.at, zone)} · {who(action.admin_user_id, action.admin_name)}: {vietnamese} · {english}{detail}"


def _clock(local: dt.datetime, previous: dt.datetime | None) -> str:
    """The time as "07:41", with the day ("07:41 3/12") on the first entry and whenever the local day changes."""
    if previous is not None and previous.date() == local.date():
        return f"{local:%H:%M}"
    return f"{local:%H:%M} {local.day}/{local.month}"


def summary(actions: Sequence[Action], zone: dt.tzinfo, shown: int = SUMMARY_SHOWN) -> str | None:
    """The action log on one line, under a broadcast in /broadcasts and in its progress message:
    "👤 Đã làm · Actions: 07:30 3/12 Lan: gửi · sent; 07:41 Trần Minh: tạm dừng · paused; 07:45 An:
    tiếp tục · resumed". With more than ``shown`` actions, who sent (or scheduled) it, how many are
    left out, and the latest. None if nothing was recorded. ``actions`` oldest first."""
    if not actions:
        return None
    picked: list[Action | int] = list(actions)
    if len(actions) > shown:
        origin = next((a for a in actions[: -(shown - 1)] if a.action in ORIGINS), None)
        head: list[Action] = [] if origin is None else [origin]
        tail = list(actions[-(shown - len(head)) :])
        picked = [*head, len(actions) - len(head) - len(tail), *tail]
    parts, previous = [], None
    for item in picked:
        if isinstance(item, int):
            parts.append(f"… và {item} thao tác nữa · <i>and {item} more</i>")
            continue
        local = from_utc_text(item.at).astimezone(zone)
        vietnamese, english = label(item.action)
        name = who(item.admin_user_id, item.admin_name)
        parts.append(f"{_clock(local, previous)} {name}: {vietnamese} · {english}")
        previous = local
    return f"👤 {ACTIONS_HEAD}: " + "; ".join(parts)


def report_lines(actions: Sequence[Action], zone: dt.tzinfo) -> list[str]:
    """The action log of a final report, one action a line, oldest first; empty if nothing was
    recorded."""
    if not actions:
        return []
    lines = [f"👤 {ACTIONS_HEAD}:"]
    lines += [f"• {action_line(a, zone)}" for a in actions[:REPORT_SHOWN]]
    if len(actions) > REPORT_SHOWN:
        more = len(actions) - REPORT_SHOWN
        lines.append(f"… và {more} thao tác nữa · <i>and {more} more</i>")
    return lines


# How the notice to the requesting admin says it: (Vietnamese after "đã", English).
_NOTICE_VERBS = {
    "pause": ("tạm dừng", "paused"),
    "resume": ("cho gửi tiếp", "resumed"),
    "send_now": ("cho gửi ngay", "started now"),
    "cancel": ("hủy", "cancelled"),
}


def controlled_by_other(action: str, broadcast_id: int, title: str, admin_user_id: int, admin_name: str | None) -> str:
    """Told in the chat of the admin who requested ``broadcast_id`` when another admin paused,
    resumed or started it (a cancel is told by the final report, which names who did it)."""
    vietnamese, english = _NOTICE_VERBS.get(action, label(action))
    name = who(admin_user_id, admin_name)
    return (
        f"👤 {name} đã {vietnamese} bản tin #{broadcast_id} của bạn.\n"
        f"<b>{escape(shorten(title, 80))}</b>\n"
        f"<i>{name} {english} your broadcast #{broadcast_id}.</i> /broadcasts"
    )
