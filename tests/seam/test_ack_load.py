"""Many "Đã nhận" presses at once on the real bot and the local imitation: every press is answered
at once and recorded once, the buttons are edited afterwards within the flood limits, and a reply
to someone else is not queued behind those edits (issue 12.7; measured in benchmarks/campaign_acks.py)."""

from __future__ import annotations

from bot.texts import acks as ack_texts
from tests.conftest import ADMIN, BotHarness
from tests.delivery_helpers import add_subscribers, queue

CHATS = list(range(65_001, 65_041))  # 40 buttons: 1.6 s of edits at the test's 25/s
ASKER = 66_001


async def test_replies_go_ahead_of_the_button_edits_and_every_press_counts_once(bot: BotHarness) -> None:
    await add_subscribers(bot.store, CHATS)
    info = await queue(bot.store, ["<b>Phần 1</b> nhiệm vụ số 1"], admin=ADMIN)
    bot.data.engine.wake()
    await bot.until(lambda: all(bot.tg.messages_for(c) for c in CHATS), timeout=30)
    await bot.until(lambda: bot.data.engine.idle, timeout=10)
    answers_before, edits_before = len(bot.tg.callback_answers), len(bot.tg.edits)

    for chat in CHATS:
        bot.press(chat, "Đã nhận", user_id=chat)
    # Each press is answered (answerCallbackQuery is not rate-limited) before its button is edited.
    await bot.until(lambda: len(bot.tg.callback_answers) - answers_before >= len(CHATS), timeout=10)
    [reply] = await bot.ask(ASKER, "/latest")
    assert reply
    replied_at = bot.tg.messages_for(ASKER)[-1].at

    def buttons_edited() -> list[float]:
        return [e.at for e in bot.tg.edits[edits_before:] if e.chat_id in CHATS]

    await bot.until(lambda: len(buttons_edited()) == len(CHATS), timeout=30)
    # Made one at a time, the edits leave the reply one slot to wait, not forty: most come after it.
    assert sum(at > replied_at for at in buttons_edited()) >= len(CHATS) // 2
    answers = bot.tg.callback_answers[answers_before:]
    assert [a.text for a in answers] == [ack_texts.RECORDED] * len(CHATS)
    rows = await bot.store.fetchall(
        "SELECT count(*), count(DISTINCT chat_id) FROM acknowledgements WHERE broadcast_id = ?", (info.id,)
    )
    assert tuple(rows[0]) == (len(CHATS), len(CHATS))
    assert bot.tg.stats()["rate_limited_total"] == 0
    for chat in CHATS[:3]:
        assert bot.button(chat, "Đã nhận lúc")
