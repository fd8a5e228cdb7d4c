"""Watches running broadcasts: edits the admin's progress message, closes finished broadcasts and
posts the final report. Reads the outbox only, so it is right after a restart too."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from datetime import UTC, datetime, tzinfo

from bot.delivery.outcomes import Notifier
from bot.delivery.pacing import Pacer
from bot.services.corrections import report_tail as correction_report
from bot.texts import admin_actions as who_texts
from bot.texts import delivery as texts
from data import acks, admin_actions, corrections, outbox
from data.store import Store

log = logging.getLogger(__name__)


def _seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
    return (datetime.strptime(end, fmt) - datetime.strptime(start, fmt)).total_seconds()


class BroadcastMonitor:
    """With ``pacer``, a running broadcast's progress shows the rate in use (of the paid budget when
    ``paid``) next to the rate achieved. Progress and report say which admin did what (times in
    ``zone``, the TIMEZONE setting), so an admin sees another's pause in their own progress message."""

    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        *,
        interval: float = 3.0,
        pacer: Pacer | None = None,
        paid: bool = False,
        zone: tzinfo = UTC,
    ) -> None:
        self._store = store
        self._zone = zone
        self._notifier = notifier
        self._interval = interval
        self._pacer = pacer
        self._paid = paid
        self._samples: dict[int, deque[tuple[float, int]]] = {}
        self._last_text: dict[int, str] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="broadcast-monitor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("broadcast monitor tick failed")
            await asyncio.sleep(self._interval)

    async def tick(self) -> None:
        """Update every active broadcast once."""
        for broadcast_id in await outbox.active_broadcast_ids(self._store):
            await self._update(broadcast_id)

    async def _update(self, broadcast_id: int) -> None:
        info = await outbox.get_broadcast(self._store, broadcast_id)
        if info is None:
            return
        counts = await outbox.counts(self._store, broadcast_id)
        if counts.pending == 0 and info.status in ("queued", "running"):
            if await outbox.finish_if_complete(self._store, broadcast_id):
                await self.report(broadcast_id)
            return
        if info.admin_chat_id is None or info.progress_message_id is None:
            return
        now = time.monotonic()
        samples = self._samples.setdefault(broadcast_id, deque(maxlen=8))
        samples.append((now, counts.done))
        t0, d0 = samples[0]
        rate = (counts.done - d0) / (now - t0) if now > t0 else 0.0
        eta = counts.pending / rate if rate > 0 else None
        pacing = None
        if self._pacer is not None and info.status == "running":
            pacing = (self._pacer.rate_in_use(self._paid), self._pacer.limit(self._paid))
        text = texts.progress(
            broadcast_id,
            info.title,
            done=counts.sent,
            total=counts.total,
            rate=rate,
            eta_seconds=eta,
            failed=counts.failed,
            blocked=counts.blocked_chats,
            status=info.status,
            pacing=pacing,
            acked=await self._acked(broadcast_id),
            done_by=who_texts.summary(await admin_actions.for_broadcast(self._store, broadcast_id), self._zone),
        )
        if self._last_text.get(broadcast_id) != text:
            self._last_text[broadcast_id] = text
            await self._notifier.edit(info.admin_chat_id, info.progress_message_id, text)

    async def _acked(self, broadcast_id: int) -> tuple[int, int] | None:
        """(acknowledged, received) of the "Đã nhận" button of ``broadcast_id``; of the original
        broadcast for a reminder, whose button acknowledges that one; None for a correction (an
        edited part keeps the original's button, counted there)."""
        if await corrections.correction_of(self._store, broadcast_id) is not None:
            return None
        original = await acks.original(self._store, broadcast_id) or broadcast_id
        rate = await acks.rate(self._store, original)
        return rate.acked, rate.received

    async def report(self, broadcast_id: int) -> str | None:
        """Post the final report of a finished, cancelled or aborted broadcast to its admin chat."""
        info = await outbox.get_broadcast(self._store, broadcast_id)
        if info is None:
            return None
        counts = await outbox.counts(self._store, broadcast_id)
        duration = _seconds_between(info.started_at or info.created_at, info.finished_at)
        done = await admin_actions.for_broadcast(self._store, broadcast_id)
        text = texts.final_report(
            broadcast_id,
            info.title,
            status=info.status,
            sent=counts.sent,
            total=counts.total,
            failed=counts.failed,
            cancelled=counts.cancelled,
            blocked=counts.blocked_chats,
            errors=list(counts.errors),
            duration_seconds=duration,
            reason=info.abort_reason if info.status != "done" else None,
            acked=await self._acked(broadcast_id),
            done_by=who_texts.report_lines(done, self._zone),
        )
        # Issue 12.4: a correction's tally, or the corrections made of this one and how to make one.
        if tail := await correction_report(self._store, broadcast_id):
            text += "\n" + "\n".join(tail)
        self._samples.pop(broadcast_id, None)
        self._last_text.pop(broadcast_id, None)
        if info.admin_chat_id is not None:
            if info.progress_message_id is not None:
                # The progress message keeps its shape and shows the final figures; the report is a
                # new message so the admin is notified.
                final_progress = texts.progress(
                    broadcast_id,
                    info.title,
                    done=counts.sent,
                    total=counts.total,
                    rate=counts.sent / duration if duration else 0.0,
                    eta_seconds=0.0,
                    failed=counts.failed,
                    blocked=counts.blocked_chats,
                    status=info.status,
                    acked=await self._acked(broadcast_id),
                    done_by=who_texts.summary(done, self._zone),
                )
                await self._notifier.edit(info.admin_chat_id, info.progress_message_id, final_progress)
            await self._notifier.post(info.admin_chat_id, text)
        log.info(
            "broadcast %s %s: %s/%s sent",
            broadcast_id,
            info.status,
            counts.sent,
            counts.total,
            extra={"broadcast_id": broadcast_id, "status": info.status, "sent": counts.sent, "total": counts.total},
        )
        return text
