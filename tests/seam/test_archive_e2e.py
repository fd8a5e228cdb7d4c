"""Archive answers through the real Application polling the local Telegram imitation over HTTP."""

from __future__ import annotations

from typing import Any

from bot.texts import archive as texts
from data import bulletins
from tests.conftest import BotHarness, sample_bulletin

GROUP = -100_555


async def fill(bot: BotHarness) -> None:
    for name in ("seed-2021-10-haiphong.txt", "case07.txt", "case01.txt"):  # newest: 11/2021
        await bulletins.add(bot.store, sample_bulletin(name))


async def test_latest_and_a_task(bot: BotHarness) -> None:
    await fill(bot)
    [latest] = await bot.ask(701, "/latest")
    assert "tháng 11/2021" in latest
    assert "Ban Tuyên giáo Trung ương" in latest
    assert "6 nhiệm vụ trọng tâm" in latest
    [task] = await bot.ask(701, "nhiệm vụ 3")
    assert task.startswith("📌 Nhiệm vụ 3/6 · Hội nghị Báo cáo viên tháng 11/2021")
    [month] = await bot.ask(701, "tháng 10/2021")
    assert "Tháng 10/2021 có 2 bản tin" in month


async def test_navigation_button_edits_in_place(bot: BotHarness) -> None:
    await fill(bot)
    await bot.ask(702, "hội nghị mới nhất")
    sent_before = len(bot.tg.messages_for(702))
    message_id, _ = bot.button(702, texts.OLDER)
    answers_before = len(bot.tg.callback_answers)
    bot.press(702, texts.OLDER)
    await bot.until(lambda: len(bot.tg.callback_answers) > answers_before)
    edit = next(e for e in reversed(bot.tg.edits) if e.message_id == message_id)
    assert edit.text is not None and "tháng 10/2021" in edit.text
    assert len(bot.tg.messages_for(702)) == sent_before  # edited, not a new message
    # A task button on the edited message opens that task, again in place.
    bot.press(702, "2")
    await bot.until(lambda: len(bot.tg.callback_answers) > answers_before + 1)
    edit = bot.tg.edits[-1]
    assert edit.message_id == message_id
    assert edit.text is not None and "Nhiệm vụ 2/6" in edit.text


async def test_stale_button_gets_a_polite_answer(bot: BotHarness) -> None:
    await fill(bot)
    await bot.ask(703, "/latest")
    message_id, _ = bot.button(703, texts.LIST)
    before = len(bot.tg.callback_answers)
    bot.tg.user_callback(703, message_id, "ar:t:99999:1")
    bot.tg.user_callback(703, message_id, "ar:garbled")
    bot.tg.user_callback(703, message_id, "something-else-entirely")
    await bot.until(lambda: len(bot.tg.callback_answers) >= before + 3)
    notes = {a.text for a in bot.tg.callback_answers[before:]}
    assert notes == {texts.GONE_BUTTON, texts.STALE_BUTTON}


async def test_group_answers_only_when_addressed(bot: BotHarness) -> None:
    await fill(bot)
    username = bot.app.bot.username
    bot.say(GROUP, "tham nhũng", chat_type="supergroup")
    bot.say(GROUP, f"@{username} tham nhũng", chat_type="supergroup")
    replies = await bot.replies(GROUP, 1)
    assert "tham nhũng" in (replies[0].text or "")
    await bot.settled()  # both messages handled: the unaddressed one produced no reply
    assert len(bot.tg.messages_for(GROUP)) == 1


async def test_inline_query_offers_matching_tasks(bot: BotHarness) -> None:
    await fill(bot)
    bot.tg.user_inline_query(704, "tham nhũng")
    await bot.until(lambda: bot.tg.inline_answers)
    results: list[dict[str, Any]] = bot.tg.inline_answers[-1].results
    assert 1 <= len(results) <= 10
    content = results[0]["input_message_content"]
    assert content["message_text"].startswith("<b>📌 Nhiệm vụ")
    assert content["parse_mode"] == "HTML"
    bot.tg.user_inline_query(704, "")
    await bot.until(lambda: len(bot.tg.inline_answers) >= 2)
    latest = bot.tg.inline_answers[-1].results
    assert [r["title"].split(" · ")[0] for r in latest] == [f"Nhiệm vụ {n}/6" for n in range(1, 7)]


async def test_the_other_reading_is_one_tap_away(bot: BotHarness) -> None:
    await fill(bot)  # seed's task 6: "kỷ niệm 104 năm Cách mạng Tháng Mười Nga"
    [topic] = await bot.ask(705, "cách mạng tháng mười")
    assert topic.startswith("🔎 1 nhiệm vụ có cụm «cách mạng tháng mười»")
    message_id, data = bot.button(705, "📅 Bản tin tháng 10")
    assert data == "ar:q:1:tháng 10"
    edits = len(bot.tg.edits)
    bot.press(705, "📅 Bản tin tháng 10")
    await bot.until(lambda: len(bot.tg.edits) > edits)
    edit = bot.tg.edits[-1]
    assert edit.message_id == message_id
    assert edit.text is not None and "Tháng 10/2021 có 2 bản tin" in edit.text


async def test_a_question_button_is_understood_when_pressed(bot: BotHarness) -> None:
    await fill(bot)
    await bot.ask(706, "/latest")
    message_id, _ = bot.button(706, texts.LIST)
    edits = len(bot.tg.edits)
    bot.tg.user_callback(706, message_id, "ar:q:1:tháng 10/2021")
    await bot.until(lambda: len(bot.tg.edits) > edits)
    edit = bot.tg.edits[-1]
    assert edit.message_id == message_id
    assert edit.text is not None and "Tháng 10/2021 có 2 bản tin" in edit.text
