"""Telegram handlers: thin adapters, one module per feature, composed here in the order that matters."""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    acks,
    archive,
    audience,
    broadcasts,
    corrections,
    errors,
    privacy,
    publish,
    reports,
    sources,
    subscription,
)
from handlers.gate import AdminGate


def register_all(app: Application) -> None:  # type: ignore[type-arg]
    errors.register(app)
    subscription.register(app)  # /start /stop /help /profile
    acks.register(app)  # "Đã nhận" under bulletins: every subscriber, not only admins
    privacy.register(app)  # /forget /xoadulieu: anyone, in a private chat
    # The one admin gate (ADMIN_IDS): on /publish, uploads, /broadcasts and their buttons. Each
    # admin feature registers, after its gated handlers, the polite refusal for everyone else.
    admins = AdminGate(app)
    # Admin features before the archive: a pasted bulletin or an uploaded file from an admin is a
    # publish request, not a question.
    # Roles and units: a subscriber's buttons and typed unit (group -3, before every admin's text
    # step), /units, and the preview's audience menu.
    audience.register(app, admins)
    publish.register(app, admins)
    broadcasts.register(app, admins)
    corrections.register(app, admins)  # its text step at group -2, before publish takes an admin's text
    sources.register(app, admins)
    reports.register(app, admins)  # /stats /thongke
    # Last: the archive owns free text, which would otherwise swallow everything above.
    archive.register(app)
