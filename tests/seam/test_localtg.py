"""Tests of the local Telegram imitation (bot.offline.localtg), driven over real HTTP by python-telegram-bot.

They prove that PTB accepts what the server returns and maps its errors to the exceptions the bot
handles (BadRequest, Forbidden, ChatMigrated, RetryAfter, NetworkError, TimedOut), that the flood limits
and fault injection behave as documented, and that a whole Application can run against it. Limits are
switched off unless timing is the point, to keep the suite fast.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import signal
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot.offline.localtg import Limits, LocalTelegram, SentMessage, sequence_hash
from bot.offline.localtg.htmltext import HtmlParseError, parse_html

TOKEN = "123456:TEST-token_ok"


def _seconds(retry_after: int | dtm.timedelta) -> float:
    # PTB 22 returns int (deprecated) or timedelta depending on PTB_TIMEDELTA.
    return retry_after.total_seconds() if isinstance(retry_after, dtm.timedelta) else float(retry_after)


@pytest.fixture
async def tg() -> AsyncIterator[LocalTelegram]:
    async with LocalTelegram(limits=Limits(enforce=False)) as server:
        yield server


@pytest.fixture
async def bot(tg: LocalTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url) as b:
        yield b


def _short_timeout_bot(tg: LocalTelegram, read_timeout: float) -> Bot:
    request = HTTPXRequest(read_timeout=read_timeout, connect_timeout=1.0)
    return Bot(TOKEN, base_url=tg.base_url, base_file_url=tg.base_file_url, request=request)


# ----------------------------------------------------------------------------------- basics


async def test_get_me_and_urls(tg: LocalTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == tg.bot_username
    assert tg.base_url == f"http://127.0.0.1:{tg.port}/bot"
    assert tg.base_file_url == f"http://127.0.0.1:{tg.port}/file/bot"


async def test_bad_token_is_rejected(tg: LocalTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("not-a-token", base_url=tg.base_url):
            pass
    tg.valid_tokens = {TOKEN}
    with pytest.raises(InvalidToken):
        async with Bot("999:other", base_url=tg.base_url):
            pass
    async with Bot(TOKEN, base_url=tg.base_url) as ok:
        assert (await ok.get_me()).id == 123456


async def test_raw_http_envelopes(tg: LocalTelegram) -> None:
    async with aiohttp.ClientSession() as http:
        # Method names are case-insensitive; GET with a query string works like POST.
        async with http.get(f"{tg.base_url}{TOKEN}/getme") as resp:
            assert resp.status == 200
            assert (await resp.json())["ok"] is True
        async with http.post(f"{tg.base_url}{TOKEN}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(f"{tg.base_url}bad/getMe") as resp:
            assert resp.status == 401
            assert (await resp.json())["description"] == "Unauthorized"
        # A JSON body with native types is accepted too.
        body = {"chat_id": 5, "text": "<b>hi</b>", "parse_mode": "HTML", "disable_notification": True}
        async with http.post(f"{tg.base_url}{TOKEN}/SENDMESSAGE", json=body) as resp:
            result = (await resp.json())["result"]
    assert result["text"] == "hi"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert result["chat"] == {"id": 5, "type": "private", "first_name": "User"}
    assert tg.sent[-1].disable_notification is True


async def test_send_message_recorded(tg: LocalTelegram, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data="next")]])
    m1 = await bot.send_message(111, "<b>Part 1</b> &amp; more", parse_mode="HTML", reply_markup=markup)
    m2 = await bot.send_message(111, "plain", disable_notification=True, allow_paid_broadcast=True)
    m3 = await bot.send_message(-1001234, "to a supergroup")
    m4 = await bot.send_message(-55, "to a group")
    assert (m1.message_id, m2.message_id) == (1, 2)  # per-chat increasing
    assert m1.text == "Part 1 & more"
    assert m1.text_html == "<b>Part 1</b> &amp; more"
    assert m1.reply_markup == markup
    assert m1.from_user is not None and m1.from_user.is_bot
    assert m3.chat.type == "supergroup" and m4.chat.type == "group" and m1.chat.type == "private"
    sent = tg.messages_for(111)
    assert [s.text for s in sent] == ["<b>Part 1</b> &amp; more", "plain"]
    assert sent[0].parse_mode == "HTML"
    assert sent[0].reply_markup == markup.to_dict()
    assert sent[0].method == "sendMessage"
    assert (sent[1].disable_notification, sent[1].allow_paid_broadcast) == (True, True)
    assert len(tg.sent) == 4
    stats = tg.stats()
    assert stats["delivered"] == 4
    assert stats["methods"]["sendMessage"] == 4


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<br>", 'unsupported start tag "br"'),
        ("a <p>b</p>", 'unsupported start tag "p"'),
        ("<b>bold", "can't find end tag"),
        ("<b><i>x</b></i>", "unmatched end tag"),
        ("x</b>", "unexpected end tag"),
        ("1 < 2", 'unsupported start tag ""'),
        ('<span class="x">s</span>', 'tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_bad_html_is_rejected(tg: LocalTelegram, bot: Bot, text: str, reason: str) -> None:
    with pytest.raises(BadRequest) as info:
        await bot.send_message(111, text, parse_mode="HTML")
    message = str(info.value).lower()
    assert "can't parse entities" in message
    assert reason in message
    assert tg.sent == []


def test_html_parser_details() -> None:
    plain, entities = parse_html(
        "<b>B</b><strong>S</strong><i>I</i><em>E</em><u>U</u><ins>N</ins><s>S</s><strike>K</strike>"
        '<del>D</del><a href="https://x.y/?a=1&amp;b=2">L</a><code>c</code><pre>p</pre>'
        '<blockquote>q</blockquote><tg-spoiler>t</tg-spoiler><span class="tg-spoiler">s</span>'
    )
    assert plain == "BSIEUNSKDLcpqts"
    assert [e["type"] for e in entities][:3] == ["bold", "bold", "italic"]
    link = next(e for e in entities if e["type"] == "text_link")
    assert link["url"] == "https://x.y/?a=1&b=2"
    # Named entities: only four are decoded; numeric ones all work; unknown ones stay literal (like tdlib).
    assert parse_html("&lt;&gt;&amp;&quot;&#65;&#x42;&nbsp;")[0] == '<>&"AB&nbsp;'
    with pytest.raises(HtmlParseError):
        parse_html("a&nbsp;b", strict_entities=True)
    # Entity offsets are UTF-16 units: the emoji counts twice.
    assert parse_html("👋 <b>x</b>")[1] == [{"type": "bold", "offset": 3, "length": 1}]
    # Byte offsets in errors are UTF-8 bytes, as tdlib reports them.
    with pytest.raises(HtmlParseError, match="byte offset 3"):
        parse_html("Đ <x>")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=80))
def test_html_parser_roundtrips_escaped_text(raw: str) -> None:
    # Anything escaped with html.escape is valid Telegram HTML and renders back to the original text;
    # a wrapping tag becomes one entity whose length is in UTF-16 units.
    assert parse_html(html.escape(raw)) == (raw, [])
    plain, entities = parse_html(f"<b>{html.escape(raw)}</b>")
    assert plain == raw
    assert entities == [{"type": "bold", "offset": 0, "length": len(raw.encode("utf-16-le")) // 2}]


async def test_text_length_and_empty(tg: LocalTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest) as info:
        await bot.send_message(111, "x" * 4097)
    assert "message is too long" in str(info.value).lower()
    # The limit applies to the text after entity parsing: markup does not count.
    await bot.send_message(111, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(112, "&amp;" * 4096, parse_mode="HTML")
    with pytest.raises(BadRequest) as info:
        await bot.send_message(111, "<b></b>", parse_mode="HTML")
    assert "message text is empty" in str(info.value).lower()
    assert len(tg.sent) == 2


# ------------------------------------------------------------------------------------- limits


async def test_private_chat_one_message_per_second(tg: LocalTelegram, bot: Bot) -> None:
    tg.configure(enforce=True)
    await bot.send_message(7, "first")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(7, "too soon")
    assert _seconds(info.value.retry_after) >= 1
    await bot.send_message(8, "another chat is fine")
    first = tg.messages_for(7)[0]
    # On the imitation's clock: a second after the first delivery, chat 7 may be written to again.
    await tg.wait_for(lambda: time.monotonic() >= first.at + tg.limits.private_interval)
    await bot.send_message(7, "after a second")
    assert [m.text for m in tg.messages_for(7)] == ["first", "after a second"]
    stats = tg.stats()
    assert stats["rate_limited"]["per_chat"] == 1
    assert stats["max_per_chat_violations"] == 1


async def test_global_limit_30_per_second(tg: LocalTelegram, bot: Bot) -> None:
    tg.configure(enforce=True)
    results = await asyncio.gather(
        *(bot.send_message(1000 + i, f"hello {i}") for i in range(31)), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1
    assert isinstance(errors[0], RetryAfter)
    assert _seconds(errors[0].retry_after) >= 1
    stats = tg.stats()
    assert stats["rate_limited"]["global"] == 1
    assert stats["delivered"] == 30
    assert stats["max_rate_1s"] == 30
    assert len(tg.sent) == 30  # the rejected one was not delivered


async def test_paid_broadcast_has_its_own_budget(tg: LocalTelegram, bot: Bot) -> None:
    tg.configure(enforce=True, paid_rate=40)
    results = await asyncio.gather(
        *(bot.send_message(2000 + i, "paid", allow_paid_broadcast=True) for i in range(41)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, RetryAfter) for r in results) == 1
    # The free budget is untouched by paid sends.
    await bot.send_message(3000, "free")
    assert tg.stats()["rate_limited"] == {
        "global": 0,
        "paid": 1,
        "per_chat": 0,
        "group": 0,
        "storm": 0,
        "in_flight": 0,
        "ignored_retry_after": 0,
    }


async def test_group_limit_20_per_minute(tg: LocalTelegram, bot: Bot) -> None:
    tg.configure(enforce=True, global_rate=1000)
    group = -1009876
    for i in range(20):
        await bot.send_message(group, f"g{i}")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(group, "g20")
    assert _seconds(info.value.retry_after) > 50  # the window frees a minute after the first send
    assert tg.stats()["rate_limited"]["group"] == 1
    assert len(tg.messages_for(group)) == 20


async def test_flood_ban_counts_ignored_retry_after(tg: LocalTelegram, bot: Bot) -> None:
    # A minute's window, so the ban outlasts the test; whether a send during the ban counts as in
    # flight is decided by ban_grace, switched here instead of waiting for it to run out.
    tg.configure(enforce=True, global_rate=2, global_window=60.0, flood_ban=True, ban_grace=60.0)
    await bot.send_message(1, "a")
    await bot.send_message(2, "b")
    with pytest.raises(RetryAfter):
        await bot.send_message(3, "c")
    with pytest.raises(RetryAfter):
        await bot.send_message(4, "d")  # within the grace after the 429: could have been in flight already
    tg.configure(ban_grace=0.0)
    with pytest.raises(RetryAfter):
        await bot.send_message(5, "e")  # past the grace: ignored the retry_after
    assert tg.stats()["rate_limited"]["in_flight"] == 1
    assert tg.stats()["rate_limited"]["ignored_retry_after"] == 1


# ------------------------------------------------------------------------------------- faults


@pytest.mark.parametrize(
    ("kind", "exc", "text"),
    [
        ("blocked", Forbidden, "Forbidden: bot was blocked by the user"),
        ("deactivated", Forbidden, "Forbidden: user is deactivated"),
        ("kicked", Forbidden, "Forbidden: bot was kicked from the group chat"),
        ("not_found", BadRequest, "chat not found"),
    ],
)
async def test_block_kinds(tg: LocalTelegram, bot: Bot, kind: str, exc: type[Exception], text: str) -> None:
    tg.block(42, kind)
    with pytest.raises(exc) as info:
        await bot.send_message(42, "hi")
    assert text.lower() in str(info.value).lower()
    assert tg.sent == []
    tg.unblock(42)
    await bot.send_message(42, "hi again")
    if kind != "not_found":
        assert tg.stats()["forbidden"] == 1


async def test_migrate(tg: LocalTelegram, bot: Bot) -> None:
    tg.migrate(-4001, -1004001)
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(-4001, "hi")
    assert info.value.new_chat_id == -1004001
    await bot.send_message(info.value.new_chat_id, "hi")
    assert [m.chat_id for m in tg.sent] == [-1004001]


async def test_server_errors(tg: LocalTelegram, bot: Bot) -> None:
    tg.fail_next(1)  # 502 with nginx's HTML page
    with pytest.raises(NetworkError) as info:
        await bot.send_message(1, "x")
    assert not isinstance(info.value, BadRequest)
    assert "502" in str(info.value)
    tg.fail_next(1, status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(1, "x")
    tg.error_rate(1.0, seed=1)
    with pytest.raises(NetworkError):
        await bot.send_message(1, "x")
    tg.error_rate(0.0)
    await bot.send_message(1, "ok")
    assert [m.text for m in tg.sent] == ["ok"]
    assert tg.stats()["server_errors"] == 3


async def test_error_rate_is_reproducible(tg: LocalTelegram, bot: Bot) -> None:
    outcomes: list[list[bool]] = []
    for _ in range(2):
        tg.error_rate(0.5, seed=7)
        run = []
        for i in range(20):
            try:
                await bot.send_message(500 + i, "x")
                run.append(True)
            except NetworkError:
                run.append(False)
        outcomes.append(run)
    assert outcomes[0] == outcomes[1]
    assert 0 < sum(outcomes[0]) < 20


async def test_storm(tg: LocalTelegram, bot: Bot) -> None:
    tg.storm(retry_after=3, requests=2)
    for _ in range(2):
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(1, "x")
        assert _seconds(info.value.retry_after) == 3
    await bot.send_message(1, "through")
    assert tg.stats()["rate_limited"]["storm"] == 2
    assert len(tg.sent) == 1


async def test_delay_makes_client_time_out(tg: LocalTelegram) -> None:
    tg.delay(0.5)
    async with _short_timeout_bot(tg, read_timeout=10.0) as slow_ok:
        start = time.monotonic()
        await slow_ok.send_message(1, "slow")
        assert time.monotonic() - start >= 0.5  # a lower bound: a slow machine only adds to it
        with pytest.raises(TimedOut):
            await slow_ok.send_message(1, "too slow", read_timeout=0.2)
    tg.delay(0)
    # The server still processes the request after the client gave up, like Telegram would.
    await tg.wait_for(lambda: len(tg.sent) == 2, timeout=10.0)


async def test_drop_after_delivery(tg: LocalTelegram) -> None:
    async with _short_timeout_bot(tg, read_timeout=0.3) as impatient:
        tg.drop_after_delivery(1)  # hang: the client times out but the message was delivered
        with pytest.raises(TimedOut):
            await impatient.send_message(1, "ambiguous")
        tg.drop_after_delivery(1, mode="close")
        with pytest.raises(NetworkError):
            await impatient.send_message(2, "cut")
        await impatient.send_message(3, "normal", read_timeout=10.0)
    assert [m.text for m in tg.sent] == ["ambiguous", "cut", "normal"]
    assert tg.stats()["dropped"] == 2


# ---------------------------------------------------------------------------- updates & files


async def test_get_updates_long_poll_and_offset(tg: LocalTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=60))
    await tg.wait_for(lambda: tg.stats()["methods"].get("getUpdates") == 1)  # the poll is waiting
    tg.user_message(77, "hello")
    # Returned with the update, long before its 60 s were up (the imitation's longest poll).
    updates = await asyncio.wait_for(poll, timeout=20)
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None and message.text == "hello" and message.chat.id == 77
    # Unconfirmed updates are delivered again; offset confirms them.
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id]
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    assert tg.pending_updates == []
    # A command gets the bot_command entity PTB's CommandHandler needs.
    tg.user_message(77, "/start@local_bulletin_bot now")
    (update,) = await bot.get_updates(timeout=1)
    assert update.message is not None
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start@local_bulletin_bot")
    # allowed_updates filters.
    tg.user_inline_query(77, "q")
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0, allowed_updates=["message"]) == ()


async def test_get_updates_times_out_empty(tg: LocalTelegram, bot: Bot) -> None:
    start = time.monotonic()
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.3)) == ()
    assert time.monotonic() - start > 0.25  # it held the poll open for its timeout (a lower bound)


async def test_callback_and_edits(tg: LocalTelegram, bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Subscribe", callback_data="sub")]])
    sent = await bot.send_message(9, "<i>Menu</i>", parse_mode="HTML", reply_markup=markup)
    tg.user_callback(9, sent.message_id, "sub")
    (update,) = await bot.get_updates(timeout=1)
    query = update.callback_query
    assert query is not None and query.data == "sub"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert isinstance(query.message, Message) and query.message.text == "Menu"
    await bot.answer_callback_query(query.id, text="Done")
    assert tg.callback_answers[0].text == "Done"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)  # answering twice is invalid, like in Telegram
    edited = await bot.edit_message_text("<i>Subscribed</i>", 9, sent.message_id, parse_mode="HTML")
    assert isinstance(edited, type(sent)) and edited.text == "Subscribed"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<i>Subscribed</i>", 9, sent.message_id, parse_mode="HTML")
    # editMessageText without reply_markup removed the keyboard (as in Telegram): removing it again is
    # "not modified", putting one back is an edit.
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(9, sent.message_id, reply_markup=None)
    await bot.edit_message_reply_markup(9, sent.message_id, reply_markup=markup)
    assert [e.method for e in tg.edits] == ["editMessageText", "editMessageReplyMarkup"]
    assert tg.edits[0].text == "<i>Subscribed</i>"
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", 9, 999)
    assert await bot.delete_message(9, sent.message_id)
    assert tg.deleted == [(9, sent.message_id)]


async def test_inline_query_answer(tg: LocalTelegram, bot: Bot) -> None:
    update = tg.user_inline_query(5, "bulletin")
    await bot.answer_inline_query(update["inline_query"]["id"], results=[], cache_time=0)
    assert tg.inline_answers[0].inline_query_id == update["inline_query"]["id"]
    assert tg.inline_answers[0].results == []


async def test_user_document_download(tg: LocalTelegram, bot: Bot) -> None:
    content = "Bản tin tháng 10\nnội dung".encode()
    tg.user_document(55, "bản tin 10:2021.txt", content, caption="bulletin")
    (update,) = await bot.get_updates(timeout=1)
    assert update.message is not None and update.message.document is not None
    doc = update.message.document
    assert doc.file_name == "bản tin 10:2021.txt" and doc.file_size == len(content)
    assert doc.mime_type == "text/plain" and update.message.caption == "bulletin"
    file = await bot.get_file(doc.file_id)
    assert bytes(await file.download_as_bytearray()) == content


async def test_send_document(tg: LocalTelegram, bot: Bot) -> None:
    message = await bot.send_document(
        66, b"report body", filename="report.txt", caption="<b>Report</b>", parse_mode="HTML"
    )
    assert message.document is not None and message.document.file_name == "report.txt"
    assert message.caption == "Report"
    record = tg.sent[-1]
    assert record.method == "sendDocument" and record.text == "<b>Report</b>"
    assert record.file_id is not None and tg.file_content(record.file_id) == b"report body"
    # Re-sending by file_id works, and the file can be fetched back.
    again = await bot.send_document(67, message.document.file_id)
    assert again.document is not None and again.document.file_id == message.document.file_id
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"report body"


async def test_commands_actions_chat(tg: LocalTelegram, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Start"), ("help", "Help")])
    assert tg.commands == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    await bot.delete_my_commands()
    assert tg.commands == []
    await bot.send_chat_action(5, "typing")
    assert tg.chat_actions == [(5, "typing")]
    chat = await bot.get_chat(-1001)
    assert chat.type == "supergroup"
    assert await bot.delete_webhook()
    assert await bot.log_out() and await bot.close()


async def test_on_send_hooks(tg: LocalTelegram, bot: Bot) -> None:
    seen: list[str | None] = []
    seen_async: list[int] = []

    async def async_hook(m: SentMessage) -> None:
        await asyncio.sleep(0)
        seen_async.append(m.message_id)

    tg.on_send.append(lambda m: seen.append(m.text))
    tg.on_send.append(async_hook)
    await bot.send_message(3, "one")
    await tg.wait_for(lambda: seen_async == [1], timeout=10.0)
    assert seen == ["one"]


async def test_record_texts_off_keeps_counters_and_sequence_hash(bot: Bot, tg: LocalTelegram) -> None:
    tg.record_texts = False
    for text in ("hello", "part 2", "part 3"):
        await bot.send_message(4, text)
    assert tg.sent == [] and tg.messages_for(4) == []
    assert tg.digests_for(4) == [(3, "09b4d5cd")]  # only the most recent message is kept (keep_recent=1)
    summary = tg.chat_summary(4)
    assert summary["bot_messages"] == 3
    assert summary["seq_hash"] == sequence_hash(["hello", "part 2", "part 3"])
    assert summary["seq_hash"] != sequence_hash(["hello", "part 3", "part 2"])
    assert tg.stats()["delivered"] == 3
    # The last message can still be edited.
    await bot.edit_message_text("part 3, edited", 4, 3)


async def test_wait_for_timeout_is_descriptive(tg: LocalTelegram) -> None:
    with pytest.raises(TimeoutError, match="expected 1 message"):
        await tg.wait_for_messages(1, 1, timeout=0.05)


# -------------------------------------------------------------------------------- control API


async def test_control_api(tg: LocalTelegram, bot: Bot) -> None:
    control = tg.control_url
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{control}/config", json={"enforce": True, "global_rate": 2}) as resp:
            assert resp.status == 200
            assert (await resp.json())["limits"]["global_rate"] == 2
        async with http.post(f"{control}/config", json={"no_such_limit": 1}) as resp:
            assert resp.status == 400
        await bot.send_message(1, "a")
        await bot.send_message(2, "b")
        with pytest.raises(RetryAfter):
            await bot.send_message(3, "c")
        async with http.post(f"{control}/config", json={"limits": {"enforce": False}}):
            pass
        async with http.post(f"{control}/block", json={"chat_id": 9, "kind": "deactivated"}):
            pass
        with pytest.raises(Forbidden):
            await bot.send_message(9, "x")
        for path, body in [
            ("migrate", {"chat_id": -5, "new_chat_id": -1005}),
            ("storm", {"retry_after": 2, "requests": 1}),
        ]:
            async with http.post(f"{control}/{path}", json=body) as resp:
                assert resp.status == 200
        with pytest.raises(ChatMigrated):
            await bot.send_message(-5, "x")
        with pytest.raises(RetryAfter):
            await bot.send_message(10, "x")
        async with http.post(f"{control}/fail_next", json={"n": 1, "status": 500}):
            pass
        with pytest.raises(NetworkError):
            await bot.send_message(10, "x")
        async with http.get(f"{control}/stats") as resp:
            stats: dict[str, Any] = await resp.json()
        assert stats["delivered"] == 2
        assert stats["rate_limited"]["global"] == 1 and stats["rate_limited"]["storm"] == 1
        assert stats["forbidden"] == 1 and stats["server_errors"] == 1
        async with http.get(f"{control}/sent", params={"since": "1", "texts": "1"}) as resp:
            sent = await resp.json()
        assert sent["rows"] == [[2, 2, 1, sent["rows"][0][3], sent["rows"][0][4], "sendMessage", 0, 0, "b"]]
        async with http.post(
            f"{control}/update",
            json={"message": {"message_id": 1, "date": 0, "chat": {"id": 8, "type": "private"}, "text": "raw"}},
        ) as resp:
            injected = await resp.json()
        (update,) = await bot.get_updates(timeout=1)
        assert update.update_id == injected["update_id"] and update.message is not None
        async with http.post(f"{control}/reset") as resp:
            assert resp.status == 200
        async with http.get(f"{control}/stats") as resp:
            assert (await resp.json())["delivered"] == 0
    await bot.send_message(9, "unblocked after reset")


# ------------------------------------------------------------------------------- whole loop


async def test_application_end_to_end(tg: LocalTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("<b>Welcome</b>", parse_mode="HTML")

    app = ApplicationBuilder().token(TOKEN).base_url(tg.base_url).base_file_url(tg.base_file_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        tg.user_message(321, "/start")
        (reply,) = await tg.wait_for_messages(321, 1, timeout=5.0)
        await app.updater.stop()
        await app.stop()
    assert reply.text == "<b>Welcome</b>" and reply.parse_mode == "HTML"
    assert tg.stats()["methods"]["deleteWebhook"] == 1
    assert tg.pending_updates == []  # the final getUpdates confirmed the command


async def test_standalone_process() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.offline.localtg", "--port", "0", "--no-limits", stdout=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode()
        base_url = line.split("base_url=")[1].split()[0]
        control = line.split("control=")[1].split()[0]
        async with Bot(TOKEN, base_url=base_url) as remote:
            await remote.send_message(1, "over the wire")
        async with aiohttp.ClientSession() as http, http.get(f"{control}/stats") as resp:
            assert (await resp.json())["delivered"] == 1
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 5) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
