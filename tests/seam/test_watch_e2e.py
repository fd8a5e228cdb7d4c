"""Watching portals, end to end: the real bot (WATCH_SOURCES, WATCH_INTERVAL=1) polling portals served
on 127.0.0.1, offering what it finds to the admins on the local Telegram imitation, and delivering
what an admin approves.

Each portal is an aiohttp server whose feed (RSS 2.0, Atom or an HTML listing) the test changes as it
goes, and whose article pages are bulletins from tests/data wrapped in a portal's page, or ordinary
news. The server answers conditional GETs (ETag, Last-Modified) with 304 and counts what it served.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape, unescape
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.domain.parser import parse_bulletin
from bot.domain.rendering import html_to_plain
from bot.offline.localtg import LocalTelegram
from data import bulletins, outbox, watch
from tests.conftest import ADMIN, DATA, BotHarness
from tests.delivery_helpers import until

READER_A, READER_B = 5101, 5102
SECOND_ADMIN = 9002
ARTICLES = DATA / "watch" / "articles"


def article(name: str) -> tuple[str, str]:
    """(title, page) of tests/data/watch/articles/<name>.html: a whole portal page (see its README)."""
    page = (ARTICLES / f"{name}.html").read_text(encoding="utf-8")
    found = re.search(r'<meta property="og:title" content="([^"]*)"', page)
    assert found is not None, name
    return unescape(found.group(1)), page


@dataclass
class Portal:
    """A portal on 127.0.0.1: a feed of ``items`` (slug, title) and their pages."""

    kind: str = "rss"
    items: list[tuple[str, str]] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)
    status: int = 200
    served: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0
    conditional: int = 0
    base: str = ""

    def add_bulletin(self, name: str, slug: str | None = None) -> str:
        """A page of tests/data/watch/articles (a bulletin, or news: ``news-…``) listed first."""
        slug = slug or name
        title, page = article(name)
        self.pages[slug] = page
        self.items.insert(0, (slug, title))
        return slug

    def add_news(self, slug: str, name: str = "news-bong-da-v-league") -> None:
        self.add_bulletin(name, slug)

    @property
    def url(self) -> str:
        return f"{self.base}/feed" if self.kind != "html" else f"{self.base}/tin-tuc/"

    def feed(self) -> str:
        if self.kind == "atom":
            entries = "".join(
                f"<entry><title>{escape(t)}</title><id>urn:{s}</id>"
                f"<link href='{self.base}/tin-tuc/{s}.html'/><updated>2026-11-20T08:00:00Z</updated></entry>"
                for s, t in self.items
            )
            return (
                "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                f"<title>Tin tuyên giáo</title><id>urn:feed</id><updated>2026-11-20T08:00:00Z</updated>{entries}</feed>"
            )
        if self.kind == "html":
            links = "".join(
                f"<div class='item'><h3><a href='/tin-tuc/{s}.html'>{escape(t)}</a></h3>"
                "<p>Tin tức hoạt động của cơ quan, cập nhật mới nhất trong ngày.</p></div>"
                for s, t in self.items
            )
            return (
                "<html><head><meta charset='utf-8'><title>Tin tức</title></head><body>"
                "<nav><a href='/'>Trang chủ</a> <a href='/lien-he'>Liên hệ</a></nav>"
                f"<main><h1>Tin tức</h1>{links}</main><footer>© Ban Tuyên giáo</footer></body></html>"
            )
        entries = "".join(
            f"<item><title>{escape(t)}</title><link>{self.base}/tin-tuc/{s}.html</link>"
            f"<guid>{self.base}/tin-tuc/{s}.html</guid></item>"
            for s, t in self.items
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Tin tuyên giáo</title><link>{self.base}/</link><description>Tin</description>{entries}"
            "</channel></rss>"
        )

    async def serve_feed(self, request: web.Request) -> web.StreamResponse:
        self.served["feed"] = self.served.get("feed", 0) + 1
        if self.status != 200:
            return web.Response(status=self.status, text="down")
        body = self.feed().encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since"):
            self.conditional += 1
        if request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        kind = {"rss": "application/rss+xml", "atom": "application/atom+xml"}.get(self.kind, "text/html")
        headers = {"ETag": etag, "Last-Modified": formatdate(usegmt=True)}
        return web.Response(body=body, content_type=kind, charset="utf-8", headers=headers)

    async def serve_page(self, request: web.Request) -> web.StreamResponse:
        slug = request.match_info["slug"]
        self.served[slug] = self.served.get(slug, 0) + 1
        if slug not in self.pages:
            raise web.HTTPNotFound()
        return web.Response(text=self.pages[slug], content_type="text/html", charset="utf-8")


@pytest.fixture
async def portal_factory() -> AsyncIterator[Callable[..., Any]]:
    runners: list[web.AppRunner] = []

    async def robots(_: web.Request) -> web.StreamResponse:
        return web.Response(text="User-agent: *\nDisallow: /admin/\n")

    async def start(kind: str = "rss") -> Portal:
        portal = Portal(kind=kind)
        app = web.Application()
        app.router.add_get("/feed", portal.serve_feed)
        app.router.add_get("/tin-tuc/", portal.serve_feed)
        app.router.add_get("/tin-tuc/{slug}.html", portal.serve_page)
        app.router.add_get("/robots.txt", robots)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        portal.base = f"http://127.0.0.1:{port}"
        return portal

    yield start
    for runner in runners:
        await runner.cleanup()


def _offers(tg: LocalTelegram, chat_id: int) -> list[int]:
    """Messages in ``chat_id`` whose buttons are an offer's "Gửi" and "Bỏ qua"."""
    found = []
    for message in tg.messages_for(chat_id):
        current = tg.bot_message_dict(chat_id, message.message_id)
        labels = [
            b.get("text", "") for row in (current.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
        ]
        if any("Gửi" in label for label in labels) and any("Bỏ qua" in label for label in labels):
            found.append(message.message_id)
    return found


def _now(tg: LocalTelegram, chat_id: int) -> list[str]:
    """The chat's messages as they read now, edits included."""
    return [
        html_to_plain(tg.bot_message_dict(chat_id, m.message_id).get("text") or "") for m in tg.messages_for(chat_id)
    ]


async def _subscribe(bot: BotHarness, *chats: int) -> None:
    for chat in chats:
        await bot.ask(chat, "/start")


async def _source(bot: BotHarness, url: str) -> watch.Source:
    for source in await watch.active_sources(bot.store):
        if source.url == url:
            return source
    raise AssertionError(f"{url} is not watched")


async def _settled(bot: BotHarness, url: str, *, polls: int = 1, timeout: float = 60.0) -> None:
    """The source was polled ``polls`` times more and every item it listed was judged."""
    start = bot.data.watcher.polls

    async def done() -> bool:
        source = await _source(bot, url)
        items = await watch.new_items(bot.store, source.id)
        return bot.data.watcher.polls >= start + polls and source.first_ok_at is not None and not items

    await until(done, timeout)


async def test_backfill_archives_without_offering_then_a_new_bulletin_is_offered_and_sent(
    tg: LocalTelegram, bot_factory: Callable[..., Any], portal_factory: Callable[..., Any]
) -> None:
    portal = await portal_factory("rss")
    portal.add_bulletin("case01")
    portal.add_news("thoi-tiet")
    portal.add_bulletin("case02")
    async with bot_factory(tg, watch_sources=(portal.url,), watch_interval=1.0) as bot:
        await _subscribe(bot, READER_A, READER_B)
        await _settled(bot, portal.url)
        # Backfill: both bulletins archived, nothing offered, nothing sent.
        assert await bulletins.count(bot.store) == 2
        assert _offers(tg, ADMIN) == []
        assert await outbox.recent_broadcasts(bot.store) == []
        source = await _source(bot, portal.url)
        assert (source.items_seen, source.bulletins_found, source.kind) == (3, 2, "rss")

        portal.add_bulletin("case03")
        await bot.until(lambda: _offers(tg, ADMIN), 30)
        # The preview is the upload's: a header, one message per task, then the question.
        texts = [html_to_plain(m.text or "") for m in tg.messages_for(ADMIN)]
        assert any("Bản tin mới tìm thấy" in t for t in texts)
        assert await bulletins.count(bot.store) == 3  # archived before it is sent
        bot.press(ADMIN, "Gửi", user_id=ADMIN)
        case03 = [t.text for t in parse_bulletin((DATA / "case03.txt").read_bytes()).tasks]
        for reader in (READER_A, READER_B):
            await bot.until(lambda r=reader: len(tg.messages_for(r)) >= 1 + len(case03), 60)
        got = [html_to_plain(m.text or "") for m in tg.messages_for(READER_A)][1:]
        assert len(got) == len(case03)
        for text, task in zip(got, case03, strict=True):
            assert task[:40] in text
        # Later polls find nothing new: no second offer, and the feed answers 304.
        await _settled(bot, portal.url, polls=2)
        assert _offers(tg, ADMIN) == []  # the question, answered, has no buttons left
        headers = [m for m in tg.messages_for(ADMIN) if "Bản tin mới tìm thấy" in (m.text or "")]
        assert len(headers) == 1
        assert portal.not_modified >= 1
        assert (await _source(bot, portal.url)).last_status == "304"


async def test_an_uncertain_bulletin_is_offered_marked_and_skip_keeps_it_archived_unsent(
    tg: LocalTelegram, bot_factory: Callable[..., Any], portal_factory: Callable[..., Any]
) -> None:
    portal = await portal_factory("atom")
    portal.add_news("thoi-tiet")
    async with bot_factory(tg, watch_sources=(portal.url,), watch_interval=1.0) as bot:
        await _subscribe(bot, READER_A)
        await _settled(bot, portal.url)
        portal.add_bulletin("fam-dash")  # a bulletin the parser is not sure of: "- " bullets, no numbers
        await bot.until(lambda: _offers(tg, ADMIN), 30)
        assert any("Chưa chắc đây là bản tin" in text for text in _now(tg, ADMIN))  # offered, marked uncertain
        bot.press(ADMIN, "Bỏ qua", user_id=ADMIN)
        await bot.until(lambda: any("Đã bỏ qua" in text for text in _now(tg, ADMIN)), 10)
        assert await bulletins.count(bot.store) == 1
        assert await outbox.recent_broadcasts(bot.store) == []
        await bot.settled()
        assert len(tg.messages_for(READER_A)) == 1  # the welcome only


async def test_nothing_seen_is_offered_again_after_a_restart_and_what_came_meanwhile_is(
    tg: LocalTelegram, bot_factory: Callable[..., Any], portal_factory: Callable[..., Any], tmp_path: Path
) -> None:
    portal = await portal_factory("html")
    portal.add_bulletin("case01")
    db = tmp_path / "watch.db"
    async with bot_factory(tg, database_path=db, watch_sources=(portal.url,), watch_interval=1.0) as bot:
        await _settled(bot, portal.url)
        portal.add_bulletin("case02")
        await bot.until(lambda: len(_offers(tg, ADMIN)) == 1, 30)
    # While the bot is down a bulletin appears.
    portal.add_bulletin("case03")
    portal.add_news("tin-thuong", "news-chuyen-doi-so")
    async with bot_factory(tg, database_path=db, watch_sources=(portal.url,), watch_interval=1.0) as bot:
        await bot.until(lambda: len(_offers(tg, ADMIN)) == 2, 30)
        await _settled(bot, portal.url, polls=2)
        assert len(_offers(tg, ADMIN)) == 2  # case02 not offered twice
        source = await _source(bot, portal.url)
        assert source.items_seen == 4 and source.kind == "html"


async def test_the_same_bulletin_on_two_portals_is_offered_once_to_every_admin(
    tg: LocalTelegram, bot_factory: Callable[..., Any], portal_factory: Callable[..., Any]
) -> None:
    first, second = await portal_factory("rss"), await portal_factory("atom")
    for portal in (first, second):
        portal.add_news("thoi-tiet")
    admins = frozenset({ADMIN, SECOND_ADMIN})
    async with bot_factory(tg, watch_sources=(first.url, second.url), watch_interval=1.0, admin_ids=admins) as bot:
        await _subscribe(bot, READER_A)
        await _settled(bot, first.url)
        await _settled(bot, second.url)
        first.add_bulletin("case05", slug="hoi-nghi-bcv")
        second.add_bulletin("case05", slug="thong-bao-hoi-nghi")
        await bot.until(lambda: _offers(tg, ADMIN) and _offers(tg, SECOND_ADMIN), 30)
        await _settled(bot, first.url, polls=2)
        await _settled(bot, second.url, polls=2)
        assert len(_offers(tg, ADMIN)) == 1 and len(_offers(tg, SECOND_ADMIN)) == 1
        # One admin sends; the other's copy stops asking and says who did.
        bot.press(SECOND_ADMIN, "Gửi", user_id=SECOND_ADMIN)
        await bot.until(lambda: not _offers(tg, ADMIN), 20)
        question = tg.bot_message_dict(ADMIN, tg.messages_for(ADMIN)[-1].message_id)
        assert "đã bấm Gửi" in html_to_plain(question.get("text", ""))
        assert len(await outbox.recent_broadcasts(bot.store)) == 1


async def test_a_failing_portal_is_shown_with_its_error_and_stops_nothing_else(
    tg: LocalTelegram, bot_factory: Callable[..., Any], portal_factory: Callable[..., Any]
) -> None:
    broken, working = await portal_factory("rss"), await portal_factory("rss")
    broken.status = 503
    working.add_news("thoi-tiet")
    async with bot_factory(tg, watch_sources=(broken.url, working.url), watch_interval=1.0) as bot:
        await _settled(bot, working.url)
        working.add_bulletin("case07")
        await bot.until(lambda: _offers(tg, ADMIN), 30)
        source = await _source(bot, broken.url)
        assert source.failures >= 1 and source.first_ok_at is None and "503" in (source.last_error or "")
        (listing,) = await bot.ask(ADMIN, "/sources")
        assert "503" in listing and "Lỗi" in listing
        # The bot still answers at once.
        (reply,) = await bot.ask(READER_A, "/start")
        assert "Bạn đã đăng ký nhận bản tin" in reply


async def test_sources_add_checks_at_once_and_remove_stops_watching(
    tg: LocalTelegram, bot_factory: Callable[..., Any], portal_factory: Callable[..., Any]
) -> None:
    portal = await portal_factory("rss")
    portal.add_bulletin("case01")
    portal.add_news("thoi-tiet")
    async with bot_factory(tg, watch_interval=1.0) as bot:
        added, checked = await bot.ask(ADMIN, f"/sources add {portal.url}", n=2)
        assert "Đã thêm" in added
        assert "2 mục" in checked and "1 bản tin" in checked and "RSS" in checked
        (listing,) = await bot.ask(ADMIN, "/sources")
        assert portal.url in listing and "2 mục" in listing
        (removed,) = await bot.ask(ADMIN, "/sources remove 1")
        assert "thôi theo dõi" in removed
        assert await watch.active_sources(bot.store) == []
        (bad,) = await bot.ask(ADMIN, "/sources add ftp://x")
        assert "http(s)" in bad
        (refused,) = await bot.ask(READER_A, "/sources")
        assert "quản trị viên" in refused


@pytest.fixture
async def bad_portals() -> AsyncIterator[dict[str, str]]:
    """One server whose paths fail in every way a portal can: an error, a hang, malformed XML, a
    20 MB page, a redirect loop."""
    import asyncio

    async def hang(_: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        chunk = b"<p>" + b"x" * 65536 + b"</p>"
        for _ in range(320):  # about 20 MB
            await response.write(chunk)
        await response.write_eof()
        return response

    async def loop(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"/loop?n={int(request.query.get('n', '0')) + 1}")

    async def error(_: web.Request) -> web.StreamResponse:
        return web.Response(status=500, text="boom")

    async def malformed(_: web.Request) -> web.StreamResponse:
        return web.Response(text="<rss><channel><item><title>x</tit", content_type="application/rss+xml")

    async def no_robots(_: web.Request) -> web.StreamResponse:
        return web.Response(status=404)

    app = web.Application()
    app.router.add_get("/error", error)
    app.router.add_get("/hang", hang)
    app.router.add_get("/malformed", malformed)
    app.router.add_get("/huge", huge)
    app.router.add_get("/loop", loop)
    app.router.add_get("/robots.txt", no_robots)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield {name: f"{base}/{name}" for name in ("error", "hang", "malformed", "huge", "loop")}
    await runner.cleanup()


async def test_every_kind_of_failing_source_is_recorded_and_delays_no_other(
    tg: LocalTelegram,
    bot_factory: Callable[..., Any],
    portal_factory: Callable[..., Any],
    bad_portals: dict[str, str],
) -> None:
    working = await portal_factory("rss")
    working.add_news("thoi-tiet")
    sources = (*bad_portals.values(), working.url)
    async with bot_factory(tg, watch_sources=sources, watch_interval=1.0) as bot:
        await _subscribe(bot, READER_A)
        await _settled(bot, working.url)
        working.add_bulletin("case02")
        await bot.until(lambda: _offers(tg, ADMIN), 30)
        (reply,) = await bot.ask(READER_A, "hội nghị mới nhất")
        assert reply  # answered while the hanging source is still waiting

        async def recorded() -> dict[str, str | None]:
            found = {s.url: s.last_error for s in await watch.active_sources(bot.store) if s.failures}
            return {name: found.get(url) for name, url in bad_portals.items() if name != "hang"}

        async def all_recorded() -> bool:
            return None not in (await recorded()).values()

        await until(all_recorded, 30)
        errors = await recorded()
        assert "500" in (errors["error"] or "")
        assert errors["malformed"] and errors["huge"] and errors["loop"]
        assert "redirect" in (errors["loop"] or "").lower()
        hanging = await _source(bot, bad_portals["hang"])
        assert hanging.first_ok_at is None  # still waiting for its answer, or timed out: never read
