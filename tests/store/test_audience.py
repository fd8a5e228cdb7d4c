"""Audience in the store (issue 12, point 1): units (data/units.py), role and unit setters
(data/subscribers.py), the one target condition (data/outbox.py) that the preview's count and every
fan-out share, and late joiners."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from bot.domain.audience import Target, UnitNameError, clean_unit_name, role_kind_of
from bot.services import publishing
from data import admin_actions, outbox, subscribers, units
from data.store import Store
from tests.conftest import sample_bulletin
from tests.delivery_helpers import add_subscribers, queue

ROLES = ("bcv", "ttv", "other", None)


async def _people(store: Store) -> dict[int, tuple[str | None, int | None]]:
    """24 active subscribers over every (role, unit) combination, two inactive ones; {chat: (kind, unit)}."""
    a, _ = await units.add(store, "Phường Đông Hải")
    b, _ = await units.add(store, "Xã An Lư")
    found: dict[int, tuple[str | None, int | None]] = {}
    chat = 100
    for (kind, unit), _copy in itertools.product(itertools.product(ROLES, (a.id, b.id, None)), range(2)):
        chat += 1
        await add_subscribers(store, [chat])
        if kind is not None:
            await subscribers.set_role(store, chat, kind, kind.upper())
        if unit is not None:
            await subscribers.set_unit(store, chat, unit, "x")
        found[chat] = (kind, unit)
    for gone in (chat - 1, chat):  # left: never counted, never given rows
        await subscribers.leave(store, gone, "user: /stop")
        del found[gone]
    return found


def _expected(people: dict[int, tuple[str | None, int | None]], target: Target) -> set[int]:
    return {
        chat
        for chat, (kind, unit) in people.items()
        if (target.roles is None or kind in target.roles) and (target.units is None or unit in target.units)
    }


async def _fanned_out(store: Store, broadcast_id: int) -> set[int]:
    rows = await store.fetchall("SELECT DISTINCT chat_id FROM deliveries WHERE broadcast_id = ?", (broadcast_id,))
    return {int(r[0]) for r in rows}


async def test_units_are_one_per_folded_name_and_removing_only_unlists(store: Store) -> None:
    unit, new = await units.add(store, "Phường Đông Hải")
    assert new and unit.listed
    again, new = await units.add(store, "phuong dong hai")
    assert not new and again.id == unit.id and again.name == "Phường Đông Hải"  # the listed name stays
    typed = await units.find_or_create(store, "XÃ AN LƯ")
    assert not typed.listed  # a subscriber's own unit is not offered to others
    assert [u.name for u in await units.listed(store)] == ["Phường Đông Hải"]
    listed, new = await units.add(store, "Xã An Lư")  # the admins list it: same unit, their spelling
    assert new and listed.id == typed.id and listed.name == "Xã An Lư"
    await add_subscribers(store, [1, 2])
    await subscribers.set_unit(store, 1, unit.id, unit.name)
    assert await units.unlist(store, "PHƯỜNG ĐÔNG HẢI") is not None
    assert await units.unlist(store, "Phường Đông Hải") is None  # already unlisted
    assert [u.name for u in await units.listed(store)] == ["Xã An Lư"]
    # /units still shows the unlisted one while someone is in it, with counts.
    assert [(u.name, u.listed, u.subscribers) for u in await units.with_counts(store)] == [
        ("Xã An Lư", True, 0),
        ("Phường Đông Hải", False, 1),
    ]
    profile = await subscribers.get(store, 1)
    assert profile is not None and profile.unit_id == unit.id


def test_unit_names_are_cleaned_and_bounded() -> None:
    assert clean_unit_name("  Phường \n Đông\tHải \x00") == "Phường Đông Hải"
    with pytest.raises(UnitNameError) as empty:
        clean_unit_name(" \n\t ")
    assert empty.value.reason == "empty"
    with pytest.raises(UnitNameError) as long:
        clean_unit_name("Đ" * 81)
    assert long.value.reason == "too_long" and long.value.length == 81
    assert role_kind_of("BCV tỉnh") == "bcv" and role_kind_of("tuyên truyền viên") == "ttv"
    assert role_kind_of("Chi bộ") == "other" and role_kind_of("  ") is None


def test_an_empty_choice_is_everyone_and_bad_columns_are_any() -> None:
    assert Target(roles=()).everyone and Target(units=()).everyone
    assert Target().toggle_role("ttv").toggle_role("ttv").everyone
    assert Target(roles=("ttv", "bcv")).roles == ("bcv", "ttv")  # the offered order, stored once
    assert Target.from_columns("not json", '{"a": 1}', 1) == Target()
    assert Target.from_columns('["ttv", 3]', "[2, true, 1]", 0) == Target(("ttv",), (1, 2), late_joiners=False)


async def test_the_typed_profile_sets_kind_and_unit(store: Store) -> None:
    await add_subscribers(store, [5])
    assert await subscribers.set_profile(store, 5, role="BCV Đảng ủy", unit="  Xã  An Lư ")
    profile = await subscribers.get(store, 5)
    assert profile is not None and profile.role_kind == "bcv" and profile.unit == "  Xã  An Lư "
    unit = await units.find(store, "xa an lu")
    assert unit is not None and profile.unit_id == unit.id and not unit.listed
    assert await subscribers.set_profile(store, 5, role=None, unit=None)
    cleared = await subscribers.get(store, 5)
    assert cleared is not None and (cleared.role_kind, cleared.unit_id) == (None, None)


@pytest.mark.parametrize(
    "roles, unit_picks",
    [
        (None, None),  # NULL = everyone
        (("ttv",), None),
        (None, (0,)),
        (("ttv",), (0,)),
        (("bcv", "other"), (0, 1)),
        (("other",), (1,)),
    ],
)
async def test_the_count_is_exactly_the_chats_a_send_fans_out_to(
    store: Store, roles: tuple[str, ...] | None, unit_picks: tuple[int, ...] | None
) -> None:
    people = await _people(store)
    listed = [u.id for u in await units.listed(store)]
    target = Target(roles, None if unit_picks is None else tuple(listed[i] for i in unit_picks))
    want = _expected(people, target)
    assert want  # every combination takes someone: a count of 0 would prove little
    prepared = publishing.prepare(sample_bulletin())
    history = await publishing.history(store, prepared.bulletin, target)
    assert history.subscribers == len(want)
    queued = await publishing.queue_broadcast(store, prepared, requested_by=None, admin_chat_id=None, target=target)
    assert queued.info is not None and queued.info.recipients == len(want)
    assert await _fanned_out(store, queued.info.id) == want
    row = await store.fetchone("SELECT target_roles, target_units FROM broadcasts WHERE id = ?", (queued.info.id,))
    assert row is not None and (row[0], row[1]) == (target.roles_json, target.units_json)
    # Sent before: "those without it" counts and fans out the same way (here: nobody new in the
    # target has it, so a wider target reaches only the rest).
    wider = Target()
    again = await publishing.history(store, prepared.bulletin, wider)
    assert again.without == len(set(people) - want)
    second = await publishing.queue_broadcast(store, prepared, requested_by=None, admin_chat_id=None, target=wider)
    if again.without:
        assert second.info is not None and await _fanned_out(store, second.info.id) == set(people) - want
    else:
        assert second.info is None


async def test_a_send_is_recorded_with_who_and_the_target(store: Store) -> None:
    people = await _people(store)
    [first, _] = [u.id for u in await units.listed(store)]
    target = Target(("ttv",), (first,))
    by = publishing.By(9001, "Lan")
    queued = await publishing.queue_broadcast(
        store, publishing.prepare(sample_bulletin()), requested_by=9001, admin_chat_id=9001, target=target, by=by
    )
    assert queued.info is not None and queued.info.recipients == len(_expected(people, target))
    actions = await admin_actions.for_broadcast(store, queued.info.id)
    assert [(a.action, a.admin_user_id, a.admin_name) for a in actions] == [
        (admin_actions.SEND, 9001, "Lan"),
        (admin_actions.TARGET, 9001, "Lan"),
    ]
    assert actions[1].detail == "Tuyên truyền viên · Phường Đông Hải"


async def test_a_late_joiner_gets_a_running_broadcast_once_when_it_takes_them(store: Store) -> None:
    unit, _ = await units.add(store, "Phường Đông Hải")
    await add_subscribers(store, [1])
    await subscribers.set_role(store, 1, "ttv", "Tuyên truyền viên")
    prepared = publishing.prepare(sample_bulletin())
    queued = await publishing.queue_broadcast(
        store, prepared, requested_by=None, admin_chat_id=None, target=Target(("ttv",))
    )
    assert queued.info is not None and queued.info.recipients == 1
    broadcast_id = queued.info.id
    await add_subscribers(store, [2])
    assert await outbox.add_late_joiner(store, 2) == []  # no role yet: not in the target
    await subscribers.set_role(store, 2, "ttv", "Tuyên truyền viên")
    assert await outbox.add_late_joiner(store, 2) == [broadcast_id]
    assert await outbox.add_late_joiner(store, 2) == []  # never twice
    assert await _fanned_out(store, broadcast_id) == {1, 2}
    info = await outbox.get_broadcast(store, broadcast_id)
    assert info is not None and info.recipients == 2
    n = len(prepared.messages)
    assert (await outbox.counts(store, broadcast_id)).pending == 2 * n
    # Not after it is over, not for a reminder, not when the admin said no.
    await subscribers.set_unit(store, 2, unit.id, unit.name)
    await outbox.set_status(store, broadcast_id, "done", allowed=("queued",))
    await add_subscribers(store, [3])
    await subscribers.set_role(store, 3, "ttv", "Tuyên truyền viên")
    assert await outbox.add_late_joiner(store, 3) == []
    no_late = await queue(store, ["<b>Một</b>"])  # create_broadcast: no target, no late joiners
    await add_subscribers(store, [4])
    assert await outbox.add_late_joiner(store, 4) == []
    assert 4 not in await _fanned_out(store, no_late.id)


async def test_inactive_chats_are_not_late_joiners(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    queued = await publishing.queue_broadcast(
        store, publishing.prepare(sample_bulletin()), requested_by=None, admin_chat_id=None
    )
    assert queued.info is not None
    await subscribers.leave(store, 2, "user: /stop")
    await store.execute("DELETE FROM deliveries WHERE chat_id = 2")
    assert await outbox.add_late_joiner(store, 2) == []


async def test_a_broadcast_whose_parts_all_went_out_takes_no_late_joiner(store: Store) -> None:
    await add_subscribers(store, [1])
    queued = await publishing.queue_broadcast(
        store, publishing.prepare(sample_bulletin()), requested_by=None, admin_chat_id=None
    )
    assert queued.info is not None
    assert await outbox.mark_running(store, queued.info.id)
    await store.execute("UPDATE deliveries SET status = 'sent'")  # over, not yet marked done
    await add_subscribers(store, [2])
    assert await outbox.add_late_joiner(store, 2) == []
    await store.execute("UPDATE deliveries SET status = 'pending' WHERE seq = 6")  # one part still to go
    assert await outbox.add_late_joiner(store, 2) == [queued.info.id]


async def test_a_scheduled_targeted_broadcast_adds_only_matching_joiners_when_it_starts(store: Store) -> None:
    await add_subscribers(store, [1, 2])
    await subscribers.set_role(store, 1, "ttv", "Tuyên truyền viên")
    at = dt.datetime(2030, 1, 1, 0, 30, tzinfo=dt.UTC)
    queued = await publishing.queue_broadcast(
        store,
        publishing.prepare(sample_bulletin()),
        requested_by=None,
        admin_chat_id=None,
        at=at,
        target=Target(("ttv",)),
    )
    assert queued.info is not None and queued.info.status == "scheduled" and queued.info.recipients == 1
    actions = await admin_actions.for_broadcast(store, queued.info.id)
    assert [a.action for a in actions] == [admin_actions.SCHEDULE, admin_actions.TARGET]
    assert actions[0].detail == "2030-01-01T00:30:00.000000Z"
    await add_subscribers(store, [3, 4])
    await subscribers.set_role(store, 3, "ttv", "Tuyên truyền viên")
    await subscribers.set_role(store, 4, "bcv", "Báo cáo viên")
    assert await outbox.release(store, queued.info.id) == (1, 2)
    assert await _fanned_out(store, queued.info.id) == {1, 3}
