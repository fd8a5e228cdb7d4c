"""A python-telegram-bot request backend on aiohttp.

PTB's default backend, httpx, spends about 2.2 ms of CPU per Bot API call on this machine; aiohttp's
C HTTP parser does the same call in about 0.2 ms (measured with ``benchmarks/broadcast.py``'s probe
at 1,000 msg/s). At a paid-broadcast rate that difference is the whole CPU budget, so every request
the bot makes goes through this class. It follows ``telegram.request.HTTPXRequest`` closely: same
timeouts, same error mapping, except that a timeout before the request was written raises its own
``TimedOutBeforeSending``, so a caller can tell it from a timeout after sending without reading texts.

``post_json`` is the broadcast sender's fast path (``bot.ptb.sending.TelegramSender``): a body already
encoded as JSON, which the Bot API accepts for every method that uploads no file
(https://core.telegram.org/bots/api#making-requests), posted without PTB's per-call request building
and without aiohttp's: over this request's own keep-alive connections (``bot.ptb.keepalive``, the
same pool size, timeouts and error mapping), about 0.05 ms of CPU a request where aiohttp's
session takes 0.2.
"""

from __future__ import annotations

from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

from bot.ptb.keepalive import KeepAlivePool, TimedOutBeforeSending

__all__ = ["AiohttpRequest", "TimedOutBeforeSending"]


class AiohttpRequest(BaseRequest):
    """``BaseRequest`` implementation backed by one ``aiohttp.ClientSession``."""

    __slots__ = ("_connect_timeout", "_json_pool", "_pool_size", "_pool_timeout", "_read_timeout", "_session")

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        # No write timeout: aiohttp's ClientTimeout has none.
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._json_pool: KeepAlivePool | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # The Bot API sets no cookies; a jar costs a look-up and an update on every call.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        if self._json_pool is None:
            self._json_pool = KeepAlivePool(
                limit=self._pool_size,
                connect_timeout=self._connect_timeout,
                pool_timeout=self._pool_timeout,
                user_agent=self.USER_AGENT,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
        if self._json_pool is not None:
            await self._json_pool.close()
        self._json_pool = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        params = request_data.json_parameters if request_data else None
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout)

        # Same wire format as PTB's httpx backend (form fields, nested values JSON-encoded), but
        # encoded with urlencode: aiohttp's FormData costs ~60 µs a message against ~6 µs.
        body: aiohttp.FormData | bytes | None = urlencode(params).encode() if params else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if params else None
        if files:
            headers = None
            form = aiohttp.FormData()
            for name, value in (params or {}).items():
                form.add_field(name, value)
            for name, field in files.items():
                filename, content, mime = field
                form.add_field(name, content, filename=filename, content_type=mime)
            body = form
        return await self._send(method, url, body, headers, timeout)

    async def post_json(self, url: str | URL, body: bytes, *, read_timeout: float | None) -> tuple[int, bytes]:
        """POST ``body`` (JSON, UTF-8) to ``url``: (HTTP status, answer), with ``do_request``'s
        timeouts (the pool's and connecting as configured) and error mapping."""
        if self._json_pool is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        return await self._json_pool.post(url, body, read_timeout=read_timeout)

    def _timeout(
        self, read_timeout: ODVInput[float], connect_timeout: ODVInput[float], pool_timeout: ODVInput[float]
    ) -> aiohttp.ClientTimeout:
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp's ``connect`` covers waiting for a pooled connection *and* connecting.
        acquire = None if connect is None and pool is None else (connect or 0.0) + (pool or 0.0)
        return aiohttp.ClientTimeout(total=None, connect=acquire, sock_read=read)

    async def _send(
        self,
        method: str,
        url: str | URL,
        body: aiohttp.FormData | bytes | None,
        headers: dict[str, str] | None,
        timeout: aiohttp.ClientTimeout,
    ) -> tuple[int, bytes]:
        assert self._session is not None
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as err:  # aiohttp's ``connect``: pool wait + connecting
            raise TimedOutBeforeSending from err
        except TimeoutError as err:  # reading the answer: the request may have been delivered
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
