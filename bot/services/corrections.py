"""Corrections of a sent broadcast (issue 12.4): edit a task's text for every recipient, retract it,
or send a short notice that replies to it, each queued as a broadcast of its own through the outbox
(``data.corrections``) and sent by the engine at Telegram's limits.

What is planned here, free of Telegram types: which broadcast and task, the exact parts a
correction sends (an edit is the task rendered again as the bulletin renders it, in at most as many
messages as it had), how many chats it reaches, and the one transaction that queues it, records who
did it (``data.admin_actions``) and makes the archive follow (an edited task's text; a withdrawn
task is shown as withdrawn and no longer found by search).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from bot.domain.records import ArchivedBulletin, Task
from bot.domain.rendering import MESSAGE_LIMIT, html_to_plain, plain_length, render_task
from bot.texts import corrections as texts
from data import admin_actions, bulletins, corrections, outbox
from data.corrections import Part, Tally, TaskParts
from data.outbox import BroadcastInfo
from data.store import Store

# A notice is short: it is read under the task, not instead of it.
NOTICE_LIMIT = 1000
RECORDED = {"edit": admin_actions.EDIT, "retract": admin_actions.RETRACT, "notice": admin_actions.NOTICE}
_HEADER = re.compile(r"^<b>(.*?)</b>", re.S)


class CorrectionError(Exception):
    """Why a correction cannot be made; ``str()`` is the bilingual answer for the admin."""


@dataclass(frozen=True, slots=True)
class Original:
    """A finished broadcast that can be corrected, with its tasks and its bulletin as archived."""

    info: BroadcastInfo
    tasks: tuple[TaskParts, ...]
    bulletin: ArchivedBulletin | None

    def task(self, number: int) -> TaskParts:
        for task in self.tasks:
            if task.number == number:
                return task
        raise CorrectionError(texts.no_such_task(self.info.id, number))

    def text_of(self, number: int) -> str:
        """The task's text as archived now ('' when the archive no longer has it)."""
        task = self.bulletin.task(number) if self.bulletin is not None else None
        return task.text if task is not None else ""


@dataclass(frozen=True, slots=True)
class Plan:
    """A correction ready to be queued: what every chat it reaches gets, and how many chats."""

    original: int
    bulletin_id: int
    task_number: int
    kind: str  # 'edit' | 'retract' | 'notice'
    parts: tuple[Part, ...]
    chats: int
    new_text: str = ""  # edit: the task's new text; notice: the notice as typed

    @property
    def preview(self) -> tuple[str, ...]:
        """The messages as a recipient will see them (edit: the new parts; notice: the reply)."""
        return tuple(p.html for p in self.parts)


@dataclass(frozen=True, slots=True)
class Queued:
    id: int
    chats: int
    kind: str


async def load(store: Store, broadcast_id: int) -> Original:
    """The broadcast ``broadcast_id`` if it can be corrected: it exists, it is a bulletin's broadcast
    (not itself a correction or a reminder) and it has finished sending (a part still pending would
    go out uncorrected after the correction)."""
    info = await outbox.get_broadcast(store, broadcast_id)
    if info is None:
        raise CorrectionError(texts.no_such_broadcast(broadcast_id))
    of = await corrections.correction_of(store, broadcast_id)
    if of is not None:
        raise CorrectionError(texts.is_a_correction(broadcast_id, of[0]))
    if await corrections.is_reminder(store, broadcast_id):
        raise CorrectionError(texts.is_a_reminder(broadcast_id))
    if info.status in outbox.ACTIVE_STATUSES:
        raise CorrectionError(texts.still_sending(broadcast_id))
    tasks = tuple(await corrections.task_parts(store, broadcast_id))
    if not tasks:
        raise CorrectionError(texts.no_such_broadcast(broadcast_id))
    return Original(info, tasks, await bulletins.get(store, info.bulletin_id))


async def reached(store: Store, original: Original, number: int, kind: str) -> int:
    """The exact number of chats a correction of task ``number`` of kind ``kind`` reaches now."""
    task = original.task(number)
    return await corrections.reached(store, original.info.id, task.seqs[0], kind)


def _header(html: str) -> str:
    """The bold header a part of a bulletin starts with ("📌 Nhiệm vụ 3/6 · ..."), as HTML."""
    match = _HEADER.match(html)
    return match.group(1) if match else ""


async def plan_edit(store: Store, original: Original, number: int, new_text: str) -> Plan:
    """The task ``number`` rendered again with ``new_text``, as its messages will read after the edit.
    It must fit in as many messages as the task had (a message cannot be added between two others);
    fewer is fine, the parts left over say they were merged into the one above."""
    task = original.task(number)
    text = new_text.strip()
    if not text:
        raise CorrectionError(texts.EMPTY_TEXT)
    if original.bulletin is None:
        raise CorrectionError(texts.no_such_broadcast(original.info.id))
    bulletin = original.bulletin
    old = bulletin.task(number)
    fixed = Task(number=number, text=text, enumerator=old.enumerator if old is not None else "")
    renamed = dataclasses.replace(bulletin, tasks=tuple(fixed if t.number == number else t for t in bulletin.tasks))
    rendered = [m.html for m in render_task(renamed, fixed)]
    if len(rendered) > len(task.seqs):
        raise CorrectionError(texts.too_long(number, len(task.seqs)))
    originals = dict(await _original_html(store, original.info.id))
    parts = [
        Part(number, html, "edit", seq, ack) for html, seq, ack in zip(rendered, task.seqs, task.ack_for, strict=False)
    ]
    for seq, ack in list(zip(task.seqs, task.ack_for, strict=True))[len(rendered) :]:
        parts.append(Part(number, texts.merged_part(_header(originals.get(seq, ""))), "edit", seq, ack))
    chats = await corrections.reached(store, original.info.id, task.seqs[0], "edit")
    return Plan(original.info.id, original.info.bulletin_id, number, "edit", tuple(parts), chats, text)


async def plan_retract(store: Store, original: Original, number: int) -> Plan:
    """Every part of the task deleted where Telegram still allows (48 h), otherwise edited into the
    withdrawn notice (which keeps the part's header, so the reader sees which task went)."""
    task = original.task(number)
    originals = dict(await _original_html(store, original.info.id))
    parts = tuple(
        Part(number, texts.withdrawn_part(_header(originals.get(seq, ""))), "delete", seq, ack)
        for seq, ack in zip(task.seqs, task.ack_for, strict=True)
    )
    chats = await corrections.reached(store, original.info.id, task.seqs[0], "retract")
    return Plan(original.info.id, original.info.bulletin_id, number, "retract", parts, chats)


async def plan_notice(store: Store, original: Original, number: int, notice: str) -> Plan:
    """A short notice, sent as a reply to the task's (first) message in every chat that got it."""
    task = original.task(number)
    text = notice.strip()
    if not text:
        raise CorrectionError(texts.EMPTY_TEXT)
    if plain_length(text) > NOTICE_LIMIT:
        raise CorrectionError(texts.notice_too_long(NOTICE_LIMIT))
    html = texts.notice_message(number, text)
    assert plain_length(html_to_plain(html)) <= MESSAGE_LIMIT
    chats = await corrections.reached(store, original.info.id, task.seqs[0], "notice")
    parts = (Part(number, html, "reply", task.seqs[0], None),)
    return Plan(original.info.id, original.info.bulletin_id, number, "notice", parts, chats, text)


async def _original_html(store: Store, broadcast_id: int) -> list[tuple[int, str]]:
    return [(seq, html) for seq, _, html in await outbox.messages(store, broadcast_id)]


async def queue(
    store: Store, plan: Plan, *, admin_user_id: int | None, admin_name: str | None, admin_chat_id: int | None
) -> Queued:
    """Queue ``plan`` in one transaction: the correction broadcast and its rows, the admin's action
    (on the original broadcast), and the archive following it. Nobody to reach: nothing changes."""
    async with store.transaction() as conn:
        broadcast_id, chats = await corrections.insert_correction(
            conn, plan.original, plan.kind, plan.parts, requested_by=admin_user_id, admin_chat_id=admin_chat_id
        )
        if broadcast_id == 0:
            raise CorrectionError(texts.NOBODY)
        if plan.kind == "edit":
            await corrections.edit_task(conn, plan.bulletin_id, plan.task_number, plan.new_text)
        elif plan.kind == "retract":
            await corrections.withdraw_task(conn, plan.bulletin_id, plan.task_number, texts.WITHDRAWN_ARCHIVE)
        await admin_actions.record(
            conn,
            RECORDED[plan.kind],
            admin_user_id=admin_user_id,
            admin_name=admin_name,
            broadcast_id=plan.original,
            detail=texts.action_detail(broadcast_id, plan.task_number),
        )
    return Queued(broadcast_id, chats, plan.kind)


async def report_lines(store: Store, broadcast_id: int) -> list[str]:
    """What a report says of corrections: for a correction, what became of its rows (edited, not
    modified, deleted, edited into the notice, failed); for a corrected broadcast, its corrections.
    Empty for a broadcast that is neither."""
    of = await corrections.correction_of(store, broadcast_id)
    if of is not None:
        original, kind = of
        number = await corrections.task_of(store, broadcast_id) or 0
        tally: Tally = await corrections.tally(store, broadcast_id)
        return [texts.correction_head(broadcast_id, original, number, kind), texts.tally_line(kind, tally)]
    made = await corrections.corrections_of(store, broadcast_id)
    if not made:
        return []
    return [texts.corrections_line([(c.id, c.kind, c.status) for c in made])]


async def report_tail(store: Store, broadcast_id: int) -> list[str]:
    """The final report's lines about corrections: ``report_lines``, and under a finished bulletin
    broadcast the command that corrects it."""
    lines = await report_lines(store, broadcast_id)
    info = await outbox.get_broadcast(store, broadcast_id)
    if (
        info is not None
        and info.status not in outbox.ACTIVE_STATUSES
        and await corrections.correction_of(store, broadcast_id) is None
        and not await corrections.is_reminder(store, broadcast_id)
    ):
        lines.append(texts.correct_link(broadcast_id))
    return lines
