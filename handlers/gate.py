"""The admin gate: who may publish and control broadcasts, stated once for every admin handler.

``AdminGate`` is a filter on the admin handlers' messages, and ``AdminButtons`` the same gate for
their buttons (callback queries carry no message filters). What the gate turns away falls through
to ``refusals``, registered after the admin handlers, which answer politely instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.ptb.context import AppContext, BotData
from bot.texts import delivery as texts

Callback = Callable[[Update, AppContext], Coroutine[Any, Any, Any]]


class AdminGate(filters.UpdateFilter):
    """The sender is one of the bot's admins (``ADMIN_IDS``), read from the settings at each update."""

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        super().__init__(name="AdminGate")
        self._app = app

    def admits(self, update: object) -> bool:
        """For any kind of update: a message, a button press, an upload."""
        if not isinstance(update, Update) or update.effective_user is None:
            return False
        data: BotData = self._app.bot_data
        return data.settings.is_admin(update.effective_user.id)

    def filter(self, update: Update) -> bool:
        return self.admits(update)


class AdminButtons(CallbackQueryHandler[AppContext, Any]):
    """A CallbackQueryHandler that only the admins' presses reach."""

    def __init__(
        self,
        gate: AdminGate,
        callback: Callback,
        pattern: str | re.Pattern[str],
    ) -> None:
        super().__init__(callback, pattern=pattern)
        self.gate = gate

    def check_update(self, update: object) -> bool | object | None:
        if not self.gate.admits(update):
            return None
        return super().check_update(update)


def refusals(
    action: str,
    *,
    commands: Sequence[str] = (),
    messages: filters.BaseFilter | None = None,
    buttons: re.Pattern[str] | None = None,
) -> list[BaseHandler[Update, AppContext, None]]:
    """Handlers that answer a non-admin's ``commands``, ``messages`` and ``buttons`` of ``action``
    ("publish", "broadcasts") with a polite refusal. Register them after the gated handlers."""

    async def refuse(update: Update, context: AppContext) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.ADMINS_ONLY_ALERT, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(texts.admins_only(action))

    found: list[BaseHandler[Update, AppContext, None]] = []
    if commands:
        found.append(CommandHandler(list(commands), refuse, filters=filters.UpdateType.MESSAGE))
    if messages is not None:
        found.append(MessageHandler(filters.UpdateType.MESSAGE & messages, refuse))
    if buttons is not None:
        found.append(CallbackQueryHandler(refuse, pattern=buttons))
    return found
