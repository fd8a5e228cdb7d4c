"""fetch_url against a real HTTP server on 127.0.0.1: formats by content type, every failure typed."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver

from bot.domain.blocks import BlockKind
from bot.ingest import USER_AGENT, Reason, UnsupportedDocument, fetch_url
from tests.delivery_helpers import until

DOCS = Path(__file__).resolve().parents[1] / "data" / "documents"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Site:
    base: str
    user_agents: list[str] = field(default_factory=list)
    streamed: list[int] = field(default_factory=lambda: [0])
    endless_over: bool = False  # the /endless handler has returned (or was cancelled)
    closing: asyncio.Event = field(default_factory=asyncio.Event)  # set at teardown: /slow, /trickle end

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    state = Site("")

    async def page(request: web.Request) -> web.Response:
        state.user_agents.append(request.headers.get("User-Agent", ""))
        return web.Response(body=(DOCS / "portal-case01.html").read_bytes(), content_type="text/html", charset="utf-8")

    async def docx(request: web.Request) -> web.Response:
        return web.Response(body=(DOCS / "notice-fam-roman-sections.docx").read_bytes(), content_type=DOCX_TYPE)

    async def pdf(request: web.Request) -> web.Response:
        return web.Response(
            body=(DOCS / "print-seed.pdf").read_bytes(),
            content_type="application/octet-stream",
            headers={"Content-Disposition": 'attachment; filename="ban-tin.pdf"'},
        )

    async def scanned(request: web.Request) -> web.Response:
        return web.Response(body=(DOCS / "scanned.pdf").read_bytes(), content_type="application/pdf")

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="no")

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    async def hop(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/page.html")

    async def to_ftp(request: web.Request) -> web.Response:
        raise web.HTTPFound("ftp://example.org/file.txt")

    async def slow(request: web.Request) -> web.Response:
        await state.closing.wait()  # no answer for as long as the test runs
        return web.Response(text="late")

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        while not state.closing.is_set():  # a body that never ends, 10 bytes every 0.1 s
            await response.write(b"Thu nhat, ")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.closing.wait(), 0.1)
        return response

    async def declared_big(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 5000, content_type="text/plain")

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        chunk = b"Thu nhat, tuyen truyen. " * 2000
        try:
            for _ in range(4000):  # ~190 MB if nobody stops reading
                await response.write(chunk)
                state.streamed[0] += len(chunk)
        except (ConnectionResetError, ConnectionError):
            pass
        finally:
            state.endless_over = True
        return response

    async def image(request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")

    async def text_1258(request: web.Request) -> web.Response:
        return web.Response(
            body=(DOCS / "case02-windows-1258.txt").read_bytes(), headers={"Content-Type": "text/plain"}
        )

    app = web.Application()
    app.router.add_get("/page.html", page)
    app.router.add_get("/tai-lieu", docx)
    app.router.add_get("/download", pdf)
    app.router.add_get("/scan.pdf", scanned)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/loop", loop)
    app.router.add_get("/moved", hop)
    app.router.add_get("/to-ftp", to_ftp)
    app.router.add_get("/slow", slow)
    app.router.add_get("/trickle", trickle)
    app.router.add_get("/declared-big", declared_big)
    app.router.add_get("/endless", endless)
    app.router.add_get("/photo", image)
    app.router.add_get("/ban-tin.txt", text_1258)
    runner = web.AppRunner(app, handler_cancellation=True)  # a client that gave up ends its handler
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    state.base = f"http://127.0.0.1:{port}"
    try:
        yield state
    finally:
        state.closing.set()
        await runner.cleanup()


async def refused(url: str, **kwargs: Any) -> UnsupportedDocument:
    with pytest.raises(UnsupportedDocument) as caught:
        await fetch_url(url, **kwargs)
    return caught.value


async def test_html_page_is_fetched_with_the_bots_user_agent(site: Site) -> None:
    doc = await fetch_url(site.url("/page.html"))
    assert doc.source_format == "html" and doc.url == site.url("/page.html")
    assert [b.label for b in doc.blocks if b.kind is BlockKind.LIST_ITEM and b.label] == [f"{n}." for n in range(1, 7)]
    assert site.user_agents == [USER_AGENT] and USER_AGENT.startswith("BulletinBot/")


async def test_docx_and_pdf_by_content_type_and_disposition(site: Site) -> None:
    doc = await fetch_url(site.url("/tai-lieu"))
    assert doc.source_format == "docx" and any(b.label == "II." for b in doc.blocks)
    pdf = await fetch_url(site.url("/download"))
    assert pdf.source_format == "pdf" and pdf.blocks[0].text.startswith("Thời gian:")


async def test_a_legacy_encoded_text_file(site: Site) -> None:
    doc = await fetch_url(site.url("/ban-tin.txt"))
    assert doc.encoding == "windows-1258" and doc.blocks[0].text.startswith("Cổng Thông tin điện tử")


async def test_a_redirect_is_followed_and_the_final_url_kept(site: Site) -> None:
    doc = await fetch_url(site.url("/moved"))
    assert doc.url == site.url("/page.html")


@pytest.mark.parametrize("code", [404, 403, 500, 503])
async def test_http_errors(site: Site, code: int) -> None:
    error = await refused(site.url(f"/status/{code}"))
    assert error.reason is Reason.HTTP_ERROR and error.details["status"] == code


async def test_redirect_loop(site: Site) -> None:
    error = await refused(site.url("/loop"), max_redirects=3)
    assert error.reason is Reason.TOO_MANY_REDIRECTS and error.details["limit"] == 3


async def test_redirect_to_another_scheme(site: Site) -> None:
    assert (await refused(site.url("/to-ftp"))).reason is Reason.BAD_URL


async def test_timeout_before_the_answer_and_while_the_body_trickles(site: Site) -> None:
    # Neither answer ever completes, so a TIMEOUT refusal means fetch_url gave up on its own.
    for path in ("/slow", "/trickle"):
        async with asyncio.timeout(30):  # only if it never gave up
            error = await refused(site.url(path), timeout=0.5)
        assert error.reason is Reason.TIMEOUT and error.details["seconds"] == 0.5, path


async def test_declared_size_over_the_cap_is_refused_unread(site: Site) -> None:
    error = await refused(site.url("/declared-big"), max_bytes=1000)
    assert error.reason is Reason.TOO_LARGE and error.details["size"] == 5000


async def test_a_stream_past_the_cap_stops_being_read(site: Site) -> None:
    error = await refused(site.url("/endless"), max_bytes=1_000_000)
    assert error.reason is Reason.TOO_LARGE and error.details["limit"] == 1_000_000
    await until(lambda: site.endless_over)  # the server noticed the connection was gone
    assert site.streamed[0] < 40_000_000  # it was cut off long before its 190 MB


async def test_an_image_link_is_refused_from_its_type(site: Site) -> None:
    error = await refused(site.url("/photo"))
    assert error.reason is Reason.IMAGE and error.details["kind"] == "png"


async def test_a_scanned_pdf_link_says_so(site: Site) -> None:
    assert (await refused(site.url("/scan.pdf"))).reason is Reason.PDF_NO_TEXT_LAYER


async def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = await refused(f"http://127.0.0.1:{port}/x", timeout=5)
    assert error.reason is Reason.UNREACHABLE


class _NoSuchHost(AbstractResolver):
    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[Any]:
        raise OSError(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        return None


async def test_dns_failure() -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=_NoSuchHost())) as session:
        error = await refused("http://ban-tin.example.invalid/", session=session)
    assert error.reason is Reason.UNREACHABLE and "ban-tin.example.invalid" in str(error)


@pytest.mark.parametrize("url", ["ftp://example.org/a.txt", "not a url", "http://", "javascript:alert(1)", ""])
async def test_bad_urls(url: str) -> None:
    assert (await refused(url)).reason is Reason.BAD_URL
