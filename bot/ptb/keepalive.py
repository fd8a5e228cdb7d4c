"""JSON POSTs over persistent HTTP/1.1 connections: the broadcast sender's transport.

The broadcast sender makes one kind of request: POST a JSON body to the Bot API, read the status
and the answer. Through ``aiohttp.ClientSession`` that costs about 0.2 ms of Python per request on
this machine (a ``ClientRequest``, header multidicts, a response object, a stream reader, timers),
measured with cProfile in ``benchmarks/broadcast.py``: 40% of a message's CPU at 28/s. This module
does only that one request: the request is a few bytes joined together, written to a connection
kept open between requests (HTTP/1.1 keep-alive, RFC 9112 §9.3), and the answer is parsed by
httptools (llhttp, Node.js's parser, as uvicorn uses it). PTB's own calls (files, getUpdates,
everything else) stay on aiohttp (``bot.ptb.request``).

Errors mean what they mean there:

- no connection in time (waiting for a free one, or connecting): ``TimedOutBeforeSending``, so the
  request never left this process and sending it again cannot duplicate it;
- no complete answer within ``read_timeout`` of writing the request: ``TimedOut`` (it may have been
  delivered); the connection is closed, so a late answer is never read as the next one's;
- anything else on the way (refused, reset, closed before the answer was complete, an answer that
  is not HTTP or larger than ``MAX_ANSWER``): ``NetworkError``. No error names the URL: it holds the
  bot's token.

A connection goes back to the pool only after a complete answer that allows keep-alive; one the
server closed while idle is dropped when next picked, and a new one is opened.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import cast

import httptools
from telegram.error import NetworkError, TimedOut
from yarl import URL

# A sendMessage answer is a few hundred bytes; a Bot API answer far larger than this is not one.
MAX_ANSWER = 4 * 1024 * 1024


class TimedOutBeforeSending(TimedOut):
    """No connection could be had in time (waiting for the pool, or connecting): the request never
    left this process, so Telegram cannot have received it and resending it cannot duplicate it."""

    __slots__ = ()

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "Timed out waiting for a connection; the request was not sent to Telegram.")


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a URL's requests go, and the fixed start of each request to it."""

    host: str
    port: int
    tls: bool
    head: bytes  # request line and headers, up to "Content-Length: "

    @property
    def origin(self) -> tuple[str, int, bool]:
        """The pool key."""
        return self.host, self.port, self.tls


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: one request at a time, its answer parsed as it arrives."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reusable = False  # the last answer was complete and allows keep-alive
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self._status = 0
        self._body: list[bytes] = []
        self._size = 0
        self._framed = False  # the answer says where it ends (Content-Length or chunked)

    # -- asyncio.Protocol -----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio's, but have its methods.
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self._waiter
        if exc is None and self._status and not self._framed and waiter is not None and not waiter.done():
            # An answer without a length ends where the server closes (RFC 9112 §6.3: HTTP/1.0
            # servers do this); llhttp cannot be told of the end, so it is taken here.
            waiter.set_result((self._status, b"".join(self._body)))
            return
        self._fail(NetworkError("The connection was closed before the answer was complete."))

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # bytes nobody asked for: the stream can no longer be trusted
            self.close()
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail(NetworkError("The answer was not valid HTTP."))
            self.close()

    # -- httptools callbacks --------------------------------------------------------------------
    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() in (b"content-length", b"transfer-encoding"):
            self._framed = True

    def on_headers_complete(self) -> None:
        self._status = self._parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > MAX_ANSWER:
            self._fail(NetworkError("The answer was too large."))
            self.close()
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self.reusable = self._parser.should_keep_alive()
            waiter.set_result((self._status, b"".join(self._body)))

    # -- requests -------------------------------------------------------------------------------
    async def request(self, data: bytes, read_timeout: float | None) -> tuple[int, bytes]:
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        self.reusable = False
        self._status, self._body, self._size, self._framed = 0, [], 0, False
        self.transport.write(data)
        timer = None if read_timeout is None else loop.call_later(read_timeout, self._time_out, waiter)
        try:
            status, body = await waiter
            return status, body
        except BaseException:
            self.close()  # whatever comes later on this connection belongs to no one
            raise
        finally:
            if timer is not None:
                timer.cancel()
            self._waiter = None

    def _time_out(self, waiter: asyncio.Future[tuple[int, bytes]]) -> None:
        if not waiter.done():
            waiter.set_exception(TimedOut("Timed out waiting for Telegram's answer."))

    def _fail(self, error: Exception) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def close(self) -> None:
        self.closed = True
        self.reusable = False
        if self.transport is not None:
            self.transport.close()


class KeepAlivePool:
    """Persistent connections per origin, at most ``limit`` requests at once in all."""

    def __init__(
        self,
        *,
        limit: int,
        connect_timeout: float | None,
        pool_timeout: float | None,
        user_agent: str,
    ) -> None:
        self._slots = asyncio.Semaphore(max(1, limit))
        # As aiohttp's ``connect`` timeout in ``bot.ptb.request``: waiting for a slot and connecting.
        self._acquire_timeout = (
            None
            if connect_timeout is None and pool_timeout is None
            else (connect_timeout or 0.0) + (pool_timeout or 0.0)
        )
        self._user_agent = user_agent
        self._idle: dict[tuple[str, int, bool], list[_Connection]] = {}
        self._open: set[_Connection] = set()
        self._targets: dict[str, _Target] = {}
        self._tls: ssl.SSLContext | None = None
        self._closed = False

    @property
    def connections(self) -> int:
        """Connections open now (idle or in use)."""
        return sum(1 for c in self._open if not c.closed)

    async def post(self, url: str | URL, body: bytes, *, read_timeout: float | None) -> tuple[int, bytes]:
        """POST ``body`` (JSON) to ``url``: (HTTP status, answer)."""
        if self._closed:
            raise RuntimeError("This KeepAlivePool is closed.")
        target = self._target(url)
        data = b"%s%d\r\n\r\n%s" % (target.head, len(body), body)
        try:
            # One deadline for both, as aiohttp's ``connect``.
            async with asyncio.timeout(self._acquire_timeout):
                await self._slots.acquire()
                try:
                    conn = await self._connection(target)
                except BaseException:
                    self._slots.release()
                    raise
        except TimeoutError as err:
            raise TimedOutBeforeSending from err
        try:
            try:
                answer = await conn.request(data, read_timeout)
            except BaseException:
                self._drop(conn)
                raise
            if conn.reusable and not conn.closed:
                self._idle.setdefault(target.origin, []).append(conn)
            else:
                self._drop(conn)
            return answer
        finally:
            self._slots.release()

    async def close(self) -> None:
        self._closed = True
        for conn in list(self._open):
            conn.close()
        self._open.clear()
        self._idle.clear()

    def _target(self, url: str | URL) -> _Target:
        key = str(url)
        target = self._targets.get(key)
        if target is None:
            parsed = URL(key)
            if parsed.scheme not in ("http", "https") or not parsed.raw_host:
                raise NetworkError("Only http:// and https:// addresses can be used.")
            tls = parsed.scheme == "https"
            port = parsed.port or (443 if tls else 80)
            host = parsed.raw_host
            authority = f"[{host}]" if ":" in host else host
            if parsed.explicit_port is not None and port != (443 if tls else 80):
                authority = f"{authority}:{port}"
            head = (
                f"POST {parsed.raw_path_qs or '/'} HTTP/1.1\r\n"
                f"Host: {authority}\r\n"
                f"User-Agent: {self._user_agent}\r\n"
                "Accept: */*\r\n"
                "Content-Type: application/json\r\n"
                "Content-Length: "
            ).encode("ascii")
            if len(self._targets) >= 64:  # the bot posts to a handful of method URLs
                self._targets.clear()
            target = self._targets[key] = _Target(host, port, tls, head)
        return target

    async def _connection(self, target: _Target) -> _Connection:
        idle = self._idle.get(target.origin)
        while idle:
            conn = idle.pop()  # the most recently used: the least likely to have been closed
            if not conn.closed and conn.transport is not None and not conn.transport.is_closing():
                return conn
            self._drop(conn)
        loop = asyncio.get_running_loop()
        tls = None
        if target.tls:
            if self._tls is None:
                self._tls = ssl.create_default_context()
            tls = self._tls
        try:
            _, conn = await loop.create_connection(
                _Connection, target.host, target.port, ssl=tls, server_hostname=target.host if tls else None
            )
        except OSError as err:  # refused, unreachable, DNS, TLS: nothing was sent
            raise NetworkError(
                f"Cannot connect to the Bot API: {err.__class__.__name__}: {err.strerror or err}"
            ) from err
        self._open.add(conn)
        return conn

    def _drop(self, conn: _Connection) -> None:
        conn.close()
        self._open.discard(conn)
