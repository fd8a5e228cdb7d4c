"""The one place the portal watcher is built: the polite HTTP client, the poller, and the sink that
turns an offer into every admin's preview (the same preview as an uploaded bulletin, with the tools
to fix the split, ending in "Gửi" and "Bỏ qua")."""

from __future__ import annotations

import logging

from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CallbackContext

from bot.ptb.context import AppContext, BotData
from bot.services import drafts as model
from bot.services import publishing
from bot.settings import Settings
from bot.texts import watch as texts
from bot.watch.http import PoliteClient
from bot.watch.watcher import Watcher
from data import drafts
from data.store import Store
from data.watch import Offer
from handlers import publish_preview as preview

log = logging.getLogger(__name__)

BOT_PRODUCT = "BulletinBot/0.3"


def user_agent(contact: str) -> str:
    """The bot and how to reach its operator (RFC 9110 §10.1.5: product, then a comment)."""
    about = "reporters' conference bulletin bot for Telegram"
    return f"{BOT_PRODUCT} (+{contact}; {about})" if contact.strip() else f"{BOT_PRODUCT} ({about})"


class TelegramOfferSink:
    """Shows an offer to every admin: a draft of their own, previewed as an upload would be."""

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        self._app = app

    def _context(self) -> AppContext:
        return CallbackContext(self._app)

    @property
    def _data(self) -> BotData:
        data: BotData = self._app.bot_data
        return data

    async def offer(self, offer: Offer, link: str, source_url: str) -> None:
        store, settings = self._data.store, self._data.settings
        state = model.state_from_json(offer.bulletin_json)
        notice = texts.offer_notice(source_url, link, uncertain=offer.uncertain, reasons=offer.reasons)
        mine = {d.chat_id: d for d in await drafts.of_offer(store, offer.id)}
        context = self._context()
        unsent = 0
        for admin_id in sorted(settings.admin_ids):
            draft = mine.get(admin_id)
            if draft is not None and (draft.status != "pending" or _fully_shown(draft)):
                continue
            if draft is None:
                draft_id = await drafts.create_pending(
                    store,
                    admin_id,
                    admin_id,
                    origin="url",
                    source_name=link or source_url,
                    source_text="",
                    document_json=offer.document_json,
                    bulletin_json=offer.bulletin_json,
                    offer_id=offer.id,
                )
                draft = await drafts.get(store, draft_id)
                assert draft is not None
            try:
                async with preview.chat_lock(context):
                    await preview.publish_state(context, draft, state, notice=notice)
            except (Forbidden, BadRequest) as exc:  # never opened the bot, or blocked it: nothing to retry
                log.warning("watch: admin %s cannot be shown offer %s: %s", admin_id, offer.id, exc.message)
            except TelegramError as exc:
                log.warning("watch: offer %s not shown to admin %s yet: %s", offer.id, admin_id, exc)
                unsent += 1
        if unsent:
            raise RuntimeError(f"offer {offer.id}: {unsent} admin(s) not reached")

    async def auto_sent(self, offer: Offer, link: str, source_url: str, queued: publishing.Queued) -> None:
        data = self._data
        state = model.state_from_json(offer.bulletin_json)
        recipients = queued.info.recipients if queued.info is not None else None
        text = texts.auto_sent(source_url, link, state.title, recipients)
        for admin_id in sorted(data.settings.admin_ids):
            try:
                await self._app.bot.send_message(admin_id, text)
            except TelegramError as exc:
                log.warning("watch: admin %s not told of an automatic send: %s", admin_id, exc)
        if data.has_engine:
            data.engine.wake()


def _fully_shown(draft: drafts.Draft) -> bool:
    layout = model.layout_from_json(draft.preview_json)
    return bool(layout.messages) and layout.messages[-1].kind == "confirm"


def build_watcher(app: Application, settings: Settings, store: Store) -> Watcher:  # type: ignore[type-arg]
    client = PoliteClient(user_agent=user_agent(settings.watch_contact))
    return Watcher(store, client, TelegramOfferSink(app), interval=settings.watch_interval)


async def close_watcher(watcher: Watcher) -> None:
    await watcher.stop(timeout=0.5)  # cancelled tasks end at once; a stop must fit in 2 s with the engine's
    await watcher.client.close()
