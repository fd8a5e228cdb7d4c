"""Corrections in the store and the service (data/corrections.py, bot/services/corrections.py) on
real SQLite: who a correction reaches, what it refuses, and the archive following it."""

from __future__ import annotations

import pytest

from bot.domain.rendering import render_bulletin
from bot.services import corrections as service
from bot.services.corrections import CorrectionError
from data import admin_actions, bulletins, corrections, outbox, search, subscribers
from data.store import Store
from tests.conftest import sample_bulletin
from tests.delivery_helpers import add_subscribers


async def _broadcast(store: Store, chats: list[int], *, sent: list[int] | None = None) -> int:
    """The sample bulletin queued for ``chats``; the rows of ``sent`` (default: all) marked sent and
    the rest failed, then finished."""
    await add_subscribers(store, chats)
    bulletin_id, _ = await bulletins.add(store, sample_bulletin())
    archived = await bulletins.get(store, bulletin_id)
    assert archived is not None
    messages = [(m.task_number, m.html) for m in render_bulletin(archived)]
    info = await outbox.create_broadcast(store, bulletin_id, messages, requested_by=1, admin_chat_id=None)
    sent = chats if sent is None else sent
    rows = await store.fetchall("SELECT id, chat_id FROM deliveries WHERE broadcast_id = ?", (info.id,))
    await outbox.mark_sent(store, [(int(r[0]), 100 + int(r[0])) for r in rows if r[1] in sent])
    for r in rows:
        if r[1] not in sent:
            await outbox.mark_failed(store, int(r[0]), "Forbidden: bot was blocked by the user")
    assert await outbox.finish_if_complete(store, info.id)
    return info.id


async def test_a_correction_reaches_only_the_chats_the_part_was_sent_to(store: Store) -> None:
    original = await _broadcast(store, [1, 2, 3, 4], sent=[1, 2, 3])
    await subscribers.leave(store, 3, reason="user: /stop")
    target = await service.load(store, original)
    # An edit reaches everyone who has the message, subscribed or not; a notice is a new message,
    # so only those still subscribed; chat 4 never got the part.
    assert await service.reached(store, target, 2, "edit") == 3
    assert await service.reached(store, target, 2, "notice") == 2
    queued = await service.queue(
        store, await service.plan_edit(store, target, 2, "Mới."), admin_user_id=7, admin_name="An", admin_chat_id=7
    )
    assert queued.chats == 3
    rows = await store.fetchall(
        "SELECT chat_id, seq, target_message_id, target_sent_at FROM deliveries"
        " WHERE broadcast_id = ? ORDER BY chat_id",
        (queued.id,),
    )
    originals = {
        int(r[0]): (int(r[1]), str(r[2]))
        for r in await store.fetchall(
            "SELECT chat_id, message_id, updated_at FROM deliveries"
            " WHERE broadcast_id = ? AND seq = 2 AND status = 'sent'",
            (original,),
        )
    }
    assert [r[0] for r in rows] == [1, 2, 3] and all(r[1] == 1 for r in rows)
    assert all((r[2], r[3]) == originals[r[0]] for r in rows)  # the original's message in that chat
    parts = await store.fetchall(
        "SELECT action, target_seq, ack_for FROM broadcast_messages WHERE broadcast_id = ?", (queued.id,)
    )
    assert [tuple(p) for p in parts] == [("edit", 2, None)]
    info = await outbox.get_broadcast(store, queued.id)
    assert info is not None and info.status == "queued" and info.recipients == 3
    # Recorded with who did it, on the original, in the same transaction.
    [action] = await admin_actions.for_broadcast(store, original)
    assert (action.action, action.admin_name) == (admin_actions.EDIT, "An") and f"#{queued.id}" in action.detail


async def test_the_archive_follows_an_edit_and_a_retract(store: Store) -> None:
    original = await _broadcast(store, [1])
    target = await service.load(store, original)
    await service.queue(
        store,
        await service.plan_edit(store, target, 1, "Tuyên truyền về chuyển đổi số quốc gia năm 2026."),
        admin_user_id=7,
        admin_name="An",
        admin_chat_id=7,
    )
    found = await search.search_tasks(store, "chuyển đổi số quốc gia")
    assert any(h.task_number == 1 for h in found.hits)
    old_words = sample_bulletin().tasks[5].text.split()[:6]
    await service.queue(
        store, await service.plan_retract(store, target, 6), admin_user_id=7, admin_name="An", admin_chat_id=7
    )
    archived = await bulletins.get(store, target.info.bulletin_id)
    assert archived is not None and archived.task(6) is not None
    assert "thu hồi" in archived.task(6).text  # type: ignore[union-attr]
    assert not any(h.task_number == 6 for h in (await search.search_tasks(store, " ".join(old_words))).hits)


async def test_what_cannot_be_corrected_is_refused_with_a_reason(store: Store) -> None:
    original = await _broadcast(store, [1])
    with pytest.raises(CorrectionError, match="Không có lần gửi #99"):
        await service.load(store, 99)
    target = await service.load(store, original)
    with pytest.raises(CorrectionError, match="không có nhiệm vụ 9"):
        await service.plan_retract(store, target, 9)
    with pytest.raises(CorrectionError, match="trống"):
        await service.plan_edit(store, target, 1, "   ")
    with pytest.raises(CorrectionError, match="cần nhiều tin nhắn hơn"):
        await service.plan_edit(store, target, 1, "chữ " * 2000)  # two messages where one was sent
    with pytest.raises(CorrectionError, match="ngắn"):
        await service.plan_notice(store, target, 1, "x" * 1001)
    made = await service.queue(
        store, await service.plan_notice(store, target, 1, "Lưu ý."), admin_user_id=7, admin_name="An", admin_chat_id=7
    )
    with pytest.raises(CorrectionError, match=f"đính chính bản tin gốc: /dinhchinh {original}"):
        await service.load(store, made.id)
    # Still going: a part not yet sent would go out uncorrected afterwards.
    bulletin_id, _ = await bulletins.add(store, sample_bulletin())
    running = await outbox.create_broadcast(store, bulletin_id, [(1, "<b>x</b>")], requested_by=1, admin_chat_id=None)
    with pytest.raises(CorrectionError, match="chưa xong"):
        await service.load(store, running.id)


async def test_nobody_to_reach_leaves_nothing_behind(store: Store) -> None:
    original = await _broadcast(store, [1], sent=[])
    target = await service.load(store, original)
    before = await store.fetchval("SELECT count(*) FROM broadcasts")
    with pytest.raises(CorrectionError, match="Không có ai"):
        await service.queue(
            store, await service.plan_retract(store, target, 1), admin_user_id=7, admin_name=None, admin_chat_id=7
        )
    assert await store.fetchval("SELECT count(*) FROM broadcasts") == before
    assert await corrections.corrections_of(store, original) == []
    assert await admin_actions.for_broadcast(store, original) == []  # the transaction rolled back
