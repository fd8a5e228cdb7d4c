"""Telegram handlers: thin adapters, one module per feature, composed here in the order that matters."""

from __future__ import annotations

from telegram.ext import Application

from handlers import acks, archive, broadcasts, errors, publish, sources, subscription
from handlers.gate import AdminGate


def register_all(app: Application) -> None:  # type: ignore[type-arg]
    errors.register(app)
    subscription.register(app)  # /start /stop /help /profile
    acks.register(app)  # "Đã nhận" under bulletins: every subscriber, not only admins
    # The one admin gate (ADMIN_IDS): on /publish, uploads, /broadcasts and their buttons. Each
    # admin feature registers, after its gated handlers, the polite refusal for everyone else.
    admins = AdminGate(app)
    # Admin features before the archive: a pasted bulletin or an uploaded file from an admin is a
    # publish request, not a question.
    publish.register(app, admins)
    broadcasts.register(app, admins)
    sources.register(app, admins)
    # Last: the archive owns free text, which would otherwise swallow everything above.
    archive.register(app)
