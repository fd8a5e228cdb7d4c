"""The audience (issue 12, point 1): a subscriber chooses a role and a unit (buttons after /start or
in /profile, or a typed unit), admins keep the unit list, and a preview chooses who a broadcast is
for. Joining or choosing while a broadcast runs gets the chat that broadcast too (``catch_up``).

No Telegram types here: the handlers in ``handlers/audience.py`` call these with plain values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.domain.audience import ROLE_KINDS, ROLE_NAMES, Target, clean_unit_name
from bot.domain.records import Bulletin
from bot.services import publishing
from data import admin_actions, drafts, outbox, subscribers, units
from data.store import Store
from data.units import Unit

# How long the bot waits for a typed unit after "Đơn vị khác": past that, the chat's next text is a
# question again (an answer never given must not swallow a later question about bulletins).
ASK_UNIT_FOR = dt.timedelta(hours=1)
# At most this many listed units are offered as buttons (Telegram documents no exact cap on an
# inline keyboard; a long list is unusable on a phone anyway). More: type it.
MAX_UNIT_BUTTONS = 40


async def catch_up(store: Store, chat_id: int) -> list[int]:
    """The running broadcasts that now take ``chat_id`` as a late joiner, with its rows added
    (``data.outbox.add_late_joiner``: once, whatever runs twice). The caller wakes the engine."""
    return await outbox.add_late_joiner(store, chat_id)


async def choose_role(store: Store, chat_id: int, kind: str) -> bool:
    """A role pressed; False when the chat is not subscribed (or the kind is unknown)."""
    if kind not in ROLE_KINDS or await _active(store, chat_id) is None:
        return False
    return await subscribers.set_role(store, chat_id, kind, ROLE_NAMES[kind])


async def choose_unit(store: Store, chat_id: int, unit_id: int) -> Unit | None:
    """A listed unit pressed: stored; None when the chat is not subscribed or the unit is not
    listed any more."""
    unit = await units.get(store, unit_id)
    if unit is None or not unit.listed or await _active(store, chat_id) is None:
        return None
    await subscribers.set_unit(store, chat_id, unit.id, unit.name)
    return unit


async def type_unit(store: Store, chat_id: int, text: str) -> Unit:
    """A typed unit: the listed unit of that (folded) name, or a new unlisted one. Raises
    ``bot.domain.audience.UnitNameError`` for an empty or too long name (the question stays)."""
    name = clean_unit_name(text)
    async with store.transaction() as conn:
        unit = await units.find_or_create(conn, name)
    await subscribers.set_unit(store, chat_id, unit.id, unit.name)
    return unit


async def ask_unit(store: Store, chat_id: int) -> bool:
    """ "Đơn vị khác": wait for this chat to type its unit. False when it is not subscribed."""
    if await _active(store, chat_id) is None:
        return False
    await subscribers.ask_unit(store, chat_id)
    return True


async def skip(store: Store, chat_id: int) -> None:
    await subscribers.clear_ask(store, chat_id)


async def waits_for_unit(store: Store, chat_id: int, now: dt.datetime) -> bool:
    """Whether the chat's next text is its unit: asked, and less than ``ASK_UNIT_FOR`` ago (an older
    question is dropped here)."""
    asked = await subscribers.asked_unit_at(store, chat_id)
    if asked is None:
        return False
    at = dt.datetime.strptime(asked, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    if now - at > ASK_UNIT_FOR:
        await subscribers.clear_ask(store, chat_id)
        return False
    return True


async def offered_units(store: Store) -> tuple[list[Unit], int]:
    """The listed units offered as buttons, and how many more there are."""
    found = await units.listed(store)
    return found[:MAX_UNIT_BUTTONS], max(0, len(found) - MAX_UNIT_BUTTONS)


async def _active(store: Store, chat_id: int) -> object | None:
    profile = await subscribers.get(store, chat_id)
    return profile if profile is not None and profile.active else None


# --- /units -------------------------------------------------------------------------------------------------


async def add_unit(store: Store, text: str, *, admin_user_id: int, admin_name: str | None) -> tuple[Unit, bool]:
    """List a unit; recorded (UNIT_ADD) when it was not listed. Raises UnitNameError."""
    unit, new = await units.add(store, clean_unit_name(text))
    if new:
        await admin_actions.record(
            store, admin_actions.UNIT_ADD, admin_user_id=admin_user_id, admin_name=admin_name, detail=unit.name
        )
    return unit, new


async def remove_unit(store: Store, text: str, *, admin_user_id: int, admin_name: str | None) -> Unit | None:
    """Unlist a unit (its subscribers keep it); recorded (UNIT_REMOVE). None when none is listed
    by that name. Returns the unit with its active subscribers counted."""
    unit = await units.unlist(store, " ".join(text.split()))
    if unit is None:
        return None
    await admin_actions.record(
        store, admin_actions.UNIT_REMOVE, admin_user_id=admin_user_id, admin_name=admin_name, detail=unit.name
    )
    counted = {u.id: u for u in await units.with_counts(store)}
    return counted.get(unit.id, unit)


# --- the audience of a draft ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """What the audience menu shows: the target, the units offered (listed, plus any the target
    names that are not), their names, and exactly how many the send reaches now."""

    target: Target
    offered: tuple[Unit, ...]
    more: int  # listed units not offered as buttons
    names: dict[int, str]
    count: int


def recipients(history: publishing.History, audience: publishing.Audience) -> int:
    """How many a send reaches: those without the bulletin, unless it is resent to everyone."""
    if history.sent_before and audience is publishing.Audience.WITHOUT_IT:
        return history.without
    return history.subscribers


async def unit_names(store: Store, target: Target) -> dict[int, str]:
    return {} if target.units is None else await units.names(store, target.units)


async def choice(store: Store, draft: drafts.Draft, bulletin: Bulletin) -> Choice:
    target = publishing.target_for(draft)
    offered, more = await offered_units(store)
    listed_ids = {u.id for u in offered}
    for unit_id in target.units or ():
        if unit_id not in listed_ids and (unit := await units.get(store, unit_id)) is not None:
            offered.append(unit)
    history = await publishing.history(store, bulletin, target)
    names = {u.id: u.name for u in offered}
    return Choice(target, tuple(offered), more, names, recipients(history, publishing.Audience.WITHOUT_IT))


async def set_target(store: Store, draft: drafts.Draft, target: Target) -> bool:
    """Store the audience on a pending draft; False when it is no longer pending."""
    return await drafts.set_target(
        store, draft.id, roles=target.roles_json, units=target.units_json, late_joiners=target.late_joiners
    )
