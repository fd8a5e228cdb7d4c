""" "Đã nhận" acknowledgements at the HTTP seam: the real bot on the local Telegram imitation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram
from data import acks, outbox, subscribers
from tests.conftest import ADMIN, BotHarness
from tests.delivery_helpers import add_subscribers

BULLETIN = "seed-2021-10-haiphong.txt"


def _labels(bot: BotHarness, chat_id: int, message_id: int) -> list[str]:
    markup = bot.tg.bot_message_dict(chat_id, message_id).get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def _answer(bot: BotHarness, press: Callable[[], object]) -> str:
    """Press (``press()``) and return the text the bot answered that callback with."""
    before = len(bot.tg.callback_answers)
    press()
    await bot.until(lambda: len(bot.tg.callback_answers) > before)
    return bot.tg.callback_answers[before].text or ""


async def _delivered(bot: BotHarness, chats: list[int], *, subscribe: bool = True) -> int:
    """Publish the sample bulletin to ``chats`` (subscribing them first unless they are) and wait
    until every part is sent and written."""
    if subscribe:
        await add_subscribers(bot.store, chats)
    await bot.publish(BULLETIN)
    await bot.until(lambda: all(len(bot.tg.messages_for(c)) >= 6 for c in chats), timeout=30)
    await bot.until(lambda: bot.data.engine.idle, timeout=10)
    [info] = await outbox.recent_broadcasts(bot.store)
    return info.id


async def test_only_the_last_part_carries_the_button_and_a_press_records_once(bot: BotHarness) -> None:
    broadcast_id = await _delivered(bot, [501, 502])
    for chat in (501, 502):
        parts = bot.tg.messages_for(chat)
        assert [_labels(bot, chat, m.message_id) for m in parts[:5]] == [[]] * 5
        assert _labels(bot, chat, parts[5].message_id) == ["✅ Đã nhận · Received"]
        assert bot.button(chat, "Đã nhận")[1] == f"ack:got:{broadcast_id}"
    last = bot.tg.messages_for(501)[5].message_id

    assert "Đã ghi nhận" in await _answer(bot, lambda: bot.press(501, "Đã nhận", user_id=501))
    at = await acks.acked_at(bot.store, broadcast_id, 501)
    assert at is not None
    await bot.until(lambda: "Đã nhận lúc" in " ".join(_labels(bot, 501, last)))
    [label] = _labels(bot, 501, last)
    assert label.startswith("✅ Đã nhận lúc ") and label.endswith(" · Received")
    hhmm = label.removeprefix("✅ Đã nhận lúc ").removesuffix(" · Received")
    assert len(hhmm) == 5 and hhmm[2] == ":"

    second = await _answer(bot, lambda: bot.press(501, "Đã nhận", user_id=501))  # the edited button still answers
    assert "Đã ghi nhận từ trước" in second and hhmm in second
    assert await acks.acked_at(bot.store, broadcast_id, 501) == at  # the first time is kept
    assert await acks.rate(bot.store, broadcast_id) == acks.Rate(acked=1, received=2)
    assert _labels(bot, 502, bot.tg.messages_for(502)[5].message_id) == ["✅ Đã nhận · Received"]


async def test_a_stranger_or_a_malformed_press_records_nothing(bot: BotHarness) -> None:
    broadcast_id = await _delivered(bot, [601])
    await bot.ask(699, "/start")  # subscribed after the broadcast: not a recipient
    welcome = bot.tg.messages_for(699)[-1].message_id
    assert "không được gửi" in await _answer(bot, lambda: bot.tg.user_callback(699, welcome, f"ack:got:{broadcast_id}"))
    # No such broadcast; then data that is no ack button at all (answered as out of date).
    assert "không được gửi" in await _answer(bot, lambda: bot.tg.user_callback(699, welcome, "ack:got:987654"))
    assert await _answer(bot, lambda: bot.tg.user_callback(699, welcome, "ack:got:x1"))
    await bot.settled()
    assert await acks.rate(bot.store, broadcast_id) == acks.Rate(acked=0, received=1)
    assert await bot.store.fetchval("SELECT count(*) FROM acknowledgements") == 0
    assert not any("Đã nhận" in label for label in _labels(bot, 699, welcome))  # the role buttons only


async def test_a_press_after_a_restart_is_recorded(tg: LocalTelegram, bot_factory: Callable[..., Any]) -> None:
    async with bot_factory(tg) as bot:
        broadcast_id = await _delivered(bot, [701])
    async with bot_factory(tg) as bot:
        assert "Đã ghi nhận" in await _answer(bot, lambda: bot.press(701, "Đã nhận", user_id=701))
        last = tg.messages_for(701)[5].message_id
        await bot.until(lambda: "Đã nhận lúc" in " ".join(_labels(bot, 701, last)))
        assert await acks.rate(bot.store, broadcast_id) == acks.Rate(acked=1, received=1)


async def _admin_asks(bot: BotHarness, text: str, marker: str) -> str:
    """As the admin, send ``text``; the plain text of the next message to the admin holding ``marker``
    (progress messages and reports may arrive in between)."""
    start = len(bot.tg.messages_for(ADMIN))
    bot.say(ADMIN, text, user_id=ADMIN)

    def found() -> str | None:
        for m in bot.tg.messages_for(ADMIN)[start:]:
            if marker in html_to_plain(m.text or ""):
                return html_to_plain(m.text or "")
        return None

    await bot.until(found)
    reply = found()
    assert reply is not None
    return reply


async def _profiles(bot: BotHarness, people: dict[int, tuple[str, str | None]]) -> None:
    """Subscribe each chat with a name and a unit (None: no unit given)."""
    for chat_id, (name, unit) in people.items():
        await subscribers.subscribe(bot.store, chat_id, user_id=chat_id, chat_type="private", display_name=name)
        await subscribers.set_profile(bot.store, chat_id, role=None, unit=unit)


async def test_rate_who_has_not_by_unit_and_a_reminder_to_those_only(
    tg: LocalTelegram, bot_factory: Callable[..., Any]
) -> None:
    people = {
        801: ("Lan", "Huyện ủy Kiến Thụy"),
        802: ("Minh", "Huyện ủy Kiến Thụy"),
        803: ("Hà", "Đảng ủy Khối"),
        804: ("Tú", None),
        805: ("Nga", "Đảng ủy Khối"),
    }
    # A limit of 2 messages a second for the whole bot: the reminder must wait its turn, not burst.
    async with bot_factory(tg, send_rate=2.0) as bot:
        await _profiles(bot, people)
        broadcast_id = await _delivered(bot, list(people), subscribe=False)
        for chat in (801, 803):
            await _answer(bot, lambda chat=chat: bot.press(chat, "Đã nhận", user_id=chat))  # type: ignore[misc]
        assert await acks.rate(bot.store, broadcast_id) == acks.Rate(acked=2, received=5)

        listing = await _admin_asks(bot, "/broadcasts", "đã nhận")
        assert "đã nhận · acknowledged 2/5 (40%)" in listing and f"/chuanhan_{broadcast_id}" in listing

        who = await _admin_asks(bot, f"/chuanhan_{broadcast_id}", "Chưa nhận")
        lines = who.splitlines()
        assert "3 người · people" in who
        # By unit (alphabetical), those without one last; acknowledged people not listed.
        assert lines.index("Huyện ủy Kiến Thụy") < lines.index("• Minh")
        assert lines.index("Đảng ủy Khối") < lines.index("• Nga") < lines.index("chưa ghi đơn vị · no unit given")
        assert lines.index("chưa ghi đơn vị · no unit given") < lines.index("• Tú")
        assert "• Lan" not in lines and "• Hà" not in lines

        before = {chat: len(tg.messages_for(chat)) for chat in people}
        answer = await _answer(bot, lambda: bot.press(ADMIN, "Nhắc", user_id=ADMIN))
        assert "3" in answer and "Đã xếp hàng nhắc" in answer
        await bot.until(lambda: all(len(tg.messages_for(c)) == before[c] + 1 for c in (802, 804, 805)), timeout=20)
        await bot.until(lambda: bot.data.engine.idle, timeout=10)
        assert all(len(tg.messages_for(c)) == before[c] for c in (801, 803))  # acknowledged: no reminder
        reminder = tg.messages_for(805)[-1]
        assert "Xin bấm" in (reminder.text or "") and "Reminder" in (reminder.text or "")
        assert bot.button(805, "Đã nhận")[1] == f"ack:got:{broadcast_id}"  # acknowledges the original
        # Paced like any broadcast: no 429, never more in a second than SEND_RATE.
        assert tg.stats()["rate_limited_total"] == 0
        assert tg.stats()["max_rate_1s"] <= 2
        reminder_rows = await bot.store.fetchall(
            "SELECT chat_id FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id "
            "WHERE b.reminder_of = ? AND d.status = 'sent' ORDER BY chat_id",
            (broadcast_id,),
        )
        assert [r[0] for r in reminder_rows] == [802, 804, 805]

        # The reminder's button records the original broadcast.
        assert "Đã ghi nhận" in await _answer(bot, lambda: bot.press(805, "Đã nhận", user_id=805))
        assert await acks.rate(bot.store, broadcast_id) == acks.Rate(acked=3, received=5)
        who = await _admin_asks(bot, f"/chuanhan {broadcast_id}", "Chưa nhận")
        assert "2 người · people" in who and "• Nga" not in who.splitlines()

        # Not for subscribers.
        [refusal] = await bot.ask(802, f"/chuanhan_{broadcast_id}")
        assert "quản trị viên" in refusal
