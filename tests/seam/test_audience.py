"""The audience at the HTTP seam (issue 12, point 1): the real bot on the local Telegram imitation.

/start's one reply carries the role buttons; a role then a unit pressed are stored; a typed unit
is awaited across a restart; an admin targets the propagandists of one unit, the preview's count is
exact and only those chats receive; a late joiner receives a running broadcast; /units add and
remove; hostile unit names (very long, HTML)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram
from data import admin_actions, outbox, subscribers, units
from tests.conftest import ADMIN, BotHarness, bulletin_text
from tests.delivery_helpers import add_subscribers

BULLETIN = "seed-2021-10-haiphong.txt"
PARTS = 6  # messages the sample bulletin is sent as


def _labels(bot: BotHarness, chat_id: int, message_id: int) -> list[str]:
    markup = bot.tg.bot_message_dict(chat_id, message_id).get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def _text(bot: BotHarness, chat_id: int, message_id: int) -> str:
    return html_to_plain(bot.tg.bot_message_dict(chat_id, message_id).get("text") or "")


async def _start(bot: BotHarness, chat_id: int) -> int:
    """/start as a new private chat: exactly one reply, the welcome; its message id."""
    [welcome] = await bot.ask(chat_id, "/start", user_id=chat_id)
    assert "Bạn đã đăng ký" in welcome and "Bạn là ai?" in welcome
    return bot.tg.messages_for(chat_id)[-1].message_id


async def _press_and_wait(bot: BotHarness, chat_id: int, label: str, message_id: int, marker: str) -> str:
    bot.press(chat_id, label, user_id=chat_id)
    await bot.until(lambda: marker in _text(bot, chat_id, message_id))
    return _text(bot, chat_id, message_id)


async def test_start_shows_roles_and_a_role_then_a_unit_are_stored(bot: BotHarness) -> None:
    unit, _ = await units.add(bot.store, "Phường Đông Hải")
    welcome = await _start(bot, 301)
    assert _labels(bot, 301, welcome) == [
        "🎙 Báo cáo viên · Reporter",
        "📣 Tuyên truyền viên · Propagandist",
        "👤 Cán bộ khác · Other staff",
        "Bỏ qua · Skip",
    ]
    asked = await _press_and_wait(bot, 301, "Tuyên truyền viên", welcome, "Đơn vị của bạn?")
    assert "Đã lưu: Tuyên truyền viên." in asked
    assert _labels(bot, 301, welcome) == ["Phường Đông Hải", "✍️ Đơn vị khác · Other unit", "Bỏ qua · Skip"]
    said = await _press_and_wait(bot, 301, "Phường Đông Hải", welcome, "✅ Đã lưu")
    assert "Tuyên truyền viên · Phường Đông Hải" in said and _labels(bot, 301, welcome) == []
    profile = await subscribers.get(bot.store, 301)
    assert profile is not None
    assert (profile.role, profile.role_kind, profile.unit, profile.unit_id) == (
        "Tuyên truyền viên",
        "ttv",
        "Phường Đông Hải",
        unit.id,
    )
    # The greeting uses it; a bare /profile offers the buttons again; the typed form still works.
    [again] = await bot.ask(301, "/start", user_id=301)
    assert "Tuyên truyền viên, Phường Đông Hải" in again
    [current] = await bot.ask(301, "/profile", user_id=301)
    assert "Tuyên truyền viên · Phường Đông Hải" in current
    assert "🎙 Báo cáo viên · Reporter" in _labels(bot, 301, bot.tg.messages_for(301)[-1].message_id)
    [saved] = await bot.ask(301, "/profile BCV xã | Xã An Lư", user_id=301)
    assert "BCV xã · Xã An Lư" in saved
    typed = await subscribers.get(bot.store, 301)
    assert typed is not None and typed.role_kind == "bcv" and typed.unit_id not in (None, unit.id)


async def test_a_stale_or_forged_choice_changes_nothing(bot: BotHarness) -> None:
    welcome = await _start(bot, 302)
    await bot.ask(302, "/stop", user_id=302)
    bot.press(302, "Báo cáo viên", user_id=302)  # no longer subscribed
    await bot.until(lambda: bool(bot.tg.callback_answers))
    assert "/start" in (bot.tg.callback_answers[-1].text or "")
    bot.tg.user_callback(302, welcome, "au:unit:999999", user_id=302)  # no such unit
    bot.tg.user_callback(302, welcome, "au:role:x", user_id=302)  # malformed
    await bot.settled()
    profile = await subscribers.get(bot.store, 302)
    assert profile is not None and (profile.role, profile.unit_id) == (None, None)


async def test_a_typed_unit_is_awaited_across_a_restart_and_hostile_names_are_handled(
    tg: LocalTelegram, bot_factory: Callable[..., Any]
) -> None:
    async with bot_factory(tg) as bot:
        welcome = await _start(bot, 401)
        await _press_and_wait(bot, 401, "Cán bộ khác", welcome, "Đơn vị của bạn?")
        await _press_and_wait(bot, 401, "Đơn vị khác", welcome, "Gõ tên đơn vị")
    async with bot_factory(tg) as bot:
        [refused] = await bot.ask(401, "Đ" * 300, user_id=401)
        assert "dài 300 ký tự, quá 80" in refused and "over 80" in refused
        assert await subscribers.asked_unit_at(bot.store, 401) is not None  # still asked
        [saved] = await bot.ask(401, "Phòng <b>Văn hóa</b> & <script>x</script>", user_id=401)
        # Escaped, so shown as typed (the imitation parses HTML: an unescaped tag would vanish).
        assert "Cán bộ khác · Phòng <b>Văn hóa</b> & <script>x</script>" in saved
        profile = await subscribers.get(bot.store, 401)
        assert profile is not None and profile.unit == "Phòng <b>Văn hóa</b> & <script>x</script>"
        assert profile.asked_unit_at is None
        typed = await units.find(bot.store, profile.unit)
        assert typed is not None and not typed.listed  # not offered to others
        # Answered: the next text is a question for the archive again, not a unit.
        [answer] = await bot.ask(401, "hội nghị mới nhất", user_id=401)
        assert "Đã lưu" not in answer
        after = await subscribers.get(bot.store, 401)
        assert after is not None and after.unit == profile.unit


async def test_units_add_list_remove_and_only_admins(bot: BotHarness) -> None:
    [added] = await bot.ask(ADMIN, "/units add   Phường  Đông Hải ", user_id=ADMIN)
    assert "Đã thêm đơn vị Phường Đông Hải" in added
    [same] = await bot.ask(ADMIN, "/donvi add phuong dong hai", user_id=ADMIN)
    assert "đã có trong danh sách" in same
    [html] = await bot.ask(ADMIN, "/units add <i>Xã</i> An Lư", user_id=ADMIN)
    assert "Đã thêm đơn vị <i>Xã</i> An Lư" in html
    [long] = await bot.ask(ADMIN, "/units add " + "x" * 120, user_id=ADMIN)
    assert "quá 80 ký tự" in long
    await add_subscribers(bot.store, [501])
    hai = await units.find(bot.store, "Phường Đông Hải")
    assert hai is not None
    await subscribers.set_unit(bot.store, 501, hai.id, hai.name)
    [listing] = await bot.ask(ADMIN, "/units", user_id=ADMIN)
    assert "• Phường Đông Hải — 1 người" in listing and "• <i>Xã</i> An Lư — 0 người" in listing
    [refused] = await bot.ask(777, "/units add Hacker", user_id=777)
    assert "Chỉ quản trị viên" in refused and await units.find(bot.store, "Hacker") is None
    [removed] = await bot.ask(ADMIN, "/units remove PHƯỜNG ĐÔNG HẢI", user_id=ADMIN)
    assert "Đã bỏ Phường Đông Hải" in removed and "1 người" in removed
    [missing] = await bot.ask(ADMIN, "/units remove Không Có", user_id=ADMIN)
    assert "Không có đơn vị Không Có" in missing
    # A new subscriber is offered the listed units only; the one in the removed unit keeps it.
    welcome = await _start(bot, 502)
    await _press_and_wait(bot, 502, "Báo cáo viên", welcome, "Đơn vị của bạn?")
    assert _labels(bot, 502, welcome)[0] == "<i>Xã</i> An Lư" and "Phường Đông Hải" not in _labels(bot, 502, welcome)
    kept = await subscribers.get(bot.store, 501)
    assert kept is not None and kept.unit_id == hai.id
    done = [(a.action, a.admin_user_id, a.detail) for a in reversed(await admin_actions.recent(bot.store))]
    assert done == [
        (admin_actions.UNIT_ADD, ADMIN, "Phường Đông Hải"),
        (admin_actions.UNIT_ADD, ADMIN, "<i>Xã</i> An Lư"),
        (admin_actions.UNIT_REMOVE, ADMIN, "Phường Đông Hải"),
    ]


async def _people(bot: BotHarness) -> tuple[list[int], list[int]]:
    """Nine subscribers: (role, unit) over bcv/ttv/none × Đông Hải/An Lư/none, plus two more ttv of
    Đông Hải; returns (the ttv of Đông Hải, everyone else)."""
    hai, _ = await units.add(bot.store, "Phường Đông Hải")
    lu, _ = await units.add(bot.store, "Xã An Lư")
    chat = 10_000
    wanted: list[int] = []
    others: list[int] = []
    for kind in ("bcv", "ttv", None):
        for unit in (hai, lu, None):
            for _copy in range(3 if (kind, unit) == ("ttv", hai) else 1):
                chat += 1
                await add_subscribers(bot.store, [chat])
                if kind is not None:
                    await subscribers.set_role(bot.store, chat, kind, kind)
                if unit is not None:
                    await subscribers.set_unit(bot.store, chat, unit.id, unit.name)
                (wanted if (kind, unit) == ("ttv", hai) else others).append(chat)
    return wanted, others


async def _preview(bot: BotHarness) -> int:
    bot.tg.user_document(ADMIN, "bulletin.txt", bulletin_text(BULLETIN).encode(), user_id=ADMIN)
    await bot.until(lambda: any("Gửi bản tin này" in (m.text or "") for m in bot.tg.messages_for(ADMIN)[-1:]), 30)
    return bot.tg.messages_for(ADMIN)[-1].message_id


async def test_an_admin_targets_one_unit_s_propagandists_the_count_is_exact_and_only_they_receive(
    bot: BotHarness,
) -> None:
    wanted, others = await _people(bot)
    question = await _preview(bot)
    assert "Gửi bản tin này tới 11 người đăng ký?" in _text(bot, ADMIN, question)
    bot.press(ADMIN, "Đối tượng", user_id=ADMIN)
    await bot.until(lambda: "Sẽ gửi tới 11 người · Will go to 11 people" in _text(bot, ADMIN, question))
    bot.press(ADMIN, "Tuyên truyền viên", user_id=ADMIN)
    await bot.until(lambda: "Sẽ gửi tới 5 người · Will go to 5 people" in _text(bot, ADMIN, question))
    assert "✓ Tuyên truyền viên" in _labels(bot, ADMIN, question)
    bot.press(ADMIN, "Phường Đông Hải", user_id=ADMIN)
    await bot.until(lambda: "Sẽ gửi tới 3 người · Will go to 3 people" in _text(bot, ADMIN, question))
    assert "Tuyên truyền viên · Phường Đông Hải" in _text(bot, ADMIN, question)
    # Toggling a unit on and off again is the same choice; the count follows each press.
    bot.press(ADMIN, "Xã An Lư", user_id=ADMIN)
    await bot.until(lambda: "Sẽ gửi tới 4 người" in _text(bot, ADMIN, question))
    bot.press(ADMIN, "Xã An Lư", user_id=ADMIN)
    await bot.until(lambda: "Sẽ gửi tới 3 người" in _text(bot, ADMIN, question))
    bot.press(ADMIN, "Xong", user_id=ADMIN)
    await bot.until(lambda: "Gửi bản tin này tới 3 người đăng ký?" in _text(bot, ADMIN, question))
    said = _text(bot, ADMIN, question)
    assert "Đối tượng: Tuyên truyền viên · Phường Đông Hải" in said and "Sẽ gửi tới 3 người" in said
    bot.press(ADMIN, "Gửi", user_id=ADMIN)
    await bot.until(lambda: all(len(bot.tg.messages_for(c)) >= PARTS for c in wanted), timeout=30)
    await bot.until(lambda: bot.data.engine.idle, timeout=10)
    await bot.settled()
    assert all(len(bot.tg.messages_for(c)) == PARTS for c in wanted)
    assert all(bot.tg.messages_for(c) == [] for c in others)
    [info] = await outbox.recent_broadcasts(bot.store)
    assert info.recipients == 3
    done = [(a.action, a.admin_user_id) for a in await admin_actions.for_broadcast(bot.store, info.id)]
    assert done[:2] == [(admin_actions.SEND, ADMIN), (admin_actions.TARGET, ADMIN)]


async def test_the_audience_survives_a_restart_and_late_joiners_can_be_refused(
    tg: LocalTelegram, bot_factory: Callable[..., Any]
) -> None:
    async with bot_factory(tg) as bot:
        await add_subscribers(bot.store, [601])
        question = await _preview(bot)
        bot.press(ADMIN, "Đối tượng", user_id=ADMIN)
        await bot.until(lambda: "Sẽ gửi tới 1 người" in _text(bot, ADMIN, question))
        bot.press(ADMIN, "Late joiners", user_id=ADMIN)
        await bot.until(lambda: "Late joiners: không · no" in " ".join(_labels(bot, ADMIN, question)))
    async with bot_factory(tg) as bot:
        bot.press(ADMIN, "Cán bộ khác", user_id=ADMIN)  # nobody has that role
        await bot.until(lambda: "Sẽ gửi tới 0 người" in _text(bot, ADMIN, question))
        bot.press(ADMIN, "Mọi người", user_id=ADMIN)
        await bot.until(lambda: "Sẽ gửi tới 1 người" in _text(bot, ADMIN, question))
        bot.press(ADMIN, "Xong", user_id=ADMIN)
        await bot.until(lambda: "Gửi bản tin này tới 1 người đăng ký?" in _text(bot, ADMIN, question))
        assert "Không gửi người đăng ký muộn · no late joiners" in _text(bot, ADMIN, question)
        bot.press(ADMIN, "Gửi", user_id=ADMIN)
        await bot.until(lambda: bool(bot.tg.messages_for(601)), timeout=30)
        [info] = await outbox.recent_broadcasts(bot.store)
        # A chat's parts go about one a second (Telegram's per-chat limit): the rest are still to go.
        assert await bot.data.engine.pause(info.id)
        await _start(bot, 602)  # joins while it is not over: refused by the admin's choice
        assert await bot.store.fetchval("SELECT count(*) FROM deliveries WHERE chat_id = 602") == 0
        assert await bot.store.fetchval("SELECT late_joiners FROM broadcasts WHERE id = ?", (info.id,)) == 0


async def test_a_late_joiner_who_matches_receives_a_running_broadcast_once(bot: BotHarness) -> None:
    hai, _ = await units.add(bot.store, "Phường Đông Hải")
    await add_subscribers(bot.store, [701])
    await subscribers.set_role(bot.store, 701, "ttv", "Tuyên truyền viên")
    await subscribers.set_unit(bot.store, 701, hai.id, hai.name)
    question = await _preview(bot)
    bot.press(ADMIN, "Đối tượng", user_id=ADMIN)
    await bot.until(lambda: "Sẽ gửi tới 1 người" in _text(bot, ADMIN, question))
    bot.press(ADMIN, "Tuyên truyền viên", user_id=ADMIN)
    await bot.until(lambda: "✓ Tuyên truyền viên" in _labels(bot, ADMIN, question))
    bot.press(ADMIN, "Xong", user_id=ADMIN)
    await bot.until(lambda: "Gửi bản tin này tới 1 người đăng ký?" in _text(bot, ADMIN, question))
    assert "Đối tượng: Tuyên truyền viên" in _text(bot, ADMIN, question)
    bot.press(ADMIN, "Gửi", user_id=ADMIN)
    await bot.until(lambda: bool(bot.tg.messages_for(701)), timeout=30)
    [info] = await outbox.recent_broadcasts(bot.store)
    assert await bot.data.engine.pause(info.id)  # parts go ~1 a second a chat: not over yet
    welcome = await _start(bot, 702)
    assert await bot.store.fetchval("SELECT count(*) FROM deliveries WHERE chat_id = 702") == 0  # no role yet
    await _press_and_wait(bot, 702, "Tuyên truyền viên", welcome, "Đơn vị của bạn?")  # now in the target
    assert await bot.store.fetchval("SELECT count(*) FROM deliveries WHERE chat_id = 702") == PARTS
    await _press_and_wait(bot, 702, "Phường Đông Hải", welcome, "✅ Đã lưu")  # a second match: not twice
    [again] = await bot.ask(702, "/start", user_id=702)
    assert "Bạn đã đăng ký từ trước" in again
    assert await bot.store.fetchval("SELECT count(*) FROM deliveries WHERE chat_id = 702") == PARTS
    assert await bot.data.engine.resume(info.id)
    await bot.until(lambda: len(bot.tg.messages_for(702)) >= 2 + PARTS, timeout=30)
    await bot.until(lambda: bot.data.engine.idle, timeout=10)
    await bot.settled()
    parts = [m for m in bot.tg.messages_for(702) if "Nhiệm vụ" in (m.text or "")]
    assert len(parts) == PARTS and len(bot.tg.messages_for(701)) == PARTS
    done = await outbox.get_broadcast(bot.store, info.id)
    assert done is not None and done.recipients == 2


async def test_in_a_group_only_its_administrators_choose_and_a_typed_unit_is_a_reply(bot: BotHarness) -> None:
    group, owner, member = -100_888, 5101, 5102
    bot.tg.set_member_status(group, owner, "creator")
    bot.tg.set_member_status(group, member, "member")
    await bot.ask(group, "/start", user_id=owner)
    welcome = bot.tg.messages_for(group)[-1].message_id
    before = len(bot.tg.callback_answers)
    bot.tg.user_callback(group, welcome, bot.button(group, "Báo cáo viên")[1], user_id=member)
    await bot.until(lambda: len(bot.tg.callback_answers) > before)
    assert "Chỉ quản trị viên của nhóm" in (bot.tg.callback_answers[-1].text or "")
    profile = await subscribers.get(bot.store, group)
    assert profile is not None and profile.role_kind is None
    bot.tg.user_callback(group, welcome, bot.button(group, "Báo cáo viên")[1], user_id=owner)
    await bot.until(lambda: "Đơn vị của bạn?" in _text(bot, group, welcome))
    bot.seen[group] = len(bot.tg.messages_for(group))
    bot.tg.user_callback(group, welcome, bot.button(group, "Đơn vị khác")[1], user_id=owner)
    [asked] = await bot.replies(group, 1)  # in a group, a question to reply to (privacy mode)
    assert "Gõ tên đơn vị" in html_to_plain(asked.text or "")
    # A member's reply, and the owner's message that is no reply, are not the unit.
    bot.say(group, "Tổ dân phố 3", user_id=member, reply_to=asked.message_id)
    bot.say(group, "Chi bộ 5", user_id=owner)
    await bot.settled()
    unchanged = await subscribers.get(bot.store, group)
    assert unchanged is not None and unchanged.unit is None and unchanged.asked_unit_at is not None
    bot.seen[group] = len(bot.tg.messages_for(group))  # past the archive's answer to the member
    [saved] = await bot.ask(group, "Chi bộ 5", user_id=owner, reply_to=asked.message_id)
    assert "Báo cáo viên · Chi bộ 5" in saved
    chosen = await subscribers.get(bot.store, group)
    assert chosen is not None and (chosen.role_kind, chosen.unit) == ("bcv", "Chi bộ 5")
