"""The HTTP client the portal watcher polls with: polite to the portals, cheap for us, typed failures.

Polite: one request at a time per origin (scheme, host, port), robots.txt read and obeyed (RFC 9309,
https://www.rfc-editor.org/rfc/rfc9309) including its Crawl-delay, conditional GETs so an unchanged
feed costs the portal a 304, and a User-Agent that names the bot and a contact. Cheap: one aiohttp
session (and its connection pool) for the client's life, robots.txt kept for ``robots_ttl``, no
thread per request, a 304 never reads a body. Bounded: every exchange ends within ``timeout``
seconds, reads at most ``max_bytes`` decoded bytes and follows at most ``max_redirects`` redirects.

``get`` raises ``FetchError`` and nothing else; its ``reason`` says what went wrong in one word the
poller can branch on, its ``detail`` says it in short English for logs and the admins' /sources view.

Deadlines: ``timeout`` bounds each exchange (the robots.txt fetch and the page fetch each have their
own), not the time spent waiting for the host's turn (another request to it, or its Crawl-delay).
Redirects are followed by aiohttp under the lock of the origin first asked; the robots.txt of a
redirect's target on another origin is not consulted.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

_log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0  # seconds for a whole exchange; never more than 30
MAX_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
# RFC 9309 §2.5: a crawler must parse at least the first 500 KiB of robots.txt; we parse exactly those.
ROBOTS_MAX_BYTES = 500 * 1024
# RFC 9309 §2.3.1.2: follow at least five consecutive redirects for robots.txt.
ROBOTS_MAX_REDIRECTS = 5
# After a robots.txt fetch failed (5xx, 429, unreachable) the host is off limits; it is tried again
# on the first request this long after the failure (or after its Retry-After, if longer).
ROBOTS_RETRY = 30.0
# Crawl-delay is not in RFC 9309; honoured as "seconds between two requests", capped so a robots.txt
# saying 3600 cannot stall a source for an hour per page.
MAX_CRAWL_DELAY = 60.0

# Feeds first, then pages (the poller reads RSS/Atom feeds and listing or article pages).
FEED_OR_PAGE_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.8, application/xhtml+xml;q=0.8, */*;q=0.5"
)
_ROBOTS_ACCEPT = "text/plain, */*;q=0.5"
# aiohttp decodes both; no br or zstd, which need optional libraries.
_ACCEPT_ENCODING = "gzip, deflate"
_ACCEPT_LANGUAGE = "vi,en"
_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})  # those aiohttp follows

Reason = Literal["http", "timeout", "too_large", "redirects", "unreachable", "bad_url", "robots"]

_HOST_CHARS = re.compile(r"[A-Za-z0-9._:%-]+")  # an IDNA-encoded name, an IPv4 or IPv6 address
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # a validator holding these cannot be sent as a header
_PRODUCT_TOKEN = re.compile(r"[A-Za-z_-]+")  # RFC 9309 §2.2.1: the user-agent's product token
_DIGITS = re.compile(r"[0-9]+")


class FetchError(Exception):
    """A fetch that gave no usable answer. ``str(error)`` is ``detail``.

    reason: "http" (4xx/5xx, ``status`` set), "timeout", "too_large", "redirects", "unreachable"
    (refused, DNS, reset, a broken answer), "bad_url" (not http(s), or a redirect to such a URL),
    "robots" (robots.txt disallows the path, or could not be read: ``status`` set when it answered).
    retry_after: seconds, from a 429 or 503's Retry-After (delay-seconds or HTTP-date), else None.
    """

    def __init__(
        self, reason: Reason, detail: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(detail)
        self.reason: Reason = reason
        self.detail = detail
        self.status = status
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"FetchError({self.reason!r}, {self.detail!r}, status={self.status!r})"

    def copy(self, detail: str | None = None) -> FetchError:
        """The same failure as a new exception (re-raising one instance would grow its traceback)."""
        return FetchError(self.reason, detail or self.detail, status=self.status, retry_after=self.retry_after)


@dataclass(frozen=True, slots=True)
class Response:
    status: int  # 200 (any 2xx) or 304
    url: str  # the final URL, after redirects
    body: bytes  # b"" for a 304
    content_type: str | None  # the Content-Type header as sent
    etag: str | None  # the response's ETag (for a 304: the one sent back, else the one asked with)
    last_modified: str | None  # likewise Last-Modified


@dataclass(slots=True)
class ClientStats:
    """Counters since the client was made (for the benchmark and the logs)."""

    requests: int = 0  # HTTP exchanges started, pages and robots.txt (a redirect chain is one)
    not_modified: int = 0  # 304 answers to get()
    errors: int = 0  # get() calls that raised FetchError
    bytes_read: int = 0  # decoded body bytes read, pages and robots.txt
    robots_fetches: int = 0  # robots.txt exchanges started (included in requests)


@dataclass(frozen=True, slots=True)
class _Rule:
    allow: bool
    length: int  # octets of the rule's path: RFC 9309 §2.2.2, the longest match wins
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Robots:
    """The rules of the one group that applies to our product token, most specific first."""

    rules: tuple[_Rule, ...]
    delay: float  # seconds between two requests to the host (0: none)

    def allows(self, target: URL) -> bool:
        path = _robots_path(target)
        if path == "/robots.txt":
            return True  # RFC 9309 §2.2.2: implicitly allowed
        for rule in self.rules:
            if rule.pattern.match(path):
                return rule.allow
        return True


_ALLOW_ALL = _Robots((), 0.0)


@dataclass(slots=True)
class _Host:
    """What the client knows about one origin. Everything here is read and written under ``lock``."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots: _Robots | None = None
    robots_error: FetchError | None = None  # the last robots.txt fetch failed: all disallowed
    robots_until: float = -math.inf  # clock time from which robots.txt is fetched again
    last_end: float = -math.inf  # clock time the last exchange with the host ended


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    url: str
    headers: Mapping[str, str]
    body: bytes


class PoliteClient:
    """GET pages and feeds politely; see the module docstring. Use as ``async with`` or ``close()`` it."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        robots_ttl: float = 24 * 3600,
        clock: Callable[[], float] = time.monotonic,
        resolver: AbstractResolver | None = None,
    ) -> None:
        """``clock`` times the robots.txt cache and Crawl-delay; ``resolver`` (tests, benchmarks) maps
        host names without DNS. Nothing is opened here: the session is made on the first ``get``."""
        if not user_agent.strip():
            raise ValueError("user_agent is required")
        if not 0 < timeout <= MAX_TIMEOUT:
            raise ValueError(f"timeout must be in (0, {MAX_TIMEOUT:g}] seconds, not {timeout!r}")
        if max_bytes <= 0 or max_redirects < 0 or robots_ttl < 0:
            raise ValueError("max_bytes must be positive, max_redirects and robots_ttl not negative")
        self._user_agent = user_agent.strip()
        found = _PRODUCT_TOKEN.match(self._user_agent)
        self._token = found.group(0) if found else self._user_agent
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._robots_ttl = robots_ttl
        self._clock = clock
        self._resolver = resolver
        self._hosts: dict[tuple[str, str, int | None], _Host] = {}
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self.stats = ClientStats()

    async def __aenter__(self) -> PoliteClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session and its connections; ``get`` refuses to run afterwards."""
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_OR_PAGE_ACCEPT,
    ) -> Response:
        """GET ``url``: a 2xx with its body, or a 304 (when ``etag``/``last_modified`` still hold).
        Raises FetchError, and nothing else."""
        try:
            return await self._get(url, etag, last_modified, accept)
        except FetchError:
            self.stats.errors += 1
            raise
        except Exception as exc:
            # Why: a library meeting a hostile server may raise anything (a header it cannot decode,
            # a state no rule foresaw); the poller must get one typed answer, and we want the stack.
            self.stats.errors += 1
            _log.warning("unexpected failure fetching %s (%s)", url[:200], type(exc).__name__, exc_info=True)
            raise FetchError("unreachable", f"unexpected failure ({type(exc).__name__})") from exc

    async def _get(self, url: str, etag: str | None, last_modified: str | None, accept: str) -> Response:
        if self._closed:
            raise FetchError("unreachable", "the client is closed")
        target = _checked_url(url)
        headers = {"Accept": _header_value(accept) or FEED_OR_PAGE_ACCEPT}
        etag = _header_value(etag)
        last_modified = _header_value(last_modified)
        if etag:  # RFC 9110 §13.1.2 / §13.1.3
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        key = (target.scheme, target.host or "", target.port)
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host()
        async with host.lock:
            robots = await self._robots(host, target)
            if not robots.allows(target):
                raise FetchError("robots", f"robots.txt disallows {_shown_path(target)}")
            answer = await self._exchange(
                host, target, headers, max_bytes=self._max_bytes, max_redirects=self._max_redirects
            )
        if answer.status == 304:
            self.stats.not_modified += 1
            return Response(
                304,
                answer.url,
                b"",
                answer.headers.get("Content-Type"),
                answer.headers.get("ETag") or etag,
                answer.headers.get("Last-Modified") or last_modified,
            )
        if 200 <= answer.status < 300:
            return Response(
                answer.status,
                answer.url,
                answer.body,
                answer.headers.get("Content-Type"),
                answer.headers.get("ETag"),
                answer.headers.get("Last-Modified"),
            )
        raise FetchError(
            "http",
            f"HTTP {answer.status}",
            status=answer.status,
            retry_after=_retry_after(answer.status, answer.headers),
        )

    async def _robots(self, host: _Host, target: URL) -> _Robots:
        """The host's robots.txt rules, fetched when missing or older than ``robots_ttl``; a failed
        fetch means everything is disallowed until ``ROBOTS_RETRY`` has passed (RFC 9309 §2.3.1.4)."""
        if self._clock() < host.robots_until:
            if host.robots_error is not None:
                raise host.robots_error.copy()
            if host.robots is not None:
                return host.robots
        self.stats.robots_fetches += 1
        try:
            robots = await self._fetch_robots(host, target)
        except FetchError as error:
            host.robots, host.robots_error = None, error.copy()  # a copy holds no traceback (and its frames)
            # Retried after ROBOTS_RETRY, or the server's Retry-After if longer, but never held longer
            # than a good robots.txt would be.
            hold = min(max(ROBOTS_RETRY, error.retry_after or 0.0), max(ROBOTS_RETRY, self._robots_ttl))
            host.robots_until = self._clock() + hold
            _log.info("robots.txt of %s unusable: %s", target.origin(), error.detail)
            raise
        host.robots, host.robots_error = robots, None
        host.robots_until = self._clock() + self._robots_ttl
        return robots

    async def _fetch_robots(self, host: _Host, target: URL) -> _Robots:
        robots_url = target.origin().with_path("/robots.txt")
        try:
            answer = await self._exchange(
                host,
                robots_url,
                {"Accept": _ROBOTS_ACCEPT},
                max_bytes=ROBOTS_MAX_BYTES,
                max_redirects=ROBOTS_MAX_REDIRECTS,
                truncate=True,
            )
        except FetchError as error:
            if error.reason in {"redirects", "bad_url"}:
                return _ALLOW_ALL  # §2.3.1.2: redirects that cannot be followed: "unavailable"
            raise error.copy(f"robots.txt: {error.detail}") from None
        status = answer.status
        if 200 <= status < 300:
            return _parse_robots(answer.body, self._token)
        if status == 429 or status >= 500:
            # §2.3.1.4 for 5xx. A 429 is a 4xx, which §2.3.1.3 calls "unavailable" (all allowed), but
            # the server is asking us to slow down, so it is treated as a server error (as Google does:
            # https://developers.google.com/search/docs/crawling-indexing/robots/robots_txt).
            retry_after = _retry_after(status, answer.headers)
            raise FetchError("robots", f"robots.txt answered HTTP {status}", status=status, retry_after=retry_after)
        return _ALLOW_ALL  # §2.3.1.3: 4xx (404, 410, 403…) means there are no rules

    async def _exchange(
        self,
        host: _Host,
        target: URL,
        headers: dict[str, str],
        *,
        max_bytes: int,
        max_redirects: int,
        truncate: bool = False,
    ) -> _Answer:
        """One request under the host's lock: wait for its Crawl-delay, then GET within ``timeout``.
        The body is read only for a 2xx, capped at ``max_bytes`` (``truncate``: keep the first
        ``max_bytes`` instead of failing)."""
        if host.robots is not None and host.robots.delay > 0:
            wait = host.last_end + host.robots.delay - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
        session = self._open_session()
        self.stats.requests += 1
        # aiohttp raises on the redirect that reaches max_redirects (so follows one fewer), and takes 0
        # as "no limit": ask for one more, and follow none ourselves when none is allowed.
        follow = max_redirects > 0
        try:
            async with (
                asyncio.timeout(self._timeout),
                session.get(
                    target, headers=headers, allow_redirects=follow, max_redirects=max_redirects + 1
                ) as response,
            ):
                if response.status in _REDIRECTS and not follow and "Location" in response.headers:
                    raise FetchError("redirects", "more than 0 redirects")
                body = b""
                if 200 <= response.status < 300:
                    declared = response.content_length
                    if declared is not None and declared > max_bytes and not truncate:
                        raise FetchError("too_large", f"more than {_size(max_bytes)} (Content-Length {declared})")
                    body = await self._read_capped(response, max_bytes, truncate)
                return _Answer(response.status, str(response.url), response.headers, body)
        except FetchError:
            raise
        except TimeoutError as exc:  # ours, or aiohttp's ServerTimeoutError / ConnectionTimeoutError
            raise FetchError("timeout", f"no answer within {self._timeout:g} s") from exc
        except aiohttp.TooManyRedirects as exc:
            raise FetchError("redirects", f"more than {max_redirects} redirects") from exc
        except aiohttp.NonHttpUrlRedirectClientError as exc:
            raise FetchError("bad_url", "redirect to a non-http(s) URL") from exc
        except aiohttp.InvalidURL as exc:  # includes InvalidUrlRedirectClientError
            raise FetchError("bad_url", f"cannot follow the URL ({type(exc).__name__})") from exc
        except (aiohttp.ClientError, OSError, UnicodeError) as exc:
            raise FetchError("unreachable", f"cannot reach {target.host} ({type(exc).__name__})") from exc
        finally:
            host.last_end = self._clock()

    async def _read_capped(self, response: aiohttp.ClientResponse, max_bytes: int, truncate: bool) -> bytes:
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            total += len(chunk)
            self.stats.bytes_read += len(chunk)
            chunks.append(chunk)
            if total > max_bytes:
                if truncate:
                    return b"".join(chunks)[:max_bytes]
                raise FetchError("too_large", f"more than {_size(max_bytes)}")
        return b"".join(chunks)

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            # One connection per origin; no total cap (aiohttp's default is 100): the per-origin limit
            # already bounds it by the number of hosts, and a request waiting for a free slot would
            # spend its deadline doing nothing.
            connector: dict[str, Any] = {"limit_per_host": 1, "limit": 0}
            if self._resolver is not None:
                connector["resolver"] = self._resolver
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(**connector),
                headers={
                    "User-Agent": self._user_agent,
                    "Accept-Language": _ACCEPT_LANGUAGE,
                    "Accept-Encoding": _ACCEPT_ENCODING,
                },
                # aiohttp's own deadline set to ours (its default is 5 minutes); asyncio.timeout is the one relied on.
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                # No state carried between polls, and no jar look-up on every request.
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session


def _checked_url(url: str) -> URL:
    try:
        target = URL(url.strip())
        host = target.raw_host
        _ = target.port, target.host  # yarl checks the port and decodes IDNA lazily
    except (ValueError, TypeError, UnicodeError) as exc:
        raise FetchError("bad_url", f"not a URL: {url[:200]!r}") from exc
    if target.scheme not in {"http", "https"} or not host or not _HOST_CHARS.fullmatch(host):
        raise FetchError("bad_url", f"not an http(s) URL: {url[:200]!r}")
    return target


def _header_value(value: str | None) -> str | None:
    """A value we can send as a header, or None: a stored validator with a line break in it (from a
    broken server, or a broken database row) is dropped rather than failing the fetch."""
    if value is None:
        return None
    value = value.strip()
    return value if value and not _CONTROL.search(value) else None


def _retry_after(status: int, headers: Mapping[str, str]) -> float | None:
    """Seconds from a 429 or 503's Retry-After (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date
    counted from the answer's own Date (so a skewed clock on either side does not matter)."""
    value = headers.get("Retry-After") if status in {429, 503} else None
    if value is None:
        return None
    value = value.strip()
    if _DIGITS.fullmatch(value):
        return float(int(value))
    when = _http_date(value)
    if when is None:
        return None
    now = _http_date(headers.get("Date", "")) or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def _http_date(value: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)  # "-0000" parses naive


def _parse_robots(body: bytes, token: str) -> _Robots:
    """The rules for our product token, read as RFC 9309 says (§2.2): a group is one or more
    user-agent lines and the rules after them; every group naming our token (case-insensitively)
    counts, merged, else every ``*`` group; blank lines end nothing. The standard library's
    urllib.robotparser is not used: it keeps the first matching rule rather than the longest
    (§2.2.2), has no ``*`` or ``$`` (§2.2.3), ends a group at a blank line, and reads
    ``Disallow: /search?`` as ``/search`` (also blocking ``/search-results``)."""
    text = body.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if len(body) >= ROBOTS_MAX_BYTES:  # cut at the cap: the last line may be a fragment
        text = text.rpartition("\n")[0]
    token = token.lower()
    ours: list[_Group] = []
    anyone: list[_Group] = []
    group: _Group | None = None
    in_agents = False
    for raw in text.splitlines():
        key, colon, value = raw.partition("#")[0].partition(":")
        if not colon:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if group is None or not in_agents:
                group = _Group()
                in_agents = True
            agent = _PRODUCT_TOKEN.match(value)
            if value == "*":
                anyone.append(group)
            elif agent and agent.group(0).lower() == token:
                ours.append(group)
            continue
        if group is None:
            continue  # a rule before any user-agent line belongs to no group
        in_agents = False
        if key in {"allow", "disallow"} and value:
            group.rules.append(_rule(value, key == "allow"))
        elif key == "crawl-delay":
            group.delay = _delay(value, group.delay)
    chosen = list(dict.fromkeys(ours or anyone))  # a group named twice ("User-agent: a" twice) counts once
    if not chosen:
        return _ALLOW_ALL
    rules = sorted((rule for g in chosen for rule in g.rules), key=lambda rule: (-rule.length, not rule.allow))
    return _Robots(tuple(rules), min(max(g.delay for g in chosen), MAX_CRAWL_DELAY))


@dataclass(slots=True, eq=False)
class _Group:
    rules: list[_Rule] = field(default_factory=list)
    delay: float = 0.0


def _delay(value: str, current: float) -> float:
    try:
        seconds = float(value)
    except ValueError:
        return current
    return max(current, seconds) if math.isfinite(seconds) and seconds > 0 else current


def _rule(path: str, allow: bool) -> _Rule:
    """§2.2.3: ``*`` is any run of characters, a final ``$`` the end of the path; the rest literal."""
    anchored = path.endswith("$")
    body = _normalised(path.removesuffix("$") if anchored else path)
    pattern = ".*".join(re.escape(part) for part in body.split("*")) + ("$" if anchored else "")
    return _Rule(allow, len(path), re.compile(pattern))


def _robots_path(target: URL) -> str:
    return _normalised(target.raw_path_qs) or "/"


_KEEP = "/:;=?@[]!$&'()*+,%#~"  # reserved characters stay as written, and so do escapes already made
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normalised(path: str) -> str:
    """Rule paths and URL paths compared alike (§2.2.2): characters outside ASCII percent-encoded as
    UTF-8, escapes of unreserved characters decoded, other escapes in upper case."""
    quoted = urllib.parse.quote(path, safe=_KEEP)

    def unescape(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    return _ESCAPE.sub(unescape, quoted)


def _shown_path(target: URL) -> str:
    shown = target.path_qs if target.query_string else target.path
    return shown if len(shown) <= 200 else shown[:199] + "…"


def _size(n: int) -> str:
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"
