"""Telegram handlers: thin adapters, one module per feature, composed here in the order that matters."""

from __future__ import annotations

from telegram.ext import Application

from handlers import archive, broadcasts, errors, publish, subscription


def register_all(app: Application) -> None:  # type: ignore[type-arg]
    errors.register(app)
    subscription.register(app)  # /start /stop /help /profile
    # Admin features before the archive: a pasted bulletin or an uploaded file from an admin is a
    # publish request, not a question.
    publish.register(app)
    broadcasts.register(app)
    # Last: the archive owns free text, which would otherwise swallow everything above.
    archive.register(app)
