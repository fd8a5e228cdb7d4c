"""The typed context handlers receive: settings, store and delivery engine hang off ``bot_data``."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext, ExtBot

from bot.delivery.button_edits import ButtonEdits
from bot.settings import Settings
from data.store import Store

if TYPE_CHECKING:
    from bot.delivery.engine import DeliveryEngine
    from bot.delivery.monitor import BroadcastMonitor
    from bot.watch.watcher import Watcher


class BotData:
    """Application-wide services, set once in ``post_init``."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._store: Store | None = None
        self._engine: DeliveryEngine | None = None
        self._monitor: BroadcastMonitor | None = None
        self._watcher: Watcher | None = None
        # The "Đã nhận" buttons' edits, made one at a time beside the replies (handlers.acks).
        self.button_edits = ButtonEdits()
        # Set when the bot must stop on its own (the database file went missing or read-only): the
        # runner waits for it beside SIGTERM, and the process exits non-zero with this reason.
        self.halted = asyncio.Event()
        self.halt_reason: str | None = None

    def halt(self, reason: str) -> None:
        if self.halt_reason is None:
            self.halt_reason = reason
        self.halted.set()

    def setup(
        self,
        settings: Settings,
        store: Store,
        engine: DeliveryEngine | None,
        monitor: BroadcastMonitor | None = None,
    ) -> None:
        self._settings, self._store, self._engine, self._monitor = settings, store, engine, monitor

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("the application has not been initialised")
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the application has not been initialised")
        return self._store

    @property
    def engine(self) -> DeliveryEngine:
        if self._engine is None:
            raise RuntimeError("the delivery engine is not running")
        return self._engine

    @property
    def monitor(self) -> BroadcastMonitor:
        if self._monitor is None:
            raise RuntimeError("the broadcast monitor is not running")
        return self._monitor

    @property
    def watcher(self) -> Watcher:
        if self._watcher is None:
            raise RuntimeError("the portal watcher is not running")
        return self._watcher

    @watcher.setter
    def watcher(self, watcher: Watcher | None) -> None:
        self._watcher = watcher

    @property
    def has_watcher(self) -> bool:
        return self._watcher is not None

    @property
    def has_store(self) -> bool:
        return self._store is not None

    @property
    def has_engine(self) -> bool:
        return self._engine is not None


AppContext = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
