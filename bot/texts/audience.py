"""Texts for the audience (issue 12, point 1): the role and unit a subscriber chooses after /start
or in /profile, the admins' unit list (/units), and the audience of a broadcast in its preview."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from bot.domain.audience import MAX_UNIT_NAME, ROLE_KINDS, ROLE_NAMES, Target

# --- a subscriber's choice ----------------------------------------------------------------------------------

ROLE_BUTTONS: dict[str, str] = {
    "bcv": "🎙 Báo cáo viên · Reporter",
    "ttv": "📣 Tuyên truyền viên · Propagandist",
    "other": "👤 Cán bộ khác · Other staff",
}
# Short names for the preview's toggles, where three share a row.
ROLE_SHORT: dict[str, str] = {"bcv": "Báo cáo viên", "ttv": "Tuyên truyền viên", "other": "Cán bộ khác"}
ROLE_ENGLISH: dict[str, str] = {"bcv": "reporters", "ttv": "propagandists", "other": "other staff"}
OTHER_UNIT_BUTTON = "✍️ Đơn vị khác · Other unit"
SKIP_BUTTON = "Bỏ qua · Skip"
CHANGE_BUTTON = "✏️ Đổi · Change"
SAVED_NOTICE = "Đã lưu · Saved"
SKIPPED_NOTICE = "Đã bỏ qua · Skipped"
NOT_SUBSCRIBED_ALERT = "Hãy gõ /start để đăng ký trước. · Send /start to subscribe first."
GROUP_ADMINS_ALERT = (
    "Chỉ quản trị viên của nhóm mới đổi được thông tin của nhóm. · Only the group's administrators can change this."
)
UNIT_GONE_ALERT = "Đơn vị này không còn trong danh sách. · This unit is no longer listed."


def choose_role_line() -> str:
    """Under the welcome: the optional first tap."""
    return (
        "👇 Bạn là ai? Chọn để nhận đúng bản tin dành cho mình (không bắt buộc, đổi lại bằng /profile).\n"
        "<i>Who are you? Choose to get the bulletins meant for you (optional; change it with /profile).</i>"
    )


def choose_unit(role: str | None, *, offered: int) -> str:
    """After the role: the unit, from the list or typed."""
    saved = f"Đã lưu: <b>{escape(role)}</b>.\n" if role else ""
    pick = "Chọn bên dưới, hoặc bấm <b>Đơn vị khác</b> để gõ tên." if offered else "Bấm <b>Đơn vị khác</b> để gõ tên."
    return f"{saved}🏢 Đơn vị của bạn? {pick}\n<i>Your unit? Pick it below, or press Other unit to type it.</i>"


def ask_unit_name() -> str:
    return (
        f"✍️ Gõ tên đơn vị của bạn (tối đa {MAX_UNIT_NAME} ký tự), ví dụ <i>Phường Đông Hải</i>. "
        "Gõ /skip để bỏ qua.\n"
        f"<i>Type your unit's name (up to {MAX_UNIT_NAME} characters); /skip to skip.</i>"
    )


def profile_chosen(role: str | None, unit: str | None) -> str:
    shown = " · ".join(f"<b>{escape(x)}</b>" for x in (role, unit) if x) or "—"
    return f"✅ Đã lưu: {shown}. Đổi lại lúc nào cũng được: /profile\n<i>Saved. Change it any time with /profile.</i>"


def profile_skipped() -> str:
    return "Đã bỏ qua. Khi cần, gõ /profile để chọn. · <i>Skipped; /profile to choose later.</i>"


def profile_current(role: str | None, unit: str | None) -> str:
    """Bare /profile: what is saved, and the buttons to change it."""
    shown = " · ".join(f"<b>{escape(x)}</b>" for x in (role, unit) if x) or "<i>chưa chọn · not set</i>"
    return (
        f"Thông tin của bạn: {shown}\n"
        "Chọn lại bên dưới, hoặc gõ <code>/profile chức danh | đơn vị</code>.\n"
        "<i>Your profile. Choose again below, or type /profile role | unit.</i>"
    )


def unit_name_refused(reason: str, length: int = 0) -> str:
    if reason == "too_long":
        return (
            f"Tên đơn vị dài {length} ký tự, quá {MAX_UNIT_NAME} ký tự. Hãy gõ tên ngắn hơn (hoặc /skip).\n"
            f"<i>That unit name is {length} characters long, over {MAX_UNIT_NAME}. Type a shorter one (or /skip).</i>"
        )
    return "Tên đơn vị trống. Hãy gõ tên đơn vị (hoặc /skip). · <i>The unit name is empty; type it (or /skip).</i>"


def late_joined_notice(count: int) -> str:
    """In a button's answer: the running broadcasts now on their way."""
    return "bản tin đang gửi sẽ đến ngay · the bulletin being sent is on its way"


def late_joined(count: int) -> str:
    """A subscriber who joined while a broadcast runs: it reaches them too."""
    if count == 1:
        return (
            "📬 Bản tin đang được gửi sẽ đến với bạn ngay sau đây. · "
            "<i>The bulletin being sent now is on its way to you.</i>"
        )
    return (
        f"📬 {count} bản tin đang được gửi sẽ đến với bạn ngay sau đây. · "
        f"<i>{count} bulletins being sent now are on their way to you.</i>"
    )


# --- /units (admins) -----------------------------------------------------------------------------------------


def units_list(units: Sequence[tuple[str, bool, int]]) -> str:
    """(name, listed, active subscribers) of each unit; the typed ones (not listed) after."""
    lines = ["🏢 <b>Đơn vị</b> · <i>Units</i>"]
    listed = [u for u in units if u[1]]
    typed = [u for u in units if not u[1]]
    if not listed:
        lines.append("Chưa có đơn vị nào trong danh sách. · <i>No units listed yet.</i>")
    for name, _, count in listed:
        lines.append(f"• {escape(name)} — {count} người · <i>{count} subscribed</i>")
    if typed:
        lines += ["", "Do người đăng ký tự gõ (không có trong danh sách) · <i>typed by subscribers, not listed</i>:"]
        lines += [f"• {escape(name)} — {count} người" for name, _, count in typed]
    lines += ["", units_usage()]
    return "\n".join(lines)


def units_usage() -> str:
    return (
        "Thêm: <code>/units add Tên đơn vị</code> · Bỏ: <code>/units remove Tên đơn vị</code>\n"
        "<i>Add or remove a unit offered to subscribers; removing keeps it for those already in it.</i>"
    )


def unit_added(name: str, *, new: bool) -> str:
    if new:
        return f"✅ Đã thêm đơn vị <b>{escape(name)}</b>. · <i>Unit added.</i>"
    return f"Đơn vị <b>{escape(name)}</b> đã có trong danh sách. · <i>That unit is already listed.</i>"


def unit_removed(name: str, subscribers: int) -> str:
    return (
        f"🗑 Đã bỏ <b>{escape(name)}</b> khỏi danh sách; {subscribers} người đang thuộc đơn vị này vẫn giữ nguyên.\n"
        f"<i>Removed from the list; the {subscribers} subscribers in it keep it.</i>"
    )


def unit_not_listed(name: str) -> str:
    return (
        f"Không có đơn vị <b>{escape(name)}</b> trong danh sách. Xem danh sách: /units\n"
        "<i>No such unit is listed. See /units.</i>"
    )


def units_admins_only() -> str:
    return "Chỉ quản trị viên của bot mới quản lý được danh sách đơn vị. · <i>Only the bot's admins manage units.</i>"


# --- the audience of a broadcast, in the preview ------------------------------------------------------------

AUDIENCE_BUTTON = "🎯 Đối tượng · Audience"
EVERYONE_BUTTON = "👥 Mọi người · Everyone"
DONE_BUTTON = "✅ Xong · Done"
AUDIENCE_CHANGED_NOTICE = "Đã đổi đối tượng · Audience changed"


def toggle(label: str, on: bool) -> str:
    return f"✓ {label}" if on else label


def late_button(on: bool) -> str:
    return f"Người đăng ký muộn · Late joiners: {'có · yes' if on else 'không · no'}"


def summary(target: Target, unit_names: Mapping[int, str]) -> str:
    """Who a target takes, in words (HTML): "Tuyên truyền viên · Phường Đông Hải"."""
    if target.everyone:
        return "mọi người đăng ký · <i>everyone</i>"
    parts = []
    if target.roles is not None:
        parts.append(", ".join(ROLE_NAMES[k] for k in target.roles if k in ROLE_KINDS))
    if target.units is not None:
        parts.append(", ".join(escape(unit_names.get(u, f"#{u}")) for u in target.units))
    english = []
    if target.roles is not None:
        english.append(", ".join(ROLE_ENGLISH[k] for k in target.roles))
    if target.units is not None:
        english.append(f"{len(target.units)} unit{'s' if len(target.units) != 1 else ''}")
    return f"{' · '.join(parts)} · <i>{' of '.join(english)}</i>"


def will_reach(count: int) -> str:
    people = "person" if count == 1 else "people"
    n = f"{count:,}".replace(",", ".")
    return f"Sẽ gửi tới <b>{n}</b> người · <i>Will go to {n} {people}</i>"


def audience_line(target: Target, unit_names: Mapping[int, str], count: int) -> str:
    """The line the preview's question carries: the audience and exactly how many it reaches."""
    late = "" if target.late_joiners else "\nKhông gửi người đăng ký muộn · <i>no late joiners</i>"
    return f"🎯 Đối tượng: {summary(target, unit_names)}\n{will_reach(count)}{late}"


def audience_menu(title: str, target: Target, unit_names: Mapping[int, str], count: int, *, more: int = 0) -> str:
    """The question while the audience is being chosen."""
    hidden = f"\n<i>(+{more} đơn vị không hiện · more units not shown)</i>" if more else ""
    return (
        f"🎯 <b>Đối tượng nhận</b> · <i>Audience</i> — <b>{escape(title)}</b>\n"
        "Bấm để chọn vai trò và đơn vị (bấm lại để bỏ chọn); không chọn gì là gửi mọi người.\n"
        "<i>Tap roles and units to choose (tap again to clear); nothing chosen is everyone.</i>\n\n"
        f"{audience_line(target, unit_names, count)}{hidden}"
    )
