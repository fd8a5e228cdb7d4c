"""PoliteClient against real HTTP servers on 127.0.0.1: headers, conditional GETs, robots.txt, one request
at a time per host, and every failure typed (timeouts, sizes, redirects, errors, unreachable hosts)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver
from multidict import CIMultiDictProxy

from bot.watch.http import (
    DEFAULT_TIMEOUT,
    FEED_OR_PAGE_ACCEPT,
    ROBOTS_RETRY,
    FetchError,
    PoliteClient,
    Response,
)

UA = "BulletinBot/0.3 (+https://t.me/bulletin_admin)"
LAST_MODIFIED = "Wed, 01 Oct 2025 07:00:00 GMT"
MB = 1024 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Seen:
    path: str  # path and query, as requested
    headers: CIMultiDictProxy[str]
    peer_port: int  # the client's end of the connection
    at: float  # time.monotonic() on arrival


@dataclass
class Portal:
    base: str = ""
    seen: list[Seen] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]

    def hits(self, path: str) -> int:
        return self.paths().count(path)

    def request(self, path: str) -> Seen:
        return next(s for s in self.seen if s.path == path)


@dataclass
class Portals:
    """Starts aiohttp servers on 127.0.0.1 (ports chosen by the OS); all are stopped at teardown."""

    closing: asyncio.Event = field(default_factory=asyncio.Event)  # set at teardown: held handlers end
    runners: list[web.AppRunner] = field(default_factory=list)

    async def start(self, routes: dict[str, Handler]) -> Portal:
        portal = Portal()

        @web.middleware
        async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
            peer = request.transport.get_extra_info("peername") if request.transport else None
            portal.seen.append(Seen(request.path_qs, request.headers, peer[1] if peer else 0, time.monotonic()))
            return await handler(request)

        app = web.Application(middlewares=[record])
        for path, handler in routes.items():
            app.router.add_get(path, handler)
        runner = web.AppRunner(app, handler_cancellation=True)  # a client that gave up ends its handler
        await runner.setup()
        self.runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        portal.base = f"http://127.0.0.1:{port}"
        return portal


@pytest.fixture
async def portals() -> AsyncIterator[Portals]:
    state = Portals()
    try:
        yield state
    finally:
        state.closing.set()
        for runner in state.runners:
            await runner.cleanup()


@pytest.fixture
async def client() -> AsyncIterator[PoliteClient]:
    async with PoliteClient(user_agent=UA, timeout=5.0) as polite:
        yield polite


def reply(body: bytes = b"ok", *, status: int = 200, headers: dict[str, str] | None = None) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, status=status, headers=headers)

    return handler


def robots(text: str, *, status: int = 200) -> Handler:
    return reply(text.encode(), status=status, headers={"Content-Type": "text/plain"})


def redirect(location: str, status: int = 302) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location})

    return handler


async def failure(client: PoliteClient, url: str, **kwargs: Any) -> FetchError:
    async with asyncio.timeout(20):  # only if the client never gave up on its own
        with pytest.raises(FetchError) as caught:
            await client.get(url, **kwargs)
    return caught.value


# --- a page, its headers, conditional GETs -------------------------------------------------------


async def test_a_feed_is_fetched_with_the_bots_headers(portals: Portals, client: PoliteClient) -> None:
    headers = {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": '"v1"', "Last-Modified": LAST_MODIFIED}
    portal = await portals.start({"/rss/tin-tuc.rss": reply(b"<rss/>", headers=headers)})
    response = await client.get(portal.url("/rss/tin-tuc.rss"))
    assert response == Response(
        200, portal.url("/rss/tin-tuc.rss"), b"<rss/>", "application/rss+xml; charset=utf-8", '"v1"', LAST_MODIFIED
    )
    assert portal.paths() == ["/robots.txt", "/rss/tin-tuc.rss"]  # robots.txt first (a 404: no rules)
    sent = portal.request("/rss/tin-tuc.rss").headers
    assert sent["User-Agent"] == UA and sent["Accept"] == FEED_OR_PAGE_ACCEPT
    assert sent["Accept-Language"] == "vi,en" and sent["Accept-Encoding"] == "gzip, deflate"
    assert "If-None-Match" not in sent and "If-Modified-Since" not in sent and "Cookie" not in sent


async def test_the_caller_chooses_accept_and_a_page_without_validators(portals: Portals, client: PoliteClient) -> None:
    portal = await portals.start({"/bai-viet/1.html": reply(b"<html></html>", headers={"Content-Type": "text/html"})})
    response = await client.get(portal.url("/bai-viet/1.html"), accept="text/html")
    assert (response.status, response.etag, response.last_modified) == (200, None, None)
    assert portal.request("/bai-viet/1.html").headers["Accept"] == "text/html"


async def test_gzip_and_deflate_bodies_are_decoded(portals: Portals, client: PoliteClient) -> None:
    text = "Hội nghị báo cáo viên tháng 10: nhiệm vụ tuyên truyền. ".encode() * 2000
    portal = await portals.start({
        "/gz": reply(gzip.compress(text), headers={"Content-Encoding": "gzip"}),
        "/deflate": reply(zlib.compress(text), headers={"Content-Encoding": "deflate"}),
    })  # fmt: skip
    assert (await client.get(portal.url("/gz"))).body == text
    assert (await client.get(portal.url("/deflate"))).body == text
    assert client.stats.bytes_read == 2 * len(text)  # decoded bytes; the robots.txt 404 was not read


async def test_conditional_get_answers_304_without_a_body(portals: Portals, client: PoliteClient) -> None:
    async def feed(request: web.Request) -> web.StreamResponse:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"ETag": '"v1"'})  # no Last-Modified sent back
        return web.Response(body=b"<rss>1</rss>", headers={"ETag": '"v1"', "Last-Modified": LAST_MODIFIED})

    portal = await portals.start({"/feed": feed})
    first = await client.get(portal.url("/feed"))
    again = await client.get(portal.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert again == Response(304, portal.url("/feed"), b"", None, '"v1"', LAST_MODIFIED)
    asked = portal.seen[-1].headers
    assert asked["If-None-Match"] == '"v1"' and asked["If-Modified-Since"] == LAST_MODIFIED
    assert client.stats.not_modified == 1 and client.stats.bytes_read == len(b"<rss>1</rss>")


async def test_a_304_keeps_the_validator_sent_back(portals: Portals, client: PoliteClient) -> None:
    portal = await portals.start({"/feed": reply(b"", status=304, headers={"ETag": '"v2"'})})
    response = await client.get(portal.url("/feed"), etag='"v1"')
    assert (response.status, response.etag, response.last_modified, response.body) == (304, '"v2"', None, b"")


async def test_a_broken_stored_validator_is_not_sent(portals: Portals, client: PoliteClient) -> None:
    portal = await portals.start({"/feed": reply(b"<rss/>")})
    response = await client.get(portal.url("/feed"), etag='"v1"\r\nX-Injected: 1', last_modified="\n")
    assert response.status == 200
    sent = portal.request("/feed").headers
    assert "If-None-Match" not in sent and "X-Injected" not in sent and "If-Modified-Since" not in sent


async def test_one_connection_is_reused(portals: Portals, client: PoliteClient) -> None:
    async def feed(request: web.Request) -> web.StreamResponse:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"ETag": '"v1"'})
        return web.Response(body=b"<rss/>", headers={"ETag": '"v1"'})

    portal = await portals.start({"/robots.txt": robots("User-agent: *\nAllow: /\n"), "/feed": feed})
    for _ in range(3):
        await client.get(portal.url("/feed"))
        await client.get(portal.url("/feed"), etag='"v1"')
    assert len(portal.seen) == 7 and len({s.peer_port for s in portal.seen}) == 1
    assert (client.stats.requests, client.stats.not_modified, client.stats.robots_fetches) == (7, 3, 1)


# --- redirects and HTTP errors -------------------------------------------------------------------


async def test_a_redirect_is_followed_and_the_final_url_kept(portals: Portals, client: PoliteClient) -> None:
    other = await portals.start({"/rss": reply(b"<rss/>")})
    portal = await portals.start(
        {"/moved": redirect("/page", 301), "/page": reply(), "/away": redirect(other.url("/rss"))}
    )
    assert (await client.get(portal.url("/moved"))).url == portal.url("/page")
    assert (await client.get(portal.url("/away"))).url == other.url("/rss")


async def test_a_redirect_loop_stops_at_the_limit(portals: Portals) -> None:
    portal = await portals.start({"/loop": redirect("/loop")})
    async with PoliteClient(user_agent=UA, max_redirects=3) as client:
        error = await failure(client, portal.url("/loop"))
    assert (error.reason, error.detail) == ("redirects", "more than 3 redirects")
    assert portal.hits("/loop") == 4  # the first request and three redirects followed


async def test_exactly_the_limit_of_redirects_is_followed(portals: Portals) -> None:
    chain = {f"/{n}": redirect(f"/{n + 1}") for n in range(3)}
    portal = await portals.start({**chain, "/3": reply(b"end")})
    async with PoliteClient(user_agent=UA, max_redirects=3) as client:
        assert (await client.get(portal.url("/0"))).url == portal.url("/3")
    async with PoliteClient(user_agent=UA, max_redirects=2) as client:
        assert (await failure(client, portal.url("/0"))).detail == "more than 2 redirects"
    async with PoliteClient(user_agent=UA, max_redirects=0) as client:
        assert (await failure(client, portal.url("/0"))).detail == "more than 0 redirects"
        assert (await client.get(portal.url("/3"))).body == b"end"


async def test_a_redirect_to_another_scheme_is_a_bad_url(portals: Portals, client: PoliteClient) -> None:
    portal = await portals.start({"/to-ftp": redirect("ftp://example.org/ban-tin.txt")})
    assert (await failure(client, portal.url("/to-ftp"))).reason == "bad_url"


@pytest.mark.parametrize("code", [300, 400, 403, 404, 410, 500, 502])
async def test_http_errors(portals: Portals, client: PoliteClient, code: int) -> None:
    portal = await portals.start({"/feed": reply(b"no", status=code, headers={"Retry-After": "60"})})
    error = await failure(client, portal.url("/feed"))
    assert (error.reason, error.status, error.detail, error.retry_after) == ("http", code, f"HTTP {code}", None)
    assert client.stats.errors == 1


@pytest.mark.parametrize(
    ("code", "retry_after", "expected"),
    [
        (429, "120", 120.0),
        (503, "0", 0.0),
        (503, "Wed, 01 Oct 2025 07:01:30 GMT", 90.0),  # counted from the answer's own Date
        (429, "Wed, 01 Oct 2025 06:59:00 GMT", 0.0),  # a date already past
        (503, "soon", None),
        (503, "1.5", None),  # delay-seconds is whole digits (RFC 9110 §10.2.3)
    ],
)
async def test_retry_after(
    portals: Portals, client: PoliteClient, code: int, retry_after: str, expected: float | None
) -> None:
    headers = {"Retry-After": retry_after, "Date": "Wed, 01 Oct 2025 07:00:00 GMT"}
    portal = await portals.start({"/feed": reply(b"busy", status=code, headers=headers)})
    error = await failure(client, portal.url("/feed"))
    assert (error.reason, error.status, error.retry_after) == ("http", code, expected)


# --- deadlines and sizes -------------------------------------------------------------------------


async def test_timeout_before_the_answer_and_while_the_body_trickles(portals: Portals) -> None:
    async def stall(request: web.Request) -> web.StreamResponse:
        await portals.closing.wait()  # no answer for as long as the test runs
        return web.Response(text="late")

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        while not portals.closing.is_set():  # headers at once, then 10 bytes every 0.1 s for ever
            await response.write(b"<p>tin</p>")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(portals.closing.wait(), 0.1)
        return response

    portal = await portals.start({"/stall": stall, "/trickle": trickle})
    async with PoliteClient(user_agent=UA, timeout=0.5) as client:
        for path in ("/stall", "/trickle"):
            error = await failure(client, portal.url(path))
            assert (error.reason, error.detail) == ("timeout", "no answer within 0.5 s"), path


async def test_a_server_that_accepts_and_never_answers(portals: Portals) -> None:
    received = bytearray()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.extend(await reader.readuntil(b"\r\n\r\n"))
        await portals.closing.wait()
        writer.close()

    async with raw_server(silent) as port, PoliteClient(user_agent=UA, timeout=0.5) as client:
        error = await failure(client, f"http://127.0.0.1:{port}/feed")
        assert (error.reason, error.detail) == ("timeout", "robots.txt: no answer within 0.5 s")
        portals.closing.set()
    assert received.startswith(b"GET /robots.txt ") and b"/feed" not in received


async def test_a_declared_length_over_the_cap_is_refused_unread(portals: Portals) -> None:
    portal = await portals.start({"/big": reply(b"x" * 5000)})
    async with PoliteClient(user_agent=UA, max_bytes=1000) as client:
        error = await failure(client, portal.url("/big"))
        assert error.reason == "too_large" and error.detail.startswith("more than 1000 bytes")
        assert client.stats.bytes_read == 0


async def test_a_streamed_page_past_the_cap_stops_being_read(portals: Portals) -> None:
    streamed = [0]
    over = asyncio.Event()

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})  # chunked: no length declared
        await response.prepare(request)
        chunk = b"<p>Hoi nghi bao cao vien</p>" * 2260  # ~64 KB
        try:
            while streamed[0] < 20 * MB:
                await response.write(chunk)
                streamed[0] += len(chunk)
        except ConnectionError:
            pass
        finally:
            over.set()
        return response

    portal = await portals.start({"/huge": huge})
    async with PoliteClient(user_agent=UA, max_bytes=1 * MB) as client:
        error = await failure(client, portal.url("/huge"))
        assert (error.reason, error.detail) == ("too_large", "more than 1 MB")
        assert 1 * MB < client.stats.bytes_read <= 1 * MB + 64 * 1024
    async with asyncio.timeout(10):
        await over.wait()  # the server noticed the connection was gone…
    assert streamed[0] < 20 * MB  # …before it had sent the whole 20 MB


async def test_the_cap_applies_to_decoded_bytes(portals: Portals) -> None:
    bomb = gzip.compress(b"\0" * (20 * MB))  # ~20 KB on the wire
    portal = await portals.start({"/bomb": reply(bomb, headers={"Content-Encoding": "gzip"})})
    async with PoliteClient(user_agent=UA, max_bytes=1 * MB) as client:
        error = await failure(client, portal.url("/bomb"))
        assert error.reason == "too_large" and client.stats.bytes_read <= 1 * MB + 64 * 1024


# --- one request at a time per host --------------------------------------------------------------


async def test_a_held_request_to_one_host_does_not_delay_another_host(portals: Portals, client: PoliteClient) -> None:
    arrived, release = asyncio.Event(), asyncio.Event()

    async def hold(request: web.Request) -> web.StreamResponse:
        arrived.set()
        await release.wait()
        return web.Response(text="a")

    host_a = await portals.start({"/hold": hold})
    host_b = await portals.start({"/page": reply(b"b")})
    held = asyncio.create_task(client.get(host_a.url("/hold")))
    try:
        async with asyncio.timeout(10):
            await arrived.wait()
            assert (await client.get(host_b.url("/page"))).body == b"b"  # while A's request is held
        assert not held.done()
    finally:
        release.set()
    assert (await held).body == b"a"


async def test_requests_to_one_host_go_one_at_a_time(portals: Portals, client: PoliteClient) -> None:
    events: list[str] = []
    first_started, second_arrived = asyncio.Event(), asyncio.Event()

    async def first(request: web.Request) -> web.StreamResponse:
        events.append("first starts")
        first_started.set()
        with contextlib.suppress(TimeoutError):  # held 1 s, unless the second request comes in meanwhile
            await asyncio.wait_for(second_arrived.wait(), 1.0)
        events.append("first ends")
        return web.Response(text="1")

    async def second(request: web.Request) -> web.StreamResponse:
        second_arrived.set()
        events.append("second")
        return web.Response(text="2")

    portal = await portals.start({"/1": first, "/2": second})
    one = asyncio.create_task(client.get(portal.url("/1")))
    async with asyncio.timeout(10):
        await first_started.wait()
    await client.get(portal.url("/2"))
    await one
    assert events == ["first starts", "first ends", "second"]


async def test_concurrent_first_requests_fetch_robots_once(portals: Portals, client: PoliteClient) -> None:
    portal = await portals.start(
        {"/robots.txt": robots("User-agent: *\nDisallow: /rieng/\n"), "/a": reply(), "/b": reply()}
    )
    await asyncio.gather(*(client.get(portal.url(p)) for p in ("/a", "/b", "/a", "/b")))
    assert portal.hits("/robots.txt") == 1 and client.stats.robots_fetches == 1


# --- robots.txt ----------------------------------------------------------------------------------

ROBOTS_CASES = [
    ("User-agent: BulletinBot\nDisallow: /tin-tuc/\n", "/tin-tuc/hoi-nghi", False),
    ("User-agent: BulletinBot\nDisallow: /tin-tuc/\n", "/van-ban/1", True),
    ("User-agent: OtherBot\nDisallow: /\n\nUser-agent: *\nDisallow: /rieng/\n", "/tin-tuc/a", True),
    ("User-agent: OtherBot\nDisallow: /\n\nUser-agent: *\nDisallow: /rieng/\n", "/rieng/a", False),
    # our group, named in any case, replaces the "*" group
    ("User-agent: *\nDisallow: /\n\nUser-agent: bulletinbot\nAllow: /\n", "/tin-tuc/a", True),
    # a group of several agents, and a version after the token
    ("User-agent: OtherBot\nUser-agent: BulletinBot/2.0\nDisallow: /a\n", "/a/b", False),
    # the token is matched whole: "Bot" is not BulletinBot
    ("User-agent: Bot\nDisallow: /\n", "/a", True),
    # the longest match wins, Allow on a tie (RFC 9309 §2.2.2)
    ("User-agent: *\nDisallow: /\nAllow: /tin-tuc/\n", "/tin-tuc/a", True),
    ("User-agent: *\nDisallow: /\nAllow: /tin-tuc/\n", "/khac", False),
    ("User-agent: *\nDisallow: /tin\nAllow: /tin\n", "/tin/a", True),
    # wildcards (§2.2.3)
    ("User-agent: *\nDisallow: /*.pdf$\n", "/files/ban-tin.pdf", False),
    ("User-agent: *\nDisallow: /*.pdf$\n", "/files/ban-tin.pdf?tai=1", True),
    ("User-agent: *\nDisallow: /*?\n", "/tin-tuc?trang=2", False),
    ("User-agent: *\nDisallow: /*?\n", "/tin-tuc", True),
    ("User-agent: *\nDisallow: /search?\n", "/search-results", True),
    # a blank line ends no group
    ("User-agent: *\n\nDisallow: /rieng/\n", "/rieng/a", False),
    # comments, odd case, a byte-order mark
    ("\ufeffuser-AGENT: * # all\nDISALLOW: /rieng/ # private\n", "/rieng/a", False),
    # paths compared percent-encoded alike: UTF-8 in robots.txt, an escaped unreserved character
    ("User-agent: *\nDisallow: /tin-tức/\n", "/tin-t%E1%BB%A9c/a", False),
    ("User-agent: *\nDisallow: /%7Ebcv/\n", "/~bcv/a", False),
    # rules before any user-agent line belong to no group; an empty Disallow is no rule
    ("Disallow: /\nUser-agent: *\nDisallow:\n", "/a", True),
]


@pytest.mark.parametrize(("text", "path", "allowed"), ROBOTS_CASES)
async def test_robots_rules(portals: Portals, client: PoliteClient, text: str, path: str, allowed: bool) -> None:
    page = path.partition("?")[0]
    portal = await portals.start({"/robots.txt": robots(text), page: reply(b"page")})
    if allowed:
        assert (await client.get(portal.url(path))).body == b"page"
    else:
        error = await failure(client, portal.url(path))
        assert error.reason == "robots" and error.detail.startswith("robots.txt disallows /")
        assert portal.paths() == ["/robots.txt"]  # the page was not asked for


async def test_robots_names_the_path_refused(portals: Portals, client: PoliteClient) -> None:
    portal = await portals.start({"/robots.txt": robots("User-agent: *\nDisallow: /tin-tuc/\n")})
    error = await failure(client, portal.url("/tin-tuc/"))
    assert (error.reason, error.detail, error.status) == ("robots", "robots.txt disallows /tin-tuc/", None)


async def test_robots_is_kept_for_its_ttl(portals: Portals) -> None:
    now = [0.0]
    portal = await portals.start({"/robots.txt": robots("User-agent: *\nDisallow: /rieng/\n"), "/feed": reply()})
    async with PoliteClient(user_agent=UA, robots_ttl=100, clock=lambda: now[0]) as client:
        for _ in range(3):
            await client.get(portal.url("/feed"))
        now[0] = 99.0
        await client.get(portal.url("/feed"))
        assert portal.hits("/robots.txt") == 1
        now[0] = 100.5
        await client.get(portal.url("/feed"))
        assert portal.hits("/robots.txt") == 2 and client.stats.robots_fetches == 2


@pytest.mark.parametrize("code", [401, 403, 404, 410])
async def test_robots_4xx_allows_everything(portals: Portals, client: PoliteClient, code: int) -> None:
    portal = await portals.start({"/robots.txt": robots("User-agent: *\nDisallow: /\n", status=code), "/a": reply()})
    assert (await client.get(portal.url("/a"))).status == 200


@pytest.mark.parametrize("code", [500, 503, 429])
async def test_robots_server_error_disallows_everything_until_the_next_try(portals: Portals, code: int) -> None:
    now = [0.0]
    status = [code]

    async def robots_txt(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status[0], text="User-agent: *\nAllow: /\n", headers={"Retry-After": "5"})

    portal = await portals.start({"/robots.txt": robots_txt, "/feed": reply(b"<rss/>")})
    async with PoliteClient(user_agent=UA, clock=lambda: now[0]) as client:
        error = await failure(client, portal.url("/feed"))
        expected_retry = 5.0 if code in (429, 503) else None
        assert (error.reason, error.status, error.retry_after) == ("robots", code, expected_retry)
        assert error.detail == f"robots.txt answered HTTP {code}"
        now[0] = ROBOTS_RETRY - 1  # not tried again yet: the same answer without a request
        assert (await failure(client, portal.url("/feed"))).reason == "robots"
        assert portal.paths() == ["/robots.txt"]
        status[0] = 200
        now[0] = ROBOTS_RETRY + 1
        assert (await client.get(portal.url("/feed"))).body == b"<rss/>"
        assert portal.paths() == ["/robots.txt", "/robots.txt", "/feed"]
        assert client.stats.errors == 2


async def test_robots_that_cannot_be_reached_is_the_hosts_failure() -> None:
    port = free_port()
    now = [0.0]
    async with PoliteClient(user_agent=UA, timeout=5, clock=lambda: now[0]) as client:
        error = await failure(client, f"http://127.0.0.1:{port}/feed")
        assert error.reason == "unreachable" and error.detail.startswith("robots.txt: cannot reach 127.0.0.1")
        assert (await failure(client, f"http://127.0.0.1:{port}/other")).reason == "unreachable"
        assert client.stats.robots_fetches == 1  # the failure is kept until the next try


async def test_robots_past_500_kib_is_read_up_to_the_cap(portals: Portals, client: PoliteClient) -> None:
    padding = "# " + "x" * 98 + "\n"
    text = "User-agent: *\nDisallow: /a\n" + padding * 6000 + "Disallow: /b\n"  # ~600 KB
    portal = await portals.start({"/robots.txt": robots(text), "/a": reply(), "/b": reply()})
    assert (await failure(client, portal.url("/a"))).reason == "robots"
    assert (await client.get(portal.url("/b"))).status == 200  # the rule past 500 KiB was not read
    assert client.stats.bytes_read <= 500 * 1024 + 64 * 1024 + 2


async def test_robots_redirected_too_often_means_no_rules(portals: Portals, client: PoliteClient) -> None:
    portal = await portals.start({"/robots.txt": redirect("/robots.txt"), "/feed": reply()})
    assert (await client.get(portal.url("/feed"))).status == 200
    assert portal.hits("/robots.txt") == 6  # RFC 9309 §2.3.1.2: five redirects followed, then "unavailable"


async def test_crawl_delay_spaces_requests_to_the_host(portals: Portals, client: PoliteClient) -> None:
    portal = await portals.start(
        {"/robots.txt": robots("User-agent: *\nCrawl-delay: 0.5\n"), "/1": reply(), "/2": reply()}
    )
    await client.get(portal.url("/1"))
    await client.get(portal.url("/2"))
    robots_at, one_at, two_at = (s.at for s in portal.seen)
    # Measured from the end of one exchange to the start of the next, so never less at the server.
    assert one_at - robots_at >= 0.499 and two_at - one_at >= 0.499


async def test_crawl_delay_is_capped_at_60_seconds(portals: Portals) -> None:
    # A clock that moves 61 s whenever it is read: with the cap, no wait is ever due; without it,
    # a 3600 s delay would hold the second request far past the test's deadline.
    ticks = iter(range(0, 10**9, 61))
    portal = await portals.start({"/robots.txt": robots("User-agent: *\nCrawl-delay: 3600\n"), "/1": reply()})
    async with PoliteClient(user_agent=UA, clock=lambda: float(next(ticks))) as client:
        async with asyncio.timeout(10):
            for _ in range(3):
                await client.get(portal.url("/1"))
    assert portal.hits("/1") == 3


# --- unreachable hosts, bad URLs, the client's life ----------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def raw_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[int]:
    """A TCP server on 127.0.0.1 speaking whatever ``handle`` writes (or nothing)."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def test_connection_refused(client: PoliteClient) -> None:
    error = await failure(client, f"http://127.0.0.1:{free_port()}/feed")
    assert error.reason == "unreachable" and error.status is None


async def test_connection_reset_and_a_broken_answer(client: PoliteClient) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.transport.abort()

    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()
        writer.close()

    for handle in (reset, garbage):
        async with raw_server(handle) as port:
            error = await failure(client, f"http://127.0.0.1:{port}/feed")
            assert error.reason == "unreachable", handle.__name__


class _Resolver(AbstractResolver):
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        raise self.error

    async def close(self) -> None:
        return None


async def test_dns_failure() -> None:
    resolver = _Resolver(OSError(socket.EAI_NONAME, "Name or service not known"))
    async with PoliteClient(user_agent=UA, resolver=resolver) as client:
        error = await failure(client, "http://tinhuy.example.invalid/rss")
    assert error.reason == "unreachable" and "tinhuy.example.invalid" in error.detail


async def test_nothing_but_fetch_error_escapes() -> None:
    async with PoliteClient(user_agent=UA, resolver=_Resolver(RuntimeError("a resolver bug"))) as client:
        error = await failure(client, "http://tinhuy.example.invalid/rss")
        assert error.reason == "unreachable" and "RuntimeError" in error.detail and client.stats.errors == 1


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/a.txt",
        "not a url",
        "http://",
        "javascript:alert(1)",
        "",
        "http://[::1",
        "http://exa mple.vn/",
        "http://tinhuy.vn:99999/",
        "http://xn--/",
        "file:///etc/passwd",
    ],
)
async def test_bad_urls(client: PoliteClient, url: str) -> None:
    error = await failure(client, url)
    assert error.reason == "bad_url" and client.stats.requests == 0


def test_made_outside_a_running_loop() -> None:
    client = PoliteClient(user_agent=UA)  # builds nothing: the session is made on the first get
    assert client.stats.requests == 0


@pytest.mark.parametrize(
    "kwargs", [{"timeout": 0}, {"timeout": DEFAULT_TIMEOUT + 1}, {"max_bytes": 0}, {"user_agent": " "}]
)
def test_bad_settings_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        PoliteClient(**{"user_agent": UA, **kwargs})


async def test_a_closed_client_refuses(portals: Portals) -> None:
    portal = await portals.start({"/feed": reply()})
    async with PoliteClient(user_agent=UA) as client:
        await client.get(portal.url("/feed"))
    error = await failure(client, portal.url("/feed"))
    assert error.reason == "unreachable" and "closed" in error.detail
    await client.close()  # twice is harmless
    await PoliteClient(user_agent=UA).close()  # and so is closing one never used
