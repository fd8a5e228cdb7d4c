"""Loading work from the outbox: a bounded window of chats with pending rows, and message texts.

Chats are walked in chat id order from a cursor, ``window`` at a time, and loaded again when fewer
than three quarters of the window are left, so memory grows with the send rate, not with
subscribers × messages. They are also loaded again, up to four windows, when the parts in memory
would be sent before a chat loaded now could send all of its own: at ``rate`` a second, that is
fewer than ``rate × ((most parts a chat had − 1) × chat_interval + LOAD_SLACK)`` parts. Otherwise the
last chats of a broadcast would be loaded only when the others were nearly done, and their six parts,
one per chat each second, would go out on a tail at a fraction of the rate (100 chats at 30/s: the
last 30 parts at 10 a second, 0.86 of the limit over the whole broadcast).

A chat is loaded when it has a pending row of a broadcast that is not paused; its lane then holds
all its pending rows, a paused broadcast's included (skipped while it is paused, first again on
resume). A row sent but not yet written (see ``acks``) or of a stopped broadcast is never loaded.

A group that migrated is loaded under its new id at once (``load_chat``), not when the cursor comes
round to that id, so it keeps its place in the broadcast.
"""

from __future__ import annotations

import math
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
    # Seconds of loaded work kept beyond what a freshly loaded chat needs at its own pace: the read
    # that loads it, and the parts it sends before it is due again.
    LOAD_SLACK = 1.0
    # At most this many windows of chats in memory, however short of parts they are.
    MAX_WINDOWS = 4
    # The parts in memory are counted at most this often (a sum over the lanes).
    COUNT_EVERY = 0.25

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
        rate: float = 0.0,
        chat_interval: float = 1.05,
    ) -> None:
        """``rate`` (messages a second; 0: chats only, no parts rule) and ``chat_interval`` are the
        Pacer's, for the rule above."""
        self._store = store
        self._scheduler = scheduler
        self._controls = controls
        self._acks = acks
        self._window = window
        self._low_water = max(1, window * 3 // 4)
        self._max_lanes = window * self.MAX_WINDOWS
        self._rate = rate
        self._chat_interval = chat_interval
        self._most_parts = 1  # the most parts a chat brought when loaded (since the lanes were last empty)
        self._short_by = 0  # parts short of the rule at the last count
        self._counted_at: float | None = None
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
        loaded = len(self._scheduler.lanes)
        return loaded < self._low_water or (loaded < self._max_lanes and self._parts_short() > 0)

    def _parts_short(self) -> int:
        """How many parts the lanes in memory are short of the rule in the module's docstring
        (counted at most every ``COUNT_EVERY`` seconds; 0 when not short)."""
        if self._rate <= 0:
            return 0
        now = self._clock()
        if self._counted_at is None or now - self._counted_at >= self.COUNT_EVERY:
            self._counted_at = now
            loaded = sum(len(lane.items) for lane in self._scheduler.lanes.values())
            horizon = (self._most_parts - 1) * self._chat_interval + self.LOAD_SLACK
            self._short_by = max(0, math.ceil(self._rate * horizon) - loaded)
        return self._short_by

    async def refill(self) -> None:
        """Top the window up with chats that have pending rows, if it is low and there may be some."""
        if self._exhausted_at is not None and self._clock() - self._exhausted_at >= self._idle_poll:
            self._exhausted_at = None  # look again: another process (the CLI) may have queued work
        if not self.wants_more or self._exhausted_at is not None:
            return
        lanes = self._scheduler.lanes
        if not lanes:
            self._most_parts = 1  # a new run of work: its chats set the rule again
        # A window's worth, or as many chats as the parts short of the rule take, within the cap.
        short = math.ceil(self._short_by / self._most_parts) if self._short_by else 0
        want = min(max(self._window - len(lanes), short), self._max_lanes - len(lanes))
        self._counted_at = None  # count again once these are in
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
            self._most_parts = max(self._most_parts, len(lane.items))
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
