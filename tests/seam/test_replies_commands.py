"""Every command gets an answer that helps: the aliases the bot understands, commands it does not
know, wrong arguments, and greetings. The real Application against the local Telegram imitation."""

from __future__ import annotations

import pytest

from bot.texts import archive as texts
from data import bulletins
from tests.conftest import BotHarness, sample_bulletin

USER = 901


async def fill(bot: BotHarness) -> None:
    for name in ("seed-2021-10-haiphong.txt", "case07.txt", "case01.txt"):  # newest: 11/2021, 6 tasks
        await bulletins.add(bot.store, sample_bulletin(name))


ALIASES = [
    ("/nv 3", "📌 Nhiệm vụ 3/6"),
    ("/tim tham nhũng", "1 nhiệm vụ có cụm «tham nhũng»"),
    ("/find corruption", "1 nhiệm vụ có cụm «tham nhũng»"),
    ("/list", "Các hội nghị đã lưu"),
    ("/archive", "Các hội nghị đã lưu"),
    ("/danhsach", "Các hội nghị đã lưu"),
    ("/huongdan", "/start — đăng ký nhận bản tin"),
    ("/new", "6 nhiệm vụ trọng tâm"),
    ("/last", "6 nhiệm vụ trọng tâm"),
]


async def test_every_alias_is_answered(bot: BotHarness) -> None:
    await fill(bot)
    for command, expected in ALIASES:
        [reply] = await bot.ask(USER, command)
        assert expected in reply, (command, reply)


async def test_an_unknown_command_lists_the_commands(bot: BotHarness) -> None:
    [reply] = await bot.ask(USER, "/xyz 3")
    assert "Không có lệnh /xyz" in reply and "There is no /xyz command" in reply
    for command in ("/latest", "/task 3", "/search tham nhũng", "/help"):
        assert command in reply


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/task 0", ["Nhiệm vụ được đánh số từ 1", "chọn 1–6", "pick 1–6"]),
        ("/task 9", ["không có nhiệm vụ 9", "Hãy chọn 1–6", "only 6 tasks"]),
        ("/task 120", ["không có nhiệm vụ 120", "chọn 1–6"]),
        ("/task abc", ["Không hiểu «abc» là nhiệm vụ số mấy", "chọn 1–6", "/task 3 11/2021"]),
        ("/task", ["Hãy ghi số nhiệm vụ sau lệnh", "có 6 nhiệm vụ: chọn 1–6"]),
        ("/month 13/2021", ["Không có tháng 13", "từ 1 đến 12", "/month 11/2021", "10/2021 (2)"]),
        ("/month abc", ["Không hiểu «abc» là tháng nào", "Recent months in the archive"]),
        ("/month", ["Hãy ghi tháng sau lệnh"]),
        ("/search", ["Hãy ghi từ khóa sau lệnh", "/search tham nhũng"]),
        ("/search the", ["Hãy ghi từ khóa sau lệnh"]),
    ],
)
async def test_wrong_arguments_get_a_specific_hint(bot: BotHarness, command: str, expected: list[str]) -> None:
    await fill(bot)
    [reply] = await bot.ask(USER, command)
    for phrase in expected:
        assert phrase in reply, (command, phrase, reply)
    if command.startswith("/task"):
        # The latest bulletin's task buttons come with the hint: one tap to a real task.
        bot.button(USER, "6")


async def test_hints_without_an_archive_say_it_is_empty(bot: BotHarness) -> None:
    [reply] = await bot.ask(USER, "/task abc")
    assert "chưa có bản tin" in reply


@pytest.mark.parametrize("greeting", ["xin chào", "chào bot", "hello", "hi", "chào", "Chào bot ơi!"])
async def test_greetings_are_greeted_not_searched(bot: BotHarness, greeting: str) -> None:
    await fill(bot)
    [reply] = await bot.ask(USER, greeting)
    assert reply.startswith("👋 Xin chào User!")
    assert "hội nghị mới nhất" in reply  # example questions
    assert "«" not in reply and "Không tìm thấy" not in reply  # not a search for "chào"
    assert "/start" in reply  # not subscribed yet


async def test_a_subscriber_is_not_asked_to_subscribe_again(bot: BotHarness) -> None:
    await bot.ask(USER, "/start")
    [reply] = await bot.ask(USER, "xin chào")
    assert "Xin chào" in reply and "Gõ /start" not in reply


async def test_search_pages_keep_the_words_as_typed(bot: BotHarness) -> None:
    await fill(bot)
    [first] = await bot.ask(USER, "tuyên truyền")
    # All 17 hold the words side by side (on every page), and the count says so.
    assert "17 nhiệm vụ có cụm «tuyên truyền»" in first and "17 tasks contain the phrase" in first
    edits = len(bot.tg.edits)
    bot.press(USER, texts.NEXT_PAGE)
    await bot.until(lambda: len(bot.tg.edits) > edits)
    page_two = bot.tg.edits[-1].text or ""
    assert "«tuyên truyền»" in page_two and "Trang 2/4" in page_two
    # Typed without diacritics, it stays without them.
    [plain] = await bot.ask(USER, "tuyen truyen")
    assert "«tuyen truyen»" in plain


async def test_one_match_is_one_task_in_english(bot: BotHarness) -> None:
    await fill(bot)
    await bulletins.add(bot.store, sample_bulletin("case05.txt"))  # task 4: chuyển đổi số
    [reply] = await bot.ask(USER, "chuyển đổi số")
    assert "1 nhiệm vụ có cụm «chuyển đổi số»" in reply
    assert "1 task contains the phrase “chuyển đổi số”" in reply
