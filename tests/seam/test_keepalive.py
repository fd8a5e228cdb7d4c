"""The broadcast sender's keep-alive connections (``bot.ptb.keepalive``) at the HTTP seam: a raw
server on 127.0.0.1 that answers the way real servers do, and the ways they fail."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
from telegram.error import NetworkError, TimedOut

from bot.ptb.keepalive import MAX_ANSWER, KeepAlivePool, TimedOutBeforeSending

OK = b'{"ok":true,"result":{"message_id":7}}'
SECRET = "123456:SECRET-token"


def answer(body: bytes = OK, *, status: str = "200 OK", headers: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
    ).encode() + body


@dataclass
class Request:
    head: str
    body: bytes
    connection: int  # which accepted connection it came on, from 1


# What the server does with one request: write these bytes (None: nothing), then close or not.
Behaviour = Callable[[Request], Awaitable[tuple[bytes | None, bool]]]


@dataclass
class RawServer:
    port: int = 0
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    behave: list[Behaviour] = field(default_factory=list)  # one per request, in order; then plain 200s

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot{SECRET}/sendMessage"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        try:
            while True:
                try:
                    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                length = next(
                    int(line.split(":", 1)[1])
                    for line in head.split("\r\n")
                    if line.lower().startswith("content-length:")
                )
                request = Request(head, await reader.readexactly(length), number)
                self.requests.append(request)
                behaviour = self.behave.pop(0) if self.behave else None
                data, close = await behaviour(request) if behaviour else (answer(), False)
                if data is not None:
                    writer.write(data)
                    await writer.drain()
                if close:
                    return
        finally:
            writer.close()


@asynccontextmanager
async def raw_server() -> AsyncIterator[RawServer]:
    state = RawServer()
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    async with server:
        yield state
        server.close()


@asynccontextmanager
async def pool(limit: int = 4, *, timeouts: float = 1.0) -> AsyncIterator[KeepAlivePool]:
    p = KeepAlivePool(limit=limit, connect_timeout=timeouts, pool_timeout=timeouts, user_agent="test-agent")
    try:
        yield p
    finally:
        await p.close()


def reply(data: bytes | None, *, close: bool = False, delay: float = 0.0) -> Behaviour:
    async def behave(_: Request) -> tuple[bytes | None, bool]:
        if delay:
            await asyncio.sleep(delay)
        return data, close

    return behave


async def test_requests_go_on_one_kept_connection_with_the_body_and_headers_as_sent() -> None:
    async with raw_server() as server, pool() as p:
        bodies = [
            json.dumps({"chat_id": i, "text": "Thứ nhất, tuyên truyền"}, ensure_ascii=False).encode() for i in range(5)
        ]
        answers = [await p.post(server.url, body, read_timeout=2) for body in bodies]
    assert answers == [(200, OK)] * 5
    assert server.connections == 1
    assert [r.body for r in server.requests] == bodies
    head = server.requests[0].head
    assert head.startswith(f"POST /bot{SECRET}/sendMessage HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{server.port}\r\n" in head and "Content-Type: application/json\r\n" in head
    assert "User-Agent: test-agent\r\n" in head


async def test_an_error_status_and_a_chunked_answer_are_read_whole() -> None:
    error = (
        b'{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}'
    )
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n" + OK[:5] + b"\r\n" + b"%x\r\n" % (len(OK) - 5)
    )
    chunked += OK[5:] + b"\r\n0\r\n\r\n"
    async with raw_server() as server, pool() as p:
        server.behave = [reply(answer(error, status="429 Too Many Requests")), reply(chunked)]
        assert await p.post(server.url, b"{}", read_timeout=2) == (429, error)
        assert await p.post(server.url, b"{}", read_timeout=2) == (200, OK)
        assert await p.post(server.url, b"{}", read_timeout=2) == (200, OK)
    assert server.connections == 1  # both kept the connection alive


async def test_an_http_1_0_answer_without_a_length_ends_where_the_server_closes() -> None:
    async with raw_server() as server, pool() as p:
        server.behave = [reply(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + OK, close=True)]
        assert await p.post(server.url, b"{}", read_timeout=2) == (200, OK)
        assert await p.post(server.url, b"{}", read_timeout=2) == (200, OK)
    assert server.connections == 2


async def test_connection_close_and_a_connection_the_server_closed_while_idle_get_a_new_connection() -> None:
    async with raw_server() as server, pool() as p:
        server.behave = [reply(answer(headers="Connection: close\r\n"), close=True), reply(answer(), close=True)]
        assert await p.post(server.url, b"{}", read_timeout=2) == (200, OK)  # said it would close
        assert await p.post(server.url, b"{}", read_timeout=2) == (200, OK)  # closed without saying
        await asyncio.sleep(0.05)  # the close reaches the idle connection
        assert await p.post(server.url, b"{}", read_timeout=2) == (200, OK)
        assert p.connections == 1
    assert [r.connection for r in server.requests] == [1, 2, 3]


async def test_no_answer_in_time_is_timed_out_and_the_late_answer_is_never_read_as_the_next_one() -> None:
    late = answer(b'{"ok":true,"result":{"message_id":1}}')
    async with raw_server() as server, pool() as p:
        server.behave = [reply(late, delay=0.5)]
        with pytest.raises(TimedOut) as caught:
            await p.post(server.url, b'{"chat_id":1}', read_timeout=0.2)
        assert not isinstance(caught.value, TimedOutBeforeSending)  # it was written: maybe delivered
        assert await p.post(server.url, b'{"chat_id":2}', read_timeout=2) == (200, OK)
        assert p.connections == 1  # the timed-out one is closed, before its answer could come
    assert [r.connection for r in server.requests] == [1, 2]


@pytest.mark.parametrize(
    ("data", "close"),
    [
        (None, True),
        (answer()[:-10], True),
        (b"SSH-2.0-OpenSSH_9.6\r\n", False),
        (answer(b"x" * (MAX_ANSWER + 1)), False),
    ],
    ids=["closed before answering", "closed halfway through the answer", "not HTTP", "too large"],
)
async def test_a_broken_answer_is_a_network_error_that_does_not_name_the_token(data: bytes | None, close: bool) -> None:
    async with raw_server() as server, pool() as p:
        server.behave = [reply(data, close=close)]
        with pytest.raises(NetworkError) as caught:
            await p.post(server.url, b"{}", read_timeout=2)
        assert not isinstance(caught.value, TimedOut)
        assert "SECRET" not in str(caught.value)
        assert await p.post(server.url, b"{}", read_timeout=2) == (200, OK)  # and the next one works
    assert server.connections == 2


async def test_nothing_listening_is_a_network_error_and_a_full_pool_times_out_before_sending() -> None:
    async with raw_server() as server:
        port = server.port
    async with pool() as p:
        with pytest.raises(NetworkError) as caught:
            await p.post(f"http://127.0.0.1:{port}/bot{SECRET}/sendMessage", b"{}", read_timeout=1)
        assert "Cannot connect" in str(caught.value) and "SECRET" not in str(caught.value)
    async with raw_server() as server, pool(limit=1, timeouts=0.1) as p:
        arrived = asyncio.Event()

        async def hold(_: Request) -> tuple[bytes | None, bool]:
            arrived.set()
            await asyncio.sleep(1.0)
            return answer(), False

        server.behave = [hold]
        held = asyncio.create_task(p.post(server.url, b'{"chat_id":1}', read_timeout=5))
        await asyncio.wait_for(arrived.wait(), 5)
        with pytest.raises(TimedOutBeforeSending):
            await p.post(server.url, b'{"chat_id":2}', read_timeout=5)
        assert await held == (200, OK)
    assert [r.body for r in server.requests] == [b'{"chat_id":1}']  # the second never left


async def test_concurrent_requests_use_at_most_the_limit_of_connections_and_each_gets_its_own_answer() -> None:
    async def echo(request: Request) -> tuple[bytes | None, bool]:
        await asyncio.sleep(0.02)
        return answer(request.body), False

    async with raw_server() as server, pool(limit=3) as p:
        server.behave = [echo] * 12
        bodies = [b'{"chat_id":%d}' % i for i in range(12)]
        answers = await asyncio.gather(*(p.post(server.url, body, read_timeout=2) for body in bodies))
    assert [body for _, body in answers] == bodies
    assert server.connections == 3


async def test_only_http_addresses_are_posted_to() -> None:
    async with pool() as p:
        with pytest.raises(NetworkError):
            await p.post("ftp://127.0.0.1/x", b"{}", read_timeout=1)
