"""/broadcasts on the real Application (issue 9): every active broadcast first, oldest first, then the
recent finished ones, five a page; Prev / Next and the controls edit the listing in place and keep its
page; a queued broadcast says what it waits for; only admins see or turn it."""

from __future__ import annotations

import re

from bot.domain.rendering import html_to_plain
from bot.offline.localtg.state import CallbackAnswer
from bot.texts import delivery as texts
from data import outbox
from tests.conftest import ADMIN, BotHarness
from tests.delivery_helpers import add_subscribers, queue

_ITEM = re.compile(r"^#(\d+) · ", re.MULTILINE)
_PAGE = re.compile(r"Trang (\d+)/(\d+) · Page \1/\2")


def _ids(text: str) -> list[int]:
    """The broadcasts a listing shows, in the order it shows them."""
    return [int(m) for m in _ITEM.findall(text)]


def _page(text: str) -> tuple[int, int] | None:
    found = _PAGE.search(text)
    return None if found is None else (int(found[1]), int(found[2]))


def _now(bot: BotHarness, message_id: int) -> str:
    """What the admin's message ``message_id`` shows now, after any edits."""
    return html_to_plain(bot.tg.bot_message_dict(ADMIN, message_id).get("text") or "")


def _labels(bot: BotHarness, message_id: int) -> list[str]:
    markup = bot.tg.bot_message_dict(ADMIN, message_id).get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


async def _press(bot: BotHarness, message_id: int, data: str, *, user_id: int = ADMIN) -> CallbackAnswer:
    """Press a button with ``data`` under the bot's message ``message_id``; how the bot answered."""
    update = bot.tg.user_callback(ADMIN, message_id, data, user_id=user_id)
    query_id = update["callback_query"]["id"]
    await bot.until(lambda: any(a.callback_query_id == query_id for a in bot.tg.callback_answers))
    return next(a for a in bot.tg.callback_answers if a.callback_query_id == query_id)


def _data(bot: BotHarness, message_id: int, label: str) -> str:
    markup = bot.tg.bot_message_dict(ADMIN, message_id).get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for b in row:
            if label in b["text"]:
                return str(b["callback_data"])
    raise AssertionError(f"no button {label!r} under message {message_id}: {_labels(bot, message_id)}")


async def _status(bot: BotHarness, broadcast_id: int) -> str:
    info = await outbox.get_broadcast(bot.store, broadcast_id)
    assert info is not None
    return info.status


async def _nine_broadcasts(bot: BotHarness) -> None:
    """#1 paused, #2 and #3 cancelled, #4–#8 paused, #9 cancelled: six active, three finished."""
    await add_subscribers(bot.store, [71_001])
    for broadcast_id in range(1, 10):
        info = await queue(bot.store, n=3)
        assert info.id == broadcast_id
        if broadcast_id in (2, 3, 9):
            assert await bot.data.engine.cancel(info.id)
        else:
            assert await bot.data.engine.pause(info.id)


async def test_an_early_paused_broadcast_stays_in_reach_and_the_pages_turn_in_place(bot: BotHarness) -> None:
    await _nine_broadcasts(bot)
    [listing] = await bot.ask(ADMIN, "/broadcasts")
    listing_id = bot.tg.messages_for(ADMIN)[-1].message_id
    # The active ones first, oldest first: #1, paused before eight newer ones, is on page 1 with Resume.
    assert _ids(listing) == [1, 4, 5, 6, 7] and _page(listing) == (1, 2)
    assert "#1 · tháng 10/2021 · ⏸ tạm dừng · paused" in listing.splitlines()
    labels = _labels(bot, listing_id)
    assert f"#1 {texts.RESUME_BUTTON}" in labels and f"#1 {texts.STOP_BUTTON}" in labels
    assert texts.NEXT_BUTTON in labels and texts.PREV_BUTTON not in labels
    # Each line keeps its figures.
    counts = await outbox.counts(bot.store, 1)
    assert f"{counts.sent}/{counts.total} đã gửi · sent, {counts.failed} lỗi · failed" in listing

    # Next: the same message shows page 2, the last active one then the finished ones, newest first.
    sent_before = len(bot.tg.messages_for(ADMIN))
    bot.press(ADMIN, texts.NEXT_BUTTON, user_id=ADMIN)
    await bot.until(lambda: _page(_now(bot, listing_id)) == (2, 2))
    page2 = _now(bot, listing_id)
    assert _ids(page2) == [8, 9, 3, 2]
    labels = _labels(bot, listing_id)
    assert f"#8 {texts.RESUME_BUTTON}" in labels and texts.PREV_BUTTON in labels and texts.NEXT_BUTTON not in labels
    assert not any(label.startswith(("#9 ", "#3 ", "#2 ")) for label in labels)  # finished: no controls

    # Resume #8 from page 2: it goes on, and the listing, refreshed, stays on page 2.
    edits_before = len(bot.tg.edits)
    answer = await _press(bot, listing_id, _data(bot, listing_id, f"#8 {texts.RESUME_BUTTON}"))
    assert answer.text == "Bản tin #8: đã tiếp tục. · Broadcast #8 resumed."
    assert await _status(bot, 8) in ("running", "done")
    await bot.until(lambda: len(bot.tg.edits) > edits_before)
    refreshed = _now(bot, listing_id)
    assert _page(refreshed) == (2, 2) and 8 in _ids(refreshed)
    assert f"#8 {texts.RESUME_BUTTON}" not in _labels(bot, listing_id)

    # Prev: page 1 again, in place.
    bot.press(ADMIN, texts.PREV_BUTTON, user_id=ADMIN)
    await bot.until(lambda: _page(_now(bot, listing_id)) == (1, 2))
    assert _ids(_now(bot, listing_id)) == [1, 4, 5, 6, 7]
    await bot.settled()
    assert len(bot.tg.messages_for(ADMIN)) == sent_before  # every turn was an edit, no new message


async def test_a_stale_page_is_shown_as_it_is_now(bot: BotHarness) -> None:
    await _nine_broadcasts(bot)
    await bot.ask(ADMIN, "/broadcasts 2")
    listing_id = bot.tg.messages_for(ADMIN)[-1].message_id
    assert _page(_now(bot, listing_id)) == (2, 2)
    # A Next pressed on a listing that had more pages then: clamped to the last page there is now.
    await _press(bot, listing_id, "bclist:page:9")
    assert _page(_now(bot, listing_id)) == (2, 2) and _ids(_now(bot, listing_id)) == [8, 9, 3, 2]
    # Cancel from page 2: #8 is finished now, listed among the finished ones, and the page stays.
    answer = await _press(bot, listing_id, _data(bot, listing_id, f"#8 {texts.STOP_BUTTON}"))
    assert answer.text == "Bản tin #8: đã hủy. · Broadcast #8 cancelled."
    await bot.until(lambda: _ids(_now(bot, listing_id)) == [9, 8, 3, 2] and _page(_now(bot, listing_id)) == (2, 2))
    # A control from a listing shown before pages existed (no page in its data) reads as page 1.
    await _press(bot, listing_id, "bc:pause:4")
    await bot.until(lambda: _page(_now(bot, listing_id)) == (1, 2))
    assert await _status(bot, 4) == "paused"  # it was paused already: refused, nothing changed


async def test_a_queued_broadcast_says_what_it_waits_for(bot: BotHarness) -> None:
    chat = 72_001
    await add_subscribers(bot.store, [chat])
    first = await queue(bot.store, n=30)  # 30 parts to one chat: at least 30 s, one a second
    await bot.until(lambda: len(bot.tg.messages_for(chat)) >= 1, timeout=20)
    second = await queue(bot.store, ["<b>Bản tin thứ hai</b>"])
    [listing] = await bot.ask(ADMIN, "/broadcasts")
    listing_id = bot.tg.messages_for(ADMIN)[-1].message_id
    assert _ids(listing) == [first.id, second.id]
    lines = listing.splitlines()
    head = lines.index(f"#{second.id} · tháng 10/2021 · ⏳ chờ · queued")
    assert lines[head + 3].strip() == (
        f"⏳ chờ bản tin #{first.id} gửi xong cho cùng người nhận · waiting for #{first.id} to finish in the same chats"
    )
    assert _page(listing) is None  # one page: no indicator, no Prev / Next
    assert texts.NEXT_BUTTON not in _labels(bot, listing_id)

    # Paused, the first no longer holds the second back: the listing stops saying it waits, and it goes.
    answer = await _press(bot, listing_id, _data(bot, listing_id, f"#{first.id} {texts.PAUSE_BUTTON}"))
    assert answer.text == f"Bản tin #{first.id}: đã tạm dừng. · Broadcast #{first.id} paused."
    await bot.until(lambda: "tạm dừng · paused" in _now(bot, listing_id))
    assert "chờ bản tin" not in _now(bot, listing_id)
    await bot.until(lambda: any("Bản tin thứ hai" in (m.text or "") for m in bot.tg.messages_for(chat)), timeout=20)
    assert await bot.data.engine.cancel(first.id)


async def test_non_admins_cannot_list_or_turn_pages(bot: BotHarness) -> None:
    await _nine_broadcasts(bot)
    for command in ("/broadcasts", "/tiendo"):
        [refusal] = await bot.ask(444, command)
        assert "only the bot's admins can see and control deliveries" in refusal
    [listing] = await bot.ask(ADMIN, "/tiendo")
    listing_id = bot.tg.messages_for(ADMIN)[-1].message_id
    for data in (_data(bot, listing_id, texts.NEXT_BUTTON), _data(bot, listing_id, f"#1 {texts.RESUME_BUTTON}")):
        refused = await _press(bot, listing_id, data, user_id=444)
        assert refused.show_alert and refused.text == texts.ADMINS_ONLY_ALERT
    await bot.settled()
    assert _now(bot, listing_id) == listing  # not turned, not refreshed
    assert await _status(bot, 1) == "paused"
