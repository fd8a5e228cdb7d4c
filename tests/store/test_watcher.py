"""The poller on a real SQLite store, with a scripted HTTP client and a sink that records offers: the
schedule (phases, back-off), what a 304 costs, pages that fail, offers that could not be shown, and
a source set to send without asking."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.domain.parser import parse_bulletin
from bot.services import publishing
from bot.watch import watcher as watcher_module
from bot.watch.feeds import Listing, read_listing
from bot.watch.http import FetchError, Response
from bot.watch.watcher import Watcher, backoff, content_hash, next_due, phase, same_key
from data import bulletins, outbox, subscribers, watch
from data.store import Store
from data.watch import Offer

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "watch" / "articles"
FEED = "http://portal.test/feed"


def rss(*slugs: str) -> bytes:
    items = "".join(
        f"<item><title>{slug}</title><link>http://portal.test/tin-tuc/{slug}.html</link></item>" for slug in slugs
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
        f"<link>http://portal.test/</link><description>d</description>{items}</channel></rss>"
    ).encode()


@dataclass
class ScriptedClient:
    """Answers from ``pages`` (URL → body or a FetchError); the feed answers 304 to its own ETag."""

    pages: dict[str, bytes | FetchError] = field(default_factory=dict)
    asked: Counter[str] = field(default_factory=Counter)

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None, accept: str = ""
    ) -> Response:
        self.asked[url] += 1
        found = self.pages.get(url)
        if found is None:
            raise FetchError("http", "HTTP 404", status=404)
        if isinstance(found, FetchError):
            raise found
        tag = f'"{hash(found)}"'
        if etag == tag:
            return Response(304, url, b"", None, tag, last_modified)
        kind = "application/rss+xml" if url == FEED else "text/html; charset=utf-8"
        return Response(200, url, found, kind, tag, None)

    async def close(self) -> None:
        return None


@dataclass
class RecordingSink:
    offers: list[Offer] = field(default_factory=list)
    auto: list[publishing.Queued] = field(default_factory=list)
    failing: int = 0  # offers to refuse before accepting

    async def offer(self, offer: Offer, link: str, source_url: str) -> None:
        if self.failing:
            self.failing -= 1
            raise RuntimeError("Telegram is down")
        self.offers.append(offer)

    async def auto_sent(self, offer: Offer, link: str, source_url: str, queued: publishing.Queued) -> None:
        self.auto.append(queued)


def page(name: str) -> bytes:
    return (ARTICLES / f"{name}.html").read_bytes()


@pytest.fixture
def parts() -> Iterator[tuple[ScriptedClient, RecordingSink]]:
    yield ScriptedClient(), RecordingSink()


async def _watcher(store: Store, client: ScriptedClient, sink: RecordingSink) -> tuple[Watcher, int]:
    source_id, _ = await watch.add_source(store, FEED, None)
    return Watcher(store, client, sink, interval=60.0), source_id  # type: ignore[arg-type]


def test_two_hundred_sources_are_spread_over_the_interval() -> None:
    urls = [f"https://portal{i % 20}.example.vn/rss/{i}" for i in range(200)]
    starts = Counter(int(phase(url, 60.0)) for url in urls)
    assert len(starts) > 50 and max(starts.values()) <= 10  # at once, all 200 would share one second
    now = 1_000_000.0
    for url in urls[:20]:
        due = next_due(url, 60.0, now)
        assert now < due <= now + 60.0 and abs((due - phase(url, 60.0)) % 60.0) < 1e-6


def test_the_same_bulletin_is_its_month_organizer_and_tasks_whatever_its_title() -> None:
    bulletin = parse_bulletin((ARTICLES.parents[1] / "case01.txt").read_bytes())
    retitled = dataclasses.replace(bulletin, title="Thông báo nhanh", intro="", published=None)
    respaced = dataclasses.replace(
        bulletin, tasks=tuple(dataclasses.replace(t, text="  " + t.text.upper()) for t in bulletin.tasks)
    )
    assert same_key(retitled) == same_key(bulletin) == same_key(respaced)
    assert content_hash(retitled) == content_hash(bulletin)
    elsewhere = dataclasses.replace(bulletin, organizer="Ban Tuyên giáo Tỉnh ủy Nghệ An")
    later = dataclasses.replace(bulletin, month="2021-12")
    assert len({same_key(bulletin), same_key(elsewhere), same_key(later)}) == 3


def test_back_off_doubles_up_to_a_ceiling_and_respects_retry_after() -> None:
    assert [backoff(60.0, n) for n in (1, 2, 3)] == [120.0, 240.0, 480.0]
    assert backoff(60.0, 40) == watcher_module.MAX_BACKOFF
    assert backoff(1.0, 1, retry_after=90.0) == 90.0
    assert backoff(7200.0, 1) == 14400.0
    assert backoff(7200.0, 30) == watcher_module.MAX_BACKOFF  # at most 6 h…
    assert backoff(36000.0, 30) == 36000.0  # …unless the interval itself is longer


async def test_a_304_costs_no_parsing_and_nothing_new(
    store: Store, parts: tuple[ScriptedClient, RecordingSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, sink = parts
    client.pages[FEED] = rss("case01")
    client.pages["http://portal.test/tin-tuc/case01.html"] = page("case01")
    w, source_id = await _watcher(store, client, sink)
    first = await w.check(source_id)
    assert first is not None and first.backfill and first.archived == 1
    calls: list[bytes] = []

    def counting(body: bytes, url: str, content_type: str | None) -> Listing:
        calls.append(body)
        return read_listing(body, url, content_type)

    monkeypatch.setattr(watcher_module, "read_listing", counting)
    again = await w.check(source_id)
    assert again is not None and again.status == "304" and calls == []
    assert client.asked["http://portal.test/tin-tuc/case01.html"] == 1  # the page is not read again
    assert sink.offers == []


async def test_a_page_that_cannot_be_read_is_tried_again_then_given_up(
    store: Store, parts: tuple[ScriptedClient, RecordingSink]
) -> None:
    client, sink = parts
    client.pages[FEED] = rss()
    w, source_id = await _watcher(store, client, sink)
    await w.check(source_id)  # backfill of an empty feed
    link = "http://portal.test/tin-tuc/case02.html"
    client.pages[FEED] = rss("case02")
    client.pages[link] = FetchError("timeout", "no answer within 30 s")
    for attempt in range(1, watcher_module.MAX_ATTEMPTS + 1):
        report = await w.check(source_id)
        assert report is not None and report.unread == 1, attempt  # the feed answers 304 from the second
    assert await watch.new_items(store, source_id) == []  # failed: no longer tried
    client.pages[link] = page("case02")
    report = await w.check(source_id)
    assert report is not None and report.unread == 0 and sink.offers == []


async def test_an_offer_that_could_not_be_shown_is_shown_at_the_next_poll_once(
    store: Store, parts: tuple[ScriptedClient, RecordingSink]
) -> None:
    client, sink = parts
    client.pages[FEED] = rss()
    w, source_id = await _watcher(store, client, sink)
    await w.check(source_id)
    client.pages[FEED] = rss("case03")
    client.pages["http://portal.test/tin-tuc/case03.html"] = page("case03")
    sink.failing = 1
    report = await w.check(source_id)
    assert report is not None and report.offered == 1 and sink.offers == []
    assert len(await watch.open_offers(store)) == 1  # kept, to be shown again
    await w.check(source_id)
    await w.check(source_id)
    assert len(sink.offers) == 1 and await watch.open_offers(store) == []
    assert await bulletins.count(store) == 1


async def test_a_source_set_to_send_without_asking_queues_the_broadcast(
    store: Store, parts: tuple[ScriptedClient, RecordingSink]
) -> None:
    client, sink = parts
    await subscribers.subscribe(store, 7001, user_id=7001, chat_type="private", display_name="A")
    client.pages[FEED] = rss("news-bong-da-v-league")
    client.pages["http://portal.test/tin-tuc/news-bong-da-v-league.html"] = page("news-bong-da-v-league")
    w, source_id = await _watcher(store, client, sink)
    await w.check(source_id)
    assert await watch.set_auto_send(store, source_id, True)
    client.pages[FEED] = rss("case04", "news-bong-da-v-league")
    client.pages["http://portal.test/tin-tuc/case04.html"] = page("case04")
    report = await w.check(source_id)
    assert report is not None and report.offered == 1
    assert sink.offers == [] and len(sink.auto) == 1
    (broadcast,) = await outbox.recent_broadcasts(store)
    assert broadcast.recipients == 1
    (offer,) = [o for o in [await watch.get_offer(store, 1)] if o is not None]
    assert offer.status == "auto_sent" and offer.broadcast_id == broadcast.id


async def test_a_failure_is_kept_on_the_source_with_its_back_off(
    store: Store, parts: tuple[ScriptedClient, RecordingSink]
) -> None:
    client, sink = parts
    client.pages[FEED] = FetchError("http", "HTTP 503", status=503, retry_after=600.0)
    w, source_id = await _watcher(store, client, sink)
    report = await w.check(source_id)
    assert report is not None and not report.ok and report.status == "http"
    source = await watch.get_source(store, source_id)
    assert source is not None and source.failures == 1 and source.last_error == "HTTP 503"
    due, checked = watcher_module.parse_iso(source.next_check_at), watcher_module.parse_iso(source.last_check_at)
    assert due is not None and checked is not None and due - checked >= 599.0  # Retry-After: 600
    client.pages[FEED] = rss()
    await w.check(source_id)
    healed = await watch.get_source(store, source_id)
    assert healed is not None and healed.failures == 0 and healed.last_error is None and healed.first_ok_at


async def test_the_settings_list_adds_and_drops_only_its_own_sources(store: Store) -> None:
    await watch.sync_settings(store, ("https://a.vn/rss", "https://b.vn/rss"))
    await watch.add_source(store, "https://c.vn/tin", None)  # the CLI or a test: nobody
    await watch.add_source(store, "https://b.vn/rss", 9001)  # an admin added one listed too
    await watch.sync_settings(store, ("https://a.vn/rss",))
    assert sorted(s.url for s in await watch.active_sources(store)) == [
        "https://a.vn/rss",
        "https://b.vn/rss",
        "https://c.vn/tin",
    ]
    await watch.sync_settings(store, ())
    assert sorted(s.url for s in await watch.active_sources(store)) == ["https://b.vn/rss", "https://c.vn/tin"]
