"""Loading work from the outbox: a bounded window of chats with pending rows, and message texts.

Chats are walked in chat id order from a cursor, ``window`` at a time, and loaded again when fewer
than three quarters of the window are left, so memory grows with the send rate, not with
subscribers × messages. A chat is loaded when it has a pending row of a broadcast that is not
paused; its lane then holds all its pending rows, a paused broadcast's included (skipped while it is
paused, first again on resume). A row sent but not yet written (see ``acks``) or of a stopped
broadcast is never loaded.

A group that migrated is loaded under its new id at once (``load_chat``), not when the cursor comes
round to that id, so it keeps its place in the broadcast.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from bot.delivery.acks import Acknowledgements
from bot.delivery.lanes import Controls, Item, Lane, LaneScheduler
from bot.delivery.pacing import Clock
from data import corrections, outbox
from data.outbox import PendingRow
from data.store import Store

_NO_CHAT = -(2**63)


class OutboxLoader:
    def __init__(
        self,
        store: Store,
        scheduler: LaneScheduler,
        controls: Controls,
        acks: Acknowledgements,
        *,
        window: int,
        idle_poll: float,
        clock: Clock,
    ) -> None:
        self._store = store
        self._scheduler = scheduler
        self._controls = controls
        self._acks = acks
        self._window = window
        self._low_water = max(1, window * 3 // 4)
        self._idle_poll = idle_poll
        self._clock = clock
        self._cursor = _NO_CHAT
        self._exhausted_at: float | None = None  # when the last look found nothing new
        self._html: dict[tuple[int, int], str] = {}
        self._ack: dict[tuple[int, int], int] = {}  # parts with a "Đã nhận" button: the broadcast it acknowledges
        self._action: dict[tuple[int, int], str] = {}  # a correction's parts: 'edit', 'delete' or 'reply'

    def wake(self) -> None:
        """New work may be in the outbox: look again at the next refill."""
        self._exhausted_at = None

    @property
    def wants_more(self) -> bool:
        return len(self._scheduler.lanes) < self._low_water

    async def refill(self) -> None:
        """Top the window up with chats that have pending rows, if it is low and there may be some."""
        if self._exhausted_at is not None and self._clock() - self._exhausted_at >= self._idle_poll:
            self._exhausted_at = None  # look again: another process (the CLI) may have queued work
        if not self.wants_more or self._exhausted_at is not None:
            return
        lanes = self._scheduler.lanes
        want = self._window - len(lanes)
        chats = await outbox.next_chats(self._store, self._cursor, want)
        if not chats and self._cursor != _NO_CHAT:
            self._cursor = _NO_CHAT  # reached the end: wrap around once
            chats = await outbox.next_chats(self._store, self._cursor, want)
        if len(chats) < want:
            self._cursor = _NO_CHAT
        elif chats:
            self._cursor = chats[-1]
        fresh = {c for c in chats if c not in lanes}
        if not fresh:
            self._exhausted_at = self._clock()
            return
        # The read may see the outbox as it was before a batch of acknowledgements was written, and
        # the batch may be written (and forgotten by ``acks``) before the read returns: rows unwritten
        # when the read began are skipped too, or they would be sent twice.
        unwritten = self._acks.unwritten
        rows = await outbox.pending_between(self._store, min(fresh), max(fresh))
        if not self._adopt(rows, fresh, unwritten):
            self._exhausted_at = self._clock()

    async def load_chat(self, chat_id: int) -> bool:
        """Load ``chat_id``'s pending rows now, as a lane of its own (one query): a migrated group's
        rows, just moved to its new id. False if that chat already has a lane or nothing to send."""
        if chat_id in self._scheduler.lanes:
            return False
        unwritten = self._acks.unwritten
        rows = await outbox.pending_between(self._store, chat_id, chat_id)
        return self._adopt(rows, {chat_id}, unwritten)

    def _adopt(self, rows: Sequence[PendingRow], chats: set[int], unwritten: frozenset[int]) -> bool:
        """Make lanes of ``rows`` for ``chats`` and schedule those with something to send; True if any."""
        added: dict[int, Lane] = {}
        for row in rows:
            if (
                row.chat_id not in chats
                or row.id in unwritten
                or row.id in self._acks
                or row.broadcast_id in self._controls.stopped
            ):
                continue
            lane = added.get(row.chat_id)
            if lane is None:
                lane = added[row.chat_id] = Lane(row.chat_id, deque())
            lane.items.append(Item(row.id, row.broadcast_id, row.seq, row.attempts))
        lanes = self._scheduler.lanes
        adopted = False
        for lane in added.values():
            # A chat given a lane while the rows were read (the other of ``refill`` and
            # ``load_chat``) keeps that one: its part in flight is in it. Rows it lacks stay pending
            # and are loaded once it is done.
            if lane.chat_id in lanes or self._controls.sendable(lane.items) is None:
                continue
            self._scheduler.add(lane)
            adopted = True
        return adopted

    async def html_for(self, broadcast_id: int, seq: int) -> str:
        key = (broadcast_id, seq)
        text = self._html.get(key)
        if text is None:
            parts = await outbox.parts(self._store, broadcast_id)
            actions = await corrections.actions(self._store, broadcast_id)
            # Both read before either is kept: a part whose text is known has its action known too
            # (another chat's send finds the text cached and asks for the action at once).
            for s, action in actions:
                self._action[(broadcast_id, s)] = action
            for s, html, ack_for in parts:
                self._html[(broadcast_id, s)] = html
                if ack_for is not None:
                    self._ack[(broadcast_id, s)] = ack_for
            text = self._html[key]
        return text

    def ack_for(self, broadcast_id: int, seq: int) -> int | None:
        """The broadcast the part's "Đã nhận" button acknowledges (None: no button); known once
        ``html_for`` has loaded that broadcast's parts, as it has before any of them is sent."""
        return self._ack.get((broadcast_id, seq))

    def action_for(self, broadcast_id: int, seq: int) -> str:
        """What the part does in a chat: 'send', or a correction's 'edit', 'delete', 'reply' (known
        once ``html_for`` has loaded that broadcast's parts)."""
        return self._action.get((broadcast_id, seq), "send")
