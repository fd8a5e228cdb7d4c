"""A URL: fetched with aiohttp (already the bot's HTTP library), then read like an upload.

The request names the bot in its User-Agent, follows at most ``max_redirects`` redirects, gives up
after ``timeout`` seconds for the whole exchange, and reads the body in chunks, stopping as soon as it
passes ``max_bytes`` (a declared Content-Length over the cap is refused before reading). A picture or a
video is refused from its Content-Type, unread. Every failure is an UnsupportedDocument.
"""

from __future__ import annotations

import asyncio
import dataclasses
from urllib.parse import unquote

import aiohttp
from yarl import URL

from bot.domain.blocks import Document
from bot.ingest.errors import MAX_BYTES, Reason, UnsupportedDocument

USER_AGENT = "BulletinBot/0.1 (Telegram bot carrying the monthly reporters' conference bulletin)"
DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_ACCEPT = (
    "text/html,application/xhtml+xml,application/pdf,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain;q=0.9,*/*;q=0.5"
)


async def fetch_url(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    session: aiohttp.ClientSession | None = None,
) -> Document:
    """Download ``url`` and load it (HTML page, PDF, .docx, text); ``Document.url`` is the final URL."""
    target = _checked_url(url)
    if session is None:
        async with aiohttp.ClientSession() as own:
            return await _fetch(own, target, timeout, max_bytes, max_redirects)
    return await _fetch(session, target, timeout, max_bytes, max_redirects)


def _checked_url(url: str) -> URL:
    try:
        target = URL(url.strip())
    except (ValueError, TypeError) as exc:
        raise UnsupportedDocument(Reason.BAD_URL, f"not a URL: {url[:200]!r}") from exc
    if target.scheme not in {"http", "https"} or not target.host:
        raise UnsupportedDocument(Reason.BAD_URL, f"not an http(s) URL: {url[:200]!r}")
    return target


async def _fetch(
    session: aiohttp.ClientSession, target: URL, timeout: float, max_bytes: int, max_redirects: int
) -> Document:
    headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT, "Accept-Language": "vi,en;q=0.5"}
    try:
        async with session.get(
            target,
            headers=headers,
            allow_redirects=True,
            max_redirects=max_redirects,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            if response.status >= 400:
                raise UnsupportedDocument(
                    Reason.HTTP_ERROR, f"the server answered {response.status} {response.reason or ''}".strip(),
                    status=response.status,
                )  # fmt: skip
            _refuse_by_type(response.content_type)
            declared = response.content_length
            if declared is not None and declared > max_bytes:
                raise UnsupportedDocument(
                    Reason.TOO_LARGE, f"{declared} bytes; the limit is {max_bytes}", size=declared, limit=max_bytes
                )
            body = await _read_capped(response, max_bytes)
            final_url = str(response.url)
            filename = _filename(response)
            content_type = response.headers.get("Content-Type")
    except UnsupportedDocument:
        raise
    except TimeoutError as exc:  # aiohttp's ServerTimeoutError and ConnectionTimeoutError are TimeoutErrors
        raise UnsupportedDocument(Reason.TIMEOUT, f"no complete answer within {timeout:g} s", seconds=timeout) from exc
    except aiohttp.TooManyRedirects as exc:
        raise UnsupportedDocument(
            Reason.TOO_MANY_REDIRECTS, f"more than {max_redirects} redirects", limit=max_redirects
        ) from exc
    except (aiohttp.InvalidURL, aiohttp.NonHttpUrlRedirectClientError) as exc:
        raise UnsupportedDocument(Reason.BAD_URL, f"cannot follow the URL ({type(exc).__name__})") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise UnsupportedDocument(Reason.UNREACHABLE, f"cannot reach {target.host} ({type(exc).__name__})") from exc
    from bot.ingest import load  # the package entry point; imported late to avoid an import cycle

    document = await asyncio.to_thread(load, body, filename=filename, content_type=content_type, max_bytes=max_bytes)
    return dataclasses.replace(document, url=final_url)


def _refuse_by_type(media: str) -> None:
    media = media.lower()
    if media.startswith("image/") and media != "image/svg+xml":
        kind = media.removeprefix("image/")
        raise UnsupportedDocument(Reason.IMAGE, f"the link is an image ({kind})", kind=kind)
    if media.startswith(("video/", "audio/", "font/")):
        raise UnsupportedDocument(Reason.UNSUPPORTED_FORMAT, f"the link is {media}", kind=media)


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise UnsupportedDocument(
                Reason.TOO_LARGE, f"more than {max_bytes} bytes; stopped reading", size=total, limit=max_bytes
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _filename(response: aiohttp.ClientResponse) -> str | None:
    disposition = response.content_disposition
    if disposition is not None and disposition.filename:
        return disposition.filename
    name = unquote(response.url.path.rsplit("/", 1)[-1])
    return name or None
